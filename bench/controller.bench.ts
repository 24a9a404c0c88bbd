// The overlay controller at full size: 4 devices, 1,000 tenants, 100,000 workloads, 10,000 policies
// (bench/lib/overlay-fabric.ts: hypervisor trunks, one VLAN per tenant), planned, then applied for
// real on 4 embedded targets, each in a process of its own (`genevectl target serve`): first apply,
// no-op apply, one-workload change in the service, recovery of a restarted device. Every figure is
// printed with its target (issue 11) and the ratio to it. The device's own write rate is measured
// here too, the way bench/p4runtime-writes.bench.ts does (the client inserting overlay_mac entries),
// on 4 fresh targets written in parallel, so the first apply is compared with the same machine load.
import type { ChildProcess } from 'node:child_process';
import { P4InfoIndex, P4RuntimeClient } from 'p4runtime-ts-grpc';
import {
  capacityProblems,
  type DeviceTarget,
  deviceTargets,
  type Fabric,
  fabricSchema,
  planFabric,
  reconcileFabric,
  vtepProgram,
} from '../src/controller/index.js';
import { MAX_MULTICAST_NODES } from '../src/switch/v1model/pre.js';
import { freeLoopbackPorts } from '../test/helpers/free-port.js';
import { overlayFabric, SHAPE } from './lib/overlay-fabric.js';
import { childrenCpuSeconds } from './lib/process-cpu.js';
import { referenceWrites } from './lib/reference-writes.js';
import { serveAll, serveEmbeddedTarget } from './lib/serve-target.js';
import { serviceChange } from './lib/service-change.js';

/** Entries per device of the reference write rate. */
const REFERENCE_ENTRIES = Number(process.env.BENCH_REFERENCE_ENTRIES ?? 40_000);

const ms = (t: number) => `${t.toFixed(0)} ms`;
const figures: string[] = [];
/** Prints a figure with its target and the ratio (>= 1 means the target is met). */
function figure(what: string, value: number, unit: string, target: number, better: 'lower' | 'higher'): void {
  const ratio = better === 'lower' ? target / value : value / target;
  const line = `${what}: ${Math.round(value).toLocaleString('en-US')} ${unit} (target ${better === 'lower' ? '<' : '>='} ${Math.round(target).toLocaleString('en-US')} ${unit}; ${ratio >= 1 ? 'met' : 'MISSED'}, ${ratio.toFixed(2)}× the target)`;
  figures.push(line);
  console.log(line);
}

/** Options of `genevectl target serve` for every target, e.g. BENCH_SERVER_ARGS='--old-space 0'. */
const SERVER_ARGS = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
const serve = (port: number): Promise<ChildProcess> => serveEmbeddedTarget(port, { args: SERVER_ARGS });

/** The target processes' CPU seconds in all. */
const targetsCpu = childrenCpuSeconds;

const stopAll = async (children: ChildProcess[]) => {
  for (const c of children) {
    c.kill('SIGTERM');
    if (c.exitCode === null) await new Promise((resolve) => c.once('exit', resolve));
  }
};

async function timed(what: string, targets: DeviceTarget[]): Promise<{ ms: number; written: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const outcomes = await reconcileFabric(targets);
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  let written = 0;
  for (const o of outcomes) {
    if (!o.ok) throw o.error;
    written += o.report.written;
  }
  console.log(
    `${what}: ${ms(elapsed)}, ${written} writes${written > 0 ? ` (${Math.round(written / (elapsed / 1000))}/s)` : ''}` +
      ` (controller CPU ${ms((used.user + used.system) / 1000)})`,
  );
  return { ms: elapsed, written };
}

// ------------------------------------------------------------------ plan of the full fabric
const index = new P4InfoIndex((await vtepProgram()).p4info);
console.log(
  `fabric: ${SHAPE.devices} devices, ${SHAPE.tenants} tenants, ${SHAPE.workloads} workloads, ${SHAPE.policies} policies`,
);
{
  const full = fabricSchema.parse(
    overlayFabric((await freeLoopbackPorts(SHAPE.devices)).map((p) => `127.0.0.1:${p}`)),
  );
  const heapBefore = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const targets = deviceTargets({ format: 'fabric', file: 'bench', fabric: full, where: () => '' });
  const plans = targets.map((t) => planFabric(t.intent));
  const elapsed = performance.now() - started;
  const entities = plans.reduce((n, p) => n + p.entities.length, 0);
  const used = process.cpuUsage(cpu);
  console.log(
    `plan: ${entities} entities in ${ms(elapsed)} (CPU ${ms((used.user + used.system) / 1000)}, ` +
      `heap +${Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20)} MiB)`,
  );
  figure('plan of the whole fabric (derive + plan, 4 devices)', elapsed, 'ms', 1000, 'lower');
  const needed = new Map<string, number>();
  for (const e of plans[0].entities)
    if (e.kind === 'table' && !e.isDefaultAction) needed.set(e.table, (needed.get(e.table) ?? 0) + 1);
  for (const problem of capacityProblems(index, plans[0].entities)) console.log(`capacity: ${problem}`);
  const nodes = plans[0].entities.reduce(
    (n, e) => n + (e.kind === 'multicastGroup' ? new Set(e.replicas.map((r) => r.instance)).size : 0),
    1, // the punt clone session
  );
  console.log(`device 0: ${nodes} multicast nodes of ${MAX_MULTICAST_NODES}`);
  console.log(
    `device 0 entries: ${[...needed].map(([t, n]) => `${t} ${n}/${index.tables.get(t).size}`).join(', ')}`,
  );
}

