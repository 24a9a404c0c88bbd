// The server's Write path without the network: WriteRequest bytes of ENTRIES overlay_mac inserts (in
// requests of 250 updates, as the client sends them) decoded and applied to an embedded-target
// DeviceManager, round after round, with the CPU time per entry of decoding and of applying.
// Run: npx tsx bench/lib/write-path.ts  (add node flags such as --no-opt or --cpu-prof to study the
// cold and the warm path). BENCH_TABLE=policy writes the policy_rules table instead (exact VNI,
// ternary security ids and protocol, a port range, a priority each: the tuple-space index's inserts);
// BENCH_TABLE=fabric-policy writes policy_rules as the controller bench's fabric does (10 rules per
// tenant, full-mask ids, TCP, one port each: every field hashed, one shape); BENCH_TABLE=vport writes
// vport_classification (port, 48-bit MAC, VLAN) as a fabric's workloads do. Run with node's
// --expose-gc (`node --expose-gc --import tsx bench/lib/write-path.ts`) for the heap bytes each
// entry keeps (heap after a full collection, per entry of the round).
import { loadP4Info } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { programArtifactPath } from '../../src/artifacts/program.js';
import {
  MalformedRequest,
  p4RuntimeServerDefinition,
} from '../../src/switch/p4runtime/grpc/p4runtime-service.js';
import { canonicalBytes as bytes, vtepDeviceManager } from './local-device.js';

const KIND = process.env.BENCH_TABLE ?? 'overlay';
const POLICY = KIND === 'policy' || KIND === 'fabric-policy';
const VPORT = KIND === 'vport';
// policy_rules holds 16,384 entries: three rounds of 5,000.
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? (POLICY ? 5_000 : 20_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 250;

const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
const [tableName, actionName] = POLICY
  ? ['policy_rules', 'allow']
  : VPORT
    ? ['vport_classification', 'set_vport']
    : ['overlay_mac', 'to_remote_vtep'];
const table = p4info.tables?.find((t) => t.preamble?.name?.endsWith(tableName));
const action = p4info.actions?.find((a) => a.preamble?.name?.endsWith(actionName));
if (!table || !action) throw new Error('the table or its action is missing from the P4Info');
const [vni, mac] = table.matchFields ?? [];
const fieldIds = (table.matchFields ?? []).map((f) => f.id);

const manager = vtepDeviceManager(p4info);

function request(round: number, from: number): Buffer {
  const updates: p4.v1.IUpdate[] = [];
  for (let i = from; i < Math.min(ENTRIES, from + BATCH); i++) {
    if (KIND === 'fabric-policy') {
      // As bench/lib/overlay-fabric.ts's policies: 10 per tenant, from and to identities of 64.
      const [fVni, fSrc, fDst, fProto, fPort] = fieldIds;
      const t = round * ENTRIES + i;
      const tenant = Math.floor(t / 10);
      const p = t % 10;
      updates.push({
        type: p4.v1.Update.Type.INSERT,
        entity: {
          tableEntry: {
            tableId: table!.preamble!.id,
            priority: 10 + p,
            match: [
              { fieldId: fVni, exact: { value: bytes(10_000 + tenant, 3) } },
              {
                fieldId: fSrc,
                ternary: { value: bytes(1 + ((tenant + p) % 64), 4), mask: bytes(0xffffffff, 4) },
              },
              {
                fieldId: fDst,
                ternary: { value: bytes(1 + ((tenant + p + 1) % 64), 4), mask: bytes(0xffffffff, 4) },
              },
              { fieldId: fProto, ternary: { value: bytes(6, 1), mask: bytes(0xff, 1) } },
              { fieldId: fPort, range: { low: bytes(1000 + p, 2), high: bytes(1000 + p, 2) } },
            ],
            action: { action: { actionId: action!.preamble!.id } },
          },
        },
      });
      continue;
    }
    if (VPORT) {
      // A workload's source: its access port, MAC and VLAN (tenant).
      const w = round * ENTRIES + i;
      const params = action!.params!;
      updates.push({
        type: p4.v1.Update.Type.INSERT,
        entity: {
          tableEntry: {
            tableId: table!.preamble!.id,
            match: [
              { fieldId: fieldIds[0], exact: { value: bytes(1 + (w % 4), 2) } },
              { fieldId: fieldIds[1], exact: { value: bytes(0x020000000000 + w * 7, 6) } },
              { fieldId: fieldIds[2], exact: { value: bytes(100 + (w % 1000), 2) } },
            ],
            action: {
              action: {
                actionId: action!.preamble!.id,
                params: [
                  { paramId: params[0].id, value: bytes(1 + (w % 4000), 2) },
                  { paramId: params[1].id, value: bytes(10_000 + (w % 1000), 3) },
                  { paramId: params[2].id, value: bytes(1 + (w % 64), 4) },
                  { paramId: params[3].id, value: bytes(w % 1000, 2) },
                ],
              },
            },
          },
        },
      });
      continue;
    }
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

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc!();
  return process.memoryUsage().heapUsed;
};
const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
for (let round = 0; round < ROUNDS; round++) {
  const heapBefore = gc ? heap() : 0;
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
  requests.length = 0;
  const kept = gc ? `, heap ${Math.round((heap() - heapBefore) / ENTRIES)} bytes/entry` : '';
  console.log(
    `round ${round + 1}: decode ${(decodeUs / ENTRIES).toFixed(2)} µs/entry, apply ${(applyUs / ENTRIES).toFixed(2)} µs/entry${kept}`,
  );
}
