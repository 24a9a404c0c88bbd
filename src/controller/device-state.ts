/**
 * What a device holds, in a form that can be compared with what the intent wants: every entity
 * gets a key (what it is: table and match, group id, session id) and a value (what it does:
 * action and parameters, replicas). Both sides are P4Runtime entities in canonical bytestrings
 * (P4Runtime spec, "Bytestrings"), so equal keys and values mean equal entries.
 */
import type { P4InfoIndex, p4 } from 'p4runtime-ts-grpc';

export const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Lower-case hex of a bytestring; a table loop, since keys are short and a Buffer view per call costs more. */
const hex = (b: Uint8Array | null | undefined): string => {
  if (!b) return '';
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
};

function fieldMatchKey(m: p4.v1.IFieldMatch): string {
  if (m.exact) return `${m.fieldId}=${hex(m.exact.value)}`;
  if (m.ternary) return `${m.fieldId}=${hex(m.ternary.value)}&${hex(m.ternary.mask)}`;
  if (m.lpm) return `${m.fieldId}=${hex(m.lpm.value)}/${m.lpm.prefixLen ?? 0}`;
  if (m.range) return `${m.fieldId}=${hex(m.range.low)}..${hex(m.range.high)}`;
  if (m.optional) return `${m.fieldId}=?${hex(m.optional.value)}`;
  return `${m.fieldId}`;
}

function replicaKey(r: p4.v1.IReplica): string {
  const port = r.port && r.port.length > 0 ? BigInt(`0x${hex(r.port)}`) : BigInt(r.egressPort ?? 0);
  return `${port}:${r.instance ?? 0}`;
}

/**
 * The program's value set whose name ends in `name` (bf-p4c names it after the parser instance,
 * and its alias keeps the pipe's name).
 */
export function findValueSet(index: P4InfoIndex, name: string): { id: number; name: string } | undefined {
  for (const v of index.valueSets) if (v.name === name || v.name.endsWith(`.${name}`)) return v;
  return undefined;
}

/** What an entity is (two entities with one key cannot both be on a device). */
export function entityKey(e: p4.v1.IEntity): string {
  const t = e.tableEntry;
  if (t) {
    if (t.isDefaultAction) return `T${t.tableId}|default`;
    const matches = [...(t.match ?? [])].sort((a, b) => (a.fieldId ?? 0) - (b.fieldId ?? 0));
    return `T${t.tableId}|${matches.map(fieldMatchKey).join(',')}|${Number(t.priority ?? 0)}`;
  }
  const pre = e.packetReplicationEngineEntry;
  if (pre?.multicastGroupEntry) return `M${pre.multicastGroupEntry.multicastGroupId ?? 0}`;
  if (pre?.cloneSessionEntry) return `C${pre.cloneSessionEntry.sessionId ?? 0}`;
  if (e.meterEntry) return `E${e.meterEntry.meterId ?? 0}|${Number(e.meterEntry.index?.index ?? 0)}`;
  if (e.valueSetEntry) return `V${e.valueSetEntry.valueSetId ?? 0}`;
  throw new Error(
    'only table entries, multicast groups, clone sessions, meters and value sets are reconciled',
  );
}

/**
 * The controller metadata (P4Runtime TableEntry.metadata, MulticastGroupEntry.metadata) on what
 * genevectl writes: an entry carrying it that the intent no longer wants is ours to delete; one
 * without it was written by someone else and is drift.
 */
export const OWNER_METADATA = new TextEncoder().encode('genevectl');
const OWNER_HEX = hex(OWNER_METADATA);

/**
 * True when genevectl wrote this entity (see {@link OWNER_METADATA}). Multicast groups carry no
 * metadata on every target (bmv2 does not keep it): a group is ours when one of our `bum_flood`
 * entries names it (`ourGroups`).
 */
export function isOurs(e: p4.v1.IEntity, ourGroups: ReadonlySet<number> = new Set()): boolean {
  if (e.packetReplicationEngineEntry?.cloneSessionEntry) return true; // the punt session is ours by id
  if (e.meterEntry) return true; // punt meters are configured, never inserted or deleted
  if (e.valueSetEntry) return true; // a value set is configured (MODIFY), never inserted or deleted
  const group = e.packetReplicationEngineEntry?.multicastGroupEntry;
  if (group) return ourGroups.has(group.multicastGroupId ?? 0);
  return hex(e.tableEntry?.metadata) === OWNER_HEX;
}

/** The multicast groups our flood entries (table `floodTableId`) point at. */
export function groupsOfOurFloodEntries(
  observed: Iterable<{ raw: p4.v1.IEntity; tableId?: number | undefined }>,
  floodTableId: number | undefined,
): Set<number> {
  const out = new Set<number>();
  for (const o of observed) {
    if (o.tableId !== undefined && o.tableId !== floodTableId) continue; // not decoded for nothing
    const t = o.raw.tableEntry;
    if (!t || t.tableId !== floodTableId || hex(t.metadata) !== OWNER_HEX) continue;
    const value = t.action?.action?.params?.[0]?.value;
    if (value) out.add(Number.parseInt(hex(value), 16));
  }
  return out;
}

const actionValue = (a: p4.v1.IAction): string => {
  const params = [...(a.params ?? [])].sort((x, y) => (x.paramId ?? 0) - (y.paramId ?? 0));
  return `${a.actionId}(${params.map((p) => `${p.paramId}=${hex(p.value)}`).join(',')})`;
};

