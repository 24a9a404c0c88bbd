/**
 * Tuple-space search for ternary and range tables (Srinivasan et al., SIGCOMM 1999; the structure of
 * Open vSwitch's classifier): entries are grouped by their *shape*, the tuple of per-field masks
 * (and which fields carry a real range), and each group (a subtable) is one hash map from a hash of
 * the masked key to the entries with that hash. A lookup probes one hash map per distinct shape
 * instead of walking every entry, so its cost grows with the number of shapes, not of entries.
 *
 * An entry's key is one flat array of two values per field, and the subtable's map is keyed by a
 * 30-bit hash of the masked values (a small integer: no string and no map level per field is made
 * per insert or per packet). Entries whose masked keys hash alike share a slot, so a candidate is
 * compared field by field before it counts, as OVS's subtable compares the miniflow after the hash
 * (`find_match` in lib/classifier.c). Nested maps, one level per hashed field, cost a map per
 * entry and key prefix: about 2 KB of heap per `policy_rules` entry.
 *
 * Priority semantics are bmv2's (`EntryList::lookup` in bm_sim/lookup_structures.cpp), stated in
 * P4Runtime terms: the matching entry of largest priority wins, and among matching entries of equal
 * priority the one with the lowest handle. Shapes are probed in order of the largest priority they
 * hold, and the search stops at the first shape that cannot beat the best match so far (priority
 * pruning, as OVS does with `max_priority` per subtable).
 *
 * Ranges: a range that covers the whole field is a wildcard and one with low = high is an exact
 * value, so both hash like masks; a real range is checked entry by entry among the entries reached
 * through the other fields.
 */

import { ExactIndex, type ExactValue } from './exact-index.js';
import { HASH_BITS, hashKey } from './key-hash.js';

/** A key field's value in the storage representation (number for <= 32 bits, else bigint). */
export type ClassifierValue = number | bigint;

/**
 * An entry's key as the classifier matches it: two values per key field, at `2i` and `2i + 1`: the
 * value and its mask for a masked field (ternary, exact, lpm, valid: the value has no bit outside
 * the mask), the low and high bounds for a range field.
 */
export type ClassifierKey = readonly ClassifierValue[];

export interface ClassifierEntry {
  readonly handle: number;
  /** P4Runtime priority: larger wins. */
  readonly priority: number;
  readonly key: ClassifierKey;
}

/** Where a range field is checked per entry, in a shape: no mask can be negative. */
const RANGED = -1;

/** One entry, or several with the same hash sorted by priority (desc) then handle (asc). */
type Slot<E> = E | E[];

interface Tuple<E extends ClassifierEntry> {
  /** Per field its mask (0 = wildcard) or {@link RANGED}: the tuple's place in `byShape`. */
  readonly shape: readonly ExactValue[];
  /** Mask per hashed field. */
  readonly masks: readonly ClassifierValue[];
  /** Field indexes that are hashed (non-zero mask). */
  readonly hashed: readonly number[];
  /** Field indexes that are checked as ranges per entry. */
  readonly ranged: readonly number[];
  /** Hash of the masked key -> the entries whose masked key has it. */
  readonly slots: Map<number, Slot<E>>;
  /** The masked values of a packet being looked up, per hashed field (reused: no array per probe). */
  readonly scratch: ClassifierValue[];
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
  /** The shape found or made last (inserts of a table mostly have one shape). */
  private lastTuple: Tuple<E> | undefined;
  private readonly fullMasks: readonly ClassifierValue[];
  /** The shape and masked key of the key {@link shapeOf} saw last (arrays reused). */
  private readonly shape: ExactValue[];
  private readonly values: ClassifierValue[] = [];

  /**
   * `widths`: bit width of each key field (to recognise full-width ranges); `ranges`: which fields
   * are range fields. `hashMask` keeps only some bits of each hash: tests make masked keys collide
   * with a small one.
   */
  constructor(
    widths: readonly number[],
    private readonly ranges: readonly boolean[],
    private readonly hashMask = HASH_BITS,
  ) {
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
    this.lastTuple = undefined;
  }

  /**
   * The shape of `key` into {@link shape} and its masked values into {@link values} (their number
   * returned): a full range hashes as a wildcard and a one-value range as an exact value.
   */
  private shapeOf(key: ClassifierKey): number {
    const shape = this.shape;
    const values = this.values;
    const ranges = this.ranges;
    let n = 0;
    for (let i = 0; i < shape.length; i++) {
      const a = key[2 * i];
      const b = key[2 * i + 1];
      if (!ranges[i]) {
        shape[i] = b;
        if (b !== 0 && b !== 0n) values[n++] = a;
        continue;
      }
      const full = this.fullMasks[i];
      if ((a === 0 || a === 0n) && b === full) shape[i] = typeof full === 'number' ? 0 : 0n;
      else if (a === b) {
        shape[i] = full;
        values[n++] = a;
      } else shape[i] = RANGED;
    }
    return n;
  }

