// Table lookups against the linear definition of bmv2's lookup, on random tables: ternary and range
// tables (tuple-space search; every entry checked, largest P4Runtime priority wins, then the lowest
// handle) with random inserts and deletes, and LPM tables (longest prefix wins).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActionDef } from '../../../src/switch/core/actions.js';
import {
  effectivePrefix,
  type KeyFieldDef,
  type MatchFieldValue,
  type MatchKind,
  type TableDef,
  type TableEntryRecord,
  TableState,
} from '../../../src/switch/core/tables.js';

const NOOP: ActionDef = { name: 'noop', jsonId: 0, params: [], run: () => {} };

function tableDef(
  kinds: readonly MatchKind[],
  widths: readonly number[],
  matchType: TableDef['matchType'] = kinds.includes('range') ? 'range' : 'ternary',
): TableDef {
  const keys: KeyFieldDef[] = kinds.map((matchKind, i) => ({
    name: `k${i}`,
    matchKind,
    width: matchKind === 'valid' ? 1 : widths[i],
    read: () => 0,
  }));
  return {
    name: 't',
    jsonId: 0,
    index: 0,
    matchType,
    implementation: 'direct',
    profile: undefined,
    maxSize: 100_000,
    withCounters: false,
    supportTimeout: false,
    directMeter: undefined,
    keys,
    actions: [NOOP],
    nextByAction: new Map(),
    hitMiss: undefined,
    baseDefaultNext: -1,
    initialDefault: undefined,
    constEntries: undefined,
    selectorHash: undefined,
  };
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** Does key field value `v` satisfy `m` (the linear, obviously-right definition)? */
function fieldMatches(m: MatchFieldValue | undefined, v: bigint, width: number): boolean {
  if (m === undefined) return true;
  switch (m.kind) {
    case 'exact':
    case 'optional':
      return v === m.value;
    case 'ternary':
      return (v & m.mask) === m.value;
    case 'range':
      return m.low <= v && v <= m.high;
    case 'valid':
      return v === (m.value ? 1n : 0n);
    case 'lpm': {
      const eff = effectivePrefix(m.prefixLength, width);
      const pm = mask(width) ^ mask(width - eff);
      return (v & pm) === m.value;
    }
  }
}

function linearLookup(entries: readonly TableEntryRecord[], def: TableDef, kv: readonly bigint[]) {
  let best: TableEntryRecord | undefined;
  for (const e of entries) {
    if (!e.match.every((m, i) => fieldMatches(m, kv[i], def.keys[i].width))) continue;
    if (!best || e.priority > best.priority || (e.priority === best.priority && e.handle < best.handle))
      best = e;
  }
  return best?.handle;
}

const storage = (v: bigint, width: number) => (width <= 32 ? Number(v) : v);

/** A random value of `width` bits, biased towards a few values so that entries and keys collide. */
const value = (width: number) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: mask(width) }),
    fc.constantFrom(0n, 1n, mask(width), mask(width) >> 1n).map((v) => v & mask(width)),
  );

function fieldValue(kind: MatchKind, width: number): fc.Arbitrary<MatchFieldValue | undefined> {
  switch (kind) {
    case 'exact':
      return value(width).map((v) => ({ kind: 'exact' as const, value: v }));
    case 'valid':
      return fc.boolean().map((b) => ({ kind: 'valid' as const, value: b }));
    case 'ternary':
      return fc.oneof(
        fc.constant(undefined),
        fc
          .tuple(value(width), fc.oneof(value(width), fc.constant(mask(width))))
          .map(([v, m]) => ({ kind: 'ternary' as const, value: v & m, mask: m })),
        value(width).map((v) => ({ kind: 'optional' as const, value: v })),
      );
    case 'lpm':
      return fc.oneof(
        fc.constant(undefined),
        fc.tuple(value(width), fc.integer({ min: 1, max: width })).map(([v, p]) => {
          const eff = effectivePrefix(p, width);
          return { kind: 'lpm' as const, value: v & (mask(width) ^ mask(width - eff)), prefixLength: p };
        }),
      );
    case 'range':
      return fc.oneof(
        fc.constant(undefined),
        value(width).map((v) => ({ kind: 'range' as const, low: v, high: v })),
        fc.tuple(value(width), value(width)).map(([a, b]) => ({
          kind: 'range' as const,
          low: a < b ? a : b,
          high: a < b ? b : a,
        })),
      );
  }
}

