/**
 * Encoded entities remembered by what was planned, so a service that plans the fabric again after
 * a small change encodes (and keys) only the entities that are new: a planned entity with the same
 * table, match, action, parameters and priority as last time is the same P4Runtime entity.
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

/** Planned-entity signature -> its encoding, for one device and one program. */
export type EncodingMemo = Map<string, EncodedEntity>;

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '*';
  if (typeof v === 'object') {
    let s = '{';
    const o = v as Record<string, unknown>;
    for (const k in o) s += `${k}:${valueText(o[k])},`;
    return `${s}}`;
  }
  if (typeof v === 'string') return `"${v}"`;
  return typeof v === 'bigint' ? `${v}n` : String(v);
}

const replicasText = (replicas: readonly Replica[]) => {
  let s = '';
  for (const r of replicas) s += `${r.port}:${r.instance},`;
  return s;
};

/** What a planned entity is and does, as text (everything its encoding depends on, not its owner). */
export function plannedSignature(e: PlannedEntity): string {
  if (e.kind === 'multicastGroup') return `M${e.id}|${replicasText(e.replicas)}`;
  if (e.kind === 'cloneSession') return `C${e.id}|${replicasText(e.replicas)}`;
  return `T${e.table}|${e.isDefaultAction ? 'd' : ''}|${e.priority ?? ''}|${valueText(e.match)}|${e.action}|${valueText(e.params)}`;
}

/**
 * Encodes planned entities, reusing what `memo` holds; returns them (with key and value) and the
 * memo of this plan (only its entities, so the memo never grows past one plan).
 */
export function encodePlanWithMemo(
  client: P4RuntimeClient,
  entities: readonly PlannedEntity[],
  memo: EncodingMemo = new Map(),
): { desired: Desired[]; memo: EncodingMemo } {
  const next: EncodingMemo = new Map();
  const desired: Desired[] = new Array(entities.length);
  for (let i = 0; i < entities.length; i++) {
    const planned = entities[i];
    const signature = plannedSignature(planned);
    let encoded = memo.get(signature);
    if (!encoded) {
      const { entity } = encodePlan(client, [planned])[0];
      encoded = { entity, key: entityKey(entity), value: entityValue(entity) };
    }
    next.set(signature, encoded);
    desired[i] = { entity: encoded.entity, planned, key: encoded.key, value: encoded.value };
  }
  return { desired, memo: next };
}
