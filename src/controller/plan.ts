/**
 * Turns a {@link FabricIntent} into the VTEP program's table entries, multicast groups and clone
 * session (docs/DATAPLANE.md names every table). Pure: no I/O, so a plan can be shown, diffed
 * and tested before anything is written. Inconsistent intent is refused with every problem named.
 */
import type { MatchValue, P4Value } from '../p4runtime/index.js';
import { formatMac, parseIp, parseMac } from '../packet/index.js';
import {
  DATA_PLANE_SECURITY_OPTION,
  type FabricIntent,
  type PolicyIntent,
  type RouteIntent,
  type TenantIntent,
  type UplinkIntent,
} from './intent.js';

export interface PlannedTableEntry {
  kind: 'table';
  table: string;
  match: Record<string, MatchValue>;
  action: string;
  params: Record<string, P4Value>;
  priority?: number;
  /** Sets the table's default action (a MODIFY, not an INSERT). */
  isDefaultAction?: boolean;
}

export interface Replica {
  port: number;
  instance: number;
}

export interface PlannedMulticastGroup {
  kind: 'multicastGroup';
  id: number;
  replicas: Replica[];
}

export interface PlannedCloneSession {
  kind: 'cloneSession';
  id: number;
  replicas: Replica[];
}

export type PlannedEntity = PlannedTableEntry | PlannedMulticastGroup | PlannedCloneSession;

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
}

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

const isV6 = (address: string) => parseIp(address).version === 6;

/** The underlay route a remote VTEP address takes (longest prefix), with its uplink; undefined if none. */
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
    const uplink = intent.uplinks.find((u) => u.port === route.uplink);
    if (uplink && inPrefix(prefix, vtep) && (!best || prefix.length > best.length)) {
      best = { route, uplink, length: prefix.length };
    }
  }
  return best && { route: best.route, uplink: best.uplink };
}
const macKey = (mac: string) => formatMac(parseMac(mac));

function policyEntry(vni: number, p: PolicyIntent): PlannedTableEntry {
  const protocol = p.protocol === 'tcp' ? 6 : p.protocol === 'udp' ? 17 : p.protocol;
  const ports = p.ports === undefined ? ANY_PORT : typeof p.ports === 'number' ? [p.ports, p.ports] : p.ports;
  return {
    kind: 'table',
    table: 'policy_rules',
    match: {
      vni,
      src_security_id: p.src === undefined ? null : { value: p.src, mask: 0xffffffff },
      dst_security_id: p.dst === undefined ? null : { value: p.dst, mask: 0xffffffff },
      ip_protocol: protocol === undefined ? null : { value: protocol, mask: 0xff },
      l4_dst_port: { low: ports[0], high: ports[1] },
    },
    action: p.action,
    params: {},
    priority: p.priority,
  };
}

