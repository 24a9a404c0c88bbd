// The order of a fabric-wide apply (fabric-controller.ts reconcileFabric): devices plan and compare
// one at a time (turns.ts), in slices (slices.ts), and the next device is planned while the first is
// written. What must hold whatever the order the devices come in: the capacity check before any
// write to a device, its pipeline included; a failure is its device's alone and ends its turn; a
// second apply writes nothing. Decided from the steps each device reports (onStep), never from time:
// diffs pause at every step (sliceMs 0), so that devices would interleave without turns.

import type { EncodedUpdate } from 'p4runtime-ts-grpc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import {
  type Diff,
  type Fabric,
  IntentError,
  planFabric,
  type ReconcileStep,
  reconcileFabric,
  Turns,
  vtepProgram,
} from '../../src/controller/index.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import { diffWire, diffWireInSlices } from '../../src/controller/wire-diff.js';
import { copyFabric, greenWorkload, type Lab, reports, startLab, tableSize } from './helpers.js';

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

/** The steps of every device, in the order they happened. */
function recorder() {
  const log: { device: string; step: ReconcileStep }[] = [];
  return {
    log,
    onStep: (device: string, step: ReconcileStep) => log.push({ device, step }),
    of: (device: string) => log.filter((e) => e.device === device).map((e) => e.step),
  };
}

/**
 * True when no two devices' turns overlap: a turn runs from the device's `plan` to its `diffed`, or
 * to its last step when it failed in its turn.
 */
function turnsApart(log: readonly { device: string; step: ReconcileStep }[]): boolean {
  const turns = new Map<string, [number, number]>();
  log.forEach(({ device, step }, i) => {
    const turn = turns.get(device);
    if (step === 'plan') turns.set(device, [i, i]);
    else if (turn && log[turn[1]].step !== 'diffed') turn[1] = i;
  });
  const spans = [...turns.values()].sort((x, y) => x[0] - y[0]);
  return spans.every((s, k) => k === 0 || spans[k - 1][1] < s[0]);
}

type Workload = Fabric['workloads'][number];

/** Enough green workloads on `device` to overfill vport_classification there. */
const overfill = (size: number, device: 'vtep-a' | 'vtep-b'): Workload[] =>
  Array.from({ length: size + 1 }, (_, i) =>
    device === 'vtep-a'
      ? greenWorkload(i)
      : {
          ...greenWorkload(i),
          name: `b${i}`,
          mac: `02:20:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}:01`,
          device: 'vtep-b',
          port: 2,
          vlan: 30,
        },
  );

const pipelineTables = (i: number) =>
  lab.withClient(i, async (c) => {
    const running = await c.getPipeline('P4INFO_AND_COOKIE').catch(() => ({ p4info: undefined }));
    return running.p4info?.tables?.length ?? 0;
  });

