/**
 * Multicast: one copy of a packet per replica of its group, from the PRE (bmv2
 * SimpleSwitch::multicast and the McSimplePreLAG engine it asks), each handed to the traffic manager.
 */
import type { PacketState } from '../core/state.js';
import { clearFlags, type PacketRun, type PacketStates } from './packet-run.js';
import type { Replica, ReplicationEngine } from './pre.js';
import type { StandardMetadata } from './standard-metadata.js';
import type { TrafficManager } from './traffic-manager.js';

export class Replication {
  constructor(
    private readonly pre: Pick<ReplicationEngine, 'replicate'>,
    private readonly meta: Pick<StandardMetadata, 'egressRid' | 'instanceType'>,
    private readonly states: PacketStates,
    private readonly tm: Pick<TrafficManager, 'enqueue'>,
  ) {}

  /** Replicates `s` to every replica of group `mgid`; a group the PRE does not know drops it. */
  multicast(s: PacketState, mgid: number, run: PacketRun): void {
    const replicas = this.pre.replicate(mgid);
    if (!replicas) {
      s.note('warning', `Replication requested for mgid ${mgid}, which is not known to the PRE`);
      run.drops.push({
        stage: 'replication',
        reason: `multicast group ${mgid} does not exist`,
        instanceType: this.meta.instanceType.get(s),
      });
      return;
    }
    this.replicateTo(s, replicas, run);
  }

  private replicateTo(s: PacketState, replicas: readonly Replica[], run: PacketRun): void {
    // bmv2 writes each replica's rid into the source PHV before copying it.
    for (const r of replicas) {
      this.meta.egressRid?.set(s, r.rid);
      const copy = this.states.copy(run, s);
      clearFlags(copy);
      copy.truncateLength = Number.POSITIVE_INFINITY;
      this.tm.enqueue(r.port, copy, run);
    }
  }
}
