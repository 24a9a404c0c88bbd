/** IPv4 (RFC 791) codec, including options and the header checksum. */
import { formatIpv4, writeIpv4 } from './addresses.js';
import { checksumFromSum, foldSum, sumBytes } from './checksum.js';
import {
  addIssue,
  bytesField,
  Decoder,
  type DecoderId,
  emitPayload,
  enterContainer,
  hex,
  nextProtocolField,
  PacketBuildError,
  type ParseState,
  trimExtent,
  truncated,
  uintField,
} from './codec.js';
import { IpProtocol, type Ipv4Layer, type Layer } from './types.js';

/** Size of an IPv4 header without options. */
export const IPV4_HEADER_LENGTH = 20;

const EMPTY = new Uint8Array(0);

/** The IP protocol number announcing `next`, or undefined. */
export function ipProtocolFor(next: Layer | undefined): number | undefined {
  switch (next?.kind) {
    case 'udp':
      return IpProtocol.UDP;
    case 'tcp':
      return IpProtocol.TCP;
    case 'icmpv4':
      return IpProtocol.ICMP;
    case 'icmpv6':
      return IpProtocol.ICMPv6;
    case 'ipv4':
      return 4;
    case 'ipv6':
      return 41;
    default:
      return undefined;
  }
}

/** Which decoder handles a transport protocol number inside IPv4 or IPv6. */
export function decoderForIpProtocol(protocol: number, ipVersion: 4 | 6): DecoderId {
  switch (protocol) {
    case IpProtocol.UDP:
      return Decoder.Udp;
    case IpProtocol.TCP:
      return Decoder.Tcp;
    case IpProtocol.ICMP:
      return ipVersion === 4 ? Decoder.Icmpv4 : Decoder.Payload;
    case IpProtocol.ICMPv6:
      return ipVersion === 6 ? Decoder.Icmpv6 : Decoder.Payload;
    default:
      return Decoder.Payload;
  }
}

/** Header size of `layer` in bytes: 20 plus its options rounded up to 4. */
export function ipv4HeaderSize(layer: Ipv4Layer, index: number): number {
  const options = layer.options === undefined ? EMPTY : bytesField(layer.options, index, 'ipv4', 'options');
  const size = IPV4_HEADER_LENGTH + ((options.length + 3) & ~3);
  if (size > 60) {
    throw new PacketBuildError(
      index,
      'ipv4',
      'options',
      `${options.length} bytes exceed the 40-byte maximum`,
    );
  }
  return size;
}

/** Writes the header except a computed total length and checksum (see {@link finishIpv4}). */
export function writeIpv4Header(
  layer: Ipv4Layer,
  next: Layer | undefined,
  bytes: Uint8Array,
  offset: number,
  headerSize: number,
  index: number,
): void {
  const ihl = uintField(layer.ihl, headerSize >>> 2, 4, index, 'ipv4', 'ihl');
  const dscp = uintField(layer.dscp, 0, 6, index, 'ipv4', 'dscp');
  const ecn = uintField(layer.ecn, 0, 2, index, 'ipv4', 'ecn');
  const id = uintField(layer.identification, 0, 16, index, 'ipv4', 'identification');
  const fragOffset = uintField(layer.fragmentOffset, 0, 13, index, 'ipv4', 'fragmentOffset');
  const ttl = uintField(layer.ttl, 64, 8, index, 'ipv4', 'ttl');
  const protocol = nextProtocolField(
    layer.protocol,
    layer.protocol === undefined ? ipProtocolFor(next) : undefined,
    8,
    next,
    index,
    'ipv4',
    'protocol',
  );
  const flags =
    (layer.reservedFlag ? 0x8000 : 0) |
    (layer.dontFragment ? 0x4000 : 0) |
    (layer.moreFragments ? 0x2000 : 0);
  const fragWord = flags | fragOffset;
  bytes[offset] = 0x40 | ihl;
  bytes[offset + 1] = (dscp << 2) | ecn;
  const totalLength =
    layer.totalLength === undefined ? 0 : uintField(layer.totalLength, 0, 16, index, 'ipv4', 'totalLength');
  bytes[offset + 2] = totalLength >>> 8;
  bytes[offset + 3] = totalLength & 0xff;
  bytes[offset + 4] = id >>> 8;
  bytes[offset + 5] = id & 0xff;
  bytes[offset + 6] = fragWord >>> 8;
  bytes[offset + 7] = fragWord & 0xff;
  bytes[offset + 8] = ttl;
  bytes[offset + 9] = protocol;
  const checksum =
    layer.checksum === undefined ? 0 : uintField(layer.checksum, 0, 16, index, 'ipv4', 'checksum');
  bytes[offset + 10] = checksum >>> 8;
  bytes[offset + 11] = checksum & 0xff;
  try {
    writeIpv4(layer.src, bytes, offset + 12);
  } catch (e) {
    throw new PacketBuildError(index, 'ipv4', 'src', (e as Error).message);
  }
  try {
    writeIpv4(layer.dst, bytes, offset + 16);
  } catch (e) {
    throw new PacketBuildError(index, 'ipv4', 'dst', (e as Error).message);
  }
  const options = layer.options;
  if (options !== undefined && options.length > 0) {
    bytes.set(options, offset + IPV4_HEADER_LENGTH);
    bytes.fill(0, offset + IPV4_HEADER_LENGTH + options.length, offset + headerSize);
  }
}

