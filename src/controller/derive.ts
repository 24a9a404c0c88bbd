/**
 * Derivation (pure): the whole overlay -> each device's view as one VTEP (its ports, its local
 * workloads, the workloads of its tenants behind other devices, the member VTEPs of each tenant,
 * policies with identity names resolved to security IDs). The planner turns a view into entries.
 * Every inconsistency is reported at once, at the file line of what is wrong.
 */
import { closestNames } from 'p4runtime-ts-grpc';
import { markMacsChecked } from './checked-intent.js';
import type { DeviceSpec, Fabric, FabricPolicy, WorkloadSpec } from './fabric-schema.js';
import { flatText } from './flat-text.js';
import type {
  FabricIntent,
  PolicyIntent,
  RemoteEndpointIntent,
  RouteIntent,
  TenantIntent,
} from './intent.js';
import { formatPath, type PathSegment, type Where } from './load-fabric.js';
import { IntentError, ipKey, macKey } from './plan.js';

/** Derived security IDs start here; pinned IDs below it never collide with a derived one. */
export const DERIVED_ID_BASE = 0x10000;
const DERIVED_ID_SPAN = 0xffffffff - DERIVED_ID_BASE; // up to 0xFFFFFFFE

/**
 * The security ID of an identity that has none pinned: FNV-1a (32-bit) of its name, folded into
 * DERIVED_ID_BASE..0xFFFFFFFE. A function of the name alone, so every device and every apply agrees
 * without any stored state; a collision between two names is reported (pin one of them).
 */
export function derivedSecurityId(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return DERIVED_ID_BASE + (h % DERIVED_ID_SPAN);
}

/** One device of the fabric with what it should run. */
export interface DeviceView {
  device: DeviceSpec;
  intent: FabricIntent;
}

export interface Derivation {
  /** Identity name -> security ID. */
  identities: Map<string, number>;
  devices: DeviceView[];
}

const defaultWhere: Where = (path) => `${formatPath(path)}: `;

/** The tunnel address pair two devices use: IPv4 when both have one, else IPv6. */
function tunnelFamily(a: DeviceSpec, b: DeviceSpec): 'ipv4' | 'ipv6' | undefined {
  if (a.vteps.ipv4 && b.vteps.ipv4) return 'ipv4';
  if (a.vteps.ipv6 && b.vteps.ipv6) return 'ipv6';
  return undefined;
}

function policyName(p: FabricPolicy): string {
  const ports = p.ports === undefined ? '' : `/${Array.isArray(p.ports) ? p.ports.join('-') : p.ports}`;
  return `policy ${p.from ?? 'any'} -> ${p.to ?? 'any'} ${p.protocol ?? 'any'}${ports} ${p.action}`;
}

