/**
 * Table entries by name: friendly match values and action calls <-> p4.v1.TableEntry.
 *
 * Match values per match kind (the kind comes from the P4Info):
 * - exact / optional: a {@link P4Value}
 * - lpm: `{ value, prefixLen }`, `'10.0.0.0/8'`, or a bare value (full-length prefix)
 * - ternary: `{ value, mask }`, `'0x0a00&&&0xff00'`, or a bare value (all-ones mask)
 * - range: `{ low, high }`, `'10..20'`, or a bare value (low = high)
 *
 * "Don't care" matches (prefix 0, mask 0, full range, `null`) are omitted from the entry as
 * the spec requires. LPM values and ternary values are masked (bits outside the prefix/mask
 * cleared), so `'10.1.2.3/8'` installs 10.0.0.0/8.
 */
import { bytesToBigInt, type P4Value } from '../codec.js';
import { EntityError } from '../errors.js';
import {
  BitField,
  type DecodeOptions,
  type MatchFieldInfo,
  type P4InfoIndex,
  type TableInfo,
} from '../p4info/index.js';
import type { p4 } from '../wire/generated/p4runtime.js';
import { fromLong, toLong } from '../wire/long.js';
import {
  type ActionCall,
  type CounterData,
  type CounterValues,
  decodeCounterData,
  decodeMeterConfig,
  decodeMeterCounterData,
  decodeParams,
  encodeAction,
  encodeCounterData,
  encodeMeterConfig,
  type MeterConfig,
  type MeterConfigValues,
  type MeterCounterValues,
} from './common.js';

/** Longest-prefix match. */
export interface LpmMatch {
  readonly value: P4Value;
  readonly prefixLen: number;
}

/** Ternary (value/mask) match. */
export interface TernaryMatch {
  readonly value: P4Value;
  readonly mask: P4Value;
}

/** Inclusive range match. */
export interface RangeMatch {
  readonly low: P4Value;
  readonly high: P4Value;
}

/** A match value in any accepted form; `null`/`undefined` means "don't care". */
export type MatchValue = P4Value | LpmMatch | TernaryMatch | RangeMatch | null | undefined;

/** A weighted action of a one-shot action-selector entry. */
export interface WeightedAction extends ActionCall {
  readonly weight?: number;
  /** Port whose liveness gates this action (bytes or number). */
  readonly watchPort?: P4Value;
}

/** Friendly description of a table entry (input of the builder). */
export interface TableEntrySpec {
  /** Key field values by match-field name; omitted fields are "don't care". */
  readonly match?: Readonly<Record<string, MatchValue>>;
  /** Direct action name (full name or alias), with its parameters in `params`. */
  readonly action?: string;
  readonly params?: Readonly<Record<string, P4Value>>;
  /** Action profile member id (tables with an action profile). */
  readonly member?: number;
  /** Action profile group id (tables with an action selector). */
  readonly group?: number;
  /** One-shot action set (tables with an action selector). */
  readonly actionSet?: readonly WeightedAction[];
  /** Needed when the table has ternary/range/optional keys; higher wins. */
  readonly priority?: number;
  /** The entry addresses the table's default action (no match allowed). */
  readonly isDefaultAction?: boolean;
  readonly idleTimeoutNs?: bigint | number;
  /** Opaque controller cookie stored with the entry. */
  readonly metadata?: Uint8Array | string;
  /** Direct meter configuration. */
  readonly meterConfig?: MeterConfig;
  /** Direct counter value (or, in reads, a request to include it). */
  readonly counterData?: CounterData;
  /** In reads: ask the server for the time since the entry was last hit. */
  readonly timeSinceLastHit?: boolean;
}

/** A decoded match value: the friendly form matching the field's kind. */
export type DecodedMatch = P4Value | LpmMatch | TernaryMatch | RangeMatch;

/** A table entry as read back, in the same shape as {@link TableEntrySpec}. */
export interface TableEntryData {
  readonly kind: 'tableEntry';
  readonly table: string;
  readonly match: Record<string, DecodedMatch>;
  readonly action?: string;
  readonly params?: Record<string, P4Value>;
  readonly member?: number;
  readonly group?: number;
  readonly actionSet?: WeightedAction[];
  readonly priority: number;
  readonly isDefaultAction: boolean;
  readonly isConst: boolean;
  readonly idleTimeoutNs?: bigint;
  readonly timeSinceLastHitNs?: bigint;
  readonly metadata?: Uint8Array;
  readonly meterConfig?: MeterConfigValues;
  readonly counterData?: CounterValues;
  readonly meterCounterData?: MeterCounterValues;
}

