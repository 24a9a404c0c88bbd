/**
 * What the P4Runtime server needs from a packet-processing device: the narrow, bmv2-runtime-like
 * contract between the P4Runtime frontend (`../frontend/`) and whatever executes the program (the embedded engine via
 * `engine-device.ts`, or any other implementation).
 *
 * Conventions:
 * - Objects are addressed by their names in the device config (the bmv2 JSON), which p4c makes equal
 *   to the P4Info names; the server maps P4Info ids to these names.
 * - Values are fixed-width: a bit<W> value is exactly ceil(W/8) big-endian bytes.
 * - Priorities follow P4Runtime: a larger number wins. Tables without ternary/range/optional
 *   fields use priority 0.
 * - Meter rates follow P4Runtime units: rates in units (bytes or packets) per second, bursts in units.
 * - A refused operation throws a {@link DeviceError}: a code saying why in gRPC terms and a message
 *   saying what (the server maps it with `targetError`, frontend/status.ts, as PI reports a
 *   failure of the target).
 */

/** Why a device refused an operation, named after the gRPC canonical code it corresponds to. */
export type DeviceErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED';

const DEVICE_ERROR_CODES: ReadonlySet<string> = new Set<DeviceErrorCode>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
]);

/** A device refused an operation. */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  constructor(
    readonly code: DeviceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The code of a device's refusal, or undefined for anything else (a bug). Any error with a
 * {@link DeviceErrorCode} as its `code` counts, so that a device may throw its own error type
 * (the embedded engine's EngineError carries the same codes).
 */
export function deviceErrorCode(error: unknown): DeviceErrorCode | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && DEVICE_ERROR_CODES.has(code) ? (code as DeviceErrorCode) : undefined;
}

/** Match kinds of table key fields in a device config. `optional` keys are matched as ternary. */
export type DeviceMatchKind = 'exact' | 'lpm' | 'ternary' | 'range' | 'optional' | 'valid';

/** One key field value of a table entry, in the order of the table's key. */
export type DeviceKeyParam =
  | { readonly kind: 'exact'; readonly value: Uint8Array }
  /**
   * `prefixLength` is the P4Runtime prefix length, applied as bmv2 and PI do: from the first bit of
   * the byte-padded value (the field's first bit when the width is a multiple of 8).
   */
  | { readonly kind: 'lpm'; readonly value: Uint8Array; readonly prefixLength: number }
  /** Also used for `optional` keys: mask all ones (match) or all zeros (wildcard). */
  | { readonly kind: 'ternary'; readonly value: Uint8Array; readonly mask: Uint8Array }
  | { readonly kind: 'range'; readonly low: Uint8Array; readonly high: Uint8Array }
  | { readonly kind: 'valid'; readonly valid: boolean };

/** An action and its arguments, in the action's parameter order. */
export interface DeviceActionCall {
  readonly action: string;
  readonly args: readonly Uint8Array[];
}

/** What a table entry (or default entry) does: a direct action or an action profile member/group. */
export type DeviceTableAction =
  | { readonly type: 'action'; readonly call: DeviceActionCall }
  | { readonly type: 'member'; readonly handle: number }
  | { readonly type: 'group'; readonly handle: number };

export interface DeviceTableEntry {
  readonly handle: number;
  readonly key: readonly DeviceKeyParam[];
  /** P4Runtime priority (larger wins); 0 for tables without priority. */
  readonly priority: number;
  readonly action: DeviceTableAction;
}

export interface DeviceCounterValue {
  readonly bytes: bigint;
  readonly packets: bigint;
}

/** Two-rate three-color meter configuration (bmv2 meters hold exactly two rates). */
export interface DeviceMeterRates {
  /** Committed rate, units per second. */
  readonly cir: bigint;
  /** Committed burst, units. */
  readonly cburst: bigint;
  /** Peak rate, units per second. */
  readonly pir: bigint;
  /** Peak burst, units. */
  readonly pburst: bigint;
}

/** One copy made by the packet replication engine. */
export interface DeviceReplica {
  readonly port: number;
  /** Replication id (P4Runtime `instance`, v1model `egress_rid`). */
  readonly rid: number;
}

export interface DeviceKeyFieldInfo {
  readonly name: string;
  readonly kind: DeviceMatchKind;
  readonly bitwidth: number;
}

export interface DeviceTableInfo {
  readonly name: string;
  readonly key: readonly DeviceKeyFieldInfo[];
  /** Names of the actions the table may use. */
  readonly actions: readonly string[];
  /** Action profile or selector implementing the table, if indirect. */
  readonly actionProfile: string | undefined;
  readonly directCounter: string | undefined;
  readonly directMeter: string | undefined;
  readonly size: number;
  /** True when entries may be aged (`support_timeout` in bmv2 JSON). */
  readonly supportsTimeout: boolean;
}

export interface DeviceActionInfo {
  readonly name: string;
  readonly paramWidths: readonly number[];
}

export interface DeviceArrayInfo {
  readonly name: string;
  readonly size: number;
  /** Table a direct counter/meter is attached to. */
  readonly directTable: string | undefined;
}

export interface DeviceRegisterInfo {
  readonly name: string;
  readonly size: number;
  readonly bitwidth: number;
}

export interface DeviceLearnListInfo {
  readonly name: string;
  /** Bit width of each field of a sample; each field takes ceil(W/8) bytes in a sample. */
  readonly fieldWidths: readonly number[];
}

export interface DeviceValueSetInfo {
  readonly name: string;
  /** Total width of a member (the key fields concatenated). */
  readonly bitwidth: number;
}

/** What a loaded device config contains, so the server can bind a P4Info to it. */
export interface DeviceProgramInfo {
  readonly tables: ReadonlyMap<string, DeviceTableInfo>;
  /** Actions by name; when a config holds several actions of one name they share a signature. */
  readonly actions: ReadonlyMap<string, DeviceActionInfo>;
  readonly actionProfiles: ReadonlyMap<string, { readonly name: string; readonly withSelector: boolean }>;
  readonly counters: ReadonlyMap<string, DeviceArrayInfo>;
  readonly meters: ReadonlyMap<string, DeviceArrayInfo>;
  readonly registers: ReadonlyMap<string, DeviceRegisterInfo>;
  readonly learnLists: ReadonlyMap<string, DeviceLearnListInfo>;
  readonly valueSets: ReadonlyMap<string, DeviceValueSetInfo>;
}

/** A parsed and checked device config, ready to be installed. */
export interface DeviceConfig {
  readonly info: DeviceProgramInfo;
}

/**
 * Byte strings of one buffer, as the server's Write decoder lays them out (frontend/common-write.ts):
 * the i-th from `at` is bytes `spans[at + 3i + 1]` up to `spans[at + 3i + 2]` (`spans[at + 3i]` is
 * its P4Runtime id, unused here).
 */
export type ByteSpans = ArrayLike<number>;

/**
 * Kinds of a key field in a record of {@link DeviceControl.addClassifiedSpans}: the match the
 * request gave for it (an optional field's value is a ternary match on the whole field).
 */
export const SPAN_EXACT = 0;
export const SPAN_TERNARY = 1;
export const SPAN_RANGE = 2;
export const SPAN_OPTIONAL = 3;

/** {@link DeviceExactWriter.add}: an entry with this key exists. */
export const EXACT_DUPLICATE = -1;
/** {@link DeviceExactWriter.add}: a value is empty or wider than its field or parameter. */
export const EXACT_DECLINED = -2;

/**
 * {@link DeviceControl.addEntry} for one table whose key fields are all exact, named once: the
 * entries most controllers write, added straight from the bytes of their request with priority 0,
 * a direct action and no idle timeout, without a key, action or byte view made on the way, and
 * without naming the table or the action per entry.
 */
export interface DeviceExactWriter {
  /** The index {@link add} takes for the action `name`; -1 when entries of the table cannot name it. */
  actionIndex(name: string): number;
  /** The widths in bits of the table's key fields, in order (what {@link add} checks values against). */
  readonly keyWidths: readonly number[];
  /** The widths of the parameters of the `action`-th action ({@link actionIndex}). */
  paramWidths(action: number): readonly number[];
  /**
   * Adds an entry whose key values are the table's key fields, in order, from `keyAt`, and whose
   * action is the `action`-th ({@link actionIndex}) with `argCount` arguments from `argAt`, all byte
   * strings of `bytes` given as {@link ByteSpans}. Returns the new entry's handle, its revision left
   * in {@link revision}; having changed nothing, {@link EXACT_DUPLICATE} when an entry with this key
   * exists (bmv2's DUPLICATE_ENTRY), {@link EXACT_DECLINED} when a byte string is empty or its value
   * is wider than its field or parameter (the P4Runtime frontend then takes the update by PI's
   * steps, which give PI's refusal). Throws for other refusals.
   */
  add(
    bytes: Uint8Array,
    spans: ByteSpans,
    keyAt: number,
    action: number,
    argAt: number,
    argCount: number,
  ): number;
  /** The revision (see DeviceControl `visitEntryRevisions`) of the entry the last {@link add} made, read right after it (a later add to the table, by any path, replaces it). */
  readonly revision: number;
}

/**
 * Control-plane operations on the installed (or staged) program. Every method throws an Error
 * naming the problem when the device refuses (unknown handle, full table, index out of range ...).
 */
export interface DeviceControl {
  // Match-action tables. `ttlMs` is the entry's idle timeout (0: never ages; bmv2 keeps milliseconds).
  /**
   * The new entry's handle; undefined when an entry with this key and priority exists already. Keys
   * given to the device (here and in findEntry) were validated by the frontend (match-key.ts, PI's
   * `construct_match_key`); the device trusts them, as bmv2's runtime trusts PI's.
   */
  addEntry(
    table: string,
    key: readonly DeviceKeyParam[],
    priority: number,
    action: DeviceTableAction,
    ttlMs: number,
  ): number | undefined;
  /**
   * The revision (see {@link visitEntryRevisions}) of the entry the last successful addEntry,
   * addClassifiedEntry or addClassifiedSpans made: whoever keeps what it derives from a new entry
   * reads it here instead of looking the entry up again. (An {@link exactWriter}'s adds leave theirs
   * in the writer.)
   */
  readonly addedRevision: number;
  /**
   * A writer of the entries most controllers write into `table`, whose key fields are all exact
   * and whose actions are direct (see {@link DeviceExactWriter}); undefined for other tables, or
   * when the device offers none.
   */
  exactWriter(table: string): DeviceExactWriter | undefined;
  /**
   * {@link addEntry} with the direct action `call` and no idle timeout, of a key whose params are
   * `exact`, `ternary` and `range` (of a table with a priority whose key fields are exact, ternary,
   * optional and range: ACL-like tables), added without converting the key and the action into
   * other objects on the way.
   */
  addClassifiedEntry(
    table: string,
    key: readonly DeviceKeyParam[],
    priority: number,
    call: DeviceActionCall,
  ): number | undefined;
  /**
   * {@link addClassifiedEntry} straight from the request's bytes (the Write decoder's record of an
   * INSERT with a priority, frontend/common-write.ts ClassifiedTableWrite): `keyCount` key fields
   * from `keyAt`, six numbers each — (id, kind ({@link SPAN_EXACT} ... {@link SPAN_OPTIONAL}), first
   * value start, end, second value start, end): exact value; ternary value, mask; range low, high;
   * optional value, whose mask is `ones[i]` (the field's whole bytes set) — and the arguments as
   * {@link ByteSpans} from `argAt`. Validated by the frontend, as addEntry's.
   */
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
  ): number | undefined;
  /**
   * Handle of the entry with this key and priority, including `const entries`; undefined if none.
   * Only reads of one entry use it (PI: `fetch_one`); writes address entries by the handles the
   * server keeps.
   */
  findEntry(table: string, key: readonly DeviceKeyParam[], priority: number): number | undefined;
  /** Changes the action; when `ttlMs` is given, also the idle timeout. */
  modifyEntry(table: string, handle: number, action: DeviceTableAction, ttlMs?: number): void;
  deleteEntry(table: string, handle: number): void;
  /**
   * All entries, including those declared `const entries` in the program; iterated once, without
   * changes to the table in between (a read).
   */
  getEntries(table: string): Iterable<DeviceTableEntry>;
  getEntry(table: string, handle: number): DeviceTableEntry;
  /**
   * Handle and revision of every entry, in the order of {@link getEntries}, without converting
   * them. An entry's revision changes whenever what getEntry gives of it but its counter, meter and
   * idle clock changes, and is never that of another entry (even one later under the same handle):
   * what a reader derived from an entry stays right while its revision does.
   */
  visitEntryRevisions(table: string, visit: (handle: number, revision: number) => void): void;
  setDefaultAction(table: string, action: DeviceTableAction): void;
  /** Restores the default action declared in the program. */
  resetDefaultAction(table: string): void;
  /** Undefined when the table has no default action. */
  getDefaultAction(table: string): DeviceTableAction | undefined;

  /** Milliseconds since a packet last hit the entry (or since it was added). */
  getEntryIdleMs(table: string, handle: number): number;

  // Direct resources of an entry.
  readDirectCounter(table: string, handle: number): DeviceCounterValue;
  writeDirectCounter(table: string, handle: number, value: DeviceCounterValue): void;
  /** Undefined when the meter is unconfigured (every packet is green). */
  getDirectMeterRates(table: string, handle: number): DeviceMeterRates | undefined;
  setDirectMeterRates(table: string, handle: number, rates: DeviceMeterRates | undefined): void;

  // Indexed externs.
  readCounter(counter: string, index: number): DeviceCounterValue;
  writeCounter(counter: string, index: number, value: DeviceCounterValue): void;
  getMeterRates(meter: string, index: number): DeviceMeterRates | undefined;
  setMeterRates(meter: string, index: number, rates: DeviceMeterRates | undefined): void;
  readRegister(register: string, index: number): bigint;
  writeRegister(register: string, index: number, value: bigint): void;

  // Action profiles and selectors (bmv2 model: members and groups live in the profile).
  addMember(profile: string, call: DeviceActionCall): number;
  modifyMember(profile: string, member: number, call: DeviceActionCall): void;
  deleteMember(profile: string, member: number): void;
  addGroup(profile: string): number;
  deleteGroup(profile: string, group: number): void;
  addMemberToGroup(profile: string, group: number, member: number): void;
  removeMemberFromGroup(profile: string, group: number, member: number): void;

  // Packet replication engine.
  /** Creates or replaces a multicast group. */
  setMulticastGroup(group: number, replicas: readonly DeviceReplica[]): void;
  deleteMulticastGroup(group: number): void;
  /** Creates or replaces a mirroring session whose copies go to `replicas`. */
  setCloneSession(session: number, replicas: readonly DeviceReplica[]): void;
  deleteCloneSession(session: number): void;

  /** Replaces the members of a parser value set; each member is the packed value of all its fields. */
  setValueSet(valueSet: string, members: readonly Uint8Array[]): void;
}