/** Plans the whole fabric. Throws {@link IntentError} listing every inconsistency. */
export function planFabric(intent: FabricIntent): Plan {
  const problems: string[] = [];
  const entities: PlannedEntity[] = [];
  const table = (e: Omit<PlannedTableEntry, 'kind'>) => entities.push({ kind: 'table', ...e });

  const uplinks = new Map(intent.uplinks.map((u) => [u.port, u]));
  const access = new Set(intent.accessPorts);
  for (const port of intent.accessPorts) {
    if (uplinks.has(port)) problems.push(`port ${port} is declared both access port and uplink`);
    table({ table: 'port_role', match: { port }, action: 'set_access_port', params: {} });
  }
  for (const u of intent.uplinks) {
    // Rule 6: an uplink accepts unicast for its own MAC only.
    table({
      table: 'port_role',
      match: { port: u.port },
      action: 'set_uplink_port',
      params: { uplink_mac: u.mac },
    });
    if (u.mtu !== undefined)
      table({
        table: 'uplink_mtu',
        match: { port: u.port },
        action: 'set_uplink_mtu',
        params: { mtu: u.mtu },
      });
  }

  const local4 = intent.localVteps.filter((a) => !isV6(a));
  const local6 = intent.localVteps.filter(isV6);
  if (local4.length > 1 || local6.length > 1)
    problems.push('at most one IPv4 and one IPv6 local VTEP address');
  for (const a of intent.localVteps) {
    table({
      table: isV6(a) ? 'local_vtep_ipv6' : 'local_vtep_ipv4',
      match: { vtep_address: a },
      action: 'local_vtep',
      params: {},
    });
  }

  const routes = intent.routes.map((r) => {
    let prefix: Prefix | undefined;
    try {
      prefix = parsePrefix(r.prefix);
    } catch (e) {
      problems.push(`route ${r.prefix}: ${(e as Error).message}`);
    }
    const uplink = uplinks.get(r.uplink);
    if (!uplink) problems.push(`route ${r.prefix}: port ${r.uplink} is not an uplink`);
    return { intent: r, prefix, uplink };
  });
  for (const r of routes) {
    if (!r.prefix || !r.uplink) continue;
    const [address] = r.intent.prefix.split('/');
    table({
      table: r.prefix.v6 ? 'underlay_route_ipv6' : 'underlay_route_ipv4',
      match: { remote_vtep: { value: address, prefixLen: r.prefix.length } },
      action: 'route_via',
      params: { port: r.intent.uplink, src_mac: r.uplink.mac, next_hop_mac: r.intent.nextHopMac },
    });
  }
  const resolveRoute = (vtep: string) => resolveUnderlayRoute(intent, vtep);

  // One tunnel per remote VTEP address, shared by every tenant it serves.
  const tunnelIds = new Map<string, number>();
  const tunnelFor = (vtep: string): number => {
    const key = parseIp(vtep).bytes.join('.');
    let id = tunnelIds.get(key);
    if (id === undefined) {
      id = tunnelIds.size + 1;
      tunnelIds.set(key, id);
      const local = isV6(vtep) ? local6[0] : local4[0];
      if (!local) problems.push(`remote VTEP ${vtep}: no local VTEP address of its family`);
      table({
        table: 'tunnel',
        match: { tunnel_id: id },
        action: isV6(vtep) ? 'set_tunnel_ipv6' : 'set_tunnel_ipv4',
        params: { local_vtep: local ?? '0.0.0.0', remote_vtep: vtep },
      });
      if (!resolveRoute(vtep)) problems.push(`remote VTEP ${vtep}: no route to it`);
    }
    return id;
  };

  if (intent.tenants.length > MAX_TENANT_SLOTS - 1) problems.push(`at most ${MAX_TENANT_SLOTS - 1} tenants`);
  const allocations: TenantAllocation[] = [];
  const seenVnis = new Set<number>();
  const vportKeys = new Map<string, string>();
  let nextVport = 1;
  let nextReplica = 1;
  const allVports: Array<{
    tenant: TenantIntent;
    vport: number;
    v: TenantIntent['vports'][number];
    name: string;
  }> = [];

  intent.tenants.forEach((t, i) => {
    const name = t.name ?? `VNI ${t.vni}`;
    if (!Number.isInteger(t.vni) || t.vni < 1 || t.vni > 0xffffff)
      problems.push(`${name}: VNI must be 1..16777215`);
    if (seenVnis.has(t.vni)) problems.push(`${name}: VNI ${t.vni} declared twice`);
    seenVnis.add(t.vni);
    const slot = i + 1;
    const allocation: TenantAllocation = { vni: t.vni, name, slot };
    allocations.push(allocation);
    table({
      table: 'tenant_by_vni',
      match: { vni: t.vni },
      action: 'set_tenant',
      params: { tenant_slot: slot, unknown_security_id: t.unknownSecurityId },
    });

    const macs = new Map<string, string>();
    const claimMac = (mac: string, owner: string) => {
      const key = macKey(mac);
      const other = macs.get(key);
      if (other) problems.push(`${name}: MAC ${key} used by both ${other} and ${owner}`);
      macs.set(key, owner);
    };
    for (const v of t.vports) {
      const vname = v.name ?? `${v.port}/${macKey(v.mac)}/${v.vlan ?? 0}`;
      if (!access.has(v.port)) problems.push(`${name}: vport ${vname}: port ${v.port} is not an access port`);
      const key = `${v.port}/${macKey(v.mac)}/${v.vlan ?? 0}`;
      const clash = vportKeys.get(key);
      if (clash) problems.push(`${name}: vport ${vname} has the same (port, MAC, VLAN) as ${clash}`);
      vportKeys.set(key, `${vname} (${name})`);
      claimMac(v.mac, `vport ${vname}`);
      const vport = nextVport++;
      allVports.push({ tenant: t, vport, v, name: vname });
      table({
        table: 'vport_classification',
        match: { port: v.port, src_mac: v.mac, vlan_id: v.vlan ?? 0 },
        action: 'set_vport',
        params: { vport, vni: t.vni, security_id: v.securityId, tenant_slot: slot },
      });
      table({
        table: 'overlay_mac',
        match: { vni: t.vni, dst_mac: v.mac },
        action: 'to_local_vport',
        params: { port: v.port, vport, vlan_id: v.vlan ?? 0, security_id: v.securityId },
      });
    }

    const members = new Map<string, boolean>();
    for (const m of t.members ?? []) {
      members.set(parseIp(m.vtep).bytes.join('.'), true);
      tunnelFor(m.vtep);
      table({
        table: isV6(m.vtep) ? 'vtep_membership_ipv6' : 'vtep_membership_ipv4',
        match: { vni: t.vni, remote_vtep: m.vtep },
        action: 'vtep_member',
        params: { trusted: m.trusted ? 1 : 0 },
      });
    }
    for (const e of t.remoteEndpoints ?? []) {
      if (!members.has(parseIp(e.vtep).bytes.join('.'))) {
        problems.push(
          `${name}: remote endpoint ${macKey(e.mac)} is behind ${e.vtep}, which is not a member of the tenant`,
        );
        continue;
      }
      claimMac(e.mac, `remote endpoint behind ${e.vtep}`);
      table({
        table: 'overlay_mac',
        match: { vni: t.vni, dst_mac: e.mac },
        action: 'to_remote_vtep',
        params: { tunnel_id: tunnelFor(e.vtep) },
      });
    }
    for (const p of t.policies ?? []) table(policyEntry(t.vni, p));

    if (t.flood !== false) {
      const group = i + 1;
      allocation.floodGroup = group;
      const replicas: Replica[] = [];
      for (const { vport, v } of allVports.filter((x) => x.tenant === t)) {
        const rid = nextReplica++;
        replicas.push({ port: v.port, instance: rid });
        table({
          table: 'flood_replica',
          match: { replica_id: rid },
          action: 'replica_to_vport',
          params: { vport, vlan_id: v.vlan ?? 0, security_id: v.securityId },
        });
      }
      for (const m of t.members ?? []) {
        const route = resolveRoute(m.vtep);
        const local = isV6(m.vtep) ? local6[0] : local4[0];
        if (!route || !local) continue; // reported by tunnelFor
        const rid = nextReplica++;
        replicas.push({ port: route.route.uplink, instance: rid });
        table({
          table: 'flood_replica',
          match: { replica_id: rid },
          action: isV6(m.vtep) ? 'replica_to_tunnel_ipv6' : 'replica_to_tunnel_ipv4',
          params: {
            local_vtep: local,
            remote_vtep: m.vtep,
            src_mac: route.uplink.mac,
            next_hop_mac: route.route.nextHopMac,
          },
        });
      }
      entities.push({ kind: 'multicastGroup', id: group, replicas });
      table({ table: 'bum_flood', match: { vni: t.vni }, action: 'flood', params: { mcast_group: group } });
    }
  });

  const option = intent.securityOption ?? { ...DATA_PLANE_SECURITY_OPTION, critical: false };
  if (option === 'omit') {
    table({
      table: 'security_option_format',
      match: {},
      action: 'omit_security_option',
      params: {},
      isDefaultAction: true,
    });
  } else {
    if (
      option.optionClass !== DATA_PLANE_SECURITY_OPTION.optionClass ||
      option.type !== DATA_PLANE_SECURITY_OPTION.type
    ) {
      problems.push(
        `security option class 0x${option.optionClass.toString(16)} type 0x${option.type.toString(16)}: this data plane ` +
          `recognizes only class 0x${DATA_PLANE_SECURITY_OPTION.optionClass.toString(16)} type 0x${DATA_PLANE_SECURITY_OPTION.type.toString(16)} ` +
          '(p4/include/constants.p4), so its peers would not see the IDs it sends',
      );
    }
    table({
      table: 'security_option_format',
      match: {},
      action: 'insert_security_option',
      params: {
        option_class: option.optionClass,
        option_type: option.type,
        critical: option.critical ? 1 : 0,
      },
      isDefaultAction: true,
    });
  }
  if (intent.uplinks.some((u) => u.mtu !== undefined)) {
    entities.push({
      kind: 'cloneSession',
      id: PUNT_CLONE_SESSION,
      replicas: [{ port: intent.cpuPort ?? 255, instance: 0 }],
    });
  }

  if (problems.length > 0) throw new IntentError(problems);
  return { entities, tenants: allocations };
}
