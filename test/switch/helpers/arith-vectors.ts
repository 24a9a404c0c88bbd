// Operand generation and the reference results of test/fixtures/p4/arith.p4, computed from the P4_16
// definitions of each operator (unsigned wrap-around at the result width, two's complement for int<W>,
// saturating casts, arithmetic shift of signed values, shifts by >= width giving 0).
import { type HeaderLayout, pack, prng, randomBits, signed } from './fixtures.js';

export const ARITH_IN: HeaderLayout = [
  ['a8', 8],
  ['b8', 8],
  ['a16', 16],
  ['b16', 16],
  ['a32', 32],
  ['b32', 32],
  ['a48', 48],
  ['b48', 48],
  ['a64', 64],
  ['b64', 64],
  ['a128', 128],
  ['sa', 8],
  ['sb', 8],
  ['s16', 16],
  ['sh', 8],
  ['n4', 4],
  ['m4', 4],
];

export const ARITH_OUT: HeaderLayout = [
  ['add8', 8],
  ['sub8', 8],
  ['mul8', 8],
  ['add32', 32],
  ['sub32', 32],
  ['mul32', 32],
  ['mul48', 48],
  ['add48', 48],
  ['add64', 64],
  ['mul64', 64],
  ['sub64', 64],
  ['shl8', 8],
  ['shr8', 8],
  ['shl32', 32],
  ['shr32', 32],
  ['shl64', 64],
  ['and16', 16],
  ['or16', 16],
  ['xor16', 16],
  ['not16', 16],
  ['not64', 64],
  ['add128', 128],
  ['shr128', 128],
  ['mix128', 128],
  ['slice16', 16],
  ['concat16', 16],
  ['sext16', 16],
  ['zext16', 16],
  ['sadd', 8],
  ['smul', 8],
  ['sshr', 8],
  ['sneg', 16],
  ['satadd8', 8],
  ['satsub8', 8],
  ['ssatadd', 8],
  ['ssatsub', 8],
  ['max8', 8],
  ['div32', 32],
  ['mod32', 32],
  ['flags', 8],
  ['n4add', 4],
  ['n4sat', 4],
  ['trunc32', 32],
  ['lit16', 16],
];

export type Operands = Record<string, bigint>;

const U = (w: number, v: bigint): bigint => BigInt.asUintN(w, v);
const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => (v < lo ? lo : v > hi ? hi : v);
const shl = (w: number, v: bigint, s: bigint): bigint => (s >= BigInt(w) ? 0n : U(w, v << s));
const shr = (w: number, v: bigint, s: bigint): bigint => (s >= BigInt(w) ? 0n : v >> s);

/** Expected out_t values (unsigned bit patterns) for the given operands (unsigned bit patterns). */
export function arithReference(o: Operands): Operands {
  const sa = signed(o.sa, 8);
  const sb = signed(o.sb, 8);
  const s16 = signed(o.s16, 16);
  let flags = 0n;
  if (sa < sb) flags |= 1n;
  if (o.a8 < o.b8) flags |= 2n;
  if (o.a16 >= o.b16) flags |= 4n;
  if (o.a64 > o.b64) flags |= 8n;
  if (o.a48 === o.b48 || o.a8 === o.b8) flags |= 16n;
  if (!(s16 <= 0n)) flags |= 32n;
  if (o.a128 !== 0n && o.sh > 100n) flags |= 64n;
  if (sb >= -3n) flags |= 128n;
  return {
    add8: U(8, o.a8 + o.b8),
    sub8: U(8, o.a8 - o.b8),
    mul8: U(8, o.a8 * o.b8),
    add32: U(32, o.a32 + o.b32),
    sub32: U(32, o.a32 - o.b32),
    mul32: U(32, o.a32 * o.b32),
    mul48: U(48, o.a48 * o.b48),
    add48: U(48, o.a48 + o.b48),
    add64: U(64, o.a64 + o.b64),
    mul64: U(64, o.a64 * o.b64),
    sub64: U(64, o.a64 - o.b64),
    shl8: shl(8, o.a8, o.sh & 7n),
    shr8: shr(8, o.a8, o.sh & 7n),
    shl32: shl(32, o.a32, o.sh),
    shr32: shr(32, o.a32, o.sh),
    shl64: shl(64, o.a64, o.sh),
    and16: o.a16 & o.b16,
    or16: o.a16 | o.b16,
    xor16: o.a16 ^ o.b16,
    not16: U(16, ~o.a16),
    not64: U(64, ~o.a64),
    add128: U(128, o.a128 + 1n),
    shr128: o.a128 >> 64n,
    mix128: U(128, o.a128 ^ (o.a128 << 5n) ^ (o.a64 << 60n)),
    slice16: (o.a32 >> 8n) & 0xffffn,
    concat16: (o.a8 << 8n) | o.b8,
    sext16: U(16, sa),
    zext16: o.a8,
    sadd: U(8, sa + sb),
    smul: U(8, sa * sb),
    sshr: U(8, sa >> 2n),
    sneg: U(16, -s16),
    satadd8: clamp(o.a8 + o.b8, 0n, 255n),
    satsub8: clamp(o.a8 - o.b8, 0n, 255n),
    ssatadd: U(8, clamp(sa + sb, -128n, 127n)),
    ssatsub: U(8, clamp(sa - sb, -128n, 127n)),
    max8: clamp(o.a8, o.b8, 255n),
    div32: o.a32 / 8n,
    mod32: o.a32 % 16n,
    flags,
    n4add: U(4, o.n4 + o.m4),
    n4sat: clamp(o.n4 + o.m4, 0n, 15n),
    trunc32: U(32, U(32, o.a64) + U(32, o.a64 >> 32n)),
    lit16: 1n,
  };
}

/** Random operands plus hand-picked edge cases (all-zero, all-one, signed extremes, big shifts). */
export function arithOperandSets(count: number, seed: number): Operands[] {
  const next = prng(seed);
  const sets: Operands[] = [];
  const all = (v: 'zero' | 'ones'): Operands =>
    Object.fromEntries(ARITH_IN.map(([n, w]) => [n, v === 'zero' ? 0n : (1n << BigInt(w)) - 1n]));
  sets.push(all('zero'), all('ones'));
  sets.push({
    ...all('zero'),
    sa: 0x80n,
    sb: 0x80n,
    s16: 0x8000n,
    a8: 0xffn,
    b8: 1n,
    sh: 31n,
    n4: 15n,
    m4: 1n,
  });
  sets.push({ ...all('ones'), sa: 0x7fn, sb: 0x7fn, s16: 0x7fffn, sh: 200n, a32: 0x80000000n });
  sets.push({ ...all('zero'), sa: 0xfdn, sb: 0xfdn, a128: 1n, sh: 101n, a48: 5n, b48: 5n });
  while (sets.length < count) {
    sets.push(Object.fromEntries(ARITH_IN.map(([n, w]) => [n, randomBits(next, w)])));
  }
  return sets;
}

export function arithPacket(o: Operands): Uint8Array {
  const inp = pack(ARITH_IN, o);
  const out = new Uint8Array(ARITH_OUT.reduce((a, [, w]) => a + w, 0) / 8);
  const pkt = new Uint8Array(inp.length + out.length);
  pkt.set(inp);
  return pkt;
}