// ------------------------------------------------------------------ the devices' own write rate
async function referenceRate(): Promise<number> {
  const ports = await freeLoopbackPorts(SHAPE.devices);
  const children = await serveAll(ports, serve);
  try {
    const { rate, targetUsPerEntry } = await referenceWrites(children, ports, REFERENCE_ENTRIES);
    console.log(
      `device write rate: ${REFERENCE_ENTRIES} overlay_mac inserts into each of ${ports.length} fresh targets in parallel: ` +
        `${Math.round(rate)}/s (targets' CPU ${targetUsPerEntry.toFixed(1)} µs per entry)`,
    );
    return rate;
  } finally {
    await stopAll(children);
  }
}
const reference = await referenceRate();

// ------------------------------------------------------------------ applies on 4 targets
const ports = await freeLoopbackPorts(SHAPE.devices);
const children = await serveAll(ports, serve);
try {
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  const base: Fabric = fabricSchema.parse(overlayFabric(addresses));
  const targets = () => deviceTargets({ format: 'fabric', file: 'bench', fabric: base, where: () => '' });
  const firstCpu = targetsCpu(children);
  const first = await timed('first apply', targets());
  console.log(
    `first apply: targets' CPU ${(((targetsCpu(children) - firstCpu) / first.written) * 1e6).toFixed(1)} µs per entry`,
  );
  figure(
    'first apply, writes per second (all devices)',
    first.written / (first.ms / 1000),
    'writes/s',
    reference * 0.8,
    'higher',
  );
  const noopCpu = targetsCpu(children);
  const noop = await timed('no-op apply (genevectl apply: connect, read every device, diff)', targets());
  console.log(`no-op apply: targets' CPU ${(targetsCpu(children) - noopCpu).toFixed(1)} s`);
  figure('no-op apply', noop.ms, 'ms', 2000, 'lower');
  // What the devices take to stream what they hold, to the client, with nothing done with it: the
  // floor of a no-op apply that reads every device.
  {
    const readers = await Promise.all(
      targets().map((t) => P4RuntimeClient.connect({ ...t.connect, reconnect: false })),
    );
    const readCpu = targetsCpu(children);
    const started = performance.now();
    const bytes = await Promise.all(
      readers.map(async (c) => {
        let n = 0;
        for await (const b of c.readResponseBytes({ tableEntry: {} }, { timeoutMs: 600_000 })) n += b.length;
        return n;
      }),
    );
    const elapsed = performance.now() - started;
    for (const c of readers) c.close();
    console.log(
      `device reads alone (every table entry of the ${readers.length} devices in parallel, not decoded): ${ms(elapsed)}, ` +
        `${Math.round(bytes.reduce((a, b) => a + b, 0) / 2 ** 20)} MiB, targets' CPU ${(targetsCpu(children) - readCpu).toFixed(1)} s; ` +
        `the no-op apply takes ${(noop.ms / elapsed).toFixed(2)}× that`,
    );
  }

  // The service's one-workload change (bench/lib/service-change.ts).
  await serviceChange({ addresses, base, figure });
  // Recovery: device 0 restarts empty on the same address; one reconcile writes it again.
  children[0].kill('SIGTERM');
  await new Promise((resolve) => children[0].once('exit', resolve));
  children[0] = await serve(ports[0]);
  const recoveryCpu = children.map((c) => targetsCpu([c]));
  await timed('recovery of a restarted device', targets().slice(0, 1));
  console.log(
    `recovery: targets' CPU ${children.map((c, i) => `${(targetsCpu([c]) - recoveryCpu[i]).toFixed(2)} s`).join(', ')} (device 0, the restarted one, first)`,
  );
} finally {
  await stopAll(children);
}
console.log(`\nsummary:\n  ${figures.join('\n  ')}`);
