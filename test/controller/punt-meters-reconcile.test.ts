// The reconciler configures every punt meter (docs/DATAPLANE.md rule 13) of each device: meters are
// MODIFY-only in P4Runtime, so the desired MeterEntry configs are read back, compared and modified.
// A second apply writes nothing; a meter changed on the device is put back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileFabric } from '../../src/controller/index.js';
import { DEFAULT_PUNT_LIMIT } from '../../src/controller/punt-meters.js';
import { type Lab, reports, startLab } from './helpers.js';

const METERS = ['VtepEgress.mtu_punt_meter', 'VtepEgress.oam_punt_meter'];
const DEFAULT_CONFIG = {
  cir: DEFAULT_PUNT_LIMIT.packetsPerSecond,
  cburst: DEFAULT_PUNT_LIMIT.burstPackets,
  pir: DEFAULT_PUNT_LIMIT.packetsPerSecond,
  pburst: DEFAULT_PUNT_LIMIT.burstPackets,
};

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

/** The configuration of every cell of the punt meters on device 0, by meter name. */
async function meterConfigs(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  await lab.withClient(0, async (c) => {
    await c.loadPipelineFromDevice();
    for (const name of METERS) {
      out[name] = [];
      for (const cell of await c.readAll(c.meterEntry(name))) {
        if (cell.kind !== 'meterEntry') continue;
        const cfg = cell.config;
        out[name].push(
          cfg
            ? {
                cir: Number(cfg.cir),
                cburst: Number(cfg.cburst),
                pir: Number(cfg.pir),
                pburst: Number(cfg.pburst),
              }
            : undefined,
        );
      }
    }
  });
  return out;
}

describe('punt meters', () => {
  it('are configured by the first apply, left alone by the second, and put back when changed', async () => {
    const [first] = reports(await reconcileFabric(lab.devices()));
    expect(
      first.changes
        .filter((c) => c.table === 'punt meter')
        .map((c) => `${c.kind} ${c.owner}`)
        .sort(),
    ).toEqual(['modify mtu_punt_meter[0]', 'modify oam_punt_meter[0]']);
    expect(await meterConfigs()).toEqual({
      'VtepEgress.mtu_punt_meter': [DEFAULT_CONFIG],
      'VtepEgress.oam_punt_meter': [DEFAULT_CONFIG],
    });

    const [second] = reports(await reconcileFabric(lab.devices()));
    expect(second.written).toBe(0);

    // Someone reconfigures a meter on the device: the next apply puts it back, and only it.
    await lab.withClient(0, async (c) => {
      await c.loadPipelineFromDevice();
      await c.modify([
        c.meterEntry('VtepEgress.oam_punt_meter', {
          index: 0,
          config: { cir: 1, cburst: 1, pir: 1, pburst: 1 },
        }),
      ]);
    });
    const [third] = reports(await reconcileFabric(lab.devices()));
    expect(third.changes.map((c) => `${c.kind} ${c.table} ${c.owner}`)).toEqual([
      'modify punt meter oam_punt_meter[0]',
    ]);
    expect((await meterConfigs())['VtepEgress.oam_punt_meter']).toEqual([DEFAULT_CONFIG]);
  });

  it('takes the limits of the intent, per meter', async () => {
    const devices = lab.devices().map((d) => ({
      ...d,
      intent: {
        ...d.intent,
        puntLimits: { byMeter: { oam_punt_meter: { packetsPerSecond: 10, burstPackets: 2 } } },
      },
    }));
    reports(await reconcileFabric(devices));
    expect(await meterConfigs()).toEqual({
      'VtepEgress.mtu_punt_meter': [DEFAULT_CONFIG],
      'VtepEgress.oam_punt_meter': [{ cir: 10, cburst: 2, pir: 10, pburst: 2 }],
    });
  });
});
