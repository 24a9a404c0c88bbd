/**
 * ReadResponse bytes written as a read goes: table entries are encoded field by field from the
 * device's entry (the bytes protobufjs writes for the message that {@link fieldMatchesOf} and
 * {@link actionMessageOf} build, without building it), every other entity by the generated
 * encoder. A wildcard read of a 100,000-entry table then makes no object per entry beyond what the
 * device hands out. Field numbers are p4runtime.proto's (p4.v1.ReadResponse.entities = 1,
 * Entity.table_entry = 2, TableEntry, FieldMatch, TableAction, Action).
 */
import { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceActionCall, DeviceKeyParam } from '../device/device.js';
import { bytesEqual, firstNonZero, isZero, rangeDefaultHigh, rangeDefaultLow } from './bytestrings.js';
import type { ActionModel, P4InfoModel, TableModel } from './p4info-model.js';
import { internalError } from './status.js';

const LEN = 2;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const VARINT = 0;
const tag = (field: number, wire: number) => (field << 3) | wire;

/** A growable buffer with protobuf's varints and length-delimited fields. */
export class ProtoBuffer {
  buf: Buffer;
  pos = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(v: number): void {
    this.reserve(10);
    const buf = this.buf;
    let at = this.pos;
    if (v <= 0x7fffffff) {
      // Ids, tags and lengths: 31-bit shifts.
      while (v > 0x7f) {
        buf[at++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v > 0x7f) {
        buf[at++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
    }
    buf[at++] = v;
    this.pos = at;
  }

  /** An unsigned 64-bit value (uint64, or an int64 that is not negative). */
  varint64(v: bigint): void {
    if (v <= MAX_SAFE) {
      this.varint(Number(v));
      return;
    }
    this.reserve(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** The tag of a field numbered below 16 (one byte), with room for 10 bytes after it. */
  private tag(field: number, wire: number): void {
    this.reserve(11);
    this.buf[this.pos++] = tag(field, wire);
  }

  /** A varint field, left out when 0 (proto3). */
  uint(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, VARINT);
    this.varint(v);
  }

  uint64(field: number, v: bigint): void {
    if (v === 0n) return;
    this.tag(field, VARINT);
    this.varint64(v);
  }

  /** A bytes field, left out when empty (proto3). */
  bytes(field: number, b: Uint8Array, from = 0): void {
    const n = b.length - from;
    if (n <= 0) return;
    this.tag(field, LEN);
    this.varint(n);
    this.reserve(n);
    // A loop rather than subarray + set: keys and parameters are a few bytes each.
    const buf = this.buf;
    let at = this.pos;
    for (let i = from; i < b.length; i++) buf[at++] = b[i];
    this.pos = at;
  }

  /** Bytes `from` to `to` of `src` as they are (fields encoded before). */
  raw(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.reserve(n);
    if (n > 64) this.buf.set(src.subarray(from, to), this.pos);
    else {
      const buf = this.buf;
      let at = this.pos;
      for (let i = from; i < to; i++) buf[at++] = src[i];
    }
    this.pos += n;
  }

  /** A bytes field in P4Runtime's canonical form (no leading zero bytes; zero is one 0 byte). */
  canonical(field: number, b: Uint8Array): void {
    const i = firstNonZero(b);
    if (i === b.length) this.bytes(field, ZERO);
    else this.bytes(field, b, i);
  }

  /** Opens a length-delimited field; {@link close} with the returned mark ends it. */
  open(field: number): number {
    this.tag(field, LEN);
    // One byte for the length, moved when the content needs more (lengths of 128 and above).
    return this.pos++;
  }

  close(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.reserve(extra);
    this.buf.copy(this.buf, mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    const end = this.pos;
    this.pos = mark;
    this.varint(len);
    this.pos = end;
  }
}

const ZERO = new Uint8Array([0]);

/** FieldMatch fields of p4runtime.proto. */
const FM = { fieldId: 1, exact: 2, ternary: 3, lpm: 4, range: 6, optional: 7 } as const;

/** Smallest buffer a response is written to (as much again is added when it fills). */
const MIN_RESPONSE_BUFFER = 1 << 12;

/** The controller state a table entry's encoding carries (tables.ts EntryData). */
export interface EncodedEntryData {
  readonly controllerMetadata: bigint;
  readonly idleTimeoutNs: bigint;
  readonly metadata: Uint8Array;
}

/**
 * One Entity of a ReadResponse (field 1, tag and length included): Entity { table_entry {
 * table_id, match, action, priority, controller_metadata, idle_timeout_ns, metadata } }, the bytes
 * protobufjs writes for what tables.ts `entryMessage` builds for an entry with a direct action.
 */
export function writeTableEntity(
  w: ProtoBuffer,
  model: P4InfoModel,
  table: TableModel,
  key: readonly DeviceKeyParam[],
  call: DeviceActionCall,
  priority: number,
  data: EncodedEntryData | undefined,
): void {
  const entity = w.open(1);
  const tableEntry = w.open(2);
  w.uint(1, table.id);
  writeFieldMatches(w, table, key);
  writeAction(w, model, call);
  if (table.needsPriority && priority > 0) w.uint(4, priority);
  if (data) {
    w.uint64(5, data.controllerMetadata);
    w.uint64(9, data.idleTimeoutNs);
    w.bytes(11, data.metadata);
  }
  w.close(tableEntry);
  w.close(entity);
}

/**
 * The entities of one Read, as the ReadResponse messages that carry them (at most `chunkEntities`
 * entities each; at least one message, possibly empty, as PI always answers one).
 */
export class ReadResponseWriter {
  private readonly out = new ProtoBuffer(MIN_RESPONSE_BUFFER);
  private readonly responses: Buffer[] = [];
  private count = 0;
  /**
   * Encoded entities given by {@link encoded} and not yet copied: consecutive ranges of one buffer
   * are copied at once (entries kept in handle order are read in handle order).
   */
  private runSource: Uint8Array | undefined;
  private runFrom = 0;
  private runTo = 0;

  constructor(private readonly chunkEntities: number) {}

  /** An entity built as a message (anything but the table entries written field by field). */
  entity(e: p4.v1.IEntity): void {
    this.copyRun();
    const bytes = p4.v1.Entity.encode(e).finish();
    this.out.bytes(1, bytes);
    if (bytes.length === 0) {
      // An empty entity is still one element of the repeated field.
      this.out.varint(tag(1, LEN));
      this.out.varint(0);
    }
    this.entityDone();
  }

  /** A table entry with a direct action, as {@link writeTableEntity}. */
  tableEntry(
    model: P4InfoModel,
    table: TableModel,
    key: readonly DeviceKeyParam[],
    call: DeviceActionCall,
    priority: number,
    data: EncodedEntryData | undefined,
  ): void {
    this.copyRun();
    writeTableEntity(this.out, model, table, key, call, priority, data);
    this.entityDone();
  }

  /** One entity already encoded (as {@link writeTableEntity} writes it): bytes `from` to `to` of `source`. */
  encoded(source: Uint8Array, from: number, to: number): void {
    if (source === this.runSource && from === this.runTo) this.runTo = to;
    else {
      this.copyRun();
      this.runSource = source;
      this.runFrom = from;
      this.runTo = to;
    }
    this.entityDone();
  }

  /** The ReadResponse messages, as bytes. */
  finish(): Buffer[] {
    if (this.count > 0 || this.responses.length === 0) this.flush(true);
    return this.responses;
  }

  private copyRun(): void {
    if (this.runSource === undefined) return;
    this.out.raw(this.runSource, this.runFrom, this.runTo);
    this.runSource = undefined;
  }

  private entityDone(): void {
    if (++this.count === this.chunkEntities) this.flush();
  }

  /**
   * Ends the response being written: its bytes are handed out as they are (no copy), and the next
   * response is written to a new buffer of about the same size (not zero-filled).
   */
  private flush(last = false): void {
    this.copyRun();
    const out = this.out;
    const size = out.pos;
    this.responses.push(out.buf.subarray(0, size));
    if (!last) out.buf = Buffer.allocUnsafe(Math.max(MIN_RESPONSE_BUFFER, size + (size >> 3)));
    out.pos = 0;
    this.count = 0;
  }
}

/** As {@link fieldMatchesOf} (PI's `parse_match_key`): don't-care fields are left out. */
function writeFieldMatches(w: ProtoBuffer, table: TableModel, params: readonly DeviceKeyParam[]): void {
  const fields = table.matchFields;
  for (let i = 0; i < fields.length; i++) {
    const p = params[i];
    if (!p) continue;
    const field = fields[i];
    let m: number;
    let inner: number;
    switch (p.kind) {
      case 'valid':
        m = w.open(2);
        w.uint(FM.fieldId, field.id);
        inner = w.open(FM.exact);
        w.bytes(1, p.valid ? ONE : ZERO);
        break;
      case 'exact':
        m = w.open(2);
        w.uint(FM.fieldId, field.id);
        inner = w.open(FM.exact);
        w.canonical(1, p.value);
        break;
      case 'lpm':
        if (p.prefixLength <= 0) continue;
        m = w.open(2);
        w.uint(FM.fieldId, field.id);
        inner = w.open(FM.lpm);
        w.canonical(1, p.value);
        w.uint(2, p.prefixLength);
        break;
      case 'ternary':
        if (isZero(p.mask)) continue;
        m = w.open(2);
        w.uint(FM.fieldId, field.id);
        if (field.matchType === 'optional') {
          inner = w.open(FM.optional);
          w.canonical(1, p.value);
        } else {
          inner = w.open(FM.ternary);
          w.canonical(1, p.value);
          w.canonical(2, p.mask);
        }
        break;
      case 'range':
        if (
          bytesEqual(p.low, rangeDefaultLow(field.bitwidth)) &&
          bytesEqual(p.high, rangeDefaultHigh(field.bitwidth))
        )
          continue;
        m = w.open(2);
        w.uint(FM.fieldId, field.id);
        inner = w.open(FM.range);
        w.canonical(1, p.low);
        w.canonical(2, p.high);
        break;
    }
    w.close(inner);
    w.close(m);
  }
}

/** The last action looked up: the entries of a table mostly share one. */
let lastAction: { model: P4InfoModel; name: string; action: ActionModel } | undefined;

function actionOf(model: P4InfoModel, name: string): ActionModel {
  if (lastAction?.model === model && lastAction.name === name) return lastAction.action;
  const action = model.actionsByName.get(name);
  if (!action) throw internalError('Device reported an action that is not in the P4Info', `'${name}'`);
  lastAction = { model, name, action };
  return action;
}

/** TableAction { action { action_id, params } }, as {@link actionMessageOf}. */
function writeAction(w: ProtoBuffer, model: P4InfoModel, call: DeviceActionCall): void {
  const action = actionOf(model, call.action);
  const tableAction = w.open(3);
  const a = w.open(1);
  w.uint(1, action.id);
  const params = action.params;
  for (let i = 0; i < params.length; i++) {
    const p = w.open(4);
    w.uint(2, params[i].id);
    w.canonical(3, call.args[i] ?? EMPTY);
    w.close(p);
  }
  w.close(a);
  w.close(tableAction);
}

const ONE = new Uint8Array([1]);
const EMPTY = new Uint8Array(0);
