// docs/DATAPLANE.md rules 1-3: switching between local workloads of one tenant.
import { describe, expect, it } from 'vitest';
import { A1, A2, B1, B2, installFabric, TENANT_B, useVtep } from './harness/fabric.js';
import { tagged, tenantFrame, untagged } from './harness/frames.js';

const session = useVtep();

describe('local switching', () => {
  it('forwards between vports of one VNI, unchanged', async () => {
    const s = session();
    await s.reset('local: same VNI');
    await installFabric(s);
    const frame = tenantFrame({ dst: A2.mac, src: A1.mac, ip: { src: '192.168.1.1', dst: '192.168.1.2' } });
    expect(await s.send(A1.port, frame, 'A1 -> A2')).toEqual([{ port: A2.port, bytes: frame }]);
    const back = tenantFrame({ dst: A1.mac, src: A2.mac, l4: undefined });
    expect(await s.send(A2.port, back, 'A2 -> A1 (non-IP)')).toEqual([{ port: A1.port, bytes: back }]);
  });

  it('removes the source access tag and adds the destination one', async () => {
    const s = session();
    await s.reset('local: VLAN tags');
    await installFabric(s);
    // B1 (untagged) and B2 (VLAN 20) are both in tenant B.
    const fromB1 = tenantFrame({ dst: B2.mac, src: B1.mac, ip: { src: '172.16.0.3', dst: '172.16.0.4' } });
    expect(await s.send(B1.port, fromB1, 'B1 -> B2')).toEqual([
      { port: B2.port, bytes: tagged(fromB1, B2.vlan) },
    ]);
    const fromB2 = tenantFrame({
      dst: B1.mac,
      src: B2.mac,
      vlan: B2.vlan,
      ip: { src: '172.16.0.4', dst: '172.16.0.3' },
    });
    expect(await s.send(B2.port, fromB2, 'B2 -> B1')).toEqual([{ port: B1.port, bytes: untagged(fromB2) }]);
  });

  it('never crosses tenants, even with the same MAC address in both', async () => {
    const s = session();
    await s.reset('local: overlapping MACs');
    await installFabric(s);
    // A1 and B1 share a MAC. A frame from A2 to that MAC goes to A1 only; from B2, to B1 only.
    const fromA2 = tenantFrame({ dst: A1.mac, src: A2.mac });
    expect(await s.send(A2.port, fromA2, 'A2 -> shared MAC')).toEqual([{ port: A1.port, bytes: fromA2 }]);
    const fromB2 = tenantFrame({ dst: B1.mac, src: B2.mac, vlan: B2.vlan });
    expect(await s.send(B2.port, fromB2, 'B2 -> shared MAC')).toEqual([
      { port: B1.port, bytes: untagged(fromB2) },
    ]);
    // A2's MAC is unknown in tenant B.
    const cross = tenantFrame({ dst: A2.mac, src: B2.mac, vlan: B2.vlan });
    expect(await s.send(B2.port, cross, 'B2 -> A2 MAC')).toEqual([]);
    expect(await s.dropCount('UNKNOWN_DESTINATION')).toBe(1n);
    expect(TENANT_B.vni).not.toBe(A1.vni);
  });

  it('drops a unicast frame addressed back to its own vport', async () => {
    const s = session();
    await s.reset('local: hairpin');
    await installFabric(s);
    const frame = tenantFrame({ dst: A1.mac, src: A1.mac });
    expect(await s.send(A1.port, frame, 'A1 -> A1')).toEqual([]);
    expect(await s.dropCount('HAIRPIN')).toBe(1n);
  });
});
