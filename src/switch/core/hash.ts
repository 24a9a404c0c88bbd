/**
 * The hash / checksum algorithms bmv2 offers to `calculations`, action selectors and
 * `modify_field_with_hash_based_offset`, implemented from their definitions in bmv2's calculations.cpp
 * and crc_map.cpp (CRC parameters as in crcmod's catalogue). Every algorithm maps a byte string to an
 * unsigned 64-bit result (narrower algorithms simply produce smaller values).
 */

/** A hash function instance. Stateful algorithms (round_robin*) keep their state in the instance. */
export interface HashAlgorithm {
  readonly name: string;
  /** Output width in bits. */
  readonly width: number;
  compute(data: Uint8Array): bigint;
}

/** Parameters of a CRC in the Rocksoft model. */
export interface CrcParams {
  readonly width: 8 | 16 | 32 | 64;
  readonly poly: bigint;
  readonly init: bigint;
  readonly xorOut: bigint;
  readonly reflectIn: boolean;
  readonly reflectOut: boolean;
}

function reflectBits(v: bigint, bits: number): bigint {
  let r = 0n;
  let x = v;
  for (let i = 0; i < bits; i++) {
    r = (r << 1n) | (x & 1n);
    x >>= 1n;
  }
  return r;
}

const REFLECT8 = Uint8Array.from({ length: 256 }, (_, i) => Number(reflectBits(BigInt(i), 8)));

/** A table-driven CRC following bmv2's `crc_custom` (MSB-first table, reflection applied to input/output). */
export function makeCrc(name: string, p: CrcParams): HashAlgorithm {
  const w = p.width;
  if (w <= 32) {
    const topShift = w - 8;
    const mask = w === 32 ? 0xffffffff : 2 ** w - 1;
    const poly = Number(p.poly);
    const table = new Uint32Array(256);
    for (let d = 0; d < 256; d++) {
      let rem = (d * 2 ** topShift) >>> 0;
      for (let bit = 0; bit < 8; bit++) {
        const top = w === 32 ? rem >>> 31 : (rem >>> (w - 1)) & 1;
        rem = top ? (((rem << 1) ^ poly) & mask) >>> 0 : ((rem << 1) & mask) >>> 0;
      }
      table[d] = rem;
    }
    const init = Number(p.init);
    const xorOut = Number(p.xorOut);
    return {
      name,
      width: w,
      compute(data) {
        let rem = init;
        for (let i = 0; i < data.length; i++) {
          const byte = p.reflectIn ? REFLECT8[data[i]] : data[i];
          const idx = (byte ^ (rem >>> topShift)) & 0xff;
          rem = (table[idx] ^ ((rem << 8) & mask)) >>> 0;
          if (w < 32) rem &= mask;
        }
        const out = p.reflectOut ? Number(reflectBits(BigInt(rem), w)) : rem;
        return BigInt(((out ^ xorOut) & mask) >>> 0);
      },
    };
  }
  // 64-bit CRCs: bigint arithmetic (rarely used, correctness over speed).
  const mask = (1n << 64n) - 1n;
  const table: bigint[] = [];
  for (let d = 0n; d < 256n; d++) {
    let rem = d << 56n;
    for (let bit = 0; bit < 8; bit++) {
      rem = rem & (1n << 63n) ? ((rem << 1n) ^ p.poly) & mask : (rem << 1n) & mask;
    }
    table.push(rem);
  }
  return {
    name,
    width: 64,
    compute(data) {
      let rem = p.init;
      for (let i = 0; i < data.length; i++) {
        const byte = BigInt(p.reflectIn ? REFLECT8[data[i]] : data[i]);
        rem = table[Number((byte ^ (rem >> 56n)) & 0xffn)] ^ ((rem << 8n) & mask);
      }
      const out = p.reflectOut ? reflectBits(rem, 64) : rem;
      return (out ^ p.xorOut) & mask;
    },
  };
}

