/** IPv6 (RFC 8200) codec with extension headers. */
import { formatIpv6, writeIpv6 } from './addresses.js';
import {
  addIssue,
  bytesField,
  type DecoderId,
  emitPayload,
  enterContainer,
  PacketBuildError,
  type ParseState,
  trimExtent,
  truncated,
  uintField,
  underivableFieldError,
} from './codec.js';
import { decoderForIpProtocol, ipProtocolFor } from './ipv4.js';
import { IpProtocol, type Ipv6ExtensionHeader, type Ipv6Layer, type Layer } from './types.js';

/** Size of the fixed IPv6 header. */
export const IPV6_HEADER_LENGTH = 40;

/** True for the extension headers this codec walks over. */
export function isIpv6ExtensionHeader(protocol: number): boolean {
  return (
    protocol === IpProtocol.HopByHop ||
    protocol === IpProtocol.Routing ||
    protocol === IpProtocol.Fragment ||
    protocol === IpProtocol.DestinationOptions ||
    protocol === IpProtocol.AH
  );
}

/** Encoded size of an extension header; validates that `data` has a size its length field can say. */
function extensionSize(ext: Ipv6ExtensionHeader, index: number, k: number): number {
  const field = `extensionHeaders[${k}]`;
  const data = bytesField(ext.data, index, 'ipv6', `${field}.data`);
  const size = 2 + data.length;
  switch (ext.protocol) {
    case IpProtocol.Fragment:
      if (data.length !== 6) {
        throw new PacketBuildError(
          index,
          'ipv6',
          `${field}.data`,
          `fragment header data must be 6 bytes, got ${data.length}`,
        );
      }
      return size;
    case IpProtocol.AH:
      if (size % 4 !== 0 || size < 8 || size > 1028) {
        throw new PacketBuildError(
          index,
          'ipv6',
          `${field}.data`,
          `AH data of ${data.length} bytes is not 4n+2 bytes (n >= 1)`,
        );
      }
      return size;
    case IpProtocol.HopByHop:
    case IpProtocol.Routing:
    case IpProtocol.DestinationOptions:
      if (size % 8 !== 0 || size > 2048) {
        throw new PacketBuildError(
          index,
          'ipv6',
          `${field}.data`,
          `data of ${data.length} bytes is not 8n+6 (n <= 255)`,
        );
      }
      return size;
    default:
      throw new PacketBuildError(
        index,
        'ipv6',
        `${field}.protocol`,
        `${ext.protocol} is not an extension header this codec encodes (0, 43, 44, 51, 60)`,
      );
  }
}

/** Header size of `layer`: 40 plus its extension headers. */
export function ipv6HeaderSize(layer: Ipv6Layer, index: number): number {
  let size = IPV6_HEADER_LENGTH;
  const exts = layer.extensionHeaders;
  if (exts !== undefined) for (let k = 0; k < exts.length; k++) size += extensionSize(exts[k], index, k);
  return size;
}

/** The value of an extension header's length byte for an encoded size. */
function lengthByte(protocol: number, size: number): number {
  if (protocol === IpProtocol.Fragment) return 0;
  if (protocol === IpProtocol.AH) return size / 4 - 2;
  return size / 8 - 1;
}

/** Encoded size of the extension header at `p`, from its length byte. */
function encodedExtensionSize(protocol: number, bytes: Uint8Array, p: number): number {
  if (protocol === IpProtocol.Fragment) return 8;
  if (protocol === IpProtocol.AH) return (bytes[p + 1] + 2) * 4;
  return (bytes[p + 1] + 1) * 8;
}

/**
 * Offset of the final destination named by a routing header at `p` of `size` bytes, or -1 when the
 * header's own destination field is final (segments left 0, or an unknown routing type). RFC 8200
 * section 8.1 requires that address in the upper-layer pseudo header.
 */
export function routingFinalDestination(bytes: Uint8Array, p: number, size: number): number {
  const routingType = bytes[p + 2];
  const segmentsLeft = bytes[p + 3];
  if (segmentsLeft === 0) return -1;
  let at = -1;
  if (routingType === 0)
    at = p + 8 + 16 * (((size - 8) >>> 4) - 1); // RFC 2460 type 0: last address
  else if (routingType === 2 || routingType === 4) at = p + 8; // home address; SRH Segment List[0]
  return at >= p + 8 && at + 16 <= p + size ? at : -1;
}

