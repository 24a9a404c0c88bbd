/**
 * {@link Device} on top of the embedded engine (`src/switch/v1model`, over `src/switch/core`): bytes <-> bigint values,
 * entries addressed by the engine's handles (as bmv2's runtime interface does), bmv2-style action profile members
 * and groups <-> the engine's member/group ids, and the two-step config swap (a staged engine takes
 * over the data plane on commit).
 */

import type { Value } from '../../core/bits.js';
import {
  EngineError,
  type EntryAction,
  type EntryActionSpec,
  type ExactTable,
  loadV1Model,
  type MatchFieldValue,
  type MatchKey,
  type Program,
  SimpleSwitchEngine,
  type TableEntryRecord,
} from '../../v1model/index.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  byteWidth,
  rangeDefaultHigh,
  spanSignificantBits,
  valueToBytes,
} from './bytes.js';
import {
  type ByteSpans,
  type Device,
  type DeviceActionCall,
  type DeviceConfig,
  type DeviceControl,
  type DeviceCounterValue,
  DeviceError,
  type DeviceExactWriter,
  type DeviceKeyParam,
  type DeviceListener,
  type DeviceMatchKind,
  type DeviceMeterRates,
  type DeviceProgramInfo,
  type DeviceReplica,
  type DeviceTableAction,
  type DeviceTableEntry,
  type DeviceTableInfo,
  EXACT_DECLINED,
  SPAN_EXACT,
  SPAN_OPTIONAL,
} from './device.js';

const UINT32_MAX = 0xffffffffn;
const UINT64_MAX = (1n << 64n) - 1n;

interface EngineConfig extends DeviceConfig {
  readonly program: Program;
}

export interface EngineDeviceOptions {
  /** Seed of the engine's random() source. */
  readonly seed?: number;
  /** Collect engine trace notes (slow; for debugging). */
  readonly trace?: boolean;
  /** Receives notes and errors of packets the engine failed to process (default: ignored). */
  readonly onPacketError?: (port: number, error: string) => void;
}

function describe(program: Program, engine: SimpleSwitchEngine): DeviceProgramInfo {
  const tables = new Map<string, DeviceTableInfo>();
  for (const name of engine.tableNames()) {
    const t = engine.tableInfo(name);
    const directCounter = program.counters.find((c) => c.direct && c.binding === name)?.name;
    tables.set(name, {
      name,
      key: t.keys.map((k) => ({ name: k.name, kind: k.matchKind, bitwidth: k.width })),
      actions: t.actions.map((a) => a.name),
      actionProfile: t.actionProfile,
      directCounter: t.directCounter ? directCounter : undefined,
      directMeter: t.directMeter?.name,
      size: t.maxSize,
      supportsTimeout: t.supportsTimeout,
    });
  }
  const actions = new Map(
    program.actions.map((a) => [a.name, { name: a.name, paramWidths: a.params.map((p) => p.width) }]),
  );
  return {
    tables,
    actions,
    actionProfiles: new Map(
      program.profiles.map((p) => [p.name, { name: p.name, withSelector: p.selector !== undefined }]),
    ),
    counters: new Map(
      program.counters.map((c) => [
        c.name,
        { name: c.name, size: c.size, directTable: c.direct ? c.binding : undefined },
      ]),
    ),
    meters: new Map(
      program.meters.map((m) => [
        m.name,
        { name: m.name, size: m.size, directTable: m.direct ? m.binding : undefined },
      ]),
    ),
    registers: new Map(
      program.registers.map((r) => [r.name, { name: r.name, size: r.size, bitwidth: r.width }]),
    ),
    learnLists: new Map(
      [...program.learnLists.values()].map((l) => [
        l.name,
        { name: l.name, fieldWidths: l.fields.map((f) => f.field.width) },
      ]),
    ),
    valueSets: new Map(program.valueSets.map((v) => [v.name, { name: v.name, bitwidth: v.bitwidth }])),
  };
}

