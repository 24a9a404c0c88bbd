// The common INSERT path (frontend/tables.ts insertCommonWrite of the decoder's records, device
// exactWriter, engine addExactValues) against the general one (DeviceManager `commonInsert: false`): seeded random
// batches of table writes, valid and not, on every table of three programs, applied to two
// servers, one with each path. Every update must get the same result (code, message, space, target
// code) and the two devices must hold the same entries (wildcard reads, as bytes and as messages).
import { describe, expect, it, vi } from 'vitest';
import { TableState } from '../../../src/switch/core/tables.js';
import { EncodedEntries } from '../../../src/switch/p4runtime/frontend/encoded-entries.js';
import { decodeWriteRequest } from '../../../src/switch/p4runtime/grpc/write-request.js';
import { random } from './classified-writes.js';
import { p4, UpdateType } from './helpers.js';
import { PROGRAMS, pathServer, tableContents } from './insert-paths.js';

const MatchType = p4.config.v1.MatchField.MatchType;

/**
 * Bytes of `value` (below 2^bits): canonical, on the field's whole bytes, or with a leading zero
 * byte more. A few values (keys drawn from few values) make duplicates frequent.
 */
function encode(value: bigint, bits: number, rnd: () => number): Uint8Array {
  const n = Math.max(1, Math.ceil(bits / 8));
  const out: number[] = [];
  for (let i = 0, v = value; i < n; i++, v >>= 8n) out.unshift(Number(v & 0xffn));
  const form = rnd();
  if (form < 0.4) {
    while (out.length > 1 && out[0] === 0) out.shift();
  } else if (form < 0.5) out.unshift(0);
  return new Uint8Array(out);
}

function randomValue(bits: number, rnd: () => number): bigint {
  // Mostly a few small values (duplicates), sometimes the top of the range, rarely one bit too wide.
  const r = rnd();
  if (r < 0.6) return BigInt(Math.floor(rnd() * 4));
  if (r < 0.97) return (1n << BigInt(bits)) - 1n - BigInt(Math.floor(rnd() * 3));
  return 1n << BigInt(bits);
}

const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)];

/** A field match: mostly the kind the field has, sometimes another or a broken one. */
function fieldMatch(f: p4.config.v1.IMatchField, rnd: () => number): p4.v1.IFieldMatch {
  const bits = f.bitwidth ?? 0;
  const value = () => encode(randomValue(bits, rnd), bits, rnd);
  const r = rnd();
  const fieldId = r < 0.03 ? (f.id ?? 0) + 7 : f.id;
  if (r > 0.97) return { fieldId, exact: {} };
  const kind = r > 0.94 ? pick([MatchType.EXACT, MatchType.LPM, MatchType.TERNARY], rnd) : f.matchType;
  switch (kind) {
    case MatchType.EXACT:
      return { fieldId, exact: { value: value() } };
    case MatchType.LPM:
      return { fieldId, lpm: { value: encode(0n, bits, rnd), prefixLen: 1 + Math.floor(rnd() * bits) } };
    case MatchType.TERNARY: {
      const mask = (1n << BigInt(bits)) - 1n;
      return { fieldId, ternary: { value: value(), mask: encode(mask, bits, rnd) } };
    }
    case MatchType.RANGE:
      return { fieldId, range: { low: encode(1n, bits, rnd), high: encode(2n, bits, rnd) } };
    default:
      return { fieldId, optional: { value: value() } };
  }
}

