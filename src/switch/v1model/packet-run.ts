/**
 * One input packet's run through simple_switch's packet path: what it produced so far (outputs,
 * packet-ins, digests, drops, notes), the passes still to make, and the packet states it uses,
 * taken from and returned to a pool. Shared by the engine (simple-switch.ts), the traffic manager,
 * replication and cloning.
 */
import { copyFieldList } from '../core/actions.js';
import type { Program } from '../core/program.js';
import { type PacketNote, type PacketRuntime, PacketState } from '../core/state.js';

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

/** A pass still to make: an ingress pass, or an egress pass on a port (a copy the traffic manager admitted). */
export type Job =
  | { readonly kind: 'ingress'; readonly s: PacketState }
  | { readonly kind: 'egress'; readonly s: PacketState; readonly port: number };

export interface PacketRun {
  /** States used by this input packet, returned to the pool when it is done. */
  states: PacketState[];
  outputs: OutputPacket[];
  packetIns: OutputPacket[];
  digests: DigestMessage[];
  drops: DropRecord[];
  notes: PacketNote[];
  /** Passes in first-in first-out order. */
  jobs: Job[];
  passes: number;
}

/** Packet states, pooled across input packets: every state of a run is reused once the run is done. */
export class PacketStates {
  private readonly pool: PacketState[] = [];
  private readonly fieldListSlots = new Map<number, number[]>();

  constructor(
    private readonly rt: PacketRuntime,
    private readonly program: Program,
    private readonly tracing: boolean,
  ) {}

  /** A state with reset packet registers (PHV contents are whatever the previous user left). */
  fresh(run: PacketRun): PacketState {
    const s = this.pool.pop() ?? new PacketState(this.rt, this.program.layout);
    s.resetRegisters();
    s.notes = run.notes;
    s.tracing = this.tracing;
    run.states.push(s);
    return s;
  }

  /** A copy of `s` (bmv2 copies the PHV into each new copy of a packet). */
  copy(run: PacketRun, s: PacketState): PacketState {
    const copy = this.fresh(run);
    copy.copyFrom(s);
    return copy;
  }

  /** Returns every state of a finished run to the pool (its results hold fresh byte arrays only). */
  release(run: PacketRun): void {
    for (const st of run.states) {
      st.notes = null;
      this.pool.push(st);
    }
  }

  /**
   * Copies the fields of field list `id` from `from` to `to` (the metadata a resubmit, recirculation
   * or clone preserves); false when the program has no such list.
   */
  preserve(id: number, from: PacketState, to: PacketState): boolean {
    const list = this.program.fieldLists.get(id);
    if (!list) return false;
    let slots = this.fieldListSlots.get(id);
    if (!slots) {
      slots = this.program.fieldListSlots(list);
      this.fieldListSlots.set(id, slots);
    }
    copyFieldList(list, from, to, slots);
    return true;
  }
}

/** Clears the requests a pass made (clone, digest, resubmit, recirculate): a new copy starts without them. */
export function clearFlags(s: PacketState): void {
  s.cloneSession = -1;
  s.cloneFieldList = 0;
  s.learnList = 0;
  s.resubmitFieldList = 0;
  s.recirculateFieldList = 0;
}