const crc = (
  width: CrcParams['width'],
  poly: bigint,
  init: bigint,
  xorOut: bigint,
  reflected: boolean,
): CrcParams => ({
  width,
  poly,
  init,
  xorOut,
  reflectIn: reflected,
  reflectOut: reflected,
});

/** bmv2's catalogue of named CRCs (crc_map.cpp) plus the fixed-configuration ones of calculations.cpp. */
const NAMED_CRCS: Readonly<Record<string, CrcParams>> = {
  crc16: crc(16, 0x8005n, 0n, 0n, true),
  crc32: crc(32, 0x04c11db7n, 0xffffffffn, 0xffffffffn, true),
  crcCCITT: crc(16, 0x1021n, 0xffffn, 0n, false),
  crc8_custom: crc(8, 0x07n, 0n, 0n, false),
  crc16_custom: crc(16, 0x8005n, 0n, 0n, true),
  crc32_custom: crc(32, 0x04c11db7n, 0xffffffffn, 0xffffffffn, true),
  crc64_custom: crc(64, 0x1bn, 0n, 0n, true),
  crc_8: crc(8, 0x07n, 0x00n, 0x00n, false),
  crc_8_darc: crc(8, 0x39n, 0x00n, 0x00n, true),
  crc_8_i_code: crc(8, 0x1dn, 0xfdn, 0x00n, false),
  crc_8_itu: crc(8, 0x07n, 0x00n, 0x55n, false),
  crc_8_maxim: crc(8, 0x31n, 0x00n, 0x00n, true),
  crc_8_rohc: crc(8, 0x07n, 0xffn, 0x00n, true),
  crc_8_wcdma: crc(8, 0x9bn, 0x00n, 0x00n, true),
  crc_16: crc(16, 0x8005n, 0x0000n, 0x0000n, true),
  crc_16_buypass: crc(16, 0x8005n, 0x0000n, 0x0000n, false),
  crc_16_dds_110: crc(16, 0x8005n, 0x800dn, 0x0000n, false),
  crc_16_dect: crc(16, 0x0589n, 0x0000n, 0x0001n, false),
  crc_16_dnp: crc(16, 0x3d65n, 0x0000n, 0xffffn, true),
  crc_16_en_13757: crc(16, 0x3d65n, 0x0000n, 0xffffn, false),
  crc_16_genibus: crc(16, 0x1021n, 0xffffn, 0xffffn, false),
  crc_16_maxim: crc(16, 0x8005n, 0x0000n, 0xffffn, true),
  crc_16_mcrf4xx: crc(16, 0x1021n, 0xffffn, 0x0000n, true),
  crc_16_riello: crc(16, 0x1021n, 0xb2aan, 0x0000n, true),
  crc_16_t10_dif: crc(16, 0x8bb7n, 0x0000n, 0x0000n, false),
  crc_16_teledisk: crc(16, 0xa097n, 0x0000n, 0x0000n, false),
  crc_16_usb: crc(16, 0x8005n, 0xffffn, 0xffffn, true),
  x_25: crc(16, 0x1021n, 0xffffn, 0xffffn, true),
  xmodem: crc(16, 0x1021n, 0x0000n, 0x0000n, false),
  modbus: crc(16, 0x8005n, 0xffffn, 0x0000n, true),
  kermit: crc(16, 0x1021n, 0x0000n, 0x0000n, true),
  crc_ccitt_false: crc(16, 0x1021n, 0xffffn, 0x0000n, false),
  crc_aug_ccitt: crc(16, 0x1021n, 0x1d0fn, 0x0000n, false),
  crc_32: crc(32, 0x04c11db7n, 0xffffffffn, 0xffffffffn, true),
  crc_32_bzip2: crc(32, 0x04c11db7n, 0xffffffffn, 0xffffffffn, false),
  crc_32c: crc(32, 0x1edc6f41n, 0xffffffffn, 0xffffffffn, true),
  crc_32d: crc(32, 0xa833982bn, 0xffffffffn, 0xffffffffn, true),
  crc_32_mpeg: crc(32, 0x04c11db7n, 0xffffffffn, 0x00000000n, false),
  posix: crc(32, 0x04c11db7n, 0x00000000n, 0xffffffffn, false),
  crc_32q: crc(32, 0x814141abn, 0x00000000n, 0x00000000n, false),
  jamcrc: crc(32, 0x04c11db7n, 0xffffffffn, 0x00000000n, true),
  xfer: crc(32, 0x000000afn, 0x00000000n, 0x00000000n, false),
  crc_64: crc(64, 0x1bn, 0n, 0n, true),
  crc_64_we: crc(64, 0x42f0e1eba9ea3693n, 0xffffffffffffffffn, 0xffffffffffffffffn, false),
  crc_64_jones: crc(64, 0xad93d23594c935a9n, 0xffffffffffffffffn, 0n, true),
};

