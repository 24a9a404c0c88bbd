/**
 * The reference model's view of an operator's fabric intent (src/controller/intent.ts), so that what
 * the controller writes can be checked against the contract frame by frame.
 */
import { type FabricIntent as OperatorIntent, resolveUnderlayRoute } from '../../../src/controller/index.js';
import type { FabricIntent } from './model.js';

export function modelOfFabric(o: OperatorIntent): FabricIntent {
  const remotes = new Map<string, FabricIntent['remoteVteps'][number]>();
  for (const t of o.tenants) {
    for (const m of t.members ?? []) {
      const resolved = resolveUnderlayRoute(o, m.vtep);
      if (!resolved) throw new Error(`model: no route to ${m.vtep}`);
      if (!remotes.has(m.vtep)) {
        remotes.set(m.vtep, {
          address: m.vtep,
          port: resolved.route.uplink,
          tunnelId: remotes.size + 1,
          srcMac: resolved.uplink.mac,
          nextHopMac: resolved.route.nextHopMac,
        });
      }
    }
  }
  let vport = 0;
  return {
    accessPorts: o.accessPorts,
    uplinks: o.uplinks.map((u) => u.port),
    uplinkMacs: Object.fromEntries(o.uplinks.map((u) => [u.port, u.mac])),
    localVteps: o.localVteps,
    vports: o.tenants.flatMap((t) =>
      t.vports.map((v) => ({
        port: v.port,
        mac: v.mac,
        vlan: v.vlan ?? 0,
        vport: ++vport,
        vni: t.vni,
        securityId: v.securityId,
      })),
    ),
    remoteVteps: [...remotes.values()],
    tenants: o.tenants.map((t, i) => ({
      vni: t.vni,
      slot: i + 1,
      unknownId: t.unknownSecurityId,
      members: (t.members ?? []).map((m) => ({ address: m.vtep, trusted: m.trusted })),
      remoteMacs: (t.remoteEndpoints ?? []).map((e) => ({ mac: e.mac, address: e.vtep })),
      ...(t.flood !== false ? { floodGroup: i + 1 } : {}),
    })),
    policies: o.tenants.flatMap((t) =>
      (t.policies ?? []).map((p) => ({
        vni: t.vni,
        ...(p.src !== undefined ? { src: p.src } : {}),
        ...(p.dst !== undefined ? { dst: p.dst } : {}),
        ...(p.protocol !== undefined
          ? { protocol: p.protocol === 'tcp' ? 6 : p.protocol === 'udp' ? 17 : p.protocol }
          : {}),
        ...(p.ports !== undefined
          ? { ports: typeof p.ports === 'number' ? ([p.ports, p.ports] as [number, number]) : p.ports }
          : {}),
        allow: p.action === 'allow',
        priority: p.priority,
      })),
    ),
    option: {
      critical: o.securityOption !== undefined && o.securityOption !== 'omit' && o.securityOption.critical,
    },
  };
}