function toNumberChecked(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER))
    throw new DeviceError('OUT_OF_RANGE', `${what} ${v} is too large for this target`);
  return Number(v);
}

/**
 * {@link DeviceExactWriter} of one engine table: the request's byte strings checked against the
 * table's widths and converted straight into the representation the table keeps (numbers or
 * bigints, {@link ExactTable}), into one array of the writer's own, reused for every entry (the
 * table keeps none of it).
 */
class EngineExactWriter implements DeviceExactWriter {
  readonly keyWidths: readonly number[];
  private readonly argWidths: readonly (readonly number[])[];
  /**
   * Per action (by index), per value of an entry naming it (the key fields, then the action's
   * parameters): 2^width, the least value that does not fit, for values the table keeps as numbers;
   * minus the width for those it keeps as bigints.
   */
  private readonly limits: readonly (readonly number[])[];
  /** The values of the entry being added: the key's, then the arguments. */
  private readonly values: Value[];

  constructor(private readonly table: ExactTable) {
    this.keyWidths = table.keyWidths;
    this.argWidths = table.argWidths;
    const limit = (width: number, asNumber: boolean) => (asNumber ? 2 ** width : -width);
    const keyLimits = table.keyWidths.map((w, i) => limit(w, table.keyAsNumber[i]));
    this.limits = table.argWidths.map((widths, a) => [
      ...keyLimits,
      ...widths.map((w, i) => limit(w, table.argsAsNumber[a][i])),
    ]);
    this.values = new Array(Math.max(keyLimits.length, ...this.limits.map((l) => l.length))).fill(0);
  }

  actionIndex(name: string): number {
    return this.table.actionIndex(name);
  }

  paramWidths(action: number): readonly number[] {
    return this.argWidths[action];
  }

  add(
    bytes: Uint8Array,
    spans: ByteSpans,
    keyAt: number,
    action: number,
    argAt: number,
    argCount: number,
  ): number {
    const table = this.table;
    const values = this.values;
    const limits = this.limits[action];
    const keyCount = this.keyWidths.length;
    // Not the action's count: the table refuses it as it refuses a call with too few or too many.
    if (keyCount + argCount !== limits.length) return table.addExactValues(values, action, argCount);
    // Every value read and checked before the table is asked: a declined write changes nothing.
    // One loop over the key's values, then the arguments' (one function, compiled once).
    for (let i = 0, s = keyAt; i < limits.length; i++, s += 3) {
      if (i === keyCount) s = argAt;
      const start = spans[s + 1];
      const end = spans[s + 2];
      if (end === start) return EXACT_DECLINED;
      const limit = limits[i];
      if (limit > 0) {
        // Exact: the value fits in 53 bits when it is below the limit (and is not, when it is not).
        let v = 0;
        for (let j = start; j < end; j++) v = v * 256 + bytes[j];
        if (v >= limit) return EXACT_DECLINED;
        values[i] = v;
      } else {
        if (spanSignificantBits(bytes, start, end) > -limit) return EXACT_DECLINED;
        values[i] = spanBigInt(bytes, start, end);
      }
    }
    return table.addExactValues(values, action, argCount);
  }

  /** The table's own: the revision of the entry its last add made. */
  get revision(): number {
    return this.table.addedRevision;
  }
}

/** Control plane of one engine instance. */
class EngineControl implements DeviceControl {
  /** Per profile: group id to its members in insertion order (bmv2 groups are member lists). */
  private readonly groupMembers = new Map<string, Map<number, number[]>>();
  private readonly nextMemberId = new Map<string, number>();
  private readonly nextGroupId = new Map<string, number>();

  constructor(
    readonly engine: SimpleSwitchEngine,
    private readonly info: DeviceProgramInfo,
  ) {}