  /** The tuple of the last {@link shapeOf}, if there is one. */
  private tupleOfShape(): Tuple<E> | undefined {
    const last = this.lastTuple;
    if (last !== undefined) {
      const shape = this.shape;
      const s = last.shape;
      let same = true;
      for (let i = 0; i < shape.length; i++) {
        if (s[i] !== shape[i]) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    const tuple = this.byShape.get(this.shape);
    if (tuple !== undefined) this.lastTuple = tuple;
    return tuple;
  }

  private newTuple(): Tuple<E> {
    const shape = [...this.shape];
    const masks: ClassifierValue[] = [];
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
    const tuple: Tuple<E> = {
      shape,
      masks,
      hashed,
      ranged,
      slots: new Map(),
      scratch: new Array(hashed.length).fill(0),
      priorities: new Map(),
      maxPriority: -1,
      size: 0,
    };
    this.byShape.claim(shape);
    this.byShape.fill(tuple);
    this.tuples.push(tuple);
    this.lastTuple = tuple;
    return tuple;
  }

  /**
   * The entry with exactly this key and this priority, if any: bmv2's duplicate check. Same shape
   * and masked key put it in one slot, where only entries of equal priority are compared, by their
   * hashed values and real ranges (and what `same` adds).
   */
  find(key: ClassifierKey, priority: number, same: ((e: E) => boolean) | undefined): E | undefined {
    const n = this.shapeOf(key);
    const tuple = this.tupleOfShape();
    if (tuple === undefined) return undefined;
    const slot = tuple.slots.get(hashKey(this.values, n, this.hashMask));
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) {
      return slot.priority === priority && sameKey(slot.key, key, tuple) && (same === undefined || same(slot))
        ? slot
        : undefined;
    }
    for (let i = 0; i < slot.length; i++) {
      const e = slot[i];
      if (e.priority < priority) break;
      if (e.priority === priority && sameKey(e.key, key, tuple) && (same === undefined || same(e))) return e;
    }
    return undefined;
  }

  insert(e: E): void {
    const n = this.shapeOf(e.key);
    const tuple = this.tupleOfShape() ?? this.newTuple();
    const h = hashKey(this.values, n, this.hashMask);
    const slot = tuple.slots.get(h);
    if (slot === undefined) tuple.slots.set(h, e);
    else if (!Array.isArray(slot)) tuple.slots.set(h, beats(e, slot) ? [e, slot] : [slot, e]);
    else {
      // Binary search for the first entry `e` beats.
      let lo = 0;
      let hi = slot.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (beats(e, slot[mid])) hi = mid;
        else lo = mid + 1;
      }
      slot.splice(lo, 0, e);
    }
    tuple.size++;
    tuple.priorities.set(e.priority, (tuple.priorities.get(e.priority) ?? 0) + 1);
    if (e.priority > tuple.maxPriority) {
      tuple.maxPriority = e.priority;
      this.sortTuples();
    }
  }

  remove(e: E): void {
    const n = this.shapeOf(e.key);
    const tuple = this.tupleOfShape();
    if (tuple === undefined) return;
    const h = hashKey(this.values, n, this.hashMask);
    const slot = tuple.slots.get(h);
    if (slot === undefined) return;
    if (!Array.isArray(slot)) {
      if (slot !== e) return;
      tuple.slots.delete(h);
    } else {
      const at = slot.indexOf(e);
      if (at < 0) return;
      slot.splice(at, 1);
      if (slot.length === 1) tuple.slots.set(h, slot[0]);
    }
    tuple.size--;
    if (tuple.size === 0) {
      this.byShape.delete(tuple.shape);
      this.tuples = this.tuples.filter((t) => t !== tuple);
      if (this.lastTuple === tuple) this.lastTuple = undefined;
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
  lookup(kv: readonly ClassifierValue[]): E | undefined {
    let best: E | undefined;
    const tuples = this.tuples;
    for (let t = 0; t < tuples.length; t++) {
      const tuple = tuples[t];
      if (best !== undefined && tuple.maxPriority < best.priority) break;
      const h = tuple.hashed;
      const masks = tuple.masks;
      const scratch = tuple.scratch;
      for (let j = 0; j < h.length; j++) scratch[j] = maskOne(kv[h[j]], masks[j]);
      const slot = tuple.slots.get(hashKey(scratch, h.length, this.hashMask));
      if (slot === undefined) continue;
      if (!Array.isArray(slot)) {
        if ((best === undefined || beats(slot, best)) && hits(slot, tuple, kv)) best = slot;
        continue;
      }
      for (let i = 0; i < slot.length; i++) {
        const e = slot[i];
        if (best !== undefined && !beats(e, best)) break;
        if (hits(e, tuple, kv)) {
          best = e;
          break;
        }
      }
    }
    return best;
  }
}

function maskOne(v: ClassifierValue, m: ClassifierValue): ClassifierValue {
  if (typeof v === 'number') return (v & (m as number)) >>> 0;
  return v & (m as bigint);
}

/** Does entry `e` of `tuple` match the packet whose masked values are in the tuple's scratch? */
function hits(e: ClassifierEntry, tuple: Tuple<ClassifierEntry>, kv: readonly ClassifierValue[]): boolean {
  const key = e.key;
  const h = tuple.hashed;
  const scratch = tuple.scratch;
  for (let j = 0; j < h.length; j++) if (key[2 * h[j]] !== scratch[j]) return false;
  const ranged = tuple.ranged;
  for (let j = 0; j < ranged.length; j++) {
    const i = ranged[j];
    const v = kv[i];
    if (v < key[2 * i] || v > key[2 * i + 1]) return false;
  }
  return true;
}

/** Same masked values and real ranges, for two keys of `tuple`'s shape. */
function sameKey(a: ClassifierKey, b: ClassifierKey, tuple: Tuple<ClassifierEntry>): boolean {
  const h = tuple.hashed;
  for (let j = 0; j < h.length; j++) if (a[2 * h[j]] !== b[2 * h[j]]) return false;
  const ranged = tuple.ranged;
  for (let j = 0; j < ranged.length; j++) {
    const i = ranged[j];
    if (a[2 * i] !== b[2 * i] || a[2 * i + 1] !== b[2 * i + 1]) return false;
  }
  return true;
}
