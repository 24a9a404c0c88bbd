/**
 * One device's plan kept between applies, by part: the entries of each tenant, the tunnels (shared
 * by the tenants that have the remote VTEP as member), and the device's own entries around them.
 * A change of a few tenants is planned for those tenants alone (plan.ts, with the device's current
 * allocations, so their identifiers are those a whole plan would choose) and compared with what
 * the device holds for their keys only: the work is the size of the change, not of the fabric.
 * The result is the whole plan's (test/controller/incremental-plan.test.ts holds it to that).
 */
import type { P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import { entitiesForProgram } from './device-profile.js';
import { entityKey, type ObservedEntity } from './device-state.js';
import type { EncodedEntity, EncodingMemo } from './encoding-memo.js';
import type { FabricIntent, TenantIntent } from './intent.js';
import type { KeyedLookup } from './keyed-map.js';
import {
  type Allocations,
  attachmentKey,
  IntentError,
  ipKey,
  type Plan,
  type PlannedEntity,
  planFabric,
} from './plan.js';
import { DesiredEntity } from './planned-key.js';
import { type Change, type Desired, type Diff, diffDevice } from './reconcile.js';

/** A planned entity with its key and value (and its P4Runtime entity, encoded when asked for). */
type Item = Desired & EncodedEntity;

/** More tenants than the program has slots for (plan.ts MAX_TENANT_SLOTS - 1): left to a whole plan. */
const MAX_TENANTS = 4095;

/** An encoding of the memo made for another planned entity, as an item of this one. */
class KeptItem implements Item {
  constructor(
    readonly planned: PlannedEntity,
    private readonly encoded: EncodedEntity,
  ) {}
  get key(): string {
    return this.encoded.key;
  }
  get value(): string {
    return this.encoded.value;
  }
  get entity(): p4.v1.IEntity {
    return this.encoded.entity;
  }
}

/**
 * An encoding of the memo as an item: itself when it is the planned entity's own (a plan's memo,
 * encoding-memo.ts: one object per entity, shared by the memo and the plan kept by tenant).
 */
const itemOf = (planned: PlannedEntity, encoded: EncodedEntity): Item =>
  encoded instanceof DesiredEntity && encoded.planned === planned ? encoded : new KeptItem(planned, encoded);

interface Parts {
  head: Item[];
  tail: Item[];
  tenants: Map<number, Item[]>;
  tunnels: Map<string, Item>;
}

/**
 * Splits a plan (plan.ts order: the device's ports, VTEPs and routes; per tenant its entries, a
 * tunnel where first used; the security option format, the clone session; the punt meters) by part.
 */
function partition(entities: readonly PlannedEntity[], item: (i: number) => Item): Parts {
  const parts: Parts = { head: [], tail: [], tenants: new Map(), tunnels: new Map() };
  let current: Item[] | undefined;
  let after = false;
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    if (e.kind === 'table' && e.table === 'tunnel') {
      parts.tunnels.set(ipKey(String(e.params.remote_vtep)), item(i));
      continue;
    }
    if (e.kind === 'table' && e.table === 'tenant_by_vni') {
      current = [];
      parts.tenants.set(Number(e.match.vni), current);
    } else if (
      e.kind === 'cloneSession' ||
      e.kind === 'meter' ||
      (e.kind === 'table' && e.table === 'security_option_format')
    ) {
      current = undefined;
      after = true;
    }
    if (current) current.push(item(i));
    else (after ? parts.tail : parts.head).push(item(i));
  }
  return parts;
}

/** Which tenants (VNIs) use each tunnel (remote VTEP) and each wire (port/VLAN) of a device. */
function usersOf(tenants: readonly TenantIntent[]) {
  const tunnels = new Map<string, Set<number>>();
  const wires = new Map<string, Set<number>>();
  const add = (m: Map<string, Set<number>>, key: string, vni: number) => {
    let s = m.get(key);
    if (!s) {
      s = new Set();
      m.set(key, s);
    }
    s.add(vni);
  };
  for (const t of tenants) {
    for (const m of t.members ?? []) add(tunnels, ipKey(m.vtep), t.vni);
    for (const v of t.vports) add(wires, attachmentKey(v.port, v.vlan), t.vni);
  }
  return { tunnels, wires };
}

const copyAllocations = (a: Allocations): Allocations => ({
  tenantSlot: new Map(a.tenantSlot),
  floodGroup: new Map(a.floodGroup),
  vport: new Map(a.vport),
  tunnel: new Map(a.tunnel),
  replica: new Map(a.replica),
});

const tableOf = (p: PlannedEntity) => (p.kind === 'table' && !p.isDefaultAction ? p.table : undefined);

/** What a change of some tenants does to a device, ready to be written; `commit` once it is. */
export interface PlanStep {
  /** The diff of the whole plan against the device (with `drift`, what the device keeps that is not ours). */
  diff: Diff;
  /** Takes the step into the device's plan (after its changes were written). */
  commit(): void;
}

