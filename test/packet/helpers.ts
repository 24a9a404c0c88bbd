// Test helpers: an independent, deliberately naive Internet checksum (RFC 1071: 16-bit words,
// end-around carry, complement) and pseudo-header construction from the RFC text, so that tests
// do not check the library's checksum code against itself.
import type { Layer } from '../../src/packet/index.js';

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Ones' complement sum of 16-bit big-endian words with end-around carry after every addition. */
export function onesComplementSum(...parts: Uint8Array[]): number {
  const data = concat(...parts);
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    const word = (data[i] << 8) | (i + 1 < data.length ? data[i + 1] : 0);
    sum += word;
    if (sum > 0xffff) sum = (sum & 0xffff) + 1;
  }
  return sum;
}

/** RFC 1071 checksum: complement of the ones' complement sum. */
export function referenceChecksum(...parts: Uint8Array[]): number {
  return ~onesComplementSum(...parts) & 0xffff;
}

/** IPv4 pseudo header (RFC 768): src(4) dst(4) zero(1) protocol(1) length(2). */
export function ipv4PseudoHeader(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
): Uint8Array {
  return concat(src, dst, Uint8Array.of(0, protocol, length >> 8, length & 0xff));
}

/** IPv6 pseudo header (RFC 8200 section 8.1): src(16) dst(16) length(4) zero(3) next header(1). */
export function ipv6PseudoHeader(
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  length: number,
): Uint8Array {
  return concat(
    src,
    dst,
    Uint8Array.of(
      length >>> 24,
      (length >> 16) & 0xff,
      (length >> 8) & 0xff,
      length & 0xff,
      0,
      0,
      0,
      nextHeader,
    ),
  );
}

/** Reads a big-endian 16-bit value. */
export function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Bytes 0..n-1 times a multiplier, for recognisable payloads. */
export function pattern(length: number, multiplier = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * multiplier + 1) & 0xff);
}

export const MAC_A = '02:00:00:00:00:0a';
export const MAC_B = '02:00:00:00:00:0b';

/** A small inner frame: Ethernet / IPv4 / TCP with options / payload. */
export function innerTcpLayers(): Layer[] {
  return [
    { kind: 'ethernet', dst: '02:00:00:00:01:02', src: '02:00:00:00:01:01' },
    { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', identification: 7 },
    {
      kind: 'tcp',
      srcPort: 43210,
      dstPort: 443,
      seq: 1000,
      ack: 2000,
      flags: 0x018,
      options: [
        { kind: 1, data: new Uint8Array(0) },
        { kind: 1, data: new Uint8Array(0) },
        { kind: 8, data: pattern(8) },
      ],
    },
    { kind: 'payload', data: pattern(33) },
  ];
}