const kindsArb = fc.array(fc.constantFrom<MatchKind>('exact', 'ternary', 'range', 'lpm', 'valid'), {
  minLength: 1,
  maxLength: 4,
});
const widthsArb = fc.array(fc.constantFrom(1, 3, 8, 16, 32, 48), { minLength: 4, maxLength: 4 });

type Op =
  | { op: 'insert'; match: (MatchFieldValue | undefined)[]; priority: number }
  | { op: 'delete'; pick: number }
  | { op: 'lookup'; kv: bigint[] }
  | { op: 'probe'; pick: number; noise: bigint[] };

function opsArb(kinds: readonly MatchKind[], widths: readonly number[]): fc.Arbitrary<Op[]> {
  const w = (i: number) => (kinds[i] === 'valid' ? 1 : widths[i]);
  const match = fc.tuple(...kinds.map((k, i) => fieldValue(k, w(i))));
  const kv = fc.tuple(...kinds.map((_, i) => value(w(i))));
  return fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(match, fc.integer({ min: 1, max: 3 }))
          .map(([m, priority]): Op => ({ op: 'insert', match: m, priority })),
      },
      { weight: 1, arbitrary: fc.nat().map((pick): Op => ({ op: 'delete', pick })) },
      { weight: 3, arbitrary: kv.map((v): Op => ({ op: 'lookup', kv: v })) },
      {
        weight: 3,
        arbitrary: fc.tuple(fc.nat(), kv).map(([pick, noise]): Op => ({ op: 'probe', pick, noise })),
      },
    ),
    { maxLength: 60 },
  );
}

/** A key that hits entry `e` where it constrains a field, `noise` elsewhere. */
function keyFor(e: TableEntryRecord, noise: readonly bigint[]): bigint[] {
  return e.match.map((m, i) => {
    if (m === undefined) return noise[i];
    switch (m.kind) {
      case 'ternary':
        return m.value | (noise[i] & ~m.mask);
      case 'range':
        return m.low;
      case 'valid':
        return m.value ? 1n : 0n;
      default:
        return BigInt(m.value);
    }
  });
}

/**
 * Which entry a key and priority name, as bmv2 tells entries apart: don't-care fields (zero masks,
 * full ranges, zero prefixes) alike, an optional as a full-mask ternary, lpm keys by value and prefix
 * length.
 */
function identity(match: readonly (MatchFieldValue | undefined)[], priority: number, def: TableDef): string {
  const parts = match.map((m, i) => {
    const width = def.keys[i].width;
    if (m === undefined) return '*';
    switch (m.kind) {
      case 'exact':
        return `=${BigInt(m.value)}`;
      case 'valid':
        return `v${m.value}`;
      case 'optional':
        return `${m.value}&${mask(width)}`;
      case 'ternary':
        return m.mask === 0n ? '*' : `${m.value}&${m.mask}`;
      case 'range':
        return m.low === 0n && m.high === mask(width) ? '*' : `${m.low}-${m.high}`;
      default:
        return m.prefixLength === 0 ? '*' : `${m.value}/${m.prefixLength}`;
    }
  });
  return `${parts.join('|')}#${priority}`;
}

