// The index of a fabric's workloads that the service keeps for local changes (workload-index.ts):
// the checks of a change's workloads against every other, a tenant's workloads in the fabric's
// order after a change, and an index brought along by changes equal to one built afresh.
import { describe, expect, it } from 'vitest';
import type { WorkloadSpec } from '../../src/controller/fabric-schema.js';
import { type WorkloadChange, WorkloadIndex } from '../../src/controller/workload-index.js';

const w = (name: string, tenant: string, mac: string, port = 1, vlan?: number): WorkloadSpec => ({
  name,
  tenant,
  identity: 'web',
  mac,
  device: 'a',
  port,
  ...(vlan !== undefined ? { vlan } : {}),
});

/** `before` with `removed` items at `head` replaced by `placed`, and the change. */
function change(before: WorkloadSpec[], head: number, removed: number, placed: WorkloadSpec[]) {
  const after = [...before.slice(0, head), ...placed, ...before.slice(head + removed)];
  const c: WorkloadChange = { head, removed: before.slice(head, head + removed), placed };
  return { after, c };
}

describe('workload index', () => {
  const before = [
    w('b1', 'blue', '02:00:00:00:00:01'),
    w('g1', 'green', '02:00:00:00:00:02'),
    w('b2', 'blue', '02:00:00:00:00:03'),
    w('g2', 'green', '02:00:00:00:00:04', 2, 100),
    w('b3', 'blue', '02:00:00:00:00:05'),
  ];

  it('refuses a new workload whose name or wire another holds, unless that one goes in the change', () => {
    const index = WorkloadIndex.of(before);
    const taken = w('g2', 'blue', '02:00:00:00:00:09');
    expect(index.unique(change(before, 5, 0, [taken]).c, [taken])).toBe(false);
    // Same device, port, VLAN and MAC (written differently) as g2.
    const sameWire = w('x', 'blue', '02-00-00-00-00-04', 2, 100);
    expect(index.unique(change(before, 5, 0, [sameWire]).c, [sameWire])).toBe(false);
    // Another VLAN: another wire.
    const otherVlan = w('x', 'blue', '02:00:00:00:00:04', 2, 101);
    expect(index.unique(change(before, 5, 0, [otherVlan]).c, [otherVlan])).toBe(true);
    // g2 replaced by a workload with its name and wire: fine.
    const renewed = w('g2', 'blue', '02:00:00:00:00:04', 2, 100);
    expect(index.unique(change(before, 3, 1, [renewed]).c, [renewed])).toBe(true);
    // Two new workloads with one name.
    const twins = [w('y', 'blue', '02:00:00:00:00:0a'), w('y', 'green', '02:00:00:00:00:0b')];
    expect(index.unique(change(before, 5, 0, twins).c, twins)).toBe(false);
  });

  it("gives a tenant's workloads in the fabric's order after a change, and is brought to it", () => {
    const index = WorkloadIndex.of(before);
    // A blue workload inserted after g1 (between b1 and b2), g2 moved to blue in place.
    const fresh = w('b9', 'blue', '02:00:00:00:00:10');
    const moved = { ...before[3], tenant: 'blue' };
    const { after, c } = change(before, 2, 2, [fresh, before[2], moved]);
    expect(index.tenantAfter('blue', after, c).map((x) => x.name)).toEqual(['b1', 'b9', 'b2', 'g2', 'b3']);
    expect(index.tenantAfter('green', after, c).map((x) => x.name)).toEqual(['g1']);
    index.update(after, c);
    expect(index.snapshot()).toEqual(WorkloadIndex.of(after).snapshot());
    // Every workload of a tenant gone.
    const { after: last, c: gone } = change(after, 1, 1, []);
    index.update(last, gone);
    expect(index.snapshot()).toEqual(WorkloadIndex.of(last).snapshot());
    expect(index.tenantAfter('green', last, { head: 0, removed: [], placed: [] })).toEqual([]);
  });
});
