/**
 * Match-action tables: entry management (with P4Runtime-style validation and error codes) and lookup with
 * bmv2's semantics.
 *
 * - Exact tables (only exact/valid keys) use `exact-index.ts`: a key of numbers is filed under a hash of its
 *   values, a key with a wider field in one hash map per key field, nested; LPM tables (one lpm key plus
 *   exact keys) use one map per prefix length, longest first; ternary and range tables use tuple-space
 *   search (`tuple-space.ts`): one hash map per distinct mask tuple, probed by priority with pruning.
 * - Priorities follow **P4Runtime**: a larger number wins. (bmv2 itself uses "smaller wins"; PI converts with
 *   bmv2_priority = INT32_MAX - p4runtime_priority, so the observable order is the same.) Among entries with
 *   equal priority the one inserted into the lowest free handle wins, like bmv2's ternary lookup.
 * - Const entries from the JSON have bmv2 priorities; they are exposed as INT32_MAX - json_priority.
 * - LPM prefix lengths count bits of the *byte-padded* field, as bmv2 and its PI layer do: for a field of
 *   width w in n bytes, a prefix length p constrains the top (p - (8n - w)) bits of the field. For
 *   byte-aligned fields this is the usual prefix.
 * - Key fields of invalid headers read as 0 (bmv2 MatchKeyBuilder); static key masks apply to the lookup key.
 * - Direct counters count hits only; direct meters run on hits only and write the color to their target.
 */
import type { ActionDef } from './actions.js';
import { bytesForBits, isNumWidth, maskBig, type Value } from './bits.js';
import { alreadyExists, EngineError, invalidArgument, notFound } from './errors.js';
import { ExactIndex, type ExactValue } from './exact-index.js';
import { HandleTable } from './handle-table.js';
import type { ActionBinding, ActionProfileState } from './profiles.js';
import type { PacketState } from './state.js';
import { MeterCell, type MeterConfig } from './stateful.js';
import { type ClassifierKey, type ClassifierValue, TupleSpaceClassifier } from './tuple-space.js';

export type MatchKind = 'exact' | 'lpm' | 'ternary' | 'range' | 'valid';

/** The bmv2 priority pivot used by PI: p4runtime = INT32_MAX - bmv2 (see module doc). */
export const BMV2_MAX_PRIORITY = 2147483647;

/**
 * A match field value as the control plane sees it (values are unsigned, at most `width` bits). An
 * exact value may also be a number (a safe integer): the P4Runtime server passes narrow values so,
 * sparing a bigint per value on the write path.
 */
export type MatchFieldValue =
  | { readonly kind: 'exact'; readonly value: Value }
  | { readonly kind: 'lpm'; readonly value: bigint; readonly prefixLength: number }
  | { readonly kind: 'ternary'; readonly value: bigint; readonly mask: bigint }
  | { readonly kind: 'optional'; readonly value: bigint }
  | { readonly kind: 'range'; readonly low: bigint; readonly high: bigint }
  | { readonly kind: 'valid'; readonly value: boolean };

/**
 * A table key as given by the control plane: one element per key field, in key order. `undefined` means
 * "don't care" and is allowed for lpm, ternary and range fields (P4Runtime omits such fields).
 */
export type MatchKey = readonly (MatchFieldValue | undefined)[];

type ExactMatch = Extract<MatchFieldValue, { kind: 'exact' }>;
type LpmMatch = Extract<MatchFieldValue, { kind: 'lpm' }>;
type RangeMatch = Extract<MatchFieldValue, { kind: 'range' }>;
type ValidMatch = Extract<MatchFieldValue, { kind: 'valid' }>;

/** What a table entry (or default entry) executes. */
export type EntryActionSpec =
  | { readonly type: 'action'; readonly name: string; readonly params: readonly Value[] }
  | { readonly type: 'member'; readonly memberId: number }
  | { readonly type: 'group'; readonly groupId: number };

export interface KeyFieldDef {
  /** Control-plane name of the key element (JSON `name`, else "header.field"). */
  readonly name: string;
  readonly matchKind: MatchKind;
  /** Field width in bits (1 for `valid` keys). */
  readonly width: number;
  /** Reads the (masked) key value from the packet: a number for widths <= 32, else a bigint. */
  readonly read: (s: PacketState) => number | bigint;
}

export interface DirectMeterBinding {
  readonly unit: 'packets' | 'bytes';
  readonly rateCount: number;
  readonly name: string;
  readonly store: (s: PacketState, color: number) => void;
}

export interface DefaultEntryDef {
  readonly action: ActionDef;
  readonly args: readonly Value[];
  /** The default action function cannot change (JSON action_const). */
  readonly actionConst: boolean;
  /** The default action and its data cannot change (JSON action_entry_const). */
  readonly entryConst: boolean;
}

export interface ConstEntryDef {
  readonly match: MatchKey;
  readonly priority: number;
  readonly action: ActionDef;
  readonly args: readonly Value[];
}

export interface TableDef {
  readonly name: string;
  readonly jsonId: number;
  readonly index: number;
  /** bmv2 table match type (decides lookup structure and whether priorities are used). */
  readonly matchType: 'exact' | 'lpm' | 'ternary' | 'range';
  readonly implementation: 'direct' | 'profile' | 'selector';
  /** Action profile index for indirect tables. */
  readonly profile: number | undefined;
  readonly maxSize: number;
  readonly withCounters: boolean;
  readonly supportTimeout: boolean;
  readonly directMeter: DirectMeterBinding | undefined;
  readonly keys: readonly KeyFieldDef[];
  readonly actions: readonly ActionDef[];
  /** Next control node (index, -1 = end of pipeline) per action JSON id. */
  readonly nextByAction: ReadonlyMap<number, number>;
  /** Set when the JSON uses __HIT__/__MISS__ next tables. */
  readonly hitMiss: { readonly hit: number; readonly miss: number } | undefined;
  /** Next node on a miss without a default action (JSON base_default_next). */
  readonly baseDefaultNext: number;
  readonly initialDefault: DefaultEntryDef | undefined;
  /** Entries from the JSON (the table is then immutable). */
  readonly constEntries: readonly ConstEntryDef[] | undefined;
  /** Selector hash of the table's action profile. */
  readonly selectorHash: ((s: PacketState) => bigint) | undefined;
}

/** The action part of a stored entry. */
export type EntryAction =
  | { readonly type: 'action'; readonly binding: ActionBinding }
  | { readonly type: 'member'; readonly memberId: number }
  | { readonly type: 'group'; readonly groupId: number };

export interface CounterData {
  packets: number;
  bytes: number;
}

/** A table entry as returned by reads. */
export interface TableEntryRecord {
  readonly handle: number;
  readonly match: MatchKey;
  readonly priority: number;
  readonly action: EntryAction;
  readonly isConst: boolean;
  readonly counter: CounterData | undefined;
  readonly meterConfig: MeterConfig | undefined;
  readonly idleTimeoutNs: number;
  /** Microseconds since the last hit (for idle timeout). */
  readonly lastHitUs: number;
}

