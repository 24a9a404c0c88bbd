// docs/DATAPLANE.md rules 2 and 10: BUM traffic, head-end replicated per VNI.
import { describe, expect, it } from 'vitest';
import {
  A1,
  A2,
  B1,
  B2,
  installFabric,
  R1,
  R2,
  REMOTE_A1,
  TENANT_A,
  TENANT_B,
  useVtep,
} from './harness/fabric.js';
import { expectedEncap, fromRemoteVtep, tagged, tenantFrame } from './harness/frames.js';
import { PORTS, UNDERLAY, type VtepSession } from './harness/vtep.js';

const session = useVtep();
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

async function floodGroups(s: VtepSession): Promise<void> {
  await s.floodGroup({
    vni: TENANT_A.vni,
    groupId: 1,
    replicas: [
      { rid: 101, port: A1.port, vport: A1.vport, securityId: A1.securityId },
      { rid: 102, port: A2.port, vport: A2.vport, securityId: A2.securityId },
      { rid: 103, port: PORTS.uplink1, local: UNDERLAY.localVtep4, remote: R1.address },
      { rid: 104, port: PORTS.uplink2, local: UNDERLAY.localVtep6, remote: R2.address },
    ],
  });
  await s.floodGroup({
    vni: TENANT_B.vni,
    groupId: 2,
    replicas: [
      { rid: 201, port: B1.port, vport: B1.vport, securityId: B1.securityId },
      { rid: 202, port: B2.port, vport: B2.vport, vlan: B2.vlan, securityId: B2.securityId },
    ],
  });
}

const byPort = (a: { port: number }, b: { port: number }) => a.port - b.port;

describe('BUM flooding', () => {
  it('from an access port: every other local vport and every remote VTEP of the VNI, encapsulated per copy', async () => {
    const s = session();
    await s.reset('flood: from access');
    await installFabric(s);
    await floodGroups(s);
    const arp = tenantFrame({ dst: BROADCAST, src: A1.mac, payloadLength: 28 });
    // Four replicas, the one back to A1 pruned: three copies.
    const out = (await s.send(A1.port, arp, 'broadcast from A1', 3)).sort(byPort);
    expect(out).toEqual([
      { port: A2.port, bytes: arp },
      {
        port: PORTS.uplink1,
        bytes: expectedEncap(arp, { vni: TENANT_A.vni, remoteVtep: R1.address, securityId: A1.securityId }),
      },
      {
        port: PORTS.uplink2,
        bytes: expectedEncap(arp, { vni: TENANT_A.vni, remoteVtep: R2.address, securityId: A1.securityId }),
      },
    ]);
    const tx = await s.counter('VtepEgress.tenant_to_network', TENANT_A.slot);
    expect(tx.packets).toBe(2n);
  });

  it('stays inside the VNI: tenant B floods to tenant B ports only, with their tags', async () => {
    const s = session();
    await s.reset('flood: per VNI');
    await installFabric(s);
    await floodGroups(s);
    const multicast = tenantFrame({
      dst: '01:00:5e:00:00:fb',
      src: B1.mac,
      ip: { src: '172.16.0.3', dst: '224.0.0.251' },
    });
    // Two replicas, the one back to B1 pruned: one copy.
    expect(await s.send(B1.port, multicast, 'multicast from B1', 1)).toEqual([
      { port: B2.port, bytes: tagged(multicast, B2.vlan) },
    ]);
  });

  it('from the underlay: local vports only (split horizon)', async () => {
    const s = session();
    await s.reset('flood: from underlay');
    await installFabric(s);
    await floodGroups(s);
    const arp = tenantFrame({ dst: BROADCAST, src: REMOTE_A1.mac, payloadLength: 28 });
    const tunnelled = fromRemoteVtep(arp, { vni: TENANT_A.vni, from: R1.address });
    // The copies to remote VTEPs are pruned: one copy per local vport.
    const out = (await s.send(PORTS.uplink1, tunnelled, 'broadcast from R1', 2)).sort(byPort);
    expect(out).toEqual([
      { port: A1.port, bytes: arp },
      { port: A2.port, bytes: arp },
    ]);
  });

  it('applies policy to each local copy with its own destination ID', async () => {
    const s = session();
    await s.reset('flood: policy per copy');
    await installFabric(s, { allowAll: false });
    await floodGroups(s);
    await s.policy({ vni: TENANT_A.vni, src: 900, dst: A2.securityId, allow: true, priority: 5 });
    const arp = tenantFrame({ dst: BROADCAST, src: REMOTE_A1.mac, payloadLength: 28 });
    const tunnelled = fromRemoteVtep(arp, { vni: TENANT_A.vni, from: R1.address });
    // Two local copies: A2's leaves, A1's is dropped by policy and counted.
    expect(await s.send(PORTS.uplink1, tunnelled, 'broadcast, A2 allowed only', 2)).toEqual([
      { port: A2.port, bytes: arp },
    ]);
    expect(await s.dropCount('POLICY_DENY')).toBe(1n);
  });
});
