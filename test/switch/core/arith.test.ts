import { describe, expect, it } from 'vitest';
import {
  ARITH_IN,
  ARITH_OUT,
  arithOperandSets,
  arithPacket,
  arithReference,
} from '../helpers/arith-vectors.js';
import { byteLength, fixtureEngine, hex, unpack } from '../helpers/fixtures.js';

describe('expression semantics (arith.p4)', () => {
  const engine = fixtureEngine('arith');

  it('computes every operator like the P4_16 definitions, on random and edge operands', () => {
    for (const operands of arithOperandSets(300, 42)) {
      const result = engine.processPacket(0, arithPacket(operands));
      expect(result.error).toBeUndefined();
      expect(result.outputs).toHaveLength(1);
      expect(result.outputs[0].port).toBe(1);
      const bytes = result.outputs[0].bytes;
      // The operand header is emitted unchanged.
      expect(unpack(ARITH_IN, bytes)).toEqual(operands);
      const got = unpack(ARITH_OUT, bytes, byteLength(ARITH_IN));
      const want = arithReference(operands);
      for (const [name] of ARITH_OUT) {
        expect({ field: name, value: got[name] }, `operands ${hex(arithPacket(operands))}`).toEqual({
          field: name,
          value: want[name],
        });
      }
    }
  });
});
