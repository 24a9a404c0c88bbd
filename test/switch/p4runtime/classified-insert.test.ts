// The one-pass INSERT of ACL-like tables (frontend/tables.ts insertClassified, classified-insert.ts,
// device addClassifiedEntry, engine addClassifiedEntry) against the general path (DeviceManager
// `commonInsert: false`): seeded random batches of INSERTs into the tables with a priority of three
// programs, mostly valid, and broken in each way PI refuses or the one pass declines, applied to two
// servers, one with each path. Every update must get the same result and the two devices must hold
// the same entries (wildcard reads, as bytes and as messages) and classify keys alike.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { parseP4Info } from '../../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import { TableState } from '../../../src/switch/core/tables.js';
import { EngineDevice } from '../../../src/switch/p4runtime/device/engine-device.js';
import { DeviceManager, PipelineAction } from '../../../src/switch/p4runtime/frontend/device-manager.js';
import { decodeWriteRequest } from '../../../src/switch/p4runtime/grpc/write-request.js';
import { fixtureDeviceConfig, fixtureP4Info, p4, UpdateType } from './helpers.js';

const MatchType = p4.config.v1.MatchField.MatchType;

/** mulberry32: the same batches on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const PROGRAMS = [
  {
    name: 'geneve_vtep',
    p4info: () => parseP4Info(readFileSync(programArtifactPath('p4infoJson'), 'utf8'), 'json'),
    config: () => new Uint8Array(readFileSync(programArtifactPath('bmv2Json'))),
  },
  ...['server_all', 'match_kinds'].map((name) => ({
    name,
    p4info: () => fixtureP4Info(name),
    config: () => fixtureDeviceConfig(name),
  })),
];

const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)];

const ones = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** Bytes of `value`: canonical, on the field's whole bytes, or with a leading zero byte more. */
function encode(value: bigint, bits: number, rnd: () => number): Uint8Array {
  const n = Math.max(1, Math.ceil(bits / 8));
  const out: number[] = [];
  for (let i = 0, v = value; i < n || v > 0n; i++, v >>= 8n) out.unshift(Number(v & 0xffn));
  const form = rnd();
  if (form < 0.5) {
    while (out.length > 1 && out[0] === 0) out.shift();
  } else if (form < 0.6) out.unshift(0);
  return new Uint8Array(out);
}

/** A few small values (duplicates), values near the top, now and then one bit too wide. */
function value(bits: number, rnd: () => number): bigint {
  const r = rnd();
  if (r < 0.3) return BigInt(Math.floor(rnd() * 4));
  if (r < 0.6) return ones(bits) - BigInt(Math.floor(rnd() * 3));
  if (r < 0.98) return BigInt(Math.floor(rnd() * 2 ** Math.min(bits, 16)));
  return 1n << BigInt(bits);
}

/** A field match of the field's kind, now and then one PI refuses or of another kind. */
function fieldMatch(f: p4.config.v1.IMatchField, rnd: () => number): p4.v1.IFieldMatch {
  const bits = f.bitwidth ?? 0;
  const fieldId = f.id;
  const b = (v: bigint) => encode(v, bits, rnd);
  const r = rnd();
  if (r < 0.02) return { fieldId, exact: { value: b(value(bits, rnd)) } };
  if (r < 0.03) return { fieldId, ternary: {} };
  switch (f.matchType) {
    case MatchType.EXACT:
      return { fieldId, exact: { value: b(value(bits, rnd)) } };
    case MatchType.TERNARY: {
      const s = rnd();
      // A full mask, a narrow one, a zero mask (don't care written out), a value outside the mask.
      const mask = s < 0.6 ? ones(bits) : s < 0.9 ? 1n : s < 0.95 ? 0n : 2n;
      const v = s < 0.95 ? value(bits, rnd) & mask : 1n;
      return { fieldId, ternary: { value: b(v), mask: b(mask) } };
    }
    case MatchType.RANGE: {
      const s = rnd();
      if (s < 0.05) return { fieldId, range: { low: b(0n), high: b(ones(bits)) } };
      if (s < 0.1) return { fieldId, range: { low: b(3n), high: b(2n) } };
      const low = BigInt(Math.floor(rnd() * 2 ** Math.min(bits - 1, 12)));
      return { fieldId, range: { low: b(low), high: b(low + BigInt(Math.floor(rnd() * 3))) } };
    }
    case MatchType.OPTIONAL:
      return { fieldId, optional: { value: b(value(bits, rnd)) } };
    default:
      return { fieldId, lpm: { value: b(0n), prefixLen: 1 + Math.floor(rnd() * bits) } };
  }
}

