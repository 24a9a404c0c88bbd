/** ARP (RFC 826) for Ethernet hardware and IPv4 protocol addresses. */
import { formatIpv4, formatMac, writeIpv4, writeMac } from './addresses.js';
import {
  addIssue,
  Decoder,
  type DecoderId,
  emitPayload,
  PacketBuildError,
  type ParseState,
  trimExtent,
  truncated,
  uintField,
} from './codec.js';
import type { ArpLayer } from './types.js';

/** Size of an Ethernet/IPv4 ARP packet. */
export const ARP_LENGTH = 28;

function address(
  write: (text: string, out: Uint8Array, offset: number) => void,
  text: string,
  bytes: Uint8Array,
  offset: number,
  index: number,
  field: string,
): void {
  try {
    write(text, bytes, offset);
  } catch (e) {
    throw new PacketBuildError(index, 'arp', field, (e as Error).message);
  }
}

/** Writes an ARP packet at `offset`. */
export function writeArp(layer: ArpLayer, bytes: Uint8Array, offset: number, index: number): void {
  const htype = uintField(layer.hardwareType, 1, 16, index, 'arp', 'hardwareType');
  const ptype = uintField(layer.protocolType, 0x0800, 16, index, 'arp', 'protocolType');
  const oper = uintField(layer.operation, 0, 16, index, 'arp', 'operation');
  bytes[offset] = htype >>> 8;
  bytes[offset + 1] = htype & 0xff;
  bytes[offset + 2] = ptype >>> 8;
  bytes[offset + 3] = ptype & 0xff;
  bytes[offset + 4] = 6;
  bytes[offset + 5] = 4;
  bytes[offset + 6] = oper >>> 8;
  bytes[offset + 7] = oper & 0xff;
  address(writeMac, layer.senderMac, bytes, offset + 8, index, 'senderMac');
  address(writeIpv4, layer.senderIp, bytes, offset + 14, index, 'senderIp');
  address(writeMac, layer.targetMac, bytes, offset + 18, index, 'targetMac');
  address(writeIpv4, layer.targetIp, bytes, offset + 24, index, 'targetIp');
}

/** Decodes an ARP packet; other hardware/protocol address sizes are left raw with an issue. */
export function parseArp(st: ParseState): DecoderId {
  const o = st.offset;
  const b = st.bytes;
  if (st.end - o >= 6 && (b[o + 4] !== 6 || b[o + 5] !== 4)) {
    addIssue(
      st,
      'unsupported',
      'arp',
      'hardwareLength',
      o + 4,
      `ARP with hardware length ${b[o + 4]} and protocol length ${b[o + 5]} is not decoded (only 6/4)`,
    );
    return emitPayload(st);
  }
  if (st.end - o < ARP_LENGTH) {
    truncated(st, 'arp', ARP_LENGTH);
    return emitPayload(st);
  }
  const layer: ArpLayer = {
    kind: 'arp',
    hardwareType: (b[o] << 8) | b[o + 1],
    protocolType: (b[o + 2] << 8) | b[o + 3],
    operation: (b[o + 6] << 8) | b[o + 7],
    senderMac: formatMac(b, o + 8),
    senderIp: formatIpv4(b, o + 14),
    targetMac: formatMac(b, o + 18),
    targetIp: formatIpv4(b, o + 24),
  };
  st.layers.push(layer);
  st.offset = o + ARP_LENGTH;
  trimExtent(st, st.offset, 'arp', 'header', o, 'the 28-byte ARP packet');
  return Decoder.Done;
}
