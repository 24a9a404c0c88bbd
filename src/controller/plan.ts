/**
 * Turns a {@link FabricIntent} into the VTEP program's table entries, multicast groups and clone
 * session (docs/DATAPLANE.md names every table). Pure: no I/O, so a plan can be shown, diffed
 * and tested before anything is written. Inconsistent intent is refused with every problem named.
 */
import type { MatchValue, P4Value } from 'p4runtime-ts-grpc';
import { formatIpv4, formatIpv6, formatMac, parseIp, parseMac } from '../packet/index.js';
import { macsChecked } from './checked-intent.js';
import type { PlannedMeterConfig } from './punt-meters.js';

const formatIp = (b: Uint8Array) => (b.length === 4 ? formatIpv4(b) : formatIpv6(b));

import {
  DATA_PLANE_SECURITY_OPTION,
  type FabricIntent,
  type NextHopIntent,
  type PolicyIntent,
  type RemoteEndpointIntent,
  type RouteIntent,
  type UplinkIntent,
  type VportIntent,
} from './intent.js';

/** The parser value set of the recognized security option, in a program that has it (Tofino). */
export const SECURITY_OPTION_VALUE_SET = 'security_option_headers';

export interface PlannedTableEntry {
  kind: 'table';
  table: string;
  match: Record<string, MatchValue>;
  action: string;
  params: Record<string, P4Value>;
  priority?: number;
  /** Sets the table's default action (a MODIFY, not an INSERT). */
  isDefaultAction?: boolean;
  /**
   * A table with an action selector (the underlay routes): the entry's one-shot action set, one
   * weighted call of `action` per next hop (P4Runtime ActionProfileActionSet; the server makes the
   * selector's members and group). `params` are the first call's.
   */
  actionSet?: Array<{ params: Record<string, P4Value>; weight: number }>;
  /** What in the intent this entry is for, in the intent's terms (for messages). */
  owner?: string;
}

export interface Replica {
  port: number;
  instance: number;
}

export interface PlannedMulticastGroup {
  kind: 'multicastGroup';
  id: number;
  replicas: Replica[];
  owner?: string;
}

export interface PlannedCloneSession {
  kind: 'cloneSession';
  id: number;
  replicas: Replica[];
}

/**
 * The members of a parser value set (P4Runtime ValueSetEntry, written by MODIFY: the set always
 * exists), each one value of its single field: the security-ID option headers a Tofino build
 * recognizes in its parser (docs/TOFINO.md). `valueSet` is the last part of its P4Info name.
 */
export interface PlannedValueSet {
  kind: 'valueSet';
  valueSet: string;
  members: number[];
  owner?: string;
}

/** A punt meter cell's configuration (docs/DATAPLANE.md rule 13), planned from the P4Info (punt-meters.ts). */
export type { PlannedMeterConfig } from './punt-meters.js';

export type PlannedEntity =
  | PlannedTableEntry
  | PlannedMulticastGroup
  | PlannedCloneSession
  | PlannedMeterConfig
  | PlannedValueSet;

/** Identifiers the planner chose, for reading counters back by tenant. */
export interface TenantAllocation {
  vni: number;
  name: string;
  slot: number;
  floodGroup?: number;
}

export interface Plan {
  entities: PlannedEntity[];
  tenants: TenantAllocation[];
  /** The identifiers chosen, to keep them on the next plan. */
  allocations: Allocations;
}

/**
 * Identifiers the program needs that the intent does not name (tenant slots, vport ids, tunnel
 * ids, flood replica ids, multicast groups), by what they stand for. Passing a device's current
 * allocations to {@link planFabric} keeps them: an unchanged intent plans the entries the device
 * already has, and a new workload takes a free id instead of renumbering the others.
 */
export interface Allocations {
  /** VNI -> tenant slot (1..4095). */
  tenantSlot: Map<number, number>;
  /** VNI -> flood multicast group. */
  floodGroup: Map<number, number>;
  /**
   * Attachment `port/vlan` -> vport. A vport is the wire (access port, VLAN) workloads sit behind,
   * not one workload: every workload behind it shares the id, so a flood copy goes once per wire
   * and the pruning of the copy to the sender's vport (and the hairpin drop) are per wire, as an
   * 802.1D bridge never sends a frame back out of the port it came in on.
   */
  vport: Map<string, number>;
  /** Remote VTEP address (canonical text) -> tunnel id. */
  tunnel: Map<string, number>;
  /** `v:vni/port/vlan` (one copy per tenant and wire) or `t:vni/remote VTEP` -> flood replica id. */
  replica: Map<string, number>;
}

export function emptyAllocations(): Allocations {
  return {
    tenantSlot: new Map(),
    floodGroup: new Map(),
    vport: new Map(),
    tunnel: new Map(),
    replica: new Map(),
  };
}

