/**
 * Punt meters (docs/DATAPLANE.md rule 13): every path from the data plane to the controller goes
 * through a packet meter, and what the meter colours red is dropped and counted in the data plane.
 * A meter nobody configured lets everything through, so the controller configures every punt meter
 * the program declares. Pure: from the P4Info and the limits, the MeterEntry configs to write.
 */
import type { MeterConfig, P4InfoIndex } from 'p4runtime-ts-grpc';

/** A meter is a punt meter when its P4Info name ends with this (e.g. `VtepEgress.oam_punt_meter`). */
export const PUNT_METER_SUFFIX = 'punt_meter';

/** How many punted packets per second a path may deliver, and how many in a burst. */
export interface PuntLimit {
  packetsPerSecond: number;
  burstPackets: number;
}

/** Default: enough for OAM probes and PMTU answers, far below what an underlay link can push. */
export const DEFAULT_PUNT_LIMIT: PuntLimit = { packetsPerSecond: 200, burstPackets: 50 };

export interface PuntMeterLimits {
  /** Limit of every punt meter not named in `byMeter`. */
  default?: PuntLimit;
  /** Per meter, by P4Info name (`VtepEgress.oam_punt_meter`) or by its last segment (`oam_punt_meter`). */
  byMeter?: Readonly<Record<string, PuntLimit>>;
}

/** One cell of a punt meter and the configuration to write into it (a MeterEntry MODIFY). */
export interface PlannedMeterConfig {
  kind: 'meter';
  meter: string;
  index: number;
  config: MeterConfig;
}

/** Refused limits or a program whose punt meters cannot be configured, one line naming what. */
export class PuntMeterError extends Error {
  override name = 'PuntMeterError';
}

function checkLimit(limit: PuntLimit, what: string): void {
  for (const [field, value] of Object.entries(limit)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new PuntMeterError(`${what}: ${field} must be a non-negative integer, not ${value}`);
  }
}

/**
 * The configuration of every cell of every punt meter in `p4info`. The meters are two-rate
 * three-colour meters (v1model `meter`, P4Runtime MeterConfig); committed and peak rates and bursts
 * are both set to the limit, so a packet beyond the burst at the rate is red, and red is dropped.
 */
export function planPuntMeters(p4info: P4InfoIndex, limits: PuntMeterLimits = {}): PlannedMeterConfig[] {
  const byMeter = limits.byMeter ?? {};
  const meters = [...p4info.meters].filter((m) => m.name.endsWith(PUNT_METER_SUFFIX));
  const known = new Set(meters.flatMap((m) => [m.name, m.name.slice(m.name.lastIndexOf('.') + 1)]));
  for (const name of Object.keys(byMeter)) {
    if (!known.has(name))
      throw new PuntMeterError(
        `punt meter '${name}' is not in the program (it has: ${meters.map((m) => m.name).join(', ') || 'none'})`,
      );
  }
  const planned: PlannedMeterConfig[] = [];
  for (const m of meters) {
    if (m.unit !== 'PACKETS')
      throw new PuntMeterError(`punt meter '${m.name}' counts ${m.unit}, not PACKETS`);
    const short = m.name.slice(m.name.lastIndexOf('.') + 1);
    const limit = byMeter[m.name] ?? byMeter[short] ?? limits.default ?? DEFAULT_PUNT_LIMIT;
    checkLimit(limit, `punt meter '${m.name}'`);
    const config: MeterConfig = {
      cir: limit.packetsPerSecond,
      cburst: limit.burstPackets,
      pir: limit.packetsPerSecond,
      pburst: limit.burstPackets,
    };
    for (let index = 0; index < m.size; index++)
      planned.push({ kind: 'meter', meter: m.name, index, config });
  }
  return planned;
}
