// A CPU profile of the controller's first and no-op apply of the benchmark's fabric
// (bench/controller.bench.ts), on embedded targets in processes of their own, with the shape knobs
// of bench/lib/overlay-fabric.ts (BENCH_DEVICES, BENCH_WORKLOADS, ...). Writes
// PROFILE_DIR/{first,noop}.cpuprofile and prints the functions with the most self time.
// Run: npx tsx bench/lib/apply-profile.ts  (TARGET_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/t' profiles
// the targets too: each writes its profile when it is stopped at the end). PROFILE_REFERENCE=1 first
// measures the controller bench's reference on fresh targets of its own (REFERENCE_ENTRIES overlay_mac
// inserts into each, the targets' CPU per entry; their profiles, with TARGET_NODE_ARGS, in
// PROFILE_DIR/reference), so that the two per-entry figures come from the same minutes; PROFILE_NOOP=0
// leaves out the no-op apply (the targets' profiles then hold the first apply alone).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import {
  type DeviceTarget,
  deviceTargets,
  fabricSchema,
  reconcileFabric,
} from '../../src/controller/index.js';
import { freeLoopbackPorts } from '../../test/helpers/free-port.js';
import { overlayFabric, SHAPE } from './overlay-fabric.js';
import { type CpuProfile, childrenCpuSeconds, topSelfTime } from './process-cpu.js';
import { referenceWrites } from './reference-writes.js';
import { serveAll, serveEmbeddedTarget } from './serve-target.js';

const DIR = process.env.PROFILE_DIR ?? '/tmp';
const TOP = Number(process.env.PROFILE_TOP ?? 25);

const TARGET_NODE_ARGS = process.env.TARGET_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
/** Options of `target serve` for every target (the reference's too), e.g. TARGET_ARGS='--old-space 0'. */
const TARGET_ARGS = process.env.TARGET_ARGS?.split(' ').filter(Boolean) ?? [];
const serve = (port: number): Promise<ChildProcess> =>
  serveEmbeddedTarget(port, {
    nodeArgs: TARGET_NODE_ARGS,
    args: TARGET_ARGS,
    log: process.env.TARGET_LOG === '1',
  });

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });

const targetsCpu = childrenCpuSeconds;

let children: ChildProcess[] = [];

async function phase(name: string, targets: DeviceTarget[]): Promise<void> {
  const targetCpu = targetsCpu(children);
  await session.post('Profiler.start');
  const started = performance.now();
  const cpu = process.cpuUsage();
  const outcomes = await reconcileFabric(targets);
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  let written = 0;
  for (const o of outcomes) {
    if (!o.ok) throw o.error;
    written += o.report.written;
  }
  writeFileSync(`${DIR}/${name}.cpuprofile`, JSON.stringify(profile));
  const targetUs = (targetsCpu(children) - targetCpu) * 1e6;
  console.log(
    `${name}: ${elapsed.toFixed(0)} ms, ${written} writes, controller CPU ${((used.user + used.system) / 1000).toFixed(0)} ms, targets' CPU ${(targetUs / 1000).toFixed(0)} ms${written > 0 ? ` (${(targetUs / written).toFixed(1)} µs per entry)` : ''}`,
  );
  for (const line of topSelfTime(profile, TOP)) console.log(`  ${line}`);
}

/** The controller bench's reference (bench/controller.bench.ts `referenceRate`), with its targets' CPU. */
async function reference(entries: number): Promise<void> {
  const ports = await freeLoopbackPorts(SHAPE.devices);
  const dir = `${DIR}/reference`;
  mkdirSync(dir, { recursive: true });
  // Profiles of the reference's targets apart from the apply's.
  const nodeArgs = TARGET_NODE_ARGS.map((a) =>
    a.startsWith('--cpu-prof-dir=') ? `--cpu-prof-dir=${dir}` : a,
  );
  const refs = await serveAll(ports, (p) => serveEmbeddedTarget(p, { nodeArgs, args: TARGET_ARGS }));
  try {
    const r = await referenceWrites(refs, ports, entries);
    const total = entries * refs.length;
    console.log(
      `reference: ${r.elapsedMs.toFixed(0)} ms, ${total} overlay_mac inserts into ${refs.length} fresh targets, ` +
        `${Math.round(r.rate)}/s, targets' CPU ${((r.targetUsPerEntry * total) / 1000).toFixed(0)} ms ` +
        `(${r.targetUsPerEntry.toFixed(1)} µs per entry)`,
    );
  } finally {
    for (const c of refs) {
      c.kill('SIGTERM');
      if (c.exitCode === null) await new Promise((resolve) => c.once('exit', resolve));
    }
  }
}
if (process.env.PROFILE_REFERENCE === '1') await reference(Number(process.env.REFERENCE_ENTRIES ?? 40_000));

const ports = await freeLoopbackPorts(SHAPE.devices);
children = await serveAll(ports, serve);
try {
  const base = fabricSchema.parse(overlayFabric(ports.map((p) => `127.0.0.1:${p}`)));
  const targets = () => deviceTargets({ format: 'fabric', file: 'bench', fabric: base, where: () => '' });
  await phase('first', targets());
  if (process.env.PROFILE_NOOP !== '0') await phase('noop', targets());
  if (process.env.PROFILE_NOOP_TWICE) await phase('noop2', targets());
} finally {
  for (const c of children) c.kill('SIGTERM');
}