/** Keeps previous ids for keys still wanted; new keys take the lowest id no previous key holds. */
class IdAllocator<K> {
  /**
   * The ids previous keys hold, gathered when a first new key wants one: a plan of a few tenants
   * against a device's allocations (incremental-plan.ts) mostly keeps ids, and then does not
   * walk every id of the device.
   */
  private taken?: Set<number>;
  private next = 1;
  readonly chosen = new Map<K, number>();
  constructor(
    private readonly previous: ReadonlyMap<K, number>,
    private readonly max: number,
    private readonly what: string,
    private readonly problems: string[],
  ) {}
  get(key: K): number {
    let id = this.chosen.get(key);
    if (id !== undefined) return id;
    id = this.previous.get(key);
    if (id === undefined || id > this.max) {
      // (Until now every id chosen was a previous one: the set holds them all.)
      this.taken ??= new Set(this.previous.values());
      const taken = this.taken;
      while (taken.has(this.next)) this.next++;
      id = this.next++;
      if (id > this.max) {
        if (id === this.max + 1)
          this.problems.push(`more than ${this.max} ${this.what}: the program has no room`);
        id = this.max;
      }
      taken.add(id);
    }
    this.chosen.set(key, id);
    return id;
  }
}

/** Canonical text of an IP address (so `fd00::0:2` and `fd00::2` are one VTEP). */
const ipCache = new Map<string, { v6: boolean; key: string }>();
function ipInfo(address: string): { v6: boolean; key: string } {
  let info = ipCache.get(address);
  if (!info) {
    const ip = parseIp(address);
    info = { v6: ip.version === 6, key: formatIp(ip.bytes) };
    if (ipCache.size > 100_000) ipCache.clear();
    ipCache.set(address, info);
  }
  return info;
}
export const ipKey = (address: string): string => ipInfo(address).key;

/** Every problem found in an intent, one per line. */
export class IntentError extends Error {
  override name = 'IntentError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid fabric intent:\n  ${problems.join('\n  ')}`);
  }
}

/** The clone session the program uses for MTU punts (p4/v1model/main.p4). */
export const PUNT_CLONE_SESSION = 1;
const MAX_TENANT_SLOTS = 4096;
const ANY_PORT: [number, number] = [0, 0xffff];