export interface StepOptions {
  /** What the device holds (the service's cache). */
  observed: KeyedLookup<ObservedEntity>;
  /** Drift the device holds, as the last apply left it. */
  drift: readonly Change[];
  /** Entries a table of `size` takes on this device (device-profile.ts). */
  capacity: (size: number) => number;
}

export class DevicePlan {
  private constructor(
    /** The device's intent as planned. */
    private intent: FabricIntent,
    private head: Item[],
    private tail: Item[],
    /** By VNI, in the intent's order. */
    private tenants: Map<number, Item[]>,
    private tunnels: Map<string, Item>,
    private users: ReturnType<typeof usersOf>,
    /** The identifiers of the plan (plan.ts Allocations: what a next plan keeps). */
    public allocations: Allocations,
    /** Regular entries per table. */
    private counts: Map<string, number>,
    private total: number,
  ) {}

  /**
   * The plan of a whole-device reconcile (its entities, as encoded by it, and its allocations), for
   * `intent`. Only for a device that replicates (on the others, fabric-controller.ts reshapes the plan).
   */
  static of(
    intent: FabricIntent,
    plan: Pick<Plan, 'entities' | 'allocations'>,
    encoded: readonly EncodedEntity[],
  ): DevicePlan {
    const parts = partition(plan.entities, (i) => itemOf(plan.entities[i], encoded[i]));
    const counts = new Map<string, number>();
    for (const e of plan.entities) {
      const t = tableOf(e);
      if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return new DevicePlan(
      intent,
      parts.head,
      parts.tail,
      parts.tenants,
      parts.tunnels,
      usersOf(intent.tenants),
      copyAllocations(plan.allocations),
      counts,
      plan.entities.length,
    );
  }

  /** The device's intent as planned. */
  get planned(): FabricIntent {
    return this.intent;
  }

  /** Every entity of the plan with its encoding (the memo a whole-device reconcile reuses). */
  memo(): EncodingMemo {
    const items = this.items();
    return { entities: items.map((i) => i.planned), encoded: items };
  }

  /** The plan as a whole plan would give it (entities not in plan.ts's order within a rank). */
  plan(): Plan {
    const tenants = this.intent.tenants.map((t) => ({
      vni: t.vni,
      name: t.name ?? `VNI ${t.vni}`,
      slot: this.allocations.tenantSlot.get(t.vni) ?? 0,
      ...(this.allocations.floodGroup.has(t.vni)
        ? { floodGroup: this.allocations.floodGroup.get(t.vni) }
        : {}),
    }));
    return { entities: this.items().map((i) => i.planned), tenants, allocations: this.allocations };
  }

  private items(): Item[] {
    const out: Item[] = [...this.head, ...this.tunnels.values()];
    for (const list of this.tenants.values()) for (const i of list) out.push(i);
    out.push(...this.tail);
    return out;
  }

  /** Keys and values of the whole plan (for tests). */
  keyValues(): Map<string, string> {
    return new Map(this.items().map((i) => [i.key, i.value]));
  }

  /**
   * The step to `next` (the device's new intent), where only the tenants named in `changed` differ
   * from the planned intent; undefined when a whole plan is needed (a problem to report with its
   * place in the file, a table that would overflow, too many tenants).
   */
  prepare(
    client: P4RuntimeClient,
    changed: ReadonlySet<string>,
    next: FabricIntent,
    options: StepOptions,
  ): PlanStep | undefined {
    const isChanged = (t: TenantIntent) => changed.has(t.name ?? `VNI ${t.vni}`);
    const before = this.intent.tenants.filter(isChanged);
    const after = next.tenants.filter(isChanged);
    if (next.tenants.length > MAX_TENANTS) return undefined;
    let mini: Plan;
    try {
      mini = planFabric({ ...next, tenants: after }, { previous: this.allocations });
      // Fitted to the device's program, as fabric-controller.ts fits a whole plan.
      mini.entities = entitiesForProgram(client.p4info, mini.entities);
    } catch (e) {
      if (e instanceof IntentError) return undefined;
      throw e;
    }
    const parts = partition(mini.entities, (i) => new DesiredEntity(client, mini.entities[i]));
    const oldVnis = new Set(before.map((t) => t.vni));
    const gone: Item[] = [];
    for (const t of before) gone.push(...(this.tenants.get(t.vni) ?? []));
    const fresh: Item[] = [];
    for (const list of parts.tenants.values()) fresh.push(...list);

    // Tunnels and wires shared with the other tenants: used by whom after the change.
    const afterUsers = usersOf(after);
    const nextUsers = (m: Map<string, Set<number>>, key: string, added: Map<string, Set<number>>) => {
      const s = new Set<number>();
      for (const v of m.get(key) ?? []) if (!oldVnis.has(v)) s.add(v);
      for (const v of added.get(key) ?? []) s.add(v);
      return s;
    };
    // The keys the changed tenants use, before and after (those where the old ones are users are
    // the keys of their own members and vports: `users` is made from them).
    const beforeUsers = usersOf(before);
    const touched = (which: 'tunnels' | 'wires') => {
      const keys = new Set(afterUsers[which].keys());
      for (const key of beforeUsers[which].keys()) keys.add(key);
      return new Map([...keys].map((k) => [k, nextUsers(this.users[which], k, afterUsers[which])]));
    };
    const tunnelUsers = touched('tunnels');
    const wireUsers = touched('wires');
    for (const [key, users] of tunnelUsers) {
      const had = this.tunnels.get(key);
      if (had && users.size === 0) gone.push(had);
      if (!had && users.size > 0) {
        const tunnel = parts.tunnels.get(key);
        if (!tunnel) return undefined; // not planned (a problem the whole plan reports)
        fresh.push(tunnel);
      }
    }

    // The allocations a whole plan of `next` would return: the old tenants' keys out (their
    // replica keys are `v:vni/wire` and `t:vni/remote VTEP`, plan.ts), shared keys nobody uses
    // any more out, the changed tenants' keys (kept or new) in. Applied by `commit`.
    const dropReplicas: string[] = [];
    for (const t of before) {
      for (const v of t.vports) dropReplicas.push(`v:${t.vni}/${attachmentKey(v.port, v.vlan)}`);
      for (const m of t.members ?? []) dropReplicas.push(`t:${t.vni}/${ipKey(m.vtep)}`);
    }
    const allocate = () => {
      const a = this.allocations;
      for (const vni of oldVnis) {
        a.tenantSlot.delete(vni);
        a.floodGroup.delete(vni);
      }
      for (const key of dropReplicas) a.replica.delete(key);
      for (const [key, users] of wireUsers) if (users.size === 0) a.vport.delete(key);
      for (const [key, users] of tunnelUsers) if (users.size === 0) a.tunnel.delete(key);
      for (const kind of ['tenantSlot', 'floodGroup', 'vport', 'tunnel', 'replica'] as const)
        for (const [key, id] of mini.allocations[kind] as Map<string | number, number>)
          (a[kind] as Map<string | number, number>).set(key, id);
    };

    // Capacity, as the whole plan checks it (and as fabric-controller.ts orders deletes first).
    const counts = new Map(this.counts);
    const deletes = new Map<string, number>();
    for (const i of gone) {
      const t = tableOf(i.planned);
      if (t) {
        counts.set(t, (counts.get(t) ?? 0) - 1);
        deletes.set(t, (deletes.get(t) ?? 0) + 1);
      }
    }
    for (const i of fresh) {
      const t = tableOf(i.planned);
      if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const driftIn = (table: string) => options.drift.filter((d) => d.table === table).length;
    for (const [table, n] of counts) {
      if (n === this.counts.get(table) && !deletes.has(table)) continue;
      const info = client.p4info.tables.find(table);
      if (
        info &&
        info.size > 0 &&
        n + (deletes.get(table) ?? 0) + driftIn(table) > options.capacity(info.size)
      )
        return undefined;
    }

    // The diff, over the keys of what goes and what comes only.
    const held = new Map<string, ObservedEntity>();
    for (const i of [...gone, ...fresh]) {
      const o = options.observed.get(i.key);
      if (o) held.set(i.key, o);
    }
    const partial = diffDevice(client.p4info, fresh, held);
    const wanted = new Set(fresh.map((i) => i.key));
    const drift = options.drift.filter((d) => !wanted.has(d.key ?? entityKey(d.entity)));
    const known = new Set(drift.map((d) => d.key ?? entityKey(d.entity)));
    for (const d of partial.drift) if (!known.has(d.key ?? entityKey(d.entity))) drift.push(d);
    const total = this.total - gone.length + fresh.length;
    const upserts = partial.changes.filter((c) => c.kind !== 'delete').length;
    const diff: Diff = { changes: partial.changes, drift, unchanged: total - upserts };

    return {
      diff,
      commit: () => {
        const tenants = new Map<number, Item[]>();
        for (const t of next.tenants) {
          const list = isChanged(t) ? parts.tenants.get(t.vni) : this.tenants.get(t.vni);
          if (list) tenants.set(t.vni, list);
        }
        for (const [key, users] of tunnelUsers) {
          if (users.size === 0) {
            this.tunnels.delete(key);
            this.users.tunnels.delete(key);
          } else {
            if (!this.tunnels.has(key)) this.tunnels.set(key, parts.tunnels.get(key)!);
            this.users.tunnels.set(key, users);
          }
        }
        for (const [key, users] of wireUsers) {
          if (users.size === 0) this.users.wires.delete(key);
          else this.users.wires.set(key, users);
        }
        this.tenants = tenants;
        this.intent = next;
        allocate();
        this.counts = counts;
        this.total = total;
      },
    };
  }
}
