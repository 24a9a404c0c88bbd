/**
 * A map of entities by their key (device-state.ts: what an entity is) that keeps no key text: each
 * entity is filed under a 32-bit hash of its key, and two entities under one hash are told apart
 * by their keys, computed again from the entities when compared. The service keeps what each
 * device holds, about 145,000 entities a device; kept as `Map<string, ...>`, their key texts were a
 * large part of its heap. An entity whose key is computed when asked (read-wire.ts WireObserved,
 * from its bytes) then costs the map one entry and no text.
 *
 * It behaves as a `Map<string, V>` whose keys are the entities' own keys (`set(k, v)` requires
 * `v.key === k`), iterated in insertion order except where keys share a hash (then they follow the
 * first of their hash). test/controller/keyed-map.test.ts holds it to a Map on random keys, every
 * hash made to collide too.
 */

/** What a map of observed entities is asked (a `Map<string, V>` is one too). */
export interface KeyedLookup<V> {
  get(key: string): V | undefined;
  readonly size: number;
  values(): IterableIterator<V>;
  [Symbol.iterator](): IterableIterator<[string, V]>;
}

/** A {@link KeyedLookup} that is changed as writes are done (the service's cache of a device). */
export interface KeyedStore<V> extends KeyedLookup<V> {
  set(key: string, value: V): unknown;
  delete(key: string): boolean;
}

/** FNV-1a over a text's UTF-16 code units (keys are ASCII). */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class KeyedMap<V extends { readonly key: string }> implements KeyedStore<V> {
  /** By hash: the entity, or the entities (two or more) whose keys share it. */
  private readonly byHash = new Map<number, V | V[]>();
  private count = 0;
  constructor(
    /** The hash of a key ({@link hashKey}; tests give a poorer one, to make keys collide). */
    private readonly hash: (key: string) => number = hashKey,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const at = this.byHash.get(this.hash(key));
    if (at === undefined) return undefined;
    if (!Array.isArray(at)) return at.key === key ? at : undefined;
    for (const v of at) if (v.key === key) return v;
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Files `value` under `key`, which must be its own key. */
  set(key: string, value: V): this {
    const h = this.hash(key);
    const at = this.byHash.get(h);
    if (at === undefined) {
      this.byHash.set(h, value);
      this.count++;
    } else if (!Array.isArray(at)) {
      if (at.key === key) this.byHash.set(h, value);
      else {
        this.byHash.set(h, [at, value]);
        this.count++;
      }
    } else {
      const i = at.findIndex((v) => v.key === key);
      if (i >= 0) at[i] = value;
      else {
        at.push(value);
        this.count++;
      }
    }
    return this;
  }

  delete(key: string): boolean {
    const h = this.hash(key);
    const at = this.byHash.get(h);
    if (at === undefined) return false;
    if (!Array.isArray(at)) {
      if (at.key !== key) return false;
      this.byHash.delete(h);
      this.count--;
      return true;
    }
    const i = at.findIndex((v) => v.key === key);
    if (i < 0) return false;
    at.splice(i, 1);
    if (at.length === 1) this.byHash.set(h, at[0]);
    this.count--;
    return true;
  }

  *values(): IterableIterator<V> {
    for (const at of this.byHash.values())
      if (Array.isArray(at)) yield* at;
      else yield at;
  }

  /** The keys, each computed from its entity. */
  *keys(): IterableIterator<string> {
    for (const v of this.values()) yield v.key;
  }

  *entries(): IterableIterator<[string, V]> {
    for (const v of this.values()) yield [v.key, v];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
