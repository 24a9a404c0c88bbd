/**
 * A table-entry INSERT in the shape clients send for most writes, decoded flat by the server's
 * Write decoder (grpc/write-request.ts `decodeCommonUpdate`): numbers for its ids and for where its
 * byte strings lie in the request, instead of the eight protobufjs messages and three byte views
 * per entry the general decoder makes. tables.ts `insertCommonWrite` applies it from these numbers
 * and the device converts the key and parameters straight from the request bytes; anything that
 * path does not take (and whatever else reads the update, e.g. a role's scope) gets the messages
 * the general decoder makes of the same bytes ({@link CommonTableWrite.entity}), made once on demand.
 * The round-1 cost of the first writes is mostly V8 compiling the path they take: one record and
 * one pass make far less code to compile than the messages did.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';

/**
 * The numbers of a request's common INSERTs, one after another in a typed array the decoder fills
 * request after request (no array per entry, nothing for the collector to copy or trace, one
 * allocation per many requests). From a record's `at`:
 *   table id, match count m, m × (field id, value start, value end),
 *   action id, param count n, n × (param id, value start, value end),
 *   metadata start, metadata end.
 * Starts and ends index {@link CommonWrites.bytes}; an absent or empty byte string has start = end.
 * A TableEntry without an action has action id -1 (no action has that id). Ids are uint32, which a
 * Float64Array holds exactly.
 */
export class CommonWrites {
  constructor(
    /** The request's bytes. */
    readonly bytes: Uint8Array,
    /** The general decoder's Update of `bytes` from `start` to `end`. */
    readonly decodeUpdate: (bytes: Uint8Array, start: number, end: number) => p4.v1.IUpdate,
    /** Where the numbers are (shared with other requests' records, each at its own place). */
    readonly layout: Float64Array,
  ) {}
}

/** Update.Type INSERT. */
const INSERT = 1;

/** One common INSERT (see the module comment); also a p4.v1.IUpdate for every other reader. */
export class CommonTableWrite implements p4.v1.IUpdate {
  private decoded: p4.v1.IUpdate | undefined = undefined;

  constructor(
    readonly writes: CommonWrites,
    /** Where this entry's numbers start in `writes.layout`. */
    readonly at: number,
    /** The Update's bytes in `writes.bytes`. */
    readonly updateStart: number,
    readonly updateEnd: number,
    /**
     * Where the Entity's content is when it is byte for byte what a Read gives back for the entry
     * (encoded-entries.ts `storeCopy`: no zero priority, no empty byte string, byte strings
     * canonical, varints minimal), up to `updateEnd`; -1 otherwise.
     */
    readonly entityStart: number,
  ) {}

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
