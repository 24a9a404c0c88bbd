/**
 * What the transport codecs (UDP, TCP, ICMP) share: locating the enclosing IP header for the pseudo
 * header when building, and verifying a checksum when parsing.
 */
import { checksumFromSum, foldSum, pseudoHeaderSum, sumBytes } from './checksum.js';
import { addIssue, hex, PacketBuildError, type ParseState } from './codec.js';
import { ipv6PseudoDestination } from './ipv6.js';
import type { Layer, LayerKind } from './types.js';

/** Where the enclosing IP header of a transport header being built lies. */
export interface EnclosingIp {
  layer: Layer | undefined;
  /** Offset of the IP header in the output. */
  offset: number;
  /** Offset where the transport header starts (end of IP header and extension headers). */
  headerEnd: number;
}

/**
 * Unfolded pseudo-header sum for a transport header being built, from the IP layer directly
 * before it. Throws when there is none, because the checksum then cannot be computed.
 */
export function buildPseudoHeaderSum(
  ip: EnclosingIp,
  bytes: Uint8Array,
  view: DataView,
  protocol: number,
  length: number,
  index: number,
  kind: string,
): number {
  if (ip.layer?.kind === 'ipv4') {
    return pseudoHeaderSum(view, 4, ip.offset + 12, ip.offset + 16, protocol, length);
  }
  if (ip.layer?.kind === 'ipv6') {
    const dst = ipv6PseudoDestination(bytes, ip.offset, ip.headerEnd);
    return pseudoHeaderSum(view, 6, ip.offset + 8, dst, protocol, length);
  }
  throw new PacketBuildError(
    index,
    kind,
    'checksum',
    `cannot be computed without an IPv4/IPv6 layer directly before it; give it explicitly`,
  );
}

/** Final checksum field for a transport sum; UDP sends a computed 0 as 0xffff (RFC 768). */
export function transportChecksum(sum: number, zeroAsOnes: boolean): number {
  const c = checksumFromSum(sum);
  return c === 0 && zeroAsOnes ? 0xffff : c;
}

/**
 * Verifies the checksum of the transport message `[start, end)` whose checksum field holds
 * `checksum` at `checksumOffset`, including the pseudo header of the enclosing IP packet when
 * `protocol` is given. Records a `bad-checksum` issue with the expected value.
 */
export function verifyTransportChecksum(
  st: ParseState,
  layer: LayerKind,
  protocol: number | undefined,
  start: number,
  end: number,
  checksumOffset: number,
  checksum: number,
): void {
  let sum = sumBytes(st.bytes, st.view, start, end, 0);
  if (protocol !== undefined && st.ipVersion !== 0) {
    sum += pseudoHeaderSum(st.view, st.ipVersion, st.ipSrcOffset, st.ipDstOffset, protocol, end - start);
  }
  if (foldSum(sum) === 0xffff) return;
  const expected = transportChecksum(sum - checksum, layer === 'udp');
  addIssue(
    st,
    'bad-checksum',
    layer,
    'checksum',
    checksumOffset,
    `${layer} checksum ${hex(checksum, 4)} is wrong, expected ${hex(expected, 4)}`,
  );
}
