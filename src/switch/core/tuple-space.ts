/**
 * Tuple-space search for ternary and range tables (Srinivasan et al., SIGCOMM 1999; the structure of
 * Open vSwitch's classifier): entries are grouped by their *shape*, the tuple of per-field masks
 * (and which fields carry a real range), and each group is a hash map from the masked key to the
 * entries with that key (nested maps, one level per hashed field, as `exact-index.ts`: no key string
 * is built per insert or per packet; shapes are found the same way). A lookup probes one hash map per distinct shape instead of walking every
 * entry, so its cost grows with the number of shapes, not of entries.
 *
 * Priority semantics are bmv2's (`EntryList::lookup` in bm_sim/lookup_structures.cpp), stated in
 * P4Runtime terms: the matching entry of largest priority wins, and among matching entries of equal
 * priority the one with the lowest handle. Shapes are probed in order of the largest priority they
 * hold, and the search stops at the first shape that cannot beat the best match so far (priority
 * pruning, as OVS does with `max_priority` per subtable).
 *
 * Ranges: a range that covers the whole field is a wildcard and one with low = high is an exact
 * value, so both hash like masks; a real range is checked entry by entry inside the bucket reached
 * through the other fields.
 */

import { ExactIndex, type ExactValue } from './exact-index.js';

/** A key field of an entry in the storage representation (number for <= 32 bits, else bigint). */
export type ClassifierField =
  | { readonly kind: 'mask'; readonly v: number | bigint; readonly m: number | bigint }
  | { readonly kind: 'range'; readonly lo: number | bigint; readonly hi: number | bigint };

export interface ClassifierEntry {
  readonly handle: number;
  /** P4Runtime priority: larger wins. */
  readonly priority: number;
  readonly fields: readonly ClassifierField[];
}

/** Where a range field is checked per entry, in a shape: no mask can be negative. */
const RANGED = -1;

interface Tuple<E extends ClassifierEntry> {
  /** Per field its mask (0 = wildcard) or {@link RANGED}: the tuple's place in `byShape`. */
  readonly shape: readonly ExactValue[];
  /** Mask per hashed field. */
  readonly masks: readonly (number | bigint)[];
  /** Field indexes that are hashed (non-zero mask). */
  readonly hashed: readonly number[];
  /** Field indexes that are checked as ranges per entry. */
  readonly ranged: readonly number[];
  /**
   * Masked key (one map level per hashed field, no string built per insert or per packet) ->
   * entries, sorted by priority (desc) then handle (asc).
   */
  readonly buckets: ExactIndex<E[]>;
  /** The masked key of a packet being looked up (reused: no array per probe). */
  readonly scratch: ExactValue[];
  /** Entries per priority, to keep `maxPriority` on deletes. */
  readonly priorities: Map<number, number>;
  maxPriority: number;
  size: number;
}

/** Entry `a` wins over entry `b` (bmv2 order). */
function beats(a: ClassifierEntry, b: ClassifierEntry): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.handle < b.handle);
}

export class TupleSpaceClassifier<E extends ClassifierEntry> {
  /** Shapes, by largest priority held (desc). */
  private tuples: Tuple<E>[] = [];
  private readonly byShape: ExactIndex<Tuple<E>>;
  private readonly fullMasks: readonly (number | bigint)[];
  /** The shape and masked key of the fields {@link locate} saw last (arrays reused). */
  private readonly shape: ExactValue[];
  private readonly values: ExactValue[] = [];

  /** `widths`: bit width of each key field (to recognise full-width ranges). */
  constructor(widths: readonly number[]) {
    this.fullMasks = widths.map((w) =>
      w <= 32 ? (w === 32 ? 0xffffffff : 2 ** w - 1) : (1n << BigInt(w)) - 1n,
    );
    this.byShape = new ExactIndex(widths.length);
    this.shape = new Array(widths.length);
  }

  /** Number of distinct shapes (what a lookup probes at most). */
  get shapeCount(): number {
    return this.tuples.length;
  }

  clear(): void {
    this.tuples = [];
    this.byShape.clear();
  }

