// The controller's CPU of a first apply without devices (first-apply-cpu.ts), step by step, each
// step's CPU summed over the devices, RUNS times in one process: the plan, the plan fitted to the
// program with its punt meters, the capacity check, the diff by bytes against an empty device,
// the changes ordered. For telling which step a change to the controller moved (compare CPU, not
// wall time, on a shared host). Run: RUNS=4 npx tsx bench/lib/first-apply-phases.ts
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import { planDevice } from '../../src/controller/index.js';
import { planPuntMeters } from '../../src/controller/punt-meters.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import { capacityProblems, orderChanges } from '../../src/controller/reconcile.js';
import { diffWire } from '../../src/controller/wire-diff.js';
import { offlineFabric } from './offline-fabric.js';

const RUNS = Number(process.env.RUNS ?? 5);
const { client, targets } = await offlineFabric();
let keep: unknown[] = [];
let updates = 0;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let run = 1; run <= RUNS; run++) {
  keep = [];
  const t = { plan: 0, program: 0, capacity: 0, diff: 0, order: 0 };
  for (const target of targets) {
    let c = cpu();
    const lap = (k: keyof typeof t) => {
      const n = cpu();
      t[k] += n - c;
      c = n;
    };
    const plan = planDevice(target);
    lap('plan');
    plan.entities = entitiesForProgram(client.p4info, plan.entities);
    plan.entities.push(...planPuntMeters(client.p4info, target.intent.puntLimits));
    lap('program');
    if (capacityProblems(client.p4info, plan.entities).length > 0) throw new Error('over capacity');
    lap('capacity');
    const diff = diffWire(client, client.p4info, plan.entities, new WireSnapshot());
    lap('diff');
    for (const phase of orderChanges(diff.changes))
      for (const ch of phase) if (ch.update && ch.update.entityEnd !== undefined) updates++;
    lap('order');
    keep.push(plan, diff);
  }
  console.log(
    `run ${run} (${updates} updates so far): ${Object.entries(t)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}`,
  );
}
await client.close();
