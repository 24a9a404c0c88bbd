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

  /** Lookup by a single-field key (the common case of one map level). */
  getOne(value: ExactValue): E | undefined {
    return this.root.get(value) as E | undefined;
  }

  setOne(value: ExactValue, entry: E): void {
    this.root.set(value, entry);
  }

  deleteOne(value: ExactValue): void {
    this.root.delete(value);
  }

  set(values: readonly ExactValue[], entry: E): void {
    const last = this.depth - 1;
    if (last < 0) {
      this.root.set(0, entry);
      return;
    }
    let level = this.root;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(values[i], next);
      }
      level = next;
    }
    level.set(values[last], entry);
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
