/**
 * Stream-channel payloads in friendly form: packet-out/packet-in controller metadata by name
 * (from the P4Info `packet_out`/`packet_in` controller headers), digest lists decoded with
 * the digest's type, idle-timeout notifications and stream errors.
 */
import type { P4Value } from './codec.js';
import { decodeTableEntry, type TableEntryData } from './entities/table.js';
import { EntityError, grpcCodeName, P4InfoLookupError } from './errors.js';
import type { P4DataValue } from './p4data.js';
import type { DecodeOptions, P4InfoIndex } from './p4info/index.js';
import type { p4 } from './wire/generated/p4runtime.js';
import { fromLong } from './wire/long.js';

/** A packet received from the data plane. */
export interface PacketIn {
  readonly payload: Uint8Array;
  /** `packet_in` header fields by name (empty if the program has no such header). */
  readonly metadata: Record<string, P4Value>;
  readonly raw: p4.v1.IPacketIn;
}

/** A list of digests from the data plane; call `ack()` to acknowledge it. */
export interface DigestList {
  readonly digest: string;
  readonly digestId: number;
  readonly listId: bigint;
  /** Nanoseconds, as set by the device. */
  readonly timestamp: bigint;
  readonly data: P4DataValue[];
  /** Sends the DigestListAck for this list. */
  ack(): void;
}

/** Entries whose idle timeout expired. */
export interface IdleTimeoutNotification {
  readonly timestamp: bigint;
  readonly entries: TableEntryData[];
}

/** An asynchronous error reported on the stream (e.g. a rejected packet-out). */
export interface StreamErrorEvent {
  readonly code: number;
  readonly codeName: string;
  readonly message: string;
  readonly space: string;
  readonly targetCode: number;
  /** The packet-out or digest ack that caused the error, when the server echoed it. */
  readonly packetOut?: p4.v1.IPacketOut;
  readonly digestAck?: p4.v1.IDigestListAck;
}

/** Builds a PacketOut; metadata fields are looked up in the `packet_out` controller header. */
export function encodePacketOut(
  index: P4InfoIndex | undefined,
  payload: Uint8Array,
  metadata: Readonly<Record<string, P4Value>> = {},
): p4.v1.IPacketOut {
  const names = Object.keys(metadata);
  if (names.length === 0) return { payload, metadata: [] };
  if (!index)
    throw new EntityError(
      'packet-out metadata needs a P4Info (push a pipeline or pass p4info when connecting)',
    );
  const header = index.packetOut;
  if (!header)
    throw new P4InfoLookupError(
      'controller packet metadata',
      'packet_out',
      index.controllerHeaders ? [...index.controllerHeaders].map((h) => h.name) : [],
    );
  for (const field of header.metadata) {
    if (!(field.name in metadata))
      throw new EntityError(`packet_out: missing metadata field '${field.name}' (bit<${field.bitwidth}>)`);
  }
  return {
    payload,
    metadata: names.map((name) => {
      const field = header.metadata.get(name);
      return { metadataId: field.id, value: field.encode(metadata[name]) };
    }),
  };
}

/** Decodes a PacketIn; metadata ids unknown to the P4Info are kept under `#<id>` as bytes. */
export function decodePacketIn(
  index: P4InfoIndex | undefined,
  packet: p4.v1.IPacketIn,
  options?: DecodeOptions,
): PacketIn {
  const header = index?.packetIn;
  const metadata: Record<string, P4Value> = {};
  for (const m of packet.metadata ?? []) {
    const field = header?.metadata.find(m.metadataId ?? 0);
    if (field) metadata[field.name] = field.format(m.value ?? new Uint8Array(), options);
    else metadata[`#${m.metadataId}`] = m.value ?? new Uint8Array();
  }
  return { payload: packet.payload ?? new Uint8Array(), metadata, raw: packet };
}

/** Decodes a DigestList; `ack` is the function that sends its acknowledgement. */
export function decodeDigestList(
  index: P4InfoIndex | undefined,
  list: p4.v1.IDigestList,
  ack: () => void,
  options?: DecodeOptions,
): DigestList {
  const digestId = list.digestId ?? 0;
  const info = index?.digests.find(digestId);
  return {
    digest: info?.name ?? `id ${digestId}`,
    digestId,
    listId: fromLong(list.listId),
    timestamp: fromLong(list.timestamp),
    data: (list.data ?? []).map((d) => (info ? info.data.decode(d, options) : (d.bitstring ?? null))),
    ack,
  };
}

/** Decodes an IdleTimeoutNotification (needs the P4Info to name the entries). */
export function decodeIdleTimeout(
  index: P4InfoIndex | undefined,
  n: p4.v1.IIdleTimeoutNotification,
  options?: DecodeOptions,
): IdleTimeoutNotification {
  if (!index) throw new EntityError('idle-timeout notification received without a P4Info to decode it');
  return {
    timestamp: fromLong(n.timestamp),
    entries: (n.tableEntry ?? []).map((e) => decodeTableEntry(index, e, options)),
  };
}

/** Decodes a StreamError into an event. */
export function decodeStreamError(e: p4.v1.IStreamError): StreamErrorEvent {
  const code = e.canonicalCode ?? 0;
  return {
    code,
    codeName: grpcCodeName(code),
    message: e.message ?? '',
    space: e.space ?? '',
    targetCode: e.code ?? 0,
    ...(e.packetOut?.packetOut ? { packetOut: e.packetOut.packetOut } : {}),
    ...(e.digestListAck?.digestListAck ? { digestAck: e.digestListAck.digestListAck } : {}),
  };
}
