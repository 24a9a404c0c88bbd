/**
 * The diff of reconcile.ts's {@link diffDevice}, computed on bytes first: a planned entity whose
 * Entity bytes (planned-wire.ts) are exactly those of an entity the device returned (read-wire.ts
 * {@link WireSnapshot}) is that entity, unchanged (equal bytes decode to equal entities, so equal
 * keys and values). Only what is left on either side, after that match by hash and bytes, gets
 * keys and values and goes through diffDevice: a no-op apply makes no text and no object per
 * entry, and a first apply (nothing read) keys nothing. A device that writes its entities in
 * other bytes (another field order, non-canonical values) still gets the exact diff, the slow way.
 */
import type { P4InfoIndex, P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import type { ObservedEntity } from './device-state.js';
import type { PlannedEntity } from './plan.js';
import { DesiredEntity, encodePlanned } from './planned-key.js';
import { hashBytes, type PlanWire } from './planned-wire.js';
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

/**
 * An insert (or a modify of a default entry or meter cell) of a planned entity the device does not
 * have, written from its bytes. Its entity, key and value are computed only when asked (a message,
 * --atomic, the service's cache); a copy made by spreading it keeps none of them, so a rollback
 * built from it writes what it says, never these bytes.
 */
class WireChange implements Change {
  readonly table: string;
  readonly owner: string;
  readonly rank: number;
  private keyed?: DesiredEntity;
  private entityOf?: p4.v1.IEntity;
  constructor(
    readonly kind: ChangeKind,
    private readonly planned: PlannedEntity,
    private readonly wire: PlanWire,
    private readonly index: number,
    private readonly client: P4RuntimeClient,
  ) {
    this.table = plannedTable(planned);
    this.owner = plannedOwner(planned);
    this.rank = rankOf(this.table);
  }
  get entity(): p4.v1.IEntity {
    this.entityOf ??= this.keyed?.entity ?? encodePlanned(this.client, this.planned);
    return this.entityOf;
  }
  private get desired(): DesiredEntity {
    this.keyed ??= new DesiredEntity(this.client, this.planned);
    return this.keyed;
  }
  get key(): string {
    return this.desired.key;
  }
  get value(): string {
    return this.desired.value;
  }
  get encoded(): Uint8Array {
    return this.wire.bytes(this.index);
  }
}

/** The changes that make the device (`observed`) what the plan says; as {@link diffDevice}. */
export function diffWire(
  client: P4RuntimeClient,
  index: P4InfoIndex,
  entities: readonly PlannedEntity[],
  wire: PlanWire,
  observed: WireSnapshot,
): Diff {
  const n = observed.size;
  const matched = new Uint8Array(n);
  const rest: number[] = [];
  let unchanged = 0;
  if (n === 0) for (let i = 0; i < entities.length; i++) rest.push(i);
  else {
    // Open addressing over the observed entities by hash of their bytes.
    let capacity = 1;
    while (capacity < n * 2) capacity <<= 1;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity).fill(-1);
    const hashes = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const h = observed.hash(j, hashBytes);
      hashes[j] = h;
      let s = h & mask;
      while (slots[s] !== -1) s = (s + 1) & mask;
      slots[s] = j;
    }
    const buf = wire.buf;
    for (let i = 0; i < entities.length; i++) {
      const start = wire.start[i];
      const end = wire.start[i + 1];
      const h = hashBytes(buf, start, end);
      let found = false;
      for (let s = h & mask; slots[s] !== -1; s = (s + 1) & mask) {
        const j = slots[s];
        if (hashes[j] === h && matched[j] === 0 && observed.equals(j, buf, start, end)) {
          matched[j] = 1;
          found = true;
          break;
        }
      }
      if (found) unchanged++;
      else rest.push(i);
    }
  }
  const left = new Map<string, ObservedEntity>();
  for (let j = 0; j < n; j++)
    if (matched[j] === 0) {
      const o = observed.observed(j);
      left.set(o.key, o);
    }
  if (left.size === 0) {
    // Nothing else on the device: every planned entity left is missing (as diffDevice decides).
    const changes: Change[] = rest.map((i) => {
      const p = entities[i];
      const isDefault = (p.kind === 'table' && p.isDefaultAction) || p.kind === 'meter';
      return new WireChange(isDefault ? 'modify' : 'insert', p, wire, i, client);
    });
    return { changes, drift: [], unchanged };
  }
  const diff = diffDevice(
    index,
    rest.map((i) => new DesiredEntity(client, entities[i])),
    left,
  );
  return { ...diff, unchanged: unchanged + diff.unchanged };
}
