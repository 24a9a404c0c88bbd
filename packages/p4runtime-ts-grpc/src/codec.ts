/**
 * P4Runtime binary strings (spec section "Bytestrings"): big-endian, and in canonical form
 * the shortest string holding the value (no leading zero bytes; zero is one 0x00 byte).
 * Receivers accept longer strings as long as the extra bits are zero (or sign copies for
 * int<W>) and the value fits the P4Info bit width.
 *
 * Friendly inputs ({@link P4Value}): non-negative integers as number or bigint, decimal or
 * `0x` hex strings, MAC (`02:00:00:00:00:01` or `02-00-...`), dotted IPv4, IPv6 text and raw
 * bytes. Decoding yields bigint/number by default; {@link formatValue} renders other forms.
 */
import { ValueError } from './errors.js';

/** A value for a bit<W> field, in any of the accepted friendly forms. */
export type P4Value = number | bigint | string | Uint8Array;

/** How to render a decoded bit<W> value. */
export type ValueFormat = 'number' | 'bigint' | 'auto' | 'hex' | 'mac' | 'ipv4' | 'ipv6' | 'bytes';

/** Wire form of encoded values: canonical (shortest) or padded to ceil(W/8) bytes. */
export type BytestringMode = 'canonical' | 'full-width';

const ZERO = new Uint8Array([0]);
// Single-byte strings are the common case (ports, small ids): share them.
const SINGLE_BYTES: Uint8Array[] = Array.from({ length: 256 }, (_, i) => new Uint8Array([i]));

