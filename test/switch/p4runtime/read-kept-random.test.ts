// The encodings the server keeps at INSERT (frontend/tables.ts keepEncoded: made from the key and
// action as written, not as the device gives them back) against a fresh encoding of what the
// device holds: seeded random entries of every match kind, widths that are not whole bytes, a
// statically masked key, values written with and without leading zero bytes, don't-care fields.

import { P4RuntimeService, p4 } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import { random } from './classified-writes.js';
import { type TestTarget, UpdateType, useFixtureTarget, writeUpdates } from './helpers.js';

const MatchType = p4.config.v1.MatchField.MatchType;
const Scope = p4.config.v1.ActionRef.Scope;

/** Bytes of `value` on the field's whole bytes, or canonical (no leading zero byte) half the time. */
function encode(value: bigint, bits: number, rnd: () => number): Uint8Array {
  const n = Math.ceil(bits / 8);
  const out = new Uint8Array(n);
  for (let i = n - 1, v = value; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  if (rnd() < 0.5) return out;
  let start = 0;
  while (start < n - 1 && out[start] === 0) start++;
  return out.subarray(start);
}

function randomBits(bits: number, rnd: () => number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
  return v & ((1n << BigInt(bits)) - 1n);
}

/** A field match PI accepts, or undefined (don't care) for the kinds that allow it. */
function fieldMatch(f: p4.config.v1.IMatchField, rnd: () => number): p4.v1.IFieldMatch | undefined {
  const bits = f.bitwidth ?? 0;
  const fieldId = f.id;
  const value = randomBits(bits, rnd);
  const max = (1n << BigInt(bits)) - 1n;
  const dontCare = rnd() < 0.2;
  switch (f.matchType) {
    case MatchType.EXACT:
      return { fieldId, exact: { value: encode(value, bits, rnd) } };
    case MatchType.LPM: {
      if (dontCare) return undefined;
      // PI counts the prefix on the byte-padded value.
      const padded = Math.ceil(bits / 8) * 8;
      const prefixLen = 1 + Math.floor(rnd() * bits);
      const keep = ((1n << BigInt(padded)) - 1n) ^ ((1n << BigInt(padded - prefixLen)) - 1n);
      return { fieldId, lpm: { value: encode(value & keep, bits, rnd), prefixLen } };
    }
    case MatchType.TERNARY: {
      if (dontCare) return undefined;
      const mask = randomBits(bits, rnd) | 1n;
      return { fieldId, ternary: { value: encode(value & mask, bits, rnd), mask: encode(mask, bits, rnd) } };
    }
    case MatchType.RANGE: {
      if (dontCare) return undefined;
      const other = randomBits(bits, rnd);
      let [low, high] = value <= other ? [value, other] : [other, value];
      if (low === 0n && high === max) high = max - 1n;
      return { fieldId, range: { low: encode(low, bits, rnd), high: encode(high, bits, rnd) } };
    }
    case MatchType.OPTIONAL:
      return dontCare ? undefined : { fieldId, optional: { value: encode(value, bits, rnd) } };
  }
  throw new Error(`match type ${f.matchType} of field ${f.name}`);
}

/** The value of a byte string (leading zero bytes or not). */
const numberOf = (b: Uint8Array | null | undefined): string =>
  BigInt(`0x0${Buffer.from(b ?? []).toString('hex')}`).toString(16);

/**
 * A field match as a string, the same for every way of writing its values, and for an LPM prefix
 * that covers only the padding of a field that is not whole bytes and an LPM field left out (bmv2
 * and the engine match them alike: the same key).
 */
function keyOf(m: p4.v1.IFieldMatch | undefined, f: p4.config.v1.IMatchField): string {
  const bits = f.bitwidth ?? 0;
  if (m?.lpm && (m.lpm.prefixLen ?? 0) <= Math.ceil(bits / 8) * 8 - bits) return `${f.id}:-`;
  if (!m) return `${f.id}:-`;
  const parts = [
    m.exact?.value,
    m.lpm?.value,
    m.ternary?.value,
    m.ternary?.mask,
    m.range?.low,
    m.range?.high,
  ];
  return `${f.id}:${m.lpm?.prefixLen ?? ''}:${parts.map(numberOf).join(',')}:${numberOf(m.optional?.value)}`;
}

/** Up to `count` distinct entries for every table a controller writes (not const, direct actions). */
function randomEntries(info: p4.config.v1.IP4Info, count: number, rnd: () => number): p4.v1.IEntity[] {
  const entities: p4.v1.IEntity[] = [];
  for (const t of info.tables ?? []) {
    if (t.isConstTable || t.implementationId) continue;
    const actions = (t.actionRefs ?? []).filter((a) => a.scope !== Scope.DEFAULT_ONLY);
    const fields = t.matchFields ?? [];
    const needsPriority = fields.some((f) =>
      [MatchType.TERNARY, MatchType.RANGE, MatchType.OPTIONAL].includes(f.matchType as number),
    );
    const seen = new Set<string>();
    const wanted = Math.min(count, t.size ? Number(t.size) : count);
    for (let i = 0; i < count * 2 && seen.size < wanted; i++) {
      const given = fields.map((f) => [fieldMatch(f, rnd), f] as const);
      const match = given.flatMap(([m]) => (m ? [m] : []));
      const priority = needsPriority ? 1 + Math.floor(rnd() * (rnd() < 0.5 ? 100 : 0x7fffffff)) : 0;
      const key = `${priority} ${given.map(([m, f]) => keyOf(m, f)).join(' ')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ref = actions[Math.floor(rnd() * actions.length)];
      const action = info.actions?.find((a) => a.preamble?.id === ref.id);
      const params = (action?.params ?? []).map((p) => ({
        paramId: p.id,
        value: encode(randomBits(p.bitwidth ?? 0, rnd), p.bitwidth ?? 0, rnd),
      }));
      entities.push({
        tableEntry: {
          tableId: t.preamble?.id,
          match,
          ...(priority ? { priority } : {}),
          action: { action: { actionId: ref.id, params } },
          ...(rnd() < 0.3 ? { controllerMetadata: Math.floor(rnd() * 2 ** 40) } : {}),
          ...(rnd() < 0.2 ? { metadata: encode(randomBits(64, rnd), 64, rnd) } : {}),
        },
      });
    }
  }
  return entities;
}

for (const fixture of ['server_all', 'match_kinds']) {
  describe(`Entries kept as written (${fixture})`, () => {
    let t: TestTarget;
    let info: p4.config.v1.IP4Info;
    useFixtureTarget(fixture, (target, ids) => {
      t = target;
      info = ids.p4info;
    });

    it('encode to what a fresh encoding of the device gives', async () => {
      const rnd = random(fixture.length);
      const entities = randomEntries(info, 24, rnd);
      expect(entities.length).toBeGreaterThan(48);
      const r = await writeUpdates(t.stub, UpdateType.INSERT, entities);
      expect(r.errors.filter((e) => e.canonicalCode !== 0).map((e) => e.message)).toEqual([]);
      expect(r.code).toBe(0);
      const request: p4.v1.IReadRequest = { entities: [{ tableEntry: {} }] };
      const { entities: read, error } = t.target.manager.read(request);
      expect(error).toBeUndefined();
      expect(read.length).toBeGreaterThanOrEqual(entities.length);
      const want = [P4RuntimeService.read.responseSerialize({ entities: read })];
      // The first read answers from what INSERT kept.
      expect(t.target.manager.readEncoded(request, 100_000).responses).toEqual(want);
    });
  });
}
