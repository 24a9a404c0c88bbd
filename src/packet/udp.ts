/** UDP (RFC 768) codec. */
import { sumBytes } from './checksum.js';
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
import {
  buildPseudoHeaderSum,
  type EnclosingIp,
  transportChecksum,
  verifyTransportChecksum,
} from './transport.js';
import { GENEVE_UDP_PORT, IpProtocol, type Layer, type UdpLayer } from './types.js';

/** UDP header size. */
export const UDP_HEADER_LENGTH = 8;

/** Writes the header except a computed length and checksum (see {@link finishUdp}). */
export function writeUdpHeader(
  layer: UdpLayer,
  next: Layer | undefined,
  bytes: Uint8Array,
  offset: number,
  index: number,
): void {
  const src = uintField(layer.srcPort, 0, 16, index, 'udp', 'srcPort');
  let dst = layer.dstPort;
  if (dst === undefined) {
    if (next?.kind !== 'geneve') {
      throw new PacketBuildError(index, 'udp', 'dstPort', 'is required unless the next layer is geneve');
    }
    dst = GENEVE_UDP_PORT;
  } else {
    uintField(dst, 0, 16, index, 'udp', 'dstPort');
  }
  const length = layer.length === undefined ? 0 : uintField(layer.length, 0, 16, index, 'udp', 'length');
  const checksum =
    layer.checksum === undefined ? 0 : uintField(layer.checksum, 0, 16, index, 'udp', 'checksum');
  bytes[offset] = src >>> 8;
  bytes[offset + 1] = src & 0xff;
  bytes[offset + 2] = dst >>> 8;
  bytes[offset + 3] = dst & 0xff;
  bytes[offset + 4] = length >>> 8;
  bytes[offset + 5] = length & 0xff;
  bytes[offset + 6] = checksum >>> 8;
  bytes[offset + 7] = checksum & 0xff;
}

/** Fills a computed length (`end - offset`) and checksum over the datagram and pseudo header. */
export function finishUdp(
  layer: UdpLayer,
  ip: EnclosingIp,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  end: number,
  index: number,
): void {
  const length = end - offset;
  if (layer.length === undefined) {
    if (length > 0xffff)
      throw new PacketBuildError(index, 'udp', 'length', `datagram of ${length} bytes exceeds 65535`);
    bytes[offset + 4] = length >>> 8;
    bytes[offset + 5] = length & 0xff;
  }
  if (layer.checksum === undefined) {
    const pseudo = buildPseudoHeaderSum(ip, bytes, view, IpProtocol.UDP, length, index, 'udp');
    const c = transportChecksum(sumBytes(bytes, view, offset, end, pseudo), true);
    bytes[offset + 6] = c >>> 8;
    bytes[offset + 7] = c & 0xff;
  }
}

/** Decodes a UDP header; destination port 6081 continues with Geneve. */
export function parseUdp(st: ParseState): DecoderId {
  const o = st.offset;
  const b = st.bytes;
  const avail = st.end - o;
  if (avail < UDP_HEADER_LENGTH) {
    truncated(st, 'udp', UDP_HEADER_LENGTH);
    return emitPayload(st);
  }
  const srcPort = (b[o] << 8) | b[o + 1];
  const dstPort = (b[o + 2] << 8) | b[o + 3];
  const length = (b[o + 4] << 8) | b[o + 5];
  const checksum = (b[o + 6] << 8) | b[o + 7];
  st.layers.push({ kind: 'udp', srcPort, dstPort, length, checksum });
  st.offset = o + UDP_HEADER_LENGTH;
  if (length < UDP_HEADER_LENGTH) {
    addIssue(st, 'bad-length', 'udp', 'length', o + 4, `UDP length ${length} is below the 8-byte header`);
    return emitPayload(st);
  }
  let incomplete = st.transportIncomplete;
  if (length > avail) {
    addIssue(
      st,
      'truncated',
      'udp',
      'length',
      o + 4,
      `UDP length ${length} exceeds the ${avail} bytes present`,
    );
    incomplete = true;
  } else {
    trimExtent(st, o + length, 'udp', 'length', o + 4, `UDP length ${length}`);
  }
  if (checksum === 0) {
    // Zero means "no checksum": fine over IPv4; over IPv6 only for tunnels such as Geneve (RFC 6935/8926).
    if (st.ipVersion === 6 && dstPort !== GENEVE_UDP_PORT) {
      addIssue(
        st,
        'bad-checksum',
        'udp',
        'checksum',
        o + 6,
        'UDP checksum 0 (none) is not allowed over IPv6',
      );
    }
  } else if (st.verifyChecksums && !incomplete) {
    verifyTransportChecksum(st, 'udp', IpProtocol.UDP, o, st.end, o + 6, checksum);
  }
  if (dstPort === GENEVE_UDP_PORT) return Decoder.Geneve;
  return emitPayload(st);
}
