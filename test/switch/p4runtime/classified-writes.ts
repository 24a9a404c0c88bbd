// Random INSERTs into the tables with a priority (ternary, range, optional fields) of a P4Info:
// mostly valid, broken now and then in each way PI refuses or the one-pass INSERT
// (frontend/classified-insert.ts) declines. Shared by classified-insert.test.ts (the one pass
// against the general path) and bmv2-classified.test.ts (the embedded target against bmv2).
import { p4, UpdateType } from './helpers.js';

const MatchType = p4.config.v1.MatchField.MatchType;

/** mulberry32: the same batches on every run. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)];

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

/** An INSERT into one of `tables`, mostly valid, broken in one way now and then. */
export function classifiedWrite(
  tables: p4.config.v1.ITable[],
  p4info: p4.config.v1.IP4Info,
  rnd: () => number,
) {
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

/** The tables of `p4info` the one-pass INSERT serves: direct, not const, some field neither exact nor lpm. */
export function classifiedTables(p4info: p4.config.v1.IP4Info): p4.config.v1.ITable[] {
  return (p4info.tables ?? []).filter(
    (t) =>
      !t.isConstTable &&
      !t.implementationId &&
      (t.matchFields ?? []).some((f) => f.matchType !== MatchType.EXACT && f.matchType !== MatchType.LPM),
  );
}

export const ones = (bits: number): bigint => (1n << BigInt(bits)) - 1n;
