/**
 * Integer and bit-string helpers shared by the engine.
 *
 * Values at run time are `number` when they provably fit in a JS safe integer and `bigint` otherwise
 * (see `expr.ts` for how the choice is made). Storage follows the field width: fields, action
 * parameters and register cells of width <= {@link NUM_STORAGE_MAX_WIDTH} are numbers, wider ones bigints.
 * 32 is chosen because JS bitwise operators work exactly on 32-bit integers, so the most common header
 * fields (ports, lengths, addresses of IPv4) stay on the fast path; 48-bit MACs and 128-bit IPv6 use bigint.
 */

/** A run-time integer value. */
export type Value = number | bigint;

/** Fields, parameters and registers up to this width are stored as numbers. */
export const NUM_STORAGE_MAX_WIDTH = 32;

export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
export const MIN_SAFE = -MAX_SAFE;

/** True when a storage slot of this width holds a number (else a bigint). */
export function isNumWidth(width: number): boolean {
  return width <= NUM_STORAGE_MAX_WIDTH;
}

/** 2^w - 1 as a bigint. */
export function maskBig(width: number): bigint {
  // Cached: checks of every written key field and parameter ask for masks of the same few widths.
  let m = MASKS[width];
  if (m === undefined) {
    m = (1n << BigInt(width)) - 1n;
    if (Number.isInteger(width) && width >= 0 && width <= 4096) MASKS[width] = m;
  }
  return m;
}

const MASKS: bigint[] = [];

/** Number of bits needed to write |v| in binary (0 for 0). */
export function bitLength(v: bigint): number {
  let x = v < 0n ? -v : v;
  let n = 0;
  while (x > 0xffffffffn) {
    x >>= 32n;
    n += 32;
  }
  let small = Number(x);
  while (small > 0) {
    small = Math.floor(small / 2);
    n++;
  }
  return n;
}

/**
 * Parses a bmv2 JSON `hexstr` ("0x0a0b", "-0x1", also tolerates a bare decimal-free hex) into a bigint.
 * Throws a plain Error with the offending text; callers wrap it into a ConfigError with a path.
 */
export function parseHexstr(text: string): bigint {
  let s = text.trim();
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  }
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  if (s.length === 0 || !/^[0-9a-fA-F]+$/.test(s)) throw new Error(`invalid hexstr ${JSON.stringify(text)}`);
  const v = BigInt(`0x${s}`);
  return negative ? -v : v;
}

/** Number of bytes a hexstr denotes, as bmv2's ByteContainer counts them (odd digit counts round up). */
export function hexstrByteLength(text: string): number {
  let s = text.trim();
  if (s.startsWith('-')) s = s.slice(1);
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  return Math.ceil(s.length / 2);
}

/** Byte-padded width of a field of `bits` bits. */
export function bytesForBits(bits: number): number {
  return (bits + 7) >> 3;
}

/** Reads `bits` bits (MSB first) starting at absolute bit position `bitPos` of `buf`; bits past the end read 0. */
export function readBitsBig(buf: Uint8Array, bitPos: number, bits: number): bigint {
  if (bits === 0) return 0n;
  if ((bitPos & 7) === 0 && (bits & 7) === 0) {
    let v = 0n;
    const start = bitPos >> 3;
    const end = start + (bits >> 3);
    let i = start;
    // Consume 4 bytes at a time to keep the number of bigint operations low.
    for (; i + 4 <= end; i += 4) {
      const word =
        (((buf[i] ?? 0) << 24) | ((buf[i + 1] ?? 0) << 16) | ((buf[i + 2] ?? 0) << 8) | (buf[i + 3] ?? 0)) >>>
        0;
      v = (v << 32n) | BigInt(word);
    }
    for (; i < end; i++) v = (v << 8n) | BigInt(buf[i] ?? 0);
    return v;
  }
  let v = 0n;
  let pos = bitPos;
  let remaining = bits;
  while (remaining > 0) {
    const take = Math.min(remaining, 24);
    v = (v << BigInt(take)) | BigInt(readBitsNum(buf, pos, take));
    pos += take;
    remaining -= take;
  }
  return v;
}

