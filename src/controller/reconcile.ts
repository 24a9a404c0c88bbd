/**
 * Reconciliation of one device: read what it holds, compare with what the intent wants, and write
 * only the difference, in an order that never leaves an entry pointing at something missing:
 * inserts and modifies from the leaves up (tenants, tunnels, replicas and the default action
 * first; then groups, memberships and policies; then classification and forwarding), deletes the
 * other way round. The program is pushed only when the device does not already run it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type EncodedUpdate,
  loadP4Info,
  type P4InfoIndex,
  type P4RuntimeClient,
  P4RuntimeError,
  P4RuntimeWriteError,
  p4,
  type WriteOptions,
  type WriteUpdate,
} from 'p4runtime-ts-grpc';
import { programArtifactPath } from '../artifacts/program.js';
import { formatIpv4, formatIpv6 } from '../packet/index.js';
import {
  type DeviceProfile,
  isRegularTableEntry,
  PROFILES,
  replaceByDeleteInsert,
} from './device-profile.js';
import {
  describeObserved,
  entityKey,
  entityTable,
  entityValue,
  findValueSet,
  groupsOfOurFloodEntries,
  isOurs,
  type ObservedEntity,
  writableEntity,
} from './device-state.js';
import type { KeyedLookup } from './keyed-map.js';
import {
  type Allocations,
  emptyAllocations,
  ipKey,
  type PlannedEntity,
  PUNT_CLONE_SESSION,
  SECURITY_OPTION_VALUE_SET,
} from './plan.js';
import { DesiredEntity } from './planned-key.js';
import { PUNT_METER_SUFFIX } from './punt-meters.js';
import {
  entityTableId,
  LazyWireEntity,
  WireObserved,
  type WireRow,
  WireSnapshot,
  wireGroup,
  wireRow,
} from './read-wire.js';

export { tableAction } from './planned-key.js';

// ------------------------------------------------------------------ the program

export interface Program {
  p4info: p4.config.v1.IP4Info;
  deviceConfig: Uint8Array;
  /** ForwardingPipelineConfig cookie: a hash of the program, so a device says what it runs. */
  cookie: bigint;
}

/** The cookie of a program: the first 64 bits of SHA-256 over its P4Info and device config. */
export function programCookie(p4infoText: Uint8Array, deviceConfig: Uint8Array): bigint {
  const digest = createHash('sha256').update(p4infoText).update(deviceConfig).digest();
  return digest.readBigUInt64BE(0) || 1n;
}

let cachedProgram: Program | undefined;
/** The VTEP program of this package (bmv2/), with its cookie. */
export async function vtepProgram(): Promise<Program> {
  if (!cachedProgram) {
    const p4infoPath = programArtifactPath('p4infoJson');
    const deviceConfig = readFileSync(programArtifactPath('bmv2Json'));
    cachedProgram = {
      p4info: await loadP4Info(p4infoPath),
      deviceConfig,
      cookie: programCookie(readFileSync(p4infoPath), deviceConfig),
    };
  }
  return cachedProgram;
}

/** A device runs a program other than ours and the operator did not force a replacement. */
export class ForeignProgramError extends P4RuntimeError {
  override name = 'ForeignProgramError';
}

/** `compatible`: another build of the VTEP (program-check.ts), driven as it is. */
export type PipelineOutcome = 'kept' | 'compatible' | 'pushed' | 'replaced';

/** Pushes `program` (with its cookie) and binds its P4Info. */
export async function pushProgram(client: P4RuntimeClient, program: Program): Promise<void> {
  await client.setPipeline({
    p4info: program.p4info,
    deviceConfig: program.deviceConfig,
    cookie: program.cookie,
  });
}

// ------------------------------------------------------------------ reading

/**
 * Deadline of one read of a device: ten minutes, since a device of ~170,000 entries on a loaded
 * host can take longer than the client's default minute to stream them all.
 */
const READ_TIMEOUT_MS = 600_000;

/** Tables whose default action the controller sets (read separately: wildcards skip defaults). */
const DEFAULT_TABLES = ['security_option_format', 'security_option_recognition'];

