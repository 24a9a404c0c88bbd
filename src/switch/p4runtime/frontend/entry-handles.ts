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
  /** The numbers of the key being looked up (reused: no allocation per call). */
  private readonly path: number[] = [];
  /** The levels walked by the last delete, for pruning. */
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
    const last = path.length - 1;
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
    const last = path.length - 1;
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
    levels.length = 0;
    let level: Level = this.root;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) {
      const next = level.get(path[i]);
      if (next === undefined) return false;
      levels.push(level);
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

  private numbers(key: MatchKey): number[] {
    const path = this.path;
    path.length = 0;
    // A table's entries all have a priority (ternary, range, optional keys) or none (0): a level
    // for it only where it tells entries apart.
    if (key.priority !== 0) path.push(key.priority);
    const params = key.params;
    for (let i = 0; i < params.length; i++) pushParam(path, params[i]);
    return path;
  }
}

function pushParam(path: number[], p: DeviceKeyParam): void {
  switch (p.kind) {
    case 'exact':
      pushBytes(path, p.value);
      return;
    case 'lpm':
      pushBytes(path, p.value);
      path.push(p.prefixLength);
      return;
    case 'ternary':
      pushBytes(path, p.value);
      pushBytes(path, p.mask);
      return;
    case 'range':
      pushBytes(path, p.low);
      pushBytes(path, p.high);
      return;
    case 'valid':
      path.push(p.valid ? 1 : 0);
      return;
  }
}

/**
 * A fixed-width value as numbers of three bytes each (the first may be shorter; a table's widths are
 * fixed): small integers, which maps hash without allocating.
 */
function pushBytes(path: number[], bytes: Uint8Array): void {
  const n = bytes.length;
  const head = n % 3 || Math.min(n, 3);
  let chunk = 0;
  for (let i = 0; i < head; i++) chunk = chunk * 256 + bytes[i];
  path.push(chunk);
  for (let at = head; at < n; at += 3) {
    chunk = 0;
    for (let i = at; i < at + 3; i++) chunk = chunk * 256 + bytes[i];
    path.push(chunk);
  }
}
