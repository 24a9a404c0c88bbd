// Soak of the embedded target and the P4Runtime client (run by hand, not in CI):
//   node --expose-gc --import tsx scripts/soak.ts [seconds=300]
// The VTEP program with the example fabric, then, round after round until the time is up: 1,000
// table entries inserted, read back, modified and deleted; the same 1,000 inserted twice (the second
// time every update fails); Writes naming device ids that do not exist; 1,000 frames through the
// dataplane service (encapsulation and decapsulation) and 100 packet-outs, every output accounted
// for. The heap is sampled after a forced GC every 15 s; it must stay flat.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import Table from 'cli-table3';
import { P4RuntimeClient, P4RuntimeWriteError } from 'p4runtime-ts-grpc';
import { createP4RuntimeStub } from 'p4runtime-ts-grpc/wire';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { loadFabricIntent, VtepController } from '../src/controller/index.js';
import { buildFrame, encapsulate, securityIdOption } from '../src/packet/index.js';
import { DataplaneClient } from '../src/packet-io/client.js';
import { startEmbeddedTarget } from '../src/switch/index.js';

const seconds = Number(process.argv[2] ?? 300);
const SAMPLE_MS = 15_000;
const ENTRIES = 1000;
const FRAMES = 1000;
const PACKET_OUTS = 100;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx scripts/soak.ts');

const inner = (dst: string, src: string) =>
  buildFrame([
    { kind: 'ethernet', dst, src },
    { kind: 'ipv4', src: '192.168.10.1', dst: '192.168.10.11' },
    { kind: 'tcp', srcPort: 40000, dstPort: 443 },
    { kind: 'payload', data: new Uint8Array(64).fill(7) },
  ]);
// The example fabric: blue-web's frame to blue-db goes out encapsulated; the reverse comes in.
const encapFrame = { port: 1, bytes: inner('02:00:00:00:0a:11', '02:00:00:00:0a:01') };
const decapFrame = {
  port: 5,
  bytes: encapsulate(inner('02:00:00:00:0a:01', '02:00:00:00:0a:11'), {
    vni: 5000,
    outer: { srcMac: '02:bb:00:00:00:05', dstMac: '02:aa:00:00:00:05', srcIp: '10.0.0.2', dstIp: '10.0.0.1' },
    options: [securityIdOption({ optionClass: 0xfff0, type: 1, critical: false, id: 900 })],
  }),
};