/** The program's punt meters (docs/DATAPLANE.md rule 13), read cell by cell and configured by MODIFY. */
const puntMeterIds = (index: P4InfoIndex): number[] =>
  [...index.meters].filter((m) => m.name.endsWith(PUNT_METER_SUFFIX)).map((m) => m.id);

/**
 * Every table entry, multicast group and the punt clone session on the device. Without
 * `replication` (a BlueField DPU, which answers a Read of them UNIMPLEMENTED) table entries only.
 */
export async function readDevice(
  client: P4RuntimeClient,
  options: { replication?: boolean } = {},
): Promise<Map<string, ObservedEntity>> {
  const snapshot = await readDeviceWire(client, options);
  const out = new Map<string, ObservedEntity>();
  for (let i = 0; i < snapshot.size; i++) {
    const o = snapshot.observed(i);
    out.set(o.key, o);
  }
  return out;
}

/** As {@link readDevice}, what the device returned kept as bytes (read-wire.ts {@link WireSnapshot}). */
export async function readDeviceWire(
  client: P4RuntimeClient,
  { replication = true }: { replication?: boolean } = {},
): Promise<WireSnapshot> {
  const out = new WireSnapshot();
  const index = client.p4info;
  const requests: p4.v1.IEntity[] = [
    { tableEntry: {} },
    ...(replication
      ? [
          { packetReplicationEngineEntry: { multicastGroupEntry: {} } },
          { packetReplicationEngineEntry: { cloneSessionEntry: { sessionId: PUNT_CLONE_SESSION } } },
        ]
      : []),
    // (Absent from a program other than ours, which is read before it is checked: program-check.ts.)
    ...DEFAULT_TABLES.filter((t) => index.tables.find(t)).map((t) => ({
      tableEntry: { tableId: index.tables.get(t).id, isDefaultAction: true },
    })),
    ...puntMeterIds(index).map((meterId) => ({ meterEntry: { meterId } })),
    ...[findValueSet(index, SECURITY_OPTION_VALUE_SET)]
      .filter((v) => v !== undefined)
      .map((v) => ({ valueSetEntry: { valueSetId: v.id } })),
  ];
  // All at once: each is a round trip, and while the controller plans another device a reply
  // waits for the event loop; the replies are added in the order of the requests.
  const replies = await Promise.all(
    requests.map(async (request) => {
      const chunks: Uint8Array[] = [];
      try {
        // Kept as bytes; keys, values and entities are computed only when used (read-wire.ts).
        for await (const bytes of client.readResponseBytes(request, { timeoutMs: READ_TIMEOUT_MS }))
          chunks.push(bytes);
      } catch (e) {
        // A clone session that does not exist yet is NOT_FOUND on some targets.
        if (!request.packetReplicationEngineEntry?.cloneSessionEntry) throw e;
      }
      return chunks;
    }),
  );
  replies.forEach((chunks, i) => {
    const defaults = requests[i].tableEntry?.isDefaultAction === true;
    for (const bytes of chunks) out.add(bytes, defaults);
  });
  return out;
}

const bytesOf = (value: bigint, length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
};
const asBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