const EMPTY = new Uint8Array(0);

/** Clears the low `bits` bits of a big-endian byte string (copying it). */
function clearLowBits(bytes: Uint8Array, bits: number): Uint8Array {
  const out = bytes.slice();
  for (let i = out.length - 1; i >= 0 && bits > 0; i--, bits -= 8)
    out[i] = bits >= 8 ? 0 : out[i] & (0xff << bits);
  return out;
}

/** Right-aligned AND of two big-endian byte strings. */
function andBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const length = Math.min(a.length, b.length);
  const out = new Uint8Array(length);
  for (let i = 1; i <= length; i++) out[length - i] = a[a.length - i] & b[b.length - i];
  return out;
}

/** Numeric comparison of two big-endian unsigned byte strings. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a[i] === 0) i++;
  while (j < b.length - 1 && b[j] === 0) j++;
  if (a.length - i !== b.length - j) return a.length - i - (b.length - j);
  for (; i < a.length; i++, j++) if (a[i] !== b[j]) return a[i] - b[j];
  return 0;
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
}

function encodeLpm(
  field: MatchFieldInfo,
  value: Exclude<MatchValue, null | undefined>,
): p4.v1.IFieldMatch | undefined {
  let raw: P4Value;
  let prefixLen: number;
  if (isObject(value) && 'prefixLen' in value) {
    raw = (value as LpmMatch).value;
    prefixLen = (value as LpmMatch).prefixLen;
  } else if (typeof value === 'string' && value.includes('/')) {
    const slash = value.lastIndexOf('/');
    raw = value.slice(0, slash);
    prefixLen = Number(value.slice(slash + 1));
  } else if (isObject(value)) {
    throw new EntityError(`${field.label}: expected { value, prefixLen } or 'addr/len' for an LPM field`);
  } else {
    raw = value as P4Value;
    prefixLen = field.bitwidth;
  }
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > field.bitwidth)
    throw new EntityError(`${field.label}: prefix length ${prefixLen} outside 0..${field.bitwidth}`);
  if (prefixLen === 0) return undefined;
  const bytes = field.encode(raw);
  const masked =
    prefixLen === field.bitwidth ? bytes : field.encode(clearLowBits(bytes, field.bitwidth - prefixLen));
  return { fieldId: field.id, lpm: { value: masked, prefixLen } };
}

function encodeTernary(
  field: MatchFieldInfo,
  value: Exclude<MatchValue, null | undefined>,
): p4.v1.IFieldMatch | undefined {
  let rawValue: P4Value;
  let rawMask: P4Value | undefined;
  if (isObject(value) && 'mask' in value) {
    rawValue = (value as TernaryMatch).value;
    rawMask = (value as TernaryMatch).mask;
  } else if (typeof value === 'string' && value.includes('&&&')) {
    const [v, m] = value.split('&&&');
    rawValue = v;
    rawMask = m;
  } else if (isObject(value)) {
    throw new EntityError(`${field.label}: expected { value, mask } or 'value&&&mask' for a ternary field`);
  } else rawValue = value as P4Value;
  const v = field.encode(rawValue);
  if (rawMask === undefined)
    return {
      fieldId: field.id,
      ternary: { value: v, mask: field.allOnes },
    };
  const mask = field.encode(rawMask);
  if (isZero(mask)) return undefined;
  return { fieldId: field.id, ternary: { value: field.encode(andBytes(v, mask)), mask } };
}

function encodeRange(
  field: MatchFieldInfo,
  value: Exclude<MatchValue, null | undefined>,
): p4.v1.IFieldMatch | undefined {
  let low: P4Value;
  let high: P4Value;
  if (isObject(value) && 'low' in value) {
    low = (value as RangeMatch).low;
    high = (value as RangeMatch).high;
  } else if (typeof value === 'string' && value.includes('..')) {
    [low, high] = value.split('..');
  } else if (isObject(value)) {
    throw new EntityError(`${field.label}: expected { low, high } or 'low..high' for a range field`);
  } else low = high = value as P4Value;
  const lowBytes = field.encode(low);
  const highBytes = field.encode(high);
  if (compareBytes(lowBytes, highBytes) > 0)
    throw new EntityError(
      `${field.label}: range low ${bytesToBigInt(lowBytes)} is above high ${bytesToBigInt(highBytes)}`,
    );
  // The full range is "don't care" and must be omitted.
  if (isZero(lowBytes) && compareBytes(highBytes, field.allOnes) === 0) return undefined;
  return { fieldId: field.id, range: { low: lowBytes, high: highBytes } };
}

/** Encodes one key field; undefined for a "don't care" match. */
export function encodeFieldMatch(field: MatchFieldInfo, value: MatchValue): p4.v1.IFieldMatch | undefined {
  if (value === null || value === undefined) return undefined;
  switch (field.matchKind) {
    case 'exact':
      if (isObject(value)) throw new EntityError(`${field.label}: exact match takes a plain value`);
      return { fieldId: field.id, exact: { value: field.encode(value as P4Value) } };
    case 'optional':
      if (isObject(value))
        throw new EntityError(`${field.label}: optional match takes a plain value (or null for don't care)`);
      return { fieldId: field.id, optional: { value: field.encode(value as P4Value) } };
    case 'lpm':
      return encodeLpm(field, value);
    case 'ternary':
      return encodeTernary(field, value);
    case 'range':
      return encodeRange(field, value);
    case 'other':
      throw new EntityError(
        `${field.label}: match kind '${field.otherMatchType}' is architecture-specific; build the FieldMatch yourself`,
      );
  }
}

