/**
 * Controller packet headers, as PI builds and strips them: a PacketOut's metadata is packed into a
 * `packet_out` header (fields in P4Info order, bit-contiguous, total rounded up to whole bytes) put in
 * front of the payload; a frame sent to the CPU port loses its leading `packet_in` header, whose
 * fields become the PacketIn metadata.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { byteWidth, toCanonical, toFixedWidth } from './bytestrings.js';
import type { ControllerHeaderModel } from './p4info-model.js';
import { invalidArgument } from './status.js';

function headerBytes(header: ControllerHeaderModel): number {
  return byteWidth(header.metadata.reduce((sum, m) => sum + m.bitwidth, 0));
}

/** Copies `bitwidth` bits of a right-aligned fixed-width value into `out` at bit offset `pos`. */
function depositBits(out: Uint8Array, pos: number, value: Uint8Array, bitwidth: number): void {
  const skip = value.length * 8 - bitwidth;
  for (let b = 0; b < bitwidth; b++) {
    const src = skip + b;
    if ((value[src >> 3] >> (7 - (src & 7))) & 1) {
      const dst = pos + b;
      out[dst >> 3] |= 0x80 >> (dst & 7);
    }
  }
}

/** Reads `bitwidth` bits at bit offset `pos` into a right-aligned fixed-width value. */
function extractBits(data: Uint8Array, pos: number, bitwidth: number): Uint8Array {
  const out = new Uint8Array(byteWidth(bitwidth));
  const skip = out.length * 8 - bitwidth;
  for (let b = 0; b < bitwidth; b++) {
    const src = pos + b;
    if ((data[src >> 3] >> (7 - (src & 7))) & 1) {
      const dst = skip + b;
      out[dst >> 3] |= 0x80 >> (dst & 7);
    }
  }
  return out;
}

/**
 * Frame to inject for a PacketOut. Without a `packet_out` header the payload goes as is (metadata is
 * then refused); missing metadata fields are zero (PI's behaviour).
 */
export function buildPacketOut(
  header: ControllerHeaderModel | undefined,
  packet: p4.v1.IPacketOut,
): Uint8Array {
  const payload = packet.payload ?? new Uint8Array(0);
  const metadata = packet.metadata ?? [];
  if (!header) {
    if (metadata.length > 0)
      throw invalidArgument(
        'Unexpected metadata in PacketOut message',
        'the P4Info has no packet_out header',
      );
    return Uint8Array.from(payload);
  }
  const n = headerBytes(header);
  const out = new Uint8Array(n + payload.length);
  const offsets = new Map<number, number>();
  let pos = 0;
  for (const m of header.metadata) {
    offsets.set(m.id, pos);
    pos += m.bitwidth;
  }
  for (const m of metadata) {
    const id = m.metadataId ?? 0;
    const field = header.metadata.find((f) => f.id === id);
    if (!field)
      throw invalidArgument(
        'Unknown metadata id in PacketOut message',
        `packet_out has no metadata with id ${id}`,
      );
    const value = toFixedWidth(m.value, field.bitwidth, `packet_out metadata '${field.name}' (id ${id})`);
    depositBits(out, offsets.get(id)!, value, field.bitwidth);
  }
  out.set(payload, n);
  return out;
}

/** PacketIn for a frame sent to the CPU port; undefined when shorter than the `packet_in` header. */
export function parsePacketIn(
  header: ControllerHeaderModel | undefined,
  frame: Uint8Array,
): p4.v1.IPacketIn | undefined {
  if (!header) return { payload: frame };
  const n = headerBytes(header);
  if (frame.length < n) return undefined;
  const metadata: p4.v1.IPacketMetadata[] = [];
  let pos = 0;
  for (const m of header.metadata) {
    metadata.push({ metadataId: m.id, value: toCanonical(extractBits(frame, pos, m.bitwidth)) });
    pos += m.bitwidth;
  }
  return { payload: frame.subarray(n), metadata };
}