  /**
   * The shape of `fields` into {@link shape} and their masked key into {@link values} (its length
   * returned): a full range hashes as a wildcard and a one-value range as an exact value.
   */
  private shapeOf(fields: readonly ClassifierField[]): number {
    const shape = this.shape;
    const values = this.values;
    let n = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.kind === 'mask') {
        shape[i] = f.m;
        if (f.m !== 0 && f.m !== 0n) values[n++] = f.v;
        continue;
      }
      const full = this.fullMasks[i];
      const zero = typeof full === 'number' ? 0 : 0n;
      if (f.lo === zero && f.hi === full) shape[i] = zero;
      else if (f.lo === f.hi) {
        shape[i] = full;
        values[n++] = f.lo;
      } else shape[i] = RANGED;
    }
    return n;
  }

  /**
   * The bucket key of the last {@link shapeOf}: the one value, or the values themselves (the index
   * reads them at once and keeps none of them).
   */
  private bucketKey(n: number): ExactValue | readonly ExactValue[] {
    return n === 1 ? this.values[0] : this.values;
  }

  private newTuple(): Tuple<E> {
    const shape = [...this.shape];
    const masks: (number | bigint)[] = [];
    const hashed: number[] = [];
    const ranged: number[] = [];
    for (let i = 0; i < shape.length; i++) {
      const m = shape[i];
      if (m === RANGED) ranged.push(i);
      else if (m !== 0 && m !== 0n) {
        hashed.push(i);
        masks.push(m);
      }
    }
    return {
      shape,
      masks,
      hashed,
      ranged,
      buckets: new ExactIndex(hashed.length),
      scratch: new Array(hashed.length),
      priorities: new Map(),
      maxPriority: -1,
      size: 0,
    };
  }

  /**
   * The entry with exactly these fields and this priority, if any: bmv2's duplicate check. Same
   * shape and masked key put it in one bucket, sorted by priority, where only entries of equal
   * priority are compared, and of them only their real ranges (and what `same` adds).
   */
  find(
    fields: readonly ClassifierField[],
    priority: number,
    same: ((e: E) => boolean) | undefined,
  ): E | undefined {
    const n = this.shapeOf(fields);
    const tuple = this.byShape.get(this.shape);
    if (tuple === undefined) return undefined;
    const list =
      n === 1 ? tuple.buckets.getOne(this.values[0]) : tuple.buckets.get(this.bucketKey(n) as ExactValue[]);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].priority > priority) lo = mid + 1;
      else hi = mid;
    }
    const ranged = tuple.ranged;
    for (let i = lo; i < list.length && list[i].priority === priority; i++)
      if (sameRanges(list[i].fields, fields, ranged) && (same === undefined || same(list[i]))) return list[i];
    return undefined;
  }

  insert(e: E): void {
    const n = this.shapeOf(e.fields);
    let tuple = this.byShape.get(this.shape);
    if (tuple === undefined) {
      tuple = this.newTuple();
      this.byShape.claim(tuple.shape);
      this.byShape.fill(tuple);
      this.tuples.push(tuple);
    }
    const key = this.bucketKey(n);
    let list = typeof key === 'object' ? tuple.buckets.get(key) : tuple.buckets.getOne(key);
    if (list === undefined) {
      list = [];
      tuple.buckets.claim(key);
      tuple.buckets.fill(list);
    }
    // Binary search for the first entry `e` beats.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (beats(e, list[mid])) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, e);
    tuple.size++;
    tuple.priorities.set(e.priority, (tuple.priorities.get(e.priority) ?? 0) + 1);
    if (e.priority > tuple.maxPriority) {
      tuple.maxPriority = e.priority;
      this.sortTuples();
    }
  }

  remove(e: E): void {
    const n = this.shapeOf(e.fields);
    const tuple = this.byShape.get(this.shape);
    if (tuple === undefined) return;
    const key = this.bucketKey(n);
    const list = typeof key === 'object' ? tuple.buckets.get(key) : tuple.buckets.getOne(key);
    const at = list ? list.indexOf(e) : -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) {
      if (typeof key === 'object') tuple.buckets.delete(key);
      else tuple.buckets.deleteOne(key);
    }
    tuple.size--;
    if (tuple.size === 0) {
      this.byShape.delete(tuple.shape);
      this.tuples = this.tuples.filter((t) => t !== tuple);
      return;
    }
    const left = tuple.priorities.get(e.priority)! - 1;
    if (left > 0) {
      tuple.priorities.set(e.priority, left);
      return;
    }
    tuple.priorities.delete(e.priority);
    if (e.priority === tuple.maxPriority) {
      let max = -1;
      for (const p of tuple.priorities.keys()) if (p > max) max = p;
      tuple.maxPriority = max;
      this.sortTuples();
    }
  }

  private sortTuples(): void {
    this.tuples.sort((a, b) => b.maxPriority - a.maxPriority);
  }

  /** The winning entry for key values `kv` (in the storage representation), if any. */
  lookup(kv: readonly (number | bigint)[]): E | undefined {
    let best: E | undefined;
    const tuples = this.tuples;
    for (let t = 0; t < tuples.length; t++) {
      const tuple = tuples[t];
      if (best !== undefined && tuple.maxPriority < best.priority) break;
      const h = tuple.hashed;
      const masks = tuple.masks;
      let list: E[] | undefined;
      if (h.length === 1) list = tuple.buckets.getOne(maskOne(kv[h[0]], masks[0]));
      else {
        const key = tuple.scratch;
        for (let j = 0; j < h.length; j++) key[j] = maskOne(kv[h[j]], masks[j]);
        list = tuple.buckets.get(key);
      }
      if (list === undefined) continue;
      const ranged = tuple.ranged;
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        if (best !== undefined && !beats(e, best)) break;
        if (ranged.length === 0 || inRanges(e, ranged, kv)) {
          best = e;
          break;
        }
      }
    }
    return best;
  }
}

function maskOne(v: number | bigint, m: number | bigint): number | bigint {
  if (typeof v === 'number') return (v & (m as number)) >>> 0;
  return v & (m as bigint);
}

function sameRanges(
  a: readonly ClassifierField[],
  b: readonly ClassifierField[],
  ranged: readonly number[],
): boolean {
  for (let j = 0; j < ranged.length; j++) {
    const x = a[ranged[j]] as { readonly lo: number | bigint; readonly hi: number | bigint };
    const y = b[ranged[j]] as { readonly lo: number | bigint; readonly hi: number | bigint };
    if (x.lo !== y.lo || x.hi !== y.hi) return false;
  }
  return true;
}

function inRanges(e: ClassifierEntry, ranged: readonly number[], kv: readonly (number | bigint)[]): boolean {
  for (let j = 0; j < ranged.length; j++) {
    const i = ranged[j];
    const f = e.fields[i] as { readonly lo: number | bigint; readonly hi: number | bigint };
    const v = kv[i];
    if (v < f.lo || v > f.hi) return false;
  }
  return true;
}
