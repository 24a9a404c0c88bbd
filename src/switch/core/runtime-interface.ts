/**
 * The control-plane interface of one engine instance, as bmv2's `RuntimeInterface` (bm_sim) is: table
 * entries addressed by handle (add returns one, modify and delete take it), action profile members
 * and groups, counters, meters, registers and parser value sets. Architecture-neutral: an
 * architecture's switch (v1model's `SimpleSwitchEngine`) extends it with its packet path and its own
 * control plane (the PRE), as simple_switch's `SimpleSwitch` extends bm_sim's `Switch`.
 * Every refusal is an {@link EngineError} whose code says why in gRPC terms.
 */
import { maskBig, type Value } from './bits.js';
import { instantiateAlgorithm } from './calculation.js';
import { EngineError, invalidArgument, notFound } from './errors.js';
import {
  type ActionBinding,
  ActionProfileState,
  type GroupMemberSpec,
  type GroupRecord,
} from './profiles.js';
import type { Program } from './program.js';
import { Rng } from './rng.js';
import type { Runtime } from './runtime.js';
import {
  CounterArrayState,
  type CounterValue,
  MeterArrayState,
  type MeterConfig,
  RegisterArrayState,
} from './stateful.js';
import {
  type CounterData,
  type EntryAction,
  type EntryActionSpec,
  type ExactTable,
  type MatchKey,
  type MatchKind,
  type TableEntryRecord,
  TableState,
} from './tables.js';
import { ValueSetState } from './value-sets.js';

export interface KeyFieldInfo {
  readonly name: string;
  readonly matchKind: MatchKind;
  readonly width: number;
}

export interface ActionInfo {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly width: number }[];
}

export interface TableInfo {
  readonly name: string;
  readonly matchType: 'exact' | 'lpm' | 'ternary' | 'range';
  readonly implementation: 'direct' | 'profile' | 'selector';
  readonly actionProfile: string | undefined;
  readonly maxSize: number;
  readonly isConst: boolean;
  readonly needsPriority: boolean;
  readonly supportsTimeout: boolean;
  readonly keys: readonly KeyFieldInfo[];
  readonly actions: readonly ActionInfo[];
  readonly directCounter: boolean;
  readonly directMeter: { readonly name: string; readonly unit: 'packets' | 'bytes' } | undefined;
  readonly defaultAction:
    | { readonly name: string; readonly actionConst: boolean; readonly entryConst: boolean }
    | undefined;
}

export interface TableEntryInput {
  readonly match: MatchKey;
  /** P4Runtime priority (larger wins); required (> 0) for ternary/range tables, omitted/0 otherwise. */
  readonly priority?: number;
  readonly action: EntryActionSpec;
  readonly idleTimeoutNs?: number;
}

export interface RuntimeOptions {
  /** The architecture's drop port (the output port value meaning "drop"), which compiled primitives read. */
  readonly dropPort: number;
  /** Current time in microseconds since the switch started. Default: real time since construction. */
  readonly clock?: () => number;
  /** Seed of the generator behind `random()` (modify_field_rng_uniform). Default 0. */
  readonly seed?: number | bigint;
}

export class RuntimeInterface {
  readonly program: Program;
  protected readonly rt: Runtime;
  private readonly seed: number | bigint;

  constructor(program: Program, options: RuntimeOptions) {
    this.program = program;
    this.seed = options.seed ?? 0;
    let clock = options.clock;
    if (!clock) {
      const start = performance.now();
      clock = () => Math.floor((performance.now() - start) * 1000);
    }
    const now = clock;
    const profiles = program.profiles.map((p) => new ActionProfileState(p));
    this.rt = {
      tables: program.tables.map(
        (t) => new TableState(t, t.profile === undefined ? undefined : profiles[t.profile], now),
      ),
      profiles,
      counters: program.counters.filter((c) => !c.direct).map((c) => new CounterArrayState(c.size)),
      meters: program.meters.map((m) => new MeterArrayState(m.size, m.rateCount, m.unit, 0)),
      registers: program.registers.map((r) => new RegisterArrayState(r.size, r.width)),
      valueSets: program.valueSets.map((v) => new ValueSetState(v)),
      hashes: program.calculations.map((c) => instantiateAlgorithm(c.algorithm)),
      rng: new Rng(this.seed),
      now,
      dropPort: options.dropPort,
    };
  }

  // =================================================================================================
  // Control plane: tables

  /** Tables by name (every control-plane call names one). */
  private tablesByName: Map<string, TableState> | undefined;

