/**
 * A 30-bit hash of a key's values (numbers of up to 53 bits, or bigints), for the indexes that file
 * a whole key under one small integer instead of one map level per field (`exact-index.ts`,
 * `tuple-space.ts`; bmv2 likewise hashes a key's packed bytes, `MatchUnitExact`). The result is a
 * small integer on every V8 build (a Map key without a heap number); callers compare the keys
 * filed under one hash, so collisions cost a comparison, never a wrong match. Murmur3's mixing
 * (Appleby, public domain) of 32-bit words.
 */
export type KeyValue = number | bigint;

/** Every bit a hash may have. */
export const HASH_BITS = 0x3fffffff;

function mix(h: number, word: number): number {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The hash of the first `n` of `values`, kept to the bits of `hashMask`. */
export function hashKey(values: readonly KeyValue[], n: number, hashMask: number): number {
  let h = n;
  for (let j = 0; j < n; j++) {
    const v = values[j];
    if (typeof v === 'number') {
      // `>>> 0` keeps the low 32 bits of any safe integer; the rest (up to 21 bits) when there is any.
      h = mix(h, v >>> 0);
      if (v > 0xffffffff) h = mix(h, Math.floor(v / 0x100000000));
    } else for (let x = v; x !== 0n; x >>= 32n) h = mix(h, Number(x & 0xffffffffn));
  }
  // Murmur3's finalizer: every bit of the input moves the low bits kept.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & hashMask;
}
