/**
 * MAC, IPv4 and IPv6 address helpers: text <-> bytes.
 *
 * Text forms produced by the formatters are canonical, so that a parsed frame compares equal to the
 * layers it was built from: MACs are lowercase `aa:bb:cc:dd:ee:ff`, IPv4 is dotted decimal and IPv6
 * follows RFC 5952 (lowercase, no leading zeros, the longest run of two or more zero groups becomes
 * `::`, IPv4-mapped addresses in mixed notation `::ffff:192.0.2.1`).
 *
 * The `write*` variants parse straight into a caller's buffer and are what the frame builder uses,
 * so building a frame does not allocate per address.
 */

/** Byte length of a MAC address. */
export const MAC_LENGTH = 6;
/** Byte length of an IPv4 address. */
export const IPV4_LENGTH = 4;
/** Byte length of an IPv6 address. */
export const IPV6_LENGTH = 16;

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const DEC_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Value of one hexadecimal digit character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function invalid(kind: string, text: string, why: string): Error {
  return new TypeError(`invalid ${kind} address '${text}': ${why}`);
}

/**
 * Recently parsed addresses, text -> numeric value. Frames are usually built from a small set of
 * addresses, and a map lookup is several times cheaper than re-parsing the text. The cache is
 * bounded: it is simply emptied when it reaches {@link ADDRESS_CACHE_LIMIT} entries.
 */
const ADDRESS_CACHE_LIMIT = 4096;
const macCache = new Map<string, number>();
const ipv4Cache = new Map<string, number>();

function parseMacValue(text: string): number {
  if (typeof text !== 'string' || text.length !== 17) {
    throw invalid('MAC', String(text), 'expected six two-digit hex groups like 02:00:00:00:00:01');
  }
  let value = 0;
  for (let i = 0; i < 6; i++) {
    const p = i * 3;
    const hi = hexDigit(text.charCodeAt(p));
    const lo = hexDigit(text.charCodeAt(p + 1));
    if (hi < 0 || lo < 0) throw invalid('MAC', text, `group ${i + 1} is not two hex digits`);
    if (i < 5) {
      const sep = text.charCodeAt(p + 2);
      if (sep !== 58 && sep !== 45) throw invalid('MAC', text, `expected ':' after group ${i + 1}`);
    }
    value = value * 256 + ((hi << 4) | lo);
  }
  return value;
}

/**
 * Parses a MAC address (`aa:bb:cc:dd:ee:ff`, `-` separators and upper case accepted) into `out`
 * at `offset`. Throws a TypeError naming the address when it is malformed.
 */
export function writeMac(text: string, out: Uint8Array, offset: number): void {
  let value = macCache.get(text);
  if (value === undefined) {
    value = parseMacValue(text);
    if (macCache.size >= ADDRESS_CACHE_LIMIT) macCache.clear();
    macCache.set(text, value);
  }
  const high = Math.floor(value / 4294967296);
  const low = value >>> 0;
  out[offset] = high >>> 8;
  out[offset + 1] = high & 0xff;
  out[offset + 2] = low >>> 24;
  out[offset + 3] = (low >>> 16) & 0xff;
  out[offset + 4] = (low >>> 8) & 0xff;
  out[offset + 5] = low & 0xff;
}

/** Parses a MAC address string into 6 bytes. */
export function parseMac(text: string): Uint8Array {
  const out = new Uint8Array(MAC_LENGTH);
  writeMac(text, out, 0);
  return out;
}

/** Formats 6 bytes at `offset` as a lowercase colon-separated MAC address. */
export function formatMac(bytes: Uint8Array, offset = 0): string {
  return (
    HEX_BYTE[bytes[offset]] +
    ':' +
    HEX_BYTE[bytes[offset + 1]] +
    ':' +
    HEX_BYTE[bytes[offset + 2]] +
    ':' +
    HEX_BYTE[bytes[offset + 3]] +
    ':' +
    HEX_BYTE[bytes[offset + 4]] +
    ':' +
    HEX_BYTE[bytes[offset + 5]]
  );
}

function parseIpv4Value(text: string): number {
  if (typeof text !== 'string') throw invalid('IPv4', String(text), 'not a string');
  const len = text.length;
  let part = 0;
  let value = 0;
  let result = 0;
  let digits = 0;
  for (let i = 0; i <= len; i++) {
    const code = i < len ? text.charCodeAt(i) : 46;
    if (code === 46) {
      if (digits === 0) throw invalid('IPv4', text, `part ${part + 1} is empty`);
      if (part > 3) throw invalid('IPv4', text, 'more than four parts');
      result = result * 256 + value;
      part++;
      value = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && value === 0) throw invalid('IPv4', text, `part ${part + 1} has a leading zero`);
      value = value * 10 + (code - 48);
      digits++;
      if (value > 255) throw invalid('IPv4', text, `part ${part + 1} is greater than 255`);
    } else {
      throw invalid('IPv4', text, `unexpected character '${text[i]}'`);
    }
  }
  if (part !== 4) throw invalid('IPv4', text, 'expected four dot-separated parts');
  return result;
}

/**
 * Parses a dotted-decimal IPv4 address into `out` at `offset`. Leading zeros are rejected (they are
 * octal in some parsers, so accepting them would be ambiguous).
 */
