/**
 * The key and value (device-state.ts) of a planned entity without building its P4Runtime entity:
 * each value is encoded by the P4Info field it goes into (BitField.encode, what the client's
 * tableEntry uses) and written as hex, in the layout entityKey and entityValue give an encoded
 * entity. A no-op apply of ~150,000 entries per device then builds no entity at all, and an apply
 * encodes only what it writes ({@link DesiredEntity}). Tables with exact keys only take this path
 * (nearly every entry); a ternary, LPM or range key, a default action, a multicast group or a clone
 * session is encoded as usual and keyed from its encoding.
 */
import type { P4InfoIndex, P4RuntimeClient, P4Value, p4, WeightedAction } from 'p4runtime-ts-grpc';
import { entityKey, entityValue, findValueSet, HEX, OWNER_METADATA } from './device-state.js';
import type { PlannedEntity, PlannedTableEntry, PlannedValueSet } from './plan.js';

const hex = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
};
const OWNER_HEX = hex(OWNER_METADATA);

interface Encoder {
  encode(value: P4Value): Uint8Array;
}
interface FastAction {
  /** `actionId(` */
  head: string;
  /** Parameters by id, with their names. */
  params: Array<{ name: string; prefix: string; field: Encoder }>;
}
interface FastTable {
  /** `T<id>|` */
  head: string;
  /** Exact key fields by id. */
  fields: Array<{ name: string; prefix: string; field: Encoder }>;
  actions: Map<string, FastAction | undefined>;
  info: ReturnType<P4InfoIndex['tables']['get']>;
}

/**
 * `build` memoised per P4Info and table name: what a planned entity's fast path needs of its table,
 * computed once for each table of each program.
 */
export function perTable<T>(
  build: (index: P4InfoIndex, name: string) => T,
): (index: P4InfoIndex, name: string) => T {
  const cache = new WeakMap<P4InfoIndex, Map<string, T>>();
  return (index, name) => {
    let tables = cache.get(index);
    if (!tables) {
      tables = new Map();
      cache.set(index, tables);
    }
    if (tables.has(name)) return tables.get(name) as T;
    const out = build(index, name);
    tables.set(name, out);
    return out;
  };
}

/** The tables that take the fast path (undefined: the usual one). */
const fastTable = perTable((index, name): FastTable | undefined => {
  const info = index.tables.find(name);
  if (!info || info.implementation || !info.matchFields.list.every((f) => f.matchKind === 'exact'))
    return undefined;
  const fields = [...info.matchFields.list]
    .sort((a, b) => a.id - b.id)
    .map((f) => ({ name: f.name, prefix: `${f.id}=`, field: f }));
  return { head: `T${info.id}|`, fields, actions: new Map(), info };
});

function fastAction(table: FastTable, name: string): FastAction | undefined {
  if (table.actions.has(name)) return table.actions.get(name);
  const action = table.info.actions.find(name);
  const fast = action && {
    head: `${action.id}(`,
    params: [...action.params.list]
      .sort((a, b) => a.id - b.id)
      .map((p) => ({ name: p.name, prefix: `${p.id}=`, field: p })),
  };
  table.actions.set(name, fast);
  return fast;
}

/**
 * Key and value of a regular entry of an exact-key table, or undefined when it takes the usual
 * path (another kind of table, or anything the encoder would refuse: then encoding reports it).
 */
function fastKeyValue(index: P4InfoIndex, e: PlannedTableEntry): { key: string; value: string } | undefined {
  if (e.isDefaultAction || e.priority !== undefined || e.actionSet !== undefined) return undefined;
  const table = fastTable(index, e.table);
  if (!table) return undefined;
  const action = fastAction(table, e.action);
  if (!action) return undefined;
  // (Asked once: a workload's entry makes these objects at each ask, plan.ts.)
  const match = e.match;
  const params = e.params;
  let given = 0;
  for (const _ in match) given++;
  if (given !== table.fields.length) return undefined;
  let key = table.head;
  for (let i = 0; i < table.fields.length; i++) {
    const f = table.fields[i];
    const v = match[f.name];
    if (v === undefined || v === null || typeof v === 'object') return undefined;
    key += `${i > 0 ? ',' : ''}${f.prefix}${hex(f.field.encode(v as P4Value))}`;
  }
  key += '|0';
  given = 0;
  for (const _ in params) given++;
  if (given !== action.params.length) return undefined;
  let value = action.head;
  for (let i = 0; i < action.params.length; i++) {
    const p = action.params[i];
    const v = params[p.name];
    if (v === undefined) return undefined;
    value += `${i > 0 ? ',' : ''}${p.prefix}${hex(p.field.encode(v))}`;
  }
  return { key, value: `${value})${OWNER_HEX}` };
}

