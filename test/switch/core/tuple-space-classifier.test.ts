// The tuple-space classifier alone against a linear reference: random keys of masked and range
// fields (widths of numbers and of bigints), random inserts, duplicate checks, deletes and lookups,
// with its hash cut to a few bits (or none) so that different masked keys share a slot and are told
// apart by comparing their fields.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClassifierEntry,
  type ClassifierValue,
  TupleSpaceClassifier,
} from '../../../src/switch/core/tuple-space.js';

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const storage = (v: bigint, width: number): ClassifierValue => (width <= 32 ? Number(v) : v);

/** A random value of `width` bits, biased towards a few values so that keys collide. */
const value = (width: number) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: mask(width) }),
    fc.constantFrom(0n, 1n, 2n, mask(width), mask(width) >> 1n).map((v) => v & mask(width)),
  );

interface Field {
  readonly range: boolean;
  readonly width: number;
}

/** A field's two values (value and mask, or low and high), as bigints. */
function fieldArb(f: Field): fc.Arbitrary<[bigint, bigint]> {
  const full = mask(f.width);
  if (f.range)
    return fc.oneof(
      fc.constant<[bigint, bigint]>([0n, full]),
      value(f.width).map((v): [bigint, bigint] => [v, v]),
      fc.tuple(value(f.width), value(f.width)).map(([a, b]): [bigint, bigint] => (a < b ? [a, b] : [b, a])),
    );
  return fc.oneof(
    fc.constant<[bigint, bigint]>([0n, 0n]),
    value(f.width).map((v): [bigint, bigint] => [v, full]),
    fc
      .tuple(value(f.width), fc.oneof(value(f.width), fc.constantFrom(full, full ^ 0xffn, 1n)))
      .map(([v, m]): [bigint, bigint] => [v & m & full, m & full]),
  );
}

interface TestEntry extends ClassifierEntry {
  readonly big: readonly [bigint, bigint][];
}

type Op =
  | { op: 'insert'; big: [bigint, bigint][]; priority: number }
  | { op: 'delete'; pick: number }
  | { op: 'lookup'; kv: bigint[] }
  | { op: 'probe'; pick: number; noise: bigint[] };

const fieldsArb = fc.array(
  fc.record({ range: fc.boolean(), width: fc.constantFrom(1, 3, 8, 16, 32, 33, 48, 64, 128) }),
  { minLength: 1, maxLength: 4 },
);

function opsArb(fields: readonly Field[]): fc.Arbitrary<Op[]> {
  const key = fc.tuple(...fields.map(fieldArb));
  const kv = fc.tuple(...fields.map((f) => value(f.width)));
  return fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(key, fc.integer({ min: 1, max: 3 }))
          .map(([big, priority]): Op => ({ op: 'insert', big, priority })),
      },
      { weight: 2, arbitrary: fc.nat().map((pick): Op => ({ op: 'delete', pick })) },
      { weight: 3, arbitrary: kv.map((v): Op => ({ op: 'lookup', kv: v })) },
      {
        weight: 3,
        arbitrary: fc.tuple(fc.nat(), kv).map(([pick, noise]): Op => ({ op: 'probe', pick, noise })),
      },
    ),
    { maxLength: 80 },
  );
}

/** The linear definition: every field matches; largest priority, then lowest handle, wins. */
function linear(entries: readonly TestEntry[], fields: readonly Field[], kv: readonly bigint[]) {
  let best: TestEntry | undefined;
  for (const e of entries) {
    const hit = fields.every((f, i) => {
      const [a, b] = e.big[i];
      return f.range ? a <= kv[i] && kv[i] <= b : (kv[i] & b) === a;
    });
    if (!hit) continue;
    if (!best || e.priority > best.priority || (e.priority === best.priority && e.handle < best.handle))
      best = e;
  }
  return best;
}