/** Writes the header and extension headers except a computed payload length (see {@link finishIpv6}). */
export function writeIpv6Header(
  layer: Ipv6Layer,
  next: Layer | undefined,
  bytes: Uint8Array,
  offset: number,
  index: number,
): void {
  const tc = uintField(layer.trafficClass, 0, 8, index, 'ipv6', 'trafficClass');
  const flow = uintField(layer.flowLabel, 0, 20, index, 'ipv6', 'flowLabel');
  const hopLimit = uintField(layer.hopLimit, 64, 8, index, 'ipv6', 'hopLimit');
  const exts = layer.extensionHeaders ?? [];
  const upper = ipProtocolFor(next);
  const nextOf = (k: number, field: string): number => {
    if (k < exts.length) return exts[k].protocol;
    if (upper === undefined) throw underivableFieldError(next, index, 'ipv6', field);
    return upper;
  };
  const nextHeader =
    layer.nextHeader === undefined
      ? nextOf(0, 'nextHeader')
      : uintField(layer.nextHeader, 0, 8, index, 'ipv6', 'nextHeader');
  bytes[offset] = 0x60 | (tc >>> 4);
  bytes[offset + 1] = ((tc & 0x0f) << 4) | (flow >>> 16);
  bytes[offset + 2] = (flow >>> 8) & 0xff;
  bytes[offset + 3] = flow & 0xff;
  const payloadLength =
    layer.payloadLength === undefined
      ? 0
      : uintField(layer.payloadLength, 0, 16, index, 'ipv6', 'payloadLength');
  bytes[offset + 4] = payloadLength >>> 8;
  bytes[offset + 5] = payloadLength & 0xff;
  bytes[offset + 6] = nextHeader;
  bytes[offset + 7] = hopLimit;
  try {
    writeIpv6(layer.src, bytes, offset + 8);
  } catch (e) {
    throw new PacketBuildError(index, 'ipv6', 'src', (e as Error).message);
  }
  try {
    writeIpv6(layer.dst, bytes, offset + 24);
  } catch (e) {
    throw new PacketBuildError(index, 'ipv6', 'dst', (e as Error).message);
  }
  let p = offset + IPV6_HEADER_LENGTH;
  for (let k = 0; k < exts.length; k++) {
    const ext = exts[k];
    const size = 2 + ext.data.length;
    const field = `extensionHeaders[${k}].nextHeader`;
    bytes[p] =
      ext.nextHeader === undefined
        ? nextOf(k + 1, field)
        : uintField(ext.nextHeader, 0, 8, index, 'ipv6', field);
    bytes[p + 1] =
      ext.length === undefined
        ? lengthByte(ext.protocol, size)
        : uintField(ext.length, 0, 8, index, 'ipv6', `extensionHeaders[${k}].length`);
    bytes.set(ext.data, p + 2);
    p += size;
  }
}

/** Fills a computed payload length: everything after the fixed header up to `end`. */
export function finishIpv6(
  layer: Ipv6Layer,
  bytes: Uint8Array,
  offset: number,
  end: number,
  index: number,
): void {
  if (layer.payloadLength !== undefined) return;
  const length = end - offset - IPV6_HEADER_LENGTH;
  if (length > 0xffff) {
    throw new PacketBuildError(
      index,
      'ipv6',
      'payloadLength',
      `payload of ${length} bytes exceeds 65535 (jumbograms unsupported)`,
    );
  }
  bytes[offset + 4] = length >>> 8;
  bytes[offset + 5] = length & 0xff;
}

/**
 * Offset of the destination address for the pseudo header of the packet whose IPv6 header is at
 * `offset` and whose extension headers end at `headerEnd`, as written in `bytes`.
 */