  private tableInfo(table: string): DeviceTableInfo {
    const t = this.info.tables.get(table);
    if (!t) throw new DeviceError('NOT_FOUND', `unknown table '${table}'`);
    return t;
  }

  private record(table: string, handle: number): TableEntryRecord {
    return this.engine.getTableEntry(table, handle);
  }

  /**
   * The key converted last: an INSERT finds its key (is it installed?) and then adds it. Two fields
   * rather than one object made per write.
   */
  private lastParams: readonly DeviceKeyParam[] | undefined;
  private lastMatch: MatchKey = [];

  private matchOf(params: readonly DeviceKeyParam[]): MatchKey {
    if (this.lastParams === params) return this.lastMatch;
    // Plain loops rather than map() with a callback on the write path: they also run fast before
    // the JIT has optimised them (the first thousands of writes).
    const match: MatchFieldValue[] = new Array(params.length);
    for (let i = 0; i < params.length; i++) match[i] = engineField(params[i]);
    this.lastParams = params;
    this.lastMatch = match;
    return match;
  }

  private specOf(action: DeviceTableAction): EntryActionSpec {
    if (action.type === 'member') return { type: 'member', memberId: action.handle };
    if (action.type === 'group') return { type: 'group', groupId: action.handle };
    const args = action.call.args;
    const params: Value[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) params[i] = toValue(args[i]);
    return { type: 'action', name: action.call.action, params };
  }

  private actionOf(action: EntryAction): DeviceTableAction {
    if (action.type === 'member') return { type: 'member', handle: action.memberId };
    if (action.type === 'group') return { type: 'group', handle: action.groupId };
    const a = action.binding.action;
    const values = action.binding.args;
    const args: Uint8Array[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) args[i] = valueToBytes(values[i], byteWidth(a.params[i].width));
    return { type: 'action', call: { action: a.name, args } };
  }

  private entryOf(table: string, r: TableEntryRecord): DeviceTableEntry {
    return this.entryWithKey(this.tableInfo(table).key, r);
  }

  private entryWithKey(key: DeviceTableInfo['key'], r: TableEntryRecord): DeviceTableEntry {
    return {
      handle: r.handle,
      key: keyParams(key, r.match),
      priority: r.priority,
      action: this.actionOf(r.action),
    };
  }

  // ---------------------------------------------------------------- tables

  addEntry(
    table: string,
    key: readonly DeviceKeyParam[],
    priority: number,
    action: DeviceTableAction,
    ttlMs: number,
  ): number | undefined {
    try {
      // The frontend validated the key (buildMatchKey, PI's construct_match_key): the engine trusts it.
      return this.engine.addValidatedTableEntry(table, {
        match: this.matchOf(key),
        priority,
        action: this.specOf(action),
        idleTimeoutNs: ttlMs * 1e6,
      });
    } catch (error) {
      // The one refusal the caller handles itself (bmv2: MatchErrorCode::DUPLICATE_ENTRY).
      if (error instanceof EngineError && error.code === 'ALREADY_EXISTS') return undefined;
      throw error;
    }
  }

  get addedRevision(): number {
    return this.engine.addedRevision;
  }

  exactWriter(table: string): DeviceExactWriter | undefined {
    const t = this.engine.exactTable(table);
    return t === undefined ? undefined : new EngineExactWriter(t);
  }

