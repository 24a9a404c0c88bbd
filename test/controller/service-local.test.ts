// The service plans a local change of the file (workloads, a tenant) for what changed alone and
// writes it on the devices concerned; a global change (a new identity) takes the whole-fabric path,
// and a local change after it the local one again. After each change, a reconcile that reads each
// device finds nothing to write: the device holds exactly the whole plan of the file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { deviceTargets, type Fabric, FabricService, reconcileDevice } from '../../src/controller/index.js';
import { type RunningTarget, startTarget } from '../scenarios/harness/target.js';
import { blueWeb2, copyFabric, exampleFabric, nextServiceEvent as next } from './helpers.js';

let targets: RunningTarget[] = [];
let service: FabricService | undefined;
afterEach(async () => {
  await service?.stop();
  for (const t of targets) await t.stop();
  targets = [];
});

it('writes a local change on the devices concerned only, and the whole plan holds after each', async () => {
  targets = [await startTarget(), await startTarget()];
  let fabric = exampleFabric();
  fabric.devices.forEach((d, i) => {
    d.address = targets[i].p4runtimeAddress;
    d.deviceId = targets[i].deviceId;
  });
  const file = join(mkdtempSync(join(tmpdir(), 'service-local-')), 'fabric.yaml');
  writeFileSync(file, stringify(fabric));
  service = new FabricService(file, { watchIntervalMs: 20, resyncMs: 0 });
  const s = service;
  const both = Promise.all(
    ['vtep-a', 'vtep-b'].map((d) => next(s, 'converged', ({ device }) => device === d)),
  );
  await s.start();
  await both;

  /** Each device, read, has nothing to write for `f`: it holds exactly its whole plan. */
  const holdsExactly = async (f: Fabric) => {
    for (const [i, target] of deviceTargets({
      format: 'fabric',
      file,
      fabric: f,
      where: () => '',
    }).entries()) {
      const reader = await P4RuntimeClient.connect({
        address: targets[i].p4runtimeAddress,
        deviceId: targets[i].deviceId,
        reconnect: false,
        arbitrate: false,
      });
      try {
        const read = await reconcileDevice(reader, target, { dryRun: true });
        expect(read.changes.map((c) => `${c.kind} ${c.table} ${c.owner}`)).toEqual([]);
      } finally {
        reader.close();
      }
    }
  };

  /** Writes the file changed by `edit`; resolves with the reload and each concerned device's report. */
  const change = async (edit: (f: Fabric) => void) => {
    fabric = copyFabric(fabric);
    edit(fabric);
    const reloaded = next(s, 'reload');
    // Every converged event is collected from the change on (a local write may end at once).
    const reports = new Map<string, number>();
    const onConverged = ({ device, report }: { device: string; report: { written: number } }) =>
      reports.set(device, report.written);
    s.on('converged', onConverged);
    writeFileSync(file, stringify(fabric));
    const [{ ok, incremental, devices, error }] = await reloaded;
    expect(error).toBeUndefined();
    expect(ok).toBe(true);
    await Promise.all(
      (devices ?? [])
        .filter((d) => !reports.has(d))
        .map((d) => next(s, 'converged', ({ device }) => device === d)),
    );
    // (the last events' reports were set by the listener before the awaited promises resolved)
    s.off('converged', onConverged);
    await holdsExactly(fabric);
    return { incremental, written: Object.fromEntries(reports) };
  };

  // A new workload on vtep-a: its vport, MAC and flood copy there; its MAC on vtep-b.
  expect(await change((f) => f.workloads.push(blueWeb2()))).toEqual({
    incremental: true,
    written: { 'vtep-a': 4, 'vtep-b': 1 },
  });
  // A workload's identity: its entries on its device (vport, MAC, flood copy), nothing on the other.
  expect(
    await change((f) => {
      f.workloads.find((w) => w.name === 'blue-web-2')!.identity = 'cache';
    }),
  ).toEqual({ incremental: true, written: { 'vtep-a': 3, 'vtep-b': 0 } });
  // A new identity is global: every device is planned in full (and finds nothing to write).
  expect(
    await change((f) => {
      f.identities.push({ name: 'batch' });
    }),
  ).toEqual({ incremental: false, written: { 'vtep-a': 0, 'vtep-b': 0 } });
  // A workload moves to the other device; then a tenant leaves vtep-b with its only workload there.
  const moved = await change((f) => {
    const w = f.workloads.find((x) => x.name === 'blue-web-2')!;
    w.device = 'vtep-b';
    w.port = 3;
  });
  expect(moved.incremental).toBe(true);
  expect(moved.written['vtep-a']).toBeGreaterThan(0);
  expect(moved.written['vtep-b']).toBeGreaterThan(0);
  const left = await change((f) => {
    f.workloads = f.workloads.filter((w) => !(w.tenant === 'green' && w.device === 'vtep-b'));
  });
  expect(left.incremental).toBe(true);
  // A tenant's new policy: one entry on each device that carries the tenant.
  expect(
    await change((f) => {
      f.tenants
        .find((t) => t.name === 'blue')!
        .policies.push({
          from: 'web',
          to: 'cache',
          protocol: 'tcp',
          ports: 6379,
          action: 'allow',
          priority: 77,
        });
    }),
  ).toEqual({ incremental: true, written: { 'vtep-a': 1, 'vtep-b': 1 } });
  // A broken edit is refused with its line, nothing written; the next good one is local again.
  const refused = next(s, 'reload');
  writeFileSync(file, stringify(fabric).replace('identity: db', 'identity: dbx'));
  const [{ ok, error }] = await refused;
  expect(ok).toBe(false);
  expect(error?.message).toMatch(/fabric\.yaml:\d+: workloads\[\d+\]\.identity: unknown identity 'dbx'/);
  await holdsExactly(fabric);
  expect(
    await change((f) => f.workloads.push({ ...blueWeb2(), name: 'blue-web-3', mac: '02:00:00:00:0a:04' })),
  ).toEqual({
    incremental: true,
    written: { 'vtep-a': 4, 'vtep-b': 1 },
  });
}, 60_000);