/** bmv2's duplicate: same priority and, field by field, the same masked value or the same range. */
function sameEntry(a: TestEntry, big: readonly [bigint, bigint][], priority: number): boolean {
  return a.priority === priority && a.big.every(([x, y], i) => x === big[i][0] && y === big[i][1]);
}

/** A key that hits `e` where it constrains a field, `noise` elsewhere. */
function keyFor(e: TestEntry, fields: readonly Field[], noise: readonly bigint[]): bigint[] {
  return fields.map((f, i) => {
    const [a, b] = e.big[i];
    return f.range ? (noise[i] >= a && noise[i] <= b ? noise[i] : b) : a | (noise[i] & ~b & mask(f.width));
  });
}

describe('tuple-space classifier against a linear scan', () => {
  it('finds duplicates and winners exactly, whatever the hashes of masked keys share', () => {
    fc.assert(
      fc.property(
        fieldsArb.chain((fields) =>
          fc.tuple(fc.constant(fields), fc.constantFrom(0x3fffffff, 3, 0), opsArb(fields)),
        ),
        ([fields, hashMask, ops]) => {
          const widths = fields.map((f) => f.width);
          const classifier = new TupleSpaceClassifier<TestEntry>(
            widths,
            fields.map((f) => f.range),
            hashMask,
          );
          const live: TestEntry[] = [];
          const freeHandles: number[] = [];
          let nextHandle = 0;
          const check = (kv: readonly bigint[]) => {
            const got = classifier.lookup(kv.map((v, i) => storage(v, widths[i])));
            expect(got?.handle).toBe(linear(live, fields, kv)?.handle);
          };
          for (const op of ops) {
            if (op.op === 'insert') {
              const key = op.big.flatMap(([a, b], i) => [storage(a, widths[i]), storage(b, widths[i])]);
              const duplicate = live.find((e) => sameEntry(e, op.big, op.priority));
              expect(classifier.find(key, op.priority, undefined)).toBe(duplicate);
              if (duplicate) continue;
              // Handles are reused lowest first, as bmv2's are.
              freeHandles.sort((a, b) => a - b);
              const handle = freeHandles.length > 0 ? freeHandles.shift()! : nextHandle++;
              const e: TestEntry = { handle, priority: op.priority, key, big: op.big };
              classifier.insert(e);
              live.push(e);
            } else if (op.op === 'delete') {
              if (live.length === 0) continue;
              const [e] = live.splice(op.pick % live.length, 1);
              classifier.remove(e);
              freeHandles.push(e.handle);
              expect(classifier.find(e.key, e.priority, undefined)).toBeUndefined();
            } else if (op.op === 'lookup') {
              check(op.kv);
            } else {
              if (live.length === 0) continue;
              check(keyFor(live[op.pick % live.length], fields, op.noise));
            }
          }
          for (const e of live) expect(classifier.find(e.key, e.priority, undefined)).toBe(e);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps one shape per mask tuple and drops it with its last entry', () => {
    const classifier = new TupleSpaceClassifier<TestEntry>([8, 16], [false, true], 0);
    const entry = (handle: number, m: number, lo: number, hi: number): TestEntry => ({
      handle,
      priority: 1,
      key: [5 & m, m, lo, hi],
      big: [],
    });
    const a = entry(0, 0xff, 10, 20);
    const b = entry(1, 0xff, 30, 40);
    const c = entry(2, 0x0f, 7, 7);
    for (const e of [a, b, c]) classifier.insert(e);
    // a and b: an exact first field and a real range; c: a masked first field and one port.
    expect(classifier.shapeCount).toBe(2);
    expect(classifier.lookup([5, 35])).toBe(b);
    expect(classifier.lookup([0x25, 7])).toBe(c);
    classifier.remove(c);
    expect(classifier.shapeCount).toBe(1);
    expect(classifier.lookup([0x25, 7])).toBeUndefined();
    classifier.remove(a);
    classifier.remove(b);
    expect(classifier.shapeCount).toBe(0);
    expect(classifier.lookup([5, 35])).toBeUndefined();
  });
});