  addClassifiedEntry(
    table: string,
    key: readonly DeviceKeyParam[],
    priority: number,
    call: DeviceActionCall,
  ): number | undefined {
    try {
      // Two values per key field, as the engine's classifier keeps them (an exact field's mask is
      // the table's to fill in).
      const pairs: Value[] = new Array(2 * key.length);
      for (let i = 0; i < key.length; i++) {
        const p = key[i];
        if (p.kind === 'exact') {
          pairs[2 * i] = toValue(p.value);
          pairs[2 * i + 1] = 0;
        } else if (p.kind === 'ternary') {
          pairs[2 * i] = toValue(p.value);
          pairs[2 * i + 1] = toValue(p.mask);
        } else if (p.kind === 'range') {
          pairs[2 * i] = toValue(p.low);
          pairs[2 * i + 1] = toValue(p.high);
        } else return this.addEntry(table, key, priority, { type: 'action', call }, 0);
      }
      const args = call.args;
      const params: Value[] = new Array(args.length);
      for (let i = 0; i < args.length; i++) params[i] = toValue(args[i]);
      return this.engine.addValidatedClassifiedEntry(table, pairs, priority, call.action, params);
    } catch (error) {
      if (error instanceof EngineError && error.code === 'ALREADY_EXISTS') return undefined;
      throw error;
    }
  }

  addClassifiedSpans(
    table: string,
    bytes: Uint8Array,
    spans: ByteSpans,
    keyAt: number,
    keyCount: number,
    ones: readonly Uint8Array[],
    priority: number,
    action: string,
    argAt: number,
    argCount: number,
  ): number | undefined {
    try {
      // As addClassifiedEntry: two values per key field (an exact field's mask is the table's).
      const pairs: Value[] = new Array(2 * keyCount);
      for (let i = 0, s = keyAt; i < keyCount; i++, s += 6) {
        const kind = spans[s + 1];
        pairs[2 * i] = spanValue(bytes, spans[s + 2], spans[s + 3]);
        pairs[2 * i + 1] =
          kind === SPAN_EXACT
            ? 0
            : kind === SPAN_OPTIONAL
              ? toValue(ones[i])
              : spanValue(bytes, spans[s + 4], spans[s + 5]);
      }
      const params: Value[] = new Array(argCount);
      for (let i = 0, s = argAt; i < argCount; i++, s += 3)
        params[i] = spanValue(bytes, spans[s + 1], spans[s + 2]);
      return this.engine.addValidatedClassifiedEntry(table, pairs, priority, action, params);
    } catch (error) {
      if (error instanceof EngineError && error.code === 'ALREADY_EXISTS') return undefined;
      throw error;
    }
  }

  /** For reads of one entry (PI's `fetch_one`, bmv2's `mt_get_entry_from_key`). */
  findEntry(table: string, key: readonly DeviceKeyParam[], priority: number): number | undefined {
    return this.engine.findValidatedTableEntry(table, this.matchOf(key), priority);
  }

  modifyEntry(table: string, handle: number, action: DeviceTableAction, ttlMs?: number): void {
    this.engine.modifyTableEntry(
      table,
      handle,
      this.specOf(action),
      ttlMs === undefined ? undefined : ttlMs * 1e6,
    );
  }

  deleteEntry(table: string, handle: number): void {
    this.engine.deleteTableEntry(table, handle);
  }

  getEntries(table: string): Iterable<DeviceTableEntry> {
    // The table's key looked up once, and one entry converted at a time as the reader takes it.
    const key = this.tableInfo(table).key;
    const records = this.engine.iterateTableEntries(table);
    const entryWithKey = (r: TableEntryRecord) => this.entryWithKey(key, r);
    return (function* () {
      for (const r of records) yield entryWithKey(r);
    })();
  }

  getEntry(table: string, handle: number): DeviceTableEntry {
    return this.entryOf(table, this.record(table, handle));
  }

  visitEntryRevisions(table: string, visit: (handle: number, revision: number) => void): void {
    this.engine.visitTableEntryRevisions(table, visit);
  }

  setDefaultAction(table: string, action: DeviceTableAction): void {
    this.engine.setDefaultEntry(table, this.specOf(action));
  }

  resetDefaultAction(table: string): void {
    this.engine.setDefaultEntry(table, undefined);
  }

  getDefaultAction(table: string): DeviceTableAction | undefined {
    const a = this.engine.getDefaultEntry(table);
    return a ? this.actionOf(a) : undefined;
  }

