/** Ethernet II and 802.1Q VLAN tag codecs. */
import { formatMac, writeMac } from './addresses.js';
import {
  Decoder,
  type DecoderId,
  emitPayload,
  enterContainer,
  nextProtocolField,
  PacketBuildError,
  type ParseState,
  truncated,
  uintField,
} from './codec.js';
import { type EthernetLayer, EtherType, type Layer, type VlanLayer } from './types.js';

/** Ethernet II header size (no FCS: frames are handled as captured, without it). */
export const ETHERNET_HEADER_LENGTH = 14;
/** 802.1Q tag size. */
export const VLAN_TAG_LENGTH = 4;
/** Minimum Ethernet frame size without FCS; shorter payloads are padded by senders. */
export const ETHERNET_MIN_FRAME_LENGTH = 60;

/** The EtherType announcing `next`, or undefined if `next` is not a network-layer header. */
export function etherTypeFor(next: Layer | undefined): number | undefined {
  switch (next?.kind) {
    case 'vlan':
      return EtherType.VLAN;
    case 'ipv4':
      return EtherType.IPv4;
    case 'ipv6':
      return EtherType.IPv6;
    case 'arp':
      return EtherType.ARP;
    case 'ethernet':
      return EtherType.TransparentEthernet;
    default:
      return undefined;
  }
}

/** Which decoder handles a given EtherType. */
export function decoderForEtherType(etherType: number): DecoderId {
  switch (etherType) {
    case EtherType.IPv4:
      return Decoder.Ipv4;
    case EtherType.IPv6:
      return Decoder.Ipv6;
    case EtherType.ARP:
      return Decoder.Arp;
    case EtherType.VLAN:
    case EtherType.QinQ:
    case EtherType.VLANLegacyQinQ:
      return Decoder.Vlan;
    default:
      return Decoder.Payload;
  }
}

function resolveEtherType(
  given: number | undefined,
  next: Layer | undefined,
  index: number,
  kind: string,
): number {
  // 0x6558 names an Ethernet payload inside Geneve, never what follows an Ethernet header.
  const derived = given === undefined ? etherTypeFor(next) : undefined;
  const usable = derived === EtherType.TransparentEthernet ? undefined : derived;
  return nextProtocolField(given, usable, 16, next, index, kind, 'etherType');
}

/** Writes an Ethernet II header at `offset`. */
export function writeEthernet(
  layer: EthernetLayer,
  next: Layer | undefined,
  bytes: Uint8Array,
  offset: number,
  index: number,
): void {
  try {
    writeMac(layer.dst, bytes, offset);
  } catch (e) {
    throw new PacketBuildError(index, 'ethernet', 'dst', (e as Error).message);
  }
  try {
    writeMac(layer.src, bytes, offset + 6);
  } catch (e) {
    throw new PacketBuildError(index, 'ethernet', 'src', (e as Error).message);
  }
  const etherType = resolveEtherType(layer.etherType, next, index, 'ethernet');
  bytes[offset + 12] = etherType >>> 8;
  bytes[offset + 13] = etherType & 0xff;
}

/** Writes an 802.1Q tag (TCI and inner EtherType) at `offset`. */
export function writeVlan(
  layer: VlanLayer,
  next: Layer | undefined,
  bytes: Uint8Array,
  offset: number,
  index: number,
): void {
  const pcp = uintField(layer.pcp, 0, 3, index, 'vlan', 'pcp');
  const vid = uintField(layer.vid, 0, 12, index, 'vlan', 'vid');
  const tci = (pcp << 13) | (layer.dei ? 0x1000 : 0) | vid;
  const etherType = resolveEtherType(layer.etherType, next, index, 'vlan');
  bytes[offset] = tci >>> 8;
  bytes[offset + 1] = tci & 0xff;
  bytes[offset + 2] = etherType >>> 8;
  bytes[offset + 3] = etherType & 0xff;
}

/** Decodes an Ethernet II header. */
export function parseEthernet(st: ParseState): DecoderId {
  const o = st.offset;
  if (st.end - o < ETHERNET_HEADER_LENGTH) {
    truncated(st, 'ethernet', ETHERNET_HEADER_LENGTH);
    return emitPayload(st);
  }
  const b = st.bytes;
  const etherType = (b[o + 12] << 8) | b[o + 13];
  const layer: EthernetLayer = {
    kind: 'ethernet',
    dst: formatMac(b, o),
    src: formatMac(b, o + 6),
    etherType,
    trailer: undefined,
  };
  st.layers.push(layer);
  enterContainer(st, st.layers.length - 1, o);
  st.offset = o + ETHERNET_HEADER_LENGTH;
  return decoderForEtherType(etherType);
}

/** Decodes one 802.1Q tag. */
export function parseVlan(st: ParseState): DecoderId {
  const o = st.offset;
  if (st.end - o < VLAN_TAG_LENGTH) {
    truncated(st, 'vlan', VLAN_TAG_LENGTH);
    return emitPayload(st);
  }
  const b = st.bytes;
  const tci = (b[o] << 8) | b[o + 1];
  const etherType = (b[o + 2] << 8) | b[o + 3];
  const layer: VlanLayer = {
    kind: 'vlan',
    pcp: tci >>> 13,
    dei: (tci & 0x1000) !== 0,
    vid: tci & 0xfff,
    etherType,
  };
  st.layers.push(layer);
  st.offset = o + VLAN_TAG_LENGTH;
  return decoderForEtherType(etherType);
}
