/**
 * Table entries: PI's `table_insert` / `table_modify` / `table_delete` / `table_read_one` on top of
 * the device tables. An entry's identity is looked up once, in the device's own index (bmv2's
 * `mt_get_entry_from_key`; an INSERT learns of a duplicate from the add itself, as PI does from
 * bmv2's DUPLICATE_ENTRY), and the device is then addressed by handle (as bmv2's runtime interface
 * is). Per handle the server keeps what the device does not (controller metadata, opaque metadata,
 * idle timeout, one-shot group), which also tells the entries the controller installed from those
 * the program installs itself. Reads ask the device (PI: `pi_table_entries_fetch`, or by key
 * `fetch_one`), so entries the program installs itself are read too.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type {
  DeviceActionCall,
  DeviceExactWriter,
  DeviceKeyParam,
  DeviceMatchKind,
  DeviceTableAction,
  DeviceTableEntry,
} from '../device/device.js';
import { EXACT_DECLINED } from '../device/device.js';
import { actionMessageOf, buildActionCall } from './action-data.js';
import type { ActionProfileManager } from './action-profiles.js';
import { bytesEqual, spanEquals, spanSignificantBits } from './bytestrings.js';
import {
  type ClassifiedInsert,
  classifiedInsertOf,
  classifiedKey,
  classifiedSpanKey,
  classifiedSpansFit,
  directCall,
  noTtl,
  SPAN_FIELD,
} from './classified-insert.js';
import { ClassifiedTableWrite, type CommonTableWrite } from './common-write.js';
import { EncodedEntries } from './encoded-entries.js';
import { buildMatchKey, fieldMatchesOf, type MatchKey } from './match-key.js';
import { meterConfigOf, ratesOf, validateMeterConfig } from './meter-config.js';
import { idKind, type TableModel } from './p4info-model.js';
import { longField, type PipelineContext, toBigInt, updateKind } from './pipeline.js';
import type { ReadResponseWriter } from './read-encoder.js';
import {
  alreadyExists,
  Code,
  invalidArgument,
  notFound,
  onTarget,
  type P4RuntimeStatusError,
  statusError,
  toStatusError,
} from './status.js';

/** What the server remembers about an entry (PI's TableInfoStore::Data); replaced, never changed. */
export interface EntryData {
  readonly controllerMetadata: bigint;
  readonly metadata: Uint8Array;
  readonly idleTimeoutNs: bigint;
  /** Device group created for a one-shot action set. */
  readonly oneShotGroup: number | undefined;
}

interface TableState {
  readonly model: TableModel;
  /** Match kinds of the device's key fields (P4_14 `valid` keys are exact in P4Info). */
  readonly deviceKinds: readonly DeviceMatchKind[];
  /**
   * State of the entries the controller installed, by device handle (handles are small dense
   * integers, as bmv2's). Entries the program installs itself have none.
   */
  readonly byHandle: (EntryData | undefined)[];
  /** State of the default entry. */
  defaultData: EntryData;
  /** The encoded Entity of each entry, as its INSERT or the last wildcard read made it. */
  readonly encoded: EncodedEntries;
  /** What {@link TableManager.insertCommonWrite} checks against; undefined when it does not apply. */
  readonly common: CommonInsert | undefined;
  /** What {@link TableManager.insertClassified} checks against; undefined when it does not apply. */
  readonly classified: ClassifiedInsert | undefined;
}

/**
 * A direct, non-const table whose match fields are all exact (on the device too), and for which
 * the device has a writer with the P4Info's widths: its INSERTs can take the common path. Field
 * ids in key order; the actions an entry may name, by id.
 */
interface CommonInsert {
  readonly fieldIds: readonly number[];
  readonly actions: ReadonlyMap<number, CommonAction>;
  /** The device's writer of the table's entries, named once (not per entry). */
  readonly writer: DeviceExactWriter;
}

/** An action a common INSERT may name: its P4Info name and parameter ids, and the device writer's index of it. */
interface CommonAction {
  readonly name: string;
  readonly paramIds: readonly number[];
  readonly index: number;
}