  getEntryIdleMs(table: string, handle: number): number {
    return this.engine.entryIdleMicros(table, handle) / 1000;
  }

  // ---------------------------------------------------------------- direct resources

  readDirectCounter(table: string, handle: number): DeviceCounterValue {
    const c = this.record(table, handle).counter;
    if (!c) throw new DeviceError('INVALID_ARGUMENT', `table '${table}' has no direct counter`);
    return { bytes: BigInt(c.bytes), packets: BigInt(c.packets) };
  }

  writeDirectCounter(table: string, handle: number, value: DeviceCounterValue): void {
    this.engine.writeDirectCounter(table, handle, {
      bytes: toNumberChecked(value.bytes, 'byte count'),
      packets: toNumberChecked(value.packets, 'packet count'),
    });
  }

  getDirectMeterRates(table: string, handle: number): DeviceMeterRates | undefined {
    return ratesFromEngine(this.record(table, handle).meterConfig);
  }

  setDirectMeterRates(table: string, handle: number, rates: DeviceMeterRates | undefined): void {
    this.engine.setDirectMeter(table, handle, ratesToEngine(rates));
  }

  // ---------------------------------------------------------------- indexed externs

  readCounter(counter: string, index: number): DeviceCounterValue {
    const v = this.engine.readCounter(counter, index);
    return { bytes: BigInt(v.bytes), packets: BigInt(v.packets) };
  }

  writeCounter(counter: string, index: number, value: DeviceCounterValue): void {
    this.engine.writeCounter(counter, index, {
      bytes: toNumberChecked(value.bytes, 'byte count'),
      packets: toNumberChecked(value.packets, 'packet count'),
    });
  }

  getMeterRates(meter: string, index: number): DeviceMeterRates | undefined {
    return ratesFromEngine(this.engine.getMeter(meter, index));
  }

  setMeterRates(meter: string, index: number, rates: DeviceMeterRates | undefined): void {
    this.engine.setMeter(meter, index, ratesToEngine(rates));
  }

  readRegister(register: string, index: number): bigint {
    return this.engine.readRegister(register, index);
  }

  writeRegister(register: string, index: number, value: bigint): void {
    this.engine.writeRegister(register, index, value);
  }

  // ---------------------------------------------------------------- action profiles

  private allocate(counters: Map<string, number>, profile: string): number {
    const id = counters.get(profile) ?? 1;
    counters.set(profile, id + 1);
    return id;
  }

  addMember(profile: string, call: DeviceActionCall): number {
    const id = this.allocate(this.nextMemberId, profile);
    this.engine.addMember(profile, id, { name: call.action, params: call.args.map(toBigInt) });
    return id;
  }

  modifyMember(profile: string, member: number, call: DeviceActionCall): void {
    this.engine.modifyMember(profile, member, { name: call.action, params: call.args.map(toBigInt) });
  }

  deleteMember(profile: string, member: number): void {
    this.engine.deleteMember(profile, member);
  }

  private groups(profile: string): Map<number, number[]> {
    let g = this.groupMembers.get(profile);
    if (!g) {
      g = new Map();
      this.groupMembers.set(profile, g);
    }
    return g;
  }

  addGroup(profile: string): number {
    const id = this.allocate(this.nextGroupId, profile);
    this.engine.addGroup(profile, id, [], 0);
    this.groups(profile).set(id, []);
    return id;
  }

  deleteGroup(profile: string, group: number): void {
    this.engine.deleteGroup(profile, group);
    this.groups(profile).delete(group);
  }

  addMemberToGroup(profile: string, group: number, member: number): void {
    const members = this.groups(profile).get(group);
    if (!members)
      throw new DeviceError('NOT_FOUND', `group ${group} not found in action profile '${profile}'`);
    if (members.includes(member))
      throw new DeviceError('ALREADY_EXISTS', `member ${member} is already in group ${group}`);
    const next = [...members, member];
    this.engine.modifyGroup(
      profile,
      group,
      next.map((memberId) => ({ memberId, weight: 1 })),
    );
    this.groups(profile).set(group, next);
  }