  private table(name: string): TableState {
    if (!this.tablesByName) this.tablesByName = new Map(this.rt.tables.map((t) => [t.def.name, t]));
    const t = this.tablesByName.get(name);
    if (!t) throw notFound(`unknown table '${name}'`);
    return t;
  }

  tableNames(): string[] {
    return this.rt.tables.map((t) => t.def.name);
  }

  tableInfo(name: string): TableInfo {
    const t = this.table(name);
    const d = t.def;
    return {
      name: d.name,
      matchType: d.matchType,
      implementation: d.implementation,
      actionProfile: d.profile === undefined ? undefined : this.program.profiles[d.profile].name,
      maxSize: d.maxSize,
      isConst: t.isConst,
      needsPriority: t.needsPriority,
      supportsTimeout: d.supportTimeout,
      keys: d.keys.map((k) => ({ name: k.name, matchKind: k.matchKind, width: k.width })),
      actions: d.actions.map((a) => ({ name: a.name, params: a.params })),
      directCounter: d.withCounters,
      directMeter: d.directMeter ? { name: d.directMeter.name, unit: d.directMeter.unit } : undefined,
      defaultAction: d.initialDefault
        ? {
            name: d.initialDefault.action.name,
            actionConst: d.initialDefault.actionConst,
            entryConst: d.initialDefault.entryConst,
          }
        : undefined,
    };
  }

  /**
   * Inserts an entry and returns its handle, by which every later call names it (bmv2's
   * `mt_add_entry`). Errors: INVALID_ARGUMENT, ALREADY_EXISTS, RESOURCE_EXHAUSTED, PERMISSION_DENIED,
   * NOT_FOUND.
   */
  addTableEntry(table: string, entry: TableEntryInput): number {
    const t = this.table(table);
    const handle = t.addEntry(entry.match, entry.priority ?? 0, entry.action, entry.idleTimeoutNs ?? 0);
    this.addedRevision = t.addedRevision;
    return handle;
  }

  /**
   * The revision of the entry the last successful add of this interface made ({@link addTableEntry},
   * {@link addValidatedTableEntry}, {@link addValidatedClassifiedEntry}; see
   * {@link visitTableEntryRevisions}): a caller that keeps what it derives from the new entry reads
   * it here rather than looking the entry up again. An {@link exactTable}'s adds leave theirs in
   * its own `addedRevision`.
   */
  addedRevision = 0;

  /**
   * {@link addTableEntry} for a key its caller has validated already: the P4Runtime frontend checks
   * every key against the P4Info (PI's `construct_match_key`) and bmv2's runtime then trusts it, so
   * the engine does not check it again. The action, priority and idle timeout are still checked.
   */
  addValidatedTableEntry(table: string, entry: TableEntryInput): number {
    const t = this.table(table);
    const handle = t.addEntry(entry.match, entry.priority ?? 0, entry.action, entry.idleTimeoutNs ?? 0, true);
    this.addedRevision = t.addedRevision;
    return handle;
  }

  /**
   * The table `table` itself, for a writer of many entries into it (the P4Runtime server's common
   * INSERT): {@link ExactTable.addExactValues} adds a validated exact entry with a direct action
   * without naming the table or the action per entry. Undefined unless every key field of the table
   * is exact and its actions are direct. Errors: NOT_FOUND.
   */
  exactTable(table: string): ExactTable | undefined {
    const t = this.table(table);
    return t.exactDirect ? t : undefined;
  }

  /**
   * {@link addValidatedTableEntry} of an entry of a ternary/range table of exact, ternary and range
   * fields (`pairs`: two values per key field, see TableState `addClassifiedEntry`; the array becomes
   * the entry's), with the direct action `action` with `params` and no idle timeout.
   */
  addValidatedClassifiedEntry(
    table: string,
    pairs: Value[],
    priority: number,
    action: string,
    params: readonly Value[],
  ): number {
    const t = this.table(table);
    const handle = t.addClassifiedEntry(pairs, priority, action, params);
    this.addedRevision = t.addedRevision;
    return handle;
  }

  /**
   * Changes the action of an entry (bmv2's `mt_modify_entry`); `idleTimeoutNs`, when given, also sets
   * its TTL. Errors: NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED.
   */
  modifyTableEntry(table: string, handle: number, action: EntryActionSpec, idleTimeoutNs?: number): void {
    this.table(table).modifyEntry(handle, action, idleTimeoutNs);
  }

