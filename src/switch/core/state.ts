/**
 * Per-packet mutable state: the PHV pools plus the bmv2 "packet registers" (clone/resubmit/recirculate
 * flags, packet length, truncation) and the data buffer. Compiled closures take a {@link PacketState} and
 * read/write it directly, so its shape is kept flat and monomorphic.
 */
import type { Value } from './bits.js';
import type { Layout } from './layout.js';

const NO_ARGS: readonly Value[] = [];
const EMPTY = new Uint8Array(0);

/**
 * What compiled closures reach through a packet at run time: the run-time objects of one engine
 * instance, each seen only through the operations the data path calls on it. Declared here, not
 * as the engine's full runtime (`runtime.ts`), so that packet state depends on no engine module
 * (bmv2's `Packet` likewise holds a pointer to its context, not the switch).
 */
export interface PacketRuntime {
  readonly tables: readonly { apply(s: PacketState): number }[];
  readonly counters: readonly { increment(index: number, bytes: number): void }[];
  readonly meters: readonly {
    readonly cells: readonly { execute(units: number, nowUs: number): number }[];
  }[];
  readonly registers: readonly {
    readonly cells: Float64Array | bigint[];
    write(index: number, value: bigint): void;
  }[];
  readonly valueSets: readonly {
    contains(key: number | bigint): boolean;
    containsMasked(key: number | bigint, mask: bigint): boolean;
  }[];
  readonly hashes: readonly { compute(data: Uint8Array): bigint }[];
  readonly rng: { uniform(lo: bigint, hi: bigint): bigint };
  /** Current time in microseconds since the engine started. */
  readonly now: () => number;
  /** The architecture's drop port (the output port value meaning "drop"). */
  readonly dropPort: number;
}

/** A note produced while processing a packet (trace event, log_msg output or bmv2-style warning). */
export interface PacketNote {
  readonly kind: 'trace' | 'log' | 'warning';
  readonly message: string;
}

export class PacketState {
  /** Fields up to 32 bits. */
  num: Float64Array;
  /** Wider and variable-length fields. */
  big: bigint[];
  /** Raw validity flag per header (metadata headers are always considered valid by `isValid`). */
  valid: Uint8Array;
  /** Current width in bits of the variable-length field of each header (0 when none). */
  vlBits: Int32Array;
  /** `next` index of each header stack (number of extracted/pushed elements). */
  stackNext: Int32Array;
  /** `next` index of each header union stack. */
  unionStackNext: Int32Array;

  /** Action data of the action being executed. */
  args: readonly Value[] = NO_ARGS;
  /** Set by the `exit` primitive; control flow stops at the next node boundary. */
  exit = false;

  /** Packet bytes as received by the current parser pass. */
  data: Uint8Array = EMPTY;
  /** Offset in `data` where the unparsed payload starts (set by the parser). */
  payloadStart = 0;

  /** bmv2 packet register 0: packet length, updated by add_header/remove_header. */
  packetLength = 0;
  /** Length used by counters and byte meters (bmv2 "ingress length"). */
  ingressLength = 0;
  /** Smallest length requested by `truncate` (Infinity when not truncated). */
  truncateLength = Number.POSITIVE_INFINITY;
  /** Mirror session requested by a clone primitive, or -1. */
  cloneSession = -1;
  cloneFieldList = 0;
  /** Learn list id requested by generate_digest, 0 when none. */
  learnList = 0;
  /** Field list id of a requested resubmit, 0 when none. */
  resubmitFieldList = 0;
  /** Field list id of a requested recirculation, 0 when none. */
  recirculateFieldList = 0;

  /** Parser error code of the last parse. */
  parserError = 0;
  /** Set when a verified checksum did not match. */
  checksumError = false;

  /** Notes (traces, logs, warnings) for the caller; null when not collected. */
  notes: PacketNote[] | null = null;
  /** When false, trace notes are skipped (logs and warnings are still kept). */
  tracing = false;

  /** Without a layout the PHV arrays are empty (they are then sized by {@link copyFrom}). */
  constructor(
    readonly rt: PacketRuntime,
    layout: Layout | undefined,
  ) {
    this.num = new Float64Array(layout?.numSlots ?? 0);
    this.big = new Array<bigint>(layout?.bigSlots ?? 0).fill(0n);
    this.valid = new Uint8Array(layout?.headers.length ?? 0);
    this.vlBits = new Int32Array(layout?.headers.length ?? 0);
    this.stackNext = new Int32Array(layout?.stacks.length ?? 0);
    this.unionStackNext = new Int32Array(layout?.unionStacks.length ?? 0);
  }

  /** Makes this state an exact copy of `other` (same layout), reusing this state's arrays. */
  copyFrom(other: PacketState): void {
    if (this.num.length !== other.num.length) this.num = new Float64Array(other.num.length);
    this.num.set(other.num);
    if (this.big.length !== other.big.length) this.big = new Array<bigint>(other.big.length);
    for (let i = 0; i < other.big.length; i++) this.big[i] = other.big[i];
    if (this.valid.length !== other.valid.length) this.valid = new Uint8Array(other.valid.length);
    this.valid.set(other.valid);
    if (this.vlBits.length !== other.vlBits.length) this.vlBits = new Int32Array(other.vlBits.length);
    this.vlBits.set(other.vlBits);
    if (this.stackNext.length !== other.stackNext.length)
      this.stackNext = new Int32Array(other.stackNext.length);
    this.stackNext.set(other.stackNext);
    if (this.unionStackNext.length !== other.unionStackNext.length) {
      this.unionStackNext = new Int32Array(other.unionStackNext.length);
    }
    this.unionStackNext.set(other.unionStackNext);
    this.args = other.args;
    this.exit = other.exit;
    this.data = other.data;
    this.payloadStart = other.payloadStart;
    this.packetLength = other.packetLength;
    this.ingressLength = other.ingressLength;
    this.truncateLength = other.truncateLength;
    this.cloneSession = other.cloneSession;
    this.cloneFieldList = other.cloneFieldList;
    this.learnList = other.learnList;
    this.resubmitFieldList = other.resubmitFieldList;
    this.recirculateFieldList = other.recirculateFieldList;
    this.parserError = other.parserError;
    this.checksumError = other.checksumError;
    this.notes = other.notes;
    this.tracing = other.tracing;
  }

  /** Resets the packet registers (not the PHV) to their values for a new packet. */
  resetRegisters(): void {
    this.args = NO_ARGS;
    this.exit = false;
    this.data = EMPTY;
    this.payloadStart = 0;
    this.packetLength = 0;
    this.ingressLength = 0;
    this.truncateLength = Number.POSITIVE_INFINITY;
    this.cloneSession = -1;
    this.cloneFieldList = 0;
    this.learnList = 0;
    this.resubmitFieldList = 0;
    this.recirculateFieldList = 0;
    this.parserError = 0;
    this.checksumError = false;
  }

  note(kind: PacketNote['kind'], message: string): void {
    if (this.notes && (kind !== 'trace' || this.tracing)) this.notes.push({ kind, message });
  }
}