  removeMemberFromGroup(profile: string, group: number, member: number): void {
    const members = this.groups(profile).get(group);
    if (!members?.includes(member))
      throw new DeviceError('NOT_FOUND', `member ${member} is not in group ${group}`);
    const next = members.filter((m) => m !== member);
    this.engine.modifyGroup(
      profile,
      group,
      next.map((memberId) => ({ memberId, weight: 1 })),
    );
    this.groups(profile).set(group, next);
  }

  // ---------------------------------------------------------------- PRE and value sets

  setMulticastGroup(group: number, replicas: readonly DeviceReplica[]): void {
    // One look-up: reading every group to find this one made writing N groups O(N^2).
    if (this.engine.hasMulticastGroup(group)) this.engine.modifyMulticastGroup(group, replicas);
    else this.engine.insertMulticastGroup(group, replicas);
  }

  deleteMulticastGroup(group: number): void {
    this.engine.deleteMulticastGroup(group);
  }

  setCloneSession(session: number, replicas: readonly DeviceReplica[]): void {
    if (this.engine.hasCloneSession(session)) this.engine.modifyCloneSession(session, { replicas });
    else this.engine.insertCloneSession(session, { replicas });
  }

  deleteCloneSession(session: number): void {
    this.engine.deleteCloneSession(session);
  }

  setValueSet(valueSet: string, members: readonly Uint8Array[]): void {
    const info = this.engine.valueSetInfo(valueSet);
    const widths =
      info.fieldWidths.length > 0 ? info.fieldWidths : [this.info.valueSets.get(valueSet)?.bitwidth ?? 0];
    this.engine.setValueSet(
      valueSet,
      members.map((packed) => {
        let v = bytesToBigInt(packed);
        const fields: bigint[] = new Array(widths.length);
        for (let i = widths.length - 1; i >= 0; i--) {
          fields[i] = v & ((1n << BigInt(widths[i])) - 1n);
          v >>= BigInt(widths[i]);
        }
        return fields;
      }),
    );
  }
}

/**
 * Big-endian bytes to a bigint, six bytes at a time (exact in a double): one BigInt per 48 bits
 * instead of one per byte, on every key field and action parameter written.
 */
function toBigInt(bytes: Uint8Array): bigint {
  const n = bytes.length;
  const head = n % 6 || Math.min(n, 6);
  let chunk = 0;
  for (let i = 0; i < head; i++) chunk = chunk * 256 + bytes[i];
  let v = BigInt(chunk);
  for (let at = head; at < n; at += 6) {
    chunk = 0;
    for (let i = at; i < at + 6; i++) chunk = chunk * 256 + bytes[i];
    v = (v << 48n) | BigInt(chunk);
  }
  return v;
}

/**
 * The big-endian value of `bytes` from `start` to `end`, read in place, as a number: exact for
 * values of up to 53 significant bits (leading zero bytes add nothing), which a validated value of
 * a field or parameter the engine keeps as a number is.
 */
function spanNumber(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + bytes[i];
  return v;
}

/** {@link toBigInt} of `bytes` from `start` to `end`, read in place. */
function spanBigInt(bytes: Uint8Array, start: number, end: number): bigint {
  const head = (end - start) % 6 || Math.min(end - start, 6);
  let v = BigInt(spanNumber(bytes, start, start + head));
  for (let at = start + head; at < end; at += 6) v = (v << 48n) | BigInt(spanNumber(bytes, at, at + 6));
  return v;
}

/** {@link toValue} of `bytes` from `start` to `end`, read in place. */
function spanValue(bytes: Uint8Array, start: number, end: number): Value {
  // As toValue: every byte looked at, so the loop's step runs on every call.
  let i = end;
  for (let j = end - 1; j >= start; j--) if (bytes[j] !== 0) i = j;
  if (end - i > 6) return toBigInt(bytes.subarray(i, end));
  let v = 0;
  for (; i < end; i++) v = v * 256 + bytes[i];
  return v;
}