/** Reads up to 32 bits (MSB first) at absolute bit position `bitPos`; bits past the end read 0. */
export function readBitsNum(buf: Uint8Array, bitPos: number, bits: number): number {
  if (bits === 0) return 0;
  const firstByte = bitPos >> 3;
  const bitOff = bitPos & 7;
  if (bitOff === 0) {
    if (bits === 8) return buf[firstByte] ?? 0;
    if (bits === 16) return ((buf[firstByte] ?? 0) << 8) | (buf[firstByte + 1] ?? 0);
    if (bits === 32) {
      return (
        (((buf[firstByte] ?? 0) << 24) |
          ((buf[firstByte + 1] ?? 0) << 16) |
          ((buf[firstByte + 2] ?? 0) << 8) |
          (buf[firstByte + 3] ?? 0)) >>>
        0
      );
    }
  }
  // General case: accumulate the covering bytes in a float (up to 40 bits, exact), then cut.
  const lastBit = bitOff + bits; // exclusive, relative to firstByte
  const nBytes = (lastBit + 7) >> 3;
  let acc = 0;
  for (let i = 0; i < nBytes; i++) acc = acc * 256 + (buf[firstByte + i] ?? 0);
  const dropLow = nBytes * 8 - lastBit;
  acc = Math.floor(acc / 2 ** dropLow);
  return acc % 2 ** bits;
}

/**
 * Appends bit fields MSB-first to a byte buffer through a small int32 accumulator (fewer than 8
 * pending bits plus at most 24 new ones), which is much cheaper than read-modify-write per field for
 * unaligned layouts. Writing starts at a byte boundary; `finish` zero-pads a trailing partial byte.
 */
export class BitSink {
  private acc = 0;
  private bits = 0;

  constructor(
    readonly buf: Uint8Array,
    public bytePos: number,
  ) {}

  /** Appends the low `width` bits (<= 32) of a number (negative values as two's complement). */
  pushNum(v: number, width: number): void {
    if (width === 0) return;
    const x = v >>> 0;
    if (this.bits === 0 && (width & 7) === 0) {
      // Aligned fast path.
      const buf = this.buf;
      let p = this.bytePos;
      for (let shift = width - 8; shift >= 0; shift -= 8) buf[p++] = (x >>> shift) & 0xff;
      this.bytePos = p;
      return;
    }
    if (width > 24) {
      this.push24((x >>> 16) & ((1 << (width - 16)) - 1), width - 16);
      this.push24(x & 0xffff, 16);
      return;
    }
    this.push24(x & ((1 << width) - 1), width);
  }

  private push24(x: number, width: number): void {
    let acc = (this.acc << width) | x;
    let bits = this.bits + width;
    const buf = this.buf;
    while (bits >= 8) {
      bits -= 8;
      buf[this.bytePos++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
    this.acc = acc;
    this.bits = bits;
  }

  /** Appends the low `width` bits of a bigint (or number), in 32-bit chunks. */
  pushBig(v: bigint, width: number): void {
    if (width <= 32) {
      this.pushNum(Number(BigInt.asUintN(width, v)), width);
      return;
    }
    const x = BigInt.asUintN(width, v);
    let remaining = width;
    const head = width % 32 || 32;
    this.pushNum(Number(x >> BigInt(width - head)), head);
    remaining -= head;
    while (remaining > 0) {
      remaining -= 32;
      this.pushNum(Number((x >> BigInt(remaining)) & 0xffffffffn), 32);
    }
  }

  /** Appends whole bytes. */
  pushBytes(bytes: Uint8Array): void {
    if (this.bits === 0) {
      this.buf.set(bytes, this.bytePos);
      this.bytePos += bytes.length;
      return;
    }
    for (let i = 0; i < bytes.length; i++) this.pushNum(bytes[i], 8);
  }

  /** Flushes a partial byte (zero-padded at the end); returns the byte position after the data. */
  finish(): number {
    if (this.bits > 0) {
      this.buf[this.bytePos++] = (this.acc << (8 - this.bits)) & 0xff;
      this.acc = 0;
      this.bits = 0;
    }
    return this.bytePos;
  }
}
