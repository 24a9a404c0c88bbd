// Diagnosis of the cold write path (issue 15): ENTRIES overlay_mac inserts encoded first, then
// decoded and applied in one process with `target serve`'s compiler settings, printing a marker
// before and after, so that node's --trace-opt / --trace-deopt lines between them are round 1's.
// Run: node --trace-opt --trace-deopt --import tsx bench/lib/round1-compiles.ts | npx tsx bench/lib/round1-compiles.ts --sum
import { readFileSync } from 'node:fs';
import { loadP4Info } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { programArtifactPath } from '../../src/artifacts/program.js';
import {
  SERVE_INLINING_BUDGET,
  setAllocationSitePretenuring,
  setInliningBudget,
} from '../../src/switch/compiler-flags.js';
import {
  MalformedRequest,
  p4RuntimeServerDefinition,
} from '../../src/switch/p4runtime/grpc/p4runtime-service.js';
import { canonicalBytes as bytes, vtepDeviceManager } from './local-device.js';

const START = '=== round 1 start';
const END = '=== round 1 end';

if (process.argv.includes('--sum')) {
  // Reads a trace on stdin: the compiles and deopts between the markers, and their sum.
  const lines = readFileSync(0, 'utf8').split('\n');
  const from = lines.findIndex((l) => l.includes(START));
  const to = lines.findIndex((l) => l.includes(END));
  let total = 0;
  let count = 0;
  const byName = new Map<string, number[]>();
  for (const line of lines.slice(from, to)) {
    const c = /completed compiling \S+ <JSFunction ([^\s(]*) ?\(.*took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(
      line,
    );
    if (c) {
      const ms = Number(c[2]) + Number(c[3]) + Number(c[4]);
      total += ms;
      count++;
      byName.set(c[1] || '(anonymous)', [...(byName.get(c[1]) ?? []), ms]);
    }
    const d = /bailout \(kind: ([^,]+), reason: ([^)]+)\).*deoptimizing \S+ <JSFunction (\S*)/.exec(line);
    if (d) console.log(`deopt ${d[3]}: ${d[1]}, ${d[2]}`);
  }
  for (const [name, ms] of [...byName].sort(
    (a, b) => b[1].reduce((x, y) => x + y) - a[1].reduce((x, y) => x + y),
  ))
    console.log(`${name.padEnd(28)} ${ms.map((m) => m.toFixed(1)).join(' ')}`);
  console.log(`${count} compiles, ${total.toFixed(1)} ms`);
  const done = lines.find((l) => l.startsWith('round 1:'));
  if (done) console.log(done);
  process.exit(0);
}

setInliningBudget(SERVE_INLINING_BUDGET);
setAllocationSitePretenuring(false);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 20_000);
const BATCH = 250;
const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
const table = p4info.tables!.find((t) => t.preamble?.name?.endsWith('overlay_mac'))!;
const action = p4info.actions!.find((a) => a.preamble?.name?.endsWith('to_remote_vtep'))!;
const [vni, mac] = table.matchFields!;
const manager = vtepDeviceManager(p4info);
const requests: Buffer[] = [];
for (let from = 0; from < ENTRIES; from += BATCH) {
  const updates: p4.v1.IUpdate[] = [];
  for (let i = from; i < Math.min(ENTRIES, from + BATCH); i++)
    updates.push({
      type: p4.v1.Update.Type.INSERT,
      entity: {
        tableEntry: {
          tableId: table.preamble!.id,
          match: [
            { fieldId: vni.id, exact: { value: bytes(5000, 3) } },
            { fieldId: mac.id, exact: { value: bytes(0x020000000000 + i, 6) } },
          ],
          action: {
            action: {
              actionId: action.preamble!.id,
              params: [{ paramId: action.params![0].id, value: bytes(i & 0xffff, 2) }],
            },
          },
        },
      },
    });
  requests.push(
    Buffer.from(p4.v1.WriteRequest.encode({ deviceId: 1, electionId: { low: 1 }, updates }).finish()),
  );
}
await new Promise((r) => setTimeout(r, 200));
console.log(START);
const before = process.cpuUsage();
const wall = performance.now();
for (const b of requests) {
  const decoded = p4RuntimeServerDefinition.write.requestDeserialize(b);
  if (decoded instanceof MalformedRequest) throw new Error(decoded.reason);
  const errors = await manager.writeInSlices(decoded);
  const failed = errors.find((e) => (e.canonicalCode ?? 0) !== 0);
  if (failed) throw new Error(`write failed: ${failed.message}`);
}
const used = process.cpuUsage(before);
const ms = performance.now() - wall;
console.log(END);
console.log(
  `round 1: ${((used.user + used.system) / ENTRIES).toFixed(2)} µs/entry CPU (all threads), ${((ms * 1000) / ENTRIES).toFixed(2)} µs/entry wall`,
);
