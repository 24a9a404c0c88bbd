/**
 * P4Runtime binary strings as PI's server handles them. Incoming values may be shorter than the
 * field (zero-extended) or longer with leading zero bytes (accepted as long as the value fits in the
 * field's bit width); values sent back are canonical (no leading zero bytes, zero is one 0x00 byte).
 * Inside the server, values are fixed-width: exactly ceil(W/8) big-endian bytes.
 */
import {
  bigIntToBytes,
  bytesToBigInt,
  byteWidth,
  rangeDefaultHigh,
  spanSignificantBits,
} from '../device/bytes.js';
import { invalidArgument } from './status.js';

// spanSignificantBits is the device's too (its exact writer checks widths with it).
export { bigIntToBytes, bytesToBigInt, byteWidth, rangeDefaultHigh, spanSignificantBits };

/** Lower-case hex with `0x` prefix (`0x` alone for an empty string). */
export function hex(bytes: Uint8Array | null | undefined): string {
  if (!bytes) return '<unset>';
  let out = '0x';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

/** Number of significant bits of a big-endian byte string (0 for zero or empty). */
export function significantBits(bytes: Uint8Array): number {
  const n = bytes.length;
  const first = firstNonZero(bytes);
  return first === n ? 0 : (n - first - 1) * 8 + (32 - Math.clz32(bytes[first]));
}

/** Whether `bytes` from `start` to `end` are those of `other`. */
export function spanEquals(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false;
  return true;
}

/**
 * Index of the first non-zero byte (the length when there is none). Every byte is looked at, from
 * the last: the loop's step then runs on every call, so V8 optimizes it with type feedback from the
 * first writes, instead of throwing the write path's optimized code away ("insufficient type
 * feedback") when a value with a leading zero byte first comes, in the middle of the first writes.
 */
export function firstNonZero(bytes: Uint8Array): number {
  let first = bytes.length;
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] !== 0) first = i;
  return first;
}

/**
 * Converts a received bytestring to the fixed width of a bit<W> field (PI's
 * `bytestring_p4rt_to_pi`). Throws INVALID_ARGUMENT "Bytestring provided does not fit within W bits"
 * when significant bits exceed the width; `what` names the field in the message.
 */
export function toFixedWidth(
  value: Uint8Array | null | undefined,
  bitwidth: number,
  what: string,
): Uint8Array {
  const bytes = value ?? new Uint8Array(0);
  const n = byteWidth(bitwidth);
  if (bytes.length < n) {
    const out = new Uint8Array(n);
    out.set(bytes, n - bytes.length);
    return out;
  }
  if (significantBits(bytes) > bitwidth) {
    throw invalidArgument(
      `Bytestring provided does not fit within ${bitwidth} bits`,
      `${what}, value ${hex(bytes)}`,
    );
  }
  return bytes.length === n ? Uint8Array.from(bytes) : bytes.slice(bytes.length - n);
}

/**
 * {@link toFixedWidth} without the copy when the value already has the field's byte width: for values
 * the device converts at once and never keeps (match keys, action data), a view of the request
 * buffer is enough.
 */
export function toFixedWidthView(
  value: Uint8Array | null | undefined,
  bitwidth: number,
  what: string,
): Uint8Array {
  if (value && value.length === byteWidth(bitwidth) && significantBits(value) <= bitwidth) return value;
  return toFixedWidth(value, bitwidth, what);
}

/**
 * The checks of {@link toFixedWidth} without its zero-extension: the value itself, when it fits in
 * `bitwidth`. For exact keys and action data the device reads at once as numbers, where leading zero
 * bytes change nothing; canonical values (what clients send) are mostly shorter than the field, and
 * padding them cost a new array per value on the write path.
 */
export function fittingView(
  value: Uint8Array | null | undefined,
  bitwidth: number,
  what: string,
): Uint8Array {
  if (value && significantBits(value) <= bitwidth) return value;
  return toFixedWidth(value, bitwidth, what);
}

/** Canonical form of a fixed-width value (PI's `bytestring_pi_to_p4rt`). */
export function toCanonical(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return new Uint8Array([0]);
  return bytes.slice(i);
}

/** True when every byte is zero (an empty string counts as zero). */
export function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/** True when the low `bits - prefixLength` bits of a fixed-width LPM value are zero. */
export function hasPrefixTrailingZeros(value: Uint8Array, bitwidth: number, prefixLength: number): boolean {
  const totalBits = value.length * 8;
  // Fixed-width values are right-aligned: the field's first bit is bit (totalBits - bitwidth).
  const firstHostBit = totalBits - bitwidth + prefixLength;
  for (let bit = firstHostBit; bit < totalBits; bit++) {
    if ((value[bit >> 3] >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}

/** Fixed-width all-zero value (range "low" default). */
export function rangeDefaultLow(bitwidth: number): Uint8Array {
  return new Uint8Array(byteWidth(bitwidth));
}

/** Lexicographic comparison of two equal-length big-endian values. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}
