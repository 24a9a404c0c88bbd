/**
 * Table match keys: P4Runtime FieldMatch lists checked and converted the way PI's
 * `construct_match_key` does (same checks, same codes), and device keys turned back into the
 * FieldMatch lists a Read returns (don't-care fields omitted, values canonical).
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceKeyParam, DeviceMatchKind } from '../device/device.js';
import {
  bytesEqual,
  byteWidth,
  compareBytes,
  fittingView,
  hasPrefixTrailingZeros,
  hex,
  isZero,
  rangeDefaultHigh,
  rangeDefaultLow,
  toCanonical,
  toFixedWidthView,
} from './bytestrings.js';
import type { MatchFieldModel, TableModel } from './p4info-model.js';
import { invalidArgument } from './status.js';

/**
 * A checked match key: device parameters in key order and priority, canonical (fixed-width values,
 * bits outside masks and prefixes zero), so the device's index finds the entry it names by it.
 */
export interface MatchKey {
  readonly params: readonly DeviceKeyParam[];
  readonly priority: number;
  /** The key of the table's default entry (no match fields). */
  readonly isDefault: boolean;
}

/**
 * Labels are built once per table, in key order: every key of every write needs them at hand for its
 * checks (one look-up per key, not one per field).
 */
const tableLabels = new WeakMap<TableModel, readonly string[]>();

/** `match field 'hdr.eth.dst' (id 1, exact, 48 bits) of table 'ingress.fwd'` per key field, for messages. */
function labelsOf(table: TableModel): readonly string[] {
  let labels = tableLabels.get(table);
  if (labels === undefined) {
    labels = table.matchFields.map(
      (field) =>
        `match field '${field.name}' (id ${field.id}, ${field.matchType}, ${field.bitwidth} bits) of table '${table.name}'`,
    );
    tableLabels.set(table, labels);
  }
  return labels;
}

function setExact(
  field: MatchFieldModel,
  label: string,
  m: p4.v1.IFieldMatch,
  deviceKind: DeviceMatchKind,
): DeviceKeyParam {
  if (!m.exact) throw invalidArgument('Invalid match type', `${label} expects an exact match`);
  // The device reads an exact value as a number: no need to zero-extend it to the field's width.
  const value = fittingView(m.exact.value, field.bitwidth, label);
  if (deviceKind === 'valid') return { kind: 'valid', valid: !isZero(value) };
  return { kind: 'exact', value };
}

function setLpm(field: MatchFieldModel, label: string, m: p4.v1.IFieldMatch): DeviceKeyParam {
  if (!m.lpm) throw invalidArgument('Invalid match type', `${label} expects an LPM match`);
  const value = toFixedWidthView(m.lpm.value, field.bitwidth, label);
  const prefixLength = m.lpm.prefixLen ?? 0;
  if (prefixLength < 0)
    throw invalidArgument('Prefix length cannot be < 0', `${label}, prefix length ${prefixLength}`);
  if (prefixLength > field.bitwidth) {
    throw invalidArgument('Prefix length cannot be > bitwidth', `${label}, prefix length ${prefixLength}`);
  }
  if (prefixLength === 0) {
    throw invalidArgument(
      "Invalid reprsentation of 'don't care' LPM match, omit match field instead of using a prefix length of 0",
      label,
    );
  }
  // PI counts the prefix from the first bit of the byte-padded value (bmv2 does the same when
  // matching), which differs from the field's first bit only for non byte-aligned fields.
  if (!hasPrefixTrailingZeros(value, value.length * 8, prefixLength)) {
    throw invalidArgument(
      'Invalid LPM value, incorrect number of trailing zeros',
      `${label}, value ${hex(m.lpm.value)}/${prefixLength}`,
    );
  }
  return { kind: 'lpm', value, prefixLength };
}

function setTernary(field: MatchFieldModel, label: string, m: p4.v1.IFieldMatch): DeviceKeyParam {
  if (!m.ternary) throw invalidArgument('Invalid match type', `${label} expects a ternary match`);
  const value = toFixedWidthView(m.ternary.value, field.bitwidth, label);
  const mask = toFixedWidthView(m.ternary.mask, field.bitwidth, `${label} (mask)`);
  if (isZero(mask)) {
    throw invalidArgument(
      "Invalid representation of 'don't care' ternary match, omit match field instead of using 0 mask",
      label,
    );
  }
  for (let i = 0; i < value.length; i++) {
    if ((value[i] & mask[i]) !== value[i]) {
      throw invalidArgument(
        'Invalid ternary value, make sure value & mask == value',
        `${label}, value ${hex(m.ternary.value)} mask ${hex(m.ternary.mask)}`,
      );
    }
  }
  return { kind: 'ternary', value, mask };
}

