/**
 * The v1model architecture as bmv2's simple_switch implements it (targets/simple_switch/simple_switch.cpp),
 * run synchronously: one call processes one input packet to completion, including every copy it spawns.
 *
 * Per input packet:
 *   ingress pass: parse ("parser", then checksum verification) -> pipeline "ingress" -> I2E clone ->
 *   digest -> resubmit | multicast (mcast_grp != 0) | drop (egress_spec == drop port) | unicast;
 *   egress pass per copy: pipeline "egress" -> E2E clone -> drop (egress_spec == drop port) ->
 *   deparse ("deparser": checksum update, emit) -> recirculate | transmit.
 * Copies are processed first-in first-out. Standard metadata is set exactly where simple_switch sets it
 * (including its quirks: after a resubmit, recirculation or I2E clone every metadata field not in the
 * preserved field list is 0, ingress_port included; egress_spec starts egress as drop_port + 1 truncated).
 *
 * A packet whose processing fails (failed assert, out-of-bounds stack index, ...) produces no output at all;
 * the error is reported in the result.
 */
import { copyFieldList } from '../core/actions.js';
import { maskBig, type Value } from '../core/bits.js';
import { instantiateAlgorithm } from '../core/calculation.js';
import type { FieldListDef } from '../core/context.js';
import type { CompiledPipeline } from '../core/control.js';
import type { CompiledDeparser } from '../core/deparser.js';
import {
  ConfigError,
  EngineError,
  invalidArgument,
  notFound,
  PacketProcessingError,
} from '../core/errors.js';
import type { StaticFieldRef } from '../core/layout.js';
import type { CompiledParser } from '../core/parser.js';
import {
  type ActionBinding,
  ActionProfileState,
  type GroupMemberSpec,
  type GroupRecord,
} from '../core/profiles.js';
import type { Program } from '../core/program.js';
import { Rng } from '../core/rng.js';
import type { Runtime } from '../core/runtime.js';
import { type PacketNote, PacketState } from '../core/state.js';
import {
  CounterArrayState,
  type CounterValue,
  MeterArrayState,
  type MeterConfig,
  RegisterArrayState,
} from '../core/stateful.js';
import {
  type CounterData,
  type EntryAction,
  type EntryActionSpec,
  type MatchKey,
  type MatchKind,
  type TableEntryRecord,
  TableState,
} from '../core/tables.js';
import { ValueSetState } from '../core/value-sets.js';
import { type CloneSessionConfig, type Replica, ReplicationEngine } from './pre.js';

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

export interface EngineOptions {
  /** Port meaning "drop" in egress_spec (simple_switch --drop-port), default 511. */
  readonly dropPort?: number;
  /** CPU port (simple_switch_grpc --cpu-port): packets sent there are reported as packet-ins. */
  readonly cpuPort?: number;
  /** Current time in microseconds since the switch started. Default: real time since construction. */
  readonly clock?: () => number;
  /** Seed of the generator behind `random()` (modify_field_rng_uniform). Default 0. */
  readonly seed?: number | bigint;
  /**
   * Maximum pipeline passes (ingress and egress runs, over all copies) one input packet may cause;
   * beyond it the packet fails (bmv2 would loop forever on endless recirculation). Default 1024.
   */
  readonly maxPasses?: number;
  /** Collect trace notes (parser states, table hits, conditions). Default false. */
  readonly trace?: boolean;
  /** Egress queues per port (simple_switch --priority-queues); a priority >= this drops the packet. Default 1. */
  readonly queuesPerPort?: number;
}

export interface OutputPacket {
  readonly port: number;
  readonly bytes: Uint8Array;
  /** instance_type of the copy when it left egress. */
  readonly instanceType: number;
}

export interface DigestMessage {
  readonly listId: number;
  readonly listName: string;
  /** Field values in learn-list order. */
  readonly values: readonly bigint[];
  readonly fieldNames: readonly string[];
}

export interface DropRecord {
  readonly stage: 'ingress' | 'egress' | 'replication' | 'queue';
  readonly reason: string;
  readonly instanceType: number;
}

export interface ProcessResult {
  /** Packets transmitted on ports other than the CPU port, in emission order. */
  readonly outputs: OutputPacket[];
  /** Packets sent to the CPU port. */
  readonly packetIns: OutputPacket[];
  readonly digests: DigestMessage[];
  readonly drops: DropRecord[];
  /** log_msg output, bmv2-style warnings and (when enabled) trace notes. */
  readonly notes: PacketNote[];
  /** Set when processing failed; outputs, packet-ins and digests are then empty. */
  readonly error?: string;
}

