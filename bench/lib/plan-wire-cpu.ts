// The CPU of encoding one device's first-apply plan (device 0 of the benchmark fabric) into Entity
// bytes (planned-wire.ts encodePlanWire) and nothing else: planned once, then encoded ROUNDS times,
// each with its CPU time. For A/B comparisons of the encoder alone on a loaded host (alternate the
// two trees; compare minima). Run: npx tsx bench/lib/plan-wire-cpu.ts  (ROUNDS, default 15).
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import { planDevice } from '../../src/controller/index.js';
import { encodePlanWire } from '../../src/controller/planned-wire.js';
import { planPuntMeters } from '../../src/controller/punt-meters.js';
import { offlineFabric } from './offline-fabric.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const { client, targets } = await offlineFabric();
const plan = planDevice(targets[0]);
const entities = entitiesForProgram(client.p4info, plan.entities);
entities.push(...planPuntMeters(client.p4info, targets[0].intent.puntLimits));
const times: number[] = [];
let bytes = 0;
for (let round = 1; round <= ROUNDS; round++) {
  const cpu = process.cpuUsage();
  bytes = encodePlanWire(client, entities).start.at(-1)!;
  const used = process.cpuUsage(cpu);
  times.push((used.user + used.system) / 1000);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `${entities.length} entities, ${bytes} bytes; first ${times[0].toFixed(0)} ms, ` +
    `median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms`,
);
await client.close();
