/**
 * Entries of an exact-match table by key: one map level per key field, keyed by the field's value as
 * a number when every value of its width is a safe integer (up to 53 bits: the table converts a
 * packet's 33-53-bit reads, which are bigints, see `bits.ts`), else as a bigint. Nested maps need no key string per entry or per lookup: building,
 * hashing and keeping such strings was the largest cost of inserting into and looking up a
 * multi-field exact table (bmv2's `MatchUnitExact` hashes the packed key bytes instead).
 */
export type ExactValue = number | bigint;

type Level = Map<ExactValue, unknown>;

export class ExactIndex<E> {
  private root: Level = new Map();

  /** `depth`: the number of key fields (a keyless table keeps its one entry under the value 0). */
  constructor(private readonly depth: number) {}

  get(values: readonly ExactValue[]): E | undefined {
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
  }
}