interface Entry {
  readonly handle: number;
  /**
   * The key as written; undefined in exact tables, whose lookup key holds it (see `matchOf`), and in
   * ternary/range tables without an lpm field, whose classifier key does (see `classifierMatchOf`).
   */
  readonly match: MatchKey | undefined;
  /** The key as the ternary/range classifier matches it (empty for exact and LPM tables). */
  readonly key: ClassifierKey;
  readonly priority: number;
  /**
   * Exact tables: the key's values (the value itself for a one-field key; 0 where the key store
   * holds them, `TableState.keyStore`); LPM tables: the lookup key (string or single value).
   */
  readonly lookupKey: LookupKey;
  /** For LPM tables: effective prefix length of the lpm field. */
  readonly prefix: number;
  action: EntryAction;
  /** Changes whenever the key or action under this handle does ({@link nextRevision}). */
  revision: number;
  readonly isConst: boolean;
  /** Direct counter (tables with one only). */
  readonly counter: CounterData | undefined;
  readonly meter: MeterCell | undefined;
  idleTimeoutNs: number;
  lastHitUs: number;
}

type ActionEntryAction = Extract<EntryAction, { type: 'action' }>;

/** How many actions with data a table remembers for entries to share (see `actionWithData`). */
const RECENT_ACTIONS = 8;

/** Result of resolving an action for execution. */
interface Resolved {
  readonly binding: ActionBinding | undefined;
  readonly actionId: number;
}

const NO_KEY: ClassifierKey = [];

/** Widths whose every value is a safe integer (2^53 - 1 is Number.MAX_SAFE_INTEGER). */
const SAFE_BITS = 53;

type LookupKey = number | bigint | string | readonly ExactValue[];

/** A match key in the forms a table files it under ({@link TableState} `normalize`). */
interface NormalizedKey {
  /** The key as written, where it cannot be rebuilt (tables with an lpm field); else undefined. */
  canonical: MatchKey | undefined;
  /** The classifier's key (ternary/range tables); else {@link NO_KEY}. */
  key: ClassifierKey;
  /** The exact or lpm index's key (0 in ternary/range tables). */
  lookupKey: LookupKey;
  /** The lpm field's prefix length (lpm tables); else 0. */
  prefix: number;
}

/**
 * Revisions of entries, from one counter for every table of every engine in the process: a handle's
 * revision is then never the same for two different entries (or two actions of one), even across
 * deletes, resets and reloaded programs, so a reader may keep what it derived from an entry (the
 * P4Runtime server its encoded TableEntry) for as long as the revision stays.
 */
let lastRevision = 0;
const nextRevision = (): number => ++lastRevision;

/**
 * One exact table as a writer of many entries into it sees it (RuntimeInterface `exactTable`): the
 * table named once, its actions by index, the revision of each entry added without a lookup.
 */
export interface ExactTable {
  /** Per key field, in key order: its width in bits. */
  readonly keyWidths: readonly number[];
  /** Per key field, in key order: whether the table keeps its values as numbers (else bigints). */
  readonly keyAsNumber: readonly boolean[];
  /** Per action (by {@link actionIndex}), per parameter: its width in bits. */
  readonly argWidths: readonly (readonly number[])[];
  /** Per action (by {@link actionIndex}), per parameter: whether its values are numbers (else bigints). */
  readonly argsAsNumber: readonly (readonly boolean[])[];
  /** The revision of the entry the last successful add made. */
  readonly addedRevision: number;
  /** The index {@link addExactValues} takes for the action `name`; -1 when entries cannot name it. */
  actionIndex(name: string): number;
  addExactValues(values: readonly Value[], action: number, argCount: number): number;
}

export class TableState implements ExactTable {
  private readonly byHandle = new HandleTable<Entry>();
  private readonly exact: ExactIndex<Entry>;
  /** LPM: prefix length -> lookup key -> entry; `prefixes` sorted longest first. */
  private readonly lpmMaps = new Map<number, Map<number | bigint | string, Entry>>();
  private prefixes: number[] = [];
  private readonly actionsByName = new Map<string, ActionDef>();
  /** Ternary/range tables: tuple-space search over the entries' masks. */
  private readonly classifier: TupleSpaceClassifier<Entry>;
  private defaultEntry: EntryAction | undefined;
  private readonly lpmIndex: number;
  readonly needsPriority: boolean;
  /** Per key field, every bit of its width set, in the storage representation. */
  private readonly fullMasks: readonly ClassifierValue[];
  /**
   * Exact tables: per key field, whether its exact index holds numbers for values a packet reads as
   * bigints (widths 33..53, e.g. 48-bit MACs). A number key costs a map no bigint per insert and
   * hashes without one; a packet's value is converted once per lookup.
   */
  private readonly indexAsNumber: readonly boolean[];
  /**
   * Per key field, whether an exact table's index holds its values as numbers (widths up to 53
   * bits: {@link indexAsNumber}, or numbers anyway), as {@link addExactValues} takes them.
   */
  readonly keyAsNumber: readonly boolean[];
  /** Per action, per parameter: whether its values are numbers (widths up to 32 bits, `bits.ts`). */
  readonly argsAsNumber: readonly (readonly boolean[])[];
  readonly keyWidths: readonly number[];
  readonly argWidths: readonly (readonly number[])[];
  /** True when some field of {@link indexAsNumber} is set. */
  private readonly convertsLookup: boolean;
  /** Only exact key fields (no lpm, ternary, range or valid field): {@link addExactEntry} applies. */
  private readonly allExact: boolean;
  /** A ternary/range table of exact, ternary and range fields only: {@link addClassifiedEntry} applies. */
  private readonly classifiedOnly: boolean;
  /**
   * Exact tables whose multi-field key the index files by hash: the number of key fields (else 0),
   * and every entry's key values, `keyDepth` numbers at `handle * keyDepth` (one typed array, not
   * an array object per entry for the collector to copy and mark).
   */
  private readonly keyDepth: number;
  private keyStore: Float64Array;
  /** The key values of the write being made, in tables with a {@link keyStore}. */
  private readonly scratchKey: ExactValue[];
  private immutable = false;

