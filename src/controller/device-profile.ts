/**
 * What kind of P4Runtime server a device is, and what the controller does differently for it.
 * `bmv2` is the default (PI's server: arbitration, every Write atomicity, MODIFY anywhere, packet
 * replication). `bluefield` is NVIDIA's DPL Runtime Service on a BlueField DPU (docs/BLUEFIELD.md,
 * from the DPL Release Notes): one controller and no MasterArbitrationUpdate, CONTINUE_ON_ERROR
 * batches only, MODIFY only on default entries, no packet replication, no Capabilities RPC, and a
 * table of size N holding N-1 regular entries.
 *
 * The kind is told by the fabric file (`devices[].kind`) or, when the file does not say, read from
 * the program the device runs: the DPL VTEP has `overlay_forwarding.bum_policy` and no
 * `replication.flood_replica` (Capabilities cannot tell: the DPU does not implement it).
 */
import type { ConnectOptions, P4InfoIndex, P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import { findValueSet, writableEntity } from './device-state.js';
import type { FabricIntent } from './intent.js';
import type { PlannedEntity, PlannedTableEntry } from './plan.js';

export type DeviceKind = 'bmv2' | 'bluefield';
export const DEVICE_KINDS: readonly DeviceKind[] = ['bmv2', 'bluefield'];

/** What to do with broadcast, unknown-unicast and multicast frames of a tenant on a device without replication. */
export type BumPolicy = 'drop' | 'controller';

export interface DeviceProfile {
  kind: DeviceKind;
  /** MasterArbitrationUpdate on a StreamChannel (else: connect without it, `arbitrate: false`). */
  arbitrates: boolean;
  /** Multicast groups and clone sessions (PacketReplicationEngineEntry) can be written and read. */
  replication: boolean;
  /** MODIFY of a regular table entry (else: DELETE then INSERT). */
  modifiesRegularEntries: boolean;
  /** Regular entries a table of `size` (P4Info) holds. */
  capacity(size: number): number;
  /** How the capacity is explained in a refusal. */
  capacityNote(size: number): string;
}

export const PROFILES: Readonly<Record<DeviceKind, DeviceProfile>> = {
  bmv2: {
    kind: 'bmv2',
    arbitrates: true,
    replication: true,
    modifiesRegularEntries: true,
    capacity: (size) => size,
    capacityNote: (size) => `the program holds ${size}`,
  },
  bluefield: {
    kind: 'bluefield',
    arbitrates: false,
    replication: false,
    modifiesRegularEntries: false,
    // DPL Release Notes: "a table of size N can hold N-1 entries" (one slot is the default entry).
    capacity: (size) => Math.max(0, size - 1),
    capacityNote: (size) => `a BlueField table of size ${size} holds ${Math.max(0, size - 1)}`,
  },
};

const DPL_BUM_POLICY = 'overlay_forwarding.bum_policy';
const V1MODEL_FLOOD_REPLICA = 'replication.flood_replica';
const tableNamed = (p4info: p4.config.v1.IP4Info, suffix: string) =>
  (p4info.tables ?? []).some((t) => t.preamble?.name?.endsWith(suffix) === true);

/** The device kind a program's P4Info stands for: the DPL VTEP means a BlueField DPU; else unknown. */
export function kindOfProgram(p4info: p4.config.v1.IP4Info | undefined): DeviceKind | undefined {
  if (!p4info) return undefined;
  if (tableNamed(p4info, DPL_BUM_POLICY) && !tableNamed(p4info, V1MODEL_FLOOD_REPLICA)) return 'bluefield';
  return undefined;
}

/**
 * Connection options for a device of `kind`: on a DPU no arbitration (and so no election id on
 * Write or SetForwardingPipelineConfig, and no wait to become primary).
 */
export function connectOptionsForKind(kind: DeviceKind, connect: ConnectOptions): ConnectOptions {
  if (PROFILES[kind].arbitrates) return connect;
  const { electionId: _electionId, waitForPrimary: _wait, role: _role, ...rest } = connect;
  return { ...rest, arbitrate: false };
}

/**
 * The kind of a device the fabric file does not name: asks the device, without arbitrating, what
 * program it runs (GetForwardingPipelineConfig is served to any client). `undefined` when it cannot
 * tell (unreachable, no program, not the DPL VTEP); the caller then uses the default.
 */
export async function probeDeviceKind(
  connect: (options: ConnectOptions) => Promise<P4RuntimeClient>,
  options: ConnectOptions,
): Promise<DeviceKind | undefined> {
  let client: P4RuntimeClient | undefined;
  try {
    client = await connect({ ...options, arbitrate: false, reconnect: false });
    return kindOfProgram((await client.getPipeline('P4INFO_AND_COOKIE')).p4info);
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}

// ------------------------------------------------------------------ planning

/**
 * The intent a device without replication is planned from: no tenant floods (no `flood_replica`,
 * `bum_flood` or multicast groups are planned).
 */
export function intentForProfile(profile: DeviceProfile, intent: FabricIntent): FabricIntent {
  if (profile.replication || intent.tenants.every((t) => t.flood === false)) return intent;
  return { ...intent, tenants: intent.tenants.map((t) => ({ ...t, flood: false })) };
}

/**
 * The planned entities a device of `profile` takes: without replication, no clone session (the MTU
 * punt of the v1model program needs one; the DPL program sends the frame itself to the controller),
 * and BUM per tenant as the program allows: one `bum_policy` entry per tenant on the DPL VTEP; on
 * the v1model program (the DPU emulation), a `bum_flood` entry `bum_to_controller` per tenant whose
 * BUM goes to the controller (its default, `destination_unknown`, drops the others' BUM).
 */
export function entitiesForProfile(
  profile: DeviceProfile,
  index: P4InfoIndex,
  intent: FabricIntent,
  entities: PlannedEntity[],
): PlannedEntity[] {
  if (profile.replication) return entities;
  const out = entities.filter((e) => e.kind === 'table');
  if (index.tables.find('bum_policy')) out.push(...bumPolicyEntries(intent));
  else if (index.tables.find('bum_flood')?.actions.find('bum_to_controller'))
    out.push(...bumToControllerEntries(intent));
  return out;
}

/** One `bum_flood` entry `bum_to_controller` per tenant whose BUM goes to the controller. */
export function bumToControllerEntries(intent: FabricIntent): PlannedTableEntry[] {
  return intent.tenants
    .filter((t) => t.bumPolicy === 'controller')
    .map((t) => ({
      kind: 'table',
      table: 'bum_flood',
      match: { vni: t.vni },
      action: 'bum_to_controller',
      params: {},
      owner: `tenant ${t.name ?? `VNI ${t.vni}`}, BUM to the controller`,
    }));
}

/**
 * Who answers ARP requests and Neighbor Solicitations for the fabric's workloads on a device, read
 * from its program (DATAPLANE.md rules 15 and 15a): the data plane, when the program has the
 * neighbor lookup (`arp_answer`; it then punts only what it cannot answer itself, the DPL
 * program's solicitations); else the controller, which gets every request the data plane would
 * flood (packet-in reason NEIGHBOR; the Tofino builds, docs/TOFINO.md) and delivers what it does
 * not answer as the data plane would have without suppression.
 */
export type NeighborAnswerer = 'data-plane' | 'controller';

export function neighborAnswerer(index: P4InfoIndex): NeighborAnswerer {
  return index.tables.find('arp_answer') ? 'data-plane' : 'controller';
}

/**
 * Tables of features a program may leave out (issue 14: neighbor suppression, the run-time choice
 * of the received security option; the DPL program has the first, not the second). Entries of any
 * other table the program lacks are kept, so that the program check still tells a foreign program.
 */
const OPTIONAL_TABLES: ReadonlySet<string> = new Set([
  'arp_answer',
  'nd_answer',
  'unknown_neighbor',
  'security_option_recognition',
]);

/**
 * The planned entities fitted to the program the device runs: entries of optional tables it does
 * not have are left out (a program without neighbor suppression, say), and a route planned with
 * several next hops becomes a direct call of its first one where the route table has no action
 * selector (the DPL program's routes). The list itself when every entity stays as planned.
 */
export function entitiesForProgram(index: P4InfoIndex, entities: PlannedEntity[]): PlannedEntity[] {
  // A copy is made at the first entity dropped or changed (bmv2's program: the value set or the
  // table of the security option): a program that takes every entity as planned gets the plan's
  // own list back, and a plan's runs of one table's entries look their table up once (a first
  // apply has 145,000 entries per device).
  let out: PlannedEntity[] | undefined;
  let name: string | undefined;
  let table: ReturnType<P4InfoIndex['tables']['find']>;
  /** Where the next entity kept goes in `out`. */
  let at = 0;
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    let kept: PlannedEntity | undefined = e;
    if (e.kind === 'valueSet') {
      if (!findValueSet(index, e.valueSet)) kept = undefined;
    } else if (e.kind === 'table') {
      if (e.table !== name) {
        name = e.table;
        table = index.tables.find(e.table);
      }
      if (!table) {
        if (OPTIONAL_TABLES.has(e.table)) kept = undefined;
      } else if (e.actionSet !== undefined && !table.implementation?.withSelector) {
        const { actionSet: _, ...direct } = e;
        kept = direct;
      }
    }
    if (kept === e && out === undefined) {
      at++;
      continue;
    }
    // One copy of the whole list, written over in place and cut to length: no growth as it fills.
    out ??= entities.slice();
    if (kept) out[at++] = kept;
  }
  if (out === undefined) return entities;
  out.length = at;
  return out;
}

/** One `bum_policy` entry per tenant: BUM frames to the controller or dropped (the table's default). */
export function bumPolicyEntries(intent: FabricIntent): PlannedTableEntry[] {
  return intent.tenants.map((t) => ({
    kind: 'table',
    table: 'bum_policy',
    match: { vni: t.vni },
    action: t.bumPolicy === 'controller' ? 'bum_to_controller' : 'bum_drop',
    params: {},
    owner: `tenant ${t.name ?? `VNI ${t.vni}`}, BUM ${t.bumPolicy === 'controller' ? 'to the controller' : 'dropped'}`,
  }));
}

// ------------------------------------------------------------------ writing

const TYPE = { INSERT: 1, DELETE: 3 } as const;

/**
 * The updates that replace a regular table entry on a device that cannot MODIFY one: DELETE of
 * what it holds, then INSERT of what is wanted, in that order in one batch. If the INSERT fails the
 * entry is gone; the next apply reads the device and inserts it again.
 */
export function replaceByDeleteInsert(before: p4.v1.IEntity, after: p4.v1.IEntity): p4.v1.IUpdate[] {
  return [
    { type: TYPE.DELETE, entity: writableEntity(before) },
    { type: TYPE.INSERT, entity: after },
  ];
}

/** True for a table entry that is not a default entry (the only thing a DPU cannot MODIFY here). */
export const isRegularTableEntry = (e: p4.v1.IEntity): boolean =>
  e.tableEntry !== undefined && e.tableEntry !== null && e.tableEntry.isDefaultAction !== true;