/** The action part of a planned entry: a direct call, or a one-shot action set (action selector). */
export function tableAction(
  e: PlannedTableEntry,
): { action: string; params: Record<string, P4Value> } | { actionSet: WeightedAction[] } {
  if (e.actionSet === undefined) return { action: e.action, params: e.params };
  return { actionSet: e.actionSet.map((c) => ({ action: e.action, params: c.params, weight: c.weight })) };
}

/** A 32-bit value as a P4Runtime canonical bytestring (no leading zero bytes; 0 is one byte). */
function canonical32(v: number): Uint8Array {
  const bytes = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  while (bytes.length > 1 && bytes[0] === 0) bytes.shift();
  return Uint8Array.from(bytes);
}

/**
 * A value set's members as a ValueSetEntry. Encoded here, not by the client: bf-p4c 1.2.5.16
 * lists a `value_set<bit<32>>` in the P4Info without its match field, so each member is the one
 * exact field, id 1 (P4Runtime 9.2: a value set's fields are numbered from 1 in order).
 */
function valueSetEntity(index: P4InfoIndex, e: PlannedValueSet): p4.v1.IEntity {
  const set = findValueSet(index, e.valueSet);
  if (!set) throw new Error(`the program has no value set ${e.valueSet}`);
  return {
    valueSetEntry: {
      valueSetId: set.id,
      members: e.members.map((v) => ({ match: [{ fieldId: 1, exact: { value: canonical32(v) } }] })),
    },
  };
}

/**
 * Encodes one planned entity with the device's P4Info (what the client writes). Regular table
 * entries carry `metadata`: by default the owner tag reconciliation recognises its entries by
 * (device-state.ts); null for none.
 */
export function encodePlanned(
  client: P4RuntimeClient,
  e: PlannedEntity,
  metadata: Uint8Array | null = OWNER_METADATA,
): p4.v1.IEntity {
  if (e.kind === 'multicastGroup') return client.multicastGroup({ groupId: e.id, replicas: e.replicas });
  if (e.kind === 'cloneSession') return client.cloneSession({ sessionId: e.id, replicas: e.replicas });
  if (e.kind === 'meter') return client.meterEntry(e.meter, { index: e.index, config: e.config });
  if (e.kind === 'valueSet') return valueSetEntity(client.p4info, e);
  if (e.isDefaultAction) return client.defaultEntry(e.table, e.action, e.params);
  return client.tableEntry(e.table, {
    match: e.match,
    ...tableAction(e),
    ...(e.priority !== undefined ? { priority: e.priority } : {}),
    ...(metadata ? { metadata } : {}),
  });
}

/**
 * A planned entity whose key and value (and P4Runtime entity) are computed when asked for. The key
 * and value are made again at each ask, never kept: a service keeps a DesiredEntity for each of
 * the ~580,000 entities of its devices' plans, and their texts were a large part of its heap (a
 * diff asks for the keys of what changed only). The entity, once encoded (to be written), is kept.
 */
export class DesiredEntity {
  private encoded?: p4.v1.IEntity;
  constructor(
    private readonly client: P4RuntimeClient,
    readonly planned: PlannedEntity,
  ) {}
  /** Key and value, computed without encoding the entity where the fast path takes it. */
  keyValue(): { key: string; value: string } {
    const planned = this.planned;
    const fast = planned.kind === 'table' ? fastKeyValue(this.client.p4info, planned) : undefined;
    if (fast) return fast;
    // (Encoded for its key alone, not kept: only an entity that is written keeps its encoding.)
    const entity = this.encoded ?? encodePlanned(this.client, planned);
    return { key: entityKey(entity), value: entityValue(entity) };
  }
  get key(): string {
    return this.keyValue().key;
  }
  get value(): string {
    return this.keyValue().value;
  }
  get entity(): p4.v1.IEntity {
    if (!this.encoded) this.encoded = encodePlanned(this.client, this.planned);
    return this.encoded;
  }
}