  constructor(
    readonly def: TableDef,
    private readonly profile: ActionProfileState | undefined,
    private readonly now: () => number,
  ) {
    this.lpmIndex = def.keys.findIndex((k) => k.matchKind === 'lpm');
    this.needsPriority = def.matchType === 'ternary' || def.matchType === 'range';
    this.classifier = new TupleSpaceClassifier(
      def.keys.map((k) => k.width),
      def.keys.map((k) => k.matchKind === 'range'),
    );
    this.fullMasks = def.keys.map((k) => (isNumWidth(k.width) ? Number(maskBig(k.width)) : maskBig(k.width)));
    const exactTable = !this.needsPriority && this.lpmIndex < 0;
    this.indexAsNumber = def.keys.map(
      (k) => exactTable && k.matchKind !== 'valid' && !isNumWidth(k.width) && k.width <= SAFE_BITS,
    );
    // A key of numbers only (widths up to 53 bits) is filed under its hash, its values kept in the
    // key store; one with a wider field keeps nested maps, where its bigints hash natively.
    const hashed =
      exactTable &&
      def.keys.length > 1 &&
      def.keys.every((k) => k.matchKind === 'valid' || k.width <= SAFE_BITS);
    this.keyDepth = hashed ? def.keys.length : 0;
    this.keyStore = new Float64Array(hashed ? 64 * def.keys.length : 0);
    this.scratchKey = new Array(def.keys.length).fill(0);
    this.exact = new ExactIndex(
      def.keys.length,
      hashed ? (e: Entry, values: readonly ExactValue[]) => this.storedKeyIs(e.handle, values) : undefined,
    );
    this.convertsLookup = this.indexAsNumber.includes(true);
    this.keyAsNumber = def.keys.map((k, i) => this.indexAsNumber[i] || isNumWidth(k.width));
    this.argsAsNumber = def.actions.map((a) => a.params.map((p) => isNumWidth(p.width)));
    this.keyWidths = def.keys.map((k) => k.width);
    this.argWidths = def.actions.map((a) => a.params.map((p) => p.width));
    this.allExact = exactTable && def.keys.every((k) => k.matchKind === 'exact');
    this.classifiedOnly =
      this.needsPriority &&
      def.keys.every((k) => k.matchKind === 'exact' || k.matchKind === 'ternary' || k.matchKind === 'range');
    // The first action of a name wins, as the linear search it replaces did.
    for (const a of [...def.actions].reverse()) this.actionsByName.set(a.name, a);
    this.reset();
  }

  /** Restores the table to its state right after loading the JSON. */
  reset(): void {
    this.byHandle.clear();
    this.exact.clear();
    this.lpmMaps.clear();
    this.prefixes = [];
    this.classifier.clear();
    this.immutable = false;
    const init = this.def.initialDefault;
    this.defaultEntry = init
      ? { type: 'action', binding: { action: init.action, args: init.args } }
      : undefined;
    if (this.def.constEntries) {
      for (const ce of this.def.constEntries) {
        this.insert(
          ce.match,
          ce.priority,
          { type: 'action', binding: { action: ce.action, args: ce.args } },
          0,
          true,
          false,
        );
      }
      this.immutable = true;
    }
  }

  get isConst(): boolean {
    return this.immutable;
  }

  get size(): number {
    return this.byHandle.size;
  }

  // -- control plane ------------------------------------------------------------------------------

  /** Resolves and validates an action spec for this table (entries) or its default entry. */
  resolveAction(spec: EntryActionSpec): EntryAction {
    if (spec.type === 'action') return this.resolveDirect(spec.name, spec.params);
    if (!this.profile)
      throw invalidArgument(`table '${this.def.name}' has no action profile; entries must name an action`);
    if (spec.type === 'member') {
      if (!this.profile.hasMember(spec.memberId)) {
        throw notFound(`member ${spec.memberId} not found in action profile '${this.profile.def.name}'`);
      }
      return { type: 'member', memberId: spec.memberId };
    }
    if (this.def.implementation !== 'selector') {
      throw invalidArgument(
        `table '${this.def.name}' has an action profile without selector; groups are not allowed`,
      );
    }
    if (!this.profile.hasGroup(spec.groupId)) {
      throw notFound(`group ${spec.groupId} not found in action selector '${this.profile.def.name}'`);
    }
    return { type: 'group', groupId: spec.groupId };
  }

  /** {@link resolveAction} of a direct action. */
  private resolveDirect(name: string, params: readonly Value[]): EntryAction {
    if (this.def.implementation !== 'direct') {
      throw invalidArgument(
        `table '${this.def.name}' uses an action profile; entries must name a member or group`,
      );
    }
    if (params.length === 0) return this.actionWithoutData(name);
    const binding = this.bindAction(name, params);
    return this.actionWithData(binding.action, binding.args);
  }

  /**
   * An action without data, one record per action shared by every entry that runs it (a policy
   * table's allow and deny: three objects fewer to make and keep per entry). Records are never
   * changed: a modify replaces an entry's record.
   */
  private actionWithoutData(name: string): EntryAction {
    let action = this.withoutData.get(name);
    if (action === undefined) {
      action = { type: 'action', binding: this.bindAction(name, []) };
      this.withoutData.set(name, action);
    }
    return action;
  }

  private readonly withoutData = new Map<string, EntryAction>();

  /**
   * `action` with `args` (checked, in the storage representation), or an equal one made lately:
   * entries written in a row often call one action with the same data (a fabric's workloads behind
   * one remote VTEP), and an entry's action is replaced on MODIFY, never changed in place, so they
   * share it: an action object, its binding and its arguments fewer per such entry.
   */
  private actionWithData(action: ActionDef, args: readonly Value[]): EntryAction {
    return this.recentAction(action, args, 0, args.length) ?? this.keptAction(action, args);
  }

