/**
 * simple_switch's traffic manager between ingress and egress (SimpleSwitch::enqueue and the egress
 * buffers): admits a copy to the egress queue of its port, or drops it when its priority names a
 * queue the port does not have. Runs synchronously: queues never fill, so queue depths read 0.
 */
import type { PacketState } from '../core/state.js';
import type { PacketRun } from './packet-run.js';
import type { StandardMetadata } from './standard-metadata.js';

export class TrafficManager {
  constructor(
    private readonly meta: Pick<StandardMetadata, 'priority' | 'instanceType' | 'queueing'>,
    /** Egress queues per port (simple_switch --priority-queues). */
    private readonly queuesPerPort: number,
    /** Current time in microseconds. */
    private readonly now: () => number,
  ) {}

  /** Queues `s` for an egress pass on `port` (last in the run's passes), or records its drop. */
  enqueue(port: number, s: PacketState, run: Pick<PacketRun, 'jobs' | 'drops'>): void {
    const priority = this.meta.priority ? this.meta.priority.get(s) : 0;
    if (priority >= this.queuesPerPort) {
      s.note('warning', 'Priority out of range, dropping packet');
      run.drops.push({
        stage: 'queue',
        reason: `priority ${priority} out of range`,
        instanceType: this.meta.instanceType.get(s),
      });
      return;
    }
    const q = this.meta.queueing;
    if (q) {
      q.enqTimestamp.set(s, this.now());
      q.enqQdepth.set(s, 0);
    }
    run.jobs.push({ kind: 'egress', s, port });
  }

  /** Sets the dequeue metadata of a copy leaving its queue for its egress pass. */
  dequeue(s: PacketState): void {
    const q = this.meta.queueing;
    if (q) {
      q.deqTimedelta.set(s, this.now() - q.enqTimestamp.get(s));
      q.deqQdepth.set(s, 0);
      q.qid?.set(s, 0);
    }
  }
}
