// The exact index against a map keyed by the key's text: random keys of 1 to 4 fields (numbers of
// up to 53 bits, bigints beyond), inserts (claim and fill), lookups and deletes, in the hashed
// layout with its hash cut to a few bits (or none) so that keys share slots, and in the nested one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactIndex, type ExactValue } from '../../../src/switch/core/exact-index.js';

interface Filed {
  readonly key: readonly ExactValue[];
  readonly id: number;
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** A value of `width` bits, in the index's representation, biased to a few values so that keys repeat. */
const value = (width: number): fc.Arbitrary<ExactValue> =>
  fc
    .oneof(
      fc.bigInt({ min: 0n, max: mask(width) }),
      fc.constantFrom(0n, 1n, mask(width)).map((v) => v & mask(width)),
    )
    .map((v) => (width <= 53 ? Number(v) : v));

type Op =
  | { op: 'insert'; key: ExactValue[] }
  | { op: 'delete'; pick: number }
  | { op: 'get'; key: ExactValue[] };

const text = (key: readonly ExactValue[]) => key.map(String).join(',');

describe('exact index against a map by key text', () => {
  it('claims, finds and deletes exactly the keys filed, whatever their hashes share', () => {
    const arb = fc
      .array(fc.constantFrom(1, 9, 12, 24, 32, 48, 53, 64, 128), { minLength: 1, maxLength: 4 })
      .chain((widths) => {
        const key = fc.tuple(...widths.map(value));
        const ops = fc.array(
          fc.oneof(
            { weight: 4, arbitrary: key.map((k): Op => ({ op: 'insert', key: k })) },
            { weight: 2, arbitrary: fc.nat().map((pick): Op => ({ op: 'delete', pick })) },
            { weight: 3, arbitrary: key.map((k): Op => ({ op: 'get', key: k })) },
          ),
          { maxLength: 80 },
        );
        return fc.tuple(fc.constant(widths), fc.constantFrom(0x3fffffff, 3, 0), fc.boolean(), ops);
      });
    fc.assert(
      fc.property(arb, ([widths, hashMask, hashed, ops]) => {
        const numbers = widths.every((w) => w <= 53);
        // The table's rule: the hashed layout for keys of numbers only.
        const index = new ExactIndex<Filed>(
          widths.length,
          hashed && numbers ? (e, values) => e.key.every((v, i) => v === values[i]) : undefined,
          hashMask,
        );
        const model = new Map<string, Filed>();
        const one = widths.length === 1;
        const get = (key: readonly ExactValue[]) => (one ? index.getOne(key[0]) : index.get(key));
        let id = 0;
        for (const op of ops) {
          if (op.op === 'insert') {
            const had = model.get(text(op.key));
            const free = index.claim(one ? op.key[0] : op.key);
            expect(free).toBe(had === undefined);
            if (!free) continue;
            const e = { key: op.key, id: id++ };
            index.fill(e);
            model.set(text(op.key), e);
          } else if (op.op === 'delete') {
            const filed = [...model.values()];
            if (filed.length === 0) continue;
            const e = filed[op.pick % filed.length];
            if (one) index.deleteOne(e.key[0]);
            else index.delete(e.key);
            model.delete(text(e.key));
            expect(get(e.key)).toBeUndefined();
          } else {
            expect(get(op.key)).toBe(model.get(text(op.key)));
          }
        }
        for (const e of model.values()) expect(get(e.key)).toBe(e);
      }),
      { numRuns: 400 },
    );
  });
});
