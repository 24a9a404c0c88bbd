/**
 * The encoded Entity of each entry of one table, made at INSERT (tables.ts `keepEncoded`; or copied
 * from the request, common-write.ts CommonTableWrite.entityStart) or by a wildcard Read that finds none, and kept: a wildcard Read copies it instead of converting and
 * encoding the entry again. An encoding is
 * kept with the device's revision of the entry (device.ts `visitEntryRevisions`: it changes with
 * the entry's key or action, and is never that of another entry) and the server's state it was
 * made from (tables.ts EntryData, replaced on every write, never changed), and used only while both
 * are the same. Only what does not depend on the request is kept (tables.ts `readEncoded` leaves
 * reads of counters, meters and idle time to the message path).
 *
 * The bytes live in one growing buffer per table, one after another (no object per entry: a table
 * of 100,000 entries costs the collector nothing more); the space of replaced and deleted
 * encodings is taken back by copying the kept ones, in handle order, into a new buffer once it
 * exceeds what they use.
 */
import type { DeviceActionCall, DeviceKeyParam } from '../device/device.js';
import type { P4InfoModel, TableModel } from './p4info-model.js';
import { type EncodedEntryData, ProtoBuffer, writeTableEntity } from './read-encoder.js';

/** Below this many bytes, replaced encodings are left where they are. */
const MIN_COMPACT_BYTES = 1 << 16;

/** ReadResponse.entities (field 1, length-delimited). */
const ENTITY_TAG = (1 << 3) | 2;

export class EncodedEntries {
  private out = new ProtoBuffer(1 << 10);
  /** By handle: where the entry's bytes start and end in {@link bytes}. */
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  /** By handle: the device's revision of the entry encoded; 0 when there is none. */
  private revisions = new Float64Array(0);
  /** By handle: the server's state the encoding includes. */
  private data: (EncodedEntryData | undefined)[] = [];
  /** Bytes of the encodings kept. */
  private live = 0;

  /** The buffer the encodings are in (replaced when it grows or is compacted). */
  get bytes(): Uint8Array {
    return this.out.buf;
  }

  /** Where the encoding of `handle` starts in {@link bytes} (when {@link holds} says it is current). */
  start(handle: number): number {
    return this.starts[handle];
  }

  end(handle: number): number {
    return this.ends[handle];
  }

  /** True when the encoding kept for `handle` is of this revision of the entry and this state. */
  holds(handle: number, revision: number, data: EncodedEntryData | undefined): boolean {
    return (
      handle < this.revisions.length && this.revisions[handle] === revision && this.data[handle] === data
    );
  }

  /** Encodes the entry (as {@link writeTableEntity}) and keeps it under `handle`. */
  store(
    handle: number,
    revision: number,
    data: EncodedEntryData | undefined,
    model: P4InfoModel,
    table: TableModel,
    key: readonly DeviceKeyParam[],
    call: DeviceActionCall,
    priority: number,
  ): void {
    const start = this.open(handle);
    writeTableEntity(this.out, model, table, key, call, priority, data);
    this.file(handle, start, revision, data);
  }

  /**
   * Keeps under `handle` the Entity whose content is bytes `from` to `to` of `source`: the bytes
   * {@link store} would write (Entity field 1 of a ReadResponse: its tag, length and content), when
   * the content is what writeTableEntity writes for the entry (see common-write.ts CommonTableWrite.entityStart).
   */
  storeCopy(
    handle: number,
    revision: number,
    data: EncodedEntryData | undefined,
    source: Uint8Array,
    from: number,
    to: number,
  ): void {
    // What open, ProtoBuffer's varint and raw, and file do, written out in one function: this runs
    // once per common INSERT, and one function is compiled once in the first writes (each of them
    // was compiled alone and again into each caller).
    if (handle < this.revisions.length && this.revisions[handle] !== 0) this.drop(handle);
    if (this.out.pos - this.live > Math.max(this.live, MIN_COMPACT_BYTES)) this.compact();
    if (handle >= this.revisions.length) this.grow(handle);
    const n = to - from;
    const out = this.out;
    // The tag, a length of up to 5 bytes, the content (the buffer grown only when it must be: a
    // call run that rarely is not compiled on its own in the first writes).
    if (out.pos + n + 6 > out.buf.length) out.reserve(n + 6);
    const buf = out.buf;
    const start = out.pos;
    let at = start;
    buf[at++] = ENTITY_TAG;
    let v = n;
    while (v > 0x7f) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at++] = v;
    // A builtin's copy: fast from the first entry on, before V8 has optimized this function (a
    // loop of one byte per step runs in the interpreter until then).
    buf.set(source.subarray(from, to), at);
    at += n;
    out.pos = at;
    this.starts[handle] = start;
    this.ends[handle] = at;
    this.revisions[handle] = revision;
    this.data[handle] = data;
    this.live += at - start;
  }

  /** Makes room for `handle`'s new encoding (its old one dropped); where it starts in the buffer. */
  private open(handle: number): number {
    this.drop(handle);
    if (this.out.pos - this.live > Math.max(this.live, MIN_COMPACT_BYTES)) this.compact();
    if (handle >= this.revisions.length) this.grow(handle);
    return this.out.pos;
  }

  /** Files the encoding written since `start` under `handle`. */
  private file(handle: number, start: number, revision: number, data: EncodedEntryData | undefined): void {
    this.starts[handle] = start;
    this.ends[handle] = this.out.pos;
    this.revisions[handle] = revision;
    this.data[handle] = data;
    this.live += this.out.pos - start;
  }

  /** Forgets the encoding of `handle` (its entry is deleted or changed). */
  drop(handle: number): void {
    if (handle >= this.revisions.length || this.revisions[handle] === 0) return;
    this.revisions[handle] = 0;
    this.data[handle] = undefined;
    this.live -= this.ends[handle] - this.starts[handle];
  }

  /** Forgets the encodings of handles from `from` up to (not including) `to`: entries deleted. */
  dropRange(from: number, to: number): void {
    const end = Math.min(to, this.revisions.length);
    for (let h = from; h < end; h++) if (this.revisions[h] !== 0) this.drop(h);
  }

  private grow(handle: number): void {
    const size = Math.max(handle + 1, this.revisions.length * 2, 64);
    const starts = new Int32Array(size);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(size);
    ends.set(this.ends);
    this.ends = ends;
    const revisions = new Float64Array(size);
    revisions.set(this.revisions);
    this.revisions = revisions;
  }

  /** Copies the kept encodings, in handle order, to a new buffer of about twice their size. */
  private compact(): void {
    const from = this.out.buf;
    const out = new ProtoBuffer(Math.max(this.live * 2, 1 << 10));
    for (let h = 0; h < this.revisions.length; h++) {
      if (this.revisions[h] === 0) continue;
      const start = out.pos;
      out.raw(from, this.starts[h], this.ends[h]);
      this.starts[h] = start;
      this.ends[h] = out.pos;
    }
    this.out = out;
  }
}