/** Encodes all key fields of a table or value set; exact fields are required. */
export function encodeMatch(
  fields: { get(name: string): MatchFieldInfo; readonly list: readonly MatchFieldInfo[] },
  match: Readonly<Record<string, MatchValue>>,
  owner: string,
): p4.v1.IFieldMatch[] {
  const out: p4.v1.IFieldMatch[] = [];
  let seen = 0;
  const list = fields.list;
  for (let i = 0; i < list.length; i++) {
    const field = list[i];
    const value = match[field.name];
    if (value !== undefined) seen++;
    if (value === undefined || value === null) {
      if (field.matchKind === 'exact')
        throw new EntityError(
          `${owner}: missing exact match field '${field.name}' (exact fields cannot be wildcarded)`,
        );
      continue;
    }
    const encoded = encodeFieldMatch(field, value);
    if (encoded) out.push(encoded);
  }
  let given = 0;
  for (const name in match) if (match[name] !== undefined) given++;
  if (given !== seen) for (const name in match) fields.get(name); // unknown field: throws with suggestions
  return out;
}

function checkScope(
  table: TableInfo,
  actionName: string,
  asDefault: boolean,
): ReturnType<TableInfo['actions']['get']> {
  const action = table.actions.get(actionName);
  if (asDefault && action.scope === 'TABLE_ONLY')
    throw new EntityError(
      `table ${table.name}: action ${action.name} is @tableonly and cannot be the default action`,
    );
  if (!asDefault && action.scope === 'DEFAULT_ONLY')
    throw new EntityError(
      `table ${table.name}: action ${action.name} is @defaultonly and cannot be used in entries`,
    );
  return action;
}

function encodeTableAction(table: TableInfo, spec: TableEntrySpec): p4.v1.ITableAction | undefined {
  const kinds =
    Number(spec.action !== undefined) +
    Number(spec.member !== undefined) +
    Number(spec.group !== undefined) +
    Number(spec.actionSet !== undefined);
  if (kinds > 1)
    throw new EntityError(`table ${table.name}: give only one of action, member, group or actionSet`);
  if (spec.action !== undefined) {
    if (table.implementation && !spec.isDefaultAction)
      throw new EntityError(
        `table ${table.name} is implemented by action profile ${table.implementation.name}: use member, group or actionSet instead of a direct action`,
      );
    const action = checkScope(table, spec.action, spec.isDefaultAction === true);
    return { action: encodeAction(action, spec.params) };
  }
  if (spec.params !== undefined) throw new EntityError(`table ${table.name}: params given without an action`);
  if (spec.member !== undefined || spec.group !== undefined || spec.actionSet !== undefined) {
    if (!table.implementation)
      throw new EntityError(`table ${table.name} has no action profile: use a direct action`);
    if (spec.member !== undefined) return { actionProfileMemberId: spec.member };
    if (!table.implementation.withSelector)
      throw new EntityError(
        `table ${table.name}: action profile ${table.implementation.name} has no selector, so groups/action sets are not allowed`,
      );
    if (spec.group !== undefined) return { actionProfileGroupId: spec.group };
    return {
      actionProfileActionSet: {
        actionProfileActions: spec.actionSet!.map((a) => ({
          action: encodeAction(checkScope(table, a.action, false), a.params),
          weight: a.weight ?? 1,
          ...(a.watchPort !== undefined
            ? {
                watchPort: new BitField(0, 'watch_port', 64, `table ${table.name}`, 'canonical').encode(
                  a.watchPort,
                ),
              }
            : {}),
        })),
      },
    };
  }
  return undefined;
}

