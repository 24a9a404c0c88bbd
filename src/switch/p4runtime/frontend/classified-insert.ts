/**
 * The INSERT of an entry of an ACL-like table (direct, not const, with a priority; key fields exact,
 * ternary, optional and range) checked in one pass: tables.ts `insertClassified`, beside
 * `insertCommon` for exact tables. Each check is one of PI's (match-key.ts `buildMatchKey`, PI's
 * `construct_match_key`; tables.ts `validateAction`; action-data.ts `buildActionCall`) and gives
 * the same device key and action for what passes; anything else, valid or not, is declined
 * (undefined), having changed nothing, and takes the general path, which gives PI's refusals in
 * PI's order. The Write decoder's record of such an INSERT (common-write.ts ClassifiedTableWrite) is
 * checked where its byte strings lie ({@link classifiedSpansFit}), with the same checks.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import {
  type ByteSpans,
  type DeviceActionCall,
  type DeviceKeyParam,
  type DeviceMatchKind,
  SPAN_EXACT,
  SPAN_OPTIONAL,
  SPAN_RANGE,
  SPAN_TERNARY,
} from '../device/device.js';
import {
  compareBytes,
  isZero,
  rangeDefaultHigh,
  significantBits,
  spanSignificantBits,
  toFixedWidthView,
} from './bytestrings.js';
import { type ActionModel, idKind, type TableModel } from './p4info-model.js';
import type { PipelineContext } from './pipeline.js';

// The kinds of the Write decoder's records (common-write.ts ClassifiedTableWrite) and the device's.
const EXACT = SPAN_EXACT;
const TERNARY = SPAN_TERNARY;
const RANGE = SPAN_RANGE;
const OPTIONAL = SPAN_OPTIONAL;

/** What {@link classifiedKey} and {@link directCall} check against, per table. */
export interface ClassifiedInsert {
  /** Per key field in key order: its id, width and kind ({@link EXACT} ... {@link OPTIONAL}). */
  readonly fieldIds: readonly number[];
  readonly fieldWidths: readonly number[];
  readonly fieldKinds: readonly number[];
  /**
   * Per key field, all ones on its whole bytes (`rangeDefaultHigh`): a range's don't-care bound and
   * an optional field's mask. Shared by every entry (the device and the read encoder only read it).
   */
  readonly fieldOnes: readonly Uint8Array[];
  /** The actions an entry may name, by id. */
  readonly actions: ReadonlyMap<number, ActionModel>;
}

const KINDS: Readonly<Record<string, number>> = {
  exact: EXACT,
  ternary: TERNARY,
  range: RANGE,
  optional: OPTIONAL,
};

/** The table's {@link ClassifiedInsert}; undefined when its INSERTs cannot take the one pass. */
export function classifiedInsertOf(
  ctx: PipelineContext,
  model: TableModel,
  deviceKinds: readonly DeviceMatchKind[],
): ClassifiedInsert | undefined {
  if (model.implementationId !== 0 || model.isConst || !model.needsPriority) return undefined;
  const fields = model.matchFields;
  if (fields.length === 0) return undefined;
  const kinds: number[] = [];
  for (const [i, f] of fields.entries()) {
    const kind = KINDS[f.matchType];
    const device = deviceKinds[i] ?? 'exact';
    // P4_14 `valid` keys (exact in P4Info) and lpm fields keep the general path.
    if (kind === undefined || device === 'valid' || device === 'lpm' || f.bitwidth <= 0) return undefined;
    kinds.push(kind);
  }
  const actions = new Map<number, ActionModel>();
  for (const [id, scope] of model.actionScopes) {
    const action = idKind(id) === 'ACTION' ? ctx.model.actions.get(id) : undefined;
    if (action !== undefined && scope !== 'DEFAULT_ONLY') actions.set(id, action);
  }
  return {
    fieldIds: fields.map((f) => f.id),
    fieldWidths: fields.map((f) => f.bitwidth),
    fieldKinds: kinds,
    fieldOnes: fields.map((f) => rangeDefaultHigh(f.bitwidth)),
    actions,
  };
}

