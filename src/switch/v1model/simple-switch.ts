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
 *
 * As in bmv2's simple_switch, the pieces between the passes are apart: the traffic manager
 * (traffic-manager.ts), multicast replication through the PRE (replication.ts), cloning (clone.ts);
 * a packet's run and its pooled states are packet-run.ts. The PRE's control plane is here.
 */
import type { Value } from '../core/bits.js';
import type { CompiledPipeline } from '../core/control.js';
import type { CompiledDeparser } from '../core/deparser.js';
import { ConfigError, EngineError, invalidArgument, PacketProcessingError } from '../core/errors.js';
import type { StaticFieldRef } from '../core/layout.js';
import type { CompiledParser } from '../core/parser.js';
import type { Program } from '../core/program.js';
import { RuntimeInterface } from '../core/runtime-interface.js';
import type { PacketNote, PacketState } from '../core/state.js';
import { Cloning } from './clone.js';
import {
  type DigestMessage,
  type DropRecord,
  type OutputPacket,
  type PacketRun,
  PacketStates,
} from './packet-run.js';
import { type CloneSessionConfig, type Replica, ReplicationEngine } from './pre.js';
import { Replication } from './replication.js';
import { InstanceType, type StandardMetadata, standardMetadata } from './standard-metadata.js';
import { TrafficManager } from './traffic-manager.js';

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
  private readonly states: PacketStates;
  private readonly tm: TrafficManager;
  private readonly replication: Replication;
  private readonly cloning: Cloning;

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
    this.arch = standardMetadata(program);
    this.states = new PacketStates(this.rt, program, options.trace ?? false);
    this.tm = new TrafficManager(this.arch, options.queuesPerPort ?? 1, this.rt.now);
    this.replication = new Replication(this.pre, this.arch, this.states, this.tm);
    this.cloning = new Cloning(this.pre, this.arch, program.headerOps, parser, this.states, this.tm);
  }

  // =================================================================================================
  // Data plane

  /** Processes a packet received on `port`. Never throws for packet contents: failures are reported. */
  processPacket(port: number, bytes: Uint8Array): ProcessResult {
    if (!Number.isInteger(port) || port < 0 || port > 0xffff)
      throw invalidArgument(`invalid ingress port ${port}`);
    const c: PacketRun = {
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
      const s = this.states.fresh(c);
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
      this.states.release(c);
    }
  }

  /** Injects a packet-out from the controller: it arrives on the CPU port. */
  processPacketOut(bytes: Uint8Array): ProcessResult {
    if (this.cpuPort === undefined) throw new EngineError('FAILED_PRECONDITION', 'no CPU port configured');
    return this.processPacket(this.cpuPort, bytes);
  }

  /** A fresh packet state whose metadata is all zero except the preserved field list (simple_switch copies). */
  private derivedState(
    c: PacketRun,
    from: PacketState,
    fieldListId: number,
    instanceType: number,
  ): PacketState {
    const s = this.states.fresh(c);
    this.program.headerOps.clearAll(s);
    if (!this.states.preserve(fieldListId, from, s) && fieldListId !== 0)
      s.note('warning', `field list ${fieldListId} does not exist; nothing preserved`);
    this.arch.instanceType.set(s, instanceType);
    return s;
  }

  private runIngress(s: PacketState, c: PacketRun): void {
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
    if (s.cloneSession >= 0) this.cloning.ingressClone(s, originalBytes, ingressPacketSize, c);

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
      this.replication.multicast(s, mgid, c);
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
    this.tm.enqueue(egressSpec, s, c);
  }

  private runEgress(s: PacketState, port: number, c: PacketRun): void {
    const a = this.arch;
    s.exit = false;
    if (s.tracing) s.note('trace', `egress pass on port ${port}, instance_type ${a.instanceType.get(s)}`);
    a.egressTs?.set(s, this.rt.now());
    this.tm.dequeue(s);
    a.egressPort.set(s, port);
    // egress_spec starts as drop_port + 1 (so that it is not the drop port), truncated to the field.
    a.egressSpec.set(s, this.dropPort + 1);
    a.packetLength.set(s, s.packetLength);
    this.egress.apply(s);
    s.exit = false;

    if (s.cloneSession >= 0) this.cloning.egressClone(s, c);

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
  /** Whether multicast group `id` exists (one map look-up, where a read copies every group). */
  hasMulticastGroup(id: number): boolean {
    return this.pre.hasGroup(id);
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
  /** Whether clone session `id` exists. */
  hasCloneSession(id: number): boolean {
    return this.pre.hasSession(id);
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

function readField(s: PacketState, ref: StaticFieldRef, program: Program): bigint {
  const slot = program.layout.slot(ref);
  const v: Value = ref.field.repr === 'num' ? s.num[slot] : s.big[slot];
  const width = ref.field.vl ? s.vlBits[ref.header.index] : ref.field.width;
  return BigInt.asUintN(width, BigInt(v));
}