export interface KeyFieldInfo {
  readonly name: string;
  readonly matchKind: MatchKind;
  readonly width: number;
}

export interface ActionInfo {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly width: number }[];
}

export interface TableInfo {
  readonly name: string;
  readonly matchType: 'exact' | 'lpm' | 'ternary' | 'range';
  readonly implementation: 'direct' | 'profile' | 'selector';
  readonly actionProfile: string | undefined;
  readonly maxSize: number;
  readonly isConst: boolean;
  readonly needsPriority: boolean;
  readonly supportsTimeout: boolean;
  readonly keys: readonly KeyFieldInfo[];
  readonly actions: readonly ActionInfo[];
  readonly directCounter: boolean;
  readonly directMeter: { readonly name: string; readonly unit: 'packets' | 'bytes' } | undefined;
  readonly defaultAction:
    | { readonly name: string; readonly actionConst: boolean; readonly entryConst: boolean }
    | undefined;
}

export interface TableEntryInput {
  readonly match: MatchKey;
  /** P4Runtime priority (larger wins); required (> 0) for ternary/range tables, omitted/0 otherwise. */
  readonly priority?: number;
  readonly action: EntryActionSpec;
  readonly idleTimeoutNs?: number;
}

interface ArchFields {
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
interface Setter {
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

type Job =
  | { readonly kind: 'ingress'; readonly s: PacketState }
  | { readonly kind: 'egress'; readonly s: PacketState; readonly port: number };

interface Collector {
  /** States used by this input packet, returned to the pool when it is done. */
  states: PacketState[];
  outputs: OutputPacket[];
  packetIns: OutputPacket[];
  digests: DigestMessage[];
  drops: DropRecord[];
  notes: PacketNote[];
  jobs: Job[];
  passes: number;
}

export class SimpleSwitchEngine {
  readonly program: Program;
  private readonly rt: Runtime;
  private readonly parser: CompiledParser;
  private readonly deparser: CompiledDeparser;
  private readonly ingress: CompiledPipeline;
  private readonly egress: CompiledPipeline;
  private readonly arch: ArchFields;
  private readonly pre = new ReplicationEngine();
  private readonly dropPort: number;
  private readonly cpuPort: number | undefined;
  private readonly maxPasses: number;
  private readonly tracing: boolean;
  private readonly queuesPerPort: number;
  private readonly fieldListSlots = new Map<FieldListDef, number[]>();
  private readonly seed: number | bigint;
  private readonly pool: PacketState[] = [];

