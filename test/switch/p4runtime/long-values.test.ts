// 64-bit message fields (Long) to bigint from their two halves, checked against the decimal string.
import fc from 'fast-check';
import Long from 'long';
import { expect, it } from 'vitest';
import { toBigInt } from '../../../src/switch/p4runtime/frontend/pipeline.js';

it('converts every signed and unsigned Long like its decimal string', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer(), fc.boolean(), (low, high, unsigned) => {
      const long = Long.fromBits(low, high, unsigned);
      expect(toBigInt(long)).toBe(BigInt(long.toString()));
    }),
  );
  expect(toBigInt(Long.fromBits(0, 0, true))).toBe(0n);
  expect(toBigInt(Long.fromBits(-1, -1, true))).toBe(2n ** 64n - 1n);
  expect(toBigInt(Long.fromBits(-1, -1, false))).toBe(-1n);
  expect(toBigInt(Long.fromBits(-1, 0, false))).toBe(2n ** 32n - 1n);
});
