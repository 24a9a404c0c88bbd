// The CPU of encoding the benchmark fabric's first-apply plans into Entity bytes (planned-wire.ts)
// and of diffing them against empty devices (wire-diff.ts), apart from planning: the 4 devices are
// planned once, then encoded and diffed ROUNDS times, each with its CPU time. For A/B comparisons
// of the encoder on a loaded host. Run: npx tsx bench/lib/encode-cpu.ts  (ROUNDS, default 8).
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import { planDevice } from '../../src/controller/index.js';
import { planPuntMeters } from '../../src/controller/punt-meters.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import { diffWire } from '../../src/controller/wire-diff.js';
import { offlineFabric } from './offline-fabric.js';

const ROUNDS = Number(process.env.ROUNDS ?? 8);
const { client, targets } = await offlineFabric();
const plans = targets.map((target) => {
  const plan = planDevice(target);
  plan.entities = entitiesForProgram(client.p4info, plan.entities);
  plan.entities.push(...planPuntMeters(client.p4info, target.intent.puntLimits));
  return plan;
});
const times: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const cpu = process.cpuUsage();
  let changes = 0;
  for (const plan of plans)
    changes += diffWire(client, client.p4info, plan.entities, new WireSnapshot()).changes.length;
  const used = process.cpuUsage(cpu);
  times.push((used.user + used.system) / 1000);
  console.log(`round ${round}: ${changes} changes, CPU ${times.at(-1)!.toFixed(0)} ms`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(`median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms`);
await client.close();