/** One table write, valid or broken in one of the ways PI checks. */
function tableWrite(p4info: p4.config.v1.IP4Info, rnd: () => number): p4.v1.IUpdate {
  const table = pick(p4info.tables ?? [], rnd);
  const fields = table.matchFields ?? [];
  let match = fields.map((f) => fieldMatch(f, rnd));
  const shape = rnd();
  if (shape < 0.03) match = match.slice(1);
  else if (shape < 0.06) match = [...match, ...match.slice(0, 1)];
  else if (shape < 0.09) match = match.reverse();
  const refs = table.actionRefs ?? [];
  const actionId =
    rnd() < 0.04 ? pick([0, table.preamble?.id ?? 0, 0x01000abc], rnd) : (pick(refs, rnd)?.id ?? 0);
  const action = (p4info.actions ?? []).find((a) => a.preamble?.id === actionId);
  let params: p4.v1.Action.IParam[] = (action?.params ?? []).map((p) => ({
    paramId: p.id,
    value: encode(randomValue(p.bitwidth ?? 0, rnd), p.bitwidth ?? 0, rnd),
  }));
  const paramShape = rnd();
  if (paramShape < 0.03) params = params.slice(1);
  else if (paramShape < 0.06) params = [...params, ...params.slice(0, 1)];
  else if (paramShape < 0.09) params = params.reverse();
  else if (paramShape < 0.11) params = params.map((p) => ({ ...p, paramId: (p.paramId ?? 0) + 9 }));
  const entry: p4.v1.ITableEntry = { tableId: table.preamble?.id, match };
  const actionShape = rnd();
  if (actionShape < 0.03) entry.action = { actionProfileMemberId: 1 };
  else if (actionShape >= 0.05) entry.action = { action: { actionId, params } };
  const extra = rnd();
  if (extra < 0.04) entry.priority = pick([1, 10, -1], rnd);
  else if (extra < 0.07) entry.idleTimeoutNs = pick([1_000_000_000, 5_000_000], rnd);
  else if (extra < 0.1)
    // Sometimes long enough for lengths of two varint bytes in the kept encoding.
    entry.metadata = new Uint8Array(rnd() < 0.5 ? 3 : 200).fill(1 + Math.floor(rnd() * 3));
  else if (extra < 0.13) entry.controllerMetadata = Math.floor(rnd() * 3);
  else if (extra < 0.15) entry.isDefaultAction = true;
  else if (extra < 0.17) entry.counterData = { byteCount: 10, packetCount: 1 };
  else if (extra < 0.19) entry.meterConfig = { cir: 1, cburst: 1, pir: 2, pburst: 2 };
  else if (extra < 0.2) entry.timeSinceLastHit = { elapsedNs: 1 };
  const type = rnd();
  return {
    type: type < 0.85 ? UpdateType.INSERT : type < 0.93 ? UpdateType.MODIFY : UpdateType.DELETE,
    entity: { tableEntry: entry },
  };
}

describe('the common INSERT path gives what the general one gives', () => {
  for (const [n, program] of PROGRAMS.entries()) {
    it(`${program.name}: random table writes, decoded and as plain objects`, async () => {
      const p4info = program.p4info();
      const common = pathServer(program, p4info, true).manager;
      const general = pathServer(program, p4info, false).manager;
      const rnd = random(1500 + n);
      const exactAdds = vi.spyOn(TableState.prototype, 'addExactValues');
      let applied = 0;
      let refused = 0;
      for (let batch = 0; batch < 40; batch++) {
        const updates = Array.from({ length: 50 }, () => tableWrite(p4info, rnd));
        const bytes = p4.v1.WriteRequest.encode({ deviceId: 1, updates }).finish();
        // Decoded as the server decodes requests (prototype defaults, Longs), or as built.
        const request = (): p4.v1.IWriteRequest =>
          batch % 2 === 0 ? decodeWriteRequest(bytes) : { deviceId: 1, updates };
        const a = await common.writeInSlices(request());
        const b = await general.writeInSlices(request());
        expect(a).toEqual(b);
        applied += a.filter((e) => (e.canonicalCode ?? 0) === 0).length;
        refused += a.filter((e) => (e.canonicalCode ?? 0) !== 0).length;
        expect(tableContents(common)).toEqual(tableContents(general));
      }
      // Both outcomes were exercised, many times.
      expect(applied).toBeGreaterThan(100);
      expect(refused).toBeGreaterThan(100);
      // And the common path was taken (on the first server only: the other never takes it).
      expect(exactAdds.mock.calls.length).toBeGreaterThan(program.name === 'match_kinds' ? 20 : 100);
      exactAdds.mockRestore();
    });
  }
});

/** A varint, sometimes padded with redundant bytes (a valid encoding a Read never gives). */
function varint(n: number, rnd: () => number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  if (rnd() < 0.04 && out.length < 5) {
    out[out.length - 1] |= 0x80;
    out.push(0);
  }
  return out;
}

