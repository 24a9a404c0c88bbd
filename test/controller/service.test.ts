// `genevectl controller run` as a library: converges two devices, converges again after a device
// restarts (program gone), applies the file again when it changes, keeps the running fabric when the
// new file has a mistake, and serves metrics and health. Waits are for the service's own events.
// On the target P4_TARGET selects: embedded targets in this process, or bmv2 simple_switch_grpc
// (P4_TARGET=bmv2; a restart kills the switch and starts a new one on the same addresses).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FabricService } from '../../src/controller/index.js';
import { type RunningTarget, startTarget } from '../scenarios/harness/target.js';
import { blueWeb2, copyFabric, exampleFabric, nextServiceEvent as next, startConverged } from './helpers.js';

let targets: RunningTarget[] = [];
let service: FabricService | undefined;
afterEach(async () => {
  await service?.stop();
  for (const t of targets) await t.stop();
  targets = [];
});

/** A target of the selected kind; `at`: a restart on the addresses of one that stopped. */
const start = (at?: RunningTarget) => startTarget(undefined, at);

describe('controller service', () => {
  it('keeps two devices converged through a restart and a file change, with metrics and health', async () => {
    targets = [await start(), await start()];
    const lab = { fabric: exampleFabric() };
    lab.fabric.devices.forEach((d, i) => {
      d.address = targets[i].p4runtimeAddress;
      d.deviceId = targets[i].deviceId;
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
    await startConverged(s, 2);
    const health = await (await fetch(`http://${s.httpAddress}/healthz`)).json();
    expect(health).toEqual({
      ok: true,
      devices: {
        'vtep-a': { connected: true, converged: true },
        'vtep-b': { connected: true, converged: true },
      },
    });

    // vtep-a restarts empty on the same address: the service reconnects and writes it again.
    const stopped = targets[0];
    const restarted = next(
      s,
      'converged',
      ({ device, report }) => device === 'vtep-a' && report.pipeline === 'pushed',
    );
    await stopped.stop();
    targets[0] = await start(stopped);
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
