// Controller port: packet-out, and packet-in for MTU (rule 5) and Geneve control packets (rule 7).
import { describe, expect, it } from 'vitest';
import { PUNT_REASONS } from '../../src/controller/reasons.js';
import { A1, A2, installFabric, R1, REMOTE_A1, TENANT_A, useVtep } from './harness/fabric.js';
import { fromRemoteVtep, tenantFrame } from './harness/frames.js';
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
});