  /** Deletes an entry (bmv2's `mt_delete_entry`). Errors: NOT_FOUND, PERMISSION_DENIED. */
  deleteTableEntry(table: string, handle: number): void {
    this.table(table).deleteEntry(handle);
  }

  /** The entry with this handle. Errors: NOT_FOUND. */
  getTableEntry(table: string, handle: number): TableEntryRecord {
    return this.table(table).getEntry(handle);
  }

  /**
   * Handle of the entry with this key (and priority), or undefined (bmv2's `mt_get_entry_from_key`,
   * which PI uses to read one entry). Errors: INVALID_ARGUMENT.
   */
  findTableEntry(table: string, match: MatchKey, priority = 0): number | undefined {
    return this.table(table).findHandle(match, priority);
  }

  /** {@link findTableEntry} for a key its caller has validated (see {@link addValidatedTableEntry}). */
  findValidatedTableEntry(table: string, match: MatchKey, priority = 0): number | undefined {
    return this.table(table).findHandle(match, priority, true);
  }

  /** Microseconds since an entry was last hit (or added, or had its TTL set). */
  entryIdleMicros(table: string, handle: number): number {
    return this.table(table).idleMicros(handle);
  }

  writeDirectCounter(table: string, handle: number, value: CounterData): void {
    this.table(table).setEntryCounter(handle, value);
  }

  setDirectMeter(table: string, handle: number, config: MeterConfig | undefined): void {
    this.table(table).setEntryMeter(handle, config);
  }

  readTableEntries(table: string): TableEntryRecord[] {
    return this.table(table).readEntries();
  }

  /** {@link readTableEntries} as it is iterated (the table is looked up now: errors come here). */
  iterateTableEntries(table: string): Iterable<TableEntryRecord> {
    return this.table(table).entries();
  }

  /**
   * Handle and revision of every entry of a table, in the order of {@link iterateTableEntries}; a
   * revision changes whenever the key or action under its handle does (insert, modify).
   */
  visitTableEntryRevisions(table: string, visit: (handle: number, revision: number) => void): void {
    this.table(table).visitRevisions(visit);
  }

  /** Sets the default entry, or resets it to the program's initial default when `action` is undefined. */
  setDefaultEntry(table: string, action: EntryActionSpec | undefined): void {
    this.table(table).setDefault(action);
  }

  getDefaultEntry(table: string): EntryAction | undefined {
    return this.table(table).getDefault();
  }

  // =================================================================================================
  // Control plane: action profiles

  private profile(name: string): ActionProfileState {
    const p = this.rt.profiles.find((x) => x.def.name === name);
    if (!p) throw notFound(`unknown action profile '${name}'`);
    return p;
  }

  private bindForProfile(p: ActionProfileState, name: string, params: readonly bigint[]): ActionBinding {
    const candidates = p.def.actions.get(name);
    if (!candidates || candidates.length === 0)
      throw invalidArgument(`action '${name}' cannot be used in action profile '${p.def.name}'`);
    const table = this.rt.tables.find(
      (t) => t.def.profile === p.def.index && t.def.actions.includes(candidates[0]),
    );
    if (!table) throw invalidArgument(`action '${name}' cannot be used in action profile '${p.def.name}'`);
    return table.bindAction(name, params);
  }

  addMember(
    profile: string,
    memberId: number,
    action: { readonly name: string; readonly params: readonly bigint[] },
  ): void {
    const p = this.profile(profile);
    checkId('member', memberId);
    p.addMember(memberId, this.bindForProfile(p, action.name, action.params));
  }

  modifyMember(
    profile: string,
    memberId: number,
    action: { readonly name: string; readonly params: readonly bigint[] },
  ): void {
    const p = this.profile(profile);
    p.modifyMember(memberId, this.bindForProfile(p, action.name, action.params));
  }

  deleteMember(profile: string, memberId: number): void {
    this.profile(profile).deleteMember(memberId);
  }

  readMembers(profile: string): { memberId: number; action: string; params: bigint[] }[] {
    return this.profile(profile)
      .readMembers()
      .map((m) => ({
        memberId: m.memberId,
        action: m.binding.action.name,
        params: m.binding.args.map((v) => BigInt(v)),
      }));
  }

  addGroup(profile: string, groupId: number, members: readonly GroupMemberSpec[], maxSize = 0): void {
    checkId('group', groupId);
    this.profile(profile).addGroup(groupId, members, maxSize);
  }

  modifyGroup(profile: string, groupId: number, members: readonly GroupMemberSpec[], maxSize?: number): void {
    this.profile(profile).modifyGroup(groupId, members, maxSize);
  }

