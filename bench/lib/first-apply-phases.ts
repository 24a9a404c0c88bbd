// The controller's CPU of a first apply without devices (first-apply-cpu.ts), step by step, each
// step's CPU summed over the devices, RUNS times in one process: the plan, the plan fitted to the
// program with its punt meters, the capacity check, the diff by bytes against an empty device,
// the changes ordered. For telling which step a change to the controller moved (compare CPU, not
// wall time, on a shared host). Run: RUNS=4 npx tsx bench/lib/first-apply-phases.ts
import { type FirstApplyStep, firstApplySteps } from './first-apply-steps.js';
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
    const lap = (k: FirstApplyStep) => {
      const n = cpu();
      t[k] += n - c;
      c = n;
    };
    const { plan, diff, updates: written } = firstApplySteps(client, target, lap);
    updates += written;
    keep.push(plan, diff);
  }
  console.log(
    `run ${run} (${updates} updates so far): ${Object.entries(t)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}`,
  );
}
await client.close();
