import { P4InfoIndex, type p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { PuntMeterError, planPuntMeters } from '../../src/controller/punt-meters.js';

/** A P4Info with the given indexed meters (unit 2 = PACKETS, 1 = BYTES). */
function p4infoWith(meters: Array<{ id: number; name: string; size: number; unit?: number }>): P4InfoIndex {
  const message: p4.config.v1.IP4Info = {
    meters: meters.map((m) => ({
      preamble: { id: m.id, name: m.name, alias: m.name.slice(m.name.lastIndexOf('.') + 1) },
      spec: { unit: m.unit ?? 2 },
      size: m.size,
    })),
  };
  return new P4InfoIndex(message);
}

const VTEP = () =>
  p4infoWith([
    { id: 0x06000001, name: 'VtepEgress.oam_punt_meter', size: 1 },
    { id: 0x06000002, name: 'VtepEgress.mtu_punt_meter', size: 1 },
    { id: 0x06000003, name: 'VtepIngress.tenant_policer', size: 4, unit: 1 },
  ]);

describe('punt meters', () => {
  it('configures every cell of every meter named *punt_meter, and nothing else', () => {
    const planned = planPuntMeters(
      p4infoWith([
        { id: 0x06000001, name: 'VtepEgress.oam_punt_meter', size: 2 },
        { id: 0x06000003, name: 'VtepIngress.tenant_policer', size: 4, unit: 1 },
      ]),
      { default: { packetsPerSecond: 10, burstPackets: 3 } },
    );
    const config = { cir: 10, cburst: 3, pir: 10, pburst: 3 };
    expect(planned).toEqual([
      { kind: 'meter', meter: 'VtepEgress.oam_punt_meter', index: 0, config },
      { kind: 'meter', meter: 'VtepEgress.oam_punt_meter', index: 1, config },
    ]);
  });

  it('takes a per-meter limit by full or short name, the default otherwise', () => {
    const planned = planPuntMeters(VTEP(), {
      default: { packetsPerSecond: 100, burstPackets: 10 },
      byMeter: { oam_punt_meter: { packetsPerSecond: 0, burstPackets: 2 } },
    });
    expect(planned.map((p) => [p.meter, p.config.pir, p.config.pburst])).toEqual([
      ['VtepEgress.oam_punt_meter', 0, 2],
      ['VtepEgress.mtu_punt_meter', 100, 10],
    ]);
    const full = planPuntMeters(VTEP(), {
      byMeter: { 'VtepEgress.mtu_punt_meter': { packetsPerSecond: 5, burstPackets: 1 } },
    });
    expect(full.find((p) => p.meter === 'VtepEgress.mtu_punt_meter')?.config).toEqual({
      cir: 5,
      cburst: 1,
      pir: 5,
      pburst: 1,
    });
  });

  it('has a default limit when none is given', () => {
    const planned = planPuntMeters(VTEP());
    expect(planned).toHaveLength(2);
    for (const p of planned) expect(Number(p.config.pir)).toBeGreaterThan(0);
  });

  it('refuses limits for a meter the program lacks, naming what it has', () => {
    expect(() =>
      planPuntMeters(VTEP(), { byMeter: { arp_punt_meter: { packetsPerSecond: 1, burstPackets: 1 } } }),
    ).toThrow(
      new PuntMeterError(
        "punt meter 'arp_punt_meter' is not in the program (it has: VtepEgress.oam_punt_meter, VtepEgress.mtu_punt_meter)",
      ),
    );
  });

  it('refuses negative or fractional limits and byte meters', () => {
    expect(() => planPuntMeters(VTEP(), { default: { packetsPerSecond: -1, burstPackets: 1 } })).toThrow(
      "punt meter 'VtepEgress.oam_punt_meter': packetsPerSecond must be a non-negative integer, not -1",
    );
    expect(() => planPuntMeters(VTEP(), { default: { packetsPerSecond: 1, burstPackets: 0.5 } })).toThrow(
      'burstPackets must be a non-negative integer, not 0.5',
    );
    expect(() =>
      planPuntMeters(p4infoWith([{ id: 0x06000009, name: 'E.x_punt_meter', size: 1, unit: 1 }])),
    ).toThrow("punt meter 'E.x_punt_meter' counts BYTES, not PACKETS");
  });

  it('plans nothing for a program without punt meters', () => {
    expect(planPuntMeters(p4infoWith([]))).toEqual([]);
  });
});