interface Prefix {
  v6: boolean;
  value: bigint;
  length: number;
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function parsePrefix(text: string): Prefix {
  const [address, len] = text.split('/');
  const ip = parseIp(address);
  const bits = ip.version === 6 ? 128 : 32;
  const length = len === undefined ? bits : Number(len);
  if (!Number.isInteger(length) || length < 0 || length > bits)
    throw new Error(`prefix length of '${text}' must be 0..${bits}`);
  return { v6: ip.version === 6, value: toBigInt(ip.bytes), length };
}

function inPrefix(p: Prefix, address: string): boolean {
  const ip = parseIp(address);
  if ((ip.version === 6) !== p.v6) return false;
  const bits = p.v6 ? 128 : 32;
  const shift = BigInt(bits - p.length);
  return toBigInt(ip.bytes) >> shift === p.value >> shift;
}

const isV6 = (address: string) => ipInfo(address).v6;

/** A route's next hops whose uplink exists and is not marked down, in the route's order. */
export function liveNextHops(
  route: RouteIntent,
  uplinks: ReadonlyMap<number, UplinkIntent> | readonly UplinkIntent[],
): Array<NextHopIntent & { uplinkIntent: UplinkIntent }> {
  const find = (port: number) =>
    Array.isArray(uplinks)
      ? (uplinks as readonly UplinkIntent[]).find((u) => u.port === port)
      : (uplinks as ReadonlyMap<number, UplinkIntent>).get(port);
  const out: Array<NextHopIntent & { uplinkIntent: UplinkIntent }> = [];
  for (const hop of route.nextHops ?? [{ uplink: route.uplink, nextHopMac: route.nextHopMac }]) {
    const uplinkIntent = find(hop.uplink);
    if (uplinkIntent && uplinkIntent.down !== true) out.push({ ...hop, uplinkIntent });
  }
  return out;
}

/**
 * The underlay route a remote VTEP address takes (longest prefix among routes with a next hop
 * that is up), with its first live next hop and uplink; undefined if none. Flood copies and the
 * controller's own packets take that next hop (a multicast replica has a fixed port).
 */
export function resolveUnderlayRoute(
  intent: Pick<FabricIntent, 'routes' | 'uplinks'>,
  vtep: string,
): { route: RouteIntent; uplink: UplinkIntent } | undefined {
  let best: { route: RouteIntent; uplink: UplinkIntent; length: number } | undefined;
  for (const route of intent.routes) {
    let prefix: Prefix;
    try {
      prefix = parsePrefix(route.prefix);
    } catch {
      continue; // planFabric reports malformed prefixes
    }
    const hop = liveNextHops(route, intent.uplinks)[0];
    if (hop && inPrefix(prefix, vtep) && (!best || prefix.length > best.length)) {
      best = {
        route: { prefix: route.prefix, uplink: hop.uplink, nextHopMac: hop.nextHopMac },
        uplink: hop.uplinkIntent,
        length: prefix.length,
      };
    }
  }
  return best && { route: best.route, uplink: best.uplink };
}
/** True for `xx:xx:xx:xx:xx:xx` in lower-case hex (a character loop: called for every workload). */
function isCanonicalMac(mac: string): boolean {
  if (mac.length !== 17) return false;
  for (let i = 0; i < 17; i++) {
    const c = mac.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return false; // ':'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false; // 0-9, a-f
  }
  return true;
}
/** Canonical text of a MAC address (lower case, colons); already canonical text is returned as is. */
export const macKey = (mac: string): string => (isCanonicalMac(mac) ? mac : formatMac(parseMac(mac)));
/** The key of a workload's attachment (its wire): access port and VLAN (0 = untagged). */
export const attachmentKey = (port: number, vlan: number | undefined): string => `${port}/${vlan ?? 0}`;
/** A vport's name in plans and messages: its workload's name, else port/MAC/VLAN. */
const vportName = (v: VportIntent): string => v.name ?? `${v.port}/${macKey(v.mac)}/${v.vlan ?? 0}`;

/**
 * The ternary and range values of policies, one object per value: a fabric's policies repeat few
 * identities, protocols and ports, and a plan's entities live until its apply ends (entities are
 * never changed once planned, so they can share them).
 */
const sharedValues = new Map<string, Map<number, MatchValue>>();
/**
 * The shared value of `kind` for `key`: `{ value: a, mask: b }` (a security ID or a protocol) or
 * `{ low: a, high: b }` (a port range). Made from numbers, not by a function made per call: a plan
 * of the benchmark's fabric asks for 120,000 of them.
 */
function shared(kind: 'id' | 'protocol' | 'range', key: number, a: number, b: number): MatchValue {
  let values = sharedValues.get(kind);
  if (!values) {
    values = new Map();
    sharedValues.set(kind, values);
  }
  let v = values.get(key);
  if (v === undefined) {
    v = kind === 'range' ? { low: a, high: b } : { value: a, mask: b };
    if (values.size >= 100_000) values.clear();
    values.set(key, v);
  }
  return v;
}
/** A 16-bit range's key (else -1: not shared). */
const rangeKey = (low: number, high: number) =>
  Number.isInteger(low) && Number.isInteger(high) && low >= 0 && high >= 0 && low <= 0xffff && high <= 0xffff
    ? low * 0x10000 + high
    : -1;
const NO_PARAMS: Record<string, P4Value> = {};

/** A tenant's policy rule; its owner text is made only when asked (a message, a listing). */
class PolicyEntry implements PlannedTableEntry {
  readonly kind = 'table' as const;
  readonly table = 'policy_rules';
  readonly params = NO_PARAMS;
  constructor(
    readonly match: Record<string, MatchValue>,
    readonly action: string,
    readonly priority: number,
    private readonly tenantOwner: string,
    private readonly name: string | undefined,
  ) {}
  get owner(): string {
    return `${this.tenantOwner}, ${this.name ?? 'policy'}`;
  }
}

function policyEntry(vni: number, p: PolicyIntent, tenantOwner: string): PlannedTableEntry {
  const protocol = p.protocol === 'tcp' ? 6 : p.protocol === 'udp' ? 17 : p.protocol;
  const ports = p.ports === undefined ? ANY_PORT : typeof p.ports === 'number' ? [p.ports, p.ports] : p.ports;
  const [low, high] = ports;
  const range = rangeKey(low, high);
  return new PolicyEntry(
    {
      vni,
      src_security_id: p.src === undefined ? null : shared('id', p.src, p.src, 0xffffffff),
      dst_security_id: p.dst === undefined ? null : shared('id', p.dst, p.dst, 0xffffffff),
      ip_protocol: protocol === undefined ? null : shared('protocol', protocol, protocol, 0xff),
      // The whole range is a don't-care, which P4Runtime writes by leaving the field out.
      l4_dst_port:
        low === 0 && high === 0xffff ? null : range < 0 ? { low, high } : shared('range', range, low, high),
    },
    p.action,
    p.priority,
    tenantOwner,
    p.name,
  );
}

/** The three kinds of a workload's entries: their table and action. */
const WORKLOAD_SHAPES = {
  classification: { table: 'vport_classification', action: 'set_vport' },
  local: { table: 'overlay_mac', action: 'to_local_vport' },
  remote: { table: 'overlay_mac', action: 'to_remote_vtep' },
} as const;
type WorkloadShape = (typeof WORKLOAD_SHAPES)[keyof typeof WORKLOAD_SHAPES];
/** The slot of each match field and parameter of each shape (WorkloadEntry `valueAt`). */
const CLASSIFICATION_SLOTS: Readonly<Record<string, number>> = {
  port: 0,
  src_mac: 1,
  vlan_id: 2,
  vport: 3,
  vni: 4,
  security_id: 5,
  tenant_slot: 6,
};
const LOCAL_SLOTS: Readonly<Record<string, number>> = {
  vni: 0,
  dst_mac: 1,
  port: 2,
  vport: 3,
  vlan_id: 4,
  security_id: 5,
};
const REMOTE_SLOTS: Readonly<Record<string, number>> = { vni: 0, dst_mac: 1 };

/**
 * An entry of one workload (its vport's classification and forwarding on its own device, or its
 * forwarding to the VTEP it is behind on the others): most of a fabric's entries. It keeps the
 * workload's intent (the vport or remote endpoint, never changed once derived or loaded) and the
 * identifiers the plan gave it, and reads its values there: a plan of the benchmark's fabric
 * holds 500,000 of them, which live until its apply ends (or in a service as long as the plan is
 * kept), so each is small (six fields, the collector copies each survivor of a scavenge), and the
 * match and parameter objects are made at each ask (planned-wire.ts and planned-key.ts ask once
 * per entry). The owner text is made only when asked (a message, a listing). Entries of one table
 * and action have the same match fields and parameters (made in one place each below):
 * planned-wire.ts checks them against the P4Info once, not per entry.
 */
export class WorkloadEntry implements PlannedTableEntry {
  /** (On the prototype: one field less per entry.) */
  declare readonly kind: 'table';
  private constructor(
    private readonly shape: WorkloadShape,
    /** The tenant's name. */
    readonly tenant: string,
    private readonly source: VportIntent | RemoteEndpointIntent,
    private readonly vni: number,
    /** The vport id (classification, local), or the tunnel's parameters (remote). */
    private readonly a: number | Record<string, P4Value>,
    /** The tenant slot (classification). */
    private readonly b: number,
  ) {}