/**
 * PI's `range_match_is_dont_care`, as simple_switch_grpc's PI applies it: on the bounds as written,
 * low all zero bytes and high all 0xff bytes of the same length. A low of 0 written shorter than
 * a full-width high (a canonical 0) is a range to PI, and bmv2 installs it.
 */
function rangeIsDontCare(low: Uint8Array | null | undefined, high: Uint8Array | null | undefined): boolean {
  const a = low ?? EMPTY;
  const b = high ?? EMPTY;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0 || b[i] !== 0xff) return false;
  return true;
}

const EMPTY = new Uint8Array(0);

function setRange(field: MatchFieldModel, label: string, m: p4.v1.IFieldMatch): DeviceKeyParam {
  if (!m.range) throw invalidArgument('Invalid match type', `${label} expects a range match`);
  const low = toFixedWidthView(m.range.low, field.bitwidth, `${label} (low)`);
  const high = toFixedWidthView(m.range.high, field.bitwidth, `${label} (high)`);
  if (rangeIsDontCare(m.range.low, m.range.high)) {
    throw invalidArgument(
      "Invalid representation of 'don't care' range match, omit match field instead of using low=0 and high=2**bitwidth-1",
      label,
    );
  }
  if (compareBytes(low, high) > 0) {
    throw invalidArgument(
      'Invalid range value, make sure low <= high',
      `${label}, low ${hex(m.range.low)} high ${hex(m.range.high)}`,
    );
  }
  return { kind: 'range', low, high };
}

function setOptional(field: MatchFieldModel, label: string, m: p4.v1.IFieldMatch): DeviceKeyParam {
  if (!m.optional) throw invalidArgument('Invalid match type', `${label} expects an optional match`);
  const value = toFixedWidthView(m.optional.value, field.bitwidth, label);
  return { kind: 'ternary', value, mask: rangeDefaultHigh(field.bitwidth) };
}

function dontCare(field: MatchFieldModel, label: string): DeviceKeyParam {
  const n = byteWidth(field.bitwidth);
  switch (field.matchType) {
    case 'lpm':
      return { kind: 'lpm', value: new Uint8Array(n), prefixLength: 0 };
    case 'ternary':
    case 'optional':
      return { kind: 'ternary', value: new Uint8Array(n), mask: new Uint8Array(n) };
    case 'range':
      return { kind: 'range', low: rangeDefaultLow(field.bitwidth), high: rangeDefaultHigh(field.bitwidth) };
    default:
      throw invalidArgument('Missing non-ternary field in match key', label);
  }
}

/** Device parameter of one match field (`m` undefined: the field was omitted, i.e. don't care). */
function fieldParam(
  field: MatchFieldModel,
  label: string,
  m: p4.v1.IFieldMatch | undefined,
  deviceKind: DeviceMatchKind,
): DeviceKeyParam {
  if (!m) return dontCare(field, label);
  switch (field.matchType) {
    case 'exact':
      return setExact(field, label, m, deviceKind);
    case 'lpm':
      return setLpm(field, label, m);
    case 'ternary':
      return setTernary(field, label, m);
    case 'range':
      return setRange(field, label, m);
    case 'optional':
      return setOptional(field, label, m);
  }
}

/**
 * Checks the match part of `entry` against `table` (PI's `construct_match_key`) and converts it.
 * `deviceKinds` are the kinds of the device's key fields (to encode P4_14 `valid` keys).
 */
