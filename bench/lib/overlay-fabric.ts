// The fabric of `npm run bench -- controller`: 4 VTEPs, 1,000 tenants, 100,000 workloads, 10,000
// policies, laid out as a data centre would be. Each VTEP (a top-of-rack switch) has 4 access ports,
// each a trunk to one hypervisor; tenant t lives on hypervisor t % 4 of every rack, on its own VLAN
// (100 + t) of that trunk, with 25 workloads (VMs) per rack behind it. So a VTEP has one wire (port,
// VLAN) per tenant, and a tenant's flood group there has one copy for its wire and one per peer VTEP:
// 1,000 + 3,000 multicast nodes, within bmv2's 4,096 (docs/FABRIC.md, "Scale").
import type { z } from 'zod';
import type { fabricSchema } from '../../src/controller/index.js';

export const SHAPE = {
  devices: Number(process.env.BENCH_DEVICES ?? 4),
  tenants: Number(process.env.BENCH_TENANTS ?? 1_000),
  workloads: Number(process.env.BENCH_WORKLOADS ?? 100_000),
  policies: Number(process.env.BENCH_POLICIES ?? 10_000),
  identities: 50,
};

type FabricInput = z.input<typeof fabricSchema>;
type WorkloadInput = NonNullable<FabricInput['workloads']>[number];

export const workloadMac = (i: number) =>
  `02:${[(i >> 24) & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, 1].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** Workload `w`: tenant w mod T, rack (w div T) mod D, behind the tenant's hypervisor and VLAN. */
export function workload(w: number, shape = SHAPE): WorkloadInput {
  const t = w % shape.tenants;
  return {
    name: `w${w}`,
    tenant: `t${t}`,
    identity: `id${w % shape.identities}`,
    mac: workloadMac(w),
    device: `vtep-${Math.floor(w / shape.tenants) % shape.devices}`,
    port: 1 + (t % 4),
    vlan: 100 + t,
  };
}

/** The whole fabric, its devices reached at `addresses` (one per device). */
export function overlayFabric(addresses: readonly string[], shape = SHAPE): FabricInput {
  const perTenant = Math.floor(shape.policies / shape.tenants);
  return {
    fabric: 'bench',
    devices: addresses.map((address, d) => ({
      name: `vtep-${d}`,
      address,
      accessPorts: [1, 2, 3, 4],
      uplinks: [{ port: 5, mac: `02:aa:00:00:00:0${d}`, mtu: 9000 }],
      vteps: { ipv4: `10.0.0.${d + 1}` },
      routes: [{ prefix: '10.0.0.0/24', uplink: 5, nextHopMac: '02:bb:00:00:00:05' }],
    })),
    identities: Array.from({ length: shape.identities }, (_, i) => ({ name: `id${i}` })),
    tenants: Array.from({ length: shape.tenants }, (_, t) => ({
      name: `t${t}`,
      vni: 10_000 + t,
      policies: Array.from({ length: perTenant }, (_, p) => ({
        from: `id${(t + p) % shape.identities}`,
        to: `id${(t + p + 1) % shape.identities}`,
        protocol: 'tcp' as const,
        ports: 1000 + p,
        action: 'allow' as const,
        priority: 10 + p,
      })),
    })),
    workloads: Array.from({ length: shape.workloads }, (_, w) => workload(w, shape)),
  };
}
