// Controller port: packet-out, and packet-in for MTU (rule 5), Geneve control packets (rule 7) and
// the BUM of a tenant without replication (rule 2, bum_flood -> bum_to_controller).
import { describe, expect, it } from 'vitest';
import { PUNT_REASONS } from '../../src/controller/reasons.js';
import { A1, A2, B2, installFabric, R1, REMOTE_A1, TENANT_A, TENANT_B, useVtep } from './harness/fabric.js';
import { fromRemoteVtep, tagged, tenantFrame } from './harness/frames.js';
import { PORTS } from './harness/vtep.js';

const session = useVtep();

describe('controller I/O', () => {
  it('packet-out leaves the chosen port unchanged, bypassing every table', async () => {
    const s = session();
    await s.reset('controller: packet-out');
    await installFabric(s, { allowAll: false });
    // Not even a valid source: packet-out is not classified.
    const frame = tenantFrame({ dst: A2.mac, src: '02:c0:00:00:00:01', payloadLength: 50 });
    expect(await s.packetOut(A2.port, frame)).toEqual([{ port: A2.port, bytes: frame }]);
    expect(await s.packetOut(PORTS.uplink1, frame)).toEqual([{ port: PORTS.uplink1, bytes: frame }]);
  });

  it('a frame too large for the uplink MTU reaches the controller, before encapsulation', async () => {
    const s = session();
    await s.reset('controller: MTU packet-in');
    await installFabric(s, { uplinkMtu: 1500 });
    await s.puntCloneSession();
    const big = tenantFrame({
      dst: REMOTE_A1.mac,
      src: A1.mac,
      ip: { src: '192.168.1.1', dst: '192.168.1.11' },
      l4: { protocol: 'udp', srcPort: 1000, dstPort: 2000 },
      payloadLength: 1500 - 20 - 8 - 30,
    });
    // Frame 14 + 1470 = 1484 bytes; outer datagram 20 + 8 + 16 + 1484 = 1528 > 1500.
    // Two fates: the drop counted as MTU_EXCEEDED, and the packet-in of its clone.
    expect(await s.send(A1.port, big, 'too big for 1500', 2)).toEqual([]);
    const [punt, ...rest] = await s.waitForPacketIns(1);
    expect(rest).toEqual([]);
    expect(Buffer.from(punt.payload).equals(Buffer.from(big))).toBe(true);
    expect(Number(punt.metadata.ingress_port)).toBe(A1.port);
    expect(Number(punt.metadata.reason)).toBe(PUNT_REASONS.MTU_EXCEEDED);
    expect(await s.dropCount('MTU_EXCEEDED')).toBe(1n);
  });

  it('a Geneve control packet (O bit) goes whole to the controller and is never forwarded', async () => {
    const s = session();
    await s.reset('controller: Geneve OAM');
    await installFabric(s);
    const inner = tenantFrame({ dst: A1.mac, src: REMOTE_A1.mac });
    const oam = fromRemoteVtep(inner, { vni: TENANT_A.vni, from: R1.address, oam: true });
    expect(await s.send(PORTS.uplink1, oam, 'OAM from R1')).toEqual([]);
    const [punt] = await s.waitForPacketIns(1);
    expect(Buffer.from(punt.payload).equals(Buffer.from(oam))).toBe(true);
    expect(Number(punt.metadata.ingress_port)).toBe(PORTS.uplink1);
    expect(Number(punt.metadata.reason)).toBe(PUNT_REASONS.GENEVE_OAM);
  });

  it('BUM of a tenant without replication reaches the controller as it would be forwarded, and nothing else does', async () => {
    const s = session();
    await s.reset('controller: BUM packet-in');
    await installFabric(s);
    await s.insert([
      s.entry('bum_flood', { vni: TENANT_A.vni }, 'bum_to_controller'),
      s.entry('bum_flood', { vni: TENANT_B.vni }, 'bum_to_controller'),
    ]);
    // From a tagged access vport: the frame without its access tag.
    const broadcast = tenantFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: B2.mac, payloadLength: 28 });
    expect(await s.send(B2.port, tagged(broadcast, B2.vlan), 'broadcast from B2')).toEqual([]);
    // From the underlay: the decapsulated frame, with the uplink as ingress port.
    const multicast = tenantFrame({ dst: '01:00:5e:00:00:fb', src: REMOTE_A1.mac, payloadLength: 40 });
    const tunnelled = fromRemoteVtep(multicast, { vni: TENANT_A.vni, from: R1.address });
    expect(await s.send(PORTS.uplink1, tunnelled, 'multicast from R1')).toEqual([]);
    const punts = await s.waitForPacketIns(2);
    expect(
      punts.map((p) => [
        Buffer.from(p.payload).toString('hex'),
        Number(p.metadata.ingress_port),
        Number(p.metadata.reason),
      ]),
    ).toEqual([
      [Buffer.from(broadcast).toString('hex'), B2.port, PUNT_REASONS.BUM],
      [Buffer.from(multicast).toString('hex'), PORTS.uplink1, PUNT_REASONS.BUM],
    ]);
    // Unknown unicast is still dropped, not punted.
    const unicast = tenantFrame({ dst: '02:00:00:00:0e:0e', src: A1.mac });
    expect(await s.send(A1.port, unicast, 'unknown unicast from A1')).toEqual([]);
    expect(await s.dropCount('UNKNOWN_DESTINATION')).toBe(1n);
  });
});