describe('the order of a fabric-wide apply', () => {
  it('plans the next device while the first is written, one device’s plan at a time, and writes nothing on a second apply', async () => {
    // Enough workloads that each device's diff has steps to pause at (1,024 entities each).
    const fabric = copyFabric(lab.fabric);
    fabric.workloads.push(...Array.from({ length: 3000 }, (_, i) => greenWorkload(i)));
    const steps = recorder();
    const first = reports(await reconcileFabric(lab.devices(fabric), { onStep: steps.onStep, sliceMs: 0 }));
    expect(first.every((r) => r.written > 0 && r.pipeline === 'pushed')).toBe(true);
    expect(turnsApart(steps.log)).toBe(true);
    for (const device of ['vtep-a', 'vtep-b'])
      expect(steps.of(device)).toEqual([
        'read',
        'plan',
        'planned',
        'push',
        'diffed',
        'pushed',
        'writing',
        'written',
      ]);
    // The device that planned second began before the first was written (its Writes wait on
    // answers over the network; the next turn begins as soon as the first device's diff is made).
    const [leader, follower] = steps.log.filter((e) => e.step === 'plan').map((e) => e.device);
    const at = (device: string, step: ReconcileStep) =>
      steps.log.findIndex((e) => e.device === device && e.step === step);
    expect(at(follower, 'plan')).toBeLessThan(at(leader, 'written'));

    const again = recorder();
    const second = reports(await reconcileFabric(lab.devices(fabric), { onStep: again.onStep, sliceMs: 0 }));
    expect(second.map((r) => [r.written, r.pipeline])).toEqual([
      [0, 'kept'],
      [0, 'kept'],
    ]);
    expect(turnsApart(again.log)).toBe(true);
  });

  it('refuses every device over capacity before any write to it, its pipeline included', async () => {
    const size = await tableSize('vport_classification');
    const fabric = copyFabric(lab.fabric);
    fabric.workloads.push(...overfill(size, 'vtep-a'), ...overfill(size, 'vtep-b'));
    const steps = recorder();
    const outcomes = await reconcileFabric(lab.devices(fabric), { onStep: steps.onStep, sliceMs: 0 });
    for (const [i, device] of ['vtep-a', 'vtep-b'].entries()) {
      const o = outcomes[i];
      expect(o.ok).toBe(false);
      const error = (o as { error: Error }).error;
      expect(error).toBeInstanceOf(IntentError);
      expect(error.message).toContain(`device ${device}: table vport_classification: `);
      expect(error.message).toContain('nothing was written');
      // Each device had its turn (the first one's refusal ended it) and stopped at the check.
      expect(steps.of(device)).toEqual(['read', 'plan']);
      expect(await pipelineTables(i)).toBe(0);
    }
  });

  it('writes the device that fits while refusing the one that does not, whichever plans first', async () => {
    const size = await tableSize('vport_classification');
    const fabric = copyFabric(lab.fabric);
    fabric.workloads.push(...overfill(size, 'vtep-b'));
    const steps = recorder();
    const [a, b] = await reconcileFabric(lab.devices(fabric), { onStep: steps.onStep, sliceMs: 0 });
    expect(b.ok).toBe(false);
    expect((b as { error: Error }).error.message).toContain('device vtep-b: table vport_classification: ');
    expect(steps.of('vtep-b')).toEqual(['read', 'plan']);
    expect(await pipelineTables(1)).toBe(0);
    expect(a.ok).toBe(true);
    const report = (a as { ok: true; report: { written: number; changes: unknown[] } }).report;
    expect(report.written).toBe(report.changes.length);
    expect(steps.of('vtep-a').at(-1)).toBe('written');
    // vtep-a holds what it was written: applying it alone again writes nothing.
    const [again] = reports(await reconcileFabric(lab.devices(fabric).slice(0, 1)));
    expect(again.written).toBe(0);
  });

  it('a device refused in its turn (another program) lets the next device plan, and is reported alone', async () => {
    await lab.withClient(0, async (c) => {
      const { loadDeviceConfig, loadP4Info } = await import('p4runtime-ts-grpc');
      await c.setPipeline({
        p4info: await loadP4Info('test/fixtures/p4/basic_forward.p4info.txtpb'),
        deviceConfig: await loadDeviceConfig('test/fixtures/p4/basic_forward.json'),
      });
    });
    const steps = recorder();
    const [a, b] = await reconcileFabric(lab.devices(), { onStep: steps.onStep, sliceMs: 0 });
    expect(a.ok).toBe(false);
    expect((a as { error: Error }).error.message).toMatch(/vtep-a/);
    expect(steps.of('vtep-a')).toEqual(['read', 'plan']);
    expect(b.ok).toBe(true);
    expect(steps.of('vtep-b').at(-1)).toBe('written');
    expect(turnsApart(steps.log)).toBe(true);
  });
});

describe('turns and slices', () => {
  it('the check of this file sees turns that overlap', () => {
    const log = (steps: [string, ReconcileStep][]) => steps.map(([device, step]) => ({ device, step }));
    expect(
      turnsApart(
        log([
          ['a', 'plan'],
          ['a', 'diffed'],
          ['b', 'plan'],
          ['a', 'written'],
          ['b', 'diffed'],
        ]),
      ),
    ).toBe(true);
    expect(
      turnsApart(
        log([
          ['a', 'plan'],
          ['b', 'plan'],
          ['a', 'diffed'],
          ['b', 'diffed'],
        ]),
      ),
    ).toBe(false);
  });

  it('a diff made in slices is the one made at once', async () => {
    const fabric = copyFabric(lab.fabric);
    fabric.workloads.push(...Array.from({ length: 3000 }, (_, i) => greenWorkload(i)));
    const [target] = lab.devices(fabric);
    await lab.withClient(0, async (client) => {
      client.bindP4Info((await vtepProgram()).p4info);
      const entities = entitiesForProgram(client.p4info, planFabric(target.intent).entities);
      const bytes = (d: Diff) =>
        d.changes.map((c) => {
          const u = c.update as EncodedUpdate;
          return `${c.kind} ${c.owner} ${Buffer.from(u.encodedEntity.subarray(u.entityStart, u.entityEnd)).toString('hex')}`;
        });
      const once = bytes(diffWire(client, client.p4info, entities, new WireSnapshot()));
      expect(once.length).toBe(entities.length);
      expect(once.length).toBeGreaterThan(3000);
      expect(bytes(await diffWireInSlices(client, client.p4info, entities, new WireSnapshot(), 0))).toEqual(
        once,
      );
    });
  });

  it('are given one at a time, in the order asked, and the next begins when one ends', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const run = async (name: string, fail: boolean) => {
      const end = await turns.take();
      log.push(`${name} begins`);
      try {
        await Promise.resolve();
        log.push(`${name} works`);
        if (fail) throw new Error(name);
      } finally {
        log.push(`${name} ends`);
        end();
      }
    };
    const results = await Promise.allSettled([run('a', false), run('b', true), run('c', false)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual([
      'a begins',
      'a works',
      'a ends',
      'b begins',
      'b works',
      'b ends',
      'c begins',
      'c works',
      'c ends',
    ]);
  });
});
