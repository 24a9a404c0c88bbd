// The shortcuts of a first apply against the general paths they stand for, on random fabrics:
// - an intent the derivation made skips the planner's MAC clash checks (checked-intent.ts): its
//   plan must be that of the same intent checked (a copy, which the derivation did not make);
// - a workload's entry reads its values from its intent (plan.ts WorkloadEntry): its match,
//   parameters and owner must be the intent's values;
// - the diff against a device that holds nothing (wire-diff.ts: changes made from the plan's bytes,
//   their ranks found per run of a table) must be diffDevice's against nothing: the same changes
//   in the same order, and the same phases once ordered.
import { type ConnectOptions, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { beforeAll, describe, expect, it } from 'vitest';
import { macsChecked } from '../../src/controller/checked-intent.js';
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import { flatText } from '../../src/controller/flat-text.js';
import {
  deviceTargets,
  diffDevice,
  encodePlan,
  type Fabric,
  type FabricIntent,
  orderChanges,
  type PlannedEntity,
  planFabric,
  vtepProgram,
  WorkloadEntry,
} from '../../src/controller/index.js';
import { planPuntMeters } from '../../src/controller/punt-meters.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import type { Change } from '../../src/controller/reconcile.js';
import { diffWire } from '../../src/controller/wire-diff.js';
import { seededRandom as random } from '../seeded-random.js';
import { mixedFamilyFabric } from './helpers.js';

/** A fabric of a random shape, some workloads without VLAN, with upper-case MACs or with addresses. */
function randomFabric(seed: number): Fabric {
  const r = random(seed);
  const tenants = 2 + Math.floor(r() * 6);
  const f = mixedFamilyFabric({
    tenants,
    workloads: tenants * (1 + Math.floor(r() * 12)),
    policies: Math.floor(r() * 20),
    identities: 1 + Math.floor(r() * 4),
  });
  f.workloads.forEach((w, i) => {
    const x = r();
    if (x < 0.2) delete w.vlan;
    else if (x < 0.4) w.mac = w.mac.toUpperCase();
    else if (x < 0.5) w.ipv4 = `10.${seed & 0xff}.${i >> 8}.${i & 0xff}`;
  });
  return f;
}

const FABRICS: Array<[string, () => Fabric]> = [
  ...[1, 2, 3, 4, 5, 6].map((seed): [string, () => Fabric] => [
    `random fabric ${seed}`,
    () => randomFabric(seed),
  ]),
  ['mixed families', () => mixedFamilyFabric({ tenants: 10, workloads: 240, policies: 25, identities: 4 })],
];

/** An entity as the writer and messages see it (a workload's entry makes these when asked). */
function seen(e: PlannedEntity): unknown {
  if (e.kind !== 'table') return e;
  return {
    kind: e.kind,
    table: e.table,
    action: e.action,
    match: e.match,
    params: e.params,
    priority: e.priority,
    isDefaultAction: e.isDefaultAction,
    actionSet: e.actionSet,
    owner: e.owner,
  };
}

/** Checks the MACs of `intent` against the fabric, and its workload entries against the intent. */
function checkEntries(fabric: Fabric, intent: FabricIntent): void {
  const byName = new Map(fabric.workloads.map((w) => [w.name, w]));
  const plan = planFabric(intent);
  const slot = new Map(plan.tenants.map((t) => [t.vni, t.slot]));
  let workloads = 0;
  for (const t of intent.tenants) {
    for (const v of [...t.vports, ...(t.remoteEndpoints ?? [])]) expect(v.mac).toBe(byName.get(v.name!)!.mac);
  }
  for (const e of plan.entities) {
    if (!(e instanceof WorkloadEntry)) continue;
    workloads++;
    const tenant = intent.tenants.find((t) => t.name === e.tenant)!;
    const vni = tenant.vni;
    if (e.table === 'vport_classification') {
      const v = tenant.vports.find((x) => x.name === e.workload)!;
      expect(e.match).toEqual({ port: v.port, src_mac: v.mac, vlan_id: v.vlan ?? 0 });
      expect(e.params).toEqual({
        vport: e.params.vport,
        vni,
        security_id: v.securityId,
        tenant_slot: slot.get(vni),
      });
      expect(e.owner).toBe(`tenant ${tenant.name}, workload ${v.name}`);
    } else if (e.action === 'to_local_vport') {
      const v = tenant.vports.find((x) => x.name === e.workload)!;
      expect(e.match).toEqual({ vni, dst_mac: v.mac });
      expect(e.params).toEqual({
        port: v.port,
        vport: e.params.vport,
        vlan_id: v.vlan ?? 0,
        security_id: v.securityId,
      });
    } else {
      const r = tenant.remoteEndpoints!.find((x) => x.name === e.workload)!;
      expect(e.match).toEqual({ vni, dst_mac: r.mac });
      expect(e.owner).toBe(`tenant ${tenant.name}, workload ${r.name} behind ${r.vtep}`);
    }
    for (const [name, value] of [...Object.entries(e.match), ...Object.entries(e.params)]) {
      const at = e.slotOf(name);
      if (at >= 0) expect(e.valueAt(at)).toBe(value);
    }
  }
  expect(workloads).toBe(
    intent.tenants.reduce((n, t) => n + 2 * t.vports.length + (t.remoteEndpoints?.length ?? 0), 0),
  );
}

describe('an intent the derivation made', () => {
  it.each(FABRICS)('plans what the same intent plans with every check (%s)', (_, make) => {
    for (const target of deviceTargets({ format: 'fabric', file: 'x', fabric: make(), where: () => '' })) {
      expect(macsChecked(target.intent)).toBe(true);
      const copy: FabricIntent = structuredClone(target.intent);
      expect(macsChecked(copy)).toBe(false);
      const fast = planFabric(target.intent);
      const checked = planFabric(copy);
      expect(fast.entities.map(seen)).toEqual(checked.entities.map(seen));
      expect(fast.allocations).toEqual(checked.allocations);
      expect(fast.tenants).toEqual(checked.tenants);
    }
  });

  it.each(FABRICS)(
    "holds each MAC as given, and a workload's entry reads the intent's values (%s)",
    (_, make) => {
      const fabric = make();
      for (const target of deviceTargets({ format: 'fabric', file: 'x', fabric, where: () => '' }))
        checkEntries(fabric, target.intent);
    },
  );

  it('copies a text in one piece, equal to it', () => {
    for (const text of ['02:00:00:00:00:01', `02:${'ab:'.repeat(4)}cd`, '', 'é "q" \\ \n']) {
      expect(flatText(text)).toBe(text);
    }
  });
});

describe('the diff against a device that holds nothing', () => {
  let client: P4RuntimeClient;
  beforeAll(async () => {
    // No RPC is made: the client only encodes.
    const Client = P4RuntimeClient as unknown as new (o: ConnectOptions) => P4RuntimeClient;
    client = new Client({ address: '127.0.0.1:1' });
    client.bindP4Info((await vtepProgram()).p4info);
    return () => client.close();
  });

  /** What a change says, its rank included, in the diff's order. */
  const said = (c: Change) => `${c.kind} ${c.table} ${c.rank} ${c.owner} ${c.key} ${c.value}`;

  it.each(FABRICS)("is diffDevice's, in the same order (%s)", (_, make) => {
    for (const target of deviceTargets({ format: 'fabric', file: 'x', fabric: make(), where: () => '' })) {
      const entities = entitiesForProgram(client.p4info, planFabric(target.intent).entities);
      entities.push(...planPuntMeters(client.p4info, target.intent.puntLimits));
      const fast = diffWire(client, client.p4info, entities, new WireSnapshot());
      const general = diffDevice(client.p4info, encodePlan(client, entities), new Map());
      expect(fast.changes.map(said)).toEqual(general.changes.map(said));
      expect(fast.unchanged).toBe(general.unchanged);
      expect(fast.drift).toEqual([]);
      expect(orderChanges(fast.changes).map((phase) => phase.map(said))).toEqual(
        orderChanges(general.changes).map((phase) => phase.map(said)),
      );
    }
  });
});