/** Same widths, in the same order. */
function sameWidths(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

function commonInsertOf(
  ctx: PipelineContext,
  model: TableModel,
  deviceKinds: readonly DeviceMatchKind[],
): CommonInsert | undefined {
  if (model.implementationId !== 0 || model.isConst || model.needsPriority) return undefined;
  const fields = model.matchFields;
  if (!fields.every((f, i) => f.matchType === 'exact' && (deviceKinds[i] ?? 'exact') === 'exact'))
    return undefined;
  // The device writer checks each value against its own widths (PI's "does not fit" checks, which
  // the writer declines): the P4Info's, or the INSERT takes PI's steps.
  const writer = ctx.control.exactWriter(model.name);
  if (
    writer === undefined ||
    !sameWidths(
      writer.keyWidths,
      fields.map((f) => f.bitwidth),
    )
  )
    return undefined;
  const actions = new Map<number, CommonAction>();
  for (const [id, scope] of model.actionScopes) {
    const action = idKind(id) === 'ACTION' ? ctx.model.actions.get(id) : undefined;
    if (action === undefined || scope === 'DEFAULT_ONLY') continue;
    const index = writer.actionIndex(action.name);
    if (
      index >= 0 &&
      sameWidths(
        writer.paramWidths(index),
        action.params.map((p) => p.bitwidth),
      )
    )
      actions.set(id, { name: action.name, paramIds: action.params.map((p) => p.id), index });
  }
  return { fieldIds: fields.map((f) => f.id), actions, writer };
}

const NS_PER_MS = 1_000_000n;
const EMPTY = new Uint8Array(0);

const ADD_CONTEXT = 'Error when adding match entry to target';

function entryExists(table: TableModel): P4RuntimeStatusError {
  return alreadyExists(
    'Match entry exists, use MODIFY if you wish to change action',
    `table '${table.name}'`,
  );
}

/** Most entries carry no controller state: they share this record instead of holding their own. */
const PLAIN: EntryData = Object.freeze({
  controllerMetadata: 0n,
  metadata: EMPTY,
  idleTimeoutNs: 0n,
  oneShotGroup: undefined,
});

/**
 * The server's state of a written entry. Records are never changed, so entries with the same state
 * share one: `last` is the latest record made, reused while the writes carry the same state (a
 * controller tags all its entries alike, e.g. with an owner in `metadata`), so such an entry costs
 * neither a copy of its metadata nor a record of its own.
 */
function entryData(
  last: EntryData,
  controllerMetadata: bigint,
  metadata: Uint8Array | null | undefined,
  idleTimeoutNs: bigint,
  oneShotGroup: number | undefined,
): EntryData {
  const bytes = metadata ?? EMPTY;
  if (
    controllerMetadata === last.controllerMetadata &&
    idleTimeoutNs === last.idleTimeoutNs &&
    oneShotGroup === last.oneShotGroup &&
    bytesEqual(bytes, last.metadata)
  )
    return last;
  if (controllerMetadata === 0n && bytes.length === 0 && idleTimeoutNs === 0n && oneShotGroup === undefined)
    return PLAIN;
  return { controllerMetadata, metadata: copyMetadata(bytes), idleTimeoutNs, oneShotGroup };
}

/**
 * {@link entryData} of an entry with only opaque metadata (`bytes` from `start` to `end`), read in
 * place: the common INSERT's.
 */
function plainEntryData(last: EntryData, bytes: Uint8Array, start: number, end: number): EntryData {
  // No metadata: the shared record (a record of no state at all is always PLAIN). First, so that
  // the bigint comparisons below are not compiled into the write path where no entry has metadata.
  if (end === start) return PLAIN;
  if (
    last.controllerMetadata === 0n &&
    last.idleTimeoutNs === 0n &&
    last.oneShotGroup === undefined &&
    spanEquals(bytes, start, end, last.metadata)
  )
    return last;
  return {
    controllerMetadata: 0n,
    metadata: bytes.slice(start, end),
    idleTimeoutNs: 0n,
    oneShotGroup: undefined,
  };
}

/**
 * The entry's opaque metadata, copied out of the request buffer. Decoded messages give an empty
 * buffer when the field is absent: every entry then shares one empty array instead of holding its own.
 */
function copyMetadata(metadata: Uint8Array): Uint8Array {
  return metadata.length > 0 ? Uint8Array.from(metadata) : EMPTY;
}

/** A one-shot action set, checked before anything is changed on the device and created after. */
class PendingOneShot {
  constructor(readonly check: ReturnType<ActionProfileManager['checkOneShot']>) {}
}

/**
 * The checked action of a TableEntry write: the device action itself (no wrapper made per write), or
 * a one-shot set still to be created.
 */
type PreparedAction = DeviceTableAction | PendingOneShot;

export class TableManager {
  private readonly tables = new Map<number, TableState>();
  /** The latest entry state recorded (without a one-shot group), shared by writes that carry the same. */
  private lastData: EntryData = PLAIN;

  /**
   * `commonInsert`: INSERTs that can take {@link insertCommonWrite} or {@link insertClassified} do
   * (off: every one takes {@link insert}).
   */
  constructor(
    private readonly ctx: PipelineContext,
    private readonly profiles: ActionProfileManager,
    commonInsert = true,
  ) {
    for (const model of ctx.model.tables.values()) {
      const deviceKinds = ctx.info.tables.get(model.name)?.key.map((k) => k.kind) ?? [];
      this.tables.set(model.id, {
        model,
        deviceKinds,
        byHandle: [],
        defaultData: PLAIN,
        encoded: new EncodedEntries(),
        common: commonInsert ? commonInsertOf(ctx, model, deviceKinds) : undefined,
        classified: commonInsert ? classifiedInsertOf(ctx, model, deviceKinds) : undefined,
      });
    }
  }

  /** Table state for an id, or INVALID_ARGUMENT "Invalid P4 id". */
  table(id: number | null | undefined): TableState {
    const model = this.ctx.model.lookup(this.ctx.model.tables, 'TABLE', id);
    return this.tables.get(model.id)!;
  }

  /** All tables, in P4Info order. */
  allTables(): TableState[] {
    return [...this.tables.values()];
  }

  matchKey(state: TableState, entry: p4.v1.ITableEntry): MatchKey {
    return buildMatchKey(state.model, entry, state.deviceKinds);
  }

  /**
   * Device handle of the entry the controller installed under `key` (-1 for the default entry);
   * undefined when there is none.
   */
  private installed(state: TableState, key: MatchKey): number | undefined {
    if (key.isDefault) return -1;
    const handle = this.ctx.control.findEntry(state.model.name, key.params, key.priority);
    // An entry the program installed itself is not the controller's to modify or delete.
    return handle !== undefined && state.byHandle[handle] !== undefined ? handle : undefined;
  }

  private dataOf(state: TableState, handle: number): EntryData {
    return handle < 0 ? state.defaultData : state.byHandle[handle]!;
  }

  /** PI's `entry_handle_from_table_entry` (used by direct counters and meters); -1: the default entry. */
  entryOf(entry: p4.v1.ITableEntry): { state: TableState; handle: number } {
    const state = this.table(entry.tableId);
    const key = this.matchKey(state, entry);
    const handle = this.installed(state, key);
    if (handle === undefined)
      throw invalidArgument(
        'Cannot map table entry to handle',
        `no such entry in table '${state.model.name}'`,
      );
    return { state, handle };
  }

  // ---------------------------------------------------------------- writes

  write(type: number | null | undefined, entry: p4.v1.ITableEntry): void {
    const state = this.table(entry.tableId);
    if (entry.timeSinceLastHit) {
      throw invalidArgument(
        'has_time_since_last_hit must not be set in WriteRequest',
        `table '${state.model.name}'`,
      );
    }
    const kind = updateKind(type);
    if (kind === 'MODIFY') this.modify(state, entry);
    else if (kind === 'DELETE') this.delete(state, entry);
    else if (!this.insertClassified(state, entry)) this.insert(state, entry);
  }

  /** PI's `validate_action`. */
  private validateAction(state: TableState, entry: p4.v1.ITableEntry): void {
    const t = state.model;
    const indirect = t.implementationId !== 0;
    if (indirect && entry.isDefaultAction) {
      throw invalidArgument(
        `Cannot set / reset default action for indirect table ${t.id}`,
        `table '${t.name}'`,
      );
    }
    if (entry.isDefaultAction && t.constDefaultActionId !== 0) {
      throw statusError(
        Code.PERMISSION_DENIED,
        `Cannot set / reset default action for table ${t.id} which has a const default action`,
        `table '${t.name}', const default action '${this.ctx.model.nameOf(t.constDefaultActionId)}'`,
      );
    }
    const action = entry.action;
    if (!action) return;
    const isDirectAction = action.action !== null && action.action !== undefined;
    if (indirect && isDirectAction)
      throw invalidArgument(`Cannot provide direct action for indirect table ${t.id}`, `table '${t.name}'`);
    if (!indirect && !isDirectAction)
      throw invalidArgument(`Cannot provide indirect action for direct table ${t.id}`, `table '${t.name}'`);
    if (indirect) return;
    const a = this.ctx.model.lookup(this.ctx.model.actions, 'ACTION', action.action?.actionId);
    const scope = t.actionScopes.get(a.id);
    if (!scope)
      throw invalidArgument(
        'Invalid action for table',
        `action '${a.name}' is not an action of table '${t.name}'`,
      );
    if (scope === 'TABLE_ONLY' && entry.isDefaultAction) {
      throw statusError(
        Code.PERMISSION_DENIED,
        'Cannot use TABLE_ONLY action as default action',
        `action '${a.name}', table '${t.name}'`,
      );
    }
    if (scope === 'DEFAULT_ONLY' && !entry.isDefaultAction) {
      throw statusError(
        Code.PERMISSION_DENIED,
        'Cannot use DEFAULT_ONLY action in table entry',
        `action '${a.name}', table '${t.name}'`,
      );
    }
  }

  /** PI's `construct_action_entry` (one-shot sets are only checked here, created later). */
  private prepareAction(state: TableState, action: p4.v1.ITableAction): PreparedAction {
    const t = state.model;
    if (action.action) {
      const a = this.ctx.model.lookup(this.ctx.model.actions, 'ACTION', action.action.actionId);
      return { type: 'action', call: buildActionCall(a, action.action, false) };
    }
    if (action.actionProfileActionSet)
      return new PendingOneShot(
        this.profiles.checkOneShot(t.implementationId, action.actionProfileActionSet),
      );
    const hasMember = action.actionProfileMemberId !== null && action.actionProfileMemberId !== undefined;
    const hasGroup = action.actionProfileGroupId !== null && action.actionProfileGroupId !== undefined;
    if (hasMember || hasGroup) return this.profiles.resolveIndirect(t.implementationId, action);
    throw invalidArgument('Invalid table action type', `table '${t.name}': the action is empty`);
  }

  /** PI's `construct_direct_resources` checks. */
  private checkDirectResources(state: TableState, entry: p4.v1.ITableEntry): void {
    const t = state.model;
    if (entry.meterConfig) {
      if (!t.directMeterId) throw invalidArgument('Table has no direct meters', `table '${t.name}'`);
      validateMeterConfig(entry.meterConfig, `direct meter of table '${t.name}'`);
    }
    if (entry.counterData && !t.directCounterId)
      throw invalidArgument('Table has no direct counters', `table '${t.name}'`);
  }

  /** PI's `validate_entry_ttl`. */
  private checkTtl(state: TableState, entry: p4.v1.ITableEntry): bigint {
    const ttl = toBigInt(entry.idleTimeoutNs);
    if (ttl < 0n)
      throw invalidArgument(
        'idle_timeout_ns must be a positive value',
        `table '${state.model.name}', ${ttl}`,
      );
    if (ttl > 0n && !state.model.supportsIdleTimeout) {
      throw invalidArgument(
        'idle_timeout_ns must be set to 0 for tables which do not support idle timeout',
        `table '${state.model.name}', idle_timeout_ns ${ttl}`,
      );
    }
    return ttl;
  }

  private realize(
    state: TableState,
    prepared: PreparedAction,
  ): { action: DeviceTableAction; oneShotGroup: number | undefined } {
    if (prepared instanceof PendingOneShot) {
      const group = this.profiles.createOneShot(state.model.implementationId, prepared.check);
      return { action: { type: 'group', handle: group }, oneShotGroup: group };
    }
    return { action: prepared, oneShotGroup: undefined };
  }

  private applyDirectResources(
    state: TableState,
    handle: number,
    entry: p4.v1.ITableEntry,
    context: string,
  ): void {
    const table = state.model.name;
    if (entry.meterConfig) {
      onTarget(context, () =>
        this.ctx.control.setDirectMeterRates(table, handle, ratesOf(entry.meterConfig)),
      );
    }
    if (entry.counterData) {
      const value = this.counterValue(state, handle, entry.counterData);
      onTarget(context, () => this.ctx.control.writeDirectCounter(table, handle, value));
    }
  }

  /** Counter value to write given the direct counter's unit (bmv2 keeps the other count). */
  counterValue(
    state: TableState,
    handle: number,
    data: p4.v1.ICounterData,
  ): { bytes: bigint; packets: bigint } {
    const unit = this.ctx.model.directCounters.get(state.model.directCounterId)?.unit ?? 'BOTH';
    const bytes = toBigInt(data.byteCount);
    const packets = toBigInt(data.packetCount);
    if (unit === 'BOTH' || unit === 'UNSPECIFIED') return { bytes, packets };
    const current = this.ctx.control.readDirectCounter(state.model.name, handle);
    return unit === 'BYTES' ? { bytes, packets: current.packets } : { bytes: current.bytes, packets };
  }

  /** Milliseconds given to the device (bmv2 keeps ms; PI truncates). */
  private static ttlMs(ttlNs: bigint): number {
    return ttlNs === 0n ? 0 : Number(ttlNs / NS_PER_MS);
  }

  /**
   * A common INSERT as the Write decoder gives it (common-write.ts): applied by
   * {@link insertCommonWrite}, or, when that declines, as its messages by {@link write}, which then
   * gives PI's answer for it.
   */
  writeCommon(w: CommonTableWrite): void {
    // The table by its id as {@link table} finds it (an unknown id: write gives the error).
    const state = this.tables.get(w.writes.layout[w.at]);
    if (state !== undefined) {
      if (w instanceof ClassifiedTableWrite) {
        if (this.insertClassifiedWrite(state, w)) return;
      } else if (this.insertCommonWrite(state, w)) return;
    }
    const entry = w.entity?.tableEntry;
    if (entry) this.write(w.type, entry);
  }

  /**
   * The INSERT of almost every entry a controller writes (a table of exact fields; the key in
   * order; a direct action, its parameters in order; no priority, TTL, meter or counter data),
   * checked and applied in one pass from the numbers the decoder left (common-write.ts
   * CommonWrites) and the request's bytes: what {@link insert} does for such an entry, with no
   * message, match key, action, byte view or check object made on the way, and far less code for V8
   * to compile before the first writes run fast. Returns false, having changed nothing, for
   * anything else, valid or not: then {@link insert} checks it in PI's order and gives PI's
   * refusals. Every check here is one of insert's: what passes them, insert would pass too, up to
   * the device's add. The values' own checks (not empty, no wider than the field or parameter:
   * match-key.ts setExact, action-data.ts) are the device writer's, against the same widths
   * (commonInsertOf), made as it reads them: it declines (EXACT_DECLINED) before anything changes.
   * The writer is the device's table named once (no lookup by name per entry), and gives the new
   * entry's handle and revision (no second lookup for the kept encoding).
   */
  private insertCommonWrite(state: TableState, w: CommonTableWrite): boolean {
    const common = state.common;
    if (common === undefined) return false;
    const layout = w.writes.layout;
    const bytes = w.writes.bytes;
    const ids = common.fieldIds;
    const keyCount = ids.length;
    if (layout[w.at + 1] !== keyCount) return false;
    // As match-key.ts buildMatchKey: every field, in order (the writer checks each value as setExact
    // does: not empty, fits the field's width).
    const keyAt = w.at + 2;
    for (let i = 0, s = keyAt; i < keyCount; i++, s += 3) if (layout[s] !== ids[i]) return false;
    // As validateAction (an action of the table, usable in entries) and action-data.ts
    // buildActionCall (every parameter, in order; the writer checks their values as it does).
    const actionAt = keyAt + 3 * keyCount;
    const action = common.actions.get(layout[actionAt]);
    if (action === undefined) return false;
    const paramIds = action.paramIds;
    const argCount = paramIds.length;
    if (layout[actionAt + 1] !== argCount) return false;
    const argAt = actionAt + 2;
    for (let i = 0, s = argAt; i < argCount; i++, s += 3) if (layout[s] !== paramIds[i]) return false;
    const metadataAt = argAt + 3 * argCount;
    const writer = common.writer;
    let handle: number;
    try {
      handle = writer.add(bytes, layout, keyAt, action.index, argAt, argCount);
    } catch (error) {
      throw toStatusError(error, ADD_CONTEXT);
    }
    if (handle < 0) {
      if (handle === EXACT_DECLINED) return false;
      throw entryExists(state.model);
    }
    const revision = writer.revision;
    const data = plainEntryData(this.lastData, bytes, layout[metadataAt], layout[metadataAt + 1]);
    state.byHandle[handle] = data;
    this.lastData = data;
    // The request's own bytes when they are what a Read answers.
    if (w.entityStart >= 0)
      state.encoded.storeCopy(handle, revision, data, bytes, w.entityStart, w.updateEnd);
    else {
      const key: DeviceKeyParam[] = new Array(keyCount);
      for (let i = 0, s = keyAt; i < keyCount; i++, s += 3)
        key[i] = { kind: 'exact', value: bytes.subarray(layout[s + 1], layout[s + 2]) };
      const args: Uint8Array[] = new Array(argCount);
      for (let i = 0, s = argAt; i < argCount; i++, s += 3)
        args[i] = bytes.subarray(layout[s + 1], layout[s + 2]);
      this.keepEncoded(state, handle, revision, key, 0, { action: action.name, args });
    }
    return true;
  }

  /**
   * {@link insertCommonWrite} for ACL-like tables (a priority; exact, ternary, optional and range fields,
   * classified-insert.ts): the INSERT of an entry with all its key fields, in order, a priority, a
   * direct action, its parameters in order, and no TTL, meter or counter data, checked and applied
   * in one pass with no match key or check objects made on the way. Returns false, having changed
   * nothing, for anything else, valid or not: then {@link insert} checks it in PI's order and gives
   * PI's refusals. What passes gives the device the key, priority and action insert would.
   */
  private insertClassified(state: TableState, entry: p4.v1.ITableEntry): boolean {
    const c = state.classified;
    if (c === undefined || entry.isDefaultAction || entry.meterConfig || entry.counterData) return false;
    // PI refuses a zero or negative priority; bmv2 keeps int32 ones.
    const priority = entry.priority;
    if (typeof priority !== 'number' || !(priority > 0 && priority <= 0x7fffffff) || priority % 1 !== 0)
      return false;
    if (!noTtl(entry.idleTimeoutNs)) return false;
    const key = classifiedKey(c, entry.match);
    if (key === undefined) return false;
    const call = directCall(c.actions, entry.action?.action);
    if (call === undefined) return false;
    const t = state.model;
    let handle: number | undefined;
    try {
      handle = this.ctx.control.addClassifiedEntry(t.name, key, priority, call);
    } catch (error) {
      throw toStatusError(error, ADD_CONTEXT);
    }
    if (handle === undefined) throw entryExists(t);
    const revision = this.ctx.control.addedRevision;
    const data = entryData(this.lastData, toBigInt(entry.controllerMetadata), entry.metadata, 0n, undefined);
    state.byHandle[handle] = data;
    this.lastData = data;
    this.keepEncoded(state, handle, revision, key, priority, call);
    return true;
  }

  /**
   * {@link insertClassified} of the Write decoder's record of an INSERT with a priority
   * (common-write.ts ClassifiedTableWrite), from its numbers and the request's bytes, as
   * {@link insertCommonWrite} does for exact tables: the same checks (classified-insert.ts
   * `classifiedSpansFit`, the action's as insertCommonWrite's), the same device key (the device
   * reads it from the bytes), and the request's Entity bytes kept when they are a Read's. False,
   * having changed nothing, for anything else: the messages then take {@link write}.
   */
  private insertClassifiedWrite(state: TableState, w: ClassifiedTableWrite): boolean {
    const c = state.classified;
    if (c === undefined) return false;
    const layout = w.writes.layout;
    const bytes = w.writes.bytes;
    const keyAt = w.at + 2;
    if (!classifiedSpansFit(c, bytes, layout, keyAt)) return false;
    const keyCount = c.fieldIds.length;
    const actionAt = keyAt + SPAN_FIELD * keyCount;
    const action = c.actions.get(layout[actionAt]);
    if (action === undefined) return false;
    const params = action.params;
    const argCount = params.length;
    if (layout[actionAt + 1] !== argCount) return false;
    const argAt = actionAt + 2;
    for (let i = 0, s = argAt; i < argCount; i++, s += 3) {
      const start = layout[s + 1];
      const end = layout[s + 2];
      const p = params[i];
      if (layout[s] !== p.id || end === start || spanSignificantBits(bytes, start, end) > p.bitwidth)
        return false;
    }
    const priorityAt = argAt + 3 * argCount;
    const priority = layout[priorityAt];
    const t = state.model;
    const control = this.ctx.control;
    let handle: number | undefined;
    try {
      handle = control.addClassifiedSpans(
        t.name,
        bytes,
        layout,
        keyAt,
        keyCount,
        c.fieldOnes,
        priority,
        action.name,
        argAt,
        argCount,
      );
    } catch (error) {
      throw toStatusError(error, ADD_CONTEXT);
    }
    if (handle === undefined) throw entryExists(t);
    const revision = control.addedRevision;
    const data = plainEntryData(this.lastData, bytes, layout[priorityAt + 1], layout[priorityAt + 2]);
    state.byHandle[handle] = data;
    this.lastData = data;
    if (w.entityStart >= 0)
      state.encoded.storeCopy(handle, revision, data, bytes, w.entityStart, w.updateEnd);
    else {
      const args: Uint8Array[] = new Array(argCount);
      for (let i = 0, s = argAt; i < argCount; i++, s += 3)
        args[i] = bytes.subarray(layout[s + 1], layout[s + 2]);
      const key = classifiedSpanKey(c, bytes, layout, keyAt);
      this.keepEncoded(state, handle, revision, key, priority, { action: action.name, args });
    }
    return true;
  }

  private insert(state: TableState, entry: p4.v1.ITableEntry): void {
    const t = state.model;
    if (entry.isDefaultAction)
      throw invalidArgument('Cannot use INSERT for default entry', `table '${t.name}'`);
    if (!entry.action) throw invalidArgument("'action' field must be set", `table '${t.name}'`);
    const key = this.matchKey(state, entry);
    this.validateAction(state, entry);
    const prepared = this.prepareAction(state, entry.action);
    this.checkDirectResources(state, entry);
    const ttl = this.checkTtl(state, entry);
    // A one-shot action set is created on the device before the entry: a duplicate is refused first.
    const oneShot = prepared instanceof PendingOneShot;
    if (oneShot && this.ctx.control.findEntry(t.name, key.params, key.priority) !== undefined)
      throw entryExists(t);
    let handle: number | undefined;
    let revision = 0;
    let oneShotGroup: number | undefined;
    try {
      let action: DeviceTableAction;
      if (oneShot) {
        const realized = this.realize(state, prepared);
        oneShotGroup = realized.oneShotGroup;
        action = realized.action;
      } else action = prepared;
      try {
        handle = this.ctx.control.addEntry(t.name, key.params, key.priority, action, TableManager.ttlMs(ttl));
      } catch (error) {
        throw toStatusError(error, ADD_CONTEXT);
      }
      // undefined: an entry under the same key exists (bmv2's DUPLICATE_ENTRY).
      if (handle === undefined) throw entryExists(t);
      revision = this.ctx.control.addedRevision;
      try {
        this.applyDirectResources(state, handle, entry, ADD_CONTEXT);
      } catch (error) {
        this.ctx.control.deleteEntry(t.name, handle);
        throw error;
      }
    } catch (error) {
      if (oneShotGroup !== undefined) this.profiles.deleteOneShot(t.implementationId, oneShotGroup);
      throw error;
    }
    const data = entryData(
      this.lastData,
      toBigInt(entry.controllerMetadata),
      entry.metadata,
      ttl,
      oneShotGroup,
    );
    state.byHandle[handle] = data;
    if (oneShotGroup === undefined) this.lastData = data;
    if (!oneShot && prepared.type === 'action')
      this.keepEncoded(state, handle, revision, key.params, key.priority, prepared.call);
  }

  /**
   * The new entry's Entity as the next wildcard read answers it, kept (encoded-entries.ts) while
   * its key and action are at hand: that read, the first a controller makes after loading a
   * device, then copies it instead of converting and encoding the entry. The key and action are
   * those the device was given, checked as PI checks them, so they encode to what the device
   * gives back (test/switch/p4runtime/read-kept-random.test.ts compares the two).
   */
  private keepEncoded(
    state: TableState,
    handle: number,
    revision: number,
    key: readonly DeviceKeyParam[],
    priority: number,
    call: DeviceActionCall,
  ): void {
    state.encoded.store(
      handle,
      revision,
      state.byHandle[handle],
      this.ctx.model,
      state.model,
      key,
      call,
      priority,
    );
  }

  private modify(state: TableState, entry: p4.v1.ITableEntry): void {
    const t = state.model;
    const key = this.matchKey(state, entry);
    this.validateAction(state, entry);
    let prepared: PreparedAction | undefined;
    if (entry.action) prepared = this.prepareAction(state, entry.action);
    else if (!entry.isDefaultAction)
      throw invalidArgument("'action' field must be set for non-default entries", `table '${t.name}'`);
    this.checkDirectResources(state, entry);
    const ttl = this.checkTtl(state, entry);
    const handle = this.installed(state, key);
    if (handle === undefined) throw notFound('Cannot find match entry', `table '${t.name}'`);
    const data = this.dataOf(state, handle);
    const realized = prepared ? this.realize(state, prepared) : undefined;
    try {
      onTarget('Error when modifying match entry in target', () => {
        if (entry.isDefaultAction) {
          if (realized) this.ctx.control.setDefaultAction(t.name, realized.action);
          else this.ctx.control.resetDefaultAction(t.name);
        } else {
          // PI sets the TTL on every MODIFY of a table supporting idle timeout.
          const ttlMs = t.supportsIdleTimeout ? TableManager.ttlMs(ttl) : undefined;
          this.ctx.control.modifyEntry(t.name, handle, realized!.action, ttlMs);
          // bmv2 ignores direct resources of default entries.
          this.applyDirectResources(state, handle, entry, 'Error when modifying match entry in target');
        }
      });
    } catch (error) {
      if (realized?.oneShotGroup !== undefined)
        this.profiles.deleteOneShot(t.implementationId, realized.oneShotGroup);
      throw error;
    }
    const previousOneShot = data.oneShotGroup;
    const next = realized
      ? entryData(
          this.lastData,
          toBigInt(entry.controllerMetadata),
          entry.metadata,
          ttl,
          realized.oneShotGroup,
        )
      : PLAIN;
    if (next.oneShotGroup === undefined) this.lastData = next;
    if (handle < 0) state.defaultData = next;
    else state.byHandle[handle] = next;
    if (previousOneShot !== undefined) this.profiles.deleteOneShot(t.implementationId, previousOneShot);
  }

  private delete(state: TableState, entry: p4.v1.ITableEntry): void {
    const t = state.model;
    if (entry.isDefaultAction)
      throw invalidArgument('Cannot use DELETE for default entry', `table '${t.name}'`);
    const key = this.matchKey(state, entry);
    const handle = this.installed(state, key);
    if (handle === undefined) throw notFound('Cannot find match entry', `table '${t.name}'`);
    const data = this.dataOf(state, handle);
    onTarget('Error when deleting match entry in target', () => this.ctx.control.deleteEntry(t.name, handle));
    state.byHandle[handle] = undefined;
    if (data.oneShotGroup !== undefined) this.profiles.deleteOneShot(t.implementationId, data.oneShotGroup);
  }

  // ---------------------------------------------------------------- reads

  /** PI's `table_read`: table id 0 reads every table. */
  read(request: p4.v1.ITableEntry, out: p4.v1.IEntity[]): void {
    const states = request.tableId ? [this.table(request.tableId)] : this.allTables();
    for (const state of states) this.readOne(state, request, out);
  }

  /**
   * {@link read} written straight into ReadResponse bytes: an entry that has only a key, a direct
   * action, a priority and controller state (the bulk of any large table) is encoded field by
   * field, and kept so (encoded-entries.ts) for the next wildcard read; anything else as the
   * message {@link read} gives.
   */
  readEncoded(request: p4.v1.ITableEntry, out: ReadResponseWriter): void {
    const states = request.tableId ? [this.table(request.tableId)] : this.allTables();
    const model = this.ctx.model;
    for (const state of states) {
      const t = state.model;
      const asMessage =
        t.isConst ||
        !!request.timeSinceLastHit ||
        (!!request.counterData && !!t.directCounterId) ||
        (!!request.meterConfig && !!t.directMeterId);
      if (!asMessage && !request.isDefaultAction && (request.match ?? []).length === 0) {
        this.readKept(state, request, out);
        continue;
      }
      const entries = this.readEntries(state, request, out);
      if (!entries) continue;
      for (const e of entries) {
        if (asMessage || e.action.type !== 'action')
          out.entity({ tableEntry: this.entryMessage(state, e, request) });
        else out.tableEntry(model, t, e.key, e.action.call, e.priority, state.byHandle[e.handle]);
      }
    }
  }

  /**
   * A wildcard read of one table's entries (no counters, meters or idle time asked): each entry
   * as kept in `state.encoded` while its device revision and server state are those it was
   * encoded from, else converted, encoded and kept. Handles the device no longer has are
   * forgotten on the way.
   */
  private readKept(state: TableState, request: p4.v1.ITableEntry, out: ReadResponseWriter): void {
    const t = state.model;
    const model = this.ctx.model;
    const control = this.ctx.control;
    const kept = state.encoded;
    const byHandle = state.byHandle;
    let next = 0;
    onTarget('Error when reading table entries from target', () =>
      control.visitEntryRevisions(t.name, (handle, revision) => {
        if (handle > next) kept.dropRange(next, handle);
        next = handle + 1;
        const data = byHandle[handle];
        if (!kept.holds(handle, revision, data)) {
          const e = control.getEntry(t.name, handle);
          if (e.action.type !== 'action') {
            out.entity({ tableEntry: this.entryMessage(state, e, request) });
            return;
          }
          kept.store(handle, revision, data, model, t, e.key, e.action.call, e.priority);
        }
        out.encoded(kept.bytes, kept.start(handle), kept.end(handle));
      }),
    );
    kept.dropRange(next, Number.POSITIVE_INFINITY);
  }

  private tableAction(state: TableState, action: DeviceTableAction): p4.v1.ITableAction {
    if (action.type === 'action') return { action: actionMessageOf(this.ctx.model, action.call) };
    return this.profiles.tableActionOf(state.model.implementationId, action);
  }

  private readOne(state: TableState, request: p4.v1.ITableEntry, out: p4.v1.IEntity[]): void {
    const entries = this.readEntries(state, request, { entity: (e) => out.push(e) });
    for (const e of entries ?? []) out.push({ tableEntry: this.entryMessage(state, e, request) });
  }

  /**
   * The device entries a read of `state` answers with, in the device's order; undefined when the
   * request is for the default entry, which is given to `out` instead.
   */
  private readEntries(
    state: TableState,
    request: p4.v1.ITableEntry,
    out: { entity(e: p4.v1.IEntity): void },
  ): Iterable<DeviceTableEntry> | undefined {
    const t = state.model;
    if (request.isDefaultAction) {
      out.entity({ tableEntry: this.defaultMessage(state, request) });
      return undefined;
    }
    if (request.timeSinceLastHit && !t.supportsIdleTimeout) {
      throw invalidArgument(
        'Do not set time_since_last_hit for a ReadRequest if the table does not support idle timeout; yes, that includes wildcard reads',
        `table '${t.name}'`,
      );
    }
    let entries: Iterable<DeviceTableEntry>;
    if ((request.match ?? []).length === 0) {
      entries = onTarget('Error when reading table entries from target', () =>
        this.ctx.control.getEntries(t.name),
      );
    } else {
      const key = this.matchKey(state, request);
      // Entries the program installs itself included (they have no controller state).
      entries = onTarget('Error when reading table entry from target', () => {
        const handle = this.ctx.control.findEntry(t.name, key.params, key.priority);
        return handle === undefined ? [] : [this.ctx.control.getEntry(t.name, handle)];
      });
    }
    return entries;
  }

  private entryMessage(
    state: TableState,
    e: DeviceTableEntry,
    request: p4.v1.ITableEntry,
  ): p4.v1.ITableEntry {
    const t = state.model;
    const message: p4.v1.ITableEntry = {
      tableId: t.id,
      match: fieldMatchesOf(t, e.key),
      action: this.tableAction(state, e.action),
    };
    if (t.needsPriority && e.priority > 0) message.priority = e.priority;
    if (request.counterData && t.directCounterId) {
      const c = onTarget('Error when reading counter from target', () =>
        this.ctx.control.readDirectCounter(t.name, e.handle),
      );
      message.counterData = { byteCount: longField(c.bytes), packetCount: longField(c.packets) };
    }
    if (request.meterConfig && t.directMeterId) {
      const rates = onTarget('Error when reading meter from target', () =>
        this.ctx.control.getDirectMeterRates(t.name, e.handle),
      );
      if (rates) message.meterConfig = meterConfigOf(rates);
    }
    if (t.isConst) {
      message.isConst = true;
      return message;
    }
    const data = state.byHandle[e.handle];
    // Entries the program installs itself (initial entries) have no controller state.
    if (!data) return message;
    message.controllerMetadata = longField(data.controllerMetadata, true);
    message.metadata = data.metadata;
    message.idleTimeoutNs = longField(data.idleTimeoutNs);
    if (request.timeSinceLastHit) {
      let elapsed = 0n;
      if (data.idleTimeoutNs > 0n) {
        const idleMs = onTarget('Error when reading remaining entry TTL from target', () =>
          this.ctx.control.getEntryIdleMs(t.name, e.handle),
        );
        const idleNs = BigInt(Math.floor(idleMs)) * NS_PER_MS;
        elapsed = idleNs < data.idleTimeoutNs ? idleNs : data.idleTimeoutNs;
      }
      message.timeSinceLastHit = { elapsedNs: longField(elapsed) };
    }
    return message;
  }

  private defaultMessage(state: TableState, request: p4.v1.ITableEntry): p4.v1.ITableEntry {
    const t = state.model;
    if (request.timeSinceLastHit) {
      throw invalidArgument(
        "Default table entries do not support entry ageing, do not set 'time_since_last_hit' in your ReadRequest",
        `table '${t.name}'`,
      );
    }
    const action = onTarget('Error when reading default entry from target', () =>
      this.ctx.control.getDefaultAction(t.name),
    );
    const message: p4.v1.ITableEntry = { tableId: t.id, isDefaultAction: true };
    if (action) message.action = this.tableAction(state, action);
    const data = state.defaultData;
    message.controllerMetadata = longField(data.controllerMetadata, true);
    message.metadata = data.metadata;
    return message;
  }

  /** Handle and key (table id, match, priority) of every device entry of a table. */
  keyedEntries(state: TableState): { handle: number; key: p4.v1.ITableEntry }[] {
    const t = state.model;
    const entries = onTarget('Error when reading table entries from target', () =>
      this.ctx.control.getEntries(t.name),
    );
    return Array.from(entries, (e) => {
      const key: p4.v1.ITableEntry = { tableId: t.id, match: fieldMatchesOf(t, e.key) };
      if (t.needsPriority && e.priority > 0) key.priority = e.priority;
      return { handle: e.handle, key };
    });
  }

  // ---------------------------------------------------------------- ageing

  /** Entries with a non-zero idle timeout, for the ageing monitor. */
  *agingEntries(): Generator<{ state: TableState; handle: number; data: EntryData }> {
    for (const state of this.tables.values()) {
      if (!state.model.supportsIdleTimeout) continue;
      for (let handle = 0; handle < state.byHandle.length; handle++) {
        const data = state.byHandle[handle];
        if (data !== undefined && data.idleTimeoutNs > 0n) yield { state, handle, data };
      }
    }
  }

  /** Milliseconds since the entry was last hit (device ageing clock). */
  idleMs(state: TableState, handle: number): number {
    return this.ctx.control.getEntryIdleMs(state.model.name, handle);
  }

  /** The TableEntry an idle-timeout notification carries (key, priority, controller metadata, timeout). */
  notificationEntry(state: TableState, handle: number, data: EntryData): p4.v1.ITableEntry {
    const e = this.ctx.control.getEntry(state.model.name, handle);
    const message: p4.v1.ITableEntry = {
      tableId: state.model.id,
      match: fieldMatchesOf(state.model, e.key),
      controllerMetadata: longField(data.controllerMetadata, true),
      idleTimeoutNs: longField(data.idleTimeoutNs),
    };
    if (state.model.needsPriority && e.priority > 0) message.priority = e.priority;
    return message;
  }

  /** Entries the controller installed, as INSERT-able TableEntry messages (RECONCILE_AND_COMMIT). */
  snapshot(): p4.v1.ITableEntry[] {
    const out: p4.v1.IEntity[] = [];
    for (const state of this.tables.values()) {
      if (!state.model.isConst)
        this.readOne(state, { tableId: state.model.id, counterData: {}, meterConfig: {} }, out);
    }
    return out.map((e) => e.tableEntry!).filter((e) => !e.isConst);
  }
}

export type { TableState };