const target = await startEmbeddedTarget({
  grpcAddress: '127.0.0.1:0',
  dataplaneAddress: '127.0.0.1:0',
  cpuPort: 255,
  ports: 8,
  deviceId: 1,
});
const client = await P4RuntimeClient.connect({
  address: target.grpcAddress,
  deviceId: 1,
  electionId: 1n,
  waitForPrimary: true,
});
const controller = new VtepController(client);
await controller.pushProgram();
await controller.apply(loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml')));
const dataplane = await DataplaneClient.connect({ address: target.dataplaneAddress ?? '', deviceId: 1 });
const stranger = createP4RuntimeStub(target.grpcAddress, grpc.credentials.createInsecure());

const entries = Array.from({ length: ENTRIES }, (_, i) =>
  client.tableEntry('overlay_mac', {
    match: { vni: 6000, dst_mac: 0x021000000000n + BigInt(i) },
    action: 'to_remote_vtep',
    params: { tunnel_id: 7 },
  }),
);
const modified = entries.map((_, i) =>
  client.tableEntry('overlay_mac', {
    match: { vni: 6000, dst_mac: 0x021000000000n + BigInt(i) },
    action: 'to_remote_vtep',
    params: { tunnel_id: 8 },
  }),
);

const totals = { rounds: 0, updates: 0, failedAsExpected: 0, read: 0, frames: 0, outputs: 0, packetOuts: 0 };

async function round(n: number): Promise<void> {
  await client.insert(entries);
  let read = 0;
  for await (const _ of client.readTable('overlay_mac')) read++;
  if (read < ENTRIES) throw new Error(`round ${n}: read ${read} entries, wrote ${ENTRIES}`);
  totals.read += read;
  await client.modify(modified);
  const duplicate = await client.insert(entries).catch((e: unknown) => e);
  if (!(duplicate instanceof P4RuntimeWriteError) || duplicate.failures.length !== ENTRIES)
    throw new Error(`round ${n}: expected ${ENTRIES} ALREADY_EXISTS failures, got ${duplicate}`);
  totals.failedAsExpected += duplicate.failures.length;
  await client.delete(entries);
  totals.updates += 4 * ENTRIES;
  for (let id = 0; id < 20; id++) {
    await new Promise<void>((resolve) =>
      stranger.write({ deviceId: 1000 + n * 20 + id, updates: [] }, new grpc.Metadata(), {}, () => resolve()),
    );
  }
  const ids: bigint[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const f = i % 2 === 0 ? encapFrame : decapFrame;
    ids.push(dataplane.send(f.port, f.bytes));
  }
  const outputs = await dataplane.collectExactly(ids, FRAMES);
  let got = 0;
  for (const frames of outputs.values()) got += frames.length;
  if (got !== FRAMES) throw new Error(`round ${n}: ${got} of ${FRAMES} frames came out`);
  totals.frames += FRAMES;
  totals.outputs += got;
  for (let i = 0; i < PACKET_OUTS; i++) client.packetOut(encapFrame.bytes, { egress_port: 2, pad: 0 });
  // Packet-outs carry no dataplane id: count them as they come back unattributed.
  let back = 0;
  const deadline = Date.now() + 30_000;
  while (back < PACKET_OUTS && Date.now() < deadline) {
    back += dataplane.takeUnattributed().length;
    if (back < PACKET_OUTS) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (back !== PACKET_OUTS) throw new Error(`round ${n}: ${back} of ${PACKET_OUTS} packet-outs came out`);
  totals.packetOuts += back;
  totals.rounds++;
}

interface Sample {
  t: number;
  heapMB: number;
  rssMB: number;
  rounds: number;
}
const samples: Sample[] = [];
const sample = (t: number): void => {
  gc();
  const m = process.memoryUsage();
  samples.push({ t, heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20, rounds: totals.rounds });
  console.log(
    `t=${Math.round(t / 1000)}s rounds=${totals.rounds} heap=${(m.heapUsed / 2 ** 20).toFixed(1)} MB rss=${(m.rss / 2 ** 20).toFixed(1)} MB`,
  );
};

const start = Date.now();
let nextSample = start;
for (let n = 0; Date.now() - start < seconds * 1000; n++) {
  if (Date.now() >= nextSample) {
    sample(Date.now() - start);
    nextSample += SAMPLE_MS;
  }
  await round(n);
}
sample(Date.now() - start);

dataplane.close();
stranger.close();
client.close();
await target.stop();

const table = new Table({ head: ['t (s)', 'rounds', 'heap after GC (MB)', 'rss (MB)'] });
for (const s of samples)
  table.push([Math.round(s.t / 1000), s.rounds, s.heapMB.toFixed(1), s.rssMB.toFixed(1)]);
console.log(table.toString());
// Least-squares slope of the heap over the second half of the run (the first half warms up).
const late = samples.slice(Math.floor(samples.length / 2));
const mt = late.reduce((a, s) => a + s.t, 0) / late.length;
const mh = late.reduce((a, s) => a + s.heapMB, 0) / late.length;
const slope =
  late.reduce((a, s) => a + (s.t - mt) * (s.heapMB - mh), 0) / late.reduce((a, s) => a + (s.t - mt) ** 2, 0);
console.log(
  `${totals.rounds} rounds: ${totals.updates} updates applied, ${totals.failedAsExpected} refused as duplicates, ` +
    `${totals.read} entries read, ${totals.frames} frames in / ${totals.outputs} out, ${totals.packetOuts} packet-outs, ` +
    `${target.arbitratedDeviceIds().length} device id(s) with state, ${target.stats.packetInsDropped} packet-ins dropped`,
);
console.log(
  `heap after GC: first ${samples[0].heapMB.toFixed(1)} MB, last ${samples[samples.length - 1].heapMB.toFixed(1)} MB, ` +
    `second-half slope ${(slope * 60_000).toFixed(2)} MB/min`,
);
