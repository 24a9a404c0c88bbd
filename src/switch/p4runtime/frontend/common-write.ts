/**
 * A table-entry INSERT in the shape clients send for most writes, decoded flat by the server's
 * Write decoder (grpc/write-request.ts `decodeCommonUpdate`): numbers for its ids and for where its
 * byte strings lie in the request, instead of the eight protobufjs messages and three byte views
 * per entry the general decoder makes. tables.ts `insertCommonWrite` applies it from these numbers
 * and the device converts the key and parameters straight from the request bytes; anything that
 * path does not take (and whatever else reads the update, e.g. a role's scope) gets the messages
 * the general decoder makes of the same bytes ({@link CommonTableWrite.entity}), made once on demand.
 * INSERTs into tables with a priority have a record of their own shape ({@link ClassifiedTableWrite}).
 * The round-1 cost of the first writes is mostly V8 compiling the path they take: one record and
 * one pass make far less code to compile than the messages did.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';

/**
 * The numbers of a request's common INSERTs, one after another in one typed array (no array per
 * entry, nothing for the collector to copy or trace). From a record's `at`:
 *   table id, match count m, m × (field id, value start, value end),
 *   action id, param count n, n × (param id, value start, value end),
 *   metadata start, metadata end.
 * Starts and ends index {@link CommonWrites.bytes}; an absent or empty byte string has start = end.
 * A TableEntry without an action has action id -1 (no action has that id). Ids are uint32, which a
 * Float64Array holds exactly.
 */
export class CommonWrites {
  layout: Float64Array;
  /** Numbers written so far; the decoder writes from here and moves it past a record it makes. */
  size = 0;

  constructor(
    /** The request's bytes. */
    readonly bytes: Uint8Array,
    /** The general decoder's Update of `bytes` from `start` to `end`. */
    readonly decodeUpdate: (bytes: Uint8Array, start: number, end: number) => p4.v1.IUpdate,
    capacity: number,
  ) {
    this.layout = new Float64Array(capacity);
  }

  /** The layout, with room for `count` numbers more (moved into a larger one if need be). */
  reserve(count: number): Float64Array {
    if (this.size + count > this.layout.length) this.grow(this.size + count);
    return this.layout;
  }

  /** Apart from {@link reserve}: rarely run, so not compiled into the decoder that calls it. */
  private grow(needed: number): void {
    const grown = new Float64Array(Math.max(needed, this.layout.length * 2));
    grown.set(this.layout.subarray(0, this.size));
    this.layout = grown;
  }
}

/** Update.Type INSERT. */
const INSERT = 1;

/** One common INSERT (see the module comment); also a p4.v1.IUpdate for every other reader. */
export class CommonTableWrite implements p4.v1.IUpdate {
  // Fields declared, and set by the constructor alone: class fields (and parameter properties) are
  // each defined on the new object by an initializer before the constructor sets them again, two
  // stores per field for every entry, in the decoder V8 compiles in the first writes.
  declare readonly writes: CommonWrites;
  /** Where this entry's numbers start in `writes.layout`. */
  declare readonly at: number;
  /** The Update's bytes in `writes.bytes`. */
  declare readonly updateStart: number;
  declare readonly updateEnd: number;
  /**
   * Where the Entity's content is when it is byte for byte what a Read gives back for the entry
   * (encoded-entries.ts `storeCopy`: no zero priority, no empty byte string, byte strings
   * canonical, varints minimal), up to `updateEnd`; -1 otherwise.
   */
  declare readonly entityStart: number;
  declare private decoded: p4.v1.IUpdate | undefined;

  constructor(writes: CommonWrites, at: number, updateStart: number, updateEnd: number, entityStart: number) {
    this.writes = writes;
    this.at = at;
    this.updateStart = updateStart;
    this.updateEnd = updateEnd;
    this.entityStart = entityStart;
    this.decoded = undefined;
  }

  /** Always INSERT (a getter: nothing stored per entry). */
  get type(): number {
    return INSERT;
  }

  /** The Update as the general decoder makes it (made on the first call, then kept). */
  update(): p4.v1.IUpdate {
    if (this.decoded === undefined)
      this.decoded = this.writes.decodeUpdate(this.writes.bytes, this.updateStart, this.updateEnd);
    return this.decoded;
  }

  get entity(): p4.v1.IEntity | null | undefined {
    return this.update().entity;
  }
}

/**
 * An INSERT of a table with a priority in the shape clients send (issue 11r): a CommonTableWrite
 * whose numbers from `at` are laid out for ACL-like tables (tables.ts `insertClassifiedWrite`):
 *   table id, match count m, m × (field id, kind, first start, first end, second start, second end),
 *   action id, param count n, n × (param id, value start, value end),
 *   priority, metadata start, metadata end.
 * The kind is device.ts SPAN_EXACT, SPAN_TERNARY, SPAN_RANGE or SPAN_OPTIONAL; the two byte strings
 * are the exact or optional value (the second empty), the ternary value and mask, the range's low
 * and high. The priority is in 1..2^31-1. Every other reader sees its messages, as a CommonTableWrite's.
 */
export class ClassifiedTableWrite extends CommonTableWrite {}