/** An INSERT into a table with a priority, mostly valid, broken in one way now and then. */
function classifiedWrite(tables: p4.config.v1.ITable[], p4info: p4.config.v1.IP4Info, rnd: () => number) {
  const table = pick(tables, rnd);
  const fields = table.matchFields ?? [];
  let match = fields.map((f) => fieldMatch(f, rnd));
  const shape = rnd();
  if (shape < 0.03) match = match.slice(1);
  else if (shape < 0.05) match = [...match].reverse();
  else if (shape < 0.07) match = [...match, ...match.slice(0, 1)];
  const refs = table.actionRefs ?? [];
  const actionId = rnd() < 0.03 ? pick([0, 0x01000abc], rnd) : (pick(refs, rnd)?.id ?? 0);
  const action = (p4info.actions ?? []).find((a) => a.preamble?.id === actionId);
  let params: p4.v1.Action.IParam[] = (action?.params ?? []).map((p) => ({
    paramId: p.id,
    value: encode(value(p.bitwidth ?? 0, rnd) & ones(p.bitwidth ?? 0), p.bitwidth ?? 0, rnd),
  }));
  if (rnd() < 0.03) params = params.slice(1);
  const entry: p4.v1.ITableEntry = {
    tableId: table.preamble?.id,
    match,
    action: { action: { actionId, params } },
    // Few priorities (duplicates, and equal priorities of different keys).
    priority: pick([1, 2, 7, 7, 7, 0x7fffffff], rnd),
  };
  const extra = rnd();
  if (extra < 0.03) entry.priority = pick([0, -1], rnd);
  else if (extra < 0.05) entry.idleTimeoutNs = 1_000_000_000;
  else if (extra < 0.08) entry.metadata = new Uint8Array(3).fill(1 + Math.floor(rnd() * 3));
  else if (extra < 0.1) entry.controllerMetadata = Math.floor(rnd() * 3);
  else if (extra < 0.12) entry.counterData = { byteCount: 10, packetCount: 1 };
  else if (extra < 0.13) entry.isDefaultAction = true;
  return { type: UpdateType.INSERT, entity: { tableEntry: entry } };
}

function server(program: (typeof PROGRAMS)[number], p4info: p4.config.v1.IP4Info, fast: boolean) {
  const device = new EngineDevice();
  const manager = new DeviceManager({
    device,
    cpuPort: 255,
    sendToPrimary: () => {},
    injectOnCpuPort: () => {},
    commonInsert: fast,
  });
  manager.setPipelineConfig(PipelineAction.VERIFY_AND_COMMIT, { p4info, p4DeviceConfig: program.config() });
  return { manager, device };
}

/** The engine's table (the runtime's own, for lookups by key values). */
function engineTable(device: EngineDevice, name: string): TableState {
  const engine = device.engine as unknown as { rt: { tables: TableState[] } };
  const table = engine.rt.tables.find((t) => t.def.name === name);
  if (!table) throw new Error(`no table ${name}`);
  return table;
}

function contents(manager: DeviceManager): { bytes: string[]; entities: unknown } {
  const encoded = manager.readEncoded({ entities: [{ tableEntry: {} }] }, 1000);
  expect(encoded.error).toBeUndefined();
  const read = manager.read({ entities: [{ tableEntry: { counterData: {} } }] });
  expect(read.error).toBeUndefined();
  return {
    bytes: encoded.responses.map((b) => Buffer.from(b).toString('hex')),
    entities: read.entities.map((e) => p4.v1.Entity.toObject(p4.v1.Entity.fromObject(e), { longs: String })),
  };
}

describe('the one-pass INSERT of tables with a priority gives what the general path gives', () => {
  for (const [n, program] of PROGRAMS.entries()) {
    it(`${program.name}: random INSERTs, decoded and as plain objects`, async () => {
      const p4info = program.p4info();
      const tables = (p4info.tables ?? []).filter(
        (t) =>
          !t.isConstTable &&
          !t.implementationId &&
          (t.matchFields ?? []).some((f) => f.matchType !== MatchType.EXACT && f.matchType !== MatchType.LPM),
      );
      expect(tables.length).toBeGreaterThan(0);
      const fast = server(program, p4info, true);
      const general = server(program, p4info, false);
      const rnd = random(2600 + n);
      const classifiedAdds = vi.spyOn(TableState.prototype, 'addClassifiedEntry');
      let applied = 0;
      let refused = 0;
      for (let batch = 0; batch < 30; batch++) {
        const updates = Array.from({ length: 50 }, () => classifiedWrite(tables, p4info, rnd));
        const bytes = p4.v1.WriteRequest.encode({ deviceId: 1, updates }).finish();
        const request = (): p4.v1.IWriteRequest =>
          batch % 2 === 0 ? decodeWriteRequest(bytes) : { deviceId: 1, updates };
        const a = await fast.manager.writeInSlices(request());
        const b = await general.manager.writeInSlices(request());
        expect(a).toEqual(b);
        applied += a.filter((e) => (e.canonicalCode ?? 0) === 0).length;
        refused += a.filter((e) => (e.canonicalCode ?? 0) !== 0).length;
        expect(contents(fast.manager)).toEqual(contents(general.manager));
      }
      // As many entries as the tables hold (server_all's has room for 32), and refusals of each kind.
      const room = Math.min(
        200,
        tables.reduce((sum, t) => sum + Number(t.size ?? 0), 0),
      );
      expect(applied).toBeGreaterThanOrEqual(room);
      expect(refused).toBeGreaterThan(50);
      // The one pass was taken, on the first server only.
      expect(classifiedAdds.mock.calls.length).toBeGreaterThanOrEqual(room);
      classifiedAdds.mockRestore();
      // Both engines classify keys alike (the key values the entries hold, and small ones).
      for (const t of tables) {
        const name = t.preamble?.name ?? '';
        const fastTable = engineTable(fast.device, name);
        const generalTable = engineTable(general.device, name);
        const widths = (t.matchFields ?? []).map((f) => f.bitwidth ?? 0);
        for (let probe = 0; probe < 200; probe++) {
          const kv = widths.map((w) => {
            const v = BigInt(Math.floor(rnd() * 4)) | (rnd() < 0.5 ? 0n : ones(w) - 3n);
            return w <= 32 ? Number(v & ones(w)) : v & ones(w);
          });
          expect(fastTable.match(kv)).toBe(generalTable.match(kv));
        }
      }
    });
  }
});
