/** Indexed and direct counters and meters. */
import { EntityError } from '../errors.js';
import type { DecodeOptions, P4InfoIndex } from '../p4info/index.js';
import type { p4 } from '../wire/generated/p4runtime.js';
import { fromLong, toLong } from '../wire/long.js';
import {
  type CounterData,
  type CounterValues,
  decodeCounterData,
  decodeMeterConfig,
  decodeMeterCounterData,
  encodeCounterData,
  encodeMeterConfig,
  type MeterConfig,
  type MeterConfigValues,
  type MeterCounterValues,
} from './common.js';
import { decodeTableEntry, encodeTableEntry, type TableEntryData, type TableEntrySpec } from './table.js';

/** A cell of an indexed counter; omit `index` to read every cell. */
export interface CounterEntrySpec {
  readonly index?: number | bigint;
  readonly data?: CounterData;
}

/** A cell of an indexed meter; omit `index` to read every cell. */
export interface MeterEntrySpec {
  readonly index?: number | bigint;
  readonly config?: MeterConfig;
}

/** An indexed counter cell as read back. */
export interface CounterEntryData {
  readonly kind: 'counterEntry';
  readonly counter: string;
  readonly index: number;
  readonly data: CounterValues;
}

/** A direct counter cell as read back, with its table entry. */
export interface DirectCounterEntryData {
  readonly kind: 'directCounterEntry';
  readonly tableEntry: TableEntryData;
  readonly data: CounterValues;
}

/** An indexed meter cell as read back. */
export interface MeterEntryData {
  readonly kind: 'meterEntry';
  readonly meter: string;
  readonly index: number;
  readonly config?: MeterConfigValues;
  readonly counterData?: MeterCounterValues;
}

/** A direct meter as read back, with its table entry. */
export interface DirectMeterEntryData {
  readonly kind: 'directMeterEntry';
  readonly tableEntry: TableEntryData;
  readonly config?: MeterConfigValues;
  readonly counterData?: MeterCounterValues;
}

function encodeIndex(
  index: number | bigint | undefined,
  size: number,
  what: string,
): p4.v1.IIndex | undefined {
  if (index === undefined) return undefined;
  const value = BigInt(index);
  if (value < 0n || (size > 0 && value >= BigInt(size)))
    throw new EntityError(`${what}: index ${index} outside 0..${size - 1}`);
  return { index: toLong(value, false, `${what} index`) };
}

/** Builds a CounterEntry (index range-checked against the counter size). */
export function encodeCounterEntry(
  index: P4InfoIndex,
  key: string | number,
  spec: CounterEntrySpec = {},
): p4.v1.ICounterEntry {
  const counter = index.counters.get(key);
  const out: p4.v1.ICounterEntry = { counterId: counter.id };
  const idx = encodeIndex(spec.index, counter.size, `counter ${counter.name}`);
  if (idx) out.index = idx;
  if (spec.data) out.data = encodeCounterData(spec.data);
  return out;
}

/** Builds a MeterEntry (index range-checked against the meter size). */
export function encodeMeterEntry(
  index: P4InfoIndex,
  key: string | number,
  spec: MeterEntrySpec = {},
): p4.v1.IMeterEntry {
  const meter = index.meters.get(key);
  const out: p4.v1.IMeterEntry = { meterId: meter.id };
  const idx = encodeIndex(spec.index, meter.size, `meter ${meter.name}`);
  if (idx) out.index = idx;
  if (spec.config) out.config = encodeMeterConfig(spec.config);
  return out;
}

/** The direct counter cell of one table entry (or, with no match, of all entries of the table). */
export function encodeDirectCounterEntry(
  index: P4InfoIndex,
  table: string | number,
  entry: TableEntrySpec = {},
  data?: CounterData,
): p4.v1.IDirectCounterEntry {
  const info = index.tables.get(table);
  if (!info.directCounter) throw new EntityError(`table ${info.name} has no direct counter`);
  const out: p4.v1.IDirectCounterEntry = { tableEntry: encodeTableEntry(index, info.id, entry) };
  if (data) out.data = encodeCounterData(data);
  return out;
}

/** The direct meter of one table entry (or, with no match, of all entries of the table). */
export function encodeDirectMeterEntry(
  index: P4InfoIndex,
  table: string | number,
  entry: TableEntrySpec = {},
  config?: MeterConfig,
): p4.v1.IDirectMeterEntry {
  const info = index.tables.get(table);
  if (!info.directMeter) throw new EntityError(`table ${info.name} has no direct meter`);
  const out: p4.v1.IDirectMeterEntry = { tableEntry: encodeTableEntry(index, info.id, entry) };
  if (config) out.config = encodeMeterConfig(config);
  return out;
}

/** Decodes a CounterEntry. */
export function decodeCounterEntry(index: P4InfoIndex, e: p4.v1.ICounterEntry): CounterEntryData {
  return {
    kind: 'counterEntry',
    counter: index.counters.get(e.counterId ?? 0).name,
    index: Number(fromLong(e.index?.index)),
    data: decodeCounterData(e.data),
  };
}

/** Decodes a MeterEntry. */
export function decodeMeterEntry(index: P4InfoIndex, e: p4.v1.IMeterEntry): MeterEntryData {
  return {
    kind: 'meterEntry',
    meter: index.meters.get(e.meterId ?? 0).name,
    index: Number(fromLong(e.index?.index)),
    ...(e.config ? { config: decodeMeterConfig(e.config) } : {}),
    ...(e.counterData ? { counterData: decodeMeterCounterData(e.counterData) } : {}),
  };
}

/** Decodes a DirectCounterEntry. */
export function decodeDirectCounterEntry(
  index: P4InfoIndex,
  e: p4.v1.IDirectCounterEntry,
  options?: DecodeOptions,
): DirectCounterEntryData {
  return {
    kind: 'directCounterEntry',
    tableEntry: decodeTableEntry(index, e.tableEntry ?? {}, options),
    data: decodeCounterData(e.data),
  };
}

/** Decodes a DirectMeterEntry. */
export function decodeDirectMeterEntry(
  index: P4InfoIndex,
  e: p4.v1.IDirectMeterEntry,
  options?: DecodeOptions,
): DirectMeterEntryData {
  return {
    kind: 'directMeterEntry',
    tableEntry: decodeTableEntry(index, e.tableEntry ?? {}, options),
    ...(e.config ? { config: decodeMeterConfig(e.config) } : {}),
    ...(e.counterData ? { counterData: decodeMeterCounterData(e.counterData) } : {}),
  };
}