  /** The action made lately with `action` and the `count` arguments of `args` from `from`, if any. */
  private recentAction(
    action: ActionDef,
    args: readonly Value[],
    from: number,
    count: number,
  ): EntryAction | undefined {
    const recent = this.recentActions;
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i];
      if (r.binding.action !== action) continue;
      const rargs = r.binding.args;
      let same = true;
      for (let j = 0; j < count; j++) {
        if (rargs[j] !== args[from + j]) {
          same = false;
          break;
        }
      }
      if (same) return r;
    }
    return undefined;
  }

  /** A new action of `action` with `args` (the array becomes its), remembered for the next entries. */
  private keptAction(action: ActionDef, args: readonly Value[]): EntryAction {
    const recent = this.recentActions;
    const made: ActionEntryAction = { type: 'action', binding: { action, args } };
    if (recent.length < RECENT_ACTIONS) recent.push(made);
    else recent[this.recentNext] = made;
    this.recentNext = (this.recentNext + 1) % RECENT_ACTIONS;
    return made;
  }

  /** The last {@link RECENT_ACTIONS} actions with data made, as a ring. */
  private readonly recentActions: ActionEntryAction[] = [];
  private recentNext = 0;

  /** Looks up an action of this table by name and validates its parameters. */
  bindAction(name: string, params: readonly Value[]): ActionBinding {
    const action = this.actionsByName.get(name);
    if (!action) throw invalidArgument(`action '${name}' is not an action of table '${this.def.name}'`);
    return { action, args: checkParams(action, params) };
  }

  /**
   * Adds an entry (bmv2's `mt_add_entry`); `validated`: the key was checked by the caller (the
   * P4Runtime frontend, as PI's `construct_match_key`), so {@link validateKey} is not run again.
   */
  addEntry(
    match: MatchKey,
    priority: number,
    action: EntryActionSpec,
    idleTimeoutNs = 0,
    validated = false,
  ): number {
    this.checkMutable();
    this.checkPriority(priority);
    if (idleTimeoutNs !== 0 && !this.def.supportTimeout) {
      throw invalidArgument(`table '${this.def.name}' does not support idle timeout`);
    }
    const resolved = this.resolveAction(action);
    return this.insert(match, priority, resolved, idleTimeoutNs, false, validated);
  }

  /**
   * True when {@link addExactValues} applies: every key field exact, direct actions. Such a table
   * is what {@link RuntimeInterface.exactTable} hands to a writer.
   */
  get exactDirect(): boolean {
    return this.allExact && this.def.implementation === 'direct';
  }

  /**
   * The action entries name `name` by, for {@link addExactValues} (the first action of that name, as
   * {@link bindAction} takes); -1 when the table has none.
   */
  actionIndex(name: string): number {
    const action = this.actionsByName.get(name);
    return action === undefined ? -1 : this.def.actions.indexOf(action);
  }

  /**
   * The revision of the entry the last successful add of this table made (any add: {@link addEntry},
   * {@link addExactValues}, {@link addClassifiedEntry}): a caller that keeps what it derives from a
   * new entry (the P4Runtime server, its encoding) reads it here instead of looking the entry up again.
   */
  addedRevision = 0;

  /**
   * {@link addEntry} of an {@link exactDirect} table's entry with priority 0 and no idle timeout:
   * what a controller writes into most tables, as a writer of many entries gives it, with no key
   * or action object made for it. `values` holds the key's values in key order, then the first
   * `argCount` arguments of the action, the table's `action`-th ({@link actionIndex}). They are
   * validated by the caller (each fits its field's or parameter's width: the P4Runtime server
   * checks them against the P4Info's, as PI's `construct_match_key` and action data checks do) and
   * in the representation the table keeps ({@link keyAsNumber}, {@link argsAsNumber}); the table
   * reads the array and keeps none of it (it may be the caller's scratch). Returns the new entry's
   * handle (its revision in {@link addedRevision}), or -1, having changed nothing, when an entry
   * with this key exists (bmv2's DUPLICATE_ENTRY, which the caller handles itself: no error made
   * for it). Other refusals throw as addEntry's.
   */
  addExactValues(values: readonly Value[], action: number, argCount: number): number {
    this.checkMutable();
    const a = this.def.actions[action];
    if (argCount !== a.params.length) throw arityError(a, argCount);
    const n = this.def.keys.length;
    const resolved =
      argCount === 0
        ? this.actionWithoutData(a.name)
        : (this.recentAction(a, values, n, argCount) ?? this.keptAction(a, values.slice(n, n + argCount)));
    // A table with a key store copies the key's values there (hashKey and the store read the first
    // n); a one-field key is its value.
    const lookupKey = n === 1 ? values[0] : this.keyDepth > 0 ? values : values.slice(0, n);
    if (!this.exact.claim(lookupKey)) return -1;
    return this.file(undefined, NO_KEY, lookupKey, 0, 0, resolved, 0, false);
  }

  /**
   * {@link addEntry} of a validated key of a ternary/range table whose key fields are exact, ternary
   * and range only (no lpm or valid field), with the direct action `name` with `params` and no idle
   * timeout: the entries of ACL-like tables, with no key or action object made for them. `pairs`
   * holds two values per key field as the classifier keeps them (tuple-space.ts): value and mask,
   * or low and high bound; an exact field's second value is not read (its mask is full). The array
   * becomes the entry's key (converted in place to the storage representation), as
   * normalizeClassified would make it. Other tables take addEntry.
   */
  addClassifiedEntry(pairs: Value[], priority: number, name: string, params: readonly Value[]): number {
    const keys = this.def.keys;
    if (!this.classifiedOnly || pairs.length !== 2 * keys.length)
      return this.addEntry(this.pairsMatch(pairs), priority, { type: 'action', name, params }, 0, true);
    this.checkMutable();
    this.checkPriority(priority);
    const action = this.resolveDirect(name, params);
    const full = this.fullMasks;
    for (let i = 0; i < keys.length; i++) {
      const numeric = isNumWidth(keys[i].width);
      pairs[2 * i] = storageValue(pairs[2 * i], numeric);
      pairs[2 * i + 1] = keys[i].matchKind === 'exact' ? full[i] : storageValue(pairs[2 * i + 1], numeric);
    }
    return this.place(
      { canonical: undefined, key: pairs, lookupKey: 0, prefix: 0 },
      priority,
      action,
      0,
      false,
    );
  }

  /** The match key {@link addClassifiedEntry} was given as pairs, by this table's key kinds. */
  private pairsMatch(pairs: readonly Value[]): MatchKey {
    return this.def.keys.map((k, i): MatchFieldValue => {
      const a = pairs[2 * i] ?? 0;
      const b = pairs[2 * i + 1] ?? 0;
      if (k.matchKind === 'exact') return { kind: 'exact', value: a };
      if (k.matchKind === 'range') return { kind: 'range', low: BigInt(a), high: BigInt(b) };
      return { kind: 'ternary', value: BigInt(a), mask: BigInt(b) };
    });
  }

  private modify(e: Entry, action: EntryActionSpec, idleTimeoutNs: number | undefined): void {
    const resolved = this.resolveAction(action);
    if (idleTimeoutNs !== undefined && idleTimeoutNs !== 0 && !this.def.supportTimeout) {
      throw invalidArgument(`table '${this.def.name}' does not support idle timeout`);
    }
    this.refAction(resolved, 1);
    this.refAction(e.action, -1);
    e.action = resolved;
    e.revision = nextRevision();
    if (idleTimeoutNs !== undefined) {
      e.idleTimeoutNs = idleTimeoutNs;
      // Setting a TTL restarts the entry's idle clock, as bmv2 does (PI sets it on every MODIFY).
      e.lastHitUs = this.now();
    }
  }

  private checkMutable(): void {
    if (this.immutable)
      throw new EngineError(
        'PERMISSION_DENIED',
        `table '${this.def.name}' has const entries and cannot be modified`,
      );
  }

  private byHandleOrThrow(handle: number): Entry {
    const e = this.byHandle.get(handle);
    if (!e) throw notFound(`no entry with handle ${handle} in table '${this.def.name}'`);
    return e;
  }

  /** Changes the action of the entry with this handle; when `idleTimeoutNs` is given, also its TTL. */
  modifyEntry(handle: number, action: EntryActionSpec, idleTimeoutNs?: number): void {
    this.checkMutable();
    this.modify(this.byHandleOrThrow(handle), action, idleTimeoutNs);
  }

  deleteEntry(handle: number): void {
    this.checkMutable();
    this.remove(this.byHandleOrThrow(handle));
  }

  getEntry(handle: number): TableEntryRecord {
    return this.record(this.byHandleOrThrow(handle));
  }

  /**
   * Microseconds since the entry was last hit (or added, or had its idle timeout set), in tables that
   * support idle timeout; the others keep no clock per entry.
   */
  idleMicros(handle: number): number {
    return Math.max(0, this.now() - this.byHandleOrThrow(handle).lastHitUs);
  }

  /** Overwrites the direct counter of an entry. */
  setEntryCounter(handle: number, value: CounterData): void {
    if (!this.def.withCounters) throw invalidArgument(`table '${this.def.name}' has no direct counter`);
    checkCounter(value);
    const e = this.byHandleOrThrow(handle);
    e.counter!.packets = value.packets;
    e.counter!.bytes = value.bytes;
  }

  /** Configures the direct meter of an entry (undefined = unconfigured, i.e. always green). */
  setEntryMeter(handle: number, config: MeterConfig | undefined): void {
    if (!this.def.directMeter) throw invalidArgument(`table '${this.def.name}' has no direct meter`);
    const e = this.byHandleOrThrow(handle);
    try {
      e.meter!.setConfig(config);
    } catch (err) {
      throw invalidArgument(`direct meter of table '${this.def.name}': ${(err as Error).message}`);
    }
  }

  /**
   * Handle of the entry with this key (and priority, in ternary/range tables), undefined when there is
   * none (bmv2's `mt_get_entry_from_key`). Errors: INVALID_ARGUMENT for a malformed key (unless
   * `validated`: the caller checked it).
   */
  findHandle(match: MatchKey, priority: number, validated = false): number | undefined {
    this.checkPriority(priority);
    if (!validated) this.validateKey(match);
    return this.existing(this.normalize(match), priority)?.handle;
  }

  readEntries(): TableEntryRecord[] {
    return Array.from(this.byHandle.values(), (e) => this.record(e));
  }

  /**
   * {@link readEntries} one record at a time: a reader that converts each record and lets it go
   * keeps the collector's work on a 100,000-entry table to short-lived objects.
   */
  *entries(): Generator<TableEntryRecord, void, undefined> {
    for (const e of this.byHandle.values()) yield this.record(e);
  }

  /**
   * Handle and revision of every entry, in the order of {@link entries}, without building records:
   * a reader that kept what it derived from an entry checks it is still current.
   */
  visitRevisions(visit: (handle: number, revision: number) => void): void {
    this.byHandle.forEach((e) => {
      visit(e.handle, e.revision);
    });
  }

  /** Sets (or with `undefined`, resets to the JSON's initial value) the default entry. */
  setDefault(action: EntryActionSpec | undefined): void {
    const init = this.def.initialDefault;
    if (init?.entryConst) {
      throw new EngineError('PERMISSION_DENIED', `default entry of table '${this.def.name}' is const`);
    }
    if (action === undefined) {
      const resolved: EntryAction | undefined = init
        ? { type: 'action', binding: { action: init.action, args: init.args } }
        : undefined;
      if (resolved) this.refAction(resolved, 1);
      if (this.defaultEntry) this.refAction(this.defaultEntry, -1);
      this.defaultEntry = resolved;
      return;
    }
    const resolved = this.resolveAction(action);
    if (init?.actionConst && (resolved.type !== 'action' || resolved.binding.action !== init.action)) {
      throw new EngineError(
        'PERMISSION_DENIED',
        `default action of table '${this.def.name}' is const ('${init.action.name}')`,
      );
    }
    this.refAction(resolved, 1);
    if (this.defaultEntry) this.refAction(this.defaultEntry, -1);
    this.defaultEntry = resolved;
  }

  getDefault(): EntryAction | undefined {
    return this.defaultEntry;
  }

  private checkPriority(priority: number): void {
    if (!Number.isInteger(priority) || priority < 0 || priority > BMV2_MAX_PRIORITY) {
      throw invalidArgument(`priority ${priority} must be an integer in [0, ${BMV2_MAX_PRIORITY}]`);
    }
    if (this.needsPriority && priority === 0) {
      throw invalidArgument(
        `table '${this.def.name}' has ternary/range keys, so entries need a priority > 0`,
      );
    }
    if (!this.needsPriority && priority !== 0) {
      throw invalidArgument(`table '${this.def.name}' does not use priorities (got ${priority})`);
    }
  }

  /**
   * The entry with the same key (and priority, in ternary/range tables), if any. Ternary/range
   * tables ask their classifier: an entry's shape, masked key and priority say which it is, so no
   * second index by key (and no key string per write) is kept. An lpm key in such a table is told
   * apart by its prefix length too, as bmv2 does (prefixes shorter than a field's byte padding mask
   * the same bits).
   */
  private existing(n: NormalizedKey, priority: number): Entry | undefined {
    if (this.needsPriority) {
      if (this.lpmIndex < 0) return this.classifier.find(n.key, priority, undefined);
      const canonical = n.canonical!;
      return this.classifier.find(n.key, priority, (e) => samePrefixes(e.match!, canonical));
    }
    const key = n.lookupKey;
    if (this.lpmIndex >= 0) return this.lpmMaps.get(n.prefix)?.get(key as number | bigint | string);
    return typeof key === 'object' ? this.exact.get(key) : this.exact.getOne(key as ExactValue);
  }

  private refAction(a: EntryAction, delta: 1 | -1): void {
    if (!this.profile) return;
    if (a.type === 'member') this.profile.ref('member', a.memberId, delta);
    else if (a.type === 'group') this.profile.ref('group', a.groupId, delta);
  }

  private insert(
    match: MatchKey,
    priority: number,
    action: EntryAction,
    idleTimeoutNs: number,
    isConst: boolean,
    validated: boolean,
  ): number {
    if (!validated) this.validateKey(match);
    return this.place(this.normalize(match), priority, action, idleTimeoutNs, isConst);
  }

  /** Files a new entry under its normalised key (refused when the key is taken or the table full). */
  private place(
    n: NormalizedKey,
    priority: number,
    action: EntryAction,
    idleTimeoutNs: number,
    isConst: boolean,
  ): number {
    // Exact tables check and find the entry's place in one walk of their index (filled by index()).
    const taken =
      this.needsPriority || this.lpmIndex >= 0
        ? this.existing(n, priority) !== undefined
        : !this.exact.claim(n.lookupKey as ExactValue | readonly ExactValue[]);
    if (taken) throw alreadyExists(`an entry with this key already exists in table '${this.def.name}'`);
    return this.file(n.canonical, n.key, n.lookupKey, n.prefix, priority, action, idleTimeoutNs, isConst);
  }

  /**
   * Files a new entry whose key is free (its index claimed, in exact tables): refused only when the
   * table is full. Its normalised key in parts (see {@link NormalizedKey}), not an object made per entry.
   */
  private file(
    canonical: MatchKey | undefined,
    key: ClassifierKey,
    lookupKey: LookupKey,
    prefix: number,
    priority: number,
    action: EntryAction,
    idleTimeoutNs: number,
    isConst: boolean,
  ): number {
    if (this.byHandle.size >= this.def.maxSize) {
      throw new EngineError(
        'RESOURCE_EXHAUSTED',
        `table '${this.def.name}' is full (${this.def.maxSize} entries)`,
      );
    }
    // Direct tables (most) hold no members or groups to count: no call made for them.
    if (this.profile !== undefined) this.refAction(action, 1);
    const dm = this.def.directMeter;
    const revision = nextRevision();
    const entry: Entry = {
      handle: this.byHandle.nextHandle(),
      match: canonical,
      key,
      priority: this.needsPriority ? priority : 0,
      lookupKey: this.keyDepth > 0 ? 0 : lookupKey,
      prefix,
      action,
      revision,
      isConst,
      counter: this.def.withCounters ? { packets: 0, bytes: 0 } : undefined,
      meter: dm ? new MeterCell(dm.rateCount, 0) : undefined,
      idleTimeoutNs,
      // Only tables that age entries keep a clock (a clock read per insert was a tenth of an exact
      // insert); the others are never aged (bmv2 ages only tables with support_timeout).
      lastHitUs: this.def.supportTimeout ? this.now() : 0,
    };
    this.byHandle.add(entry);
    const depth = this.keyDepth;
    if (depth > 0) {
      // The key's values into the key store (written here, not by a method of its own: one
      // function less for V8 to compile in the first writes).
      const at = entry.handle * depth;
      if (at + depth > this.keyStore.length) this.growKeyStore(at + depth);
      const store = this.keyStore;
      const values = lookupKey as readonly ExactValue[];
      for (let i = 0; i < depth; i++) store[at + i] = values[i] as number;
    }
    this.index(entry);
    this.addedRevision = revision;
    return entry.handle;
  }

  private remove(e: Entry): void {
    this.refAction(e.action, -1);
    this.byHandle.delete(e.handle);
    if (this.needsPriority) {
      this.classifier.remove(e);
    } else if (this.lpmIndex >= 0) {
      const m = this.lpmMaps.get(e.prefix);
      m?.delete(e.lookupKey as number | bigint | string);
      if (m && m.size === 0) {
        this.lpmMaps.delete(e.prefix);
        this.prefixes = this.prefixes.filter((p) => p !== e.prefix);
      }
    } else if (this.keyDepth > 0) {
      this.exact.delete(this.storedKey(e.handle, this.scratchKey));
    } else {
      const key = e.lookupKey;
      if (typeof key === 'object') this.exact.delete(key);
      else this.exact.deleteOne(key as ExactValue);
    }
  }

  /** Makes the key store hold at least `size` numbers. */
  private growKeyStore(size: number): void {
    const grown = new Float64Array(Math.max(size, 2 * this.keyStore.length));
    grown.set(this.keyStore);
    this.keyStore = grown;
  }

  /** The key values of the entry at `handle`, from the key store, into `out`. */
  private storedKey(handle: number, out: ExactValue[]): ExactValue[] {
    const depth = this.keyDepth;
    const at = handle * depth;
    for (let i = 0; i < depth; i++) out[i] = this.keyStore[at + i];
    return out;
  }

  /** Whether the entry at `handle` has these key values (the key store's entries only). */
  private storedKeyIs(handle: number, values: readonly ExactValue[]): boolean {
    const depth = this.keyDepth;
    const at = handle * depth;
    const store = this.keyStore;
    for (let i = 0; i < depth; i++) if (store[at + i] !== values[i]) return false;
    return true;
  }

  private index(e: Entry): void {
    if (this.needsPriority) {
      this.classifier.insert(e);
    } else if (this.lpmIndex >= 0) {
      let m = this.lpmMaps.get(e.prefix);
      if (!m) {
        m = new Map();
        this.lpmMaps.set(e.prefix, m);
        this.prefixes = [...this.lpmMaps.keys()].sort((a, b) => b - a);
      }
      m.set(e.lookupKey as number | bigint | string, e);
    } else {
      // The place insert() claimed.
      this.exact.fill(e);
    }
  }

  /**
   * Checks a match key against the table's key fields: their number, each field's match kind, that
   * values fit the width, prefix lengths, no bits beyond a prefix or outside a mask, low <= high.
   * Callers that hand the engine keys already checked (the P4Runtime device adapter: PI's
   * `construct_match_key` validates and bmv2's runtime then trusts the key) skip it. Errors:
   * INVALID_ARGUMENT naming the field.
   */
  validateKey(match: MatchKey): void {
    const keys = this.def.keys;
    if (match.length !== keys.length) {
      throw invalidArgument(`table '${this.def.name}' has ${keys.length} key field(s), got ${match.length}`);
    }
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const m = match[i];
      switch (k.matchKind) {
        case 'valid':
          if (m?.kind !== 'valid')
            throw invalidArgument(`${keyFieldLabel(this.def.name, k.name)}: expected a 'valid' match`);
          continue;
        case 'exact':
          if (m?.kind !== 'exact')
            throw invalidArgument(`${keyFieldLabel(this.def.name, k.name)}: expected an 'exact' match`);
          checkFits(m.value, 'value', k.width, this.def.name, k.name);
          continue;
        case 'lpm': {
          if (!m) continue;
          if (m.kind !== 'lpm')
            throw invalidArgument(`${keyFieldLabel(this.def.name, k.name)}: expected an 'lpm' match`);
          checkFits(m.value, 'value', k.width, this.def.name, k.name);
          const plen = m.prefixLength;
          if (!Number.isInteger(plen) || plen < 0 || plen > k.width) {
            throw invalidArgument(
              `${keyFieldLabel(this.def.name, k.name)}: prefix length ${plen} outside [0, ${k.width}]`,
            );
          }
          const mask = prefixMask(effectivePrefix(plen, k.width), k.width);
          if ((m.value & ~mask & maskBig(k.width)) !== 0n) {
            throw invalidArgument(
              `${keyFieldLabel(this.def.name, k.name)}: value has bits set beyond the prefix length ${plen}`,
            );
          }
          continue;
        }
        case 'ternary':
          if (!m) continue;
          if (m.kind === 'optional') {
            checkFits(m.value, 'value', k.width, this.def.name, k.name);
          } else if (m.kind === 'ternary') {
            checkFits(m.value, 'value', k.width, this.def.name, k.name);
            checkFits(m.mask, 'mask', k.width, this.def.name, k.name);
            if ((m.value & ~m.mask) !== 0n)
              throw invalidArgument(
                `${keyFieldLabel(this.def.name, k.name)}: value has bits set outside the mask`,
              );
          } else {
            throw invalidArgument(
              `${keyFieldLabel(this.def.name, k.name)}: expected a 'ternary' or 'optional' match`,
            );
          }
          continue;
        case 'range':
          if (!m) continue;
          if (m.kind !== 'range')
            throw invalidArgument(`${keyFieldLabel(this.def.name, k.name)}: expected a 'range' match`);
          checkFits(m.low, 'low bound', k.width, this.def.name, k.name);
          checkFits(m.high, 'high bound', k.width, this.def.name, k.name);
          if (m.low > m.high)
            throw invalidArgument(
              `${keyFieldLabel(this.def.name, k.name)}: low bound ${m.low} exceeds high bound ${m.high}`,
            );
          continue;
      }
    }
  }

  /** The normalised forms of a match key {@link validateKey} accepts (it checks nothing itself). */
  private normalize(match: MatchKey): NormalizedKey {
    if (!this.needsPriority && this.lpmIndex < 0) return this.normalizeExact(match);
    if (this.needsPriority) return this.normalizeClassified(match);
    const keys = this.def.keys;
    const canonical: (MatchFieldValue | undefined)[] = [];
    let prefix = 0;
    const lookupParts: (number | bigint)[] = [];
    // An LPM table: exact and valid fields and one lpm field.
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const m = match[i];
      const numeric = isNumWidth(k.width);
      switch (k.matchKind) {
        case 'valid': {
          canonical.push(m);
          lookupParts.push((m as ValidMatch).value ? 1 : 0);
          continue;
        }
        case 'lpm': {
          const lpm = m as LpmMatch | undefined;
          const value = lpm ? lpm.value : 0n;
          const plen = lpm ? lpm.prefixLength : 0;
          canonical.push(plen === 0 ? undefined : { kind: 'lpm', value, prefixLength: plen });
          prefix = effectivePrefix(plen, k.width);
          lookupParts.push(numeric ? Number(value) : value);
          continue;
        }
        default:
          canonical.push(m);
          lookupParts.push(storageValue((m as ExactMatch).value, numeric));
      }
    }
    const lookupKey = lookupParts.length === 1 ? lookupParts[0] : lookupParts.join(',');
    return { canonical, key: NO_KEY, lookupKey, prefix };
  }

  /**
   * {@link normalize} for ternary and range tables: the classifier's key, two values per field
   * (value and mask, or low and high bound; see `tuple-space.ts`), in the storage representation.
   * The key as written is kept only where it cannot be rebuilt from them (an lpm field's prefix
   * length, which a byte-padded field's mask does not tell): {@link classifierMatchOf} rebuilds the
   * rest for reads.
   */
  private normalizeClassified(match: MatchKey): NormalizedKey {
    const keys = this.def.keys;
    const full = this.fullMasks;
    const key: ClassifierValue[] = new Array(2 * keys.length);
    const canonical: (MatchFieldValue | undefined)[] | undefined = this.lpmIndex >= 0 ? [] : undefined;
    // A plain loop with module-level helpers: this runs once per inserted entry, and closures made
    // per key field cost more than the checks themselves.
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const m = match[i];
      const numeric = isNumWidth(k.width);
      let a: ClassifierValue;
      let b: ClassifierValue;
      switch (k.matchKind) {
        case 'valid':
          a = (m as ValidMatch).value ? 1 : 0;
          b = 1;
          break;
        case 'exact':
          a = storageValue((m as ExactMatch).value, numeric);
          b = full[i];
          break;
        case 'lpm': {
          const lpm = m as LpmMatch | undefined;
          const value = lpm ? lpm.value : 0n;
          const plen = lpm ? lpm.prefixLength : 0;
          const mask = prefixMask(effectivePrefix(plen, k.width), k.width);
          canonical!.push(plen === 0 ? undefined : { kind: 'lpm', value, prefixLength: plen });
          a = numeric ? Number(value) : value;
          b = numeric ? Number(mask) : mask;
          key[2 * i] = a;
          key[2 * i + 1] = b;
          continue;
        }
        case 'ternary':
          if (m?.kind === 'optional') {
            a = storageValue(m.value, numeric);
            b = full[i];
          } else if (m?.kind === 'ternary') {
            a = storageValue(m.value, numeric);
            b = storageValue(m.mask, numeric);
          } else {
            a = numeric ? 0 : 0n;
            b = a;
          }
          break;
        default: {
          const range = m as RangeMatch | undefined;
          a = range ? storageValue(range.low, numeric) : numeric ? 0 : 0n;
          b = range ? storageValue(range.high, numeric) : full[i];
        }
      }
      key[2 * i] = a;
      key[2 * i + 1] = b;
      canonical?.push(this.fieldMatchOf(i, a, b));
    }
    return { canonical, key, lookupKey: 0, prefix: 0 };
  }

  /**
   * A key field as reads give it, from its two classifier values: don't-care fields (zero mask, full
   * range) as undefined, an optional as a full-mask ternary, values as bigints.
   */
  private fieldMatchOf(i: number, a: ClassifierValue, b: ClassifierValue): MatchFieldValue | undefined {
    switch (this.def.keys[i].matchKind) {
      case 'valid':
        return { kind: 'valid', value: a === 1 };
      case 'exact':
        return { kind: 'exact', value: BigInt(a) };
      case 'range':
        return (a === 0 || a === 0n) && b === this.fullMasks[i]
          ? undefined
          : { kind: 'range', low: BigInt(a), high: BigInt(b) };
      default:
        return b === 0 || b === 0n ? undefined : { kind: 'ternary', value: BigInt(a), mask: BigInt(b) };
    }
  }

  /** The key of a ternary/range entry without an lpm field, rebuilt from its classifier key. */
  private classifierMatchOf(key: ClassifierKey): MatchKey {
    const n = this.def.keys.length;
    const out: (MatchFieldValue | undefined)[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.fieldMatchOf(i, key[2 * i], key[2 * i + 1]);
    return out;
  }

  /**
   * {@link normalize} for exact tables (the bulk of what controllers write): only the key's values
   * are kept (see {@link matchOf}), in the representation a packet's key fields read.
   */
  private normalizeExact(match: MatchKey): NormalizedKey {
    const keys = this.def.keys;
    const asNumber = this.indexAsNumber;
    // Tables with a key store copy the values there: a scratch array will do.
    const values: ExactValue[] = this.keyDepth > 0 ? this.scratchKey : new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const m = match[i];
      values[i] =
        k.matchKind === 'valid'
          ? (m as ValidMatch).value
            ? 1
            : 0
          : storageValue((m as ExactMatch).value, asNumber[i] || isNumWidth(k.width));
    }
    const lookupKey = keys.length === 1 ? values[0] : values;
    return { canonical: undefined, key: NO_KEY, lookupKey, prefix: 0 };
  }

  /**
   * The key of an exact-table entry, rebuilt from its values (or the one value): exact tables are
   * the large ones, and not keeping the key objects of every entry saves the collector most of an
   * entry's objects.
   */
  private matchOf(lookupKey: LookupKey): MatchKey {
    const keys = this.def.keys;
    const values = typeof lookupKey === 'object' ? lookupKey : [lookupKey as ExactValue];
    return keys.map((k, i): MatchFieldValue => {
      if (k.matchKind === 'valid') return { kind: 'valid', value: values[i] === 1 };
      return { kind: 'exact', value: BigInt(values[i]) };
    });
  }

  private record(e: Entry): TableEntryRecord {
    return {
      handle: e.handle,
      match:
        e.match ??
        (this.needsPriority
          ? this.classifierMatchOf(e.key)
          : this.matchOf(this.keyDepth > 0 ? this.storedKey(e.handle, []) : e.lookupKey)),
      priority: e.priority,
      action: e.action,
      isConst: e.isConst,
      counter: e.counter ? { packets: e.counter.packets, bytes: e.counter.bytes } : undefined,
      meterConfig: e.meter?.getConfig(),
      idleTimeoutNs: e.idleTimeoutNs,
      lastHitUs: e.lastHitUs,
    };
  }

  // -- data plane ---------------------------------------------------------------------------------

  /** Looks up the packet's key; returns the matching entry or undefined. */
  private lookup(s: PacketState): Entry | undefined {
    const keys = this.def.keys;
    if (keys.length === 0) return undefined;
    if (keys.length === 1 && !this.needsPriority && this.lpmIndex < 0) {
      const v = keys[0].read(s);
      return this.exact.getOne(this.convertsLookup ? Number(v) : v);
    }
    const kv = new Array<number | bigint>(keys.length);
    for (let i = 0; i < keys.length; i++) kv[i] = keys[i].read(s);
    return this.lookupValues(kv);
  }

  /**
   * Handle of the entry a packet whose key fields read `kv` (storage representation: numbers up to
   * 32 bits, else bigints, masked by the key's static mask) would hit; undefined on a miss.
   */
  match(kv: readonly (number | bigint)[]): number | undefined {
    if (kv.length !== this.def.keys.length || kv.length === 0) return undefined;
    return this.lookupValues([...kv])?.handle;
  }

  /** Lookup on key values (`kv` may be overwritten). */
  private lookupValues(kv: (number | bigint)[]): Entry | undefined {
    const keys = this.def.keys;
    if (this.needsPriority) return this.classifier.lookup(kv);
    if (this.lpmIndex < 0) {
      if (this.convertsLookup) {
        const asNumber = this.indexAsNumber;
        for (let i = 0; i < kv.length; i++) if (asNumber[i]) kv[i] = Number(kv[i]);
      }
      return keys.length === 1 ? this.exact.getOne(kv[0]) : this.exact.get(kv);
    }
    const li = this.lpmIndex;
    const full = kv[li];
    const width = keys[li].width;
    for (const p of this.prefixes) {
      const masked = maskValue(full, p, width);
      let key: number | bigint | string;
      if (kv.length === 1) key = masked;
      else {
        kv[li] = masked;
        key = kv.join(',');
      }
      const e = this.lpmMaps.get(p)!.get(key);
      if (e) return e;
    }
    return undefined;
  }

  /** Applies the table: lookup, direct resources, action; returns the next control node (-1 = end). */
  apply(s: PacketState): number {
    const def = this.def;
    const e = this.lookup(s);
    if (e) {
      if (def.withCounters) {
        e.counter!.packets += 1;
        e.counter!.bytes += s.ingressLength;
      }
      if (def.supportTimeout) e.lastHitUs = s.rt.now();
      if (def.directMeter && e.meter) {
        const units = def.directMeter.unit === 'bytes' ? s.ingressLength : 1;
        def.directMeter.store(s, e.meter.execute(units, s.rt.now()));
      }
      const r = this.resolveForPacket(s, e.action);
      if (s.tracing) s.note('trace', `table ${def.name}: hit, action ${r.binding?.action.name ?? '(none)'}`);
      if (r.binding) {
        s.args = r.binding.args;
        r.binding.action.run(s);
      }
      if (def.hitMiss) return def.hitMiss.hit;
      return r.binding ? (def.nextByAction.get(r.actionId) ?? def.baseDefaultNext) : def.baseDefaultNext;
    }
    const d = this.defaultEntry;
    if (!d) {
      if (s.tracing) s.note('trace', `table ${def.name}: miss, no default action`);
      return def.hitMiss ? def.hitMiss.miss : def.baseDefaultNext;
    }
    const r = this.resolveForPacket(s, d);
    if (s.tracing)
      s.note('trace', `table ${def.name}: miss, default action ${r.binding?.action.name ?? '(none)'}`);
    if (r.binding) {
      s.args = r.binding.args;
      r.binding.action.run(s);
    }
    if (def.hitMiss) return def.hitMiss.miss;
    return r.binding ? (def.nextByAction.get(r.actionId) ?? def.baseDefaultNext) : def.baseDefaultNext;
  }

  private resolveForPacket(s: PacketState, a: EntryAction): Resolved {
    if (a.type === 'action') return { binding: a.binding, actionId: a.binding.action.jsonId };
    const profile = this.profile!;
    if (a.type === 'member') {
      const b = profile.member(a.memberId);
      return { binding: b, actionId: b ? b.action.jsonId : -1 };
    }
    const b = profile.selectFromGroup(s, a.groupId, this.def.selectorHash!);
    if (!b)
      s.note(
        'warning',
        `table '${this.def.name}': lookup yielded empty group ${a.groupId}, no action executed`,
      );
    return { binding: b, actionId: b ? b.action.jsonId : -1 };
  }
}

