// planned-wire.ts writes regular entries field by field; for random entries of every table and
// action of the VTEP program (values of every width, given as numbers, bigints, MAC text and
// bytes; ternary and range keys; entries given one after another of the same and of other tables),
// the bytes must be exactly those of the client's encoder (protobufjs' Entity.encode), entity by
// entity, and an entry the encoder refuses must still be refused with the encoder's error.
import { type ConnectOptions, P4RuntimeClient, type P4Value, p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { vtepProgram } from '../../src/controller/index.js';
import type { PlannedEntity } from '../../src/controller/plan.js';
import { encodePlanned } from '../../src/controller/planned-key.js';
import { encodePlanWire } from '../../src/controller/planned-wire.js';
import { seededRandom as random } from '../seeded-random.js';

describe('wire bytes of random planned entries', () => {
  it('are those of the client encoder, table by table and interleaved', async () => {
    const Client = P4RuntimeClient as unknown as new (o: ConnectOptions) => P4RuntimeClient;
    const client = new Client({ address: '127.0.0.1:1' });
    try {
      const index = client.bindP4Info((await vtepProgram()).p4info);
      const rnd = random(0x11_5eed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
      /** A number of `bits` bits, biased to the edges (0, 1, the largest) and to short values. */
      const uint = (bits: number): number => {
        const max = bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
        const r = rnd();
        if (r < 0.1) return 0;
        if (r < 0.15) return Math.min(1, max);
        if (r < 0.25) return max;
        const width = 1 + Math.floor(rnd() * Math.min(bits, 53));
        return Math.floor(rnd() * 2 ** width) % (max + 1);
      };
      const hex2 = (b: number) => b.toString(16).padStart(2, '0');
      const value = (bits: number): P4Value => {
        const r = rnd();
        if (bits >= 48 && r < 0.4) {
          // MAC text, with leading zero bytes and upper-case digits now and then.
          const bytes = Array.from({ length: 6 }, (_, i) => (i < Math.floor(rnd() * 7) ? 0 : uint(8)));
          const text = bytes.map(hex2).join(':');
          return rnd() < 0.2 ? text.toUpperCase() : text;
        }
        if (r < 0.5) return uint(Math.min(bits, 32));
        if (r < 0.65) return BigInt(uint(Math.min(bits, 53)));
        if (r < 0.75) {
          const n = Math.ceil(bits / 8);
          return Uint8Array.from({ length: n }, (_, i) =>
            i === 0 ? uint(8) & (2 ** (bits - 8 * (n - 1)) - 1) : uint(8),
          );
        }
        return uint(Math.min(bits, 53));
      };
      const tables = [...index.tables].filter(
        (t) =>
          !t.implementation &&
          t.matchFields.list.every((f) => ['exact', 'ternary', 'range'].includes(f.matchKind)),
      );
      expect(tables.length).toBeGreaterThan(5);
      const entry = (t: (typeof tables)[number]): PlannedEntity => {
        const actions = [...t.actions].filter((a) => a.scope !== 'DEFAULT_ONLY');
        const a = pick(actions);
        const match: Record<string, unknown> = {};
        for (const f of t.matchFields.list) {
          const bits = f.bitwidth;
          if (f.matchKind === 'exact') match[f.name] = value(bits);
          else if (f.matchKind === 'ternary') {
            const r = rnd();
            match[f.name] =
              r < 0.3 ? null : { value: uint(Math.min(bits, 32)), mask: uint(Math.min(bits, 32)) };
          } else {
            const r = rnd();
            if (r < 0.3) match[f.name] = null;
            else {
              const x = uint(Math.min(bits, 32));
              const y = uint(Math.min(bits, 32));
              match[f.name] = { low: Math.min(x, y), high: Math.max(x, y) };
            }
          }
        }
        const params: Record<string, P4Value> = {};
        for (const p of a.params.list) params[p.name] = value(p.bitwidth);
        return {
          kind: 'table',
          table: t.name,
          match,
          action: a.name,
          params,
          ...(t.requiresPriority ? { priority: 1 + uint(31) } : {}),
        } as PlannedEntity;
      };
      // Runs of one table (the planner's order) and entries of every table mixed.
      const entities: PlannedEntity[] = [];
      for (const t of tables) for (let i = 0; i < 150; i++) entities.push(entry(t));
      for (let i = 0; i < 3000; i++) entities.push(entry(pick(tables)));

      const accepted: PlannedEntity[] = [];
      const expected: string[] = [];
      let refused = 0;
      for (const e of entities) {
        try {
          expected.push(Buffer.from(p4.v1.Entity.encode(encodePlanned(client, e)).finish()).toString('hex'));
          accepted.push(e);
        } catch (error) {
          // A value the encoder refuses (too wide for its field): the same error from the fast path.
          expect(() => encodePlanWire(client, [e])).toThrow((error as Error).message);
          refused++;
        }
      }
      // All the accepted ones at once, in one buffer, one after another.
      const wire = encodePlanWire(client, accepted);
      accepted.forEach((e, i) => {
        expect(Buffer.from(wire.bytes(i)).toString('hex'), `${e.kind} ${i}`).toBe(expected[i]);
      });
      expect(accepted.length).toBeGreaterThan(3000);
      expect(refused).toBeLessThan(entities.length / 2);
    } finally {
      await client.close();
    }
  });
});