/**
 * Internet checksum (RFC 1071) as bmv2's csum16/cksum16: ones' complement of the ones' complement sum of
 * big-endian 16-bit words, an odd trailing byte padded with a zero byte.
 */
export function csum16(data: Uint8Array): number {
  let sum = 0;
  const n = data.length;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (i < n) sum += data[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/** XOR of big-endian words of `bytes` bytes, the tail zero-padded at the end (bmv2 xor16 / xor32). */
function xorWords(data: Uint8Array, bytes: 2 | 4): bigint {
  let acc = 0;
  for (let i = 0; i < data.length; i += bytes) {
    let word = 0;
    for (let j = 0; j < bytes; j++) word = word * 256 + (data[i + j] ?? 0);
    acc = (acc ^ word) >>> 0;
  }
  return BigInt(acc >>> 0);
}

/** bmv2 `identity`: the first (up to) 8 bytes read as a big-endian integer. */
function identity(data: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < Math.min(8, data.length); i++) v = (v << 8n) | BigInt(data[i]);
  return v;
}

const M64 = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}
function read64(d: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let j = 7; j >= 0; j--) v = (v << 8n) | BigInt(d[i + j]);
  return v;
}
function read32(d: Uint8Array, i: number): bigint {
  return BigInt((d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)) >>> 0);
}
function xxRound(acc: bigint, input: bigint): bigint {
  return (rotl64((acc + input * P2) & M64, 31n) * P1) & M64;
}
function xxMerge(acc: bigint, val: bigint): bigint {
  return (((acc ^ xxRound(0n, val)) * P1) & M64) + P4;
}

/** XXH64 with seed 0 (bmv2's `xxh64` and simple_switch's `bmv2_hash`). */
export function xxh64(d: Uint8Array): bigint {
  const len = d.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (P1 + P2) & M64;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (M64 + 1n - P1) & M64;
    for (; i + 32 <= len; i += 32) {
      v1 = xxRound(v1, read64(d, i));
      v2 = xxRound(v2, read64(d, i + 8));
      v3 = xxRound(v3, read64(d, i + 16));
      v4 = xxRound(v4, read64(d, i + 24));
    }
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & M64;
    h = xxMerge(h, v1) & M64;
    h = xxMerge(h, v2) & M64;
    h = xxMerge(h, v3) & M64;
    h = xxMerge(h, v4) & M64;
  } else {
    h = P5;
  }
  h = (h + BigInt(len)) & M64;
  for (; i + 8 <= len; i += 8) {
    h ^= xxRound(0n, read64(d, i));
    h = (rotl64(h, 27n) * P1 + P4) & M64;
  }
  if (i + 4 <= len) {
    h ^= (read32(d, i) * P1) & M64;
    h = (rotl64(h, 23n) * P2 + P3) & M64;
    i += 4;
  }
  for (; i < len; i++) {
    h ^= (BigInt(d[i]) * P5) & M64;
    h = (rotl64(h, 11n) * P1) & M64;
  }
  h ^= h >> 33n;
  h = (h * P2) & M64;
  h ^= h >> 29n;
  h = (h * P3) & M64;
  h ^= h >> 32n;
  return h;
}

