// The service's incremental reconcile (cached device state, the previous plan's encodings) must
// change a device exactly as a reconcile that reads the device does: same changes, same result.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Fabric } from '../../src/controller/fabric-schema.js';
import { type DeviceReport, reconcileDevice } from '../../src/controller/index.js';
import { copyFabric, type Lab, startLab } from './helpers.js';

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

const summary = (r: DeviceReport) => r.changes.map((c) => `${c.kind} ${c.table} ${c.owner}`).sort();

it('a cached reconcile writes what a reconcile that reads the device would, change after change', async () => {
  const edits: Array<(f: Fabric) => void> = [
    (f) =>
      f.workloads.push({
        ...f.workloads[0],
        name: 'blue-new',
        mac: '02:00:00:00:0c:01',
        ipv4: '192.168.10.99',
        port: 3,
      }),
    (f) => {
      f.workloads = f.workloads.filter((w) => w.name !== 'blue-db');
    },
    (f) => {
      f.workloads[0].identity = 'db';
    },
    (f) => {
      f.tenants = f.tenants.filter((t) => t.name !== 'green');
      f.workloads = f.workloads.filter((w) => w.tenant !== 'green');
    },
    () => {},
  ];
  for (const device of [0, 1]) {
    await lab.withClient(device, async (client) => {
      let fabric = copyFabric(lab.fabric);
      const first = await reconcileDevice(client, lab.devices(fabric)[device]);
      let cache = first.cache;
      for (const edit of edits) {
        fabric = copyFabric(fabric);
        edit(fabric);
        const target = lab.devices(fabric)[device];
        const read = await reconcileDevice(client, target, { dryRun: true });
        const cached = await reconcileDevice(client, target, { cache });
        expect(summary(cached)).toEqual(summary(read));
        expect(cached.written).toBe(read.changes.length);
        expect(cached.diff.unchanged).toBe(read.diff.unchanged);
        expect(cached.diff.drift.length).toBe(read.diff.drift.length);
        const after = await reconcileDevice(client, target, { dryRun: true });
        expect(after.changes).toEqual([]);
        cache = cached.cache;
      }
    });
  }
});
