// The large-fabric case of the issue that asked for tuple-space lookups: 1,000 tenants, 10,000
// policies (10 per tenant, on ternary and range keys) and as many workloads as the program's tables
// hold. The program sizes overlay_mac at 65,536 entries, so 100,000 workloads do not fit on either
// target: 64 per tenant (4 local vports and 60 remote endpoints, 64,000 in all) is what fits.
import type { FabricIntent, TenantIntent } from '../../src/controller/index.js';

export const LARGE_FABRIC = { tenants: 1000, vportsPerTenant: 4, remotePerTenant: 60, policiesPerTenant: 10 };

const mac = (prefix: number, n: number) =>
  [prefix, (n >> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].reduce(
    (s, b) => `${s}:${b.toString(16).padStart(2, '0')}`,
    '02',
  );

/** Remote VTEP of tenant `t` (250 VTEPs, each a member of 4 tenants). */
export const remoteVtep = (t: number) => `10.0.1.${2 + (t % 250)}`;

/** MAC of local vport `v` of tenant `t`. */
export const vportMac = (t: number, v: number) => mac(0x00, t * 256 + v);

/** MAC of remote endpoint `r` of tenant `t`. */
export const remoteMac = (t: number, r: number) => mac(0x01, t * 256 + r);

export function largeFabric(): FabricIntent {
  const tenants: TenantIntent[] = [];
  for (let t = 0; t < LARGE_FABRIC.tenants; t++) {
    const vports = Array.from({ length: LARGE_FABRIC.vportsPerTenant }, (_, v) => ({
      port: 1 + v,
      mac: vportMac(t, v),
      securityId: 100 + v,
    }));
    const remoteEndpoints = Array.from({ length: LARGE_FABRIC.remotePerTenant }, (_, r) => ({
      mac: remoteMac(t, r),
      vtep: remoteVtep(t),
    }));
    const policies = Array.from({ length: LARGE_FABRIC.policiesPerTenant - 1 }, (_, p) => ({
      src: 100 + (p % 4),
      dst: 200 + p,
      protocol: 'tcp' as const,
      ports: [1000 + p * 10, 1005 + p * 10] as [number, number],
      action: 'allow' as const,
      priority: 10 + p,
    }));
    tenants.push({
      vni: 5000 + t,
      unknownSecurityId: 1,
      flood: false,
      vports,
      members: [{ vtep: remoteVtep(t), trusted: true }],
      remoteEndpoints,
      // The rule the measured frames hit comes last and matches any source: the lookup has to
      // get past the others.
      policies: [...policies, { dst: 100, protocol: 'tcp', ports: 443, action: 'allow', priority: 5 }],
    });
  }
  return {
    accessPorts: [1, 2, 3, 4],
    uplinks: [{ port: 5, mac: '02:aa:00:00:00:05', mtu: 9000 }],
    localVteps: ['10.0.0.1'],
    routes: [{ prefix: '10.0.0.0/16', uplink: 5, nextHopMac: '02:bb:00:00:00:05' }],
    securityOption: { optionClass: 0xfff0, type: 0x01, critical: false },
    tenants,
  };
}
