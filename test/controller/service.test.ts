// `genevectl controller run` as a library: converges two devices, converges again after a device
// restarts (program gone), applies the file again when it changes, keeps the running fabric when the
// new file has a mistake, and serves metrics and health. Waits are for the service's own events.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FabricService } from '../../src/controller/index.js';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../src/switch/index.js';
import { blueWeb2, copyFabric, exampleFabric, nextServiceEvent as next } from './helpers.js';

// Embedded targets in this process whatever P4_TARGET says: the test restarts one on its address.
let targets: EmbeddedTarget[] = [];
let service: FabricService | undefined;
afterEach(async () => {
  await service?.stop();
  for (const t of targets) await t.stop();
  targets = [];
});

const start = (grpcAddress = '127.0.0.1:0') =>
  startEmbeddedTarget({ grpcAddress, cpuPort: 255, ports: 8, deviceId: 1 });

describe('controller service', () => {
  it('keeps two devices converged through a restart and a file change, with metrics and health', async () => {
    targets = [await start(), await start()];
    const lab = { fabric: exampleFabric() };
    lab.fabric.devices.forEach((d, i) => {
      d.address = targets[i].grpcAddress;
    });
    const file = join(mkdtempSync(join(tmpdir(), 'service-')), 'fabric.yaml');
    writeFileSync(file, stringify(lab.fabric));
    service = new FabricService(file, {
      listen: '127.0.0.1:0',
      backoffMs: { initial: 50, max: 500 },
      watchIntervalMs: 50,
      resyncMs: 300,
    });
    const s = service;
    const converged = new Set<string>();
    const both = new Promise<void>((resolve) =>
      s.on('converged', ({ device }) => {
        converged.add(device);
        if (converged.size === 2) resolve();
      }),
    );
    await s.start();
    await both;
    const health = await (await fetch(`http://${s.httpAddress}/healthz`)).json();
    expect(health).toEqual({
      ok: true,
      devices: {
        'vtep-a': { connected: true, converged: true },
        'vtep-b': { connected: true, converged: true },
      },
    });

    // vtep-a restarts empty on the same address: the service reconnects and writes it again.
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

    // A new workload in the file: written on both devices, nothing else.
    const changed = copyFabric(lab.fabric);
    changed.workloads.push(blueWeb2());
    const a = next(s, 'converged', ({ device, report: r }) => device === 'vtep-a' && r.written > 0);
    const b = next(s, 'converged', ({ device, report: r }) => device === 'vtep-b' && r.written > 0);
    writeFileSync(file, stringify(changed));
    const [[ra], [rb]] = await Promise.all([a, b]);
    expect([ra.report.written, rb.report.written]).toEqual([4, 1]);

    // A file with a mistake is refused; the running fabric stays.
    const refused = next(s, 'reload', ({ ok }) => !ok);
    writeFileSync(file, `${stringify(changed)}\nbogus: 1\n`);
    const [{ error }] = await refused;
    expect(error?.message).toContain("unknown key 'bogus'");
    expect(s.health().ok).toBe(true);

    const metrics = await (await fetch(`http://${s.httpAddress}/metrics`)).text();
    expect(metrics).toMatch(/genevectl_reconcile_writes_total\{device="vtep-b",kind="insert"\} \d+/);
    expect(metrics).toContain('genevectl_device_converged{device="vtep-a"} 1');
    expect(metrics).toMatch(
      /genevectl_tenant_tunnelled_packets\{device="vtep-a",tenant="blue",vni="5000",direction="to_network"\} 0/,
    );
    expect(metrics).toContain('genevectl_reconcile_duration_seconds_count{device="vtep-a"}');

    // The periodic resync reads the device in full and finds nothing to do.
    const resynced = next(s, 'converged', ({ device }) => device === 'vtep-b');
    const [{ report: quiet }] = await resynced;
    expect([quiet.written, quiet.diff.unchanged]).toEqual([0, quiet.plan.entities.length]);
  }, 60_000);
});
