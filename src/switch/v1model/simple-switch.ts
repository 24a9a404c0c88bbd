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
import type { Value } from '../core/bits.js';
import type { FieldListDef } from '../core/context.js';
import type { CompiledPipeline } from '../core/control.js';
import type { CompiledDeparser } from '../core/deparser.js';
import { ConfigError, EngineError, invalidArgument, PacketProcessingError } from '../core/errors.js';
import type { StaticFieldRef } from '../core/layout.js';
import type { CompiledParser } from '../core/parser.js';
import type { Program } from '../core/program.js';
import { RuntimeInterface } from '../core/runtime-interface.js';
import { type PacketNote, PacketState } from '../core/state.js';
import { type CloneSessionConfig, type Replica, ReplicationEngine } from './pre.js';
import { InstanceType, type StandardMetadata, standardMetadata } from './standard-metadata.js';

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

export class SimpleSwitchEngine extends RuntimeInterface {
  private readonly parser: CompiledParser;
  private readonly deparser: CompiledDeparser;
  private readonly ingress: CompiledPipeline;
  private readonly egress: CompiledPipeline;
  private readonly arch: StandardMetadata;
  private readonly pre = new ReplicationEngine();
  private readonly dropPort: number;
  private readonly cpuPort: number | undefined;
  private readonly maxPasses: number;
  private readonly tracing: boolean;
  private readonly queuesPerPort: number;
  private readonly fieldListSlots = new Map<FieldListDef, number[]>();
  private readonly pool: PacketState[] = [];

  constructor(program: Program, options: EngineOptions = {}) {
    const need = <T>(map: ReadonlyMap<string, T>, name: string, what: string): T => {
      const x = map.get(name);
      if (!x) throw new ConfigError('$', `simple_switch needs a ${what} named '${name}'`);
      return x;
    };
    const parser = need(program.parsers, 'parser', 'parser');
    const deparser = need(program.deparsers, 'deparser', 'deparser');
    const ingress = need(program.pipelines, 'ingress', 'pipeline');
    const egress = need(program.pipelines, 'egress', 'pipeline');
    const dropPort = options.dropPort ?? 511;
    super(program, { dropPort, clock: options.clock, seed: options.seed });
    this.parser = parser;
    this.deparser = deparser;
    this.ingress = ingress;
    this.egress = egress;
    this.dropPort = dropPort;
    this.cpuPort = options.cpuPort;
    this.maxPasses = options.maxPasses ?? 1024;
    this.tracing = options.trace ?? false;
    this.queuesPerPort = options.queuesPerPort ?? 1;
    this.arch = standardMetadata(program);
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
  override reset(): void {
    super.reset();
    this.pre.clear();
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