  deleteGroup(profile: string, groupId: number): void {
    this.profile(profile).deleteGroup(groupId);
  }

  readGroups(profile: string): GroupRecord[] {
    return this.profile(profile).readGroups();
  }

  // =================================================================================================
  // Control plane: counters, meters, registers, value sets

  private counterIndex(name: string, index: number): { state: CounterArrayState } {
    const def = this.program.counters.find((c) => c.name === name);
    if (!def) throw notFound(`unknown counter '${name}'`);
    if (def.direct)
      throw invalidArgument(`counter '${name}' is a direct counter; access it through its table entries`);
    const state = this.rt.counters[def.index];
    checkIndex(`counter '${name}'`, index, state.size);
    return { state };
  }

  readCounter(name: string, index: number): CounterValue {
    const { state } = this.counterIndex(name, index);
    return { packets: state.packets[index], bytes: state.bytes[index] };
  }

  writeCounter(name: string, index: number, value: CounterValue): void {
    const { state } = this.counterIndex(name, index);
    for (const [k, v] of Object.entries(value)) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw invalidArgument(`counter ${k} must be a non-negative integer, got ${v}`);
    }
    state.packets[index] = value.packets;
    state.bytes[index] = value.bytes;
  }

  private meterCell(name: string, index: number) {
    const def = this.program.meters.find((m) => m.name === name);
    if (!def) throw notFound(`unknown meter '${name}'`);
    if (def.direct)
      throw invalidArgument(`meter '${name}' is a direct meter; configure it through its table entries`);
    const state = this.rt.meters[def.index];
    checkIndex(`meter '${name}'`, index, state.size);
    return state.cells[index];
  }

  setMeter(name: string, index: number, config: MeterConfig | undefined): void {
    const cell = this.meterCell(name, index);
    try {
      cell.setConfig(config);
    } catch (e) {
      throw invalidArgument(`meter '${name}'[${index}]: ${(e as Error).message}`);
    }
  }

  getMeter(name: string, index: number): MeterConfig | undefined {
    return this.meterCell(name, index).getConfig();
  }

  private registerState(name: string): RegisterArrayState {
    const def = this.program.registers.find((r) => r.name === name);
    if (!def) throw notFound(`unknown register '${name}'`);
    return this.rt.registers[def.index];
  }

  readRegister(name: string, index: number): bigint {
    const r = this.registerState(name);
    checkIndex(`register '${name}'`, index, r.size);
    return r.read(index);
  }

  writeRegister(name: string, index: number, value: bigint): void {
    const r = this.registerState(name);
    checkIndex(`register '${name}'`, index, r.size);
    if (value < 0n || value > maskBig(r.width))
      throw invalidArgument(`register '${name}' value ${value} does not fit in ${r.width} bits`);
    r.write(index, value);
  }

  resetRegister(name: string): void {
    this.registerState(name).reset();
  }

  private valueSet(name: string): ValueSetState {
    const v = this.rt.valueSets.find((x) => x.def.name === name);
    if (!v) throw notFound(`unknown value set '${name}'`);
    return v;
  }

  /** Replaces the members of a parser value set; each member lists one value per select-key field. */
  setValueSet(name: string, members: readonly (readonly bigint[])[]): void {
    this.valueSet(name).setMembers(members);
  }

  getValueSet(name: string): bigint[][] {
    return this.valueSet(name).getMembers();
  }

  valueSetInfo(name: string): { fieldWidths: readonly number[]; maxSize: number } {
    const v = this.valueSet(name);
    return { fieldWidths: v.def.fieldWidths, maxSize: v.def.maxSize };
  }

  /** Clears every table entry, member, group, counter, meter, register and value set. */
  reset(): void {
    for (const p of this.rt.profiles) p.clear();
    for (const t of this.rt.tables) t.reset();
    for (const c of this.rt.counters) c.reset();
    this.program.meters.forEach((m, i) => {
      (this.rt.meters as MeterArrayState[])[i] = new MeterArrayState(m.size, m.rateCount, m.unit, 0);
    });
    for (const r of this.rt.registers) r.reset();
    for (const v of this.rt.valueSets) v.clear();
    this.rt.rng.reseed(this.seed);
  }
}

function checkIndex(what: string, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0) throw invalidArgument(`${what}: invalid index ${index}`);
  if (index >= size)
    throw new EngineError('OUT_OF_RANGE', `${what}: index ${index} out of range (size ${size})`);
}

function checkId(what: string, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw invalidArgument(`invalid ${what} id ${id}`);
}