export function ipv6PseudoDestination(bytes: Uint8Array, offset: number, headerEnd: number): number {
  let dst = offset + 24;
  let nh = bytes[offset + 6];
  let p = offset + IPV6_HEADER_LENGTH;
  while (p < headerEnd && isIpv6ExtensionHeader(nh)) {
    const size = encodedExtensionSize(nh, bytes, p);
    if (nh === IpProtocol.Routing) {
      const at = routingFinalDestination(bytes, p, size);
      if (at >= 0) dst = at;
    }
    nh = bytes[p];
    p += size;
  }
  return dst;
}

/** Decodes an IPv6 header, walks its extension headers and narrows the extent to its payload length. */
export function parseIpv6(st: ParseState): DecoderId {
  const o = st.offset;
  const b = st.bytes;
  const avail = st.end - o;
  if (avail >= 1 && b[o] >>> 4 !== 6) {
    addIssue(st, 'bad-version', 'ipv6', 'version', o, `IPv6 header has version ${b[o] >>> 4}`);
    return emitPayload(st);
  }
  if (avail < IPV6_HEADER_LENGTH) {
    truncated(st, 'ipv6', IPV6_HEADER_LENGTH);
    return emitPayload(st);
  }
  const payloadLength = (b[o + 4] << 8) | b[o + 5];
  const extensionHeaders: Ipv6ExtensionHeader[] = [];
  const layer: Ipv6Layer = {
    kind: 'ipv6',
    trafficClass: ((b[o] & 0x0f) << 4) | (b[o + 1] >>> 4),
    flowLabel: ((b[o + 1] & 0x0f) << 16) | (b[o + 2] << 8) | b[o + 3],
    payloadLength,
    nextHeader: b[o + 6],
    hopLimit: b[o + 7],
    src: formatIpv6(b, o + 8),
    dst: formatIpv6(b, o + 24),
    extensionHeaders,
    trailer: undefined,
  };
  st.layers.push(layer);
  let incomplete = false;
  if (IPV6_HEADER_LENGTH + payloadLength > avail) {
    addIssue(
      st,
      'truncated',
      'ipv6',
      'payloadLength',
      o + 4,
      `payload length ${payloadLength} exceeds the ${avail - IPV6_HEADER_LENGTH} bytes present`,
    );
    incomplete = true;
  } else {
    trimExtent(
      st,
      o + IPV6_HEADER_LENGTH + payloadLength,
      'ipv6',
      'payloadLength',
      o + 4,
      `payload length ${payloadLength}`,
    );
  }
  enterContainer(st, st.layers.length - 1, o);
  let nh = b[o + 6];
  let p = o + IPV6_HEADER_LENGTH;
  let dst = o + 24;
  let laterFragment = false;
  while (isIpv6ExtensionHeader(nh)) {
    const k = extensionHeaders.length;
    const fixed = nh === IpProtocol.Fragment ? 8 : 2;
    const size = st.end - p >= fixed ? encodedExtensionSize(nh, b, p) : fixed;
    if (size > st.end - p) {
      addIssue(
        st,
        'truncated',
        'ipv6',
        `extensionHeaders[${k}]`,
        p,
        `extension header ${nh} needs ${size} bytes at offset ${p}, only ${st.end - p} remain`,
      );
      st.offset = p;
      return emitPayload(st);
    }
    if (nh === IpProtocol.HopByHop && k > 0) {
      addIssue(
        st,
        'bad-option',
        'ipv6',
        `extensionHeaders[${k}]`,
        p,
        'Hop-by-Hop Options header is not first',
      );
    }
    extensionHeaders.push({
      protocol: nh,
      nextHeader: b[p],
      length: b[p + 1],
      data: b.subarray(p + 2, p + size),
    });
    if (nh === IpProtocol.Fragment) {
      if ((((b[p + 2] << 8) | b[p + 3]) & 0xfff8) !== 0) laterFragment = true;
      if ((b[p + 3] & 1) !== 0) incomplete = true;
    } else if (nh === IpProtocol.Routing) {
      const at = routingFinalDestination(b, p, size);
      if (at >= 0) dst = at;
    }
    nh = b[p];
    p += size;
  }
  st.offset = p;
  if (laterFragment) return emitPayload(st);
  st.transportIncomplete = incomplete;
  st.ipVersion = 6;
  st.ipSrcOffset = o + 8;
  st.ipDstOffset = dst;
  return decoderForIpProtocol(nh, 6);
}