function render(value: unknown): string {
  if (value instanceof Uint8Array) return `0x${bytesToHex(value)}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Lower-case hex of bytes, no prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return out;
}

/** Number of significant bits of a big-endian byte string (0 for zero). */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

/** Strips leading zero bytes, keeping one byte for zero (returns the input when already canonical). */
export function canonicalize(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  if (bytes.length === 0) return ZERO;
  return i === 0 ? bytes : bytes.subarray(i);
}

function padTo(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes.length === length ? bytes : bytes.subarray(bytes.length - length);
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

function numberToBytes(value: number): Uint8Array {
  if (value < 256) return SINGLE_BYTES[value];
  if (value < 0x10000) return new Uint8Array([value >>> 8, value & 0xff]);
  if (value < 0x1000000) return new Uint8Array([value >>> 16, (value >>> 8) & 0xff, value & 0xff]);
  if (value <= 0xffffffff)
    return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  // Up to 2^53: split into high and low 32-bit halves.
  const high = Math.floor(value / 0x100000000);
  const low = value >>> 0;
  const highBytes = numberToBytes(high);
  const out = new Uint8Array(highBytes.length + 4);
  out.set(highBytes, 0);
  out[highBytes.length] = low >>> 24;
  out[highBytes.length + 1] = (low >>> 16) & 0xff;
  out[highBytes.length + 2] = (low >>> 8) & 0xff;
  out[highBytes.length + 3] = low & 0xff;
  return out;
}

/** Big-endian bytes of a non-negative bigint (canonical: one 0x00 for zero). */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`negative value ${value}`);
  if (value <= 0xffffffffn) return numberToBytes(Number(value));
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return hexToBytes(hex);
}

/** Unsigned big-endian value of bytes. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length <= 6) {
    let n = 0;
    for (let i = 0; i < bytes.length; i++) n = n * 256 + bytes[i];
    return BigInt(n);
  }
  return BigInt(`0x${bytesToHex(bytes)}`);
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Bytes of an even- or odd-length hex string without prefix; throws on a non-hex digit. */
export function hexToBytes(hex: string): Uint8Array {
  const odd = hex.length % 2;
  const out = new Uint8Array((hex.length + odd) >> 1);
  let pos = 0;
  for (let i = 0; i < hex.length; i++) {
    const d = hexDigit(hex.charCodeAt(i));
    if (d < 0) throw new SyntaxError(`invalid hex digit '${hex[i]}'`);
    const nibble = i + odd;
    if (nibble % 2 === 0) out[pos] = d << 4;
    else out[pos++] |= d;
  }
  return out;
}

/** Parses `aa:bb:cc:dd:ee:ff` (or `-` separated, 1-2 digits per group); undefined if not a MAC. */
export function parseMac(text: string): Uint8Array | undefined {
  const out = new Uint8Array(6);
  let group = 0;
  let digits = 0;
  let acc = 0;
  let separator = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 || c === 45) {
      if (separator === 0) separator = c;
      if (c !== separator || digits === 0 || group === 5) return undefined;
      out[group++] = acc;
      acc = 0;
      digits = 0;
      continue;
    }
    const d = hexDigit(c);
    if (d < 0 || digits === 2) return undefined;
    acc = acc * 16 + d;
    digits++;
  }
  if (group !== 5 || digits === 0) return undefined;
  out[5] = acc;
  return out;
}

/** Parses dotted-quad IPv4; undefined if not one. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let digits = 0;
  let acc = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = acc;
      acc = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      acc = acc * 10 + (c - 48);
      if (acc > 255) return undefined;
      digits++;
    } else return undefined;
  }
  if (part !== 3 || digits === 0) return undefined;
  out[3] = acc;
  return out;
}

/** Parses IPv6 text (with `::` compression and an optional dotted IPv4 tail); undefined if invalid. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (!v4) return undefined;
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        groups.push(Number.parseInt(item, 16));
      }
    }
    return groups;
  };
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return out;
}

/**
 * Converts a friendly value to big-endian bytes (not yet canonical, not width-checked).
 * Throws a {@link ValueError} naming `field` for anything it cannot interpret.
 */
export function valueToBytes(value: P4Value, field: string, bitwidth: number): Uint8Array {
  switch (typeof value) {
    case 'number':
      if (!Number.isSafeInteger(value) || value < 0)
        throw new ValueError(
          field,
          render(value),
          bitwidth,
          'expected a non-negative safe integer (use a bigint above 2^53)',
        );
      return numberToBytes(value);
    case 'bigint':
      if (value < 0n)
        throw new ValueError(field, render(value), bitwidth, 'negative values are not allowed for bit<W>');
      return bigintToBytes(value);
    case 'string':
      return stringToBytes(value, field, bitwidth);
    default:
      if (value instanceof Uint8Array) {
        if (value.length === 0) throw new ValueError(field, '0x', bitwidth, 'empty byte string');
        return value;
      }
      throw new ValueError(field, render(value), bitwidth, `unsupported value type ${typeof value}`);
  }
}

function stringToBytes(text: string, field: string, bitwidth: number): Uint8Array {
  const s = text.trim();
  if (s.length === 0) throw new ValueError(field, render(text), bitwidth, 'empty string');
  // One pass to classify: decimal digits only, or which separators appear.
  let digitsOnly = true;
  let hasDot = false;
  let hasColon = false;
  let hasDash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      digitsOnly = false;
      if (c === 46) hasDot = true;
      else if (c === 58) hasColon = true;
      else if (c === 45) hasDash = true;
    }
  }
  if (digitsOnly) return s.length <= 15 ? numberToBytes(Number(s)) : bigintToBytes(BigInt(s));
  if (s.length > 2 && s.charCodeAt(0) === 48 && (s[1] === 'x' || s[1] === 'X')) {
    try {
      return hexToBytes(s.slice(2).replaceAll('_', ''));
    } catch {
      throw new ValueError(field, render(text), bitwidth, 'invalid hex string');
    }
  }
  if (hasDot && !hasColon) {
    const v4 = parseIpv4(s);
    if (v4) return v4;
    throw new ValueError(field, render(text), bitwidth, 'invalid IPv4 address');
  }
  if (hasColon || hasDash) {
    const mac = parseMac(s);
    if (mac) return mac;
    const v6 = hasColon ? parseIpv6(s) : undefined;
    if (v6) return v6;
    throw new ValueError(field, render(text), bitwidth, 'not a MAC or IPv6 address');
  }
  throw new ValueError(
    field,
    render(text),
    bitwidth,
    'unrecognised string (expected decimal, 0x hex, MAC, IPv4 or IPv6 text)',
  );
}

/**
 * Encodes a friendly value as a P4Runtime binary string for a bit<W> field, checking that it
 * fits in `bitwidth` bits. Canonical by default (shortest form).
 */
export function encodeBits(
  value: P4Value,
  bitwidth: number,
  field: string,
  mode: BytestringMode = 'canonical',
): Uint8Array {
  // Fast path: small non-negative integers are by far the most frequent input.
  if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
    if (bitwidth < 32 && value >= 2 ** bitwidth)
      throw new ValueError(field, String(value), bitwidth, `does not fit in ${bitwidth} bit(s)`);
    const bytes = numberToBytes(value);
    return mode === 'canonical' ? bytes : padTo(bytes, (bitwidth + 7) >> 3);
  }
  const raw = valueToBytes(value, field, bitwidth);
  if (bitLength(raw) > bitwidth)
    throw new ValueError(field, render(value), bitwidth, `does not fit in ${bitwidth} bit(s)`);
  return mode === 'canonical' ? canonicalize(raw) : padTo(raw, (bitwidth + 7) >> 3);
}

/**
 * Validates a received binary string for a bit<W> field and returns its value. Rejects an
 * empty string and values wider than `bitwidth` (after ignoring leading zero bits).
 */
export function decodeBits(bytes: Uint8Array, bitwidth: number, field: string): bigint {
  if (bytes.length === 0) throw new ValueError(field, '0x', bitwidth, 'empty binary string');
  if (bitLength(bytes) > bitwidth)
    throw new ValueError(field, `0x${bytesToHex(bytes)}`, bitwidth, `wider than ${bitwidth} bit(s)`);
  return bytesToBigInt(bytes);
}

/** Encodes a signed int<W> value as a canonical two's complement binary string. */
export function encodeSignedBits(value: number | bigint, bitwidth: number, field: string): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new ValueError(field, String(value), bitwidth, 'expected a safe integer');
  const v = BigInt(value);
  const limit = 1n << BigInt(bitwidth - 1);
  if (v < -limit || v >= limit)
    throw new ValueError(field, `${v}`, bitwidth, `does not fit in int<${bitwidth}>`);
  let length = 1;
  while (v < -(1n << BigInt(8 * length - 1)) || v >= 1n << BigInt(8 * length - 1)) length++;
  let u = v < 0n ? (1n << BigInt(8 * length)) + v : v;
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** Decodes a two's complement binary string for an int<W> field, checking the range. */
export function decodeSignedBits(bytes: Uint8Array, bitwidth: number, field: string): bigint {
  if (bytes.length === 0) throw new ValueError(field, '0x', bitwidth, 'empty binary string');
  const unsigned = bytesToBigInt(bytes);
  const total = BigInt(bytes.length * 8);
  const v = bytes[0] & 0x80 ? unsigned - (1n << total) : unsigned;
  const limit = 1n << BigInt(bitwidth - 1);
  if (v < -limit || v >= limit)
    throw new ValueError(field, `0x${bytesToHex(bytes)}`, bitwidth, `outside int<${bitwidth}>`);
  return v;
}

/** Renders a MAC address from its 48-bit value. */
export function formatMac(value: bigint): string {
  const bytes = padTo(bigintToBytes(value), 6);
  return Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join(':');
}

/** Renders an IPv4 address from its 32-bit value. */
export function formatIpv4(value: bigint): string {
  return Array.from(padTo(bigintToBytes(value), 4)).join('.');
}

/** Renders an IPv6 address (RFC 5952 style, longest zero run compressed). */
export function formatIpv6(value: bigint): string {
  const bytes = padTo(bigintToBytes(value), 16);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Renders a decoded value. `auto` gives a number when `bitwidth` <= 53 (exactly
 * representable), else a bigint; `hex` gives `0x..`; `bytes` canonical bytes.
 */
export function formatValue(value: bigint, bitwidth: number, format: ValueFormat = 'auto'): P4Value {
  switch (format) {
    case 'auto':
      return bitwidth <= 53 ? Number(value) : value;
    case 'number':
      if (value > BigInt(Number.MAX_SAFE_INTEGER))
        throw new RangeError(`value ${value} is too large for a number; use format 'bigint'`);
      return Number(value);
    case 'bigint':
      return value;
    case 'hex':
      return `0x${value.toString(16)}`;
    case 'mac':
      return formatMac(value);
    case 'ipv4':
      return formatIpv4(value);
    case 'ipv6':
      return formatIpv6(value);
    case 'bytes':
      return bigintToBytes(value);
  }
}

/** Converts any friendly value to a bigint (width-checked), e.g. to compare decoded values. */
export function toBigInt(value: P4Value, bitwidth: number, field = 'value'): bigint {
  if (typeof value === 'bigint' && value >= 0n) {
    if (value >> BigInt(bitwidth) !== 0n)
      throw new ValueError(field, `${value}n`, bitwidth, `does not fit in ${bitwidth} bit(s)`);
    return value;
  }
  return bytesToBigInt(encodeBits(value, bitwidth, field));
}

/** A mask with the top `prefixLength` bits of a `bitwidth`-bit value set. */
export function prefixMask(prefixLength: number, bitwidth: number): bigint {
  if (prefixLength <= 0) return 0n;
  return ((1n << BigInt(prefixLength)) - 1n) << BigInt(bitwidth - prefixLength);
}

/**
 * Name-based guess of a readable format for a field (`smart` decoding): the field name and,
 * when the P4Info has one, its named type (e.g. `mac_addr_t`, `ip4Addr_t`) are matched
 * against address-like words, and only at the matching width (48 MAC, 32 IPv4, 128 IPv6).
 */
export function guessFormat(name: string, bitwidth: number, typeName = ''): ValueFormat {
  const n = `${typeName} ${name}`.toLowerCase();
  if (
    bitwidth === 48 &&
    /mac|eth(ernet)?_?(src|dst|addr)|(src|dst)_?eth|hw_?addr|dmac|smac|dst_?addr|src_?addr/.test(n)
  )
    return 'mac';
  if (
    bitwidth === 32 &&
    /ipv4|ip4|(src|dst)_?ip|ip_?(src|dst|addr)|(src|dst)_?addr|nexthop|next_hop|vtep/.test(n)
  )
    return 'ipv4';
  if (bitwidth === 128 && /ipv6|ip6|(src|dst)_?addr/.test(n)) return 'ipv6';
  return 'auto';
}
