/**
 * The workloads of a fabric by name, by wire (device, port, VLAN, MAC) and by tenant, kept from one
 * version of the fabric to the next: a local change (fabric-delta.ts) checks its new workloads
 * against every other and collects its tenants' workloads by lookups here instead of a pass over
 * every workload of the fabric. Built once, when the service has converged (service.ts), and
 * brought to the next version by each local change it takes in ({@link WorkloadIndex.update}).
 * Workloads are told apart by name (unique in a fabric that passed its checks), so the index holds
 * for a fabric whose unchanged workloads are other objects with the same fields.
 */
import type { WorkloadSpec } from './fabric-schema.js';
import { macKey } from './plan.js';

/** Where a workload is attached: device, port, VLAN and MAC (two workloads cannot share one). */
export const wireKey = (w: WorkloadSpec): string =>
  `${w.device}\n${w.port}\n${w.vlan ?? 0}\n${macKey(w.mac)}`;

/**
 * A change of the workload list: `before.slice(head, head + removed.length)` replaced by `placed`
 * (fabric-delta.ts: what differs once the common head and tail are set aside).
 */
export interface WorkloadChange {
  head: number;
  removed: readonly WorkloadSpec[];
  placed: readonly WorkloadSpec[];
}

export class WorkloadIndex {
  private constructor(
    private readonly byName: Map<string, WorkloadSpec>,
    /** Wire key -> the name of the workload there. */
    private readonly byWire: Map<string, string>,
    /** In the fabric's order. */
    private readonly byTenant: Map<string, WorkloadSpec[]>,
  ) {}

  /** The index of a fabric's workloads (one that passed its checks: names and wires unique). */
  static of(workloads: readonly WorkloadSpec[]): WorkloadIndex {
    const index = new WorkloadIndex(new Map(), new Map(), new Map());
    for (const w of workloads) index.add(w);
    return index;
  }

  private add(w: WorkloadSpec): void {
    this.byName.set(w.name, w);
    this.byWire.set(wireKey(w), w.name);
    const list = this.byTenant.get(w.tenant);
    if (list) list.push(w);
    else this.byTenant.set(w.tenant, [w]);
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * Whether, after `change`, each of `checked` (workloads of `change.placed`) is the only workload
   * with its name and the only one on its wire.
   */
  unique(change: WorkloadChange, checked: readonly WorkloadSpec[]): boolean {
    const gone = new Set(change.removed.map((w) => w.name));
    const names = new Map<string, number>();
    const wires = new Map<string, number>();
    for (const w of change.placed) {
      names.set(w.name, (names.get(w.name) ?? 0) + 1);
      const k = wireKey(w);
      wires.set(k, (wires.get(k) ?? 0) + 1);
    }
    for (const w of checked) {
      if (names.get(w.name) !== 1 || (this.byName.has(w.name) && !gone.has(w.name))) return false;
      const k = wireKey(w);
      const there = this.byWire.get(k);
      if (wires.get(k) !== 1 || (there !== undefined && !gone.has(there))) return false;
    }
    return true;
  }

  /** The workloads of `tenant` after `change` (of `after`, the new list), in the fabric's order. */
  tenantAfter(tenant: string, after: readonly WorkloadSpec[], change: WorkloadChange): WorkloadSpec[] {
    const gone = new Set(change.removed.map((w) => w.name));
    const kept = (this.byTenant.get(tenant) ?? []).filter((w) => !gone.has(w.name));
    const fresh = change.placed.filter((w) => w.tenant === tenant);
    if (fresh.length === 0) return kept;
    // The new ones go after the tenant's last workload before the change's place in the list.
    let at = 0;
    for (let i = change.head - 1; i >= 0; i--) {
      const w = after[i];
      if (w.tenant !== tenant) continue;
      at = kept.findIndex((k) => k.name === w.name) + 1;
      break;
    }
    return [...kept.slice(0, at), ...fresh, ...kept.slice(at)];
  }

  /** Takes `change` in: the index is then that of `after` (the new list). */
  update(after: readonly WorkloadSpec[], change: WorkloadChange): void {
    const tenants = new Set([...change.removed, ...change.placed].map((w) => w.tenant));
    const lists = new Map([...tenants].map((t) => [t, this.tenantAfter(t, after, change)]));
    for (const w of change.removed) {
      this.byName.delete(w.name);
      const k = wireKey(w);
      if (this.byWire.get(k) === w.name) this.byWire.delete(k);
    }
    for (const w of change.placed) {
      this.byName.set(w.name, w);
      this.byWire.set(wireKey(w), w.name);
    }
    for (const [t, list] of lists) {
      if (list.length > 0) this.byTenant.set(t, list);
      else this.byTenant.delete(t);
    }
  }

  /** Names by wire and tenant (for tests: an updated index equals one built afresh). */
  snapshot(): { names: string[]; wires: string[]; tenants: string[] } {
    return {
      names: [...this.byName.values()].map((w) => JSON.stringify(w)).sort(),
      wires: [...this.byWire].map(([k, n]) => `${k}\n${n}`).sort(),
      tenants: [...this.byTenant].map(([t, list]) => `${t}: ${list.map((w) => w.name).join(',')}`).sort(),
    };
  }
}
