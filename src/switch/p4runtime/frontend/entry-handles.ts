/**
 * The device handle of every entry the controller installed in one table, by key (PI's
 * TableInfoStore): the one place the server looks an entry's identity up; the device is then
 * addressed by handle. Checked keys are canonical (fixed-width values, bits outside masks and
 * prefixes zero, don't-care fields explicit), so the priority and the bytes of the key say which
 * entry it names. The bytes are read three at a time as small integers and the map is a
 * trie of number-keyed maps, one level per number: no string is built per write.
 */
import type { DeviceKeyParam } from '../device/device.js';
import type { MatchKey } from './match-key.js';

type Level = Map<number, Level | number>;

export class EntryHandles {
  private readonly root: Level = new Map();
  /**
   * The numbers of the key being looked up, its first {@link pathLength} (reused, and never
   * shortened: setting an array's length to 0 is a runtime call that drops its storage, which the
   * next key then allocates again).
   */
  private readonly path: number[] = [];
  private pathLength = 0;
  /** The levels walked by the last delete, for pruning (its first `pathLength - 1`). */
  private readonly levels: Level[] = [];
  private count = 0;
  private claimed: Level | undefined;
  private claimedKey = 0;

  get size(): number {
    return this.count;
  }

  get(key: MatchKey): number | undefined {
    const path = this.numbers(key);
    let level: Level = this.root;
    const last = this.pathLength - 1;
    for (let i = 0; i < last; i++) {
      const next = level.get(path[i]);
      if (next === undefined) return undefined;
      level = next as Level;
    }
    return level.get(path[last]) as number | undefined;
  }

  /** Files `handle` under `key`, which must not be filed yet. */
  set(key: MatchKey, handle: number): void {
    if (!this.claim(key)) throw new Error('entry-handles: key filed twice');
    this.fill(handle);
  }

  /**
   * One walk for an INSERT: false when `key` is filed already; otherwise the place for it is made
   * and the next {@link fill} (or {@link release}) settles it.
   */
  claim(key: MatchKey): boolean {
    const path = this.numbers(key);
    let level: Level = this.root;
    const last = this.pathLength - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(path[i]) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(path[i], next);
      }
      level = next;
    }
    if (level.has(path[last])) return false;
    this.claimed = level;
    this.claimedKey = path[last];
    return true;
  }

  /** Files `handle` at the place the last {@link claim} made. */
  fill(handle: number): void {
    this.claimed!.set(this.claimedKey, handle);
    this.claimed = undefined;
    this.count++;
  }

  /** Gives up the place the last {@link claim} made (the device refused the entry). */
  release(key: MatchKey): void {
    this.claimed = undefined;
    this.prune(this.numbers(key));
  }

  delete(key: MatchKey): void {
    const path = this.numbers(key);
    if (this.prune(path)) this.count--;
  }

  /** Removes the leaf of `path` (true if there was one) and the levels left empty. */
  private prune(path: readonly number[]): boolean {
    const levels = this.levels;
    let level: Level = this.root;
    const last = this.pathLength - 1;
    for (let i = 0; i < last; i++) {
      const next = level.get(path[i]);
      if (next === undefined) return false;
      levels[i] = level;
      level = next as Level;
    }
    const had = level.delete(path[last]);
    // Drop the levels the key leaves empty.
    for (let i = last - 1; i >= 0 && level.size === 0; i--) {
      const parent = levels[i];
      parent.delete(path[i]);
      level = parent;
    }
    return had;
  }

  /** The key's numbers in {@link path}; their count in {@link pathLength}. */
  private numbers(key: MatchKey): number[] {
    const path = this.path;
    let n = 0;
    // A table's entries all have a priority (ternary, range, optional keys) or none (0): a level
    // for it only where it tells entries apart.
    if (key.priority !== 0) path[n++] = key.priority;
    const params = key.params;
    for (let i = 0; i < params.length; i++) n = putParam(path, n, params[i]);
    this.pathLength = n;
    return path;
  }
}

/** Writes the numbers of `p` into `path` from `at`; returns the index after them. */
function putParam(path: number[], at: number, p: DeviceKeyParam): number {
  switch (p.kind) {
    case 'exact':
      return putBytes(path, at, p.value);
    case 'lpm':
      at = putBytes(path, at, p.value);
      path[at] = p.prefixLength;
      return at + 1;
    case 'ternary':
      return putBytes(path, putBytes(path, at, p.value), p.mask);
    case 'range':
      return putBytes(path, putBytes(path, at, p.low), p.high);
    case 'valid':
      path[at] = p.valid ? 1 : 0;
      return at + 1;
  }
}

/**
 * A fixed-width value as numbers of three bytes each (the first may be shorter; a table's widths are
 * fixed): small integers, which maps hash without allocating. Returns the index after them.
 */
function putBytes(path: number[], at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  const head = n % 3 || Math.min(n, 3);
  let chunk = 0;
  for (let i = 0; i < head; i++) chunk = chunk * 256 + bytes[i];
  path[at++] = chunk;
  for (let from = head; from < n; from += 3) {
    chunk = 0;
    for (let i = from; i < from + 3; i++) chunk = chunk * 256 + bytes[i];
    path[at++] = chunk;
  }
  return at;
}
