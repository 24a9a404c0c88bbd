// The service plans a local change (a few tenants) for the changed tenants alone (fabric-delta.ts,
// incremental-plan.ts). Held to the whole-fabric plan on random small edits of a generated fabric
// (IPv4 and IPv6 tunnels, VLANs, policies, tenants coming and going on devices): after each edit,
// every device's incremental plan has the keys and values, allocations and intent of the whole
// plan, and its changes against the device are those of the whole diff (kind, key, value, rank).
import type { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { deriveChanged, fabricDelta, patchIntent } from '../../src/controller/fabric-delta.js';
import { DevicePlan } from '../../src/controller/incremental-plan.js';
import {
  type DeviceTarget,
  deviceTargets,
  entitiesForProgram,
  entityKey,
  type Fabric,
  IntentError,
  type ObservedEntity,
  observedOf,
  planFabric,
  rankOf,
  vtepProgram,
} from '../../src/controller/index.js';
import { type Desired, diffDevice, encodePlan } from '../../src/controller/reconcile.js';
import { WorkloadIndex } from '../../src/controller/workload-index.js';
import { prng, type Rng } from '../scenarios/harness/random-fabric.js';
import { mixedFamilyFabric, startLab } from './helpers.js';

const generated = (): Fabric =>
  mixedFamilyFabric({ tenants: 12, workloads: 150, policies: 24, identities: 6 });

type Edit = (f: Fabric, r: Rng) => void;
let serial = 0;
const mac = () => {
  serial++;
  return `02:ee:00:00:${((serial >> 8) & 0xff).toString(16).padStart(2, '0')}:${(serial & 0xff).toString(16).padStart(2, '0')}`;
};
const EDITS: Edit[] = [
  // A workload's identity, MAC, port, VLAN or device changes.
  (f, r) => {
    r.pick(f.workloads).identity = r.pick(f.identities).name;
  },
  (f, r) => {
    r.pick(f.workloads).mac = mac();
  },
  (f, r) => {
    const w = r.pick(f.workloads);
    w.port = 1 + r.below(4);
    w.vlan = r.below(3) === 0 ? undefined : 100 + r.below(20);
  },
  (f, r) => {
    r.pick(f.workloads).device = r.pick(f.devices).name;
  },
  // Added, removed, moved to another tenant.
  (f, r) => {
    f.workloads.splice(r.below(f.workloads.length + 1), 0, {
      name: `new-${serial}`,
      tenant: r.pick(f.tenants).name,
      identity: r.pick(f.identities).name,
      mac: mac(),
      device: r.pick(f.devices).name,
      port: 1 + r.below(4),
      ...(r.below(2) === 0 ? { vlan: 300 + r.below(4) } : {}),
      ...(r.below(2) === 0 ? { ipv4: `192.168.0.${1 + r.below(250)}` } : {}),
    });
  },
  (f, r) => {
    f.workloads.splice(r.below(f.workloads.length), 1);
  },
  (f, r) => {
    r.pick(f.workloads).tenant = r.pick(f.tenants).name;
  },
  // Every workload of a tenant leaves a device (its memberships and maybe a tunnel go).
  (f, r) => {
    const t = r.pick(f.tenants).name;
    const d = r.pick(f.devices).name;
    f.workloads = f.workloads.filter((w) => w.tenant !== t || w.device !== d);
  },
  // A tenant's policies, flooding, unknown security ID.
  (f, r) => {
    const t = r.pick(f.tenants);
    if (t.policies.length > 0 && r.below(2) === 0) t.policies.splice(r.below(t.policies.length), 1);
    else
      t.policies.push({
        from: r.pick(f.identities).name,
        protocol: 'udp',
        ports: [r.below(100), 200],
        action: 'deny',
        priority: 1 + r.below(50),
      });
  },
  (f, r) => {
    const t = r.pick(f.tenants);
    t.flood = !t.flood;
  },
  (f, r) => {
    r.pick(f.tenants).unknownSecurityId = r.below(5);
  },
  // A tenant added with a workload, or removed with its workloads.
  (f, r) => {
    const name = `tn-${serial++}`;
    f.tenants.splice(r.below(f.tenants.length + 1), 0, {
      name,
      vni: 20_000 + serial,
      unknownSecurityId: 0,
      flood: true,
      bumPolicy: 'drop',
      unknownNeighbor: 'flood',
      policies: [],
    });
    f.workloads.push({
      name: `w-${name}`,
      tenant: name,
      identity: r.pick(f.identities).name,
      mac: mac(),
      device: r.pick(f.devices).name,
      port: 1,
    });
  },
  (f, r) => {
    const t = r.pick(f.tenants).name;
    f.tenants = f.tenants.filter((x) => x.name !== t);
    f.workloads = f.workloads.filter((w) => w.tenant !== t);
  },
  // Mistakes: a duplicate MAC in a tenant, a workload name twice, an unknown identity.
  (f, r) => {
    const w = r.pick(f.workloads);
    const other = f.workloads.find((x) => x.tenant === w.tenant && x !== w);
    if (other) w.mac = other.mac;
  },
  (f, r) => {
    f.workloads.push({ ...r.pick(f.workloads), mac: mac() });
  },
  (f, r) => {
    r.pick(f.workloads).identity = 'nobody';
  },
  // Global: a new identity (every device's plan is made again).
  (f) => {
    f.identities.push({ name: `id-new-${serial++}` });
  },
];

const targetsOf = (f: Fabric): DeviceTarget[] =>
  deviceTargets({ format: 'fabric', file: 'test', fabric: f, where: () => '' });

interface DeviceModel {
  plan: DevicePlan;
  /** What the device holds (the whole plan's entities, as written). */
  observed: Map<string, ObservedEntity>;
}

/** The whole plan of a device, encoded. */
function wholePlan(client: P4RuntimeClient, target: DeviceTarget, previous?: DevicePlan) {
  const plan = planFabric(target.intent, previous ? { previous: previous.allocations } : {});
  plan.entities = entitiesForProgram(client.p4info, plan.entities);
  const desired = encodePlan(client, plan.entities) as Array<Desired & { key: string; value: string }>;
  return { plan, desired };
}

const observedOfPlan = (desired: ReadonlyArray<Desired & { key: string; value: string }>) =>
  new Map(desired.map((d) => [d.key, observedOf(d.key, d.value, d.entity)]));
const changeLines = (changes: ReturnType<typeof diffDevice>['changes']) =>
  changes
    .map(
      (c) => `${c.kind} ${c.key ?? entityKey(c.entity)} ${c.value ?? ''} rank ${c.rank} ${rankOf(c.table)}`,
    )
    .sort();

describe('incremental plan', () => {
  it('equals the whole plan after each of 150 random small edits', async () => {
    const lab = await startLab(2);
    try {
      await lab.withClient(0, async (client) => {
        client.bindP4Info((await vtepProgram()).p4info);
        const r = prng(11);
        let fabric = generated();
        const models = new Map<string, DeviceModel>();
        const rebuild = (f: Fabric) => {
          for (const t of targetsOf(f)) {
            const { plan, desired } = wholePlan(client, t, models.get(t.name)?.plan);
            models.set(t.name, {
              plan: DevicePlan.of(t.intent, plan, desired),
              observed: observedOfPlan(desired),
            });
          }
        };
        rebuild(fabric);
        // The service's index of workloads, kept across local changes as it keeps it.
        let index = WorkloadIndex.of(fabric.workloads);
        let incremental = 0;
        let refused = 0;
        let changesSeen = 0;
        for (let step = 0; step < 150; step++) {
          const next = structuredClone(fabric);
          // Kept from draining: below 80 workloads or 6 tenants, one is added.
          const edit =
            next.tenants.length < 6 ? EDITS[11] : next.workloads.length < 80 ? EDITS[4] : r.pick(EDITS);
          edit(next, r);
          let whole: DeviceTarget[];
          try {
            whole = targetsOf(next);
          } catch (e) {
            if (!(e instanceof IntentError)) throw e;
            // A mistake: the incremental derivation refuses it too (the whole one names it).
            const delta = fabricDelta(fabric, next);
            expect(delta && deriveChanged(next, delta)).toBeFalsy();
            expect(delta && deriveChanged(next, delta, index)).toBeFalsy();
            refused++;
            continue;
          }
          const delta = fabricDelta(fabric, next);
          const derived = delta && deriveChanged(next, delta);
          // With the index: the same derivation, or the same refusal.
          const byIndex = delta && deriveChanged(next, delta, index);
          expect(JSON.stringify(byIndex)).toBe(JSON.stringify(derived));
          if (!delta || !derived) {
            rebuild(next);
            fabric = next;
            index = WorkloadIndex.of(next.workloads);
            continue;
          }
          index.update(next.workloads, delta.workloads);
          expect(index.snapshot()).toEqual(WorkloadIndex.of(next.workloads).snapshot());
          const order = new Map(next.tenants.map((t, i) => [t.name, i]));
          for (const [d, view] of derived.devices.entries()) {
            const target = whole[d];
            const model = models.get(target.name)!;
            const intent = patchIntent(model.plan.planned, delta.tenants, view.intent.tenants, order);
            expect(JSON.stringify(intent)).toBe(JSON.stringify(target.intent));
            const { plan, desired } = wholePlan(client, target, model.plan);
            const stepped = model.plan.prepare(client, delta.tenants, intent, {
              observed: model.observed,
              drift: [],
              capacity: (n) => n,
            });
            expect(stepped).toBeDefined();
            const full = diffDevice(client.p4info, desired, model.observed);
            expect(changeLines(stepped!.diff.changes)).toEqual(changeLines(full.changes));
            expect(stepped!.diff.unchanged).toBe(full.unchanged);
            expect(stepped!.diff.drift).toEqual([]);
            changesSeen += stepped!.diff.changes.length;
            stepped!.commit();
            expect(model.plan.keyValues()).toEqual(new Map(desired.map((x) => [x.key, x.value])));
            expect(model.plan.allocations).toEqual(plan.allocations);
            model.observed = observedOfPlan(desired);
          }
          incremental++;
          fabric = next;
        }
        // The walk went through both paths, and through mistakes.
        expect(incremental).toBeGreaterThan(80);
        expect(refused).toBeGreaterThan(3);
        expect(changesSeen).toBeGreaterThan(100);
      });
    } finally {
      await lab.stop();
    }
  }, 120_000);
});