describe('tuple-space search for ternary and range tables', () => {
  it('hits exactly the entry a linear scan by (priority desc, handle asc) finds', () => {
    fc.assert(
      fc.property(
        kindsArb.chain((kinds) =>
          widthsArb.chain((widths) =>
            fc.tuple(fc.constant(kinds), fc.constant(widths), opsArb(kinds, widths)),
          ),
        ),
        ([kinds, widths, ops]) => {
          const def = tableDef(kinds, widths);
          const table = new TableState(def, undefined, () => 0);
          const live: number[] = [];
          const check = (kv: readonly bigint[]) => {
            const expected = linearLookup(table.readEntries(), def, kv);
            const got = table.match(kv.map((v, i) => storage(v, def.keys[i].width)));
            expect(got).toBe(expected);
          };
          for (const op of ops) {
            if (op.op === 'insert') {
              const wanted = identity(op.match, op.priority, def);
              const had = table.readEntries().some((e) => identity(e.match, e.priority, def) === wanted);
              let refused = false;
              try {
                live.push(
                  table.addEntry(op.match, op.priority, { type: 'action', name: 'noop', params: [] }),
                );
              } catch (error) {
                // Same key and priority twice: refused, as bmv2 does.
                expect((error as Error).message).toMatch(/already exists/);
                refused = true;
              }
              // Refused exactly when an entry with the same key and priority is installed.
              expect(refused).toBe(had);
            } else if (op.op === 'delete') {
              if (live.length === 0) continue;
              const [h] = live.splice(op.pick % live.length, 1);
              table.deleteEntry(h);
            } else if (op.op === 'lookup') {
              check(op.kv);
            } else {
              if (live.length === 0) continue;
              check(keyFor(table.getEntry(live[op.pick % live.length]), op.noise));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('among equal priorities in different shapes, the lowest handle wins (also a reused one)', () => {
    const def = tableDef(['ternary', 'ternary'], [8, 8]);
    const table = new TableState(def, undefined, () => 0);
    const add = (match: (MatchFieldValue | undefined)[]) =>
      table.addEntry(match, 3, { type: 'action', name: 'noop', params: [] });
    const byFirst = (v: bigint): MatchFieldValue => ({ kind: 'ternary', value: v, mask: 0xffn });
    // Shape "first field" is created first, but its matching entry gets the later handle.
    const h0 = add([byFirst(9n), undefined]);
    const h1 = add([undefined, byFirst(2n)]);
    const h2 = add([byFirst(1n), undefined]);
    expect([h0, h1, h2]).toEqual([0, 1, 2]);
    expect(table.match([1, 2])).toBe(h1);
    table.deleteEntry(h0);
    const h0again = add([byFirst(1n), byFirst(2n)]);
    expect(h0again).toBe(0);
    expect(table.match([1, 2])).toBe(0);
    table.deleteEntry(h0again);
    table.deleteEntry(h1);
    expect(table.match([1, 2])).toBe(h2);
    expect(table.match([2, 2])).toBeUndefined();
  });

  it('probes shapes, not entries: 5,000 rules of 3 shapes resolve like the linear scan', () => {
    const def = tableDef(['exact', 'ternary', 'ternary', 'range'], [24, 16, 16, 16]);
    const table = new TableState(def, undefined, () => 0);
    const rules: { match: MatchFieldValue[]; priority: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const vni = BigInt(i % 100);
      const src = BigInt(i % 37);
      const shape = i % 3;
      const match: MatchFieldValue[] = [
        { kind: 'exact', value: vni },
        shape === 0
          ? { kind: 'ternary', value: 0n, mask: 0n }
          : { kind: 'ternary', value: src, mask: 0xffffn },
        { kind: 'ternary', value: BigInt(i), mask: 0xffffn },
        shape === 2 ? { kind: 'range', low: 1000n, high: 2000n } : { kind: 'range', low: 0n, high: 0xffffn },
      ];
      rules.push({ match, priority: 1 + (i % 7) });
      table.addEntry(
        match.map((m) => (m.kind === 'ternary' && m.mask === 0n ? undefined : m)),
        1 + (i % 7),
        { type: 'action', name: 'noop', params: [] },
      );
    }
    const entries = table.readEntries();
    for (let i = 0; i < 5000; i += 7) {
      const kv = [BigInt(i % 100), BigInt(i % 37), BigInt(i), 1500n];
      expect(table.match(kv.map((v, j) => storage(v, def.keys[j].width)))).toBe(
        linearLookup(entries, def, kv),
      );
    }
  });
});

describe('LPM tables (one lpm field and exact fields): one hash map per prefix length', () => {
  it('hits the matching entry with the longest prefix, as a linear scan finds it', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom(8, 12, 32, 48), fc.constantFrom(3, 16, 40))
      .chain(([lpmAt, lpmWidth, exactWidth]) => {
        const kinds: MatchKind[] = ['exact', 'exact'];
        kinds.splice(lpmAt, 0, 'lpm');
        const widths = kinds.map((k) => (k === 'lpm' ? lpmWidth : exactWidth));
        const entry = fc.tuple(
          ...kinds.map((k, i) =>
            k === 'lpm'
              ? fc.tuple(value(widths[i]), fc.integer({ min: 1, max: widths[i] })).map(([v, p]) => {
                  const eff = effectivePrefix(p, widths[i]);
                  return {
                    kind: 'lpm' as const,
                    value: v & (mask(widths[i]) ^ mask(widths[i] - eff)),
                    prefixLength: p,
                  };
                })
              : fc.constantFrom(0n, 1n).map((v) => ({ kind: 'exact' as const, value: v })),
          ),
        );
        const key = fc.tuple(
          ...kinds.map((k, i) => (k === 'lpm' ? value(widths[i]) : fc.constantFrom(0n, 1n))),
        );
        return fc.tuple(
          fc.constant(kinds),
          fc.constant(widths),
          fc.array(entry, { maxLength: 40 }),
          fc.array(key, { maxLength: 20 }),
        );
      });
    fc.assert(
      fc.property(arb, ([kinds, widths, entries, keys]) => {
        const def = tableDef(kinds, widths, 'lpm');
        const table = new TableState(def, undefined, () => 0);
        for (const match of entries) {
          try {
            table.addEntry(match, 0, { type: 'action', name: 'noop', params: [] });
          } catch (error) {
            expect((error as Error).message).toMatch(/already exists/);
          }
        }
        const records = table.readEntries();
        const li = kinds.indexOf('lpm');
        const prefixOf = (e: TableEntryRecord) => {
          const m = e.match[li];
          return m?.kind === 'lpm' ? effectivePrefix(m.prefixLength, widths[li]) : 0;
        };
        const probes = [...keys, ...records.map((e) => keyFor(e, keys[0] ?? kinds.map(() => 0n)))];
        for (const kv of probes) {
          let best: TableEntryRecord | undefined;
          for (const e of records) {
            if (!e.match.every((m, i) => fieldMatches(m, kv[i], widths[i]))) continue;
            if (!best || prefixOf(e) > prefixOf(best)) best = e;
          }
          expect(table.match(kv.map((v, i) => storage(v, widths[i])))).toBe(best?.handle);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('exact tables: fields of 33 to 53 bits indexed by number', () => {
  const noop = { type: 'action' as const, name: 'noop', params: [] };

  it('finds entries written as bigints or numbers by the bigints a packet reads, and reads keys back as bigints', () => {
    for (const widths of [[48], [53], [24, 48], [48, 64, 8]]) {
      const def = tableDef(
        widths.map(() => 'exact'),
        widths,
        'exact',
      );
      const table = new TableState(def, undefined, () => 0);
      // Values near the top of each width (2^53 - 1 is the largest a number holds exactly).
      const key = (i: number) => widths.map((w) => mask(w) - BigInt(i));
      const handles: number[] = [];
      for (let i = 0; i < 50; i++) {
        const match: MatchFieldValue[] = key(i).map((v, f) =>
          // Half the entries as numbers where they fit, as the P4Runtime adapter passes narrow values.
          i % 2 === 0 && widths[f] <= 53 ? { kind: 'exact', value: Number(v) } : { kind: 'exact', value: v },
        );
        handles.push(table.addEntry(match, 0, noop));
      }
      const packetRead = (kv: bigint[]) => kv.map((v, f) => storage(v, widths[f]));
      for (let i = 0; i < 50; i++) {
        expect(table.match(packetRead(key(i)))).toBe(handles[i]);
        expect(table.getEntry(handles[i]).match).toEqual(key(i).map((value) => ({ kind: 'exact', value })));
      }
      expect(table.match(packetRead(key(50)))).toBeUndefined();
      // The same key again, as a number or a bigint: refused.
      expect(() =>
        table.addEntry([...key(3).map((value) => ({ kind: 'exact' as const, value }))], 0, noop),
      ).toThrow(/already exists/);
      table.deleteEntry(handles[3]);
      expect(table.match(packetRead(key(3)))).toBeUndefined();
      expect(table.match(packetRead(key(4)))).toBe(handles[4]);
    }
  });
});
