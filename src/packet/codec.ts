/**
 * Shared machinery of the per-protocol codecs: the build error type, field validation, and the
 * parse state that the decoders advance.
 */
import type { IssueCode, Layer, LayerKind, ParseIssue } from './types.js';

/** Thrown by the builders when a layer cannot be encoded; names the layer, field and value. */
export class PacketBuildError extends Error {
  constructor(
    /** Index of the offending layer in the list given to the builder. */
    readonly layerIndex: number,
    readonly layerKind: string,
    readonly field: string,
    detail: string,
  ) {
    super(`layer ${layerIndex} (${layerKind}) ${field}: ${detail}`);
    this.name = 'PacketBuildError';
  }
}

/** Largest value of an unsigned field of `bits` bits, indexed by bit count. */
const UINT_MAX: readonly number[] = Array.from({ length: 33 }, (_, bits) => 2 ** bits - 1);

function fieldRangeError(
  value: unknown,
  bits: number,
  index: number,
  kind: string,
  field: string,
): PacketBuildError {
  return new PacketBuildError(
    index,
    kind,
    field,
    `${String(value)} is not an integer in 0..${UINT_MAX[bits]}`,
  );
}

/**
 * Returns `value`, or `fallback` when undefined, after checking it is an unsigned integer of at
 * most `bits` bits.
 */
export function uintField(
  value: number | undefined,
  fallback: number,
  bits: number,
  index: number,
  kind: string,
  field: string,
): number {
  const v = value === undefined ? fallback : value;
  if (typeof v === 'number' && v >= 0 && v <= UINT_MAX[bits] && Math.floor(v) === v) return v;
  throw fieldRangeError(v, bits, index, kind, field);
}

/** The error for a field left undefined that the next layer does not determine. */
export function underivableFieldError(
  next: { kind: string } | undefined,
  index: number,
  kind: string,
  field: string,
): PacketBuildError {
  return new PacketBuildError(
    index,
    kind,
    field,
    `cannot be derived from next layer '${next?.kind ?? 'none'}'; give it explicitly`,
  );
}

/**
 * A next-protocol field (EtherType, IP protocol, Geneve protocol type): the given value, range
 * checked, or else the one `derived` from the next layer.
 */
export function nextProtocolField(
  given: number | undefined,
  derived: number | undefined,
  bits: number,
  next: { kind: string } | undefined,
  index: number,
  kind: string,
  field: string,
): number {
  if (given !== undefined) return uintField(given, 0, bits, index, kind, field);
  if (derived === undefined) throw underivableFieldError(next, index, kind, field);
  return derived;
}

/** Checks a byte-array field. */
export function bytesField(value: unknown, index: number, kind: string, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new PacketBuildError(index, kind, field, 'must be a Uint8Array');
  return value;
}

/** Minimum Ethernet frame length without FCS: shorter frames are padded up to it. */
const ETHERNET_MIN_FRAME = 60;

/** Numeric "next decoder" identifiers the layer decoders return to the dispatch loop. */
export const Decoder = {
  Done: 0,
  Payload: 1,
  Ethernet: 2,
  Vlan: 3,
  Arp: 4,
  Ipv4: 5,
  Ipv6: 6,
  Udp: 7,
  Tcp: 8,
  Icmpv4: 9,
  Icmpv6: 10,
  Geneve: 11,
} as const;
export type DecoderId = (typeof Decoder)[keyof typeof Decoder];

/** Mutable state of one `parseFrame` call. */
export interface ParseState {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly layers: Layer[];
  readonly issues: ParseIssue[];
  /** Where the next header starts. */
  offset: number;
  /** End of the innermost enclosing extent (datagram, frame). */
  end: number;
  /** Index of the layer that owns bytes left over inside `end` (gets them as `trailer`), or -1. */
  container: number;
  /** Offset where that container starts. */
  containerStart: number;
  readonly verifyChecksums: boolean;
  /** When false, decoding stops after the first Geneve header (its payload stays raw). */
  readonly decodeInner: boolean;
  /** Version of the IP header directly enclosing the transport header being decoded (0: none). */
  ipVersion: 0 | 4 | 6;
  ipSrcOffset: number;
  /** Offset of the destination used in the pseudo header (the final one if a routing header says so). */
  ipDstOffset: number;
  /** True when the enclosing IP packet is a fragment or truncated, so transport checksums cannot be verified. */
  transportIncomplete: boolean;
}

/** Records a parse issue. */
export function addIssue(
  st: ParseState,
  code: IssueCode,
  layer: LayerKind,
  field: string,
  offset: number,
  message: string,
): void {
  st.issues.push({ code, layer, field, offset, message });
}

/** Records that a header needs `need` bytes at `st.offset` but fewer remain. */
export function truncated(st: ParseState, layer: LayerKind, need: number): void {
  addIssue(
    st,
    'truncated',
    layer,
    'header',
    st.offset,
    `${layer} header needs ${need} bytes at offset ${st.offset}, only ${st.end - st.offset} remain`,
  );
}

/** Ends decoding of the current extent: the bytes left become a payload layer. */
export function emitPayload(st: ParseState): DecoderId {
  if (st.offset < st.end) {
    st.layers.push({ kind: 'payload', data: st.bytes.subarray(st.offset, st.end) });
    st.offset = st.end;
  }
  return Decoder.Done;
}

/**
 * Narrows the current extent to `newEnd` (a length field said the enclosed packet is shorter); the
 * bytes cut off belong to the current container as its trailer. Returns how many bytes were cut.
 */
export function cutTrailer(st: ParseState, newEnd: number): number {
  const extra = st.end - newEnd;
  if (extra <= 0) return 0;
  const owner = st.layers[st.container] as { trailer?: Uint8Array } | undefined;
  if (owner) owner.trailer = st.bytes.subarray(newEnd, st.end);
  st.end = newEnd;
  return extra;
}

/**
 * Like {@link cutTrailer}, and reports the cut-off bytes as an issue unless they are ordinary
 * Ethernet padding (the container is an Ethernet frame no longer than the 60-byte minimum).
 */
export function trimExtent(
  st: ParseState,
  newEnd: number,
  layer: LayerKind,
  field: string,
  fieldOffset: number,
  declared: string,
): void {
  const extentEnd = st.end;
  const extra = cutTrailer(st, newEnd);
  if (extra === 0) return;
  const owner = st.layers[st.container];
  if (owner?.kind === 'ethernet' && extentEnd - st.containerStart <= ETHERNET_MIN_FRAME) return;
  addIssue(
    st,
    'bad-length',
    layer,
    field,
    fieldOffset,
    `${declared} leaves ${extra} bytes unused before the end of the enclosing ${owner?.kind ?? 'frame'} at offset ${extentEnd}`,
  );
}

/** Makes layer `index`, starting at `start`, the owner of trailing bytes inside the current extent. */
export function enterContainer(st: ParseState, index: number, start: number): void {
  st.container = index;
  st.containerStart = start;
}

/** Hex rendering for messages. */
export function hex(value: number, digits: number): string {
  return '0x' + value.toString(16).padStart(digits, '0');
}
