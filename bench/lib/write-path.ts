// The server's Write path without the network: WriteRequest bytes of ENTRIES overlay_mac inserts (in
// requests of 250 updates, as the client sends them) decoded and applied to an embedded-target
// DeviceManager, round after round, with the CPU time per entry of decoding and of applying.
// Run: npx tsx bench/lib/write-path.ts  (add node flags such as --no-opt or --cpu-prof to study the
// cold and the warm path). BENCH_TABLE=policy writes the policy_rules table instead (exact VNI,
// ternary security ids and protocol, a port range, a priority each: the tuple-space index's inserts).
import { readFileSync } from 'node:fs';
import { loadP4Info } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { EngineDevice } from '../../src/switch/p4runtime/device/engine-device.js';
import { DeviceManager, PipelineAction } from '../../src/switch/p4runtime/frontend/device-manager.js';
import {
  MalformedRequest,
  p4RuntimeServerDefinition,
} from '../../src/switch/p4runtime/grpc/p4runtime-service.js';

const POLICY = process.env.BENCH_TABLE === 'policy';
// policy_rules holds 16,384 entries: three rounds of 5,000.
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? (POLICY ? 5_000 : 20_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 250;

const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
const table = p4info.tables?.find((t) => t.preamble?.name?.endsWith(POLICY ? 'policy_rules' : 'overlay_mac'));
const action = p4info.actions?.find((a) => a.preamble?.name?.endsWith(POLICY ? 'allow' : 'to_remote_vtep'));
if (!table || !action) throw new Error('the table or its action is missing from the P4Info');
const [vni, mac] = table.matchFields ?? [];
const fieldIds = (table.matchFields ?? []).map((f) => f.id);

const manager = new DeviceManager({
  device: new EngineDevice(),
  cpuPort: 255,
  sendToPrimary: () => {},
  injectOnCpuPort: () => {},
});
manager.setPipelineConfig(PipelineAction.VERIFY_AND_COMMIT, {
  p4info,
  p4DeviceConfig: readFileSync(programArtifactPath('bmv2Json')),
});

function bytes(value: number, width: number): Uint8Array {
  const out = new Uint8Array(width);
  for (let i = width - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  let start = 0;
  while (start < width - 1 && out[start] === 0) start++;
  return out.subarray(start);
}

function request(round: number, from: number): Buffer {
  const updates: p4.v1.IUpdate[] = [];
  for (let i = from; i < Math.min(ENTRIES, from + BATCH); i++) {
    if (POLICY) {
      // A policy rule: tenant, source and destination groups (a few masks), protocol, port range.
      const [fVni, fSrc, fDst, fProto, fPort] = fieldIds;
      const port = 1000 + (i % 500) * 10;
      updates.push({
        type: p4.v1.Update.Type.INSERT,
        entity: {
          tableEntry: {
            tableId: table!.preamble!.id,
            priority: 1 + (i % 1000),
            match: [
              { fieldId: fVni, exact: { value: bytes(5000 + round, 3) } },
              { fieldId: fSrc, ternary: { value: bytes(i, 4), mask: bytes(0xffffffff, 4) } },
              {
                fieldId: fDst,
                ternary: { value: bytes((i % 7) << 8, 4), mask: bytes(i % 3 ? 0xffffff00 : 0xffffffff, 4) },
              },
              { fieldId: fProto, ternary: { value: bytes(i % 2 ? 6 : 17, 1), mask: bytes(0xff, 1) } },
              { fieldId: fPort, range: { low: bytes(port, 2), high: bytes(port + (i % 4), 2) } },
            ],
            action: { action: { actionId: action!.preamble!.id } },
          },
        },
      });
      continue;
    }
    updates.push({
      type: p4.v1.Update.Type.INSERT,
      entity: {
        tableEntry: {
          tableId: table!.preamble!.id,
          match: [
            { fieldId: vni.id, exact: { value: bytes(5000 + round, 3) } },
            { fieldId: mac.id, exact: { value: bytes(0x020000000000 + i, 6) } },
          ],
          action: {
            action: {
              actionId: action!.preamble!.id,
              params: [{ paramId: action!.params![0].id, value: bytes(i & 0xffff, 2) }],
            },
          },
        },
      },
    });
  }
  return Buffer.from(p4.v1.WriteRequest.encode({ deviceId: 1, electionId: { low: 1 }, updates }).finish());
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
for (let round = 0; round < ROUNDS; round++) {
  const requests: Buffer[] = [];
  for (let from = 0; from < ENTRIES; from += BATCH) requests.push(request(round, from));
  let decodeUs = 0;
  let applyUs = 0;
  for (const bytes of requests) {
    const t0 = cpu();
    // The server's own deserializer, as gRPC calls it.
    const decoded = p4RuntimeServerDefinition.write.requestDeserialize(bytes);
    const t1 = cpu();
    if (decoded instanceof MalformedRequest) throw new Error(decoded.reason);
    const errors = await manager.writeInSlices(decoded);
    applyUs += cpu() - t1;
    decodeUs += t1 - t0;
    const failed = errors.find((e) => (e.canonicalCode ?? 0) !== 0);
    if (failed) throw new Error(`write failed: ${failed.message}`);
  }
  console.log(
    `round ${round + 1}: decode ${(decodeUs / ENTRIES).toFixed(2)} µs/entry, apply ${(applyUs / ENTRIES).toFixed(2)} µs/entry`,
  );
}
