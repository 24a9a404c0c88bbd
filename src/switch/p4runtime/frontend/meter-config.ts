/**
 * MeterConfig <-> device meter rates with PI's rules: negative values other than -1 are refused,
 * bursts must fit 32 bits, an unset config (or all fields -1) means "unconfigured" (every packet
 * green), and -1 values read back as -1.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceMeterRates } from '../device/device.js';
import { longField, toBigInt } from './pipeline.js';
import { invalidArgument, unimplemented } from './status.js';

const UINT32_MAX = 0xffffffffn;
const UINT64_MAX = (1n << 64n) - 1n;

/** PI's `validate_meter_spec`. `what` names the meter in messages. */
export function validateMeterConfig(config: p4.v1.IMeterConfig, what: string): void {
  const cir = toBigInt(config.cir);
  const cburst = toBigInt(config.cburst);
  const pir = toBigInt(config.pir);
  const pburst = toBigInt(config.pburst);
  if (cir < -1n) throw invalidArgument('Negative meter CIR', `${what}, cir ${cir}`);
  if (cburst < -1n) throw invalidArgument('Negative meter CBurst', `${what}, cburst ${cburst}`);
  if (pir < -1n) throw invalidArgument('Negative meter PIR', `${what}, pir ${pir}`);
  if (pburst < -1n) throw invalidArgument('Negative meter PBurst', `${what}, pburst ${pburst}`);
  if (cburst > UINT32_MAX) throw unimplemented('CBurst too large', `${what}, cburst ${cburst}`);
  if (pburst > UINT32_MAX) throw unimplemented('Pburst too large', `${what}, pburst ${pburst}`);
}

/** Device rates for a config (undefined = reset to unconfigured). -1 rates become "unlimited". */
export function ratesOf(config: p4.v1.IMeterConfig | null | undefined): DeviceMeterRates | undefined {
  if (!config) return undefined;
  const rate = (v: bigint): bigint => (v === -1n ? UINT64_MAX : v);
  const burst = (v: bigint): bigint => (v === -1n ? UINT32_MAX : v);
  const rates = {
    cir: rate(toBigInt(config.cir)),
    cburst: burst(toBigInt(config.cburst)),
    pir: rate(toBigInt(config.pir)),
    pburst: burst(toBigInt(config.pburst)),
  };
  const unconfigured =
    rates.cir === UINT64_MAX &&
    rates.pir === UINT64_MAX &&
    rates.cburst === UINT32_MAX &&
    rates.pburst === UINT32_MAX;
  return unconfigured ? undefined : rates;
}

/**
 * MeterConfig for device rates, as PI renders what bmv2 stores: bursts of 2^32-1 read back as -1;
 * a rate given as -1 (in an otherwise configured meter) reads back as 0, because bmv2 keeps rates as
 * doubles per microsecond and the conversion back to uint64 overflows.
 */
export function meterConfigOf(rates: DeviceMeterRates): p4.v1.IMeterConfig {
  const rate = (v: bigint): bigint => (v >= 1n << 63n ? 0n : v);
  const burst = (v: bigint): bigint => (v === UINT32_MAX ? -1n : v);
  return {
    cir: longField(rate(rates.cir)),
    cburst: longField(burst(rates.cburst)),
    pir: longField(rate(rates.pir)),
    pburst: longField(burst(rates.pburst)),
  };
}