/**
 * A big-endian value as a number when it has at most 48 significant bits (exact for a double, and
 * the widths of almost every key and parameter: ports, VNIs, IPv4 and MAC addresses), else a bigint:
 * the engine checks and stores numbers without making a bigint first.
 */
function toValue(bytes: Uint8Array): Value {
  const n = bytes.length;
  // Every byte looked at, from the last (not up to the first non-zero one): the loop's step runs
  // on every call, so its optimized code is not thrown away when a leading zero byte first comes.
  let i = n;
  for (let j = n - 1; j >= 0; j--) if (bytes[j] !== 0) i = j;
  if (n - i > 6) return toBigInt(bytes);
  let v = 0;
  for (; i < n; i++) v = v * 256 + bytes[i];
  return v;
}

function engineField(p: DeviceKeyParam): MatchFieldValue {
  switch (p.kind) {
    case 'exact':
      return { kind: 'exact', value: toValue(p.value) };
    case 'lpm':
      return { kind: 'lpm', value: toBigInt(p.value), prefixLength: p.prefixLength };
    case 'ternary':
      return { kind: 'ternary', value: toBigInt(p.value), mask: toBigInt(p.mask) };
    case 'range':
      return { kind: 'range', low: toBigInt(p.low), high: toBigInt(p.high) };
    case 'valid':
      return { kind: 'valid', value: p.valid };
  }
}

/** Device form of an engine key. */
function keyParams(key: DeviceTableInfo['key'], match: MatchKey): DeviceKeyParam[] {
  const out: DeviceKeyParam[] = new Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = deviceParam(key[i].kind, key[i].bitwidth, match[i]);
  return out;
}

/** Device form of an engine key field; engine "don't care" (undefined) becomes explicit. */
function deviceParam(
  kind: DeviceMatchKind,
  bitwidth: number,
  m: MatchFieldValue | undefined,
): DeviceKeyParam {
  const n = byteWidth(bitwidth);
  if (m?.kind === 'exact') return { kind: 'exact', value: valueToBytes(m.value, n) };
  const bytes = (v: bigint): Uint8Array => bigIntToBytes(v, n);
  if (!m) {
    if (kind === 'lpm') return { kind: 'lpm', value: new Uint8Array(n), prefixLength: 0 };
    if (kind === 'range') return { kind: 'range', low: new Uint8Array(n), high: rangeDefaultHigh(bitwidth) };
    return { kind: 'ternary', value: new Uint8Array(n), mask: new Uint8Array(n) };
  }
  switch (m.kind) {
    case 'lpm':
      return { kind: 'lpm', value: bytes(m.value), prefixLength: m.prefixLength };
    case 'ternary':
      return { kind: 'ternary', value: bytes(m.value), mask: bytes(m.mask) };
    case 'optional':
      return { kind: 'ternary', value: bytes(m.value), mask: rangeDefaultHigh(bitwidth) };
    case 'range':
      return { kind: 'range', low: bytes(m.low), high: bytes(m.high) };
    case 'valid':
      return { kind: 'valid', valid: m.value };
  }
}

function ratesToEngine(
  rates: DeviceMeterRates | undefined,
): { cir: number; cburst: number; pir: number; pburst: number } | undefined {
  if (!rates) return undefined;
  return {
    cir: Number(rates.cir),
    cburst: Number(rates.cburst),
    pir: Number(rates.pir),
    pburst: Number(rates.pburst),
  };
}