  /**
   * A local workload's two entries: its vport's classification (frames from port, MAC and VLAN
   * are the workload's) and the forwarding to its vport.
   */
  static local(
    v: VportIntent,
    vport: number,
    vni: number,
    slot: number,
    tenant: string,
  ): [classification: WorkloadEntry, forwarding: WorkloadEntry] {
    return [
      new WorkloadEntry(WORKLOAD_SHAPES.classification, tenant, v, vni, vport, slot),
      new WorkloadEntry(WORKLOAD_SHAPES.local, tenant, v, vni, vport, 0),
    ];
  }

  /** Forwarding to remote endpoint `e`, through the tunnel of `params`. */
  static remote(
    e: RemoteEndpointIntent,
    vni: number,
    params: Record<string, P4Value>,
    tenant: string,
  ): WorkloadEntry {
    return new WorkloadEntry(WORKLOAD_SHAPES.remote, tenant, e, vni, params, 0);
  }

  /** The workload's name; without one, a remote endpoint is named by its MAC (a vport as the planner names it). */
  get workload(): string | undefined {
    const s = this.source;
    if (this.shape === WORKLOAD_SHAPES.remote) return s.name || undefined;
    return vportName(s as VportIntent);
  }
  get table(): string {
    return this.shape.table;
  }
  get action(): string {
    return this.shape.action;
  }
  get match(): Record<string, MatchValue> {
    if (this.shape === WORKLOAD_SHAPES.classification)
      return { port: this.valueAt(0), src_mac: this.valueAt(1), vlan_id: this.valueAt(2) };
    return { vni: this.vni, dst_mac: this.source.mac };
  }
  get params(): Record<string, P4Value> {
    if (this.shape === WORKLOAD_SHAPES.classification)
      return {
        vport: this.a as number,
        vni: this.vni,
        security_id: this.valueAt(5) as number,
        tenant_slot: this.b,
      };
    if (this.shape === WORKLOAD_SHAPES.local)
      return {
        port: this.valueAt(2) as number,
        vport: this.a as number,
        vlan_id: this.valueAt(4) as number,
        security_id: this.valueAt(5) as number,
      };
    return this.a as Record<string, P4Value>;
  }
  /**
   * Where the value of match field or parameter `name` is kept ({@link valueAt}), -1 when it is
   * not kept alone (a remote endpoint's tunnel parameters: `params` is their shared object).
   */
  slotOf(name: string): number {
    const slots =
      this.shape === WORKLOAD_SHAPES.classification
        ? CLASSIFICATION_SLOTS
        : this.shape === WORKLOAD_SHAPES.local
          ? LOCAL_SLOTS
          : REMOTE_SLOTS;
    return slots[name] ?? -1;
  }
  /**
   * The value at `slot` ({@link slotOf}): what planned-wire.ts writes, no object made. Slots, by
   * shape: port, MAC, VLAN, vport, VNI, security ID, tenant slot (classification); VNI, MAC, port,
   * vport, VLAN, security ID (local); VNI, MAC (remote).
   */
  valueAt(slot: number): MatchValue {
    const shape = this.shape;
    if (shape === WORKLOAD_SHAPES.classification) {
      const v = this.source as VportIntent;
      switch (slot) {
        case 0:
          return v.port;
        case 1:
          return v.mac;
        case 2:
          return v.vlan ?? 0;
        case 3:
          return this.a as number;
        case 4:
          return this.vni;
        case 5:
          return v.securityId;
        default:
          return this.b;
      }
    }
    switch (slot) {
      case 0:
        return this.vni;
      case 1:
        return this.source.mac;
      case 2:
        return (this.source as VportIntent).port;
      case 3:
        return this.a as number;
      case 4:
        return (this.source as VportIntent).vlan ?? 0;
      default:
        return (this.source as VportIntent).securityId;
    }
  }
  /** True when `o` is a workload entry with the same table, action, match and parameters. */
  sameEntry(o: WorkloadEntry): boolean {
    if (o.shape !== this.shape || o.vni !== this.vni || o.source.mac !== this.source.mac) return false;
    if (this.shape === WORKLOAD_SHAPES.remote) {
      const a = this.a as Record<string, P4Value>;
      const b = o.a as Record<string, P4Value>;
      if (a === b) return true;
      let n = 0;
      for (const k in a) {
        if (a[k] !== b[k]) return false;
        n++;
      }
      for (const _ in b) n--;
      return n === 0;
    }
    const v = this.source as VportIntent;
    const w = o.source as VportIntent;
    return (
      o.a === this.a &&
      o.b === this.b &&
      w.port === v.port &&
      (w.vlan ?? 0) === (v.vlan ?? 0) &&
      w.securityId === v.securityId
    );
  }
  get owner(): string {
    const workload = this.workload;
    const what =
      workload !== undefined ? `workload ${workload}` : `remote endpoint ${macKey(this.source.mac)}`;
    const vtep =
      this.shape === WORKLOAD_SHAPES.remote ? (this.source as RemoteEndpointIntent).vtep : undefined;
    return `tenant ${this.tenant}, ${what}${vtep === undefined ? '' : ` behind ${vtep}`}`;
  }
}
Object.defineProperty(WorkloadEntry.prototype, 'kind', { value: 'table' });

/** Who has a MAC: a vport (by name) or a remote endpoint's entry. */
const claimant = (o: string | WorkloadEntry) => (typeof o === 'string' ? `vport ${o}` : o.owner);

export interface PlanOptions {
  /** The device's current allocations, kept where still wanted (see {@link Allocations}). */
  previous?: Allocations;
}

const ID_MAX = 0xffff;

/** Plans the whole fabric. Throws {@link IntentError} listing every inconsistency. */
export function planFabric(intent: FabricIntent, options: PlanOptions = {}): Plan {
  const problems: string[] = [];
  const entities: PlannedEntity[] = [];
  // Every literal names its kind first, so the hundreds of thousands of entries share one shape.
  const table = (e: PlannedTableEntry) => {
    entities.push(e);
  };
  const previous = options.previous ?? emptyAllocations();
  const slots = new IdAllocator(previous.tenantSlot, MAX_TENANT_SLOTS - 1, 'tenants', problems);
  const groups = new IdAllocator(previous.floodGroup, ID_MAX, 'flooding tenants', problems);
  const vports = new IdAllocator(previous.vport, ID_MAX, 'vports', problems);
  const tunnels = new IdAllocator(previous.tunnel, ID_MAX, 'remote VTEPs', problems);
  const replicas = new IdAllocator(previous.replica, ID_MAX, 'flood copies', problems);

  const uplinks = new Map(intent.uplinks.map((u) => [u.port, u]));
  const access = new Set(intent.accessPorts);
  for (const port of intent.accessPorts) {
    if (uplinks.has(port)) problems.push(`port ${port} is declared both access port and uplink`);
    table({
      kind: 'table',
      table: 'port_role',
      match: { port },
      action: 'set_access_port',
      params: {},
      owner: `access port ${port}`,
    });
  }
  for (const u of intent.uplinks) {
    const owner = `uplink ${u.port}`;
    // Rule 6: an uplink accepts unicast for its own MAC only.
    table({
      kind: 'table',
      table: 'port_role',
      match: { port: u.port },
      action: 'set_uplink_port',
      params: { uplink_mac: u.mac },
      owner,
    });
    if (u.mtu !== undefined)
      table({
        kind: 'table',
        table: 'uplink_mtu',
        match: { port: u.port },
        action: 'set_uplink_mtu',
        params: { mtu: u.mtu },
        owner,
      });
  }

  const local4 = intent.localVteps.filter((a) => !isV6(a));
  const local6 = intent.localVteps.filter(isV6);
  if (local4.length > 1 || local6.length > 1)
    problems.push('at most one IPv4 and one IPv6 local VTEP address');
  for (const a of intent.localVteps) {
    table({
      kind: 'table',
      table: isV6(a) ? 'local_vtep_ipv6' : 'local_vtep_ipv4',
      match: { vtep_address: a },
      action: 'local_vtep',
      params: {},
      owner: `local VTEP ${a}`,
    });
  }

  for (const r of intent.routes) {
    let prefix: Prefix | undefined;
    try {
      prefix = parsePrefix(r.prefix);
    } catch (e) {
      problems.push(`route ${r.prefix}: ${(e as Error).message}`);
    }
    const hops = r.nextHops ?? [{ uplink: r.uplink, nextHopMac: r.nextHopMac }];
    for (const hop of hops)
      if (!uplinks.has(hop.uplink)) problems.push(`route ${r.prefix}: port ${hop.uplink} is not an uplink`);
    // Underlay ECMP: one call per next hop whose uplink is up; a route with none is not written.
    const live = liveNextHops(r, uplinks);
    if (!prefix || live.length === 0) continue;
    const [address] = r.prefix.split('/');
    const calls = live.map((h) => ({
      params: { port: h.uplink, src_mac: h.uplinkIntent.mac, next_hop_mac: h.nextHopMac },
      weight: 1,
    }));
    table({
      kind: 'table',
      table: prefix.v6 ? 'underlay_route_ipv6' : 'underlay_route_ipv4',
      match: { remote_vtep: { value: address, prefixLen: prefix.length } },
      action: 'route_via',
      params: calls[0].params,
      actionSet: calls,
      owner: `route ${r.prefix}`,
    });
  }
  const routeCache = new Map<string, ReturnType<typeof resolveUnderlayRoute>>();
  const resolveRoute = (vtep: string) => {
    const key = ipKey(vtep);
    if (!routeCache.has(key)) routeCache.set(key, resolveUnderlayRoute(intent, vtep));
    return routeCache.get(key);
  };

  // One tunnel per remote VTEP address, shared by every tenant it serves.
  const tunnelFor = (vtep: string): number => {
    const key = ipKey(vtep);
    const known = tunnels.chosen.get(key);
    if (known !== undefined) return known;
    const id = tunnels.get(key);
    const local = isV6(vtep) ? local6[0] : local4[0];
    if (!local) problems.push(`remote VTEP ${vtep}: no local VTEP address of its family`);
    table({
      kind: 'table',
      table: 'tunnel',
      match: { tunnel_id: id },
      action: isV6(vtep) ? 'set_tunnel_ipv6' : 'set_tunnel_ipv4',
      params: { local_vtep: local ?? '0.0.0.0', remote_vtep: vtep },
      owner: `tunnel to ${vtep}`,
    });
    if (!resolveRoute(vtep)) problems.push(`remote VTEP ${vtep}: no route to it`);
    return id;
  };

  // One params object per tunnel, shared by every remote endpoint behind it (entities are never
  // changed once planned; this saves an object per remote endpoint, most of a fabric's entries).
  const paramsOfTunnel = new Map<number, { tunnel_id: number }>();
  const tunnelParams = (id: number) => {
    let p = paramsOfTunnel.get(id);
    if (!p) {
      p = { tunnel_id: id };
      paramsOfTunnel.set(id, p);
    }
    return p;
  };

  if (intent.tenants.length > MAX_TENANT_SLOTS - 1) problems.push(`at most ${MAX_TENANT_SLOTS - 1} tenants`);
  const allocations: TenantAllocation[] = [];
  const seenVnis = new Set<number>();
  // MACs clash-checked here unless the derivation checked them over the whole fabric (checked-intent.ts).
  const checkMacs = !macsChecked(intent);
  /** Attachment key -> MAC -> the vport classification entry planned for it. */
  const vportKeys = new Map<string, Map<string, WorkloadEntry>>();
  // One key text per attachment (port, VLAN), so the maps keyed by it hash each text once.
  const attachments = new Map<number, Map<number, string>>();
  const attachment = (port: number, vlan: number): string => {
    let byVlan = attachments.get(port);
    if (!byVlan) {
      byVlan = new Map();
      attachments.set(port, byVlan);
    }
    let key = byVlan.get(vlan);
    if (key === undefined) {
      key = attachmentKey(port, vlan);
      byVlan.set(vlan, key);
    }
    return key;
  };

  for (const t of intent.tenants) {
    const name = t.name ?? `VNI ${t.vni}`;
    const tenantOwner = `tenant ${name}`;
    if (!Number.isInteger(t.vni) || t.vni < 1 || t.vni > 0xffffff)
      problems.push(`${name}: VNI must be 1..16777215`);
    if (seenVnis.has(t.vni)) problems.push(`${name}: VNI ${t.vni} declared twice`);
    seenVnis.add(t.vni);
    const slot = slots.get(t.vni);
    const allocation: TenantAllocation = { vni: t.vni, name, slot };
    allocations.push(allocation);
    table({
      kind: 'table',
      table: 'tenant_by_vni',
      match: { vni: t.vni },
      action: 'set_tenant',
      params: { tenant_slot: slot, unknown_security_id: t.unknownSecurityId },
      owner: tenantOwner,
    });

    // MAC -> who has it: a vport's name or a remote endpoint's entry (named when a clash is reported).
    const macs = new Map<string, string | WorkloadEntry>();
    const claimMac = (key: string, owner: string | WorkloadEntry) => {
      const other = macs.get(key);
      if (other) problems.push(`${name}: MAC ${key} used by both ${claimant(other)} and ${claimant(owner)}`);
      macs.set(key, owner);
    };
    /** The tenant's wires on this device (attachment key -> its workloads), in first-seen order. */
    const wires = new Map<
      string,
      {
        vport: number;
        port: number;
        vlan: number;
        securityIds: Set<number>;
        /** The first workload's name, and how many there are. */
        first: string;
        count: number;
      }
    >();
    for (let k = 0, list = t.vports; k < list.length; k++) {
      const v = list[k];
      const vlan = v.vlan ?? 0;
      const vname = vportName(v);
      if (!access.has(v.port)) problems.push(`${name}: vport ${vname}: port ${v.port} is not an access port`);
      const wireKey = attachment(v.port, vlan);
      let onWire: Map<string, WorkloadEntry> | undefined;
      let mac = '';
      if (checkMacs) {
        mac = macKey(v.mac);
        // (port, MAC, VLAN) of the vports so far, by wire then MAC: no key text made per vport.
        onWire = vportKeys.get(wireKey);
        if (!onWire) {
          onWire = new Map();
          vportKeys.set(wireKey, onWire);
        }
        const clash = onWire.get(mac);
        if (clash)
          problems.push(
            `${name}: vport ${vname} has the same (port, MAC, VLAN) as ${clash.workload} (${clash.tenant})`,
          );
        claimMac(mac, vname);
      }
      const vport = vports.get(wireKey);
      let wire = wires.get(wireKey);
      if (!wire) {
        wire = { vport, port: v.port, vlan, securityIds: new Set(), first: vname, count: 0 };
        wires.set(wireKey, wire);
      }
      wire.securityIds.add(v.securityId);
      wire.count++;
      const [classification, forwarding] = WorkloadEntry.local(v, vport, t.vni, slot, name);
      onWire?.set(mac, classification);
      table(classification);
      table(forwarding);
    }

    const members = new Set<string>();
    for (const m of t.members ?? []) {
      members.add(ipKey(m.vtep));
      tunnelFor(m.vtep);
      table({
        kind: 'table',
        table: isV6(m.vtep) ? 'vtep_membership_ipv6' : 'vtep_membership_ipv4',
        match: { vni: t.vni, remote_vtep: m.vtep },
        action: 'vtep_member',
        params: { trusted: m.trusted ? 1 : 0 },
        owner: `${tenantOwner}, member VTEP ${m.vtep}`,
      });
    }
    for (let k = 0, list = t.remoteEndpoints ?? []; k < list.length; k++) {
      const e = list[k];
      if (!members.has(ipKey(e.vtep))) {
        problems.push(
          `${name}: remote endpoint ${macKey(e.mac)} is behind ${e.vtep}, which is not a member of the tenant`,
        );
        continue;
      }
      const entry = WorkloadEntry.remote(e, t.vni, tunnelParams(tunnelFor(e.vtep)), name);
      if (checkMacs) claimMac(macKey(e.mac), entry);
      table(entry);
    }
    for (const p of t.policies ?? []) table(policyEntry(t.vni, p, tenantOwner));

    // Neighbor suppression: every workload address of the tenant, local or remote, is answered.
    const addresses = new Map<string, string>();
    const answer = (ip: string | undefined, mac: string, owner: string) => {
      if (ip === undefined) return;
      const key = ipKey(ip);
      const other = addresses.get(key);
      if (other) {
        problems.push(`${name}: address ${ip} used by both ${other} and ${owner}`);
        return;
      }
      addresses.set(key, owner);
      const v6 = isV6(ip);
      table({
        kind: 'table',
        table: v6 ? 'nd_answer' : 'arp_answer',
        match: v6 ? { vni: t.vni, target_ipv6: ip } : { vni: t.vni, target_ipv4: ip },
        action: v6 ? 'answer_neighbor_solicitation' : 'answer_arp',
        params: { mac },
        owner: `${owner}, ${v6 ? 'neighbor discovery' : 'ARP'}`,
      });
    };
    // (The owner text is made only for a workload with an address: most have none to answer.)
    for (let k = 0, list = t.vports; k < list.length; k++) {
      const v = list[k];
      if (v.ipv4 === undefined && v.ipv6 === undefined) continue;
      const owner = `${tenantOwner}, workload ${vportName(v)}`;
      answer(v.ipv4, v.mac, owner);
      answer(v.ipv6, v.mac, owner);
    }
    for (let k = 0, list = t.remoteEndpoints ?? []; k < list.length; k++) {
      const e = list[k];
      if (e.ipv4 === undefined && e.ipv6 === undefined) continue;
      if (!members.has(ipKey(e.vtep))) continue; // reported above
      const owner = `${tenantOwner}, ${e.name ? `workload ${e.name}` : `remote endpoint ${macKey(e.mac)}`} behind ${e.vtep}`;
      answer(e.ipv4, e.mac, owner);
      answer(e.ipv6, e.mac, owner);
    }
    if (t.unknownNeighbor === 'drop')
      table({
        kind: 'table',
        table: 'unknown_neighbor',
        match: { vni: t.vni },
        action: 'drop_unknown_neighbor',
        params: {},
        owner: `${tenantOwner}, unknown neighbors`,
      });

    if (t.flood !== false) {
      const group = groups.get(t.vni);
      allocation.floodGroup = group;
      const groupReplicas: Replica[] = [];
      // One copy per wire (port, VLAN), however many workloads sit behind it: they all see it.
      // The policy check of that copy uses the identity of the wire's workloads when they share
      // one, else the tenant's unknown security ID (only rules to any destination admit it).
      for (const [wireKey, wire] of wires) {
        const rid = replicas.get(`v:${t.vni}/${wireKey}`);
        groupReplicas.push({ port: wire.port, instance: rid });
        const [only] = wire.securityIds;
        table({
          kind: 'table',
          table: 'flood_replica',
          match: { replica_id: rid },
          action: 'replica_to_vport',
          params: {
            vport: wire.vport,
            vlan_id: wire.vlan,
            security_id: wire.securityIds.size === 1 ? only : t.unknownSecurityId,
          },
          owner:
            wire.count === 1
              ? `${tenantOwner}, workload ${wire.first}`
              : `${tenantOwner}, flooding to port ${wire.port}${wire.vlan ? ` VLAN ${wire.vlan}` : ''} (${wire.count} workloads)`,
        });
      }
      for (const m of t.members ?? []) {
        const route = resolveRoute(m.vtep);
        const local = isV6(m.vtep) ? local6[0] : local4[0];
        if (!route || !local) continue; // reported by tunnelFor
        const rid = replicas.get(`t:${t.vni}/${ipKey(m.vtep)}`);
        groupReplicas.push({ port: route.route.uplink, instance: rid });
        table({
          kind: 'table',
          table: 'flood_replica',
          match: { replica_id: rid },
          action: isV6(m.vtep) ? 'replica_to_tunnel_ipv6' : 'replica_to_tunnel_ipv4',
          params: {
            local_vtep: local,
            remote_vtep: m.vtep,
            src_mac: route.uplink.mac,
            next_hop_mac: route.route.nextHopMac,
          },
          owner: `${tenantOwner}, flooding to ${m.vtep}`,
        });
      }
      entities.push({
        kind: 'multicastGroup',
        id: group,
        replicas: groupReplicas,
        owner: `${tenantOwner}, flooding`,
      });
      table({
        kind: 'table',
        table: 'bum_flood',
        match: { vni: t.vni },
        action: 'flood',
        params: { mcast_group: group },
        owner: `${tenantOwner}, flooding`,
      });
    }
  }

  const option = intent.securityOption ?? { ...DATA_PLANE_SECURITY_OPTION, critical: false };
  if (option === 'omit') {
    table({
      kind: 'table',
      table: 'security_option_format',
      match: {},
      action: 'omit_security_option',
      params: {},
      isDefaultAction: true,
      owner: 'security option',
    });
  } else {
    table({
      kind: 'table',
      table: 'security_option_format',
      match: {},
      action: 'insert_security_option',
      params: {
        option_class: option.optionClass,
        option_type: option.type,
        critical: option.critical ? 1 : 0,
      },
      isDefaultAction: true,
      owner: 'security option',
    });
  }
  // What a received option must be to carry the sender's ID: the class and type the fabric sends
  // (without an option sent, the data plane's default stays recognized).
  const recognized = option === 'omit' ? DATA_PLANE_SECURITY_OPTION : option;
  table({
    kind: 'table',
    table: 'security_option_recognition',
    match: {},
    action: 'recognize_security_option',
    params: { option_class: recognized.optionClass, option_type: recognized.type },
    isDefaultAction: true,
    owner: 'security option',
  });
  // The same where the parser recognizes it (Tofino): the two whole option header words, class,
  // critical bit clear and set, type, R 0 and length 1 (p4/geneve_options.p4). Each program has
  // one of the two (entitiesForProgram leaves out the other).
  const header = ((recognized.optionClass << 16) | (recognized.type << 8) | 1) >>> 0;
  entities.push({
    kind: 'valueSet',
    valueSet: SECURITY_OPTION_VALUE_SET,
    members: [header, (header | 0x8000) >>> 0],
    owner: 'security option',
  });
  if (intent.uplinks.some((u) => u.mtu !== undefined)) {
    entities.push({
      kind: 'cloneSession',
      id: PUNT_CLONE_SESSION,
      replicas: [{ port: intent.cpuPort ?? 255, instance: 0 }],
    });
  }

  if (problems.length > 0) throw new IntentError(problems);
  return {
    entities,
    tenants: allocations,
    allocations: {
      tenantSlot: slots.chosen,
      floodGroup: groups.chosen,
      vport: vports.chosen,
      tunnel: tunnels.chosen,
      replica: replicas.chosen,
    },
  };
}
