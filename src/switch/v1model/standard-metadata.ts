/**
 * v1model's standard and intrinsic metadata as simple_switch reads and writes them between pipeline
 * passes (targets/simple_switch/simple_switch.cpp): each field the program declares gets a setter
 * with the field store's truncation; optional fields a program may leave out are undefined.
 */
import type { StaticFieldRef } from '../core/layout.js';
import type { Program } from '../core/program.js';
import type { PacketState } from '../core/state.js';

/** simple_switch's PktInstanceType values (standard_metadata.instance_type). */
export const InstanceType = {
  NORMAL: 0,
  INGRESS_CLONE: 1,
  EGRESS_CLONE: 2,
  COALESCED: 3,
  RECIRC: 4,
  REPLICATION: 5,
  RESUBMIT: 6,
} as const;

export interface StandardMetadata {
  readonly ingressPort: Setter;
  readonly packetLength: Setter;
  readonly instanceType: Setter;
  readonly egressSpec: Setter;
  readonly egressPort: Setter;
  readonly parserError?: Setter;
  readonly checksumError?: Setter;
  readonly ingressTs?: Setter;
  readonly egressTs?: Setter;
  readonly mcastGrp?: Setter;
  readonly egressRid?: Setter;
  readonly priority?: Setter;
  readonly queueing?: {
    readonly enqTimestamp: Setter;
    readonly enqQdepth: Setter;
    readonly deqTimedelta: Setter;
    readonly deqQdepth: Setter;
    readonly qid?: Setter;
  };
}

/** Reads/writes one architecture field with field-store truncation. */
export interface Setter {
  set(s: PacketState, v: number): void;
  get(s: PacketState): number;
}

function makeSetter(program: Program, ref: StaticFieldRef): Setter {
  const slot = program.layout.slot(ref);
  const width = ref.field.width;
  if (ref.field.repr === 'num') {
    const mask = width >= 32 ? -1 : 2 ** width - 1;
    return {
      set: (s, v) => {
        s.num[slot] = mask === -1 ? v >>> 0 : v & mask;
      },
      get: (s) => s.num[slot],
    };
  }
  return {
    set: (s, v) => {
      s.big[slot] = BigInt.asUintN(width, BigInt(Math.trunc(v)));
    },
    get: (s) => Number(s.big[slot]),
  };
}

/** The setters of the standard metadata fields `program` declares. */
export function standardMetadata(program: Program): StandardMetadata {
  const f = (name: string): Setter | undefined => {
    const ref = program.layout.findField(name);
    return ref ? makeSetter(program, ref) : undefined;
  };
  const req = (name: string): Setter => f(name)!;
  const q = {
    enqTimestamp: f('queueing_metadata.enq_timestamp'),
    enqQdepth: f('queueing_metadata.enq_qdepth'),
    deqTimedelta: f('queueing_metadata.deq_timedelta'),
    deqQdepth: f('queueing_metadata.deq_qdepth'),
  };
  return {
    ingressPort: req('standard_metadata.ingress_port'),
    packetLength: req('standard_metadata.packet_length'),
    instanceType: req('standard_metadata.instance_type'),
    egressSpec: req('standard_metadata.egress_spec'),
    egressPort: req('standard_metadata.egress_port'),
    parserError: f('standard_metadata.parser_error'),
    checksumError: f('standard_metadata.checksum_error'),
    ingressTs: f('intrinsic_metadata.ingress_global_timestamp'),
    egressTs: f('intrinsic_metadata.egress_global_timestamp'),
    mcastGrp: f('intrinsic_metadata.mcast_grp'),
    egressRid: f('intrinsic_metadata.egress_rid'),
    priority: f('intrinsic_metadata.priority'),
    // simple_switch uses queueing metadata only when all four fields exist.
    queueing:
      q.enqTimestamp && q.enqQdepth && q.deqTimedelta && q.deqQdepth
        ? {
            enqTimestamp: q.enqTimestamp,
            enqQdepth: q.enqQdepth,
            deqTimedelta: q.deqTimedelta,
            deqQdepth: q.deqQdepth,
            qid: f('queueing_metadata.qid'),
          }
        : undefined,
  };
}