function ratesFromEngine(
  config: { cir: number; cburst: number; pir: number; pburst: number } | undefined,
): DeviceMeterRates | undefined {
  if (!config) return undefined;
  // Values beyond 2^63 / 2^32 can only come from PI's "-1" (unlimited) and read back as such.
  const rate = (v: number): bigint => (v >= 2 ** 63 ? UINT64_MAX : BigInt(Math.round(v)));
  const burst = (v: number): bigint => (v >= 2 ** 32 - 1 ? UINT32_MAX : BigInt(Math.round(v)));
  return {
    cir: rate(config.cir),
    cburst: burst(config.cburst),
    pir: rate(config.pir),
    pburst: burst(config.pburst),
  };
}

/** The embedded engine as a {@link Device}. */
export class EngineDevice implements Device {
  private active: EngineControl | undefined;
  private current: EngineControl | undefined;
  private staged = false;
  private listener: DeviceListener | undefined;
  private readonly start = performance.now();
  private readonly clockUs = (): number => Math.floor((performance.now() - this.start) * 1000);

  constructor(private readonly options: EngineDeviceOptions = {}) {}

  parseConfig(config: Uint8Array): DeviceConfig {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(config);
    const program = loadV1Model(text);
    // Building an engine checks what simple_switch needs (parser, deparser, ingress, egress).
    const engine = new SimpleSwitchEngine(program, { clock: this.clockUs });
    const engineConfig: EngineConfig = { info: describe(program, engine), program };
    return engineConfig;
  }

  install(config: DeviceConfig, activate: boolean): void {
    const { program, info } = config as EngineConfig;
    if (!program) throw new DeviceError('INVALID_ARGUMENT', 'config was not parsed by this device');
    const engine = new SimpleSwitchEngine(program, {
      clock: this.clockUs,
      seed: this.options.seed,
      trace: this.options.trace,
    });
    this.current = new EngineControl(engine, info);
    if (activate) {
      this.active = this.current;
      this.staged = false;
    } else {
      this.staged = true;
    }
  }

  scratchControl(config: DeviceConfig): DeviceControl {
    const { program, info } = config as EngineConfig;
    if (!program) throw new DeviceError('INVALID_ARGUMENT', 'config was not parsed by this device');
    return new EngineControl(new SimpleSwitchEngine(program, { clock: this.clockUs }), info);
  }

  activate(): boolean {
    if (!this.staged) return false;
    this.active = this.current;
    this.staged = false;
    return true;
  }

  get hasStagedConfig(): boolean {
    return this.staged;
  }

  get control(): DeviceControl | undefined {
    return this.current;
  }

  /** The engine processing packets (for tests and tools). */
  get engine(): SimpleSwitchEngine | undefined {
    return this.active?.engine;
  }

  setListener(listener: DeviceListener): void {
    this.listener = listener;
  }

  inject(port: number, frame: Uint8Array, packetId: number): void {
    const engine = this.active?.engine;
    if (!engine) return;
    let result: ReturnType<SimpleSwitchEngine['processPacket']>;
    try {
      result = engine.processPacket(port, frame);
    } catch (error) {
      this.options.onPacketError?.(port, error instanceof Error ? error.message : String(error));
      return;
    }
    if (result.error) this.options.onPacketError?.(port, result.error);
    const listener = this.listener;
    if (!listener) return;
    for (const out of result.outputs) listener.transmit(out.port, out.bytes, packetId);
    for (const out of result.packetIns) listener.transmit(out.port, out.bytes, packetId);
    for (const d of result.digests) listener.learn(d.listName, packDigest(engine, d.listName, d.values));
  }
}

/** Packs digest field values like bmv2's learn engine: each field on ceil(width/8) bytes. */
function packDigest(engine: SimpleSwitchEngine, listName: string, values: readonly bigint[]): Uint8Array {
  const list = [...engine.program.learnLists.values()].find((l) => l.name === listName);
  const widths = list ? list.fields.map((f) => f.field.width) : values.map(() => 64);
  const parts = values.map((v, i) => bigIntToBytes(v, byteWidth(widths[i])));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
