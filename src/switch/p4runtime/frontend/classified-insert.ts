/**
 * The INSERT of an entry of an ACL-like table (direct, not const, with a priority; key fields exact,
 * ternary, optional and range) checked in one pass: tables.ts `insertClassified`, beside
 * `insertCommon` for exact tables. Each check is one of PI's (match-key.ts `buildMatchKey`, PI's
 * `construct_match_key`; tables.ts `validateAction`; action-data.ts `buildActionCall`) and gives
 * the same device key and action for what passes; anything else, valid or not, is declined
 * (undefined), having changed nothing, and takes the general path, which gives PI's refusals in
 * PI's order.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceActionCall, DeviceKeyParam, DeviceMatchKind } from '../device/device.js';
import { compareBytes, isZero, rangeDefaultHigh, significantBits, toFixedWidthView } from './bytestrings.js';
import { type ActionModel, idKind, type TableModel } from './p4info-model.js';
import type { PipelineContext } from './pipeline.js';

const EXACT = 0;
const TERNARY = 1;
const RANGE = 2;
const OPTIONAL = 3;

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
