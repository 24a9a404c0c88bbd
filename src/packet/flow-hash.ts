/**
 * The flow hash of the Geneve VTEP data plane (docs/DATAPLANE.md, rule 4), so that frames built
 * here carry exactly the outer UDP source port and IPv6 flow label the VTEP would choose.
 * RFC 8926 section 3.3 recommends deriving the source port from the encapsulated flow, so that
 * underlay ECMP spreads flows but keeps each one on one path.
 *
 * Hash: the low 16 bits of CRC-32 over a 51-byte key, big endian, taken from the inner frame as
 * the VTEP parses it:
 *   destination MAC (6) | source MAC (6) | EtherType at offset 12 (2)
 *   | source IP (16) | destination IP (16)   (IPv4 zero-extended to 128 bits; zeros without IP)
 *   | IP protocol or IPv6 next header (1)
 *   | L4 source port (2) | L4 destination port (2)
 * IP is looked for after at most one 802.1Q tag. Ports are filled only for TCP or UDP directly after
 * a 20-byte IPv4 header with fragment offset 0, or directly after the IPv6 header (extension headers
 * are not walked); otherwise they are zero, and so is everything the frame is too short to hold.
 * Source port: 0xC000 | (hash & 0x3FFF), i.e. 49152-65535.
 */
import { crc32 } from './crc32.js';
import { EtherType, IpProtocol } from './types.js';

const KEY_LENGTH = 51;

/** The 16-bit flow hash of an inner Ethernet frame, as the VTEP computes it. */
export function flowHash(inner: Uint8Array): number {
  const b = inner;
  const key = new Uint8Array(KEY_LENGTH);
  key.set(b.subarray(0, Math.min(14, b.length)), 0);
  if (b.length < 14) return crc32(key) & 0xffff;
  let off = 14;
  let etherType = (b[12] << 8) | b[13];
  if (etherType === EtherType.VLAN && off + 4 <= b.length) {
    etherType = (b[off + 2] << 8) | b[off + 3];
    off += 4;
  }
  let protocol = 0;
  let l4 = -1;
  if (etherType === EtherType.IPv4 && off + 20 <= b.length) {
    key.set(b.subarray(off + 12, off + 16), 14 + 12);
    key.set(b.subarray(off + 16, off + 20), 30 + 12);
    protocol = b[off + 9];
    const ihl = b[off] & 0x0f;
    const fragmentOffset = ((b[off + 6] << 8) | b[off + 7]) & 0x1fff;
    if (ihl === 5 && fragmentOffset === 0) l4 = off + 20;
  } else if (etherType === EtherType.IPv6 && off + 40 <= b.length) {
    key.set(b.subarray(off + 8, off + 24), 14);
    key.set(b.subarray(off + 24, off + 40), 30);
    protocol = b[off + 6];
    l4 = off + 40;
  }
  key[46] = protocol;
  if (l4 >= 0 && (protocol === IpProtocol.TCP || protocol === IpProtocol.UDP) && l4 + 4 <= b.length) {
    key.set(b.subarray(l4, l4 + 4), 47);
  }
  return crc32(key) & 0xffff;
}

/** First port of the range the source port is mapped into. */
export const FLOW_PORT_MIN = 49152;

/** The Geneve outer UDP source port for an inner Ethernet frame: 0xC000 | 14 bits of the flow hash. */
export function flowSourcePort(inner: Uint8Array): number {
  return FLOW_PORT_MIN | (flowHash(inner) & 0x3fff);
}