/** simple_switch's `hash_ex` (an FNV-1a variant with extra mixing; bytes are sign-extended as in C). */
function hashEx(data: Uint8Array): bigint {
  let hash = 2166136261 >>> 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i] >= 0x80 ? data[i] - 256 : data[i];
    hash = Math.imul((hash ^ c) >>> 0, 16777619) >>> 0;
  }
  hash = (hash + ((hash << 13) >>> 0)) >>> 0;
  hash = (hash ^ (hash >>> 7)) >>> 0;
  hash = (hash + ((hash << 3) >>> 0)) >>> 0;
  hash = (hash ^ (hash >>> 17)) >>> 0;
  hash = (hash + ((hash << 5) >>> 0)) >>> 0;
  return BigInt(hash);
}

/**
 * Parses bmv2's custom CRC naming scheme ("poly_0x1<poly>[_init_<v>][_xout_<v>][_not_rev]"), where the
 * polynomial's width is given by the number of hex digits after the leading 0x1.
 */
function parseCustomCrc(name: string): CrcParams | undefined {
  const tokens = name.split('_');
  let poly: string | undefined;
  let init = '';
  let xout = '';
  let reflected = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'poly') poly = tokens[++i];
    else if (t === 'init') init = tokens[++i] ?? '';
    else if (t === 'xout') xout = tokens[++i] ?? '';
    else if (t === 'not' && tokens[i + 1] === 'rev') {
      reflected = false;
      i++;
    } else return undefined;
  }
  if (poly === undefined || !poly.startsWith('0x1') || poly.length < 4) return undefined;
  const width = (poly.length - 3) * 4;
  if (width !== 8 && width !== 16 && width !== 32 && width !== 64) return undefined;
  try {
    const mask = (1n << BigInt(width)) - 1n;
    const p = BigInt(`0x${poly.slice(3)}`) & mask;
    const iv = init === '' ? 0n : BigInt(init) & mask;
    const xv = xout === '' ? 0n : BigInt(xout) & mask;
    return { width, poly: p, init: iv, xorOut: xv, reflectIn: reflected, reflectOut: reflected };
  } catch {
    return undefined;
  }
}

/** Creates a fresh instance of the named algorithm, or undefined when bmv2 does not know the name. */
export function createHashAlgorithm(name: string): HashAlgorithm | undefined {
  const params = NAMED_CRCS[name];
  if (params) return makeCrc(name, params);
  switch (name) {
    case 'csum16':
    case 'cksum16':
      return { name, width: 16, compute: (d) => BigInt(csum16(d)) };
    case 'xor16':
      return { name, width: 16, compute: (d) => xorWords(d, 2) };
    case 'xor32':
      return { name, width: 32, compute: (d) => xorWords(d, 4) };
    case 'identity':
      return { name, width: 64, compute: identity };
    case 'xxh64':
    case 'bmv2_hash':
      return { name, width: 64, compute: xxh64 };
    case 'hash_ex':
      return { name, width: 32, compute: hashEx };
    case 'toeplitz':
      // bmv2's toeplitz starts with an all-zero key (only its Thrift API can change it), so it hashes to 0.
      return { name, width: 32, compute: () => 0n };
    case 'round_robin': {
      let next = 0n;
      return {
        name,
        width: 64,
        compute: () => {
          const v = next;
          next = BigInt.asUintN(64, next + 1n);
          return v;
        },
      };
    }
    case 'round_robin_consistent': {
      let next = 0n;
      const seen = new Map<string, bigint>();
      return {
        name,
        width: 64,
        compute: (d) => {
          const key = Buffer.from(d).toString('latin1');
          let v = seen.get(key);
          if (v === undefined) {
            v = next;
            seen.set(key, v);
            next = BigInt.asUintN(64, next + 1n);
          }
          return v;
        },
      };
    }
    default: {
      const custom = parseCustomCrc(name);
      return custom ? makeCrc(name, custom) : undefined;
    }
  }
}
