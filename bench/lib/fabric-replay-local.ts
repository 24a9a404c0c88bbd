// The server's write path for the controller bench's first apply to device 0 (fabric-writes.ts),
// in one process without the network: each Write request's bytes decoded by the server's own
// deserializer and applied to a fresh embedded-target DeviceManager, as `target serve` does after
// gRPC hands it the request. Prints the CPU per entry (decode and apply apart) and per table run.
// Run: node --import tsx bench/lib/fabric-replay-local.ts (add --cpu-prof, --trace-gc, ...);
// PROFILE_HEAP=1: what the writes allocate, by function, collected objects included (V8's sampling
// heap profiler), the 25 largest.

import { Session } from 'node:inspector/promises';
import { loadP4Info } from 'p4runtime-ts-grpc';
import { programArtifactPath } from '../../src/artifacts/program.js';
import {
  MalformedRequest,
  p4RuntimeServerDefinition,
} from '../../src/switch/p4runtime/grpc/p4runtime-service.js';
import { BATCH, fabricWrites, writeRequestBytes } from './fabric-writes.js';
import { vtepDeviceManager } from './local-device.js';
import { startHeapSampling, stopHeapSampling } from './process-cpu.js';

const chunks = await fabricWrites();
const requests: { bytes: Buffer; table: string; entries: number }[] = [];
for (const chunk of chunks)
  for (let start = 0; start < chunk.updates.length; start += BATCH) {
    const updates = chunk.updates.slice(start, start + BATCH);
    const bytes = writeRequestBytes(updates);
    requests.push({
      bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      table: chunk.tables[start],
      entries: updates.length,
    });
  }
const total = requests.reduce((n, r) => n + r.entries, 0);

const manager = vtepDeviceManager(await loadP4Info(programArtifactPath('p4infoJson')));

const session = process.env.PROFILE_HEAP ? new Session() : undefined;
session?.connect();
if (session) await startHeapSampling(session);

const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
let decodeUs = 0;
let applyUs = 0;
const byTable = new Map<string, { entries: number; us: number }>();
for (const r of requests) {
  const t0 = cpu();
  const decoded = p4RuntimeServerDefinition.write.requestDeserialize(r.bytes);
  const t1 = cpu();
  if (decoded instanceof MalformedRequest) throw new Error(decoded.reason);
  const errors = await manager.writeInSlices(decoded);
  const t2 = cpu();
  decodeUs += t1 - t0;
  applyUs += t2 - t1;
  const failed = errors.find((e) => (e.canonicalCode ?? 0) !== 0);
  if (failed) throw new Error(`write failed: ${failed.message}`);
  const t = byTable.get(r.table) ?? { entries: 0, us: 0 };
  t.entries += r.entries;
  t.us += t2 - t0;
  byTable.set(r.table, t);
}
console.log(
  `${total} writes: decode ${(decodeUs / total).toFixed(2)} µs/entry, apply ${(applyUs / total).toFixed(2)} µs/entry (process CPU, all threads)`,
);
for (const [table, t] of byTable)
  console.log(`  requests led by ${table}: ${t.entries} entries, ${(t.us / t.entries).toFixed(1)} µs/entry`);
if (session) {
  const allocations = await stopHeapSampling(session);
  let all = 0;
  for (const [, bytes] of allocations) all += bytes;
  console.log(
    `allocated while writing: ${(all / 2 ** 20).toFixed(1)} MiB, ${(all / total).toFixed(0)} bytes/entry; by function:`,
  );
  for (const [where, bytes] of allocations.slice(0, 25))
    console.log(`  ${(bytes / total).toFixed(0).padStart(6)} B/entry  ${where}`);
}
