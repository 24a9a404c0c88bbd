/**
 * Run-time state of counters, meters and registers, with bmv2's semantics:
 * - counters count packets and bytes, bytes being the packet's "ingress length";
 * - meters are bmv2's token buckets (one bucket per rate, the highest rate checked first, RFC 2698 trTCM
 *   shape for 2 rates), colors 0 = GREEN, 1 = YELLOW, 2 = RED, and an unconfigured meter returns GREEN;
 * - register cells are unsigned integers of the declared width.
 */
import { isNumWidth } from './bits.js';

export interface CounterValue {
  readonly packets: number;
  readonly bytes: number;
}

export class CounterArrayState {
  readonly packets: Float64Array;
  readonly bytes: Float64Array;
  constructor(readonly size: number) {
    this.packets = new Float64Array(size);
    this.bytes = new Float64Array(size);
  }
  increment(index: number, bytes: number): void {
    this.packets[index] += 1;
    this.bytes[index] += bytes;
  }
  reset(): void {
    this.packets.fill(0);
    this.bytes.fill(0);
  }
}

/** One rate of a meter, as bmv2 stores it: tokens per microsecond and a burst size in units. */
export interface MeterRate {
  readonly unitsPerMicrosecond: number;
  readonly burstSize: number;
}

/**
 * P4Runtime-style meter configuration: committed/peak information rates in units (packets or bytes) per
 * second and burst sizes in units. Converted exactly like bmv2's PI layer does (rate / 1e6 per microsecond).
 */
export interface MeterConfig {
  readonly cir: number;
  readonly cburst: number;
  readonly pir: number;
  readonly pburst: number;
}

export const METER_GREEN = 0;
export const METER_YELLOW = 1;
export const METER_RED = 2;

interface BucketState {
  unitsPerMicrosecond: number;
  burstSize: number;
  tokens: number;
  tokensLast: number;
  color: number;
}

/** A single meter (one cell of a meter array, or the direct meter of one table entry). */
export class MeterCell {
  /** Buckets in evaluation order (highest color first), empty when not configured. */
  private buckets: BucketState[] = [];
  private config: MeterConfig | undefined;

  constructor(
    private readonly rateCount: number,
    private readonly timeOrigin: number,
  ) {}

  get configured(): boolean {
    return this.config !== undefined;
  }

  getConfig(): MeterConfig | undefined {
    return this.config;
  }

  /**
   * Configures the meter. For a 2-rate meter, rates are [committed, peak]; a 1-rate meter uses only the
   * committed rate. Throws a plain Error with a reason when the configuration is inconsistent.
   */
  setConfig(config: MeterConfig | undefined): void {
    if (config === undefined) {
      this.config = undefined;
      this.buckets = [];
      return;
    }
    for (const [k, v] of Object.entries(config)) {
      if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v))
        throw new Error(`meter ${k} must be a non-negative integer, got ${v}`);
    }
    const rates: MeterRate[] = [{ unitsPerMicrosecond: config.cir / 1e6, burstSize: config.cburst }];
    if (this.rateCount > 1) rates.push({ unitsPerMicrosecond: config.pir / 1e6, burstSize: config.pburst });
    if (rates.length > 1 && rates[0].unitsPerMicrosecond > rates[1].unitsPerMicrosecond) {
      throw new Error(`committed rate ${config.cir} exceeds peak rate ${config.pir}`);
    }
    // bmv2 stores rates in increasing order with colors 1..n and then reverses them, so the bucket of the
    // worst color is checked first.
    this.buckets = rates
      .map((r, i) => ({
        unitsPerMicrosecond: r.unitsPerMicrosecond,
        burstSize: r.burstSize,
        tokens: r.burstSize,
        tokensLast: 0,
        color: i + 1,
      }))
      .reverse();
    this.config = config;
  }

  /** Meters one packet of `units` (1 for packet meters, the ingress length for byte meters) at time `nowUs`. */
  execute(units: number, nowUs: number): number {
    if (this.buckets.length === 0) return METER_GREEN;
    const elapsed = Math.max(0, nowUs - this.timeOrigin);
    let color = METER_GREEN;
    for (const b of this.buckets) {
      const sinceInit = Math.floor(elapsed * b.unitsPerMicrosecond);
      const fresh = sinceInit - b.tokensLast;
      b.tokensLast = sinceInit;
      b.tokens = Math.min(b.tokens + fresh, b.burstSize);
      if (b.tokens < units) {
        color = b.color;
        break;
      }
      b.tokens -= units;
    }
    return color;
  }
}

export class MeterArrayState {
  readonly cells: MeterCell[];
  constructor(
    readonly size: number,
    readonly rateCount: number,
    readonly unit: 'packets' | 'bytes',
    timeOrigin: number,
  ) {
    this.cells = Array.from({ length: size }, () => new MeterCell(rateCount, timeOrigin));
  }
}

export class RegisterArrayState {
  /** Float64Array for widths up to 32 bits, bigint[] otherwise. */
  readonly cells: Float64Array | bigint[];
  constructor(
    readonly size: number,
    readonly width: number,
  ) {
    this.cells = isNumWidth(width) ? new Float64Array(size) : new Array<bigint>(size).fill(0n);
  }
  read(index: number): bigint {
    return BigInt(this.cells[index]);
  }
  write(index: number, value: bigint): void {
    const v = BigInt.asUintN(this.width, value);
    if (this.cells instanceof Float64Array) this.cells[index] = Number(v);
    else this.cells[index] = v;
  }
  reset(): void {
    if (this.cells instanceof Float64Array) this.cells.fill(0);
    else this.cells.fill(0n);
  }
}
