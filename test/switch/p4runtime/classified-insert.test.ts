// The one-pass INSERT of ACL-like tables (frontend/tables.ts insertClassified, classified-insert.ts,
// device addClassifiedEntry, engine addClassifiedEntry) against the general path (DeviceManager
// `commonInsert: false`): seeded random batches of INSERTs into the tables with a priority of three
// programs, mostly valid, and broken in each way PI refuses or the one pass declines, applied to two
// servers, one with each path. Every update must get the same result and the two devices must hold
// the same entries (wildcard reads, as bytes and as messages) and classify keys alike.
import { describe, expect, it, vi } from 'vitest';
import { TableState } from '../../../src/switch/core/tables.js';
import type { EngineDevice } from '../../../src/switch/p4runtime/device/engine-device.js';
import { EncodedEntries } from '../../../src/switch/p4runtime/frontend/encoded-entries.js';
import { TableManager } from '../../../src/switch/p4runtime/frontend/tables.js';
import { decodeWriteRequest } from '../../../src/switch/p4runtime/grpc/write-request.js';
import { classifiedTables, classifiedWrite, ones, random } from './classified-writes.js';
import { p4 } from './helpers.js';
import { PROGRAMS, pathServer, tableContents } from './insert-paths.js';

/** The engine's table (the runtime's own, for lookups by key values). */
function engineTable(device: EngineDevice, name: string): TableState {
  const engine = device.engine as unknown as { rt: { tables: TableState[] } };
  const table = engine.rt.tables.find((t) => t.def.name === name);
  if (!table) throw new Error(`no table ${name}`);
  return table;
}

describe('the one-pass INSERT of tables with a priority gives what the general path gives', () => {
  for (const [n, program] of PROGRAMS.entries()) {
    it(`${program.name}: random INSERTs, decoded and as plain objects`, async () => {
      const p4info = program.p4info();
      const tables = classifiedTables(p4info);
      expect(tables.length).toBeGreaterThan(0);
      const fast = pathServer(program, p4info, true);
      const general = pathServer(program, p4info, false);
      const rnd = random(2600 + n);
      const classifiedAdds = vi.spyOn(TableState.prototype, 'addClassifiedEntry');
      // The decoded batches' INSERTs are records (common-write.ts ClassifiedTableWrite) added from
      // the request's bytes, most keeping those bytes as the read encoding.
      const spanAdds = vi.spyOn(
        TableManager.prototype as unknown as { insertClassifiedWrite: () => boolean },
        'insertClassifiedWrite',
      );
      const copies = vi.spyOn(EncodedEntries.prototype, 'storeCopy');
      let applied = 0;
      let refused = 0;
      for (let batch = 0; batch < 30; batch++) {
        const updates = Array.from({ length: 50 }, () => classifiedWrite(tables, p4info, rnd));
        const bytes = p4.v1.WriteRequest.encode({ deviceId: 1, updates }).finish();
        const request = (): p4.v1.IWriteRequest =>
          batch % 2 === 0 ? decodeWriteRequest(bytes) : { deviceId: 1, updates };
        const a = await fast.manager.writeInSlices(request());
        const b = await general.manager.writeInSlices(request());
        expect(a).toEqual(b);
        applied += a.filter((e) => (e.canonicalCode ?? 0) === 0).length;
        refused += a.filter((e) => (e.canonicalCode ?? 0) !== 0).length;
        expect(tableContents(fast.manager)).toEqual(tableContents(general.manager));
      }
      // As many entries as the tables hold (server_all's has room for 32), and refusals of each kind.
      const room = Math.min(
        200,
        tables.reduce((sum, t) => sum + Number(t.size ?? 0), 0),
      );
      expect(applied).toBeGreaterThanOrEqual(room);
      expect(refused).toBeGreaterThan(50);
      // The one pass was taken, on the first server only.
      expect(classifiedAdds.mock.calls.length).toBeGreaterThanOrEqual(room);
      classifiedAdds.mockRestore();
      expect(spanAdds.mock.results.filter((r) => r.value === true).length).toBeGreaterThanOrEqual(room / 3);
      // (Only entries whose every byte string is canonical keep the request bytes: a few per batch.)
      expect(copies.mock.calls.length).toBeGreaterThan(room / 20);
      spanAdds.mockRestore();
      copies.mockRestore();
      // Both engines classify keys alike (the key values the entries hold, and small ones).
      for (const t of tables) {
        const name = t.preamble?.name ?? '';
        const fastTable = engineTable(fast.device, name);
        const generalTable = engineTable(general.device, name);
        const widths = (t.matchFields ?? []).map((f) => f.bitwidth ?? 0);
        for (let probe = 0; probe < 200; probe++) {
          const kv = widths.map((w) => {
            const v = BigInt(Math.floor(rnd() * 4)) | (rnd() < 0.5 ? 0n : ones(w) - 3n);
            return w <= 32 ? Number(v & ones(w)) : v & ones(w);
          });
          expect(fastTable.match(kv)).toBe(generalTable.match(kv));
        }
      }
    });
  }
});

describe("PI's checks of a range and a priority, as simple_switch_grpc applies them", () => {
  const program = PROGRAMS[2];
  const p4info = program.p4info();
  const table = (p4info.tables ?? []).find((t) => t.preamble?.name === 'MyIngress.rng')!;
  const setRng = table.actionRefs?.[0]?.id;
  const insert = (low: number[], high: number[], priority: number): p4.v1.IWriteRequest => ({
    deviceId: 1,
    updates: [
      {
        type: 1,
        entity: {
          tableEntry: {
            tableId: table.preamble?.id,
            match: [
              { fieldId: 1, range: { low: Uint8Array.from(low), high: Uint8Array.from(high) } },
              { fieldId: 2, ternary: { value: Uint8Array.of(1), mask: Uint8Array.of(1) } },
            ],
            action: { action: { actionId: setRng, params: [{ paramId: 1, value: Uint8Array.of(7) }] } },
            priority,
          },
        },
      },
    ],
  });

  for (const fast of [true, false]) {
    it(`${fast ? 'one pass' : 'general path'}: don't care only as written; a negative priority is the device's refusal`, async () => {
      const { manager } = pathServer(program, p4info, fast);
      const codeOf = async (request: p4.v1.IWriteRequest) => {
        const [e] = await manager.writeInSlices(request);
        return `${e.canonicalCode ?? 0} ${e.message ?? ''}`;
      };
      // Low 0 and high 2^32-1 on four bytes each: PI's don't care, refused.
      expect(await codeOf(insert([0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], 5))).toMatch(
        /^3 Invalid representation of 'don't care' range match/,
      );
      // A canonical 0 (one byte) with the same high: a range to PI, installed.
      expect(await codeOf(insert([0], [0xff, 0xff, 0xff, 0xff], 5))).toBe('0 ');
      // PI does not check a negative priority: bmv2 refuses the entry (UNKNOWN, the target's error).
      expect(await codeOf(insert([1], [2], -1))).toMatch(/^2 Error when adding match entry to target/);
      const read = manager.read({ entities: [{ tableEntry: { tableId: table.preamble?.id } }] });
      expect(read.entities.map((e) => e.tableEntry?.priority)).toEqual([5]);
    });
  }
});
