/**
 * The diff of reconcile.ts's {@link diffDevice}, computed on bytes first: a planned entity whose
 * Entity bytes (planned-wire.ts) are exactly those of an entity the device returned (read-wire.ts
 * {@link WireSnapshot}) is that entity, unchanged (equal bytes decode to equal entities, so equal
 * keys and values). Only what is left on either side, after that match by hash and bytes, gets
 * keys and values and goes through diffDevice: a no-op apply makes no text and no object per
 * entry, and a first apply (nothing read) keys nothing. A device that writes its entities in
 * other bytes (another field order, non-canonical values) still gets the exact diff, the slow way.
 * Each planned entity is compared first with the device's next entity of its table: a device
 * lists a table in the order its entries were written, most often, and the controller wrote them
 * in the plan's order; so a no-op apply mostly compares bytes in sequence and hashes nothing.
 */
import type { EncodedUpdate, P4InfoIndex, P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import type { ObservedEntity } from './device-state.js';
import type { PlannedEntity } from './plan.js';
import { DesiredEntity, encodePlanned } from './planned-key.js';
import { hashBytes, PlanWire, PlanWriter } from './planned-wire.js';
import type { WireSnapshot } from './read-wire.js';
import {
  type Change,
  type ChangeKind,
  type Diff,
  diffDevice,
  plannedOwner,
  plannedTable,
  rankOf,
} from './reconcile.js';
import { runSteps, runStepsInSlices, type Steps } from './slices.js';

/** What the changes of one {@link diffWire} share: the plan, the bytes kept of it, the client. */
class WireChanges {
  /** Per change, what was computed when asked (a message, a listing, --atomic, the service's cache). */
  readonly keyed: (DesiredEntity | undefined)[] = [];
  readonly entities: (p4.v1.IEntity | undefined)[] = [];
  constructor(
    readonly client: P4RuntimeClient,
    readonly plan: readonly PlannedEntity[],
    /** The planned entity of each change. */
    readonly planned: Int32Array,
    /** Change k's bytes are the k-th entity of the wire. */
    readonly wire: PlanWire,
    /**
     * The rank of each change's table (reconcile.ts rankOf), found as the changes are made: a
     * plan lists a table's entries one after another, so once per run of a table, where asking
     * each change would look up its planned entity, its table and the table's rank (580,000
     * changes in a first apply of the benchmark's fabric, each asked by orderChanges).
     */
    readonly ranks: Uint8Array,
  ) {}
}

/**
 * An insert (or a modify of a default entry or meter cell) of a planned entity the device does not
 * have, written from its bytes. Its table, rank, entity, key, value and owner text are computed
 * when asked, from what the diff's changes share: a first apply makes hundreds of thousands of
 * them, which live until the apply ends, so each holds three fields. A copy made by spreading it
 * keeps none of what it computes (reconcile.ts copies what it needs), so a rollback built from it
 * writes what it says, never these bytes. It is its own update (the client's EncodedUpdate: the
 * plan's buffer and the entity's range in it), so its write makes no object per change either.
 */
class WireChange implements Change, EncodedUpdate {
  constructor(
    readonly kind: ChangeKind,
    private readonly of: WireChanges,
    private readonly index: number,
  ) {}
  private get planned(): PlannedEntity {
    return this.of.plan[this.of.planned[this.index]];
  }
  get table(): string {
    return plannedTable(this.planned);
  }
  get rank(): number {
    return this.of.ranks[this.index];
  }
  get owner(): string {
    return plannedOwner(this.planned);
  }
  get entity(): p4.v1.IEntity {
    const of = this.of;
    let e = of.entities[this.index];
    if (!e) {
      e = of.keyed[this.index]?.entity ?? encodePlanned(of.client, this.planned);
      of.entities[this.index] = e;
    }
    return e;
  }
  private get desired(): DesiredEntity {
    const of = this.of;
    let d = of.keyed[this.index];
    if (!d) {
      d = new DesiredEntity(of.client, this.planned);
      of.keyed[this.index] = d;
    }
    return d;
  }
  get key(): string {
    return this.desired.key;
  }
  get value(): string {
    return this.desired.value;
  }
  get update(): EncodedUpdate {
    return this;
  }
  get type(): p4.v1.Update.Type {
    return this.kind === 'insert' ? 1 : this.kind === 'modify' ? 2 : 3;
  }
  get encodedEntity(): Uint8Array {
    return this.of.wire.buf;
  }
  get entityStart(): number {
    return this.of.wire.start[this.index];
  }
  get entityEnd(): number {
    return this.of.wire.start[this.index + 1];
  }
}

/** The table id of a planned entity's bytes when it is a table entry (table_entry 2, table_id 1), else 0. */
function plannedTableId(buf: Uint8Array, start: number, end: number): number {
  if (start >= end || buf[start] !== 0x12) return 0;
  let at = start + 1;
  while (at < end && buf[at] & 0x80) at++; // the TableEntry's length
  at++;
  if (at >= end || buf[at] !== 0x08) return 0;
  at++;
  let id = 0;
  let shift = 1;
  while (at < end) {
    const b = buf[at++];
    id += (b & 0x7f) * shift;
    if (b < 0x80) return id;
    shift *= 128;
  }
  return 0;
}

/** Misses in a row after which a table's entities are no longer looked for in the device's order. */
const MAX_MISSES = 64;

/**
 * The observed entities of each table in the device's order, with a cursor per table: the
 * position after the last one matched. Entities other than table entries make one list (table id 0).
 */
class TableOrder {
  /** Entity indexes grouped by table, each table's in read order. */
  private readonly order: Int32Array;
  /** Where each entity lies in {@link order}. */
  private readonly position: Int32Array;
  private readonly lists = new Map<number, number>();
  /** Per list: its end in {@link order}, its cursor, and the misses at the cursor since a match there. */
  private readonly end: number[] = [];
  private readonly cursor: number[] = [];
  private readonly misses: number[] = [];
  /** List of each entity. */
  private readonly listOfEntity: Int32Array;
  constructor(observed: WireSnapshot) {
    const n = observed.size;
    this.listOfEntity = new Int32Array(n);
    const counts: number[] = [];
    for (let j = 0; j < n; j++) {
      const id = observed.tableId(j);
      let list = this.lists.get(id);
      if (list === undefined) {
        list = counts.length;
        this.lists.set(id, list);
        counts.push(0);
      }
      this.listOfEntity[j] = list;
      counts[list]++;
    }
    let at = 0;
    for (const c of counts) {
      this.misses.push(0);
      this.cursor.push(at);
      at += c;
      this.end.push(at);
    }
    this.order = new Int32Array(n);
    this.position = new Int32Array(n);
    const fill = [...this.cursor];
    for (let j = 0; j < n; j++) {
      const p = fill[this.listOfEntity[j]]++;
      this.order[p] = j;
      this.position[j] = p;
    }
  }
  /** The list of a table id, -1 when the device has no entity of it. */
  listOf(tableId: number): number {
    return this.lists.get(tableId) ?? -1;
  }
  /** The entity at a list's cursor, -1 at its end. */
  next(list: number): number {
    const c = this.cursor[list];
    return c < this.end[list] ? this.order[c] : -1;
  }
  advance(list: number): void {
    this.cursor[list]++;
    this.misses[list] = 0;
  }
  missed(list: number): void {
    this.misses[list]++;
  }
  /**
   * False once a list's cursor has missed {@link MAX_MISSES} times in a row: the device does not
   * list that table in the plan's order, and its entities are found by hash only.
   */
  ordered(list: number): boolean {
    return this.misses[list] < MAX_MISSES;
  }
  /** Moves the cursor of entity j's list to just after it. */
  resume(j: number): void {
    this.cursor[this.listOfEntity[j]] = this.position[j] + 1;
  }
}

/** The observed entities by hash of their bytes (open addressing), for entities out of order. */
class HashIndex {
  /** Pairs (hash, entity + 1), 0 for an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  constructor(private readonly observed: WireSnapshot) {
    const n = observed.size;
    let capacity = 1;
    while (capacity < n * 2) capacity <<= 1;
    this.mask = capacity - 1;
    this.slots = new Int32Array(capacity * 2);
    for (let j = 0; j < n; j++) {
      const h = observed.hash(j, hashBytes);
      let s = h & this.mask;
      while (this.slots[s * 2 + 1] !== 0) s = (s + 1) & this.mask;
      this.slots[s * 2] = h;
      this.slots[s * 2 + 1] = j + 1;
    }
  }
  /** An entity not yet matched whose bytes are `buf[start, end)`, -1 when none. */
  find(buf: Uint8Array, start: number, end: number, matched: Uint8Array): number {
    const h = hashBytes(buf, start, end);
    const slots = this.slots;
    for (let s = h & this.mask; slots[s * 2 + 1] !== 0; s = (s + 1) & this.mask) {
      const j = slots[s * 2 + 1] - 1;
      if (slots[s * 2] === h && matched[j] === 0 && this.observed.equals(j, buf, start, end)) return j;
    }
    return -1;
  }
}

/**
 * The changes that make the device (`observed`) what the plan says; as {@link diffDevice}. Each
 * planned entity is encoded (planned-wire.ts) and compared while its bytes are fresh; only the
 * bytes of those the device does not have are kept (what an insert writes).
 */
export function diffWire(
  client: P4RuntimeClient,
  index: P4InfoIndex,
  entities: readonly PlannedEntity[],
  observed: WireSnapshot,
): Diff {
  return runSteps(diffWireSteps(client, index, entities, observed));
}

/** {@link diffWire} in slices (slices.ts), so that other devices' writes go on meanwhile. */
export function diffWireInSlices(
  client: P4RuntimeClient,
  index: P4InfoIndex,
  entities: readonly PlannedEntity[],
  observed: WireSnapshot,
  sliceMs?: number,
): Promise<Diff> {
  return runStepsInSlices(diffWireSteps(client, index, entities, observed), sliceMs);
}

/** Entities compared per step of {@link diffWireSteps}. */
const STEP = 1024;

function* diffWireSteps(
  client: P4RuntimeClient,
  index: P4InfoIndex,
  entities: readonly PlannedEntity[],
  observed: WireSnapshot,
): Steps<Diff> {
  const n = observed.size;
  const matched = new Uint8Array(n);
  /** Planned entities the device does not have as they are (the first `left` of it); the k-th one's bytes start at kept[k]. */
  const rest = new Int32Array(entities.length);
  const kept = new Int32Array(entities.length + 1);
  let missing = 0;
  let unchanged = 0;
  // A device that holds nothing (a first apply) keeps every entity's bytes: room for them at once.
  const writer = new PlanWriter(client, n === 0 ? entities.length * 80 : 1 << 16);
  const byTable = n === 0 ? undefined : new TableOrder(observed);
  let byHash: HashIndex | undefined;
  for (let i = 0; i < entities.length; i++) {
    if (i % STEP === STEP - 1) yield;
    const start = writer.add(entities[i]);
    if (byTable) {
      const end = writer.pos;
      const buf = writer.buf;
      // The device's next entity of the table, first: a device lists a table's entries in the
      // order they were written, most often, which is the plan's.
      const list = byTable.listOf(plannedTableId(buf, start, end));
      let j = -1;
      if (list >= 0 && byTable.ordered(list)) {
        const next = byTable.next(list);
        if (next >= 0 && matched[next] === 0 && observed.equals(next, buf, start, end)) {
          j = next;
          byTable.advance(list);
        } else byTable.missed(list);
      }
      if (j < 0) {
        // Else by hash and bytes, and the device's order taken up again after what was found.
        byHash ??= new HashIndex(observed);
        j = byHash.find(buf, start, end, matched);
        if (j >= 0) byTable.resume(j);
      }
      if (j >= 0) {
        matched[j] = 1;
        unchanged++;
        writer.rewind(start);
        continue;
      }
    }
    rest[missing] = i;
    kept[missing++] = start;
  }
  kept[missing] = writer.pos;
  const wire = new PlanWire(writer.buf, kept.subarray(0, missing + 1));
  const left = new Map<string, ObservedEntity>();
  for (let j = 0; j < n; j++)
    if (matched[j] === 0) {
      const o = observed.observed(j);
      left.set(o.key, o);
    }
  if (left.size === 0) {
    // Nothing else on the device: every planned entity left is missing (as diffDevice decides).
    const ranks = new Uint8Array(missing);
    const of = new WireChanges(client, entities, rest.subarray(0, missing), wire, ranks);
    const changes: Change[] = new Array(missing);
    let table: string | undefined;
    let rank = 0;
    for (let k = 0; k < missing; k++) {
      const p = entities[rest[k]];
      const isDefault = (p.kind === 'table' && p.isDefaultAction) || p.kind === 'meter';
      const t = plannedTable(p);
      if (t !== table) {
        table = t;
        rank = rankOf(t);
      }
      ranks[k] = rank;
      changes[k] = new WireChange(isDefault ? 'modify' : 'insert', of, k);
    }
    return { changes, drift: [], unchanged };
  }
  const desired: DesiredEntity[] = [];
  for (let k = 0; k < missing; k++) desired.push(new DesiredEntity(client, entities[rest[k]]));
  const diff = diffDevice(index, desired, left);
  return { ...diff, unchanged: unchanged + diff.unchanged };
}