export function buildMatchKey(
  table: TableModel,
  entry: p4.v1.ITableEntry,
  deviceKinds: readonly DeviceMatchKind[],
): MatchKey {
  const matches = entry.match ?? [];
  const priority = entry.priority ?? 0;
  if (entry.isDefaultAction) {
    if (matches.length > 0) throw invalidArgument('Non-empty key for default entry', `table '${table.name}'`);
    if (priority !== 0)
      throw invalidArgument(
        'Non-zero priority for default entry',
        `table '${table.name}', priority ${priority}`,
      );
    return { params: [], priority: 0, isDefault: true };
  }
  if (matches.length > table.matchFields.length) {
    throw invalidArgument(
      'Too many fields in match key',
      `table '${table.name}' has ${table.matchFields.length} match field(s), got ${matches.length}`,
    );
  }
  // Common case first: every field given, in key order.
  const fields = table.matchFields;
  let inOrder = matches.length === fields.length;
  for (let i = 0; inOrder && i < matches.length; i++) inOrder = matches[i].fieldId === fields[i].id;
  const labels = labelsOf(table);
  if (inOrder) {
    const params: DeviceKeyParam[] = new Array(fields.length);
    for (let i = 0; i < fields.length; i++)
      params[i] = fieldParam(fields[i], labels[i], matches[i], deviceKinds[i] ?? 'exact');
    const effectivePriority = checkPriority(table, priority);
    return { params, priority: effectivePriority, isDefault: false };
  }
  // Like PI: the first occurrence of each known field is used and the key's own fields are checked
  // first; fields left over (unknown or repeated ids) are reported afterwards.
  const byId = new Map<number, p4.v1.IFieldMatch>();
  for (const m of matches) {
    const id = m.fieldId ?? 0;
    if (table.matchFieldById.has(id) && !byId.has(id)) byId.set(id, m);
  }
  const params = table.matchFields.map((field, i) =>
    fieldParam(field, labels[i], byId.get(field.id), deviceKinds[i] ?? 'exact'),
  );
  if (byId.size !== matches.length) {
    const seen = new Set<number>();
    let extra = 0;
    for (const m of matches) {
      extra = m.fieldId ?? 0;
      if (!table.matchFieldById.has(extra) || seen.has(extra)) break;
      seen.add(extra);
    }
    const what = seen.has(extra)
      ? `field id ${extra} is given twice`
      : `there is no match field with id ${extra}`;
    throw invalidArgument('Unknown field in match key', `table '${table.name}': ${what}`);
  }
  const effectivePriority = checkPriority(table, priority);
  return { params, priority: effectivePriority, isDefault: false };
}

/** PI's priority checks of a match key; the priority the entry is stored with. */
function checkPriority(table: TableModel, priority: number): number {
  if (!table.needsPriority && priority > 0) {
    throw invalidArgument(
      'Non-zero priority for non-ternary match',
      `table '${table.name}', priority ${priority}`,
    );
  }
  if (table.needsPriority && priority === 0) {
    throw invalidArgument('Zero priority for ternary match', `table '${table.name}' needs a priority > 0`);
  }
  // PI's construct_match_key has no check of a negative priority: bmv2 refuses the entry (below,
  // the device's add), and a MODIFY or DELETE finds no entry with it.
  return table.needsPriority ? priority : 0;
}

/** FieldMatch list of a device key, as PI's `parse_match_key` renders it for Read responses. */
export function fieldMatchesOf(table: TableModel, params: readonly DeviceKeyParam[]): p4.v1.IFieldMatch[] {
  const out: p4.v1.IFieldMatch[] = [];
  table.matchFields.forEach((field, i) => {
    const p = params[i];
    if (!p) return;
    const fieldId = field.id;
    switch (p.kind) {
      case 'valid':
        out.push({ fieldId, exact: { value: new Uint8Array([p.valid ? 1 : 0]) } });
        break;
      case 'exact':
        out.push({ fieldId, exact: { value: toCanonical(p.value) } });
        break;
      case 'lpm':
        if (p.prefixLength > 0)
          out.push({ fieldId, lpm: { value: toCanonical(p.value), prefixLen: p.prefixLength } });
        break;
      case 'ternary':
        if (isZero(p.mask)) break;
        if (field.matchType === 'optional') out.push({ fieldId, optional: { value: toCanonical(p.value) } });
        else out.push({ fieldId, ternary: { value: toCanonical(p.value), mask: toCanonical(p.mask) } });
        break;
      case 'range':
        if (
          bytesEqual(p.low, rangeDefaultLow(field.bitwidth)) &&
          bytesEqual(p.high, rangeDefaultHigh(field.bitwidth))
        )
          break;
        out.push({ fieldId, range: { low: toCanonical(p.low), high: toCanonical(p.high) } });
        break;
    }
  });
  return out;
}
