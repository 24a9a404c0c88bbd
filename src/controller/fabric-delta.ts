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

/** Equal plain data (what the schema gives: objects, arrays, scalars). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!same(x[k], y[k])) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
}

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

const sameTenant = (a: TenantSpec, b: TenantSpec) => same(a, b);

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
    !same(before.securityOption, after.securityOption) ||
    !same(before.devices, after.devices) ||
    !same(before.identities, after.identities)
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

const sameWire = (a: WorkloadSpec, aMac: string, b: WorkloadSpec, bMac: string) =>
  a.device === b.device && a.port === b.port && (a.vlan ?? 0) === (b.vlan ?? 0) && aMac === bMac;

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
  const added = new Set(delta.added);
  const workloadNames = new Set(delta.added.map((w) => w.name));
  if (workloadNames.size < delta.added.length) return undefined;
  // Wires (device, port, VLAN, MAC) by port, so most workloads are passed over on a number.
  const wires = new Map<number, Array<{ w: WorkloadSpec; mac: string }>>();
  for (const w of delta.added) {
    const mac = macKey(w.mac);
    const list = wires.get(w.port) ?? [];
    if (list.some((x) => sameWire(x.w, x.mac, w, mac))) return undefined;
    list.push({ w, mac });
    wires.set(w.port, list);
  }
  // One pass: the changed tenants' workloads, and no other workload with a new one's name or wire.
  const workloads: WorkloadSpec[] = [];
  const check = delta.added.length > 0;
  for (const w of after.workloads) {
    if (delta.tenants.has(w.tenant)) workloads.push(w);
    if (!check || added.has(w)) continue;
    if (workloadNames.has(w.name)) return undefined;
    const list = wires.get(w.port);
    if (!list) continue;
    for (const x of list)
      if (x.w.device === w.device && (x.w.vlan ?? 0) === (w.vlan ?? 0) && x.mac === macKey(w.mac))
        return undefined;
  }
  const part: Fabric = {
    ...after,
    tenants: after.tenants.filter((t) => delta.tenants.has(t.name)),
    workloads,
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
  // The few fresh tenants put in place (kept is in the fabric's order already).
  const tenants = kept;
  for (const t of fresh) {
    const p = at(t);
    let lo = 0;
    let hi = tenants.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at(tenants[mid]) < p) lo = mid + 1;
      else hi = mid;
    }
    tenants.splice(lo, 0, t);
  }
  return { ...intent, tenants };
}
