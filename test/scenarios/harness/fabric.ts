/**
 * The reference fabric most scenarios start from: two tenants with overlapping MAC addresses on
 * four access ports, two remote VTEPs (IPv4 and IPv6 underlay) on two uplinks.
 */
import { afterAll, beforeAll } from 'vitest';
import type { FabricIntent } from './model.js';
import { flushReport } from './report.js';
import { type RunningTarget, startTarget } from './target.js';
import { PORTS, UNDERLAY, VtepSession } from './vtep.js';

export const TENANT_A = { vni: 5000, slot: 1, unknownId: 1 } as const;
export const TENANT_B = { vni: 6000, slot: 2, unknownId: 2 } as const;

/** Local workloads. A1 and B1 share a MAC address: the VNI keeps them apart. */
export const A1 = {
  port: PORTS.access1,
  mac: '02:00:00:00:0a:01',
  vport: 1,
  vni: TENANT_A.vni,
  securityId: 100,
} as const;
export const A2 = {
  port: PORTS.access2,
  mac: '02:00:00:00:0a:02',
  vport: 2,
  vni: TENANT_A.vni,
  securityId: 200,
} as const;
export const B1 = {
  port: PORTS.access3,
  mac: '02:00:00:00:0a:01',
  vport: 3,
  vni: TENANT_B.vni,
  securityId: 100,
} as const;
export const B2 = {
  port: PORTS.access4,
  mac: '02:00:00:00:0b:02',
  vlan: 20,
  vport: 4,
  vni: TENANT_B.vni,
  securityId: 300,
} as const;

/** Remote VTEPs and the tenant-A workloads behind them. */
export const R1 = { address: '10.0.0.2', tunnelId: 1, trusted: true } as const;
export const R2 = { address: 'fd00::2', tunnelId: 2, trusted: false } as const;
export const REMOTE_A1 = { mac: '02:00:00:00:0a:11', vni: TENANT_A.vni, tunnelId: R1.tunnelId } as const;
export const REMOTE_A2 = { mac: '02:00:00:00:0a:12', vni: TENANT_A.vni, tunnelId: R2.tunnelId } as const;

/** The reference fabric as the reference model sees it (installFabric with allowAll). */
export const REFERENCE_INTENT: FabricIntent = {
  accessPorts: [PORTS.access1, PORTS.access2, PORTS.access3, PORTS.access4],
  uplinks: [PORTS.uplink1, PORTS.uplink2],
  localVteps: [UNDERLAY.localVtep4, UNDERLAY.localVtep6],
  vports: [{ ...A1, vlan: 0 }, { ...A2, vlan: 0 }, { ...B1, vlan: 0 }, { ...B2 }],
  remoteVteps: [
    { address: R1.address, port: PORTS.uplink1, tunnelId: R1.tunnelId },
    { address: R2.address, port: PORTS.uplink2, tunnelId: R2.tunnelId },
  ],
  tenants: [
    {
      vni: TENANT_A.vni,
      slot: TENANT_A.slot,
      unknownId: TENANT_A.unknownId,
      members: [
        { address: R1.address, trusted: R1.trusted },
        { address: R2.address, trusted: R2.trusted },
      ],
      remoteMacs: [
        { mac: REMOTE_A1.mac, address: R1.address },
        { mac: REMOTE_A2.mac, address: R2.address },
      ],
    },
    { vni: TENANT_B.vni, slot: TENANT_B.slot, unknownId: TENANT_B.unknownId, members: [], remoteMacs: [] },
  ],
  policies: [
    { vni: TENANT_A.vni, allow: true, priority: 1 },
    { vni: TENANT_B.vni, allow: true, priority: 1 },
  ],
  option: { critical: false },
};

export interface FabricOptions {
  /** Install allow-everything policy rules at priority 1 for both tenants (default true). */
  allowAll?: boolean;
  /** Critical flag of the security-ID option we send (default false). */
  criticalOption?: boolean;
  /** Uplink MTU of port uplink1 (default none). */
  uplinkMtu?: number;
}

export async function installFabric(s: VtepSession, o: FabricOptions = {}): Promise<void> {
  for (const port of [PORTS.access1, PORTS.access2, PORTS.access3, PORTS.access4]) await s.accessPort(port);
  await s.uplink(PORTS.uplink1, o.uplinkMtu);
  await s.uplink(PORTS.uplink2);
  await s.localVtep(UNDERLAY.localVtep4);
  await s.localVtep(UNDERLAY.localVtep6);
  for (const t of [TENANT_A, TENANT_B])
    await s.tenant({ vni: t.vni, tenantSlot: t.slot, unknownSecurityId: t.unknownId });
  for (const v of [A1, A2, B1, B2]) {
    const vlan = 'vlan' in v ? v.vlan : undefined;
    await s.vport({ ...v, vlan, tenantSlot: v.vni === TENANT_A.vni ? TENANT_A.slot : TENANT_B.slot });
    await s.localMac({ ...v, vlan });
  }
  await s.tunnel({ id: R1.tunnelId, local: UNDERLAY.localVtep4, remote: R1.address });
  await s.tunnel({ id: R2.tunnelId, local: UNDERLAY.localVtep6, remote: R2.address });
  await s.route({ prefix: '10.0.0.0', prefixLen: 24, port: PORTS.uplink1 });
  await s.route({ prefix: 'fd00::', prefixLen: 64, port: PORTS.uplink2 });
  await s.member({ vni: TENANT_A.vni, remoteVtep: R1.address, trusted: R1.trusted });
  await s.member({ vni: TENANT_A.vni, remoteVtep: R2.address, trusted: R2.trusted });
  await s.remoteMac(REMOTE_A1);
  await s.remoteMac(REMOTE_A2);
  await s.securityOptionFormat({ optionClass: 0xfff0, type: 0x01, critical: o.criticalOption ?? false });
  if (o.allowAll !== false) {
    for (const t of [TENANT_A, TENANT_B]) await s.policy({ vni: t.vni, allow: true, priority: 1 });
  }
}

/** Starts the selected target once per test file and opens a session on it. */
export function useVtep(): () => VtepSession {
  let target: RunningTarget | undefined;
  let session: VtepSession | undefined;
  beforeAll(async () => {
    target = await startTarget();
    session = await VtepSession.open(target);
  });
  afterAll(async () => {
    flushReport();
    session?.close();
    await target?.stop();
  });
  return () => {
    if (!session) throw new Error('the target did not start');
    return session;
  };
}
