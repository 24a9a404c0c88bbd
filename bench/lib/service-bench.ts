// The service's one-workload change alone (bench/lib/service-change.ts, the section of
// bench/controller.bench.ts), on the benchmark's fabric and 4 embedded targets in processes of
// their own, after a first apply that gives them the fabric. With PROFILE_DIR set, each measured
// change is CPU-profiled into PROFILE_DIR/<n>.cpuprofile and its functions with the most self time
// printed (as bench/lib/apply-profile.ts does); with PROFILE_HEAP set too, what it allocates instead.
// Run: npx tsx bench/lib/service-bench.ts
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { deviceTargets, fabricSchema, reconcileFabric } from '../../src/controller/index.js';
import { freeLoopbackPorts } from '../../test/helpers/free-port.js';
import { overlayFabric, SHAPE } from './overlay-fabric.js';
import { type CpuProfile, startHeapSampling, stopHeapSampling, topSelfTime } from './process-cpu.js';
import { serveAll, serveEmbeddedTarget } from './serve-target.js';
import { serviceChange } from './service-change.js';

const DIR = process.env.PROFILE_DIR;
const TOP = Number(process.env.PROFILE_TOP ?? 20);

let session: Session | undefined;
if (DIR) {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('HeapProfiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
}

// PROFILE_HEAP=1: what each change allocates (V8's sampling heap profiler, collected objects too).
const HEAP = process.env.PROFILE_HEAP !== undefined;
let n = 0;
const around = session && {
  start: async () => {
    if (HEAP) await startHeapSampling(session);
    else await session.post('Profiler.start');
  },
  stop: async (what: string) => {
    n++;
    if (HEAP) {
      console.log(`allocations ${n} (${what}):`);
      for (const [where, bytes] of (await stopHeapSampling(session)).slice(0, TOP))
        console.log(`  ${(bytes / 2 ** 20).toFixed(2).padStart(8)} MiB  ${where}`);
      return;
    }
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    writeFileSync(`${DIR}/${n}.cpuprofile`, JSON.stringify(profile));
    console.log(`profile ${n} (${what}):`);
    for (const line of topSelfTime(profile, TOP)) console.log(`  ${line}`);
  },
};

const ports = await freeLoopbackPorts(SHAPE.devices);
const children: ChildProcess[] = await serveAll(ports, (p) => serveEmbeddedTarget(p));
try {
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  const base = fabricSchema.parse(overlayFabric(addresses));
  // (In a function: the reports, every entry written, are not kept by this module's frame.)
  const firstApply = async () => {
    for (const o of await reconcileFabric(
      deviceTargets({ format: 'fabric', file: 'bench', fabric: base, where: () => '' }),
    ))
      if (!o.ok) throw o.error;
  };
  await firstApply();
  console.log('first apply done');
  const t0 = performance.now();
  const log = process.env.SERVICE_LOG
    ? (line: string) => console.log(`  [${(performance.now() - t0).toFixed(0)} ms] ${line}`)
    : undefined;
  // HEAP_SNAPSHOT=FILE: the heap once the service is ready (what the service holds, and the bench).
  const snapshot = process.env.HEAP_SNAPSHOT;
  // Run with node --expose-gc: the heap in use once the service is ready, after a full collection.
  const gc = (globalThis as { gc?: () => void }).gc;
  const onReady = () => {
    if (gc) {
      gc();
      const m = process.memoryUsage();
      console.log(
        `heap once primed, after a full collection: ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB used, ${(m.external / 2 ** 20).toFixed(0)} MiB external (array buffers ${(m.arrayBuffers / 2 ** 20).toFixed(0)} MiB), rss ${(m.rss / 2 ** 20).toFixed(0)} MiB`,
      );
    }
    if (snapshot) console.log(`heap snapshot: ${writeHeapSnapshot(snapshot)}`);
  };
  await serviceChange({
    addresses,
    base,
    ...(around ? { around } : {}),
    ...(log ? { log } : {}),
    onReady,
    // RESYNC_MS: the service also reads and reconciles every device that often (none by default).
    ...(process.env.RESYNC_MS ? { resyncMs: Number(process.env.RESYNC_MS) } : {}),
  });
} finally {
  for (const c of children) c.kill('SIGTERM');
}