/** Builds a p4.v1.TableEntry from a friendly description. */
export function encodeTableEntry(
  index: P4InfoIndex,
  tableKey: string | number,
  spec: TableEntrySpec = {},
): p4.v1.ITableEntry {
  const table = index.tables.get(tableKey);
  const entry: p4.v1.ITableEntry = { tableId: table.id };
  if (spec.match !== undefined) {
    if (spec.isDefaultAction)
      throw new EntityError(`table ${table.name}: a default-action entry cannot have a match`);
    entry.match = encodeMatch(table.matchFields, spec.match, `table ${table.name}`);
    if (table.requiresPriority) {
      if (spec.priority === undefined || spec.priority <= 0)
        throw new EntityError(
          `table ${table.name}: has ternary/range/optional keys, so entries need a priority > 0`,
        );
    }
  }
  if (spec.priority !== undefined) {
    if (!table.requiresPriority && spec.priority !== 0)
      throw new EntityError(
        `table ${table.name}: priority is only allowed when a key is ternary, range or optional`,
      );
    if (!Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 0x7fffffff)
      throw new EntityError(`table ${table.name}: priority ${spec.priority} is not an integer in 1..2^31-1`);
    entry.priority = spec.priority;
  }
  const action = encodeTableAction(table, spec);
  if (action) entry.action = action;
  if (spec.isDefaultAction) entry.isDefaultAction = true;
  if (spec.idleTimeoutNs !== undefined) {
    if (!table.supportsIdleTimeout)
      throw new EntityError(`table ${table.name} does not support idle timeouts`);
    entry.idleTimeoutNs = toLong(spec.idleTimeoutNs, false, `table ${table.name} idle timeout`);
  }
  if (spec.timeSinceLastHit) entry.timeSinceLastHit = {};
  if (spec.metadata !== undefined)
    entry.metadata =
      typeof spec.metadata === 'string' ? new TextEncoder().encode(spec.metadata) : spec.metadata;
  if (spec.meterConfig !== undefined) {
    if (!table.directMeter) throw new EntityError(`table ${table.name} has no direct meter`);
    entry.meterConfig = encodeMeterConfig(spec.meterConfig);
  }
  if (spec.counterData !== undefined) {
    if (!table.directCounter) throw new EntityError(`table ${table.name} has no direct counter`);
    entry.counterData = encodeCounterData(spec.counterData);
  }
  return entry;
}

function decodeFieldMatch(
  field: MatchFieldInfo,
  m: p4.v1.IFieldMatch,
  options?: DecodeOptions,
): DecodedMatch {
  if (m.exact) return field.format(m.exact.value ?? EMPTY, options);
  if (m.optional) return field.format(m.optional.value ?? EMPTY, options);
  if (m.lpm) return { value: field.format(m.lpm.value ?? EMPTY, options), prefixLen: m.lpm.prefixLen ?? 0 };
  if (m.ternary)
    return {
      value: field.format(m.ternary.value ?? EMPTY, options),
      mask: field.format(m.ternary.mask ?? EMPTY, options),
    };
  if (m.range)
    return {
      low: field.format(m.range.low ?? EMPTY, options),
      high: field.format(m.range.high ?? EMPTY, options),
    };
  throw new EntityError(`${field.label}: unsupported match type in entry`);
}