function field(tag: number, content: number[], rnd: () => number): number[] {
  return [tag, ...varint(content.length, rnd), ...content];
}

/**
 * A common INSERT (exact fields, a direct action) written byte by byte the way the common decoder
 * reads it, with what a Read does not give back now and then: padded varints, values with leading
 * zero bytes or empty, a zero priority or empty metadata on the wire, metadata.
 */
function commonInsertBytes(p4info: p4.config.v1.IP4Info, rnd: () => number): number[] | undefined {
  const tables = (p4info.tables ?? []).filter(
    (t) =>
      !t.isConstTable &&
      !t.implementationId &&
      (t.matchFields ?? []).every((f) => f.matchType === MatchType.EXACT),
  );
  if (tables.length === 0) return undefined;
  const table = pick(tables, rnd);
  const value = (bits: number): number[] => {
    const r = rnd();
    if (r < 0.03) return [];
    if (r < 0.25) return [...encode(randomValue(bits, rnd) & ((1n << BigInt(bits)) - 1n), bits, rnd)];
    // Mostly distinct keys, in canonical form.
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
    const out = [...encode(v & ((1n << BigInt(bits)) - 1n), bits, () => 0)];
    return out;
  };
  const bytesField = (tag: number, b: number[]) => (b.length === 0 && rnd() < 0.5 ? [] : field(tag, b, rnd));
  const entry: number[] = [0x08, ...varint(table.preamble?.id ?? 0, rnd)];
  for (const f of table.matchFields ?? [])
    entry.push(
      ...field(
        0x12,
        [0x08, ...varint(f.id ?? 0, rnd), ...field(0x12, bytesField(0x0a, value(f.bitwidth ?? 0)), rnd)],
        rnd,
      ),
    );
  const ref = pick(
    (table.actionRefs ?? []).filter((r) => r.scope !== p4.config.v1.ActionRef.Scope.DEFAULT_ONLY),
    rnd,
  );
  const action = (p4info.actions ?? []).find((a) => a.preamble?.id === ref.id);
  const inner: number[] = [0x08, ...varint(ref.id ?? 0, rnd)];
  for (const p of action?.params ?? [])
    inner.push(
      ...field(0x22, [0x10, ...varint(p.id ?? 0, rnd), ...bytesField(0x1a, value(p.bitwidth ?? 0))], rnd),
    );
  entry.push(...field(0x1a, field(0x0a, inner, rnd), rnd));
  if (rnd() < 0.05) entry.push(0x20, ...varint(0, rnd));
  const metadata = rnd();
  if (metadata < 0.05) entry.push(0x5a, 0);
  else if (metadata < 0.15) entry.push(...field(0x5a, [1 + Math.floor(rnd() * 200), 0, 7], rnd));
  return [0x08, UpdateType.INSERT, ...field(0x12, field(0x12, entry, rnd), rnd)];
}

describe('an INSERT whose bytes are what a Read gives back keeps a copy of them', () => {
  for (const [n, program] of PROGRAMS.entries()) {
    it(`${program.name}: the same reads as the general path, byte by byte`, async () => {
      const p4info = program.p4info();
      const common = pathServer(program, p4info, true).manager;
      const general = pathServer(program, p4info, false).manager;
      const rnd = random(2500 + n);
      const copies = vi.spyOn(EncodedEntries.prototype, 'storeCopy');
      for (let batch = 0; batch < 20; batch++) {
        const updates: number[] = [];
        for (let i = 0; i < 40; i++) {
          const update = commonInsertBytes(p4info, rnd);
          if (update) updates.push(...field(0x22, update, rnd));
        }
        if (updates.length === 0) return;
        const bytes = new Uint8Array([0x08, 0x01, ...updates]);
        const a = await common.writeInSlices(decodeWriteRequest(bytes));
        const b = await general.writeInSlices(decodeWriteRequest(bytes));
        expect(a).toEqual(b);
        expect(tableContents(common)).toEqual(tableContents(general));
      }
      // Copies were made (the fixtures' exact tables hold 64 and 16 entries); the rest were encoded.
      expect(copies.mock.calls.length).toBeGreaterThan(25);
      copies.mockRestore();
    });
  }
});