/** The tables whose entries carry the identifiers {@link allocationsOf} keeps. */
export function allocationTables(index: P4InfoIndex): Set<number> {
  const ids = new Set<number>();
  for (const t of ['vport_classification', 'tenant_by_vni', 'bum_flood', 'tunnel', 'flood_replica']) {
    const id = index.tables.find(t)?.id;
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/** The identifiers the device uses now (tenant slots, vports, tunnels, replicas, groups). */
export function allocationsOf(index: P4InfoIndex, observed: Iterable<ObservedEntity>): Allocations {
  const tables = new Map<string, DecodedRow[]>();
  const groups: GroupIds[] = [];
  // Only the tables that carry identifiers are decoded (observed entities may decode lazily); an
  // entity still as the device's bytes gives its row without being decoded (read-wire.ts).
  const wanted = allocationTables(index);
  for (const o of observed) {
    if (o.tableId !== undefined && !wanted.has(o.tableId)) continue;
    let row: DecodedRow | undefined;
    let tableId: number | null | undefined;
    const wire = o instanceof LazyWireEntity ? o.row() : undefined;
    if (wire) {
      if (wire.isDefaultAction) continue;
      row = rowOfWire(index, wire);
      tableId = wire.tableId;
    } else {
      const g = o.raw.packetReplicationEngineEntry?.multicastGroupEntry;
      if (g)
        groups.push({
          multicastGroupId: g.multicastGroupId ?? 0,
          replicas: (g.replicas ?? []).map((r) => ({ instance: r.instance ?? 0 })),
        });
      if (!o.raw.tableEntry || o.raw.tableEntry.isDefaultAction) continue;
      row = decodeTable(index, o.raw);
      tableId = o.raw.tableEntry.tableId;
    }
    addRow(tables, rowTables(index).name(tableId ?? 0), row);
  }
  return allocationsOfRows(tables, groups);
}

/**
 * As {@link allocationsOf}, from what a Read returned: the rows of the identifier tables and the
 * multicast groups read from their bytes, nothing else looked at (read-wire.ts).
 */
export function allocationsOfWire(index: P4InfoIndex, snapshot: WireSnapshot): Allocations {
  const tables = new Map<string, DecodedRow[]>();
  const groups: GroupIds[] = [];
  const wanted = allocationTables(index);
  const names = rowTables(index);
  for (let i = 0; i < snapshot.size; i++) {
    const id = snapshot.tableId(i);
    if (id === 0) {
      const g = wireGroup(snapshot.bufferOf(i), snapshot.startOf(i), snapshot.endOf(i));
      if (g) groups.push(g);
      continue;
    }
    if (!wanted.has(id) || snapshot.isDefault(i)) continue;
    const wire = wireRow(snapshot.bufferOf(i), snapshot.startOf(i), snapshot.endOf(i));
    if (!wire || wire.isDefaultAction) continue;
    addRow(tables, names.name(id), rowOfWire(index, wire));
  }
  return allocationsOfRows(tables, groups);
}

/** A multicast group's id and replica instances (what {@link allocationsOf} needs of a group). */
interface GroupIds {
  multicastGroupId: number;
  replicas: ReadonlyArray<{ instance: number }>;
}

function addRow(tables: Map<string, DecodedRow[]>, name: string, row: DecodedRow): void {
  const list = tables.get(name);
  if (list) list.push(row);
  else tables.set(name, [row]);
}

/** The identifiers that rows of the identifier tables and the multicast groups hold. */
function allocationsOfRows(tables: Map<string, DecodedRow[]>, groups: readonly GroupIds[]): Allocations {
  const a = emptyAllocations();
  const decode = (row: DecodedRow) => row;
  const vportById = new Map<number, string>();
  // Many workloads share a wire: its key text is made once, by wire's vport (checked to be its).
  const vportKey = new Map<number, { port: unknown; vlan: unknown; key: string }>();
  for (const raw of tables.get('vport_classification') ?? []) {
    const e = decode(raw);
    const vport = Number(e.params.vport);
    const known = vportKey.get(vport);
    if (known && known.port === e.match.port && known.vlan === e.match.vlan_id) {
      a.vport.set(known.key, vport);
      continue;
    }
    const key = `${e.match.port}/${e.match.vlan_id}`; // the attachment (plan.ts attachmentKey)
    vportKey.set(vport, { port: e.match.port, vlan: e.match.vlan_id, key });
    a.vport.set(key, vport);
    vportById.set(vport, key);
  }
  const groupVni = new Map<number, number>();
  for (const raw of tables.get('tenant_by_vni') ?? []) {
    const e = decode(raw);
    a.tenantSlot.set(Number(e.match.vni), Number(e.params.tenant_slot));
  }
  for (const raw of tables.get('bum_flood') ?? []) {
    const e = decode(raw);
    if (e.params.mcast_group === undefined) continue; // bum_to_controller: no group
    a.floodGroup.set(Number(e.match.vni), Number(e.params.mcast_group));
    groupVni.set(Number(e.params.mcast_group), Number(e.match.vni));
  }
  const ridVni = new Map<number, number>();
  for (const g of groups) {
    const vni = groupVni.get(g.multicastGroupId);
    if (vni !== undefined) for (const r of g.replicas) ridVni.set(r.instance, vni);
  }
  const address = (action: string, v: unknown) =>
    action.endsWith('ipv6') ? formatIpv6(bytesOf(asBigInt(v), 16)) : formatIpv4(bytesOf(asBigInt(v), 4));
  for (const raw of tables.get('tunnel') ?? []) {
    const e = decode(raw);
    a.tunnel.set(ipKey(address(e.action, e.params.remote_vtep)), Number(e.match.tunnel_id));
  }
  for (const raw of tables.get('flood_replica') ?? []) {
    const e = decode(raw);
    const rid = Number(e.match.replica_id);
    const vni = ridVni.get(rid);
    if (vni === undefined) continue;
    if (e.action === 'replica_to_vport') {
      const key = vportById.get(Number(e.params.vport));
      if (key) a.replica.set(`v:${vni}/${key}`, rid);
    } else a.replica.set(`t:${vni}/${ipKey(address(e.action, e.params.remote_vtep))}`, rid);
  }
  return a;
}

/** Names of a program's tables and actions by id, looked up once each. */
interface RowTables {
  name(tableId: number): string;
  action(actionId: number): string;
}
const rowTablesOf = new WeakMap<P4InfoIndex, RowTables>();
function rowTables(index: P4InfoIndex): RowTables {
  let known = rowTablesOf.get(index);
  if (!known) {
    const tables = new Map<number, string>();
    const actions = new Map<number, string>();
    known = {
      name: (id) => {
        let name = tables.get(id);
        if (name === undefined) {
          name = entityTable(index, { tableEntry: { tableId: id } });
          tables.set(id, name);
        }
        return name;
      },
      action: (id) => {
        let name = actions.get(id);
        if (name === undefined) {
          const info = index.actions.get(id);
          name = info.name.slice(info.name.lastIndexOf('.') + 1);
          actions.set(id, name);
        }
        return name;
      },
    };
    rowTablesOf.set(index, known);
  }
  return known;
}

interface DecodedRow {
  action: string;
  match: Record<string, unknown>;
  params: Record<string, unknown>;
}

/**
 * A table entry's row read from its bytes, as {@link decodeTable} gives it, numbers up to 6 bytes
 * as numbers; MAC fields are left out (no identifier is a MAC).
 */
function rowOfWire(index: P4InfoIndex, w: WireRow): DecodedRow {
  const table = index.tables.get(w.tableId);
  const match: Record<string, unknown> = {};
  for (let i = 0; i < w.match.length; i += 3) {
    const field = table.matchFields.get(w.match[i]);
    if (!field.name.endsWith('mac')) match[field.name] = uintOf(field, w.buf, w.match[i + 1], w.match[i + 2]);
  }
  const params: Record<string, unknown> = {};
  let action = '';
  if (w.actionId !== 0) {
    const info = index.actions.get(w.actionId);
    action = rowTables(index).action(w.actionId);
    for (let i = 0; i < w.params.length; i += 3) {
      const param = info.params.get(w.params[i]);
      params[param.name] = uintOf(param, w.buf, w.params[i + 1], w.params[i + 2]);
    }
  }
  return { action, match, params };
}

/** `buf[start, end)` as a number when at most 6 bytes, else as the field decodes it (checked, bigint). */
function uintOf(
  field: { decode(bytes: Uint8Array): bigint },
  buf: Uint8Array,
  start: number,
  end: number,
): number | bigint {
  if (end === start || end - start > 6) return field.decode(buf.subarray(start, end));
  let n = 0;
  for (let i = start; i < end; i++) n = n * 256 + buf[i];
  return n;
}

function decodeTable(index: P4InfoIndex, raw: p4.v1.IEntity): DecodedRow {
  const t = raw.tableEntry!;
  const table = index.tables.get(t.tableId ?? 0);
  const match: Record<string, unknown> = {};
  for (const m of t.match ?? []) {
    const field = table.matchFields.get(m.fieldId ?? 0);
    const bytes = m.exact?.value ?? m.lpm?.value ?? m.ternary?.value ?? m.optional?.value ?? m.range?.low;
    if (!bytes) continue;
    match[field.name] = field.name.endsWith('mac')
      ? field.format(bytes, { format: 'mac' })
      : field.decode(bytes);
  }
  const params: Record<string, unknown> = {};
  let action = '';
  const call = t.action?.action;
  if (call) {
    const info = index.actions.get(call.actionId ?? 0);
    action = info.name.slice(info.name.lastIndexOf('.') + 1);
    for (const p of call.params ?? []) {
      const param = info.params.get(p.paramId ?? 0);
      params[param.name] = param.decode(p.value ?? new Uint8Array(0));
    }
  }
  // VLAN 0 and port numbers come back as bigint; keys use plain numbers.
  for (const k of Object.keys(match)) if (typeof match[k] === 'bigint') match[k] = Number(match[k]);
  return { action, match, params };
}

// ------------------------------------------------------------------ diff

export type ChangeKind = 'insert' | 'modify' | 'delete';

export interface Change {
  kind: ChangeKind;
  /** Short table name, `multicast group` or `clone session`. */
  table: string;
  /** In the intent's terms, e.g. `tenant blue, workload blue-web`; `not in the intent` for drift. */
  owner: string;
  /** What is written (the desired entity; for a delete, the device's). */
  entity: p4.v1.IEntity;
  /** What the device had (modify and delete), to put it back with --atomic. */
  before?: p4.v1.IEntity;
  /** Write order: lower first for inserts and modifies, higher first for deletes. */
  rank: number;
  /** The entity's key and value (device-state.ts), when the diff computed them. */
  key?: string;
  value?: string;
  /**
   * The change as an update whose entity is the plan's bytes (planned-wire.ts), a range of a
   * buffer shared with the plan's other entities: written as they are, with no entity encoded by
   * the client, nor an update object or a view made per change. Never set on a change made by
   * copying another.
   */
  readonly update?: EncodedUpdate;
}

/**
 * Dependency rank of a table: what others point at comes first (a tenant slot before the vports
 * that use it; tunnels and flood replicas before the forwarding and groups that name them; the
 * security option format before any tunnel sends).
 */
const RANK: Record<string, number> = {
  port_role: 0,
  uplink_mtu: 0,
  local_vtep_ipv4: 0,
  local_vtep_ipv6: 0,
  underlay_route_ipv4: 0,
  underlay_route_ipv6: 0,
  tenant_by_vni: 0,
  security_option_format: 0,
  security_option_recognition: 0,
  tunnel: 0,
  flood_replica: 0,
  'clone session': 0,
  'punt meter': 0,
  [SECURITY_OPTION_VALUE_SET]: 0,
  'multicast group': 1,
  vtep_membership_ipv4: 1,
  vtep_membership_ipv6: 1,
  policy_rules: 1,
  vport_classification: 2,
  overlay_mac: 2,
  bum_flood: 2,
  unknown_neighbor: 1,
  arp_answer: 2,
  nd_answer: 2,
};
export const rankOf = (table: string): number => RANK[table] ?? 2;

export interface Desired {
  readonly entity: p4.v1.IEntity;
  planned: PlannedEntity;
  /** The entity's key and value when already known (see encoding-memo.ts). */
  key?: string;
  value?: string;
  /** Both at once, when the entity computes them on demand (planned-key.ts DesiredEntity). */
  keyValue?(): { key: string; value: string };
}

/**
 * Planned entities with their keys and values for the device's P4Info; each is encoded into a
 * P4Runtime entity only when it is written (planned-key.ts).
 */
export function encodePlan(client: P4RuntimeClient, entities: readonly PlannedEntity[]): Desired[] {
  return entities.map((e) => new DesiredEntity(client, e));
}

export const plannedTable = (p: PlannedEntity) =>
  p.kind === 'table'
    ? p.table
    : p.kind === 'multicastGroup'
      ? 'multicast group'
      : p.kind === 'meter'
        ? 'punt meter'
        : p.kind === 'valueSet'
          ? p.valueSet
          : 'clone session';
export const plannedOwner = (p: PlannedEntity) =>
  p.kind === 'cloneSession'
    ? 'MTU punts to the controller'
    : p.kind === 'meter'
      ? `${p.meter.slice(p.meter.lastIndexOf('.') + 1)}[${p.index}]`
      : (p.owner ?? plannedTable(p));

export interface Diff {
  /** Inserts and modifies of what the intent wants; deletes of what genevectl wrote and the intent dropped. */
  changes: Change[];
  /** Entities on the device someone else wrote (deleted only with prune). */
  drift: Change[];
  unchanged: number;
}

/** The changes that make `observed` what `desired` says; drift becomes deletes only with `prune`. */
export function diffDevice(
  index: P4InfoIndex,
  desired: readonly Desired[],
  observed: KeyedLookup<ObservedEntity>,
): Diff {
  const changes: Change[] = [];
  let unchanged = 0;
  let present = 0; // desired entities the device has (same value or not)
  for (const d of desired) {
    // Key and value at once where the entity computes them (planned-key.ts: neither is kept).
    const kv = d.keyValue?.();
    const key = kv ? kv.key : (d.key ?? entityKey(d.entity));
    const have = observed.get(key);
    const value = kv ? kv.value : (d.value ?? entityValue(d.entity));
    if (have) present++;
    if (have && have.value === value) {
      unchanged++;
      continue;
    }
    const table = plannedTable(d.planned);
    // A default action, a meter cell and a value set always exist: they are modified, never inserted.
    const isDefault =
      (d.planned.kind === 'table' && d.planned.isDefaultAction) ||
      d.planned.kind === 'meter' ||
      d.planned.kind === 'valueSet';
    const change: Change = {
      kind: !have ? (isDefault ? 'modify' : 'insert') : 'modify',
      table,
      owner: plannedOwner(d.planned),
      entity: d.entity,
      rank: rankOf(table),
      key,
      value,
    };
    if (have) change.before = have.raw;
    changes.push(change);
  }
  // Only when the device holds entities the plan does not (drift, or ours to delete) are they
  // looked for: a no-op apply or a first one builds no set of the plan's keys.
  const drift: Change[] = [];
  if (present === observed.size) return { changes, drift, unchanged };
  const wanted = new Set<string>();
  for (const d of desired) wanted.add(d.key ?? entityKey(d.entity));
  const ourGroups = groupsOfOurFloodEntries(observed.values(), index.tables.find('bum_flood')?.id);
  for (const [key, o] of observed) {
    if (wanted.has(key)) continue;
    const raw = o.raw; // (decoded at each use of an entity kept as bytes: read-wire.ts)
    if (raw.tableEntry?.isDefaultAction || raw.meterEntry || raw.valueSetEntry) continue;
    const table = entityTable(index, raw);
    const ours = isOurs(raw, ourGroups);
    (ours ? changes : drift).push({
      kind: 'delete',
      table,
      owner: ours
        ? `no longer in the intent: ${describeObserved(index, raw)}`
        : `not in the intent: ${describeObserved(index, raw)}`,
      entity: writableEntity(raw),
      before: writableEntity(raw),
      rank: rankOf(table),
    });
  }
  return { changes, drift, unchanged };
}

/**
 * What the device holds once a change (an insert or a modify) is written, kept as Entity bytes
 * (read-wire.ts {@link WireObserved}): the bytes the update carried when it was written from the
 * plan's (wire-diff.ts), else its entity encoded. Its key and value are the change's.
 */
export function observedOfWritten(c: Change): WireObserved {
  const u = c.update;
  if (u) {
    const start = u.entityStart ?? 0;
    const end = u.entityEnd ?? u.encodedEntity.length;
    const id = entityTableId(u.encodedEntity, start, end);
    return new WireObserved(id === 0 ? undefined : id, u.encodedEntity, start, end);
  }
  const bytes = p4.v1.Entity.encode(c.entity).finish();
  return new WireObserved(c.entity.tableEntry?.tableId ?? undefined, bytes, 0, bytes.length);
}

// ------------------------------------------------------------------ writing

export interface ApplyOptions {
  /** Put back what was changed when a write fails. */
  atomic?: boolean;
  /** Called after each batch with the number of writes done and to do. */
  onProgress?: (done: number, total: number) => void;
  /** Writes per progress step. Default 10,000. */
  chunk?: number;
  write?: WriteOptions;
  /**
   * The device cannot MODIFY a regular table entry (a BlueField DPU): such a change is written as
   * DELETE then INSERT in one batch (see {@link replaceByDeleteInsert}); default entries are still
   * modified.
   */
  replaceRegularEntries?: boolean;
}

/** A write failed part-way; says what failed in the intent's terms and what the device now holds. */
export class ReconcileError extends P4RuntimeError {
  override name = 'ReconcileError';
  constructor(
    message: string,
    readonly failed: readonly { change: Change; error: string }[],
    readonly applied: number,
    readonly total: number,
    readonly rolledBack: boolean,
  ) {
    super(message);
  }
}

/** Orders changes into phases: inserts/modifies by rank up, then deletes by rank down. */
export function orderChanges(changes: readonly Change[], deletesFirst = false): Change[][] {
  // One pass: inserts and modifies of ranks 0, 1, 2 in lists 0 to 2, deletes of ranks 2, 1, 0 in 3 to 5.
  const lists: Change[][] = [[], [], [], [], [], []];
  // (Indexed: run once per apply, this loop is seldom optimized, and for-of then makes an
  // iterator result per change.)
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    const r = c.rank;
    if (r !== 0 && r !== 1 && r !== 2) continue; // (no other rank exists: rankOf)
    lists[c.kind === 'delete' ? 5 - r : r].push(c);
  }
  const phases = deletesFirst ? [...lists.slice(3), ...lists.slice(0, 3)] : lists;
  return phases.filter((p) => p.length > 0);
}

const TYPE = { insert: 1, modify: 2, delete: 3 } as const;

/**
 * Updates per Write request, unless the caller says otherwise: each request costs both sides
 * about as much as a few hundred updates (a call, its headers, its answer), so larger batches than
 * the client's 250 make an apply of 580,000 entries cheaper. Not much larger: bmv2 sends the error
 * of every failed update of a batch in one trailer, uncapped, and a batch of 600 updates that all
 * fail ALREADY_EXISTS already stalls the connection (500 come back; the client's write.ts).
 */
const WRITE_BATCH_SIZE = 400;

/** Writes `changes` in dependency order. Throws {@link ReconcileError} naming what failed. */
export async function applyChanges(
  client: P4RuntimeClient,
  device: string,
  changes: readonly Change[],
  options: ApplyOptions = {},
  deletesFirst = false,
): Promise<number> {
  const total = changes.length;
  const chunk = options.chunk ?? 10_000;
  const done: Change[] = [];
  for (const phase of orderChanges(changes, deletesFirst)) {
    for (let start = 0; start < phase.length; start += chunk) {
      const slice = phase.slice(start, start + chunk);
      const { updates, changeOf } = updatesOf(slice, options.replaceRegularEntries === true);
      try {
        await client.write(updates, { batchSize: WRITE_BATCH_SIZE, ...options.write });
        done.push(...slice);
      } catch (error) {
        const failures =
          error instanceof P4RuntimeWriteError
            ? uniqueFailures(
                error.failures.map((f) => ({
                  change: changeOf[f.index],
                  error: `${f.codeName}: ${f.message}`,
                })),
              )
            : slice.map((change) => ({ change, error: (error as Error).message }));
        const failedSet = new Set(failures.map((f) => f.change));
        const batchFailed = error instanceof P4RuntimeWriteError && error.batchErrors.length > 0;
        if (!batchFailed) done.push(...slice.filter((c) => !failedSet.has(c)));
        let rolledBack = false;
        if (options.atomic) {
          // A replaced entry whose DELETE went through and INSERT failed is gone: put it back too.
          const failedUpdates = new Set(
            error instanceof P4RuntimeWriteError ? error.failures.map((f) => f.index) : [],
          );
          const halfReplaced = batchFailed
            ? []
            : changeOf
                .map((c, i) => ({ c, i }))
                .filter(
                  ({ c, i }) =>
                    i > 0 && changeOf[i - 1] === c && failedUpdates.has(i) && !failedUpdates.has(i - 1),
                )
                .map(
                  ({ c }): Change => ({
                    ...ownFields(c),
                    kind: 'delete',
                    entity: writableEntity(c.before!),
                    before: c.before,
                  }),
                );
          await rollback(client, [...done, ...halfReplaced], options.replaceRegularEntries === true);
          rolledBack = true;
        }
        const shown = failures
          .slice(0, 5)
          .map((f) => `${f.change.kind} ${f.change.owner} (${f.change.table}): ${f.error}`);
        const more = failures.length > 5 ? [`... and ${failures.length - 5} more`] : [];
        const state = rolledBack
          ? 'the device was put back as it was before this apply (--atomic)'
          : `the device now holds ${done.length} of the ${total} changes; apply again to converge`;
        throw new ReconcileError(
          `device ${device}: ${failures.length} of ${total} change(s) failed:\n  ${[...shown, ...more].join('\n  ')}\n  ${state}`,
          failures,
          rolledBack ? 0 : done.length,
          total,
          rolledBack,
        );
      }
      options.onProgress?.(done.length, total);
    }
  }
  return done.length;
}

/**
 * The updates of `changes`, in order, and the change each update belongs to. With `replace`, a
 * modify of a regular table entry becomes two updates, DELETE of what the device had then INSERT.
 */
function updatesOf(
  changes: readonly Change[],
  replace: boolean,
): { updates: WriteUpdate[]; changeOf: Change[] } {
  const updates: WriteUpdate[] = [];
  const changeOf: Change[] = [];
  for (const c of changes) {
    const split = replace && c.kind === 'modify' && c.before !== undefined && isRegularTableEntry(c.entity);
    const update = split ? undefined : c.update;
    if (update) {
      updates.push(update);
      changeOf.push(c);
      continue;
    }
    for (const u of split
      ? replaceByDeleteInsert(c.before!, c.entity)
      : [{ type: TYPE[c.kind], entity: c.entity }]) {
      updates.push(u);
      changeOf.push(c);
    }
  }
  return { updates, changeOf };
}

/**
 * What a copy of a change keeps: its own fields, and its table, rank and owner, which a change
 * written from the plan's bytes (wire-diff.ts) computes when asked and a spread would leave out;
 * never its bytes (`update`), so the copy writes what it says.
 */
function ownFields(c: Change): Change {
  const { update: _, ...own } = { ...c, table: c.table, rank: c.rank, owner: c.owner };
  return own;
}

/** One failure per change (a replaced entry can fail in both its DELETE and its INSERT). */
function uniqueFailures<T extends { change: Change }>(failures: T[]): T[] {
  const seen = new Set<Change>();
  return failures.filter((f) => !seen.has(f.change) && seen.add(f.change) !== undefined);
}

/** Undoes applied changes, last first: inserts deleted, modifies and deletes put back. */
async function rollback(
  client: P4RuntimeClient,
  applied: readonly Change[],
  replace: boolean,
): Promise<void> {
  const undo: Change[] = applied.map((c) =>
    c.kind === 'insert'
      ? { ...ownFields(c), kind: 'delete', entity: writableEntity(c.entity) }
      : c.kind === 'modify'
        ? { ...ownFields(c), entity: c.before ?? c.entity, before: c.entity }
        : { ...ownFields(c), kind: 'insert', entity: c.before ?? c.entity },
  );
  // Exactly the reverse of the order they were applied in, a run of one kind and rank per write.
  undo.reverse();
  for (let i = 0; i < undo.length; ) {
    let j = i + 1;
    while (j < undo.length && undo[j].kind === undo[i].kind && undo[j].rank === undo[i].rank) j++;
    await client.write(updatesOf(undo.slice(i, j), replace).updates);
    i = j;
  }
}

// ------------------------------------------------------------------ capacity

/**
 * Tables whose planned entries exceed what the device holds (checked before any write): the size
 * in the P4Info, or less on a device whose profile says so (a BlueField table of size N holds N-1).
 */
export function capacityProblems(
  index: P4InfoIndex,
  entities: readonly PlannedEntity[],
  profile: DeviceProfile = PROFILES.bmv2,
): string[] {
  const count = new Map<string, number>();
  // Counted by runs: a plan lists a table's entries together, mostly.
  let table: string | undefined;
  let run = 0;
  // (Indexed: a loop that runs once per apply is seldom optimized, and for-of then makes an
  // iterator result per entity.)
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    if (e.kind !== 'table' || e.isDefaultAction) continue;
    if (e.table === table) run++;
    else {
      if (table !== undefined) count.set(table, (count.get(table) ?? 0) + run);
      table = e.table;
      run = 1;
    }
  }
  if (table !== undefined) count.set(table, (count.get(table) ?? 0) + run);
  const problems: string[] = [];
  for (const [table, n] of count) {
    const info = index.tables.get(table);
    if (info.size > 0 && n > profile.capacity(info.size))
      problems.push(`table ${table}: ${n} entries planned, ${profile.capacityNote(info.size)}`);
  }
  return problems;
}
