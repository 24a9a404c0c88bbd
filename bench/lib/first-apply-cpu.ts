// The controller's own CPU in a first apply of the benchmark's fabric, without devices: for each
// device, what reconcileDevice does before and around its writes (plan, plans fitted to the
// program, punt meters, capacity, the diff by bytes against an empty device, the changes ordered
// and made into updates), RUNS times in one process, each with its CPU time (process.cpuUsage:
// the collector's threads included) and the heap it leaves. The Write RPCs are not made (their
// encoding is the client's). For A/B comparisons of the controller's CPU on a loaded host: the
// figures are CPU, not wall time. Run: npx tsx bench/lib/first-apply-cpu.ts  (RUNS, default 5;
// the shape knobs of bench/lib/overlay-fabric.ts; PROFILE_HEAP=1: what the last run allocates, by
// function, collected objects included, from V8's sampling heap profiler).
import { Session } from 'node:inspector/promises';
import { firstApplySteps } from './first-apply-steps.js';
import { offlineFabric } from './offline-fabric.js';
import { startHeapSampling, stopHeapSampling } from './process-cpu.js';

const RUNS = Number(process.env.RUNS ?? 5);
const { client, targets } = await offlineFabric();

const session = process.env.PROFILE_HEAP ? new Session() : undefined;
session?.connect();

let keep: unknown[] = [];
for (let run = 1; run <= RUNS; run++) {
  keep = []; // the previous run's plans and changes, let go
  if (session && run === RUNS) await startHeapSampling(session);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let writes = 0;
  for (const target of targets) {
    const { plan, diff, updates } = firstApplySteps(client, target);
    writes += updates;
    // Kept until the run ends, as an apply keeps every device's plan and changes until it ends.
    keep.push(plan, diff);
  }
  const used = process.cpuUsage(cpu);
  const heap = process.memoryUsage().heapUsed;
  console.log(
    `run ${run}: ${writes} changes, ${(performance.now() - started).toFixed(0)} ms, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms, heap after ${(heap / 2 ** 20).toFixed(0)} MiB`,
  );
}
if (session) {
  console.log(`allocations of run ${RUNS}:`);
  for (const [where, bytes] of (await stopHeapSampling(session)).slice(0, 20))
    console.log(`  ${(bytes / 2 ** 20).toFixed(1).padStart(7)} MiB  ${where}`);
}
await client.close();
