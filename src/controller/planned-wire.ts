/**
 * The P4Runtime Entity bytes of a whole plan, written into one buffer without building an entity
 * object per entry: the bytes the client's encoder (client.tableEntry, then protobufjs'
 * Entity.encode) gives for the same entity, which is what a Write carries and what a device
 * answers a Read with (P4Runtime's canonical bytestrings, fields in p4runtime.proto's order). A
 * no-op apply then compares each planned entry with what the device holds by its bytes
 * (wire-diff.ts), and a first apply writes those bytes as they are. Regular entries of exact-key
 * tables (nearly every entry) are written field by field; anything else (a ternary key, a default
 * action, a group, a meter) goes through the client's encoder and is copied in.
 * Field numbers: Entity.table_entry = 2; TableEntry table_id 1, match 2, action 3, metadata 11;
 * FieldMatch field_id 1, exact 2 (Exact.value 1); TableAction.action 1; Action action_id 1,
 * params 4; Param param_id 2, value 3.
 */
import { type P4InfoIndex, type P4RuntimeClient, type P4Value, p4 } from 'p4runtime-ts-grpc';
import { OWNER_METADATA } from './device-state.js';
import { type PlannedEntity, type PlannedTableEntry, WorkloadEntry } from './plan.js';
import { encodePlanned, perTable } from './planned-key.js';

interface Field {
  name: string;
  /** Of a match field: exact, ternary or range (other kinds go through the client's encoder). */
  kind?: string;
  /** The FieldMatch's field_id (or the Param's param_id) as varint bytes. */
  id: number;
  bitwidth: number;
  /** The largest number written without the encoder: 2^W - 1, at most 2^32 - 1. */
  max: number;
  canonical: boolean;
  encode(value: P4Value): Uint8Array;
  /** Encodings of text values (MACs, addresses), which recur across entries and devices. */
  texts: Map<string, Uint8Array>;
}
interface WireAction {
  id: number;
  /** Action.action_id, tag and value. */
  head: Uint8Array;
  params: Field[];
  /** The fields of a {@link WorkloadEntry} of this table and action were found to be the table's. */
  workloadShape: boolean;
  /**
   * Then, where such an entry keeps each match field's and parameter's value (WorkloadEntry
   * slotOf, in the order of `fields` and `params`; -1: asked of its `params`), read without making
   * its match and parameter objects.
   */
  matchSlots?: Int8Array;
  paramSlots?: Int8Array;
}
interface WireTable {
  id: number;
  /** TableEntry.table_id, tag and value. */
  head: Uint8Array;
  fields: Field[];
  requiresPriority: boolean;
  actions: Map<string, WireAction | undefined>;
  info: ReturnType<P4InfoIndex['tables']['get']>;
}

const field = (f: {
  id: number;
  name: string;
  bitwidth: number;
  mode: string;
  matchKind?: string;
  encode(value: P4Value): Uint8Array;
}): Field => ({
  name: f.name,
  ...(f.matchKind !== undefined ? { kind: f.matchKind } : {}),
  id: f.id,
  bitwidth: f.bitwidth,
  max: f.bitwidth >= 32 ? 0xffffffff : 2 ** f.bitwidth - 1,
  canonical: f.mode === 'canonical',
  encode: (v) => f.encode(v),
  texts: new Map(),
});

/** Field 1 (varint) holding `id`: a table's or action's id, written as these bytes each entry. */
function idField(id: number): Uint8Array {
  const w = new Writer(11);
  w.varint(0x08);
  w.varint(id);
  return w.buf.slice(0, w.pos);
}

const WIRE_KINDS = new Set(['exact', 'ternary', 'range']);

/** The tables written field by field (undefined: through the client's encoder). */
const wireTable = perTable((index, name): WireTable | undefined => {
  const info = index.tables.find(name);
  if (!info || info.implementation || !info.matchFields.list.every((f) => WIRE_KINDS.has(f.matchKind)))
    return undefined;
  // The client's order: match fields and parameters as the P4Info lists them (encodeMatch, encodeAction).
  return {
    id: info.id,
    head: idField(info.id),
    fields: info.matchFields.list.map(field),
    requiresPriority: info.requiresPriority,
    actions: new Map(),
    info,
  };
});

