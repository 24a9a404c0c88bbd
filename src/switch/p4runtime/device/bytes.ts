/**
 * Fixed-width values as the device contract carries them: a bit<W> value is exactly ceil(W/8)
 * big-endian bytes.
 */

/** Number of bytes of a bit<W> value. */
export function byteWidth(bitwidth: number): number {
  return (bitwidth + 7) >> 3;
}

/** Fixed-width 2^W - 1 (range "high" default). */
export function rangeDefaultHigh(bitwidth: number): Uint8Array {
  const out = new Uint8Array(byteWidth(bitwidth)).fill(0xff);
  const spare = out.length * 8 - bitwidth;
  if (out.length > 0) out[0] &= 0xff >> spare;
  return out;
}

/** Big-endian unsigned value of a byte string. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Fixed-width big-endian bytes of a non-negative value (truncated to `nbytes`). */
export function bigIntToBytes(value: bigint, nbytes: number): Uint8Array {
  const out = new Uint8Array(nbytes);
  let v = value;
  for (let i = nbytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * {@link bigIntToBytes} of a number or bigint, without bigint arithmetic when the value fits a
 * double exactly (keys and parameters of up to 48 bits, the most common): reads of large tables
 * convert every key field and parameter.
 */
export function valueToBytes(value: number | bigint, nbytes: number): Uint8Array {
  const v = typeof value === 'number' ? value : value <= MAX_EXACT ? Number(value) : -1;
  if (v < 0 || !Number.isSafeInteger(v)) return bigIntToBytes(BigInt(value), nbytes);
  const out = new Uint8Array(nbytes);
  let rest = v;
  for (let i = nbytes - 1; i >= 0 && rest > 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Significant bits of the big-endian value of `bytes` from `start` to `end`, read in place (0 for zero or empty). */
export function spanSignificantBits(bytes: Uint8Array, start: number, end: number): number {
  // Every byte looked at (not up to the first non-zero one), so the loop's step runs on every call.
  let first = end;
  for (let i = end - 1; i >= start; i--) if (bytes[i] !== 0) first = i;
  return first === end ? 0 : (end - first - 1) * 8 + (32 - Math.clz32(bytes[first]));
}
