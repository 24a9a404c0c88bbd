/**
 * 64/128-bit integer plumbing between bigint (our API) and protobufjs' Long (generated code).
 * The Long implementation is the one protobufjs itself loaded, so no extra dependency.
 */
import type Long from 'long';
import protobuf from 'protobufjs/minimal.js';

const LongImpl = protobuf.util.Long as unknown as typeof Long;

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** A value for a protobuf 64-bit field: plain number when exactly representable, else a Long. */
export function toLong(value: bigint | number, unsigned: boolean, what = 'value'): number | Long {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new RangeError(`${what}: ${value} is not a safe integer (use a bigint)`);
    if (unsigned && value < 0) throw new RangeError(`${what}: ${value} must not be negative`);
    return value;
  }
  if (unsigned ? value < 0n || value > UINT64_MAX : value < INT64_MIN || value > INT64_MAX)
    throw new RangeError(`${what}: ${value} does not fit in ${unsigned ? 'uint64' : 'int64'}`);
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(value);
  return LongImpl.fromBigInt(value, unsigned);
}

/** A decoded protobuf 64-bit field as bigint (0n when unset). */
export function fromLong(value: number | Long | string | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value);
  return value.toBigInt();
}

/** Splits a 128-bit unsigned value (e.g. election id) into P4Runtime's Uint128. */
export function toUint128(value: bigint): { high: number | Long; low: number | Long } {
  if (value < 0n || value >> 128n !== 0n) throw new RangeError(`${value} does not fit in 128 bits`);
  return { high: toLong(value >> 64n, true), low: toLong(value & UINT64_MAX, true) };
}

/** Joins a P4Runtime Uint128 into a bigint (0n when unset). */
export function fromUint128(
  value: { high?: number | Long | null; low?: number | Long | null } | null | undefined,
): bigint {
  if (!value) return 0n;
  return (fromLong(value.high) << 64n) | fromLong(value.low);
}
