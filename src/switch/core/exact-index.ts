/**
 * Entries of an exact-match table by key. Field values are numbers when every value of the field's
 * width is a safe integer (up to 53 bits: the table converts a packet's 33-53-bit reads, which are
 * bigints, see `bits.ts`), else bigints. No key string is made per entry or per lookup: building,
 * hashing and keeping such strings was the largest cost of inserting into and looking up a
 * multi-field exact table. Two layouts:
 *
 * - hashed (a multi-field key of numbers, given `sameKey`): one map from a 30-bit hash of the key's
 *   values (`key-hash.ts`) to the entry, or the few entries whose keys share the hash, compared
 *   field by field (bmv2's `MatchUnitExact` hashes the packed key bytes likewise). Nested maps
 *   made a map per distinct key prefix: for `vport_classification` (port, MAC, VLAN) a map per
 *   MAC, about 230 heap bytes per entry;
 * - nested (otherwise): one map level per key field, keyed by the field's value (a one-field key
 *   is one map keyed by its value; bigints hash natively there).
 */
import { HASH_BITS, hashKey } from './key-hash.js';

export type ExactValue = number | bigint;

type Level = Map<ExactValue, unknown>;

/** One entry, or several whose keys share a hash. */
type Slot<E> = E | E[];

export class ExactIndex<E> {
  private root: Level = new Map();
  private slots = new Map<number, Slot<E>>();

  /**
   * `depth`: the number of key fields (a keyless table keeps its one entry under the value 0).
   * `sameKey`: whether a filed entry's key has these values, for the hashed layout, which then
   * holds keys of `depth` > 1 numbers (the index keeps no key itself); without it, the nested
   * layout. `hashMask`: the bits of a hash kept (tests make keys collide with a small one).
   */
  constructor(
    private readonly depth: number,
    sameKey?: (e: E, values: readonly ExactValue[]) => boolean,
    private readonly hashMask = HASH_BITS,
  ) {
    this.hashed = sameKey !== undefined && depth > 1;
    this.sameKey = sameKey ?? (() => false);
  }

  private readonly sameKey: (e: E, values: readonly ExactValue[]) => boolean;

  private readonly hashed: boolean;

  get(values: readonly ExactValue[]): E | undefined {
    if (this.hashed) return this.inSlot(this.slots.get(hashKey(values, this.depth, this.hashMask)), values);
    const last = this.depth - 1;
    if (last < 0) return this.root.get(0) as E | undefined;
    let level = this.root;
    for (let i = 0; i < last; i++) {
      const next = level.get(values[i]) as Level | undefined;
      if (next === undefined) return undefined;
      level = next;
    }
    return level.get(values[last]) as E | undefined;
  }

  /** The entry of `slot` whose key is `values`. */
  private inSlot(slot: Slot<E> | undefined, values: readonly ExactValue[]): E | undefined {
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return this.sameKey(slot, values) ? slot : undefined;
    for (let i = 0; i < slot.length; i++) if (this.sameKey(slot[i], values)) return slot[i];
    return undefined;
  }

  /**
   * One walk for an insert: false when an entry is filed under `values` (or the single `value` of a
   * one-field key); otherwise where it goes is remembered, and the next {@link fill} files it there
   * without walking again. Nothing is created here: a refused insert leaves the index as it was.
   */
  claim(values: ExactValue | readonly ExactValue[]): boolean {
    const last = this.depth - 1;
    if (typeof values !== 'object' || last < 0) {
      const key = typeof values === 'object' ? 0 : values;
      this.claimedLevel = this.root;
      this.claimedValues = undefined;
      this.claimedKey = key;
      return !this.root.has(key);
    }
    if (this.hashed) {
      const h = hashKey(values, this.depth, this.hashMask);
      const slot = this.slots.get(h);
      this.claimedHash = h;
      this.claimedSlot = slot;
      return this.inSlot(slot, values) === undefined;
    }
    let level = this.root;
    for (let i = 0; i < last; i++) {
      const next = level.get(values[i]) as Level | undefined;
      if (next === undefined) {
        // The levels from i on are made by fill().
        this.claimedLevel = level;
        this.claimedDepth = i;
        this.claimedValues = values;
        return true;
      }
      level = next;
    }
    this.claimedLevel = level;
    this.claimedValues = undefined;
    this.claimedKey = values[last];
    return !level.has(values[last]);
  }

  /** Files `entry` where the last successful {@link claim} found room. */
  fill(entry: E): void {
    if (this.claimedHash >= 0) {
      const slot = this.claimedSlot;
      if (slot === undefined) this.slots.set(this.claimedHash, entry);
      else if (Array.isArray(slot)) slot.push(entry);
      else this.slots.set(this.claimedHash, [slot, entry]);
      this.claimedHash = -1;
      this.claimedSlot = undefined;
      return;
    }
    let level = this.claimedLevel!;
    this.claimedLevel = undefined;
    const values = this.claimedValues;
    if (values === undefined) {
      level.set(this.claimedKey, entry);
      return;
    }
    const last = this.depth - 1;
    for (let i = this.claimedDepth; i < last; i++) {
      const next: Level = new Map();
      level.set(values[i], next);
      level = next;
    }
    level.set(values[last], entry);
  }

  /** Where the last {@link claim} found room: a level, and the key in it or the values still to file. */
  private claimedLevel: Level | undefined;
  private claimedDepth = 0;
  private claimedValues: readonly ExactValue[] | undefined;
  private claimedKey: ExactValue = 0;
  /** Or, in the hashed layout, the hash and what its slot held (-1: no hashed claim). */
  private claimedHash = -1;
  private claimedSlot: Slot<E> | undefined;

  /** Lookup by a single-field key (the common case of one map level). */
  getOne(value: ExactValue): E | undefined {
    return this.root.get(value) as E | undefined;
  }

  deleteOne(value: ExactValue): void {
    this.root.delete(value);
  }

  /** Removes the entry under `values`, and the levels it leaves empty. */
  delete(values: readonly ExactValue[]): void {
    const last = this.depth - 1;
    if (last < 0) {
      this.root.delete(0);
      return;
    }
    if (this.hashed) {
      const h = hashKey(values, this.depth, this.hashMask);
      const slot = this.slots.get(h);
      if (slot === undefined) return;
      if (!Array.isArray(slot)) {
        if (this.sameKey(slot, values)) this.slots.delete(h);
        return;
      }
      const at = slot.findIndex((e) => this.sameKey(e, values));
      if (at < 0) return;
      slot.splice(at, 1);
      if (slot.length === 1) this.slots.set(h, slot[0]);
      return;
    }
    const path: Level[] = [this.root];
    for (let i = 0; i < last; i++) {
      const next = path[i].get(values[i]) as Level | undefined;
      if (next === undefined) return;
      path.push(next);
    }
    path[last].delete(values[last]);
    for (let i = last; i > 0 && path[i].size === 0; i--) path[i - 1].delete(values[i - 1]);
  }

  clear(): void {
    this.root = new Map();
    this.slots = new Map();
    this.claimedHash = -1;
    this.claimedSlot = undefined;
  }
}