/** What an entity does (its controller metadata included, so an entry is adopted by a MODIFY). */
export function entityValue(e: p4.v1.IEntity): string {
  const t = e.tableEntry;
  if (t) {
    const set = t.action?.actionProfileActionSet;
    if (set) {
      // A one-shot action set (action selector): its calls with weights, in order (the order
      // is the member order the selector's hash indexes).
      const calls = (set.actionProfileActions ?? []).map(
        (c) => `${actionValue(c.action ?? {})}*${c.weight ?? 0}@${hex(c.watchPort)}`,
      );
      return `{${calls.join(';')}}${hex(t.metadata)}`;
    }
    const a = t.action?.action;
    if (!a) return hex(t.metadata);
    const params = [...(a.params ?? [])].sort((x, y) => (x.paramId ?? 0) - (y.paramId ?? 0));
    return `${a.actionId}(${params.map((p) => `${p.paramId}=${hex(p.value)}`).join(',')})${hex(t.metadata)}`;
  }
  const pre = e.packetReplicationEngineEntry;
  if (pre?.multicastGroupEntry)
    return (pre.multicastGroupEntry.replicas ?? []).map(replicaKey).sort().join(',');
  if (pre?.cloneSessionEntry) {
    const c = pre.cloneSessionEntry;
    return `${(c.replicas ?? []).map(replicaKey).sort().join(',')}|${c.classOfService ?? 0}|${c.packetLengthBytes ?? 0}`;
  }
  // A value set: its members' values, in any order.
  if (e.valueSetEntry)
    return (e.valueSetEntry.members ?? [])
      .map((m) => (m.match ?? []).map((f) => `${f.fieldId ?? 0}=${hex(f.exact?.value)}`).join(','))
      .sort()
      .join(';');
  // A meter cell without a configuration (P4Runtime: unset, lets everything through) is ''.
  const m = e.meterEntry?.config;
  if (m) return `${m.cir ?? 0}/${m.cburst ?? 0}/${m.pir ?? 0}/${m.pburst ?? 0}`;
  return '';
}

/** The part of an entity a DELETE or a re-INSERT needs (no counters, meters or read-only fields). */
export function writableEntity(e: p4.v1.IEntity): p4.v1.IEntity {
  const t = e.tableEntry;
  if (t) {
    const out: p4.v1.ITableEntry = { tableId: t.tableId, match: t.match ?? [] };
    if (t.action) out.action = t.action;
    if (t.priority) out.priority = t.priority;
    if (t.metadata && t.metadata.length > 0) out.metadata = t.metadata;
    if (t.isDefaultAction) out.isDefaultAction = true;
    return { tableEntry: out };
  }
  return e;
}

/** One entity on a device. */
export interface ObservedEntity {
  key: string;
  value: string;
  /** The entity as P4Runtime has it (possibly decoded only when first asked for: read-wire.ts). */
  readonly raw: p4.v1.IEntity;
  /** The table of a table entry, without decoding `raw`; undefined for replication entities. */
  tableId?: number | undefined;
}

/** An observed entity from what was written: `entity` as sent, with its key and value. */
export const observedOf = (key: string, value: string, entity: p4.v1.IEntity): ObservedEntity => ({
  key,
  value,
  raw: entity,
  tableId: entity.tableEntry?.tableId ?? undefined,
});

/** Short name of the table (or `multicast group` / `clone session`) an entity belongs to. */
export function entityTable(index: P4InfoIndex, e: p4.v1.IEntity): string {
  if (e.tableEntry) {
    const info = index.tables.find(e.tableEntry.tableId ?? 0);
    const name = info?.name ?? `table ${e.tableEntry.tableId}`;
    return name.slice(name.lastIndexOf('.') + 1);
  }
  if (e.packetReplicationEngineEntry?.multicastGroupEntry) return 'multicast group';
  if (e.meterEntry) return 'punt meter';
  if (e.valueSetEntry) {
    const name = index.valueSets.find(e.valueSetEntry.valueSetId ?? 0)?.name ?? 'value set';
    return name.slice(name.lastIndexOf('.') + 1);
  }
  return 'clone session';
}

/** An entity of the device in readable terms (values as P4Runtime names them, not hex). */
export function describeObserved(index: P4InfoIndex, e: p4.v1.IEntity): string {
  const g = e.packetReplicationEngineEntry?.multicastGroupEntry;
  if (g) return `multicast group ${g.multicastGroupId}`;
  const c = e.packetReplicationEngineEntry?.cloneSessionEntry;
  if (c) return `clone session ${c.sessionId}`;
  const v = e.valueSetEntry;
  if (v) return `value set ${index.valueSets.find(v.valueSetId ?? 0)?.name ?? v.valueSetId}`;
  const m = e.meterEntry;
  if (m)
    return `meter ${index.meters.find(m.meterId ?? 0)?.name ?? m.meterId}[${Number(m.index?.index ?? 0)}]`;
  const t = e.tableEntry!;
  const table = index.tables.find(t.tableId ?? 0);
  if (!table) return `table ${t.tableId}`;
  const fields = (t.match ?? []).map((m) => {
    const field = table.matchFields.get(m.fieldId ?? 0);
    const bytes = m.exact?.value ?? m.lpm?.value ?? m.ternary?.value ?? m.optional?.value ?? m.range?.low;
    const smart = bytes ? field.format(bytes, { format: 'smart' }) : '*';
    return `${field.name}=${String(smart)}${m.lpm ? `/${m.lpm.prefixLen}` : ''}`;
  });
  return `{${fields.join(', ')}}`;
}