/** Validates action data against the action's parameter widths and converts it to storage values. */
export function checkParams(action: ActionDef, params: readonly Value[]): Value[] {
  if (params.length !== action.params.length) throw arityError(action, params.length);
  const values: Value[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const width = action.params[i].width;
    if (!fits(v, width)) throw paramWidthError(action, i, v);
    values[i] = storageValue(v, isNumWidth(width));
  }
  return values;
}

// The refusals of checkParams, made apart: their messages are code the write path's compiled
// functions need not hold.

function arityError(action: ActionDef, given: number): EngineError {
  return invalidArgument(
    `action '${action.name}' expects ${action.params.length} parameter(s), got ${given}`,
  );
}

function paramWidthError(action: ActionDef, i: number, v: Value): EngineError {
  const p = action.params[i];
  return invalidArgument(
    `action '${action.name}' parameter '${p.name}' value ${v} does not fit in ${p.width} bits`,
  );
}

function checkCounter(v: CounterData): void {
  for (const [k, x] of Object.entries(v)) {
    if (!Number.isSafeInteger(x) || x < 0)
      throw invalidArgument(`counter ${k} must be a non-negative integer, got ${x}`);
  }
}

/** Same prefix length in every lpm field of two canonical keys (absent: a prefix of 0). */
function samePrefixes(a: MatchKey, b: MatchKey): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    const px = x?.kind === 'lpm' ? x.prefixLength : 0;
    const py = y?.kind === 'lpm' ? y.prefixLength : 0;
    if (px !== py) return false;
  }
  return true;
}

