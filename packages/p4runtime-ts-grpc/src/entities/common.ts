/** Small shared pieces of the entity builders/decoders. */
import type Long from 'long';
import type { P4Value } from '../codec.js';
import { EntityError } from '../errors.js';
import type { ActionInfo, BitField, DecodeOptions } from '../p4info/index.js';
import type { p4 } from '../wire/generated/p4runtime.js';
import { fromLong, toLong } from '../wire/long.js';

/** Packet and byte counts (64-bit). */
export interface CounterData {
  readonly packets?: bigint | number;
  readonly bytes?: bigint | number;
}

/** Decoded packet and byte counts. */
export interface CounterValues {
  readonly packets: bigint;
  readonly bytes: bigint;
}

/** Per-color counters of a meter. */
export interface MeterCounterValues {
  readonly green: CounterValues;
  readonly yellow: CounterValues;
  readonly red: CounterValues;
}

/** Meter rates (units/s) and bursts (units); the unit is the meter's (bytes or packets). */
export interface MeterConfig {
  readonly cir: bigint | number;
  readonly cburst: bigint | number;
  readonly pir: bigint | number;
  readonly pburst: bigint | number;
  /** Excess burst (single-rate three-color meters). */
  readonly eburst?: bigint | number;
}

/** Decoded meter configuration. */
export interface MeterConfigValues {
  readonly cir: bigint;
  readonly cburst: bigint;
  readonly pir: bigint;
  readonly pburst: bigint;
  readonly eburst: bigint;
}

/** An action call: action name plus parameter values by name. */
export interface ActionCall {
  readonly action: string;
  readonly params?: Readonly<Record<string, P4Value>>;
}

/** A value for an int64 field (undefined stays unset). */
export function int64(value: bigint | number | undefined, what: string): number | Long | undefined {
  return value === undefined ? undefined : toLong(value, false, what);
}

/** Encodes packet/byte counts. */
export function encodeCounterData(data: CounterData): p4.v1.ICounterData {
  return { packetCount: int64(data.packets, 'packet count'), byteCount: int64(data.bytes, 'byte count') };
}

/** Decodes packet/byte counts (unset counts are 0). */
export function decodeCounterData(data: p4.v1.ICounterData | null | undefined): CounterValues {
  return { packets: fromLong(data?.packetCount), bytes: fromLong(data?.byteCount) };
}

/** Encodes a meter configuration. */
export function encodeMeterConfig(config: MeterConfig): p4.v1.IMeterConfig {
  return {
    cir: int64(config.cir, 'cir'),
    cburst: int64(config.cburst, 'cburst'),
    pir: int64(config.pir, 'pir'),
    pburst: int64(config.pburst, 'pburst'),
    eburst: int64(config.eburst, 'eburst'),
  };
}

/** Decodes a meter configuration. */
export function decodeMeterConfig(config: p4.v1.IMeterConfig): MeterConfigValues {
  return {
    cir: fromLong(config.cir),
    cburst: fromLong(config.cburst),
    pir: fromLong(config.pir),
    pburst: fromLong(config.pburst),
    eburst: fromLong(config.eburst),
  };
}

/** Decodes per-color meter counters. */
export function decodeMeterCounterData(data: p4.v1.IMeterCounterData): MeterCounterValues {
  return {
    green: decodeCounterData(data.green),
    yellow: decodeCounterData(data.yellow),
    red: decodeCounterData(data.red),
  };
}

/** Encodes an action call; every parameter must be given, unknown ones are rejected. */
export function encodeAction(
  action: ActionInfo,
  params: Readonly<Record<string, P4Value>> | undefined,
): p4.v1.IAction {
  const list = action.params.list;
  const out: p4.v1.Action.IParam[] = new Array(list.length);
  let given = 0;
  if (params) for (const _ in params) given++;
  for (let i = 0; i < list.length; i++) {
    const p = list[i];
    const value = params?.[p.name];
    if (value === undefined)
      throw new EntityError(`action ${action.name}: missing parameter '${p.name}' (bit<${p.bitwidth}>)`);
    out[i] = { paramId: p.id, value: p.encode(value) };
  }
  if (given !== list.length) {
    for (const name in params) action.params.get(name); // throws with suggestions for the unknown name
  }
  return { actionId: action.id, params: out };
}

/** Decodes action parameters into a record by name. */
export function decodeParams(
  action: ActionInfo,
  params: readonly p4.v1.Action.IParam[],
  options?: DecodeOptions,
): Record<string, P4Value> {
  const out: Record<string, P4Value> = {};
  for (const p of params) {
    const field: BitField = action.params.get(p.paramId ?? 0);
    out[field.name] = field.format(p.value ?? new Uint8Array(), options);
  }
  return out;
}
