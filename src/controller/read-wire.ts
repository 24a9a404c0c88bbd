/**
 * Observed entities straight from ReadResponse bytes: a table entry's key and value (device-state.ts)
 * are built from its protobuf fields without decoding it into objects, and the entity itself is
 * decoded only when something asks for it (a delete, a modify, the allocations of a few tables).
 * A no-op apply reads ~170,000 entries per device and needs only their keys and values; the full
 * decode of each (eight or so objects per entry) was most of its time. Field numbers are those of
 * p4/v1/p4runtime.proto (P4Runtime 1.x); replication entities are few and decoded as usual.
 */
import { p4 } from 'p4runtime-ts-grpc';
import { entityKey, entityValue, HEX, type ObservedEntity } from './device-state.js';
import { KeyedMap } from './keyed-map.js';

/**
 * An observed entity kept as its Entity bytes, `buf[start, end)` (a Read's response, or what was
 * written): its key, value and P4Runtime form are computed from them each time they are asked for,
 * so that what the service keeps of a device (keyed-map.ts) holds no text and no object per entity.
 */
export class WireObserved implements ObservedEntity {
  constructor(
    readonly tableId: number | undefined,
    /** The response (or buffer) and where the entity lies in it. */
    private readonly buf: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {}
  get key(): string {
    return keyValueOf(this.buf, this.start, this.end).key;
  }
  get value(): string {
    return keyValueOf(this.buf, this.start, this.end).value;
  }
  /** Decoded again at each use (callers take it once): nothing decoded is kept. */
  get raw(): p4.v1.IEntity {
    return p4.v1.Entity.decode(this.buf.subarray(this.start, this.end));
  }
  /** True for a table's default entry (TableEntry.is_default_action), read from the bytes. */
  get isDefault(): boolean {
    return isDefaultEntry(this.buf, this.start, this.end);
  }
}

/** A protobuf reader over one message's bytes (varints up to 2^53; P4Runtime ids are 32-bit). */
class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  varint(): number {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
  }
  /** Skips a field of wire type `type`. */
  skip(type: number): void {
    if (type === 0) this.varint();
    else if (type === 1) this.pos += 8;
    else if (type === 2) {
      // Not `this.pos += this.varint()`: that adds the length to the position before it was read.
      const len = this.varint();
      this.pos += len;
    } else if (type === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${type} in a ReadResponse`);
  }
}

const hexOf = (buf: Uint8Array, start: number, end: number): string => {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[buf[i]];
  return s;
};

/** `bytes` fields 1 and 2 of a small message (FieldMatch's Exact, Ternary, LPM, Range, Optional). */
function twoFields(r: Reader, end: number): { a: string; b: string; n: number } {
  let a = '';
  let b = '';
  let n = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if ((tag & 7) === 2 && (field === 1 || field === 2)) {
      const len = r.varint();
      const text = hexOf(r.buf, r.pos, r.pos + len);
      r.pos += len;
      if (field === 1) a = text;
      else b = text;
    } else if ((tag & 7) === 0 && field === 2) n = r.varint() | 0;
    else r.skip(tag & 7);
  }
  return { a, b, n };
}

/** `fieldId=...` of one FieldMatch, as device-state.ts's fieldMatchKey writes it. */
function fieldMatch(r: Reader, end: number): { id: number; text: string } {
  let id = 0;
  let text: string | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) {
      id = r.varint();
      continue;
    }
    if ((tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    const len = r.varint();
    const stop = r.pos + len;
    if (field === 2) text = `=${twoFields(r, stop).a}`;
    else if (field === 3) {
      const t = twoFields(r, stop);
      text = `=${t.a}&${t.b}`;
    } else if (field === 4) {
      const t = twoFields(r, stop);
      text = `=${t.a}/${t.n}`;
    } else if (field === 6) {
      const t = twoFields(r, stop);
      text = `=${t.a}..${t.b}`;
    } else if (field === 7) text = `=?${twoFields(r, stop).a}`;
    r.pos = stop;
  }
  return { id, text: `${id}${text ?? ''}` };
}

/** `actionId(paramId=hex,...)` of an Action, params in id order (device-state.ts entityValue). */
function action(r: Reader, end: number): string {
  let id = 0;
  const params: Array<{ id: number; hex: string }> = [];
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) id = r.varint();
    else if (field === 4 && (tag & 7) === 2) {
      const stop = r.varint() + r.pos;
      let pid = 0;
      let hex = '';
      while (r.pos < stop) {
        const t = r.varint();
        if (t >>> 3 === 2 && (t & 7) === 0) pid = r.varint();
        else if (t >>> 3 === 3 && (t & 7) === 2) {
          const len = r.varint();
          hex = hexOf(r.buf, r.pos, r.pos + len);
          r.pos += len;
        } else r.skip(t & 7);
      }
      params.push({ id: pid, hex });
    } else r.skip(tag & 7);
  }
  for (let i = 1; i < params.length; i++)
    if (params[i].id < params[i - 1].id) {
      params.sort((x, y) => x.id - y.id);
      break;
    }
  let s = `${id}(`;
  for (let i = 0; i < params.length; i++) s += `${i > 0 ? ',' : ''}${params[i].id}=${params[i].hex}`;
  return `${s})`;
}

/** A key and a value (device-state.ts). */
export interface KeyValue {
  key: string;
  value: string;
}

/**
 * Key and value of the TableEntry in `buf[start, end)`, as entityKey and entityValue give them;
 * undefined for an entry with a one-shot action set (decoded as usual: few entries).
 */
function tableEntry(buf: Uint8Array, start: number, end: number): KeyValue | undefined {
  const r = new Reader(buf, start, end);
  let tableId = 0;
  let priority = 0;
  let isDefault = false;
  let actionText: string | undefined;
  let actionSet = false;
  let metadata = '';
  const matches: Array<{ id: number; text: string }> = [];
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const type = tag & 7;
    if (type === 0) {
      const v = r.varint();
      if (field === 1) tableId = v;
      else if (field === 4) priority = v | 0;
      else if (field === 8) isDefault = v !== 0;
    } else if (type === 2) {
      const len = r.varint();
      const stop = r.pos + len;
      if (field === 2) matches.push(fieldMatch(r, stop));
      else if (field === 3) {
        // TableAction: its `action` (field 1) read here; a one-shot action set (field 4, an
        // ECMP route's) is decoded as usual below (few entries). Members and groups are not used.
        while (r.pos < stop) {
          const t = r.varint();
          if (t >>> 3 === 1 && (t & 7) === 2) {
            const l = r.varint();
            actionText = action(r, r.pos + l);
          } else {
            if (t >>> 3 === 4) actionSet = true;
            r.skip(t & 7);
          }
        }
      } else if (field === 11) metadata = hexOf(buf, r.pos, stop);
      r.pos = stop;
    } else r.skip(type);
  }
  if (actionSet) return undefined;
  let key: string;
  if (isDefault) key = `T${tableId}|default`;
  else {
    for (let i = 1; i < matches.length; i++)
      if (matches[i].id < matches[i - 1].id) {
        matches.sort((x, y) => x.id - y.id);
        break;
      }
    key = `T${tableId}|`;
    for (let i = 0; i < matches.length; i++) key += `${i > 0 ? ',' : ''}${matches[i].text}`;
    key += `|${priority}`;
  }
  const value = actionText === undefined ? metadata : `${actionText}${metadata}`;
  return { key, value };
}

/** Key and value of the Entity `buf[start, end)` (the message, without its tag and length). */
export function keyValueOf(buf: Uint8Array, start: number, end: number): KeyValue {
  const r = new Reader(buf, start, end);
  const t = r.varint();
  if (t >>> 3 === 2 && (t & 7) === 2 && r.varint() + r.pos === end) {
    const kv = tableEntry(buf, r.pos, end);
    if (kv) return kv;
  }
  const raw = p4.v1.Entity.decode(buf.subarray(start, end));
  return { key: entityKey(raw), value: entityValue(raw) };
}

/** True when the Entity `buf[start, end)` is a table's default entry (TableEntry is_default_action 8). */
export function isDefaultEntry(buf: Uint8Array, start: number, end: number): boolean {
  const r = new Reader(buf, start, end);
  if (r.varint() !== 0x12 || r.varint() + r.pos !== end) return false;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x40) return r.varint() !== 0;
    r.skip(tag & 7);
  }
  return false;
}

/** Grows an Int32Array to hold at least `n` elements. */
const grow = (a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> => {
  if (n <= a.length) return a;
  const next = new Int32Array(Math.max(n, a.length * 2));
  next.set(a);
  return next;
};

/**
 * What a Read returned, kept as the response bytes: where each entity lies, and for table entries
 * their table id, with no object or text per entity. Compared with a plan by bytes (wire-diff.ts);
 * an entity gets its key and value ({@link ObservedEntity}) only when something asks for it.
 */
export class WireSnapshot {
  private readonly chunks: Uint8Array[] = [];
  private chunk = new Int32Array(1024);
  /** Entity i is `chunks[chunk[i]][start[i], end[i])` (the Entity message, without its tag and length). */
  private start = new Int32Array(1024);
  private end = new Int32Array(1024);
  /** Table id of a table entry, 0 for anything else. */
  private table = new Int32Array(1024);
  /** 1 for a table's default entry (read by its own request: a wildcard read skips them). */
  private defaults = new Uint8Array(1024);
  size = 0;

  /** Adds the entities of one ReadResponse; `defaults`: the Read asked for default entries. */
  add(bytes: Uint8Array, defaults = false): void {
    const c = this.chunks.length;
    this.chunks.push(bytes);
    const r = new Reader(bytes, 0, bytes.length);
    while (r.pos < bytes.length) {
      const tag = r.varint();
      if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
        r.skip(tag & 7);
        continue;
      }
      const len = r.varint();
      const stop = r.pos + len;
      const n = this.size++;
      if (n >= this.chunk.length) {
        this.chunk = grow(this.chunk, n + 1);
        this.start = grow(this.start, n + 1);
        this.end = grow(this.end, n + 1);
        this.table = grow(this.table, n + 1);
        const d = new Uint8Array(this.chunk.length);
        d.set(this.defaults);
        this.defaults = d;
      }
      this.chunk[n] = c;
      this.start[n] = r.pos;
      this.end[n] = stop;
      this.defaults[n] = defaults ? 1 : 0;
      this.table[n] = tableIdOf(r, stop);
      r.pos = stop;
    }
  }

  /** FNV-1a of entity i's bytes (planned-wire.ts hashBytes). */
  hash(i: number, hashBytes: (buf: Uint8Array, start: number, end: number) => number): number {
    return hashBytes(this.chunks[this.chunk[i]], this.start[i], this.end[i]);
  }

  /** True when entity i's bytes are `buf[start, end)`. */
  equals(i: number, buf: Uint8Array, start: number, end: number): boolean {
    const s = this.start[i];
    if (this.end[i] - s !== end - start) return false;
    const own = this.chunks[this.chunk[i]];
    for (let k = 0; k < end - start; k++) if (own[s + k] !== buf[start + k]) return false;
    return true;
  }

  tableId(i: number): number {
    return this.table[i];
  }

  /** The response that holds entity i: its Entity message is `bufferOf(i)[startOf(i), endOf(i))`. */
  bufferOf(i: number): Uint8Array {
    return this.chunks[this.chunk[i]];
  }
  startOf(i: number): number {
    return this.start[i];
  }
  endOf(i: number): number {
    return this.end[i];
  }

  /** True for a table's default entry. */
  isDefault(i: number): boolean {
    return this.defaults[i] === 1;
  }

  /** Entity i, its key and value computed from its bytes when asked ({@link WireObserved}). */
  observed(i: number): WireObserved {
    const id = this.table[i];
    return new WireObserved(
      id === 0 ? undefined : id,
      this.chunks[this.chunk[i]],
      this.start[i],
      this.end[i],
    );
  }

  /** Entity i, its key, value and form computed only when asked. */
  lazy(i: number): LazyWireEntity {
    const id = this.table[i];
    return new LazyWireEntity(
      id === 0 ? undefined : id,
      this.chunks[this.chunk[i]],
      this.start[i],
      this.end[i],
    );
  }

  /** Every entity by key ({@link observed}; kept by hash, without key texts: keyed-map.ts). */
  toMap(): KeyedMap<ObservedEntity> {
    const out = new KeyedMap<ObservedEntity>();
    for (let i = 0; i < this.size; i++) {
      const o = this.observed(i);
      out.set(o.key, o);
    }
    return out;
  }
}

/** The table id of the Entity `buf[start, end)` when it is a table entry, else 0. */
export function entityTableId(buf: Uint8Array, start: number, end: number): number {
  return tableIdOf(new Reader(buf, start, end), end);
}

/** The table id of the Entity in `r` up to `stop` when it is a table entry, else 0. */
function tableIdOf(r: Reader, stop: number): number {
  const t = r.varint();
  if (t !== 0x12) return 0;
  const end = r.varint() + r.pos;
  if (end !== stop) return 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x08) return r.varint();
    r.skip(tag & 7);
  }
  return 0;
}

/**
 * A table entry's match values and action parameters, where they lie in `buf` (no copy and no
 * view per value: a device's identifier tables hold tens of thousands of rows).
 */
export interface WireRow {
  buf: Uint8Array;
  tableId: number;
  isDefaultAction: boolean;
  actionId: number;
  /**
   * Triples (field id, start, end) of each FieldMatch's value: exact, LPM, ternary or optional
   * value; range low.
   */
  match: number[];
  /** Triples (param id, start, end). */
  params: number[];
}

/** Pushes (id, start, end) of the first `bytes` field (field 1) of a small message, if any. */
function firstBytes(r: Reader, end: number, id: number, out: number[]): void {
  let found = false;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x0a && !found) {
      const len = r.varint();
      out.push(id, r.pos, r.pos + len);
      found = true;
      r.pos += len;
    } else r.skip(tag & 7);
  }
}

/** The row of a table entry given as Entity bytes `buf[start, end)`; undefined for anything else. */
export function wireRow(buf: Uint8Array, start: number, end: number): WireRow | undefined {
  const r = new Reader(buf, start, end);
  if (r.varint() !== 0x12 || r.varint() + r.pos !== end) return undefined;
  const row: WireRow = { buf, tableId: 0, isDefaultAction: false, actionId: 0, match: [], params: [] };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x08) row.tableId = r.varint();
    else if (tag === 0x40) row.isDefaultAction = r.varint() !== 0;
    else if (tag === 0x12) {
      const stop = r.varint() + r.pos;
      let id = 0;
      let inner = -1;
      let innerEnd = -1;
      while (r.pos < stop) {
        const t = r.varint();
        if (t === 0x08) id = r.varint();
        else if ((t & 7) === 2 && t >>> 3 >= 2) {
          innerEnd = r.varint() + r.pos;
          inner = r.pos;
          r.pos = innerEnd;
        } else r.skip(t & 7);
      }
      // (The field id may follow the value: the value is read once the id is known.)
      if (inner >= 0) {
        r.pos = inner;
        firstBytes(r, innerEnd, id, row.match);
        r.pos = stop;
      }
    } else if (tag === 0x1a) {
      const stop = r.varint() + r.pos;
      while (r.pos < stop) {
        const t = r.varint();
        if (t !== 0x0a) {
          r.skip(t & 7);
          continue;
        }
        const actionEnd = r.varint() + r.pos;
        while (r.pos < actionEnd) {
          const a = r.varint();
          if (a === 0x08) row.actionId = r.varint();
          else if (a === 0x22) {
            const pe = r.varint() + r.pos;
            let pid = 0;
            let vs = r.pos;
            let ve = r.pos;
            while (r.pos < pe) {
              const p = r.varint();
              if (p === 0x10) pid = r.varint();
              else if (p === 0x1a) {
                const len = r.varint();
                vs = r.pos;
                ve = r.pos + len;
                r.pos += len;
              } else r.skip(p & 7);
            }
            row.params.push(pid, vs, ve);
          } else r.skip(a & 7);
        }
      }
    } else r.skip(tag & 7);
  }
  return row;
}

/** A multicast group's id and its replicas' instances, as read from its bytes. */
export interface WireGroup {
  multicastGroupId: number;
  replicas: Array<{ instance: number }>;
}

/**
 * The multicast group given as Entity bytes `buf[start, end)` (packet_replication_engine_entry = 9,
 * multicast_group_entry = 1: multicast_group_id 1, replicas 2 with instance 2); undefined for
 * anything else. Only the identifiers, without decoding the entity.
 */
export function wireGroup(buf: Uint8Array, start: number, end: number): WireGroup | undefined {
  const r = new Reader(buf, start, end);
  if (r.varint() !== 0x4a || r.varint() + r.pos !== end) return undefined;
  let group: WireGroup | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const stop = r.varint() + r.pos;
    group = { multicastGroupId: 0, replicas: [] };
    while (r.pos < stop) {
      const t = r.varint();
      if (t === 0x08) group.multicastGroupId = r.varint();
      else if (t === 0x12) {
        const replicaEnd = r.varint() + r.pos;
        let instance = 0;
        while (r.pos < replicaEnd) {
          const u = r.varint();
          if (u === 0x10) instance = r.varint();
          else r.skip(u & 7);
        }
        group.replicas.push({ instance });
      } else r.skip(t & 7);
    }
  }
  return group;
}

/**
 * An entity of a {@link WireSnapshot} that computes nothing until asked: its row (the planner's
 * identifiers are read from a few tables' rows), its key and value, or its decoded form.
 */
export class LazyWireEntity implements ObservedEntity {
  private keyed?: KeyValue;
  private decoded?: p4.v1.IEntity;
  constructor(
    readonly tableId: number | undefined,
    private readonly buf: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {}
  row(): WireRow | undefined {
    return wireRow(this.buf, this.start, this.end);
  }
  private get full(): KeyValue {
    this.keyed ??= keyValueOf(this.buf, this.start, this.end);
    return this.keyed;
  }
  get key(): string {
    return this.full.key;
  }
  get value(): string {
    return this.full.value;
  }
  get raw(): p4.v1.IEntity {
    this.decoded ??= p4.v1.Entity.decode(this.buf.subarray(this.start, this.end));
    return this.decoded;
  }
}
