/** ICMP for IPv4 (RFC 792) and ICMPv6 (RFC 4443) codecs: the 8-byte header, body as payload. */
import { sumBytes } from './checksum.js';
import { type DecoderId, emitPayload, type ParseState, truncated, uintField } from './codec.js';
import {
  buildPseudoHeaderSum,
  type EnclosingIp,
  transportChecksum,
  verifyTransportChecksum,
} from './transport.js';
import { type Icmpv4Layer, type Icmpv6Layer, IpProtocol } from './types.js';

/** ICMP header size (type, code, checksum, 4 type-specific bytes). */
export const ICMP_HEADER_LENGTH = 8;

type IcmpLayer = Icmpv4Layer | Icmpv6Layer;

/** Writes an ICMP or ICMPv6 header except a computed checksum (see {@link finishIcmp}). */
export function writeIcmpHeader(layer: IcmpLayer, view: DataView, offset: number, index: number): void {
  const kind = layer.kind;
  view.setUint8(offset, uintField(layer.type, 0, 8, index, kind, 'type'));
  view.setUint8(offset + 1, uintField(layer.code, 0, 8, index, kind, 'code'));
  view.setUint16(offset + 2, uintField(layer.checksum, 0, 16, index, kind, 'checksum'));
  view.setUint32(offset + 4, uintField(layer.restOfHeader, 0, 32, index, kind, 'restOfHeader'));
}

/**
 * Fills a computed checksum over the message `[offset, end)`; ICMPv6 includes the IPv6 pseudo
 * header, ICMP for IPv4 does not.
 */
export function finishIcmp(
  layer: IcmpLayer,
  ip: EnclosingIp,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  end: number,
  index: number,
): void {
  if (layer.checksum !== undefined) return;
  const pseudo =
    layer.kind === 'icmpv6'
      ? buildPseudoHeaderSum(ip, bytes, view, IpProtocol.ICMPv6, end - offset, index, 'icmpv6')
      : 0;
  view.setUint16(offset + 2, transportChecksum(sumBytes(bytes, view, offset, end, pseudo), false));
}

function parseIcmp(st: ParseState, kind: 'icmpv4' | 'icmpv6'): DecoderId {
  const o = st.offset;
  const v = st.view;
  if (st.end - o < ICMP_HEADER_LENGTH) {
    truncated(st, kind, ICMP_HEADER_LENGTH);
    return emitPayload(st);
  }
  const checksum = v.getUint16(o + 2);
  st.layers.push({
    kind,
    type: v.getUint8(o),
    code: v.getUint8(o + 1),
    checksum,
    restOfHeader: v.getUint32(o + 4),
  });
  if (st.verifyChecksums && !st.transportIncomplete) {
    verifyTransportChecksum(
      st,
      kind,
      kind === 'icmpv6' ? IpProtocol.ICMPv6 : undefined,
      o,
      st.end,
      o + 2,
      checksum,
    );
  }
  st.offset = o + ICMP_HEADER_LENGTH;
  return emitPayload(st);
}

/** Decodes an ICMP (IPv4) header. */
export function parseIcmpv4(st: ParseState): DecoderId {
  return parseIcmp(st, 'icmpv4');
}

/** Decodes an ICMPv6 header. */
export function parseIcmpv6(st: ParseState): DecoderId {
  return parseIcmp(st, 'icmpv6');
}
