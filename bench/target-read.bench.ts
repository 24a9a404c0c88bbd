// One wildcard Read of a large table from the embedded target: ENTRIES overlay_mac entries (exact
// VNI + MAC, as the controller bench's fabric has 100,000 per device), read back whole, ROUNDS
// times. Reports the server's own work (DeviceManager.readEncoded: the device's entries to
// ReadResponse bytes, in this process, CPU per entry) and the same Read over gRPC to the project's
// client taking the responses as bytes (client and server in this process). The server keeps each
// entry's encoding from its INSERT (frontend/encoded-entries.ts); after every entry is modified
// (MODIFY drops the encoding), the next read converts and encodes them all again: that round is
// labelled "after MODIFY".
import { readFileSync } from 'node:fs';
import { loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { programArtifactPath } from '../src/artifacts/program.js';
import { startEmbeddedTarget } from '../src/switch/index.js';
import { READ_CHUNK_ENTITIES } from '../src/switch/p4runtime/grpc/p4runtime-service.js';
import { canonicalBytes as bytes } from './lib/local-device.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
const table = p4info.tables?.find((t) => t.preamble?.name?.endsWith('overlay_mac'));
const action = p4info.actions?.find((a) => a.preamble?.name?.endsWith('to_remote_vtep'));
if (!table?.preamble?.id || !action?.preamble?.id)
  throw new Error('overlay_mac or to_remote_vtep missing from the P4Info');
const [vni, mac] = table.matchFields ?? [];

/** The table's entries, entry i with action parameters `param(i)` (low byte). */
function entries(param: (i: number) => number): p4.v1.IEntity[] {
  return Array.from({ length: ENTRIES }, (_, i) => ({
    tableEntry: {
      tableId: table?.preamble?.id,
      match: [
        { fieldId: vni.id, exact: { value: bytes(5000 + (i % 1000), 3) } },
        { fieldId: mac.id, exact: { value: bytes(0x020000000000 + i, 6) } },
      ],
      action: {
        action: {
          actionId: action?.preamble?.id,
          params: (action?.params ?? []).map((p) => ({ paramId: p.id, value: bytes(param(i) & 0xff, 1) })),
        },
      },
    },
  }));
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const target = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0' });
const client = await P4RuntimeClient.connect({
  address: target.grpcAddress,
  deviceId: 1,
  electionId: 1n,
  waitForPrimary: true,
});
try {
  await client.setPipeline({ p4info, deviceConfig: readFileSync(programArtifactPath('bmv2Json')) });
  await client.insert(entries((i) => i));
  const request = { deviceId: 1, entities: [{ tableEntry: {} }] };
  for (let round = 1; round <= ROUNDS + 2; round++) {
    // Every entry given another tunnel: the next read encodes what it reads.
    if (round === ROUNDS + 1) await client.modify(entries((i) => i + 1));
    let cpu = cpuMs();
    let t0 = performance.now();
    const { responses, error } = target.manager.readEncoded(request, READ_CHUNK_ENTITIES);
    if (error) throw error;
    const serverMs = performance.now() - t0;
    const serverCpu = cpuMs() - cpu;
    const size = responses.reduce((n, r) => n + r.length, 0);
    cpu = cpuMs();
    t0 = performance.now();
    let wire = 0;
    for await (const r of client.readResponseBytes({ tableEntry: {} })) wire += r.length;
    if (wire !== size) throw new Error(`read ${wire} bytes over gRPC, ${size} in process`);
    console.log(
      `${round > ROUNDS ? `after MODIFY, read ${round - ROUNDS}` : `round ${round}`}: ${ENTRIES.toLocaleString('en-US')} entries, ${(size / 1e6).toFixed(1)} MB; server work ${serverMs.toFixed(0)} ms (CPU ${((serverCpu * 1000) / ENTRIES).toFixed(2)} µs/entry); Read over gRPC ${(performance.now() - t0).toFixed(0)} ms (process CPU ${(cpuMs() - cpu).toFixed(0)} ms)`,
    );
  }
} finally {
  client.close();
  await target.stop();
}
