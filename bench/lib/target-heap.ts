// What an embedded target keeps per entry of the controller bench's fabric: the first of its 4
// targets writes a heap snapshot before and after the first apply (node's --heapsnapshot-signal),
// and the bytes the apply added are printed per entry written to it, by kind of object (V8's
// snapshot node types and constructor names; "system / JSArrayBufferData" is memory outside V8's
// heap, such as the kept encodings of entries).
// Run: npx tsx bench/lib/target-heap.ts  (HEAP_DIR for the snapshots, /tmp/target-heap by default;
// the shape knobs of bench/lib/overlay-fabric.ts apply).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { deviceTargets, fabricSchema, reconcileFabric } from '../../src/controller/index.js';
import { freeLoopbackPorts } from '../../test/helpers/free-port.js';
import { overlayFabric, SHAPE } from './overlay-fabric.js';
import { serveAll, serveEmbeddedTarget } from './serve-target.js';

const DIR = process.env.HEAP_DIR ?? '/tmp/target-heap';
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Objects and bytes per kind of object in a snapshot. */
function byKind(file: string): Map<string, { count: number; bytes: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [ti, ni, si] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + ti]];
    const named = ['object', 'native', 'hidden', 'array', 'code'].includes(type);
    const kind = (named ? `${type === 'array' ? 'array ' : ''}${s.strings[s.nodes[i + ni]]}` : type).slice(
      0,
      60,
    );
    const k = kinds.get(kind) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += s.nodes[i + si];
    kinds.set(kind, k);
  }
  return kinds;
}

async function snapshot(target: ChildProcess, n: number): Promise<string> {
  target.kill('SIGUSR2');
  // The target writes it when it gets the signal; wait for the file to be complete.
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const files = readdirSync(DIR).filter((f) => f.endsWith('.heapsnapshot'));
    if (files.length < n) continue;
    const file = `${DIR}/${files.sort()[n - 1]}`;
    try {
      JSON.parse(readFileSync(file, 'utf8'));
      return file;
    } catch {
      // Still being written.
    }
  }
}

const ports = await freeLoopbackPorts(SHAPE.devices);
const targets = await serveAll(ports, (p, i) =>
  serveEmbeddedTarget(p, {
    nodeArgs: i === 0 ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${DIR}`] : [],
  }),
);
try {
  const before = await snapshot(targets[0], 1);
  const fabric = fabricSchema.parse(overlayFabric(ports.map((p) => `127.0.0.1:${p}`)));
  const outcomes = await reconcileFabric(
    deviceTargets({ format: 'fabric', file: 'bench', fabric, where: () => '' }),
  );
  let written = 0;
  for (const o of outcomes) {
    if (!o.ok) throw o.error;
    if (o.device === 'vtep-0') written = o.report.written;
  }
  const after = await snapshot(targets[0], 2);
  const [a, b] = [byKind(before), byKind(after)];
  const rows = [...b].map(([kind, { count, bytes }]) => {
    const was = a.get(kind) ?? { count: 0, bytes: 0 };
    return { kind, count: (count - was.count) / written, bytes: (bytes - was.bytes) / written };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`vtep-0: ${written} entries written; ${total.toFixed(0)} bytes kept per entry, of which:`);
  for (const r of rows.slice(0, 12))
    console.log(
      `${r.bytes.toFixed(1).padStart(8)} bytes ${r.count.toFixed(2).padStart(6)} objects  ${r.kind}`,
    );
} finally {
  for (const t of targets) t.kill('SIGTERM');
}
