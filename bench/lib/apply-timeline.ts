// The timeline of the controller bench's first apply (bench/controller.bench.ts, same fabric, 4
// embedded targets in processes of their own): per device, when each step of reconcileDevice began
// (ReconcileOptions.onStep: read, plan, planned = capacity checked, push, pushed, diffed, writing =
// first Write sent, written = last Write answered), and the CPU of the controller and of the
// targets in slices of the apply, sampled from /proc by a worker thread (which runs while the
// controller's main thread plans), with the machine's other load beside them. Shows where a core
// sits idle, and how long the controller's event loop was kept from the sockets (monitorEventLoopDelay:
// while it is, the targets get no new request). Run: npx tsx bench/lib/apply-timeline.ts  (SLICE_MS, default 200; RUNS, default 1: a
// fresh set of targets per run; IN_FLIGHT: Write requests in flight per device).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  deviceTargets,
  fabricSchema,
  type ReconcileStep,
  reconcileFabric,
} from '../../src/controller/index.js';
import { freeLoopbackPorts } from '../../test/helpers/free-port.js';
import { overlayFabric, SHAPE } from './overlay-fabric.js';
import { childPids } from './process-cpu.js';
import { serveAll, serveEmbeddedTarget } from './serve-target.js';

/** A process and every process under it. */
const treePids = (pid: number): number[] => [pid, ...childPids(pid).flatMap(treePids)];

const SLICE_MS = Number(process.env.SLICE_MS ?? 200);
const RUNS = Number(process.env.RUNS ?? 1);
const CORES = 2;
/** Write requests in flight per device (the client's default when unset), for experiments. */
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 0);

/** Samples every 10 ms: [time ms, CPU ticks of each pid..., machine busy ticks]. */
const SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ticks = (pid) => {
  try {
    const s = readFileSync('/proc/' + pid + '/stat', 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return 0; }
};
const machine = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\\n')[0].trim().split(/\\s+/).slice(1).map(Number);
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7]; // user nice system irq softirq steal
};
const samples = [];
const tree = (p) => (Array.isArray(p) ? p.reduce((n, q) => n + ticks(q), 0) : ticks(p));
const take = () => samples.push([performance.timeOrigin + performance.now(), ...workerData.pids.map(tree), machine()]);
take();
const timer = setInterval(take, 10);
parentPort.on('message', () => { clearInterval(timer); take(); parentPort.postMessage(samples); });
`;

const now = () => performance.timeOrigin + performance.now();

async function run(): Promise<void> {
  const ports = await freeLoopbackPorts(SHAPE.devices);
  const children: ChildProcess[] = await serveAll(ports, (p) => serveEmbeddedTarget(p));
  try {
    const base = fabricSchema.parse(overlayFabric(ports.map((p) => `127.0.0.1:${p}`)));
    const targets = deviceTargets({ format: 'fabric', file: 'bench', fabric: base, where: () => '' });
    // (`target serve` runs its server in a process of its own, under the one started here.)
    const pids = [process.pid, ...children.map((c) => treePids(c.pid!))] as (number | number[])[];
    const sampler = new Worker(SAMPLER, { eval: true, workerData: { pids } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const steps = new Map<string, Partial<Record<ReconcileStep, number>>>();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = now();
    const outcomes = await reconcileFabric(targets, {
      ...(IN_FLIGHT ? { write: { maxInFlight: IN_FLIGHT } } : {}),
      onStep: (device, step) => {
        const s = steps.get(device) ?? {};
        s[step] = now() - started;
        steps.set(device, s);
      },
    });
    const elapsed = now() - started;
    delay.disable();
    const samples: number[][] = await new Promise((resolve) => {
      sampler.once('message', resolve);
      sampler.postMessage('stop');
    });
    await sampler.terminate();
    let written = 0;
    for (const o of outcomes) {
      if (!o.ok) throw o.error;
      written += o.report.written;
    }
    console.log(
      `first apply: ${elapsed.toFixed(0)} ms, ${written} writes (${Math.round(written / (elapsed / 1000))}/s); ` +
        `the controller's event loop delayed: p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(0)} ms`,
    );
    const order: ReconcileStep[] = [
      'read',
      'plan',
      'planned',
      'push',
      'diffed',
      'pushed',
      'writing',
      'written',
    ];
    console.log(`  ms from start   ${order.map((s) => s.padStart(8)).join('')}`);
    for (const [device, s] of steps)
      console.log(
        `  ${device.padEnd(14)}  ${order.map((k) => (s[k] === undefined ? '-' : s[k].toFixed(0)).padStart(8)).join('')}`,
      );
    // CPU per slice of the apply, from the samples (ticks are 10 ms).
    const at = (t: number): number[] => {
      let best = samples[0];
      for (const s of samples) if (s[0] <= t) best = s;
      return best;
    };
    const ctl = 1;
    const tgt = pids.length - 1;
    const cpu = (a: number[], b: number[]) => {
      const c = (b[ctl] - a[ctl]) * 10;
      let t = 0;
      for (let i = 0; i < tgt; i++) t += (b[2 + i] - a[2 + i]) * 10;
      const m = (b[pids.length + 1] - a[pids.length + 1]) * 10;
      return { c, t, other: Math.max(0, m - c - t) };
    };
    console.log(`  slice (ms)    controller   targets   (others)  use of ${CORES} cores by the apply`);
    let total = { c: 0, t: 0, other: 0 };
    for (let t = 0; t < elapsed; t += SLICE_MS) {
      const end = Math.min(elapsed, t + SLICE_MS);
      const u = cpu(at(started + t), at(started + end));
      console.log(
        `  ${`${t.toFixed(0)}-${end.toFixed(0)}`.padEnd(12)}  ${u.c.toFixed(0).padStart(8)}  ${u.t.toFixed(0).padStart(8)}  ${u.other.toFixed(0).padStart(8)}   ${(((u.c + u.t) / (CORES * (end - t))) * 100).toFixed(0).padStart(4)}%`,
      );
    }
    total = cpu(at(started), samples[samples.length - 1]);
    console.log(
      `  whole apply: controller ${total.c.toFixed(0)} ms, targets ${total.t.toFixed(0)} ms (${((total.t / written) * 1000).toFixed(1)} µs per entry), others ${total.other.toFixed(0)} ms; ` +
        `(controller + targets) / (${CORES} × wall) = ${(((total.c + total.t) / (CORES * elapsed)) * 100).toFixed(0)}%`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
  }
}

readFileSync('/proc/stat'); // (Linux only: the CPU figures come from /proc)
for (let i = 0; i < RUNS; i++) await run();
