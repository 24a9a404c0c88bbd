// wire-diff.ts compares a plan with what a device returned by bytes, looking first at the device's
// next entity of the same table (devices list a table in the order it was written) and else by
// hash. Whatever order the device lists its entities in, the diff must be diffDevice's: the same
// changes (kind, table, owner, key), the same drift and the same count of unchanged entities.
import { p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import {
  deviceTargets,
  diffDevice,
  encodePlan,
  planFabric,
  vtepProgram,
} from '../../src/controller/index.js';
import { encodePlanned } from '../../src/controller/planned-key.js';
import { encodePlanWire } from '../../src/controller/planned-wire.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import type { Diff } from '../../src/controller/reconcile.js';
import { diffWire } from '../../src/controller/wire-diff.js';
import { mixedFamilyFabric, startLab } from './helpers.js';

/** What a diff says, in an order of its own. */
const said = (d: Diff) => ({
  changes: d.changes.map((c) => `${c.kind} ${c.table} ${c.owner} ${c.key}`).sort(),
  drift: d.drift.map((c) => `${c.kind} ${c.table} ${c.owner}`).sort(),
  unchanged: d.unchanged,
});

/** A ReadResponse of `entities` in chunks of `chunk`, as a device streams them. */
function readOf(entities: readonly Uint8Array[], chunk: number): WireSnapshot {
  const snapshot = new WireSnapshot();
  for (let i = 0; i < entities.length; i += chunk) {
    const part = entities.slice(i, i + chunk).map((bytes) => p4.v1.Entity.decode(bytes));
    snapshot.add(p4.v1.ReadResponse.encode({ entities: part }).finish());
  }
  return snapshot;
}

describe('the diff of a plan with a device by bytes', () => {
  it("is diffDevice's whatever order the device lists its entities in", async () => {
    const lab = await startLab(2);
    try {
      await lab.withClient(0, async (client) => {
        client.bindP4Info((await vtepProgram()).p4info);
        const fabric = mixedFamilyFabric({ tenants: 12, workloads: 200, policies: 30, identities: 5 });
        const [target] = deviceTargets({ format: 'fabric', file: 'x', fabric, where: () => '' });
        const plan = entitiesForProgram(client.p4info, planFabric(target.intent).entities);
        const wire = encodePlanWire(client, plan);
        const planned = plan.map((_, i) => wire.bytes(i));
        // The device: every planned entity but a few, one of them with another action parameter,
        // and one entry nobody planned (drift).
        const held = planned.filter((_, i) => i % 37 !== 5);
        const changedAt = planned.findIndex((_, i) => {
          const e = plan[i];
          return e.kind === 'table' && e.table === 'overlay_mac' && e.action === 'to_remote_vtep';
        });
        const changed = plan[changedAt];
        if (changed.kind !== 'table') throw new Error('no remote endpoint planned');
        held[held.indexOf(planned[changedAt])] = p4.v1.Entity.encode(
          // (Its fields named: a workload's entry makes its match and parameters when asked, plan.ts.)
          encodePlanned(client, {
            kind: 'table',
            table: changed.table,
            match: changed.match,
            action: changed.action,
            params: { tunnel_id: 999 },
          }),
        ).finish();
        held.push(
          p4.v1.Entity.encode(
            client.tableEntry('overlay_mac', {
              match: { vni: 77, dst_mac: '02:00:00:00:77:77' },
              action: 'to_remote_vtep',
              params: { tunnel_id: 1 },
            }),
          ).finish(),
        );
        // Listed by table in the plan's order (as a device written by the controller does), in
        // reverse, shuffled, and in the plan's order with runs of entities swapped (batches
        // applied out of order).
        const tableOf = (b: Uint8Array) => p4.v1.Entity.decode(b).tableEntry?.tableId ?? 0;
        const byTable = [...held].sort((a, b) => tableOf(a) - tableOf(b));
        let seed = 7;
        const shuffled = [...held];
        for (let i = shuffled.length - 1; i > 0; i--) {
          seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
          const j = seed % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const swapped: Uint8Array[] = [];
        for (let i = 0; i < byTable.length; i += 40)
          swapped.push(...byTable.slice(i + 20, i + 40), ...byTable.slice(i, i + 20));
        const expected = said(diffDevice(client.p4info, encodePlan(client, plan), readOf(held, 50).toMap()));
        expect(expected.changes.filter((c) => c.startsWith('insert')).length).toBeGreaterThan(3);
        expect(expected.changes.filter((c) => c.startsWith('modify'))).toHaveLength(1);
        expect(expected.drift).toHaveLength(1);
        for (const order of [held, byTable, [...byTable].reverse(), shuffled, swapped]) {
          const snapshot = readOf(order, 50);
          expect(said(diffWire(client, client.p4info, plan, snapshot))).toEqual(expected);
        }
        // A device holding exactly the plan, in its order: nothing to do.
        const same = diffWire(client, client.p4info, plan, readOf(planned, 1000));
        expect([same.changes.length, same.drift.length, same.unchanged]).toEqual([0, 0, plan.length]);
      });
    } finally {
      await lab.stop();
    }
  });
});
