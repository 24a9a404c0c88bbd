// The one-shot VtepController (push + apply) and the reconciler on the same devices: what apply
// wrote is the reconciler's own (owner tag), so a reconcile after it writes nothing and reports no
// drift, and drops it when the intent does. And a device that turns the reconciler's stream away
// because its election id is held says so in one line, naming the device and the election id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileFabric, VtepController } from '../../src/controller/index.js';
import { copyFabric, type Lab, reports, startLab, summary } from './helpers.js';

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

describe('VtepController.apply, then the reconciler', () => {
  it('finds everything apply wrote its own: nothing to write, no drift, and deletes what the intent drops', async () => {
    const devices = lab.devices();
    const applied: number[] = [];
    for (let i = 0; i < devices.length; i++)
      await lab.withClient(i, async (c) => {
        const controller = new VtepController(c);
        await controller.pushProgram();
        applied.push((await controller.apply(devices[i].intent)).entities.length);
      });
    expect(applied.every((n) => n > 0)).toBe(true);

    const again = reports(await reconcileFabric(devices));
    expect(again.map(summary)).toEqual([[], []]);
    expect(again.map((r) => [r.pipeline, r.written, r.changes.length, r.diff.drift.length])).toEqual([
      ['kept', 0, 0, 0],
      ['kept', 0, 0, 0],
    ]);
    expect(again.map((r) => r.diff.unchanged)).toEqual(applied);

    // A workload gone from the file: its entries, written by apply, are deleted without --prune.
    const fabric = copyFabric(lab.fabric);
    const gone = fabric.workloads.findIndex((w) => w.device === 'vtep-a');
    fabric.workloads.splice(gone, 1);
    const [a] = reports(await reconcileFabric(lab.devices(fabric)));
    expect(a.changes.some((c) => c.kind === 'delete')).toBe(true);
    expect(a.diff.drift).toEqual([]);
  });
});

describe('a device holding our election id', () => {
  it('fails the reconcile with one line naming the device and the election id', async () => {
    const [a] = lab.devices();
    const outcomes = await lab.withClient(0, () => reconcileFabric([a]));
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes;
    if (outcome.ok) throw new Error('the reconcile was not turned away');
    const { electionId, deviceId, address } = a.connect;
    expect(outcome.error.message).toBe(
      `StreamChannel failed: INVALID_ARGUMENT: election id ${electionId} is already in use on device ${deviceId} at ${address} (another controller of the device has it, or a connection of ours the device has not ended yet): give this controller another electionId`,
    );
    expect(outcome.error.message).not.toContain('\n');
  });
});
