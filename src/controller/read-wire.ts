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

/** An observed entity whose P4Runtime form is decoded from its bytes on first use. */
class WireObserved implements ObservedEntity {
  private decoded?: p4.v1.IEntity;
  constructor(
    readonly key: string,
    readonly value: string,
    readonly tableId: number | undefined,
    /** The response and where the entity lies in it (no view object per entity until decoded). */
    private readonly response: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {}
  get raw(): p4.v1.IEntity {
    if (!this.decoded) this.decoded = p4.v1.Entity.decode(this.response.subarray(this.start, this.end));
    return this.decoded;
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
    else if (type === 2) this.pos += this.varint();
    else if (type === 5) this.pos += 4;
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

/** Key and value of the TableEntry in `buf[start, end)`, as entityKey and entityValue give them. */
function tableEntry(buf: Uint8Array, start: number, end: number, entityStart: number): ObservedEntity {
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
  if (actionSet) {
    const raw = p4.v1.Entity.decode(buf.subarray(entityStart, end));
    return { key: entityKey(raw), value: entityValue(raw), raw, tableId };
  }
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
  return new WireObserved(key, value, tableId, buf, entityStart, end);
}

/** Adds the entities of one ReadResponse (its bytes) to `out`, by key. */
export function addReadResponse(bytes: Uint8Array, out: Map<string, ObservedEntity>): void {
  const r = new Reader(bytes, 0, bytes.length);
  while (r.pos < bytes.length) {
    const tag = r.varint();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    const len = r.varint();
    const stop = r.pos + len;
    const entityStart = r.pos;
    // Entity: a table_entry (field 2) is parsed here; anything else is decoded.
    const t = r.varint();
    let observed: ObservedEntity;
    if (t >>> 3 === 2 && (t & 7) === 2 && r.varint() + r.pos === stop) {
      observed = tableEntry(bytes, r.pos, stop, entityStart);
    } else {
      const raw = p4.v1.Entity.decode(bytes.subarray(entityStart, stop));
      const key = entityKey(raw);
      observed = { key, value: entityValue(raw), raw, tableId: raw.tableEntry?.tableId ?? undefined };
    }
    out.set(observed.key, observed);
    r.pos = stop;
  }
}
