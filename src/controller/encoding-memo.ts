/**
 * The last plan, beside which the next is walked: a service that plans the fabric again after a
 * small change compares with the device (and keys) only the entities that are new. Plans are
 * deterministic and ordered; an entity equal to the previous one at the current position (or a
 * few further on, after a removal) is the same P4Runtime entity. This needs structural equality,
 * so a poor alignment costs comparisons, never a wrong entity.
 */
import type { P4InfoIndex, P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import {
  describeObserved,
  entityKey,
  entityTable,
  type ObservedEntity,
  writableEntity,
} from './device-state.js';
import type { KeyedLookup } from './keyed-map.js';
import { type PlannedEntity, type PlannedTableEntry, type Replica, WorkloadEntry } from './plan.js';
import { DesiredEntity } from './planned-key.js';
import { type Change, type Diff, diffDevice, rankOf } from './reconcile.js';

/** An encoded entity with its key and value (see device-state.ts); `entity` may be encoded lazily. */
export interface EncodedEntity {
  readonly entity: p4.v1.IEntity;
  readonly key: string;
  readonly value: string;
}

/** A plan with its encodings, for one device and one program. */
export interface EncodingMemo {
  entities: readonly PlannedEntity[];
  encoded: readonly EncodedEntity[];
}

/** How far past the aligned position a match is looked for (removed entities in a row). */
const LOOKAHEAD = 16;

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return sameFields(a as Record<string, unknown>, b as Record<string, unknown>);
}

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in a) {
    if (!sameValue(a[k], b[k])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

const sameReplicas = (a: readonly Replica[], b: readonly Replica[]) =>
  a.length === b.length && a.every((r, i) => r.port === b[i].port && r.instance === b[i].instance);

function sameActionSet(a: PlannedTableEntry['actionSet'], b: PlannedTableEntry['actionSet']): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.length === b.length && a.every((c, i) => c.weight === b[i].weight && sameFields(c.params, b[i].params))
  );
}

/** True when two planned entities encode to the same P4Runtime entity (owners aside). */
export function samePlanned(a: PlannedEntity, b: PlannedEntity): boolean {
  if (a instanceof WorkloadEntry && b instanceof WorkloadEntry) return a.sameEntry(b); // (no objects made)
  if (a.kind === 'table')
    return (
      b.kind === 'table' &&
      a.table === b.table &&
      a.action === b.action &&
      a.priority === b.priority &&
      a.isDefaultAction === b.isDefaultAction &&
      sameFields(a.match, b.match) &&
      sameFields(a.params, b.params) &&
      sameActionSet(a.actionSet, b.actionSet)
    );
  if (a.kind === 'multicastGroup')
    return b.kind === 'multicastGroup' && a.id === b.id && sameReplicas(a.replicas, b.replicas);
  if (a.kind === 'meter')
    return (
      b.kind === 'meter' &&
      a.meter === b.meter &&
      a.index === b.index &&
      a.config.cir === b.config.cir &&
      a.config.cburst === b.config.cburst &&
      a.config.pir === b.config.pir &&
      a.config.pburst === b.config.pburst
    );
  if (a.kind === 'valueSet')
    return (
      b.kind === 'valueSet' &&
      a.valueSet === b.valueSet &&
      a.members.length === b.members.length &&
      a.members.every((v, i) => v === b.members[i])
    );
  return (
    a.kind === 'cloneSession' &&
    b.kind === 'cloneSession' &&
    a.id === b.id &&
    sameReplicas(a.replicas, b.replicas)
  );
}

/**
 * The planned entities with their keys and values (computed when asked), and which of them are
 * new since `previous` (those equal to its own are not compared with the device again, and its
 * entities not found again are gone); returns them and the memo of this plan.
 */
export function encodePlanWithMemo(
  client: P4RuntimeClient,
  entities: readonly PlannedEntity[],
  previous?: EncodingMemo,
): EncodedPlan {
  const before = previous?.entities ?? [];
  const desired: DesiredEntity[] = new Array(entities.length);
  const encoded: DesiredEntity[] = new Array(entities.length);
  const fresh: number[] = [];
  const kept = new Uint8Array(before.length);
  let j = 0;
  for (let i = 0; i < entities.length; i++) {
    const planned = entities[i];
    let found = false;
    for (let k = j; k < before.length && k < j + LOOKAHEAD; k++) {
      if (samePlanned(planned, before[k])) {
        found = true;
        kept[k] = 1;
        j = k + 1;
        break;
      }
    }
    if (!found) fresh.push(i);
    // Its key and value are computed when asked (planned-key.ts), so nothing is worth reusing but
    // the finding that it is the same entity as before (then it is not compared again).
    const d = new DesiredEntity(client, planned);
    desired[i] = d;
    encoded[i] = d;
  }
  const gone: EncodedEntity[] = [];
  for (let k = 0; k < before.length; k++) if (!kept[k]) gone.push(previous!.encoded[k]);
  return { desired, memo: { entities, encoded }, fresh, gone };
}

/** A plan encoded beside the previous one. */
export interface EncodedPlan {
  desired: DesiredEntity[];
  memo: EncodingMemo;
  /** Indexes in `desired` of entities the previous plan did not have. */
  fresh: number[];
  /** Entities of the previous plan this one does not have. */
  gone: EncodedEntity[];
}

/**
 * The diff of {@link diffDevice} when `observed` is what the device holds since it was given the
 * previous plan (the controller's cache, after an apply that completed) and `drift` what was then
 * left as drift: entities of both plans are there already, so only the fresh ones are compared
 * and only the gone ones can be deleted. The work is the size of the change, not of the fabric.
 */
export function diffFromPrevious(
  index: P4InfoIndex,
  plan: EncodedPlan,
  observed: KeyedLookup<ObservedEntity>,
  drift: readonly Change[],
): Diff {
  const wantedFresh = new Set<string>();
  const freshDesired = plan.fresh.map((i) => {
    wantedFresh.add(plan.desired[i].key!);
    return plan.desired[i];
  });
  const partial = diffDevice(index, freshDesired, new Map());
  const changes: Change[] = [];
  let unchanged = plan.desired.length - plan.fresh.length;
  for (const c of partial.changes) {
    const have = observed.get(c.key!);
    if (have && have.value === c.value) unchanged++;
    else if (!have) changes.push(c);
    else changes.push({ ...c, kind: 'modify', before: have.raw });
  }
  for (const g of plan.gone) {
    const key = g.key;
    if (wantedFresh.has(key)) continue;
    const raw = observed.get(key)?.raw; // (decoded at each use of an entity kept as bytes)
    if (!raw || raw.tableEntry?.isDefaultAction) continue;
    const table = entityTable(index, raw);
    changes.push({
      kind: 'delete',
      table,
      owner: `no longer in the intent: ${describeObserved(index, raw)}`,
      entity: writableEntity(raw),
      before: writableEntity(raw),
      rank: rankOf(table),
    });
  }
  return { changes, drift: drift.filter((d) => !wantedFresh.has(entityKey(d.entity))), unchanged };
}
