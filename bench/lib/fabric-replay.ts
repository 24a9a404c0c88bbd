// The targets' side of the controller bench's first apply, without the controller: the writes the
// controller makes to device 0 of the benchmark fabric (fabric-writes.ts: 400 updates per Write,
// 4 in flight, as reconcile.ts `applyChanges` makes them), sent to a fresh `genevectl target serve`
// process after the pipeline push. Prints the target's CPU for the push and per entry written, its
// main thread apart from V8's other threads (compiler, collector), and the CPU per table. One target
// alone, its figures steadier under the host's load than the 4-target apply's: for A/B comparisons
// of the target's write path.
// Run: npx tsx bench/lib/fabric-replay.ts  (RUNS: fresh targets one after another, default 1;
// VARIANTS: ';'-separated `target serve` setups run in turn, each `node args | serve args`, e.g.
// VARIANTS='|;--max-semi-space-size=64|' with a summary per variant; TARGET_NODE_ARGS and
// TARGET_ARGS for a single setup, e.g. TARGET_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p';
// TARGET_LOG=1 copies what the target prints; BY_TABLE=1 sends each chunk table by table, where the
// apply mixes them, for the CPU per table).
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { P4RuntimeClient, type WriteUpdate } from 'p4runtime-ts-grpc';
import { vtepProgram } from '../../src/controller/index.js';
import { freeLoopbackPorts } from '../../test/helpers/free-port.js';
import { BATCH, fabricWrites } from './fabric-writes.js';
import { cpuSeconds } from './process-cpu.js';
import { serveEmbeddedTarget, servingPid } from './serve-target.js';

const RUNS = Number(process.env.RUNS ?? 1);
const BY_TABLE = process.env.BY_TABLE === '1';
const words = (s: string | undefined) => s?.split(' ').filter(Boolean) ?? [];
const VARIANTS = (
  process.env.VARIANTS ?? `${process.env.TARGET_NODE_ARGS ?? ''}|${process.env.TARGET_ARGS ?? ''}`
)
  .split(';')
  .map((v) => {
    const [node, serve] = v.split('|');
    return { name: v, nodeArgs: words(node), args: words(serve) };
  });

const chunks = await fabricWrites();
const total = chunks.reduce((n, c) => n + c.updates.length, 0);

/** The chunk as one write, or (BY_TABLE) one per table, in the order of their first writes. */
function pieces(chunk: (typeof chunks)[number]): { table: string; updates: WriteUpdate[] }[] {
  const by = new Map<string, WriteUpdate[]>();
  chunk.updates.forEach((u, i) => {
    const table = BY_TABLE ? chunk.tables[i] : 'all';
    const list = by.get(table);
    if (list) list.push(u);
    else by.set(table, [u]);
  });
  if (!BY_TABLE) {
    // A chunk of several tables is put down to its commonest one.
    const count = new Map<string, number>();
    for (const t of chunk.tables) count.set(t, (count.get(t) ?? 0) + 1);
    const [[table]] = [...count].sort((a, b) => b[1] - a[1]);
    return [
      { table: count.size > 1 ? `${table} (+${count.size - 1} tables)` : table, updates: chunk.updates },
    ];
  }
  return [...by].map(([table, updates]) => ({ table, updates }));
}

/** Main thread's and the other threads' CPU seconds. */
function cpu(pid: number): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const s = cpuSeconds(pid, Number(task)) ?? 0;
    if (Number(task) === pid) main += s;
    else other += s;
  }
  return { main, other };
}

const program = await vtepProgram();
const results = new Map<string, { perEntry: number[]; main: number[] }>();
for (let run = 1; run <= RUNS; run++) {
  for (const variant of VARIANTS) {
    const [port] = await freeLoopbackPorts(1);
    const child: ChildProcess = await serveEmbeddedTarget(port, {
      nodeArgs: variant.nodeArgs,
      args: variant.args,
      log: process.env.TARGET_LOG === '1',
    });
    const pid = servingPid(child)!;
    const client = await P4RuntimeClient.connect({
      address: `127.0.0.1:${port}`,
      deviceId: 1,
      electionId: 1n,
      reconnect: false,
    });
    try {
      const c0 = cpu(pid);
      await client.setPipeline({ p4info: program.p4info, deviceConfig: program.deviceConfig });
      const c1 = cpu(pid);
      const started = performance.now();
      const byTable = new Map<string, { entries: number; cpu: number }>();
      for (const chunk of chunks)
        for (const piece of pieces(chunk)) {
          const before = cpu(pid);
          await client.write(piece.updates, {
            batchSize: BATCH,
            maxInFlight: Number(process.env.IN_FLIGHT ?? 4),
          });
          const after = cpu(pid);
          const t = byTable.get(piece.table) ?? { entries: 0, cpu: 0 };
          t.entries += piece.updates.length;
          t.cpu += after.main + after.other - before.main - before.other;
          byTable.set(piece.table, t);
        }
      const elapsed = performance.now() - started;
      const c2 = cpu(pid);
      const us = (s: number) => (s / total) * 1e6;
      const perEntry = us(c2.main + c2.other - c1.main - c1.other);
      const r = results.get(variant.name) ?? { perEntry: [], main: [] };
      r.perEntry.push(perEntry);
      r.main.push(us(c2.main - c1.main));
      results.set(variant.name, r);
      console.log(
        `run ${run} [${variant.name}]: pipeline push CPU ${((c1.main + c1.other - c0.main - c0.other) * 1000).toFixed(0)} ms; ` +
          `${total} writes in ${elapsed.toFixed(0)} ms, target CPU ${perEntry.toFixed(2)} µs/entry ` +
          `(main ${us(c2.main - c1.main).toFixed(2)}, other threads ${us(c2.other - c1.other).toFixed(2)})`,
      );
      if (process.env.PER_TABLE !== '0')
        for (const [table, t] of byTable)
          console.log(
            `  ${table}: ${t.entries} entries, ${((t.cpu / t.entries) * 1e6).toFixed(1)} µs/entry (${(t.cpu * 1000).toFixed(0)} ms)`,
          );
    } finally {
      await client.close();
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}
if (VARIANTS.length > 1 || RUNS > 1) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, r] of results)
    console.log(
      `[${name}] target CPU µs/entry: median ${median(r.perEntry).toFixed(2)} (${r.perEntry.map((x) => x.toFixed(2)).join(' ')}), main thread median ${median(r.main).toFixed(2)}`,
    );
}