/** Notifications from the data plane. */
export interface DeviceListener {
  /**
   * A frame left `port`. `packetId` is the id given to the `inject` call whose processing produced
   * it (clones, multicast copies and recirculations keep it).
   */
  transmit(port: number, frame: Uint8Array, packetId: number): void;
  /** A `digest()` call produced a sample for learn list `list` (fields packed on byte boundaries). */
  learn(list: string, sample: Uint8Array): void;
}

/** A device able to run one program at a time, with bmv2's two-step config swap. */
export interface Device {
  /** Parses and checks a device config (bmv2 JSON bytes) without installing it; throws on error. */
  parseConfig(config: Uint8Array): DeviceConfig;
  /**
   * Installs `config` with empty control-plane state. With `activate` false the data plane keeps
   * running the previous program until {@link activate} (VERIFY_AND_SAVE then COMMIT).
   */
  install(config: DeviceConfig, activate: boolean): void;
  /**
   * Optional: the control plane of a new, private instance of `config` that no packet, read or
   * other instance ever sees, for the server to exercise its write path on (warm-up) and drop.
   */
  scratchControl?(config: DeviceConfig): DeviceControl;
  /** Makes the staged program process packets; false when nothing is staged. */
  activate(): boolean;
  /** True while a program installed without activation waits for {@link activate}. */
  readonly hasStagedConfig: boolean;
  /** Control plane of the most recently installed program; undefined before any install. */
  readonly control: DeviceControl | undefined;
  /**
   * Processes a frame received on `port`; outputs are reported to the listener with `packetId`
   * (chosen by the caller, so outputs produced during the call can already be attributed).
   * Never throws for bad frames: they are dropped.
   */
  inject(port: number, frame: Uint8Array, packetId: number): void;
  setListener(listener: DeviceListener): void;
}
