// A CPU profile of the controller's first and no-op apply of the benchmark's fabric
// (bench/controller.bench.ts), on embedded targets in processes of their own, with the shape knobs
// of bench/lib/overlay-fabric.ts (BENCH_DEVICES, BENCH_WORKLOADS, ...). Writes
// PROFILE_DIR/{first,noop}.cpuprofile and prints the functions with the most self time.
// Run: npx tsx bench/lib/apply-profile.ts  (TARGET_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/t' profiles
// the targets too: each writes its profile when it is stopped at the end).
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import {
  type DeviceTarget,
  deviceTargets,
  fabricSchema,
  reconcileFabric,
} from '../../src/controller/index.js';
import { overlayFabric, SHAPE } from './overlay-fabric.js';
import { serveEmbeddedTarget } from './serve-target.js';

const DIR = process.env.PROFILE_DIR ?? '/tmp';
const TOP = Number(process.env.PROFILE_TOP ?? 25);

const TARGET_NODE_ARGS = process.env.TARGET_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const serve = (port: number): Promise<ChildProcess> =>
  serveEmbeddedTarget(port, { nodeArgs: TARGET_NODE_ARGS, log: process.env.TARGET_LOG === '1' });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name and file:line), most first. */
function top(profile: Profile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const where = `${f.functionName || '(anonymous)'} ${f.url.slice(f.url.lastIndexOf('/') + 1)}:${f.lineNumber + 1}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(where, (self.get(where) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(
      ([w, t]) =>
        `${(t / 1000).toFixed(0).padStart(6)} ms ${((t / total) * 100).toFixed(1).padStart(5)}%  ${w}`,
    );
}

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });

/** CPU seconds the target processes have used (utime + stime of /proc/<pid>/stat); 0 off Linux. */
function targetsCpu(children: readonly ChildProcess[]): number {
  let seconds = 0;
  for (const c of children) {
    try {
      const stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Off Linux.
    }
  }
  return seconds;
}

let children: ChildProcess[] = [];

async function phase(name: string, targets: DeviceTarget[]): Promise<void> {
  const targetCpu = targetsCpu(children);
  await session.post('Profiler.start');
  const started = performance.now();
  const cpu = process.cpuUsage();
  const outcomes = await reconcileFabric(targets);
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
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
  for (const line of top(profile)) console.log(`  ${line}`);
}

const ports = Array.from({ length: SHAPE.devices }, () => 40000 + Math.floor(Math.random() * 20000));
children = await Promise.all(ports.map((p) => serve(p)));
try {
  const base = fabricSchema.parse(overlayFabric(ports.map((p) => `127.0.0.1:${p}`)));
  const targets = () => deviceTargets({ format: 'fabric', file: 'bench', fabric: base, where: () => '' });
  await phase('first', targets());
  await phase('noop', targets());
  if (process.env.PROFILE_NOOP_TWICE) await phase('noop2', targets());
} finally {
  for (const c of children) c.kill('SIGTERM');
}
