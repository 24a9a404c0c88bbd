/**
 * What changed between two versions of a fabric, in the terms the derivation works in: the tenants
 * whose entries may differ (a tenant changed, or one of its workloads was added, removed or
 * changed). Anything that reaches every device (devices, identities and so their security IDs, the
 * security option) is a global change: the caller plans the whole fabric again. Items are compared
 * by identity first (an incremental reload keeps the objects of what it did not read again), then
 * field by field.
 */
import { type Derivation, deriveFabric } from './derive.js';
import type { Fabric, TenantSpec, WorkloadSpec } from './fabric-schema.js';
import type { FabricIntent, TenantIntent } from './intent.js';
import { IntentError, macKey } from './plan.js';

/** A local change: the tenants (by name, old and new) whose entries are to be planned again. */
export interface FabricDelta {
  tenants: Set<string>;
  /** Workloads of the new fabric that are new or changed (their names, MACs and wires are checked). */
  added: WorkloadSpec[];
}

/** More changed workloads than this in one edit: plan the whole fabric (cheaper than checking each). */
export const MAX_LOCAL_WORKLOADS = 256;

const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

function sameWorkload(a: WorkloadSpec, b: WorkloadSpec): boolean {
  return (
    a === b ||
    (a.name === b.name &&
      a.tenant === b.tenant &&
      a.identity === b.identity &&
      a.mac === b.mac &&
      a.ipv4 === b.ipv4 &&
      a.ipv6 === b.ipv6 &&
      a.vlan === b.vlan &&
      a.device === b.device &&
      a.port === b.port)
  );
}

const sameTenant = (a: TenantSpec, b: TenantSpec) => sameJson(a, b);

/**
 * The differing middle of two lists (what is left once the common head and tail are set aside):
 * for an edit of a few neighbouring items, the items edited, added or removed.
 */
function middle<T>(before: readonly T[], after: readonly T[], same: (a: T, b: T) => boolean) {
  const n = Math.min(before.length, after.length);
  let head = 0;
  while (head < n && same(before[head], after[head])) head++;
  let tail = 0;
  while (tail < n - head && same(before[before.length - 1 - tail], after[after.length - 1 - tail])) tail++;
  return { removed: before.slice(head, before.length - tail), added: after.slice(head, after.length - tail) };
}

/** The local change from `before` to `after`, or undefined when it is global (or too large). */
export function fabricDelta(before: Fabric, after: Fabric): FabricDelta | undefined {
  if (
    before.fabric !== after.fabric ||
    !sameJson(before.securityOption, after.securityOption) ||
    !sameJson(before.devices, after.devices) ||
    !sameJson(before.identities, after.identities)
  )
    return undefined;
  const tenants = new Set<string>();
  const t = middle(before.tenants, after.tenants, sameTenant);
  // A tenant list reordered beyond a few items, or grown by many: the whole fabric.
  if (t.removed.length + t.added.length > MAX_LOCAL_WORKLOADS) return undefined;
  for (const x of [...t.removed, ...t.added]) tenants.add(x.name);
  const w = middle(before.workloads, after.workloads, sameWorkload);
  if (w.removed.length + w.added.length > MAX_LOCAL_WORKLOADS) return undefined;
  for (const x of [...w.removed, ...w.added]) tenants.add(x.tenant);
  // Workloads of the middle that are unchanged (same fields on both sides) need no check.
  const removed = new Set(
    w.removed.map((x) => `${x.name}\n${x.tenant}\n${x.mac}\n${x.device}\n${x.port}\n${x.vlan}`),
  );
  const added = w.added.filter(
    (x) => !removed.has(`${x.name}\n${x.tenant}\n${x.mac}\n${x.device}\n${x.port}\n${x.vlan}`),
  );
  return { tenants, added };
}

/**
 * Each device's view of the changed tenants only (derive.ts on the part of the fabric they make),
 * after the checks that span tenants (names, VNIs, and the workload names and wires of the new
 * workloads against every other); undefined when anything is wrong, so that the whole-fabric
 * derivation reports it with its file:line.
 */
export function deriveChanged(after: Fabric, delta: FabricDelta): Derivation | undefined {
  const names = new Map<string, number>();
  const vnis = new Map<number, number>();
  for (const t of after.tenants) {
    names.set(t.name, (names.get(t.name) ?? 0) + 1);
    vnis.set(t.vni, (vnis.get(t.vni) ?? 0) + 1);
  }
  for (const t of after.tenants)
    if (delta.tenants.has(t.name) && (names.get(t.name)! > 1 || vnis.get(t.vni)! > 1)) return undefined;
  if (delta.added.length > 0) {
    const added = new Set(delta.added);
    const workloadNames = new Set(delta.added.map((w) => w.name));
    const wire = (w: WorkloadSpec, mac: string) => `${w.device}/${w.port}/${w.vlan ?? 0}/${mac}`;
    const macs = new Set(delta.added.map((w) => macKey(w.mac)));
    const wires = new Set(delta.added.map((w) => wire(w, macKey(w.mac))));
    if (workloadNames.size < delta.added.length || wires.size < delta.added.length) return undefined;
    for (const w of after.workloads) {
      if (added.has(w)) continue;
      if (workloadNames.has(w.name)) return undefined;
      const mac = macKey(w.mac);
      if (macs.has(mac) && wires.has(wire(w, mac))) return undefined;
    }
  }
  const part: Fabric = {
    ...after,
    tenants: after.tenants.filter((t) => delta.tenants.has(t.name)),
    workloads: after.workloads.filter((w) => delta.tenants.has(w.tenant)),
  };
  try {
    return deriveFabric(part);
  } catch (e) {
    if (e instanceof IntentError) return undefined;
    throw e;
  }
}

/**
 * A device's intent with the changed tenants replaced by `fresh` (the changed tenants it hosts now,
 * from {@link deriveChanged}), in the fabric's order of tenants (`order`: name -> position).
 */
export function patchIntent(
  intent: FabricIntent,
  changed: ReadonlySet<string>,
  fresh: readonly TenantIntent[],
  order: ReadonlyMap<string, number>,
): FabricIntent {
  const kept = intent.tenants.filter((t) => !changed.has(t.name ?? ''));
  if (fresh.length === 0 && kept.length === intent.tenants.length) return intent;
  const at = (t: TenantIntent) => order.get(t.name ?? '') ?? -1;
  return { ...intent, tenants: [...kept, ...fresh].sort((a, b) => at(a) - at(b)) };
}
