// What reconcileDevice does for one device of a first apply before its writes, without a device:
// the plan, the plan fitted to the program with its punt meters, the capacity check, the diff by
// bytes against an empty device, the changes ordered. Shared by first-apply-cpu.ts (the whole) and
// first-apply-phases.ts (step by step, through `lap`).
import type { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import { type DeviceTarget, planDevice } from '../../src/controller/index.js';
import { planPuntMeters } from '../../src/controller/punt-meters.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import { capacityProblems, orderChanges } from '../../src/controller/reconcile.js';
import { diffWire } from '../../src/controller/wire-diff.js';

export type FirstApplyStep = 'plan' | 'program' | 'capacity' | 'diff' | 'order';

/**
 * One device's first-apply steps; `lap` is called as each step ends. Returns the plan and the
 * diff (for the caller to keep alive, as an apply keeps them until it ends) and how many updates
 * the ordered changes write.
 */
export function firstApplySteps(
  client: P4RuntimeClient,
  target: DeviceTarget,
  lap: (step: FirstApplyStep) => void = () => {},
): { plan: unknown; diff: unknown; updates: number } {
  const plan = planDevice(target);
  lap('plan');
  plan.entities = entitiesForProgram(client.p4info, plan.entities);
  plan.entities.push(...planPuntMeters(client.p4info, target.intent.puntLimits));
  lap('program');
  if (capacityProblems(client.p4info, plan.entities).length > 0) throw new Error('over capacity');
  lap('capacity');
  const diff = diffWire(client, client.p4info, plan.entities, new WireSnapshot());
  lap('diff');
  let updates = 0;
  for (const phase of orderChanges(diff.changes))
    for (const c of phase) if (c.update && c.update.entityEnd !== undefined) updates++;
  lap('order');
  return { plan, diff, updates };
}
