// Loading the fabric file of `npm run bench -- controller` (bench/lib/overlay-fabric.ts, about
// 13 MB of YAML): `loadFabric` of a valid file, which reads it once without source positions
// (js-yaml) and checks it with zod. With BENCH_LOAD_COMPARE=1 also the reading with positions
// (`yaml`) that a file with a problem gets, which was every file's reading before (~10 s).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_LOAD_LIMITS, loadFabric, parseWithPositions } from '../src/controller/load-fabric.js';
import { overlayFabric, SHAPE } from './lib/overlay-fabric.js';

const dir = mkdtempSync(join(tmpdir(), 'fabric-load-'));
try {
  const file = join(dir, 'fabric.yaml');
  const addresses = Array.from({ length: SHAPE.devices }, (_, d) => `127.0.0.1:${9560 + d}`);
  writeFileSync(file, stringify(overlayFabric(addresses)));
  const mb = (statSync(file).size / 1e6).toFixed(1);
  console.log(
    `fabric: ${SHAPE.devices} devices, ${SHAPE.tenants} tenants, ${SHAPE.workloads} workloads, ${SHAPE.policies} policies; ${mb} MB of YAML`,
  );
  for (let run = 1; run <= 3; run++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const loaded = loadFabric(file);
    const ms = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    if (loaded.format !== 'fabric' || loaded.fabric.workloads.length !== SHAPE.workloads)
      throw new Error('not loaded');
    console.log(
      `loadFabric, run ${run}${run === 1 ? ' (cold)' : ''}: ${ms.toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`,
    );
  }
  if (process.env.BENCH_LOAD_COMPARE === '1') {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8');
    const t0 = performance.now();
    parseWithPositions(text, file, DEFAULT_LOAD_LIMITS);
    console.log(`reading with positions (yaml, as before): ${(performance.now() - t0).toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
