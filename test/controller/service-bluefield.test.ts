// `genevectl controller run` against two embedded targets with the BlueField profile: one stream
// per device without MasterArbitrationUpdate (the profile ends a stream that sends one, and refuses
// a second), converged, converged again after a device restarts, a file change written exactly,
// and a resync that writes nothing. Waits are for the service's own events.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FabricService } from '../../src/controller/index.js';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../src/switch/index.js';
import { blueWeb2, copyFabric, exampleFabric, nextServiceEvent as next, startConverged } from './helpers.js';

let targets: EmbeddedTarget[] = [];
let service: FabricService | undefined;
afterEach(async () => {
  await service?.stop();
  for (const t of targets) await t.stop();
  targets = [];
});

const start = (grpcAddress = '127.0.0.1:0') =>
  startEmbeddedTarget({ grpcAddress, cpuPort: 255, ports: 8, deviceId: 1, profile: 'bluefield' });

describe('controller service on BlueField devices', () => {
  it('keeps two DPUs converged through a restart and a file change', async () => {
    targets = [await start(), await start()];
    const fabric = exampleFabric();
    fabric.devices.forEach((d, i) => {
      d.address = targets[i].grpcAddress;
      d.kind = 'bluefield';
    });
    const file = join(mkdtempSync(join(tmpdir(), 'service-bf-')), 'fabric.yaml');
    writeFileSync(file, stringify(fabric));
    service = new FabricService(file, {
      backoffMs: { initial: 50, max: 500 },
      watchIntervalMs: 50,
      resyncMs: 300,
    });
    const s = service;
    const errors: string[] = [];
    s.on('deviceError', ({ error }) => errors.push(error.message));
    await startConverged(s, 2);
    expect(s.health().ok).toBe(true);
    // No stream was ended by the profile (a MasterArbitrationUpdate or a second stream would be).
    expect(errors).toEqual([]);

    const address = targets[0].grpcAddress;
    const restarted = next(
      s,
      'converged',
      ({ device, report }) => device === 'vtep-a' && report.pipeline === 'pushed',
    );
    await targets[0].stop();
    targets[0] = await start(address);
    const [{ report }] = await restarted;
    expect(report.written).toBe(report.plan.entities.length);
    expect(report.plan.entities.every((e) => e.kind === 'table' || e.kind === 'meter')).toBe(true);

    const changed = copyFabric(fabric);
    changed.workloads.push(blueWeb2());
    const a = next(s, 'converged', ({ device, report: r }) => device === 'vtep-a' && r.written > 0);
    const b = next(s, 'converged', ({ device, report: r }) => device === 'vtep-b' && r.written > 0);
    writeFileSync(file, stringify(changed));
    const [[ra], [rb]] = await Promise.all([a, b]);
    // No flood replica or multicast group: two entries on vtep-a, one on vtep-b.
    expect([ra.report.written, rb.report.written]).toEqual([2, 1]);

    const resynced = next(s, 'converged', ({ device }) => device === 'vtep-b');
    const [{ report: quiet }] = await resynced;
    expect([quiet.written, quiet.diff.unchanged]).toEqual([0, quiet.plan.entities.length]);
  }, 60_000);
});