/** `value` on the field's whole bytes (match-key.ts's toFixedWidthView) when it fits; else undefined. */
function fixed(value: Uint8Array | null | undefined, width: number): Uint8Array | undefined {
  if (!value || significantBits(value) > width) return undefined;
  return toFixedWidthView(value, width, '');
}

/**
 * The device key of `matches` (every field given, in key order), as match-key.ts builds it; undefined
 * for anything else, and for what PI refuses (don't-care values written out, value outside its mask,
 * low above high, a value too wide).
 */
export function classifiedKey(
  c: ClassifiedInsert,
  matches: readonly p4.v1.IFieldMatch[] | null | undefined,
): DeviceKeyParam[] | undefined {
  const ids = c.fieldIds;
  if (!matches || matches.length !== ids.length) return undefined;
  const widths = c.fieldWidths;
  const kinds = c.fieldKinds;
  const key: DeviceKeyParam[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const m = matches[i];
    if (m.fieldId !== ids[i]) return undefined;
    const width = widths[i];
    switch (kinds[i]) {
      case EXACT: {
        // As setExact: the value itself when it fits the field.
        const value = m.exact?.value;
        if (!value || significantBits(value) > width) return undefined;
        key[i] = { kind: 'exact', value };
        break;
      }
      case TERNARY: {
        const t = m.ternary;
        if (!t) return undefined;
        const value = fixed(t.value, width);
        const mask = fixed(t.mask, width);
        if (value === undefined || mask === undefined || isZero(mask)) return undefined;
        for (let j = 0; j < value.length; j++) if ((value[j] & mask[j]) !== value[j]) return undefined;
        key[i] = { kind: 'ternary', value, mask };
        break;
      }
      case RANGE: {
        const r = m.range;
        if (!r) return undefined;
        const low = fixed(r.low, width);
        const high = fixed(r.high, width);
        if (low === undefined || high === undefined || compareBytes(low, high) > 0) return undefined;
        // The whole field written out as a range is PI's don't-care refusal.
        if (isZero(low) && compareBytes(high, c.fieldOnes[i]) === 0) return undefined;
        key[i] = { kind: 'range', low, high };
        break;
      }
      default: {
        const value = fixed(m.optional?.value, width);
        if (value === undefined) return undefined;
        key[i] = { kind: 'ternary', value, mask: c.fieldOnes[i] };
      }
    }
  }
  return key;
}

/**
 * The device call of a direct action an entry of the table may name, its parameters in order, each
 * fitting its width (validateAction and buildActionCall); undefined for anything else.
 */
export function directCall(
  actions: ReadonlyMap<number, ActionModel>,
  direct: p4.v1.IAction | null | undefined,
): DeviceActionCall | undefined {
  if (!direct) return undefined;
  const action = actions.get(direct.actionId ?? 0);
  if (action === undefined) return undefined;
  const given = direct.params ?? [];
  const params = action.params;
  if (given.length !== params.length) return undefined;
  const args: Uint8Array[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const p = given[i];
    const value = p.value;
    if (p.paramId !== params[i].id || !value || significantBits(value) > params[i].bitwidth) return undefined;
    args[i] = value;
  }
  return { action: action.name, args };
}

/** Whether a TableEntry's `idle_timeout_ns` is unset or zero (a decoded message's is a zero Long). */
export function noTtl(ttl: p4.v1.ITableEntry['idleTimeoutNs']): boolean {
  if (ttl === undefined || ttl === null) return true;
  return typeof ttl === 'object' ? !ttl.low && !ttl.high : !ttl;
}

/** Numbers per key field in a ClassifiedTableWrite's layout (common-write.ts). */
export const SPAN_FIELD = 6;

/** Where the first non-zero byte of bytes `start` to `end` is (`end` when none). */
function spanFirst(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && bytes[i] === 0) i++;
  return i;
}

/** Bytes `aStart`..`aEnd` against `bStart`..`bEnd` as unsigned numbers: <0, 0 or >0 (compareBytes). */
function spanCompare(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const a = spanFirst(bytes, aStart, aEnd);
  const b = spanFirst(bytes, bStart, bEnd);
  if (aEnd - a !== bEnd - b) return aEnd - a - (bEnd - b);
  for (let i = 0; i < aEnd - a; i++) if (bytes[a + i] !== bytes[b + i]) return bytes[a + i] - bytes[b + i];
  return 0;
}