export function writeIpv4(text: string, out: Uint8Array, offset: number): void {
  let value = ipv4Cache.get(text);
  if (value === undefined) {
    value = parseIpv4Value(text);
    if (ipv4Cache.size >= ADDRESS_CACHE_LIMIT) ipv4Cache.clear();
    ipv4Cache.set(text, value);
  }
  out[offset] = value >>> 24;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/** Parses a dotted-decimal IPv4 address into 4 bytes. */
export function parseIpv4(text: string): Uint8Array {
  const out = new Uint8Array(IPV4_LENGTH);
  writeIpv4(text, out, 0);
  return out;
}

/** Formats 4 bytes at `offset` as dotted decimal. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return (
    DEC_BYTE[bytes[offset]] +
    '.' +
    DEC_BYTE[bytes[offset + 1]] +
    '.' +
    DEC_BYTE[bytes[offset + 2]] +
    '.' +
    DEC_BYTE[bytes[offset + 3]]
  );
}

/** True when `text` is a valid dotted-decimal IPv4 address. */
export function isIpv4(text: string): boolean {
  try {
    writeIpv4(text, SCRATCH, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `text` is a valid IPv6 address. */
export function isIpv6(text: string): boolean {
  try {
    writeIpv6(text, SCRATCH, 0);
    return true;
  } catch {
    return false;
  }
}

const SCRATCH = new Uint8Array(IPV6_LENGTH);
const GROUPS = new Uint16Array(8);

/**
 * Parses an IPv6 address (full, `::`-compressed, or with a trailing dotted IPv4 part) into `out`
 * at `offset`. Zone identifiers (`%eth0`) are not addresses on the wire and are rejected.
 */
export function writeIpv6(text: string, out: Uint8Array, offset: number): void {
  if (typeof text !== 'string' || text.length < 2 || text.length > 45) {
    throw invalid('IPv6', String(text), 'wrong length');
  }
  const len = text.length;
  let count = 0; // groups written so far
  let gap = -1; // group index where '::' sits
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) throw invalid('IPv6', text, "a leading ':' must be part of '::'");
    gap = 0;
    i = 2;
    if (i === len) {
      out.fill(0, offset, offset + IPV6_LENGTH);
      return;
    }
  }
  while (i < len) {
    // A dotted IPv4 tail takes the last two groups.
    let j = i;
    let value = 0;
    let digits = 0;
    while (j < len) {
      const d = hexDigit(text.charCodeAt(j));
      if (d < 0) break;
      value = (value << 4) | d;
      digits++;
      j++;
    }
    if (j < len && text.charCodeAt(j) === 46) {
      if (count > 6) throw invalid('IPv6', text, 'too many groups before the IPv4 part');
      writeIpv4(text.slice(i), SCRATCH, 0);
      GROUPS[count++] = (SCRATCH[0] << 8) | SCRATCH[1];
      GROUPS[count++] = (SCRATCH[2] << 8) | SCRATCH[3];
      i = len;
      break;
    }
    if (digits === 0 || digits > 4) throw invalid('IPv6', text, `group ${count + 1} must be 1-4 hex digits`);
    if (count === 8) throw invalid('IPv6', text, 'more than eight groups');
    GROUPS[count++] = value;
    i = j;
    if (i === len) break;
    if (text.charCodeAt(i) !== 58) throw invalid('IPv6', text, `unexpected character '${text[i]}'`);
    i++;
    if (i < len && text.charCodeAt(i) === 58) {
      if (gap >= 0) throw invalid('IPv6', text, "'::' appears more than once");
      gap = count;
      i++;
    } else if (i === len) {
      throw invalid('IPv6', text, "trailing ':'");
    }
  }
  if (gap < 0 && count !== 8) throw invalid('IPv6', text, 'expected eight groups or a "::"');
  if (gap >= 0 && count > 7) throw invalid('IPv6', text, "'::' must stand for at least one group");
  const fill = 8 - count;
  let g = 0;
  for (let k = 0; k < 8; k++) {
    let v = 0;
    if (gap >= 0 && k >= gap && k < gap + fill) v = 0;
    else v = GROUPS[g++];
    out[offset + 2 * k] = v >>> 8;
    out[offset + 2 * k + 1] = v & 0xff;
  }
}

/** Parses an IPv6 address into 16 bytes. */
export function parseIpv6(text: string): Uint8Array {
  const out = new Uint8Array(IPV6_LENGTH);
  writeIpv6(text, out, 0);
  return out;
}

/** Formats 16 bytes at `offset` as an RFC 5952 canonical IPv6 address. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups = GROUPS;
  for (let k = 0; k < 8; k++) groups[k] = (bytes[offset + 2 * k] << 8) | bytes[offset + 2 * k + 1];
  // IPv4-mapped ::ffff:a.b.c.d (RFC 5952 section 5).
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return '::ffff:' + formatIpv4(bytes, offset + 12);
  }
  // Longest run of at least two zero groups; the first one wins a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  let s = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      s += '::';
      k += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += groups[k].toString(16);
  }
  return s;
}

/** Parses an IPv4 or IPv6 address, telling which it was. */
export function parseIp(text: string): { version: 4 | 6; bytes: Uint8Array } {
  if (typeof text === 'string' && text.includes(':')) return { version: 6, bytes: parseIpv6(text) };
  return { version: 4, bytes: parseIpv4(text) };
}