function wireAction(table: WireTable, name: string): WireAction | undefined {
  if (table.actions.has(name)) return table.actions.get(name);
  const action = table.info.actions.find(name);
  // A default-only action in an entry is refused by the client's encoder, with its message.
  const out =
    action && action.scope !== 'DEFAULT_ONLY'
      ? {
          id: action.id,
          head: idField(action.id),
          params: action.params.list.map(field),
          workloadShape: false,
        }
      : undefined;
  table.actions.set(name, out);
  return out;
}

/** A growable buffer of protobuf fields. */
class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  // Each method is a short common case and a call for the rare rest, so that it is inlined into the
  // (large) function that writes an entry: a call per tag or length was much of an entry's cost.
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }
  private grow(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  varint(v: number): void {
    // Tags and short lengths, nearly every varint of an entry: one byte, no growth check beyond room.
    if (v >= 0 && v < 0x80 && this.pos < this.buf.length) this.buf[this.pos++] = v;
    else this.longVarint(v);
  }
  private longVarint(v: number): void {
    this.reserve(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.reserve(b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.pos++] = b[i];
  }
  /**
   * Writes one byte (a tag, a short length or id) where room was reserved: no check, small enough
   * to be inlined where an entry is written (varint's loop is not).
   */
  tag(v: number): void {
    this.buf[this.pos++] = v;
  }
  /** Opens a length-delimited field (tag written by the caller); {@link close} ends it. */
  open(): number {
    if (this.pos >= this.buf.length) this.reserve(1);
    return this.pos++;
  }
  /** {@link open} where room was reserved. */
  mark(): number {
    return this.pos++;
  }
  close(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) this.buf[mark] = len;
    else this.closeLong(mark, len);
  }
  /** {@link close} of a field of 128 bytes or more: its length takes more than the byte kept. */
  private closeLong(mark: number, len: number): void {
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.reserve(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    const end = this.pos + extra;
    this.pos = mark;
    this.varint(len);
    this.pos = end;
  }
}

/** Writes the length and canonical bytes of an integer 0..2^32-1. */
function uint(w: Writer, v: number): void {
  const u = v >>> 0;
  w.reserve(5);
  const buf = w.buf;
  let at = w.pos;
  if (u < 0x100) {
    buf[at++] = 1;
  } else if (u < 0x10000) {
    buf[at++] = 2;
    buf[at++] = u >>> 8;
  } else if (u < 0x1000000) {
    buf[at++] = 3;
    buf[at++] = u >>> 16;
    buf[at++] = (u >>> 8) & 0xff;
  } else {
    buf[at++] = 4;
    buf[at++] = u >>> 24;
    buf[at++] = (u >>> 16) & 0xff;
    buf[at++] = (u >>> 8) & 0xff;
  }
  buf[at++] = u & 0xff;
  w.pos = at;
}

/** True for an integer the field holds that is written without the encoder. */
const plainUint = (f: Field, v: unknown): v is number =>
  typeof v === 'number' && f.canonical && v >= 0 && v <= f.max && Number.isInteger(v);

/**
 * Writes a FieldMatch of a ternary or range field given as numbers, as the client's encoder does
 * (encodeTernary, encodeRange: value masked, a zero mask or the whole range left out); false when
 * it is given otherwise (the encoder then writes it, or says what is wrong).
 */
function looseMatch(w: Writer, f: Field, v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (f.kind === 'ternary') {
    const { value: x, mask } = v as { value?: unknown; mask?: unknown };
    if (!plainUint(f, x) || !plainUint(f, mask)) return false;
    if (mask === 0) return true;
    w.varint(0x12); // match
    const m = w.open();
    w.varint(0x08);
    w.varint(f.id);
    w.varint(0x1a); // ternary
    const t = w.open();
    w.varint(0x0a);
    uint(w, (x & mask) >>> 0);
    w.varint(0x12);
    uint(w, mask);
    w.close(t);
    w.close(m);
    return true;
  }
  const { low, high } = v as { low?: unknown; high?: unknown };
  if (!plainUint(f, low) || !plainUint(f, high) || low > high || f.bitwidth > 32) return false;
  if (low === 0 && high === f.max) return true;
  w.varint(0x12); // match
  const m = w.open();
  w.varint(0x08);
  w.varint(f.id);
  w.varint(0x32); // range
  const r = w.open();
  w.varint(0x0a);
  uint(w, low);
  w.varint(0x12);
  uint(w, high);
  w.close(r);
  w.close(m);
  return true;
}

/**
 * Writes a bytes field's length and value: a small non-negative integer in canonical form
 * directly, anything else as the field's encoder gives it (which also refuses what does not fit).
 */
function value(w: Writer, f: Field, v: P4Value): void {
  if (typeof v === 'number' && f.canonical && v >= 0 && v <= f.max && Number.isInteger(v)) {
    uint(w, v);
    return;
  }
  if (typeof v === 'string') {
    if (f.canonical && f.bitwidth >= 48 && mac(w, v)) return;
    let b = f.texts.get(v);
    if (!b) {
      b = f.encode(v);
      if (f.texts.size >= 200_000) f.texts.clear();
      f.texts.set(v, b);
    }
    w.bytes(b);
    return;
  }
  w.bytes(f.encode(v));
}

/** Value of a hex digit's character code, -1 for anything else. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
const MAC_BYTES = new Uint8Array(6);
/**
 * Writes `xx:xx:xx:xx:xx:xx` in canonical form (leading zero bytes left out, zero as one 0 byte),
 * as the client's encoder reads a MAC; false (nothing written) for any other text. Parsed here
 * rather than looked up: a MAC's text is often a rope whose every lookup in a Map costs a flattening.
 */
function mac(w: Writer, s: string): boolean {
  if (s.length !== 17) return false;
  for (let i = 0; i < 6; i++) {
    if (i > 0 && s.charCodeAt(i * 3 - 1) !== 58) return false;
    const hi = hexDigit(s.charCodeAt(i * 3));
    const lo = hexDigit(s.charCodeAt(i * 3 + 1));
    if (hi < 0 || lo < 0) return false;
    MAC_BYTES[i] = hi * 16 + lo;
  }
  let first = 0;
  while (first < 5 && MAC_BYTES[first] === 0) first++;
  w.reserve(7);
  w.buf[w.pos++] = 6 - first;
  for (let i = first; i < 6; i++) w.buf[w.pos++] = MAC_BYTES[i];
  return true;
}

/** No values (a workload entry's are read where it keeps them). */
const NO_VALUES: Readonly<Record<string, never>> = {};

/** The last table and action looked up by {@link tableEntry}. */
const last: {
  index?: P4InfoIndex;
  tableName?: string;
  table?: WireTable;
  actionName?: string;
  action?: WireAction;
} = {};

/** Room for an entry's bytes around its values (tags, lengths, ids; a value reserves its own). */
const ENTRY_ROOM = 32;

/**
 * Writes a regular entry of an exact-key table; false (nothing written) when it is not one. A
 * workload's entry (most of a plan) has its fields read where only such entries are seen, so that
 * those reads stay specialised to its class rather than shared with every shape of entry.
 */
function tableEntry(w: Writer, index: P4InfoIndex, e: PlannedTableEntry): boolean {
  if (e instanceof WorkloadEntry) return entryOf(w, index, e, e.table, e.action, undefined, e);
  if (e.isDefaultAction || e.actionSet !== undefined) return false; // an action set: the client's encoder
  return entryOf(w, index, e, e.table, e.action, e.priority, undefined);
}

/** {@link tableEntry} of entry `e` of table `tableName`, its action, priority and (of a workload's entry) itself. */
function entryOf(
  w: Writer,
  index: P4InfoIndex,
  e: PlannedTableEntry,
  tableName: string,
  actionName: string,
  priority: number | undefined,
  workload: WorkloadEntry | undefined,
): boolean {
  // Entries of a table come one after another: the last lookup is kept (names compared by identity
  // first, the planner's names being the same strings).
  let table: WireTable | undefined;
  if (tableName === last.tableName && index === last.index) table = last.table;
  else {
    table = wireTable(index, tableName);
    last.index = index;
    last.tableName = tableName;
    last.table = table;
    last.actionName = undefined;
  }
  if (!table) return false;
  if (
    table.requiresPriority
      ? priority === undefined || !Number.isInteger(priority) || priority < 1 || priority > 0x7fffffff
      : priority !== undefined
  )
    return false;
  let action: WireAction | undefined;
  if (actionName === last.actionName) action = last.action;
  else {
    action = wireAction(table, actionName);
    last.actionName = actionName;
    last.action = action;
  }
  if (!action) return false;
  // Which fields are given is checked once per table and action for a workload's entries (they
  // all have the same), for every entry otherwise; the values are checked as they are written.
  // A workload's entry keeps its values, and makes its match and parameter objects at each ask
  // (plan.ts): once its table and action are known, its values are read where it keeps them.
  const slots = workload && action.workloadShape ? action : undefined;
  const match = slots ? NO_VALUES : e.match;
  let params = slots ? NO_VALUES : e.params;
  if (!slots) {
    let given = 0;
    for (const k in match) if (match[k] !== undefined) given++;
    for (const f of table.fields) {
      const v = match[f.name];
      if (v === undefined) {
        if (f.kind === 'exact') return false;
        continue;
      }
      given--;
      if (f.kind === 'exact' && (v === null || typeof v === 'object')) return false;
    }
    if (given !== 0) return false; // a field the table does not have
    given = 0;
    for (const k in params) {
      if (params[k] === undefined) return false;
      given++;
    }
    if (given !== action.params.length) return false;
    for (const p of action.params) if (params[p.name] === undefined) return false;
    if (workload) {
      action.matchSlots = Int8Array.from(table.fields, (f) => workload.slotOf(f.name));
      action.paramSlots = Int8Array.from(action.params, (p) => workload.slotOf(p.name));
      // (A match field not kept alone would need its object: such a shape is checked entry by entry.)
      action.workloadShape = action.matchSlots.every((s) => s >= 0);
    }
  }
  const start = w.pos;
  try {
    // Tags, ids and short lengths are written unchecked into room reserved before each part.
    w.reserve(ENTRY_ROOM + table.head.length);
    w.tag(0x12); // Entity.table_entry
    const entry = w.mark();
    for (let i = 0; i < table.head.length; i++) w.tag(table.head[i]); // table_id
    for (let k = 0; k < table.fields.length; k++) {
      const f = table.fields[k];
      const v = slots ? workload!.valueAt(slots.matchSlots![k]) : match[f.name];
      if (f.kind !== 'exact') {
        if (v === null || v === undefined) continue; // don't care: left out
        if (!looseMatch(w, f, v)) {
          w.pos = start;
          return false;
        }
        continue;
      }
      if (v === undefined || v === null || typeof v === 'object') {
        w.pos = start;
        return false;
      }
      w.reserve(ENTRY_ROOM);
      w.tag(0x12); // match
      const m = w.mark();
      w.tag(0x08); // field_id
      w.varint(f.id);
      w.tag(0x12); // exact
      const x = w.mark();
      w.tag(0x0a); // value
      value(w, f, v);
      w.close(x);
      w.close(m);
    }
    w.reserve(ENTRY_ROOM + action.head.length);
    w.tag(0x1a); // action
    const ta = w.mark();
    w.tag(0x0a); // TableAction.action
    const a = w.mark();
    for (let i = 0; i < action.head.length; i++) w.tag(action.head[i]); // action_id
    for (let k = 0; k < action.params.length; k++) {
      const p = action.params[k];
      let v: P4Value | undefined;
      if (slots && slots.paramSlots![k] >= 0) v = workload!.valueAt(slots.paramSlots![k]) as P4Value;
      else {
        if (params === NO_VALUES) params = e.params; // (a remote endpoint's: its shared object)
        v = params[p.name];
      }
      if (v === undefined) {
        w.pos = start;
        return false;
      }
      w.reserve(ENTRY_ROOM);
      w.tag(0x22); // params
      const pm = w.mark();
      w.tag(0x10); // param_id
      w.varint(p.id);
      w.tag(0x1a); // value
      value(w, p, v);
      w.close(pm);
    }
    w.close(a);
    w.close(ta);
    w.reserve(ENTRY_ROOM + OWNER_METADATA.length);
    if (priority !== undefined) {
      w.tag(0x20); // priority
      w.varint(priority);
    }
    w.tag(0x5a); // metadata
    w.varint(OWNER_METADATA.length);
    for (let i = 0; i < OWNER_METADATA.length; i++) w.tag(OWNER_METADATA[i]);
    w.close(entry);
    return true;
  } catch {
    // The client's encoder says what is wrong, with its own message.
    w.pos = start;
    return false;
  }
}

/**
 * FNV-1a of the length and the first 48 bytes of `buf[start, end)`: what tells entities apart
 * (table id and match key) comes first in an Entity, and equal hashes are compared byte for byte.
 */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  const stop = Math.min(end, start + 48);
  for (let i = start; i < stop; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h | 0;
}

/** The Entity bytes of every planned entity, in plan order. */
export class PlanWire {
  constructor(
    readonly buf: Uint8Array,
    /** Entity i is `buf[start[i], start[i + 1])`. */
    readonly start: Int32Array,
  ) {}
  get size(): number {
    return this.start.length - 1;
  }
  bytes(i: number): Uint8Array {
    return this.buf.subarray(this.start[i], this.start[i + 1]);
  }
  hash(i: number): number {
    return hashBytes(this.buf, this.start[i], this.start[i + 1]);
  }
}

/**
 * Planned entities encoded one at a time into one buffer, each after the last; what was written
 * from a position on can be dropped again (a diff keeps only the bytes it writes).
 */
export class PlanWriter {
  private readonly w: Writer;
  constructor(
    private readonly client: P4RuntimeClient,
    size: number,
  ) {
    this.w = new Writer(Math.max(1 << 12, size));
  }
  /** The bytes so far (a new buffer after one grew). */
  get buf(): Uint8Array {
    return this.w.buf;
  }
  get pos(): number {
    return this.w.pos;
  }
  /** Writes entity `e`'s bytes, from the position it returns up to {@link pos}. */
  add(e: PlannedEntity): number {
    const w = this.w;
    const start = w.pos;
    if (e.kind === 'table' && tableEntry(w, this.client.p4info, e)) return start;
    const bytes = p4.v1.Entity.encode(encodePlanned(this.client, e)).finish();
    w.reserve(bytes.length);
    w.buf.set(bytes, w.pos);
    w.pos += bytes.length;
    return start;
  }
  /** Drops what was written from `start` on. */
  rewind(start: number): void {
    this.w.pos = start;
  }
}

/** Encodes planned entities with the device's P4Info (the client's, as {@link encodePlanned}). */
export function encodePlanWire(client: P4RuntimeClient, entities: readonly PlannedEntity[]): PlanWire {
  // Most entries take 40 to 90 bytes: room for all of them at once, grown if needed.
  const w = new PlanWriter(client, entities.length * 80);
  const start = new Int32Array(entities.length + 1);
  for (let i = 0; i < entities.length; i++) start[i] = w.add(entities[i]);
  start[entities.length] = w.pos;
  return new PlanWire(w.buf, start);
}
