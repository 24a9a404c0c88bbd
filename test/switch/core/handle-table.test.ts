// Entry handles as bmv2's HandleMgr hands them out (lowest free first), against a set-based model.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { HandleTable } from '../../../src/switch/core/handle-table.js';

it('always takes the lowest free handle and keeps values in handle order', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat(200)), { maxLength: 300 }), (ops) => {
      const table = new HandleTable<string>();
      const model = new Map<number, string>();
      for (const op of ops) {
        if (op === -1) {
          let lowest = 0;
          while (model.has(lowest)) lowest++;
          expect(table.nextHandle()).toBe(lowest);
          expect(table.add(`v${lowest}`)).toBe(lowest);
          model.set(lowest, `v${lowest}`);
        } else {
          expect(table.delete(op)).toBe(model.delete(op));
        }
        expect(table.size).toBe(model.size);
      }
      const ordered = [...model.keys()].sort((a, b) => a - b).map((h) => model.get(h));
      expect([...table.values()]).toEqual(ordered);
      expect(table.get(1.5)).toBeUndefined();
      expect(table.get(-1)).toBeUndefined();
    }),
  );
});
