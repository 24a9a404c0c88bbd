// The controller against two embedded targets with the BlueField profile (the DPU's P4Runtime
// server as documented: no arbitration, CONTINUE_ON_ERROR only, MODIFY only on default entries, no
// packet replication, a table of size N holding N-1 entries). The profile refuses each of these
// with an error, so every successful write below is also a check that the controller kept to them.
// The profile runs the bmv2 VTEP program: these tests check the session and write discipline and
// the plan without replication, not the DPL data plane.
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
  lab = await startLab(2, { profile: 'bluefield' });
});
afterEach(async () => {
  await lab.stop();
});

const REPLICATION_TABLES = ['flood_replica', 'bum_flood'];

const snapshot = async (i: number) =>
  lab.withClient(i, async (c) => {
    c.bindP4Info((await vtepProgram()).p4info);
    const observed = await readDevice(c, { replication: false });
    return [...observed.values()].map((o) => `${o.key}=${o.value}`).sort();
  });

describe('reconciling a fabric of two BlueField devices', () => {
  it('needs `kind: bluefield` in the file when the program cannot tell (the emulation runs bmv2’s)', async () => {
    const fabric = copyFabric(lab.fabric);
    for (const d of fabric.devices) delete d.kind;
    const [a] = await reconcileFabric(lab.devices(fabric).slice(0, 1));
    expect((a as { error: Error }).error.message).toMatch(
      /^StreamChannel failed: UNIMPLEMENTED: .*MasterArbitrationUpdate.*declare the device `kind: bluefield`/,
    );
  });

  it('writes everything once without replication, then nothing, and loses no frame while re-applying', async () => {
    await applyThenReapplyWithFramesFlowing(lab, (r) => {
      // No multicast group, clone session or flood entry is planned (the profile would refuse them).
      expect(r.plan.entities.every((e) => e.kind === 'table' || e.kind === 'meter')).toBe(true);
      expect(
        r.plan.entities.filter((e) => e.kind === 'table' && REPLICATION_TABLES.includes(e.table)),
      ).toEqual([]);
      // The v1model program has no bum_policy table, so none is planned here.
      expect(r.changes.some((c) => c.table === 'bum_policy')).toBe(false);
    });
  });

  it('writes exactly one workload’s entries; a changed entry is replaced by DELETE then INSERT', async () => {
    reports(await reconcileFabric(lab.devices()));
    const fabric = copyFabric(lab.fabric);
    fabric.workloads.push(blueWeb2());
    const [a, b] = reports(await reconcileFabric(lab.devices(fabric)));
    expect(summary(a)).toEqual([
      'insert overlay_mac tenant blue, workload blue-web-2',
      'insert vport_classification tenant blue, workload blue-web-2',
    ]);
    expect(summary(b)).toEqual(['insert overlay_mac tenant blue, workload blue-web-2 behind 10.0.0.1']);
    expect(a.diff.unchanged + b.diff.unchanged).toBe(a.plan.entities.length + b.plan.entities.length - 3);

    // blue-web-2 changes identity: its two entries on vtep-a change their action data. The profile
    // refuses MODIFY of a regular entry (UNIMPLEMENTED), so this succeeds only as DELETE + INSERT.
    const moved = copyFabric(fabric);
    moved.workloads[moved.workloads.length - 1].identity = 'cache';
    const [a2, b2] = reports(await reconcileFabric(lab.devices(moved)));
    expect(summary(a2)).toEqual([
      'modify overlay_mac tenant blue, workload blue-web-2',
      'modify vport_classification tenant blue, workload blue-web-2',
    ]);
    expect(a2.written).toBe(2);
    expect(b2.changes).toEqual([]);
    const [a3] = reports(await reconcileFabric(lab.devices(moved)));
    expect(a3.changes).toEqual([]);

    // And back to the example: the workload's entries are deleted; nothing else moves.
    const [a4, b4] = reports(await reconcileFabric(lab.devices()));
    expect(a4.changes.map((c) => `${c.kind} ${c.table}`).sort()).toEqual([
      'delete overlay_mac',
      'delete vport_classification',
    ]);
    expect(b4.changes.map((c) => `${c.kind} ${c.table}`)).toEqual(['delete overlay_mac']);
  });

  it('refuses a plan that fills a table of size N with N entries (the DPU holds N-1)', async () => {
    const fabric = copyFabric(lab.fabric);
    const size = await tableSize('vport_classification');
    // vtep-a has 2 workloads; size - 2 more make as many vport_classification entries as the size.
    for (let i = 0; i < size - 2; i++) {
      fabric.workloads.push(greenWorkload(i));
    }
    const [a] = await reconcileFabric(lab.devices(fabric).slice(0, 1));
    expect(a.ok).toBe(false);
    const error = (a as { error: Error }).error;
    expect(error).toBeInstanceOf(IntentError);
    expect(error.message).toContain(
      `device vtep-a: table vport_classification: ${size} entries planned, a BlueField table of size ${size} holds ${size - 1}; nothing was written`,
    );
    await lab.withClient(0, async (c) => {
      const running = await c.getPipeline('P4INFO_AND_COOKIE').catch(() => ({ p4info: undefined }));
      expect(running.p4info?.tables?.length ?? 0).toBe(0);
    });
  });

  it('reports a failure part-way in the intent’s terms, then converges; --atomic puts the device back', async () => {
    // Fill tenant_by_vni of vtep-a (size 4096, so 4095 entries on the DPU) with VNIs the intent
    // does not have: inserting blue and green fails with RESOURCE_EXHAUSTED.
    await lab.withClient(0, async (c) => {
      const program = await vtepProgram();
      await c.setPipeline({
        p4info: program.p4info,
        deviceConfig: program.deviceConfig,
        cookie: program.cookie,
      });
      const filler = [];
      for (let vni = 100_000; vni < 100_000 + 4095; vni++)
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
    const before = await snapshot(0);

    const [atomic] = await reconcileFabric([device], { atomic: true });
    const rolled = (atomic as { error: Error }).error as ReconcileError;
    expect(rolled).toBeInstanceOf(ReconcileError);
    expect(rolled.rolledBack).toBe(true);
    expect(rolled.message).toMatch(/insert tenant (blue|green) \(tenant_by_vni\): RESOURCE_EXHAUSTED: /);
    expect(await snapshot(0)).toEqual(before);

    const [partial] = await reconcileFabric([device]);
    const failure = (partial as { error: Error }).error as ReconcileError;
    expect(failure).toBeInstanceOf(ReconcileError);
    expect(failure.rolledBack).toBe(false);
    expect(failure.failed.map((f) => f.change.owner).sort()).toEqual(['tenant blue', 'tenant green']);
    expect(failure.message).toMatch(/the device now holds \d+ of the \d+ changes; apply again to converge/);

    // With prune the filler goes first (the table would overflow otherwise), then it converges.
    const [converged] = reports(await reconcileFabric([device], { prune: true }));
    expect(converged.diff.drift.length).toBe(4095);
    const [again] = reports(await reconcileFabric([device]));
    expect([again.changes.length, again.diff.drift.length]).toEqual([0, 0]);
  });
});
