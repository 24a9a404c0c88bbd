/**
 * Encodings of the last plan, reused by the next: a service that plans the fabric again after a
 * small change encodes (and keys) only the entities that are new. Plans are deterministic and
 * ordered, so the new plan is walked beside the previous one; an entity equal to the previous one
 * at the current position (or a few further on, after a removal) is the same P4Runtime entity.
 * Reuse needs structural equality, so a poor alignment costs encoding time, never a wrong entity.
 */
import type { P4RuntimeClient, p4 } from '../p4runtime/index.js';
import { entityKey, entityValue } from './device-state.js';
import type { PlannedEntity, Replica } from './plan.js';
import { type Desired, encodePlan } from './reconcile.js';

/** An encoded entity with its key and value (see device-state.ts). */
export interface EncodedEntity {
  entity: p4.v1.IEntity;
  key: string;
  value: string;
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

/** True when two planned entities encode to the same P4Runtime entity (owners aside). */
export function samePlanned(a: PlannedEntity, b: PlannedEntity): boolean {
  if (a.kind === 'table')
    return (
      b.kind === 'table' &&
      a.table === b.table &&
      a.action === b.action &&
      a.priority === b.priority &&
      a.isDefaultAction === b.isDefaultAction &&
      sameFields(a.match, b.match) &&
      sameFields(a.params, b.params)
    );
  if (a.kind === 'multicastGroup')
    return b.kind === 'multicastGroup' && a.id === b.id && sameReplicas(a.replicas, b.replicas);
  return b.kind === 'cloneSession' && a.id === b.id && sameReplicas(a.replicas, b.replicas);
}

/**
 * Encodes planned entities, reusing the encodings of `previous` for entities equal to its own;
 * returns them (with key and value) and the memo of this plan.
 */
export function encodePlanWithMemo(
  client: P4RuntimeClient,
  entities: readonly PlannedEntity[],
  previous?: EncodingMemo,
): { desired: Desired[]; memo: EncodingMemo } {
  const before = previous?.entities ?? [];
  const desired: Desired[] = new Array(entities.length);
  const encoded: EncodedEntity[] = new Array(entities.length);
  let j = 0;
  for (let i = 0; i < entities.length; i++) {
    const planned = entities[i];
    let found: EncodedEntity | undefined;
    for (let k = j; k < before.length && k < j + LOOKAHEAD; k++) {
      if (samePlanned(planned, before[k])) {
        found = previous!.encoded[k];
        j = k + 1;
        break;
      }
    }
    if (!found) {
      const { entity } = encodePlan(client, [planned])[0];
      found = { entity, key: entityKey(entity), value: entityValue(entity) };
    }
    encoded[i] = found;
    desired[i] = { entity: found.entity, planned, key: found.key, value: found.value };
  }
  return { desired, memo: { entities, encoded } };
}