/** Prefix length over the field bits, given a prefix counted over the byte-padded field (bmv2 + PI). */
export function effectivePrefix(plen: number, width: number): number {
  const pad = bytesForBits(width) * 8 - width;
  return Math.max(0, Math.min(width, plen - pad));
}

function prefixMask(effective: number, width: number): bigint {
  if (effective === 0) return 0n;
  return maskBig(width) ^ maskBig(width - effective);
}

function maskValue(v: number | bigint, effective: number, width: number): number | bigint {
  if (typeof v === 'number') {
    if (effective === 0) return 0;
    if (effective >= width) return v;
    const drop = width - effective;
    return Math.floor(v / 2 ** drop) * 2 ** drop;
  }
  return v & prefixMask(effective, width);
}

/** `table 't' key field 'f'`, for messages only. */
function keyFieldLabel(table: string, field: string): string {
  return `table '${table}' key field '${field}'`;
}

/** True when `v` is an unsigned value of at most `width` bits (numbers: compared without a bigint). */
function fits(v: Value, width: number): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && (width >= 53 || v < 2 ** width);
  return v >= 0n && v <= maskBig(width);
}

/** A checked value in the representation storage of its width uses (see `bits.ts`). */
function storageValue(v: Value, numeric: boolean): Value {
  if (numeric) return typeof v === 'number' ? v : Number(v);
  return typeof v === 'bigint' ? v : BigInt(v);
}

function checkFits(v: Value, what: string, width: number, table: string, field: string): void {
  if (!fits(v, width)) {
    throw invalidArgument(`${keyFieldLabel(table, field)}: ${what} ${v} does not fit in ${width} bits`);
  }
}
