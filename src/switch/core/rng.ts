/**
 * Seedable pseudo-random generator (xoshiro128**, seeded through splitmix32) used by
 * `modify_field_rng_uniform`, so that runs with the same seed produce the same packets.
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number | bigint = 1) {
    this.reseed(seed);
  }

  reseed(seed: number | bigint): void {
    let x = Number(BigInt.asUintN(32, BigInt(seed))) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform integer in [lo, hi] (inclusive), unbiased (rejection sampling). */
  uniform(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    if (span <= 0n) return lo;
    const bits = span.toString(2).length;
    const words = Math.ceil(bits / 32);
    const limit = 1n << BigInt(words * 32);
    const bound = limit - (limit % span);
    for (;;) {
      let r = 0n;
      for (let i = 0; i < words; i++) r = (r << 32n) | BigInt(this.nextUint32());
      if (r < bound) return lo + (r % span);
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