/** Fills a computed total length (`end - offset`) and header checksum. */
export function finishIpv4(
  layer: Ipv4Layer,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  headerSize: number,
  end: number,
  index: number,
): void {
  if (layer.totalLength === undefined) {
    const total = end - offset;
    if (total > 0xffff) {
      throw new PacketBuildError(index, 'ipv4', 'totalLength', `datagram of ${total} bytes exceeds 65535`);
    }
    bytes[offset + 2] = total >>> 8;
    bytes[offset + 3] = total & 0xff;
  }
  if (layer.checksum === undefined) {
    const c = checksumFromSum(sumBytes(bytes, view, offset, offset + headerSize, 0));
    bytes[offset + 10] = c >>> 8;
    bytes[offset + 11] = c & 0xff;
  }
}

/** Decodes an IPv4 header and narrows the extent to its total length. */
export function parseIpv4(st: ParseState): DecoderId {
  const o = st.offset;
  const b = st.bytes;
  const avail = st.end - o;
  if (avail >= 1 && b[o] >>> 4 !== 4) {
    addIssue(st, 'bad-version', 'ipv4', 'version', o, `IPv4 header has version ${b[o] >>> 4}`);
    return emitPayload(st);
  }
  if (avail < IPV4_HEADER_LENGTH) {
    truncated(st, 'ipv4', IPV4_HEADER_LENGTH);
    return emitPayload(st);
  }
  const ihl = b[o] & 0x0f;
  const headerLength = ihl < 5 ? IPV4_HEADER_LENGTH : ihl * 4;
  const totalLength = (b[o + 2] << 8) | b[o + 3];
  const fragWord = (b[o + 6] << 8) | b[o + 7];
  const checksum = (b[o + 10] << 8) | b[o + 11];
  const optionsEnd = Math.min(o + headerLength, st.end);
  const layer: Ipv4Layer = {
    kind: 'ipv4',
    ihl,
    dscp: b[o + 1] >>> 2,
    ecn: b[o + 1] & 3,
    totalLength,
    identification: (b[o + 4] << 8) | b[o + 5],
    reservedFlag: (fragWord & 0x8000) !== 0,
    dontFragment: (fragWord & 0x4000) !== 0,
    moreFragments: (fragWord & 0x2000) !== 0,
    fragmentOffset: fragWord & 0x1fff,
    ttl: b[o + 8],
    protocol: b[o + 9],
    checksum,
    src: formatIpv4(b, o + 12),
    dst: formatIpv4(b, o + 16),
    options: optionsEnd > o + IPV4_HEADER_LENGTH ? b.subarray(o + IPV4_HEADER_LENGTH, optionsEnd) : EMPTY,
    trailer: undefined,
  };
  st.layers.push(layer);
  if (ihl < 5) {
    addIssue(st, 'bad-header-length', 'ipv4', 'ihl', o, `IHL ${ihl} is below the minimum of 5`);
    st.offset = o + IPV4_HEADER_LENGTH;
    return emitPayload(st);
  }
  if (headerLength > avail) {
    addIssue(
      st,
      'truncated',
      'ipv4',
      'ihl',
      o,
      `IHL ${ihl} declares ${headerLength} header bytes, only ${avail} remain`,
    );
    st.offset = optionsEnd;
    return Decoder.Done;
  }
  if (st.verifyChecksums) {
    const sum = sumBytes(b, st.view, o, o + headerLength, 0);
    if (foldSum(sum) !== 0xffff) {
      addIssue(
        st,
        'bad-checksum',
        'ipv4',
        'checksum',
        o + 10,
        `header checksum ${hex(checksum, 4)} is wrong, expected ${hex(checksumFromSum(sum - checksum), 4)}`,
      );
    }
  }
  st.offset = o + headerLength;
  if (totalLength < headerLength) {
    addIssue(
      st,
      'bad-length',
      'ipv4',
      'totalLength',
      o + 2,
      `total length ${totalLength} is smaller than the ${headerLength}-byte header`,
    );
    return emitPayload(st);
  }
  st.transportIncomplete = (fragWord & 0x2000) !== 0;
  if (totalLength > avail) {
    addIssue(
      st,
      'truncated',
      'ipv4',
      'totalLength',
      o + 2,
      `total length ${totalLength} exceeds the ${avail} bytes present`,
    );
    st.transportIncomplete = true; // the transport checksum cannot be verified without all its bytes
  } else {
    trimExtent(st, o + totalLength, 'ipv4', 'totalLength', o + 2, `total length ${totalLength}`);
  }
  enterContainer(st, st.layers.length - 1, o);
  if ((fragWord & 0x1fff) !== 0) return emitPayload(st); // a later fragment: no transport header
  st.ipVersion = 4;
  st.ipSrcOffset = o + 12;
  st.ipDstOffset = o + 16;
  return decoderForIpProtocol(b[o + 9], 4);
}