  constructor(program: Program, options: EngineOptions = {}) {
    this.program = program;
    const need = <T>(map: ReadonlyMap<string, T>, name: string, what: string): T => {
      const x = map.get(name);
      if (!x) throw new ConfigError('$', `simple_switch needs a ${what} named '${name}'`);
      return x;
    };
    this.parser = need(program.parsers, 'parser', 'parser');
    this.deparser = need(program.deparsers, 'deparser', 'deparser');
    this.ingress = need(program.pipelines, 'ingress', 'pipeline');
    this.egress = need(program.pipelines, 'egress', 'pipeline');
    this.dropPort = options.dropPort ?? 511;
    this.cpuPort = options.cpuPort;
    this.maxPasses = options.maxPasses ?? 1024;
    this.tracing = options.trace ?? false;
    this.queuesPerPort = options.queuesPerPort ?? 1;
    this.seed = options.seed ?? 0;
    let clock = options.clock;
    if (!clock) {
      const start = performance.now();
      clock = () => Math.floor((performance.now() - start) * 1000);
    }
    const now = clock;
    const profiles = program.profiles.map((p) => new ActionProfileState(p));
    this.rt = {
      tables: program.tables.map(
        (t) => new TableState(t, t.profile === undefined ? undefined : profiles[t.profile], now),
      ),
      profiles,
      counters: program.counters.filter((c) => !c.direct).map((c) => new CounterArrayState(c.size)),
      meters: program.meters.map((m) => new MeterArrayState(m.size, m.rateCount, m.unit, 0)),
      registers: program.registers.map((r) => new RegisterArrayState(r.size, r.width)),
      valueSets: program.valueSets.map((v) => new ValueSetState(v)),
      hashes: program.calculations.map((c) => instantiateAlgorithm(c.algorithm)),
      rng: new Rng(this.seed),
      now,
      dropPort: this.dropPort,
    };
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
    this.arch = {
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

  // =================================================================================================
  // Data plane

  /** Processes a packet received on `port`. Never throws for packet contents: failures are reported. */
  processPacket(port: number, bytes: Uint8Array): ProcessResult {
    if (!Number.isInteger(port) || port < 0 || port > 0xffff)
      throw invalidArgument(`invalid ingress port ${port}`);
    const c: Collector = {
      states: [],
      outputs: [],
      packetIns: [],
      digests: [],
      drops: [],
      notes: [],
      jobs: [],
      passes: 0,
    };
    try {
      const s = this.newState(c);
      s.data = bytes.slice();
      this.program.headerOps.clearAll(s);
      // SimpleSwitch::receive_
      this.arch.ingressPort.set(s, port);
      s.packetLength = bytes.length;
      s.ingressLength = bytes.length;
      this.arch.packetLength.set(s, bytes.length);
      this.arch.instanceType.set(s, InstanceType.NORMAL);
      this.arch.ingressTs?.set(s, this.rt.now());
      c.jobs.push({ kind: 'ingress', s });
      while (c.jobs.length > 0) {
        const job = c.jobs.shift()!;
        if (++c.passes > this.maxPasses) {
          throw new PacketProcessingError(`packet needed more than ${this.maxPasses} processing passes`);
        }
        if (job.kind === 'ingress') this.runIngress(job.s, c);
        else this.runEgress(job.s, job.port, c);
      }
      return {
        outputs: c.outputs,
        packetIns: c.packetIns,
        digests: c.digests,
        drops: c.drops,
        notes: c.notes,
      };
    } catch (e) {
      const message =
        e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
      return { outputs: [], packetIns: [], digests: [], drops: c.drops, notes: c.notes, error: message };
    } finally {
      // Results only hold fresh byte arrays, so every state of this packet can be reused.
      for (const st of c.states) {
        st.notes = null;
        this.pool.push(st);
      }
    }
  }

  /** Injects a packet-out from the controller: it arrives on the CPU port. */
  processPacketOut(bytes: Uint8Array): ProcessResult {
    if (this.cpuPort === undefined) throw new EngineError('FAILED_PRECONDITION', 'no CPU port configured');
    return this.processPacket(this.cpuPort, bytes);
  }

  /** A state with reset packet registers (PHV contents are whatever the previous user left). */
  private newState(c: Collector): PacketState {
    const s = this.pool.pop() ?? new PacketState(this.rt, this.program.layout);
    s.resetRegisters();
    s.notes = c.notes;
    s.tracing = this.tracing;
    c.states.push(s);
    return s;
  }

  /** A pooled copy of `s`. */
  private copyState(c: Collector, s: PacketState): PacketState {
    const copy = this.newState(c);
    copy.copyFrom(s);
    return copy;
  }

  private listSlots(list: FieldListDef): number[] {
    let slots = this.fieldListSlots.get(list);
    if (!slots) {
      slots = this.program.fieldListSlots(list);
      this.fieldListSlots.set(list, slots);
    }
    return slots;
  }

  /** A fresh packet state whose metadata is all zero except the preserved field list (simple_switch copies). */
  private derivedState(
    c: Collector,
    from: PacketState,
    fieldListId: number,
    instanceType: number,
  ): PacketState {
    const s = this.newState(c);
    this.program.headerOps.clearAll(s);
    const list = this.program.fieldLists.get(fieldListId);
    if (list) copyFieldList(list, from, s, this.listSlots(list));
    else if (fieldListId !== 0)
      s.note('warning', `field list ${fieldListId} does not exist; nothing preserved`);
    this.arch.instanceType.set(s, instanceType);
    return s;
  }

  private runIngress(s: PacketState, c: Collector): void {
    const a = this.arch;
    const ingressPacketSize = s.packetLength;
    const originalBytes = s.data;
    if (s.tracing) s.note('trace', `ingress pass, instance_type ${a.instanceType.get(s)}`);
    this.parser.parse(s);
    a.parserError?.set(s, s.parserError);
    a.checksumError?.set(s, s.checksumError ? 1 : 0);
    this.ingress.apply(s);
    s.exit = false;
    const egressSpec = a.egressSpec.get(s);
    const mgid = a.mcastGrp ? a.mcastGrp.get(s) : 0;

    // Ingress cloning: the clone is the packet as it arrived at this ingress pass, parsed again.
    if (s.cloneSession >= 0) {
      const sessionId = s.cloneSession;
      const fieldList = s.cloneFieldList;
      s.cloneSession = -1;
      s.cloneFieldList = 0;
      const session = this.pre.session(sessionId);
      if (session) {
        const copy = this.newState(c);
        this.program.headerOps.clearAll(copy);
        copy.data = originalBytes;
        copy.packetLength = ingressPacketSize;
        copy.ingressLength = s.ingressLength;
        // Parsers may branch on ingress_port, so simple_switch keeps it for this re-parse only.
        a.ingressPort.set(copy, a.ingressPort.get(s));
        this.parser.parse(copy);
        this.program.headerOps.resetMetadata(copy);
        const list = this.program.fieldLists.get(fieldList);
        if (list) copyFieldList(list, s, copy, this.listSlots(list));
        a.instanceType.set(copy, InstanceType.INGRESS_CLONE);
        this.cloneToSession(copy, session, c);
      } else {
        s.note('warning', `clone session ${sessionId} is not configured; no clone made`);
      }
    }

    // Learning (digest).
    if (s.learnList > 0) {
      const list = this.program.learnLists.get(s.learnList);
      if (list) {
        c.digests.push({
          listId: list.id,
          listName: list.name,
          values: list.fields.map((f) => readField(s, f, this.program)),
          fieldNames: list.fields.map((f) => `${f.header.name}.${f.field.name}`),
        });
      }
    }

    if (s.resubmitFieldList > 0) {
      const fl = s.resubmitFieldList;
      s.resubmitFieldList = 0;
      const copy = this.derivedState(c, s, fl, InstanceType.RESUBMIT);
      copy.data = originalBytes;
      copy.packetLength = ingressPacketSize;
      copy.ingressLength = s.ingressLength;
      a.packetLength.set(copy, ingressPacketSize);
      s.note('trace', 'resubmit');
      c.jobs.push({ kind: 'ingress', s: copy });
      return;
    }

    if (mgid !== 0) {
      a.instanceType.set(s, InstanceType.REPLICATION);
      this.multicast(s, mgid, c);
      return;
    }

    if (egressSpec === this.dropPort) {
      c.drops.push({
        stage: 'ingress',
        reason: 'egress_spec is the drop port',
        instanceType: a.instanceType.get(s),
      });
      s.note('trace', 'dropped at the end of ingress');
      return;
    }
    a.instanceType.set(s, InstanceType.NORMAL);
    this.enqueue(egressSpec, s, c);
  }

  /** Replicates `s` to every replica of group `mgid` (bmv2 SimpleSwitch::multicast). */
  private multicast(s: PacketState, mgid: number, c: Collector): void {
    const replicas = this.pre.replicate(mgid);
    if (!replicas) {
      s.note('warning', `Replication requested for mgid ${mgid}, which is not known to the PRE`);
      c.drops.push({
        stage: 'replication',
        reason: `multicast group ${mgid} does not exist`,
        instanceType: this.arch.instanceType.get(s),
      });
      return;
    }
    this.replicateTo(s, replicas, c);
  }

  private replicateTo(s: PacketState, replicas: readonly Replica[], c: Collector): void {
    // bmv2 writes each replica's rid into the source PHV before copying it.
    for (const r of replicas) {
      this.arch.egressRid?.set(s, r.rid);
      const copy = this.copyState(c, s);
      clearFlags(copy);
      copy.truncateLength = Number.POSITIVE_INFINITY;
      this.enqueue(r.port, copy, c);
    }
  }

  private cloneToSession(
    copy: PacketState,
    session: { config: CloneSessionConfig; order: Replica[] },
    c: Collector,
  ): void {
    const plen = session.config.packetLengthBytes ?? 0;
    const truncate = (x: PacketState): void => {
      if (plen > 0) x.truncateLength = plen;
    };
    if (session.config.replicas) {
      for (const r of session.order) {
        this.arch.egressRid?.set(copy, r.rid);
        const replica = this.copyState(c, copy);
        clearFlags(replica);
        replica.truncateLength = Number.POSITIVE_INFINITY;
        truncate(replica);
        this.enqueue(r.port, replica, c);
      }
    }
    if (session.config.egressPort !== undefined) {
      clearFlags(copy);
      copy.truncateLength = Number.POSITIVE_INFINITY;
      truncate(copy);
      this.enqueue(session.config.egressPort, copy, c);
    }
  }

  private enqueue(port: number, s: PacketState, c: Collector): void {
    const priority = this.arch.priority ? this.arch.priority.get(s) : 0;
    if (priority >= this.queuesPerPort) {
      s.note('warning', 'Priority out of range, dropping packet');
      c.drops.push({
        stage: 'queue',
        reason: `priority ${priority} out of range`,
        instanceType: this.arch.instanceType.get(s),
      });
      return;
    }
    const q = this.arch.queueing;
    if (q) {
      q.enqTimestamp.set(s, this.rt.now());
      q.enqQdepth.set(s, 0);
    }
    c.jobs.push({ kind: 'egress', s, port });
  }

  private runEgress(s: PacketState, port: number, c: Collector): void {
    const a = this.arch;
    s.exit = false;
    if (s.tracing) s.note('trace', `egress pass on port ${port}, instance_type ${a.instanceType.get(s)}`);
    a.egressTs?.set(s, this.rt.now());
    const q = a.queueing;
    if (q) {
      q.deqTimedelta.set(s, this.rt.now() - q.enqTimestamp.get(s));
      q.deqQdepth.set(s, 0);
      q.qid?.set(s, 0);
    }
    a.egressPort.set(s, port);
    // egress_spec starts as drop_port + 1 (so that it is not the drop port), truncated to the field.
    a.egressSpec.set(s, this.dropPort + 1);
    a.packetLength.set(s, s.packetLength);
    this.egress.apply(s);
    s.exit = false;

    if (s.cloneSession >= 0) {
      const sessionId = s.cloneSession;
      const fieldList = s.cloneFieldList;
      s.cloneSession = -1;
      s.cloneFieldList = 0;
      const session = this.pre.session(sessionId);
      if (session) {
        // Egress clones carry the headers as they are now, metadata reset except the preserved fields.
        const copy = this.copyState(c, s);
        this.program.headerOps.resetMetadata(copy);
        const list = this.program.fieldLists.get(fieldList);
        if (list) copyFieldList(list, s, copy, this.listSlots(list));
        a.instanceType.set(copy, InstanceType.EGRESS_CLONE);
        clearFlags(copy);
        this.cloneToSession(copy, session, c);
      } else {
        s.note('warning', `clone session ${sessionId} is not configured; no clone made`);
      }
    }

    if (a.egressSpec.get(s) === this.dropPort) {
      c.drops.push({
        stage: 'egress',
        reason: 'egress_spec is the drop port',
        instanceType: a.instanceType.get(s),
      });
      s.note('trace', 'dropped at the end of egress');
      return;
    }
    const bytes = this.deparser.deparse(s);

    if (s.recirculateFieldList > 0) {
      const copy = this.derivedState(c, s, s.recirculateFieldList, InstanceType.RECIRC);
      copy.data = bytes;
      copy.packetLength = bytes.length;
      copy.ingressLength = bytes.length;
      a.packetLength.set(copy, bytes.length);
      s.note('trace', 'recirculate');
      c.jobs.push({ kind: 'ingress', s: copy });
      return;
    }
    const out = s.truncateLength < bytes.length ? bytes.slice(0, s.truncateLength) : bytes;
    const record: OutputPacket = { port, bytes: out, instanceType: a.instanceType.get(s) };
    if (this.cpuPort !== undefined && port === this.cpuPort) c.packetIns.push(record);
    else c.outputs.push(record);
  }

  // =================================================================================================
  // Control plane: tables

  /** Tables by name (every control-plane call names one). */
  private tablesByName: Map<string, TableState> | undefined;

  private table(name: string): TableState {
    if (!this.tablesByName) this.tablesByName = new Map(this.rt.tables.map((t) => [t.def.name, t]));
    const t = this.tablesByName.get(name);
    if (!t) throw notFound(`unknown table '${name}'`);
    return t;
  }

  tableNames(): string[] {
    return this.rt.tables.map((t) => t.def.name);
  }

  tableInfo(name: string): TableInfo {
    const t = this.table(name);
    const d = t.def;
    return {
      name: d.name,
      matchType: d.matchType,
      implementation: d.implementation,
      actionProfile: d.profile === undefined ? undefined : this.program.profiles[d.profile].name,
      maxSize: d.maxSize,
      isConst: t.isConst,
      needsPriority: t.needsPriority,
      supportsTimeout: d.supportTimeout,
      keys: d.keys.map((k) => ({ name: k.name, matchKind: k.matchKind, width: k.width })),
      actions: d.actions.map((a) => ({ name: a.name, params: a.params })),
      directCounter: d.withCounters,
      directMeter: d.directMeter ? { name: d.directMeter.name, unit: d.directMeter.unit } : undefined,
      defaultAction: d.initialDefault
        ? {
            name: d.initialDefault.action.name,
            actionConst: d.initialDefault.actionConst,
            entryConst: d.initialDefault.entryConst,
          }
        : undefined,
    };
  }

  /** Inserts an entry; returns its handle. Errors: INVALID_ARGUMENT, ALREADY_EXISTS, RESOURCE_EXHAUSTED, PERMISSION_DENIED, NOT_FOUND. */
  addTableEntry(table: string, entry: TableEntryInput): number {
    return this.table(table).addEntry(
      entry.match,
      entry.priority ?? 0,
      entry.action,
      entry.idleTimeoutNs ?? 0,
    );
  }

  /** Changes the action of an existing entry. Errors: NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED. */
  modifyTableEntry(table: string, entry: TableEntryInput): void {
    this.table(table).modifyEntry(entry.match, entry.priority ?? 0, entry.action, entry.idleTimeoutNs);
  }

  /** Deletes an entry identified by its key (and priority). Errors: NOT_FOUND, PERMISSION_DENIED. */
  deleteTableEntry(table: string, match: MatchKey, priority = 0): void {
    this.table(table).deleteEntry(match, priority);
  }

  /**
   * Handle-based variants, as bmv2's runtime interface (`mt_modify_entry`, `mt_delete_entry`): handles are
   * returned by addTableEntry and reported by reads. `idleTimeoutNs`, when given, also sets the TTL.
   */
  modifyTableEntryByHandle(
    table: string,
    handle: number,
    action: EntryActionSpec,
    idleTimeoutNs?: number,
  ): void {
    this.table(table).modifyEntryByHandle(handle, action, idleTimeoutNs);
  }

  deleteTableEntryByHandle(table: string, handle: number): void {
    this.table(table).deleteEntryByHandle(handle);
  }

  getTableEntryByHandle(table: string, handle: number): TableEntryRecord {
    return this.table(table).getEntryByHandle(handle);
  }

  setEntryIdleTimeout(table: string, handle: number, idleTimeoutNs: number): void {
    this.table(table).setEntryIdleTimeout(handle, idleTimeoutNs);
  }

  /** Microseconds since an entry was last hit (or added / had its idle timeout set). */
  entryIdleMicros(table: string, handle: number): number {
    return this.table(table).idleMicros(handle);
  }

  writeDirectCounterByHandle(table: string, handle: number, value: CounterData): void {
    this.table(table).setEntryCounterByHandle(handle, value);
  }

  setDirectMeterByHandle(table: string, handle: number, config: MeterConfig | undefined): void {
    this.table(table).setEntryMeterByHandle(handle, config);
  }

  /** Handle of the entry with this key (and priority), or undefined. Errors: INVALID_ARGUMENT. */
  findTableEntry(table: string, match: MatchKey, priority = 0): number | undefined {
    return this.table(table).findHandle(match, priority);
  }

  getTableEntry(table: string, match: MatchKey, priority = 0): TableEntryRecord {
    return this.table(table).getEntry(match, priority);
  }

  readTableEntries(table: string): TableEntryRecord[] {
    return this.table(table).readEntries();
  }

  /** Removes all entries of a table (const tables are left untouched). */
  clearTable(table: string): void {
    this.table(table).clearEntries();
  }

  /** Sets the default entry, or resets it to the program's initial default when `action` is undefined. */
  setDefaultEntry(table: string, action: EntryActionSpec | undefined): void {
    this.table(table).setDefault(action);
  }

  getDefaultEntry(table: string): EntryAction | undefined {
    return this.table(table).getDefault();
  }

  writeDirectCounter(table: string, match: MatchKey, priority: number, value: CounterData): void {
    this.table(table).setEntryCounter(match, priority, value);
  }

  setDirectMeter(table: string, match: MatchKey, priority: number, config: MeterConfig | undefined): void {
    this.table(table).setEntryMeter(match, priority, config);
  }

  /** Entries (of tables supporting idle timeout) not hit for longer than their idle timeout. */
  idleTimedOutEntries(): { table: string; entry: TableEntryRecord }[] {
    const now = this.rt.now();
    return this.rt.tables
      .filter((t) => t.def.supportTimeout)
      .flatMap((t) => t.idleEntries(now).map((entry) => ({ table: t.def.name, entry })));
  }

  // =================================================================================================
  // Control plane: action profiles

  private profile(name: string): ActionProfileState {
    const p = this.rt.profiles.find((x) => x.def.name === name);
    if (!p) throw notFound(`unknown action profile '${name}'`);
    return p;
  }

  actionProfileNames(): string[] {
    return this.rt.profiles.map((p) => p.def.name);
  }

  private bindForProfile(p: ActionProfileState, name: string, params: readonly bigint[]): ActionBinding {
    const candidates = p.def.actions.get(name);
    if (!candidates || candidates.length === 0)
      throw invalidArgument(`action '${name}' cannot be used in action profile '${p.def.name}'`);
    const table = this.rt.tables.find(
      (t) => t.def.profile === p.def.index && t.def.actions.includes(candidates[0]),
    );
    if (!table) throw invalidArgument(`action '${name}' cannot be used in action profile '${p.def.name}'`);
    return table.bindAction(name, params);
  }

  addMember(
    profile: string,
    memberId: number,
    action: { readonly name: string; readonly params: readonly bigint[] },
  ): void {
    const p = this.profile(profile);
    checkId('member', memberId);
    p.addMember(memberId, this.bindForProfile(p, action.name, action.params));
  }

  modifyMember(
    profile: string,
    memberId: number,
    action: { readonly name: string; readonly params: readonly bigint[] },
  ): void {
    const p = this.profile(profile);
    p.modifyMember(memberId, this.bindForProfile(p, action.name, action.params));
  }

  deleteMember(profile: string, memberId: number): void {
    this.profile(profile).deleteMember(memberId);
  }

  readMembers(profile: string): { memberId: number; action: string; params: bigint[] }[] {
    return this.profile(profile)
      .readMembers()
      .map((m) => ({
        memberId: m.memberId,
        action: m.binding.action.name,
        params: m.binding.args.map((v) => BigInt(v)),
      }));
  }

  addGroup(profile: string, groupId: number, members: readonly GroupMemberSpec[], maxSize = 0): void {
    checkId('group', groupId);
    this.profile(profile).addGroup(groupId, members, maxSize);
  }

  modifyGroup(profile: string, groupId: number, members: readonly GroupMemberSpec[], maxSize?: number): void {
    this.profile(profile).modifyGroup(groupId, members, maxSize);
  }

  deleteGroup(profile: string, groupId: number): void {
    this.profile(profile).deleteGroup(groupId);
  }

  readGroups(profile: string): GroupRecord[] {
    return this.profile(profile).readGroups();
  }

  // =================================================================================================
  // Control plane: counters, meters, registers, value sets

  private counterIndex(name: string, index: number): { state: CounterArrayState } {
    const def = this.program.counters.find((c) => c.name === name);
    if (!def) throw notFound(`unknown counter '${name}'`);
    if (def.direct)
      throw invalidArgument(`counter '${name}' is a direct counter; access it through its table entries`);
    const state = this.rt.counters[def.index];
    checkIndex(`counter '${name}'`, index, state.size);
    return { state };
  }

  readCounter(name: string, index: number): CounterValue {
    const { state } = this.counterIndex(name, index);
    return { packets: state.packets[index], bytes: state.bytes[index] };
  }

  writeCounter(name: string, index: number, value: CounterValue): void {
    const { state } = this.counterIndex(name, index);
    for (const [k, v] of Object.entries(value)) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw invalidArgument(`counter ${k} must be a non-negative integer, got ${v}`);
    }
    state.packets[index] = value.packets;
    state.bytes[index] = value.bytes;
  }

  counterSize(name: string): number {
    const def = this.program.counters.find((c) => c.name === name);
    if (!def) throw notFound(`unknown counter '${name}'`);
    return def.size;
  }

  private meterCell(name: string, index: number) {
    const def = this.program.meters.find((m) => m.name === name);
    if (!def) throw notFound(`unknown meter '${name}'`);
    if (def.direct)
      throw invalidArgument(`meter '${name}' is a direct meter; configure it through its table entries`);
    const state = this.rt.meters[def.index];
    checkIndex(`meter '${name}'`, index, state.size);
    return state.cells[index];
  }

  setMeter(name: string, index: number, config: MeterConfig | undefined): void {
    const cell = this.meterCell(name, index);
    try {
      cell.setConfig(config);
    } catch (e) {
      throw invalidArgument(`meter '${name}'[${index}]: ${(e as Error).message}`);
    }
  }

  getMeter(name: string, index: number): MeterConfig | undefined {
    return this.meterCell(name, index).getConfig();
  }

  private registerState(name: string): RegisterArrayState {
    const def = this.program.registers.find((r) => r.name === name);
    if (!def) throw notFound(`unknown register '${name}'`);
    return this.rt.registers[def.index];
  }

  readRegister(name: string, index: number): bigint {
    const r = this.registerState(name);
    checkIndex(`register '${name}'`, index, r.size);
    return r.read(index);
  }

  writeRegister(name: string, index: number, value: bigint): void {
    const r = this.registerState(name);
    checkIndex(`register '${name}'`, index, r.size);
    if (value < 0n || value > maskBig(r.width))
      throw invalidArgument(`register '${name}' value ${value} does not fit in ${r.width} bits`);
    r.write(index, value);
  }

  resetRegister(name: string): void {
    this.registerState(name).reset();
  }

  registerInfo(name: string): { size: number; width: number } {
    const r = this.registerState(name);
    return { size: r.size, width: r.width };
  }

  private valueSet(name: string): ValueSetState {
    const v = this.rt.valueSets.find((x) => x.def.name === name);
    if (!v) throw notFound(`unknown value set '${name}'`);
    return v;
  }

  /** Replaces the members of a parser value set; each member lists one value per select-key field. */
  setValueSet(name: string, members: readonly (readonly bigint[])[]): void {
    this.valueSet(name).setMembers(members);
  }

  getValueSet(name: string): bigint[][] {
    return this.valueSet(name).getMembers();
  }

  valueSetInfo(name: string): { fieldWidths: readonly number[]; maxSize: number } {
    const v = this.valueSet(name);
    return { fieldWidths: v.def.fieldWidths, maxSize: v.def.maxSize };
  }

  // =================================================================================================
  // Control plane: packet replication

  insertMulticastGroup(id: number, replicas: readonly Replica[]): void {
    this.pre.insertGroup(id, replicas);
  }
  modifyMulticastGroup(id: number, replicas: readonly Replica[]): void {
    this.pre.modifyGroup(id, replicas);
  }
  deleteMulticastGroup(id: number): void {
    this.pre.deleteGroup(id);
  }
  readMulticastGroups(): { id: number; replicas: Replica[] }[] {
    return this.pre.readGroups();
  }
  insertCloneSession(id: number, config: CloneSessionConfig): void {
    this.pre.insertSession(id, config);
  }
  modifyCloneSession(id: number, config: CloneSessionConfig): void {
    this.pre.modifySession(id, config);
  }
  deleteCloneSession(id: number): void {
    this.pre.deleteSession(id);
  }
  readCloneSessions(): { id: number; config: CloneSessionConfig }[] {
    return this.pre.readSessions();
  }

  /** Clears every table entry, member, group, counter, meter, register, value set and PRE entry. */
  reset(): void {
    for (const p of this.rt.profiles) p.clear();
    for (const t of this.rt.tables) t.reset();
    for (const c of this.rt.counters) c.reset();
    this.program.meters.forEach((m, i) => {
      (this.rt.meters as MeterArrayState[])[i] = new MeterArrayState(m.size, m.rateCount, m.unit, 0);
    });
    for (const r of this.rt.registers) r.reset();
    for (const v of this.rt.valueSets) v.clear();
    this.pre.clear();
    this.rt.rng.reseed(this.seed);
  }
}

function clearFlags(s: PacketState): void {
  s.cloneSession = -1;
  s.cloneFieldList = 0;
  s.learnList = 0;
  s.resubmitFieldList = 0;
  s.recirculateFieldList = 0;
}

function readField(s: PacketState, ref: StaticFieldRef, program: Program): bigint {
  const slot = program.layout.slot(ref);
  const v: Value = ref.field.repr === 'num' ? s.num[slot] : s.big[slot];
  const width = ref.field.vl ? s.vlBits[ref.header.index] : ref.field.width;
  return BigInt.asUintN(width, BigInt(v));
}

function checkIndex(what: string, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0) throw invalidArgument(`${what}: invalid index ${index}`);
  if (index >= size)
    throw new EngineError('OUT_OF_RANGE', `${what}: index ${index} out of range (size ${size})`);
}

function checkId(what: string, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw invalidArgument(`invalid ${what} id ${id}`);
}