/** Decodes key fields into a record by field name. */
export function decodeMatch(
  fields: { get(id: number): MatchFieldInfo },
  match: readonly p4.v1.IFieldMatch[],
  options?: DecodeOptions,
): Record<string, DecodedMatch> {
  const out: Record<string, DecodedMatch> = {};
  for (const m of match) {
    const field = fields.get(m.fieldId ?? 0);
    out[field.name] = decodeFieldMatch(field, m, options);
  }
  return out;
}

function decodeWatchPort(bytes: Uint8Array): number | bigint {
  const v = bytesToBigInt(bytes);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Decodes a p4.v1.TableEntry into the friendly form. */
export function decodeTableEntry(
  index: P4InfoIndex,
  entry: p4.v1.ITableEntry,
  options?: DecodeOptions,
): TableEntryData {
  const table = index.tables.get(entry.tableId ?? 0);
  const a = entry.action;
  let actionPart: Pick<TableEntryData, 'action' | 'params' | 'member' | 'group' | 'actionSet'> = {};
  if (a?.action) {
    const action = index.actions.get(a.action.actionId ?? 0);
    actionPart = { action: action.name, params: decodeParams(action, a.action.params ?? [], options) };
  } else if (a?.actionProfileMemberId !== undefined && a.actionProfileMemberId !== null)
    actionPart = { member: a.actionProfileMemberId };
  else if (a?.actionProfileGroupId !== undefined && a.actionProfileGroupId !== null)
    actionPart = { group: a.actionProfileGroupId };
  else if (a?.actionProfileActionSet) {
    actionPart = {
      actionSet: (a.actionProfileActionSet.actionProfileActions ?? []).map((pa) => {
        const action = index.actions.get(pa.action?.actionId ?? 0);
        return {
          action: action.name,
          params: decodeParams(action, pa.action?.params ?? [], options),
          weight: pa.weight ?? 0,
          ...(pa.watchPort && pa.watchPort.length > 0 ? { watchPort: decodeWatchPort(pa.watchPort) } : {}),
        };
      }),
    };
  }
  const idle = fromLong(entry.idleTimeoutNs);
  return {
    kind: 'tableEntry',
    table: table.name,
    match: decodeMatch(table.matchFields, entry.match ?? [], options),
    ...actionPart,
    priority: entry.priority ?? 0,
    isDefaultAction: entry.isDefaultAction ?? false,
    isConst: entry.isConst ?? false,
    ...(idle !== 0n ? { idleTimeoutNs: idle } : {}),
    ...(entry.timeSinceLastHit ? { timeSinceLastHitNs: fromLong(entry.timeSinceLastHit.elapsedNs) } : {}),
    ...(entry.metadata && entry.metadata.length > 0 ? { metadata: entry.metadata } : {}),
    ...(entry.meterConfig ? { meterConfig: decodeMeterConfig(entry.meterConfig) } : {}),
    ...(entry.counterData ? { counterData: decodeCounterData(entry.counterData) } : {}),
    ...(entry.meterCounterData ? { meterCounterData: decodeMeterCounterData(entry.meterCounterData) } : {}),
  };
}

/** One-line description of a table entry for messages (never throws). */
export function describeTableEntry(index: P4InfoIndex, entry: p4.v1.ITableEntry): string {
  const table = index.tables.find(entry.tableId ?? 0);
  if (!table) return `table id ${entry.tableId}`;
  if (entry.isDefaultAction) return `table ${table.name} (default action)`;
  const parts = (entry.match ?? []).map((m) => {
    const field = table.matchFields.find(m.fieldId ?? 0);
    const name = field?.name ?? `#${m.fieldId}`;
    if (m.exact) return `${name}=${BitField.hex(m.exact.value)}`;
    if (m.optional) return `${name}=${BitField.hex(m.optional.value)}`;
    if (m.lpm) return `${name}=${BitField.hex(m.lpm.value)}/${m.lpm.prefixLen}`;
    if (m.ternary) return `${name}=${BitField.hex(m.ternary.value)}&&&${BitField.hex(m.ternary.mask)}`;
    if (m.range) return `${name}=${BitField.hex(m.range.low)}..${BitField.hex(m.range.high)}`;
    return `${name}=?`;
  });
  const priority = entry.priority ? ` priority ${entry.priority}` : '';
  return `table ${table.name} {${parts.join(', ')}}${priority}`;
}