/** Whether bytes `start` to `end` are 2^width - 1 (the whole field set: `rangeDefaultHigh`). */
function spanIsOnes(bytes: Uint8Array, start: number, end: number, width: number): boolean {
  if (spanSignificantBits(bytes, start, end) !== width) return false;
  const first = spanFirst(bytes, start, end);
  if ((bytes[first] & (bytes[first] + 1)) !== 0) return false;
  for (let i = first + 1; i < end; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

/** Whether the value's bits are all in the mask, the two aligned on their last bytes (as on the field's). */
function spanWithinMask(
  bytes: Uint8Array,
  vStart: number,
  vEnd: number,
  mStart: number,
  mEnd: number,
): boolean {
  for (let j = 1; j <= vEnd - vStart; j++) {
    const v = bytes[vEnd - j];
    const m = j <= mEnd - mStart ? bytes[mEnd - j] : 0;
    if ((v & m) !== v) return false;
  }
  return true;
}

/**
 * {@link classifiedKey} of a ClassifiedTableWrite's key fields (from `keyAt` in `spans`, byte strings
 * of `bytes`; common-write.ts): true when it would give a key, with the same checks made on the
 * byte strings where they lie. Also false for an empty byte string, which classifiedKey may take as
 * zero: declining is always safe (the messages then go the way they went before).
 */
export function classifiedSpansFit(
  c: ClassifiedInsert,
  bytes: Uint8Array,
  spans: ByteSpans,
  keyAt: number,
): boolean {
  const ids = c.fieldIds;
  if (spans[keyAt - 1] !== ids.length) return false;
  const widths = c.fieldWidths;
  const kinds = c.fieldKinds;
  for (let i = 0, s = keyAt; i < ids.length; i++, s += SPAN_FIELD) {
    const kind = kinds[i];
    if (spans[s] !== ids[i] || spans[s + 1] !== kind) return false;
    const width = widths[i];
    const aStart = spans[s + 2];
    const aEnd = spans[s + 3];
    if (aEnd === aStart || spanSignificantBits(bytes, aStart, aEnd) > width) return false;
    if (kind !== TERNARY && kind !== RANGE) continue;
    const bStart = spans[s + 4];
    const bEnd = spans[s + 5];
    if (bEnd === bStart) return false;
    const bBits = spanSignificantBits(bytes, bStart, bEnd);
    if (bBits > width) return false;
    if (kind === TERNARY) {
      // A zero mask is a don't care written out; a value outside its mask PI refuses.
      if (bBits === 0 || !spanWithinMask(bytes, aStart, aEnd, bStart, bEnd)) return false;
    } else {
      if (spanCompare(bytes, aStart, aEnd, bStart, bEnd) > 0) return false;
      if (spanSignificantBits(bytes, aStart, aEnd) === 0 && spanIsOnes(bytes, bStart, bEnd, width))
        return false;
    }
  }
  return true;
}

/** The device key {@link classifiedKey} gives for fields {@link classifiedSpansFit} took (views of `bytes`). */
export function classifiedSpanKey(
  c: ClassifiedInsert,
  bytes: Uint8Array,
  spans: ByteSpans,
  keyAt: number,
): DeviceKeyParam[] {
  const widths = c.fieldWidths;
  const key: DeviceKeyParam[] = new Array(widths.length);
  for (let i = 0, s = keyAt; i < widths.length; i++, s += SPAN_FIELD) {
    const width = widths[i];
    const a = bytes.subarray(spans[s + 2], spans[s + 3]);
    const b = bytes.subarray(spans[s + 4], spans[s + 5]);
    switch (c.fieldKinds[i]) {
      case EXACT:
        key[i] = { kind: 'exact', value: a };
        break;
      case TERNARY:
        key[i] = {
          kind: 'ternary',
          value: toFixedWidthView(a, width, ''),
          mask: toFixedWidthView(b, width, ''),
        };
        break;
      case RANGE:
        key[i] = { kind: 'range', low: toFixedWidthView(a, width, ''), high: toFixedWidthView(b, width, '') };
        break;
      default:
        key[i] = { kind: 'ternary', value: toFixedWidthView(a, width, ''), mask: c.fieldOnes[i] };
    }
  }
  return key;
}