/** Derives every device's view of `fabric`; throws {@link IntentError} with every problem. */
export function deriveFabric(fabric: Fabric, where: Where = defaultWhere): Derivation {
  const problems: string[] = [];
  const at = (path: readonly PathSegment[], message: string) => problems.push(`${where(path)}${message}`);

  const unique = <T>(
    items: readonly T[],
    key: (t: T) => string,
    what: string,
    path: string,
    field: string,
  ) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const first = seen.get(k);
      if (first !== undefined) at([path, i, field], `${what} '${k}' already declared at ${path}[${first}]`);
      else seen.set(k, i);
    });
    return seen;
  };

  // Devices.
  const deviceIndex = unique(fabric.devices, (d) => d.name, 'device', 'devices', 'name');
  unique(
    fabric.devices,
    (d) => `${d.address}#${d.deviceId}`,
    'P4Runtime address and device id',
    'devices',
    'address',
  );
  const vtepOwner = new Map<string, number>();
  fabric.devices.forEach((d, i) => {
    if (!d.vteps.ipv4 && !d.vteps.ipv6)
      at(['devices', i, 'vteps'], 'a device needs an IPv4 or IPv6 VTEP address');
    for (const family of ['ipv4', 'ipv6'] as const) {
      const a = d.vteps[family];
      if (!a) continue;
      const other = vtepOwner.get(ipKey(a));
      if (other !== undefined)
        at(
          ['devices', i, 'vteps', family],
          `VTEP address ${a} is also device ${fabric.devices[other].name}'s`,
        );
      vtepOwner.set(ipKey(a), i);
    }
  });

  // Identities: pinned or derived from the name, one ID each.
  const identities = new Map<string, number>();
  const identityIndex = unique(fabric.identities, (x) => x.name, 'identity', 'identities', 'name');
  const byId = new Map<number, number>();
  fabric.identities.forEach((x, i) => {
    if (identityIndex.get(x.name) !== i) return;
    const id = x.id ?? derivedSecurityId(x.name);
    const other = byId.get(id);
    if (other !== undefined)
      at(
        ['identities', i, x.id === undefined ? 'name' : 'id'],
        `identity ${x.name} would have security ID ${id}, as ${fabric.identities[other].name} does: pin one with id:`,
      );
    byId.set(id, i);
    identities.set(x.name, id);
  });
  const identityId = (name: string, path: readonly PathSegment[]): number | undefined => {
    const id = identities.get(name);
    if (id === undefined) {
      const close = closestNames(name, identities.keys(), 3);
      at(path, `unknown identity '${name}'${close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ''}`);
    }
    return id;
  };

  // Tenants.
  const tenantIndex = unique(fabric.tenants, (t) => t.name, 'tenant', 'tenants', 'name');
  unique(fabric.tenants, (t) => String(t.vni), 'VNI', 'tenants', 'vni');
  const policies = fabric.tenants.map((t, ti) =>
    t.policies.map((p, pi): PolicyIntent => {
      const src =
        p.from === undefined ? undefined : identityId(p.from, ['tenants', ti, 'policies', pi, 'from']);
      const dst = p.to === undefined ? undefined : identityId(p.to, ['tenants', ti, 'policies', pi, 'to']);
      return {
        name: policyName(p),
        ...(src !== undefined ? { src } : {}),
        ...(dst !== undefined ? { dst } : {}),
        ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
        ...(p.ports !== undefined ? { ports: p.ports } : {}),
        action: p.action,
        priority: p.priority,
      };
    }),
  );

  // Workloads, grouped by tenant and device.
  const workloadIndex = unique(fabric.workloads, (w) => w.name, 'workload', 'workloads', 'name');
  // Per tenant: MAC -> workload; per device, port and VLAN: MAC -> workload (nested maps, so no
  // key string is built per workload: this loop runs for every workload of the fabric).
  const macInTenant = fabric.tenants.map(() => new Map<string, number>());
  const attachment = fabric.devices.map(() => new Map<number, Map<number, Map<string, number>>>());
  const attachedAt = (di: number, port: number, vlan: number) => {
    let byPort = attachment[di].get(port);
    if (!byPort) {
      byPort = new Map();
      attachment[di].set(port, byPort);
    }
    let byVlan = byPort.get(vlan);
    if (!byVlan) {
      byVlan = new Map();
      byPort.set(vlan, byVlan);
    }
    return byVlan;
  };
  /** tenant index -> device index -> workloads */
  const placed = fabric.tenants.map(
    () => new Map<number, Array<{ w: WorkloadSpec; id: number; index: number; mac: string }>>(),
  );
  fabric.workloads.forEach((w, i) => {
    if (workloadIndex.get(w.name) !== i) return;
    const ti = tenantIndex.get(w.tenant);
    const di = deviceIndex.get(w.device);
    if (ti === undefined) at(['workloads', i, 'tenant'], `unknown tenant '${w.tenant}'`);
    if (di === undefined) at(['workloads', i, 'device'], `unknown device '${w.device}'`);
    const id = identityId(w.identity, ['workloads', i, 'identity']);
    if (ti === undefined || di === undefined || id === undefined) return;
    const device = fabric.devices[di];
    if (!device.accessPorts.includes(w.port))
      at(['workloads', i, 'port'], `port ${w.port} is not an access port of device ${device.name}`);
    // The MAC as given, in one piece (flat-text.ts): what every device's intent holds.
    const given = flatText(w.mac);
    const mac = macKey(given);
    const other = macInTenant[ti].get(mac);
    if (other !== undefined)
      at(
        ['workloads', i, 'mac'],
        `MAC ${w.mac} is already workload ${fabric.workloads[other].name}'s in tenant ${w.tenant}`,
      );
    macInTenant[ti].set(mac, i);
    const wire = attachedAt(di, w.port, w.vlan ?? 0);
    const clash = wire.get(mac);
    if (clash !== undefined)
      at(['workloads', i], `same device, port, MAC and VLAN as workload ${fabric.workloads[clash].name}`);
    wire.set(mac, i);
    const list = placed[ti].get(di) ?? [];
    if (list.length === 0) placed[ti].set(di, list);
    list.push({ w, id, index: i, mac: given });
  });

  /** A workload's IP addresses, as given (for ARP/ND answers by the controller). */
  const addresses = (w: WorkloadSpec) => ({
    ...(w.ipv4 !== undefined ? { ipv4: w.ipv4 } : {}),
    ...(w.ipv6 !== undefined ? { ipv6: w.ipv6 } : {}),
  });
  // By workload index and family (arrays, not a Map keyed by object: one lookup per remote endpoint).
  const remotes4: Array<RemoteEndpointIntent | undefined> = [];
  const remotes6: Array<RemoteEndpointIntent | undefined> = [];
  const remoteOf = (
    w: WorkloadSpec,
    id: number,
    index: number,
    mac: string,
    family: 'ipv4' | 'ipv6',
    vtep: string,
  ) => {
    const byIndex = family === 'ipv4' ? remotes4 : remotes6;
    const known = byIndex[index];
    if (known) return known;
    const fresh: RemoteEndpointIntent = { name: w.name, mac, vtep, securityId: id, ...addresses(w) };
    byIndex[index] = fresh;
    return fresh;
  };
  const option = fabric.securityOption;
  const devices: DeviceView[] = fabric.devices.map((d, di) => {
    const tenants: TenantIntent[] = [];
    fabric.tenants.forEach((t, ti) => {
      const local = placed[ti].get(di);
      if (!local) return; // a device carries only the tenants it hosts
      const tenant: TenantIntent = {
        vni: t.vni,
        name: t.name,
        unknownSecurityId: t.unknownSecurityId,
        flood: t.flood,
        bumPolicy: t.bumPolicy,
        unknownNeighbor: t.unknownNeighbor,
        vports: local.map(({ w, id, mac }) => ({
          name: w.name,
          port: w.port,
          mac,
          ...(w.vlan !== undefined ? { vlan: w.vlan } : {}),
          securityId: id,
          ...addresses(w),
        })),
        members: [],
        remoteEndpoints: [],
        policies: policies[ti],
      };
      for (const [ei, remote] of placed[ti]) {
        if (ei === di) continue;
        const peer = fabric.devices[ei];
        const family = tunnelFamily(d, peer);
        if (!family) {
          at(
            ['devices', ei, 'vteps'],
            `devices ${d.name} and ${peer.name} share tenant ${t.name} but no address family`,
          );
          continue;
        }
        const vtep = peer.vteps[family] as string;
        tenant.members!.push({ vtep, trusted: true });
        // One object per workload and family, shared by every device that sees it as remote.
        for (const { w, id, index, mac } of remote)
          tenant.remoteEndpoints!.push(remoteOf(w, id, index, mac, family, vtep));
      }
      tenants.push(tenant);
    });
    const intent: FabricIntent = {
      accessPorts: d.accessPorts,
      uplinks: d.uplinks,
      localVteps: [d.vteps.ipv4, d.vteps.ipv6].filter((a): a is string => a !== undefined),
      routes: d.routes.map(routeIntent),
      tenants,
      cpuPort: d.cpuPort,
      ...(option !== undefined ? { securityOption: option } : {}),
    };
    // Its MACs were checked above, for the whole fabric (returned only when no problem was found).
    markMacsChecked(intent);
    return { device: d, intent };
  });

  if (problems.length > 0) throw new IntentError(problems);
  return { identities, devices };
}

/** A route of the file as the planner takes it: the first next hop, and all of them for ECMP. */
function routeIntent(r: DeviceSpec['routes'][number]): RouteIntent {
  if (r.nextHops) return { prefix: r.prefix, ...r.nextHops[0], nextHops: r.nextHops };
  // The schema requires both when there are no nextHops.
  return { prefix: r.prefix, uplink: r.uplink ?? 0, nextHopMac: r.nextHopMac ?? '' };
}
