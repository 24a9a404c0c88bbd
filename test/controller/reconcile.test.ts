// The controller against two embedded targets over gRPC: first apply, idempotent re-apply with frames
// flowing, one-workload change, drift and prune, capacity refusal, failure part-way and convergence,
// --atomic rollback, and a device running another program.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IntentError,
  ReconcileError,
  readDevice,
  reconcileFabric,
  vtepProgram,
} from '../../src/controller/index.js';
import {
  applyThenReapplyWithFramesFlowing,
  blueWeb2,
  copyFabric,
  greenWorkload,
  type Lab,
  reports,
  startLab,
  summary,
  tableSize,
} from './helpers.js';

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

describe('reconciling a fabric of two devices', () => {
  it('writes everything once, then nothing, and loses no frame while re-applying', async () => {
    await applyThenReapplyWithFramesFlowing(lab);
  });

  it('writes an ECMP route once, then nothing; an uplink marked down modifies just its route', async () => {
    const fabric = copyFabric(lab.fabric);
    const a = fabric.devices[0];
    a.uplinks.push({ port: 6, mac: '02:aa:00:00:00:06' });
    a.routes = [
      {
        prefix: '10.0.0.0/24',
        nextHops: [
          { uplink: 5, nextHopMac: '02:bb:00:00:00:05' },
          { uplink: 6, nextHopMac: '02:bb:00:00:00:06' },
        ],
      },
    ];
    reports(await reconcileFabric(lab.devices(fabric)));
    const [again] = reports(await reconcileFabric(lab.devices(fabric)));
    expect(again.changes).toEqual([]);

    a.uplinks[1].down = true;
    const [down] = reports(await reconcileFabric(lab.devices(fabric)));
    expect(summary(down)).toEqual(['modify underlay_route_ipv4 route 10.0.0.0/24']);
    const [settled] = reports(await reconcileFabric(lab.devices(fabric)));
    expect(settled.changes).toEqual([]);
  });

  it('writes exactly one workload’s entries, on the devices concerned', async () => {
    reports(await reconcileFabric(lab.devices()));
    const fabric = copyFabric(lab.fabric);
    fabric.workloads.push(blueWeb2());
    const [a, b] = reports(await reconcileFabric(lab.devices(fabric)));
    expect(summary(a)).toEqual([
      'insert flood_replica tenant blue, workload blue-web-2',
      'insert overlay_mac tenant blue, workload blue-web-2',
      'insert vport_classification tenant blue, workload blue-web-2',
      'modify multicast group tenant blue, flooding',
    ]);
    expect(summary(b)).toEqual(['insert overlay_mac tenant blue, workload blue-web-2 behind 10.0.0.1']);
    expect(a.diff.unchanged + b.diff.unchanged).toBe(a.plan.entities.length + b.plan.entities.length - 5);

    // And back: genevectl wrote them, so the workload's entries are deleted; nothing else moves.
    const [a2, b2] = reports(await reconcileFabric(lab.devices()));
    expect(a2.changes.map((c) => `${c.kind} ${c.table}`).sort()).toEqual([
      'delete flood_replica',
      'delete overlay_mac',
      'delete vport_classification',
      'modify multicast group',
    ]);
    expect(b2.changes.map((c) => `${c.kind} ${c.table} ${c.owner}`)).toEqual([
      'delete overlay_mac no longer in the intent: {vni=5000, dst_mac=02:00:00:00:0a:03}',
    ]);
    expect(a2.diff.drift.length + b2.diff.drift.length).toBe(0);
  });

  it('reports drift and removes it only with prune', async () => {
    reports(await reconcileFabric(lab.devices()));
    await lab.withClient(1, async (c) => {
      await c.loadPipelineFromDevice();
      await c.insert([
        c.tableEntry('overlay_mac', {
          match: { vni: 5000, dst_mac: '02:00:00:00:99:99' },
          action: 'to_remote_vtep',
          params: { tunnel_id: 1 },
        }),
      ]);
    });
    const [, b] = reports(await reconcileFabric(lab.devices(), { dryRun: true }));
    expect(b.diff.drift.map((c) => `${c.table} ${c.owner}`)).toEqual([
      'overlay_mac not in the intent: {vni=5000, dst_mac=02:00:00:00:99:99}',
    ]);
    expect(b.changes).toEqual([]);
    const [, kept] = reports(await reconcileFabric(lab.devices()));
    expect(kept.written).toBe(0);
    expect(kept.diff.drift.length).toBe(1);
    const [, pruned] = reports(await reconcileFabric(lab.devices(), { prune: true }));
    expect(pruned.written).toBe(1);
    const [, clean] = reports(await reconcileFabric(lab.devices()));
    expect(clean.diff.drift.length).toBe(0);
  });

  it('refuses a plan larger than a table before writing anything', async () => {
    const fabric = copyFabric(lab.fabric);
    const size = await tableSize('vport_classification');
    // vtep-a has 2 workloads; size + 1 more overfill vport_classification by 3.
    for (let i = 0; i <= size; i++) {
      fabric.workloads.push(greenWorkload(i));
    }
    const [a] = await reconcileFabric(lab.devices(fabric));
    expect(a.ok).toBe(false);
    const error = (a as { error: Error }).error;
    expect(error).toBeInstanceOf(IntentError);
    expect(error.message).toContain(
      `device vtep-a: table vport_classification: ${size + 3} entries planned, the program holds ${size}; nothing was written`,
    );
    await lab.withClient(0, async (c) => {
      const running = await c.getPipeline('P4INFO_AND_COOKIE').catch(() => ({ p4info: undefined }));
      expect(running.p4info?.tables?.length ?? 0).toBe(0);
    });
  });

  it('reports a failure part-way in the intent’s terms, then converges; --atomic puts the device back', async () => {
    // Fill tenant_by_vni of vtep-a with VNIs the intent does not have: inserting blue and green fails.
    reports(await reconcileFabric(lab.devices().slice(1)));
    await lab.withClient(0, async (c) => {
      const program = await vtepProgram();
      await c.setPipeline({
        p4info: program.p4info,
        deviceConfig: program.deviceConfig,
        cookie: program.cookie,
      });
      const filler = [];
      for (let vni = 100_000; vni < 100_000 + 4096; vni++)
        filler.push(
          c.tableEntry('tenant_by_vni', {
            match: { vni },
            action: 'set_tenant',
            params: { tenant_slot: 1, unknown_security_id: 0 },
          }),
        );
      await c.insert(filler);
    });
    const device = lab.devices()[0];
    const before = await lab.withClient(0, async (c) => {
      c.bindP4Info((await vtepProgram()).p4info);
      return readDevice(c);
    });

    const [atomic] = await reconcileFabric([device], { atomic: true });
    expect(atomic.ok).toBe(false);
    const rolled = (atomic as { error: Error }).error as ReconcileError;
    expect(rolled).toBeInstanceOf(ReconcileError);
    expect(rolled.rolledBack).toBe(true);
    expect(rolled.message).toMatch(/insert tenant (blue|green) \(tenant_by_vni\): [A-Z_]+: /);
    expect(rolled.message).toContain('put back as it was before this apply');
    const afterRollback = await lab.withClient(0, async (c) => {
      c.bindP4Info((await vtepProgram()).p4info);
      return readDevice(c);
    });
    expect([...afterRollback.values()].map((o) => `${o.key}=${o.value}`).sort()).toEqual(
      [...before.values()].map((o) => `${o.key}=${o.value}`).sort(),
    );

    const [partial] = await reconcileFabric([device]);
    const failure = (partial as { error: Error }).error as ReconcileError;
    expect(failure).toBeInstanceOf(ReconcileError);
    expect(failure.rolledBack).toBe(false);
    expect(failure.failed.map((f) => f.change.owner).sort()).toEqual(['tenant blue', 'tenant green']);
    expect(failure.message).toMatch(/the device now holds \d+ of the \d+ changes; apply again to converge/);

    // With prune the filler goes first (the table would overflow otherwise), then it converges.
    const [converged] = reports(await reconcileFabric([device], { prune: true }));
    expect(converged.diff.drift.length).toBe(4096);
    const [again] = reports(await reconcileFabric([device]));
    expect([again.changes.length, again.diff.drift.length]).toEqual([0, 0]);
  });

  it('refuses a device running another program unless forced', async () => {
    await lab.withClient(0, async (c) => {
      const { loadDeviceConfig, loadP4Info } = await import('p4runtime-ts-grpc');
      await c.setPipeline({
        p4info: await loadP4Info('test/fixtures/p4/basic_forward.p4info.txtpb'),
        deviceConfig: await loadDeviceConfig('test/fixtures/p4/basic_forward.json'),
      });
    });
    const [refused] = await reconcileFabric(lab.devices().slice(0, 1));
    expect((refused as { error: Error }).error.message).toContain(
      'device vtep-a runs another program (cookie none',
    );
    const [forced] = reports(await reconcileFabric(lab.devices().slice(0, 1), { force: true }));
    expect(forced.pipeline).toBe('replaced');
  });
});
