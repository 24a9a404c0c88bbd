/**
 * Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of the data
 * taken as big-endian 16-bit words, an odd trailing byte padded with a zero byte.
 *
 * Sums are kept as plain (unfolded) numbers so that several ranges (pseudo header, header, payload)
 * can be added before folding once. Because 2^16 = 1 (mod 0xffff), 32-bit words may be added
 * directly and folded at the end, which halves the loop count on large payloads. A running sum stays
 * exact far beyond any frame size (2^53 / 2^32 = 2M words).
 */

/** Adds the bytes `[start, end)` of `bytes` as 16-bit big-endian words to `sum`. */
export function sumBytes(bytes: Uint8Array, view: DataView, start: number, end: number, sum: number): number {
  let i = start;
  // Big-endian 32-bit words, four accumulators to shorten the dependency chains.
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const last16 = end - 15;
  while (i < last16) {
    a += view.getUint32(i);
    b += view.getUint32(i + 4);
    c += view.getUint32(i + 8);
    d += view.getUint32(i + 12);
    i += 16;
  }
  const last4 = end - 3;
  while (i < last4) {
    a += view.getUint32(i);
    i += 4;
  }
  let s = sum + a + b + c + d;
  if (i + 1 < end) {
    s += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i < end) s += bytes[i] << 8;
  return s;
}

/** Folds an unfolded sum to its 16-bit ones' complement sum (0 only when the sum is 0). */
export function foldSum(sum: number): number {
  // Carry the bits above 32 down with exact float arithmetic (division by 2^32 is exact), then
  // fold the remaining 32 bits with integer operations: no slow floating-point modulo.
  let s = sum;
  while (s > 0xffffffff) {
    const high = Math.floor(s / 4294967296);
    s = s - high * 4294967296 + high;
  }
  s = (s >>> 16) + (s & 0xffff);
  s = (s >>> 16) + (s & 0xffff);
  return s;
}

/** The checksum field value for an unfolded sum: the ones' complement of the folded sum. */
export function checksumFromSum(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** Internet checksum of `bytes[start, end)`. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return checksumFromSum(sumBytes(bytes, viewOf(bytes), start, end, 0));
}

/**
 * Unfolded sum of an upper-layer pseudo header. IPv4 (RFC 768/9293): source, destination, zero,
 * protocol, 16-bit length. IPv6 (RFC 8200 section 8.1): source, destination, 32-bit length, three
 * zero bytes, next header. Addresses are read from `view` at `srcOffset`/`dstOffset`; for IPv6 the
 * destination is the final one when a routing header names it. The sums are the same shape for
 * both once the length is split into 16-bit halves.
 */
export function pseudoHeaderSum(
  view: DataView,
  ipVersion: 4 | 6,
  srcOffset: number,
  dstOffset: number,
  protocol: number,
  length: number,
): number {
  let s = protocol + (length >>> 16) + (length & 0xffff);
  const n = ipVersion === 4 ? 4 : 16;
  for (let k = 0; k < n; k += 4) s += view.getUint32(srcOffset + k) + view.getUint32(dstOffset + k);
  return s;
}

let cachedBytes: Uint8Array | undefined;
let cachedView: DataView | undefined;

/**
 * A DataView over exactly the bytes of `bytes`. The last one is cached (by array identity) because
 * creating a DataView costs about as much as parsing a header, and hot loops parse or build into
 * the same buffer repeatedly.
 */
export function viewOf(bytes: Uint8Array): DataView {
  if (bytes === cachedBytes && cachedView !== undefined) return cachedView;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  cachedBytes = bytes;
  cachedView = view;
  return view;
}
