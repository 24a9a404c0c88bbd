// A controller the underlay cannot flood (docs/DATAPLANE.md rules 13 and 14): Geneve OAM only from
// member VTEPs of known VNIs, every punt path through a meter the controller configures, meter drops
// counted, and packet-out to a port the device does not have dropped and counted.
import { describe, expect, it } from 'vitest';
import { PUNT_REASONS } from '../../src/controller/reasons.js';
import {
  A1,
  A2,
  installFabric,
  R1,
  R2,
  REFERENCE_INTENT,
  REMOTE_A1,
  TENANT_A,
  TENANT_B,
  useVtep,
} from './harness/fabric.js';
import { fromRemoteVtep, tenantFrame } from './harness/frames.js';
import { VtepModel } from './harness/model.js';
import { PORTS } from './harness/vtep.js';

/** The first port number v1model cannot have: bmv2's drop port (p4/v1model/main.p4). */
const FIRST_INVALID_PORT = 511;

const session = useVtep();
const model = new VtepModel(REFERENCE_INTENT);

const OAM_METER = 'VtepEgress.oam_punt_meter';
const MTU_METER = 'VtepEgress.mtu_punt_meter';

const oam = (o: { vni?: number; from?: string; fill?: number }) =>
  fromRemoteVtep(tenantFrame({ dst: A1.mac, src: REMOTE_A1.mac, fill: o.fill ?? 0x5a }), {
    vni: o.vni ?? TENANT_A.vni,
    from: o.from ?? R1.address,
    oam: true,
  });

describe('Geneve OAM reaches the controller only from a member VTEP of a known VNI (rule 13)', () => {
  it('drops OAM from non-members and for unknown VNIs, counted as such; punts members', async () => {
    const s = session();
    await s.reset('punts: OAM membership');
    await installFabric(s);
    const refused: Array<[string, Uint8Array, 'UNKNOWN_VNI' | 'VTEP_NOT_MEMBER', number]> = [
      ['unknown VNI', oam({ vni: 7777 }), 'UNKNOWN_VNI', PORTS.uplink1],
      ['non-member 10.0.0.3', oam({ from: '10.0.0.3' }), 'VTEP_NOT_MEMBER', PORTS.uplink1],
      ['member of another VNI', oam({ vni: TENANT_B.vni }), 'VTEP_NOT_MEMBER', PORTS.uplink1],
      ['IPv6 non-member', oam({ from: 'fd00::3' }), 'VTEP_NOT_MEMBER', PORTS.uplink2],
    ];
    for (const [label, frame, reason, port] of refused) {
      expect(model.decide(port, frame).drops, label).toEqual([reason]);
      const before = await s.dropCount(reason);
      expect(await s.send(port, frame, label)).toEqual([]);
      expect(await s.dropCount(reason), label).toBe(before + 1n);
    }
    // Members' OAM is punted whole; packet-ins arrive in order, so had a refused one been punted it
    // would come first.
    const fromR1 = oam({ fill: 1 });
    const fromR2 = oam({ from: R2.address, fill: 2 });
    expect(await s.send(PORTS.uplink1, fromR1, 'OAM from R1')).toEqual([]);
    expect(await s.send(PORTS.uplink2, fromR2, 'OAM from R2')).toEqual([]);
    const punts = await s.waitForPacketIns(2);
    expect(punts.map((p) => Buffer.from(p.payload).toString('hex'))).toEqual(
      [fromR1, fromR2].map((f) => Buffer.from(f).toString('hex')),
    );
    expect(punts.map((p) => Number(p.metadata.reason))).toEqual([
      PUNT_REASONS.GENEVE_OAM,
      PUNT_REASONS.GENEVE_OAM,
    ]);
    expect(punts.map((p) => Number(p.metadata.ingress_port))).toEqual([PORTS.uplink1, PORTS.uplink2]);
    expect(model.decide(PORTS.uplink1, fromR1).punts).toEqual([{ reason: 'GENEVE_OAM', bytes: fromR1 }]);
  });
});

describe('punt meters (rule 13)', () => {
  it('OAM beyond the meter is dropped and counted', async () => {
    const s = session();
    await s.reset('punts: OAM meter');
    await installFabric(s);
    // No refill: a burst of 2, then red for ever. Deterministic, no timing.
    await s.puntMeter(OAM_METER, 0, 2);
    const frames = [1, 2, 3, 4, 5].map((fill) => oam({ fill }));
    for (const [i, f] of frames.entries()) expect(await s.send(PORTS.uplink1, f, `OAM ${i + 1}`)).toEqual([]);
    expect(await s.dropCount('OAM_PUNT_METER')).toBe(3n);
    const punts = await s.waitForPacketIns(2);
    expect(punts.map((p) => p.payload[p.payload.length - 1])).toEqual([1, 2]);
    // The meter's configuration reads back as written.
    const [cell] = await s.client.readAll(s.client.meterEntry(OAM_METER, { index: 0 }));
    expect(cell.kind === 'meterEntry' && cell.config).toMatchObject({
      cir: 0n,
      cburst: 2n,
      pir: 0n,
      pburst: 2n,
    });
  });

  it('MTU punts beyond the meter are dropped and counted; the too-big frame still counts MTU_EXCEEDED', async () => {
    const s = session();
    await s.reset('punts: MTU meter');
    await installFabric(s, { uplinkMtu: 200 });
    await s.puntCloneSession();
    await s.puntMeter(MTU_METER, 0, 1);
    const big = (fill: number) =>
      tenantFrame({
        dst: REMOTE_A1.mac,
        src: A1.mac,
        ip: { src: '192.168.1.1', dst: '192.168.1.11' },
        payloadLength: 300,
        fill,
      });
    // Two fates each: the too-big frame's counted drop, and its clone's packet-in or meter drop.
    for (const fill of [1, 2, 3]) expect(await s.send(A1.port, big(fill), `too big ${fill}`, 2)).toEqual([]);
    expect(await s.dropCount('MTU_EXCEEDED')).toBe(3n);
    expect(await s.dropCount('MTU_PUNT_METER')).toBe(2n);
    const punts = await s.waitForPacketIns(1);
    expect(punts.map((p) => Buffer.from(p.payload).toString('hex'))).toEqual([
      Buffer.from(big(1)).toString('hex'),
    ]);
    expect(Number(punts[0].metadata.reason)).toBe(PUNT_REASONS.MTU_EXCEEDED);
  });

  it('a meter with room lets every punt through', async () => {
    const s = session();
    await s.reset('punts: meter with room');
    await installFabric(s);
    await s.puntMeter(OAM_METER, 1000, 100);
    for (const fill of [1, 2, 3]) await s.send(PORTS.uplink1, oam({ fill }), `OAM ${fill}`);
    expect((await s.waitForPacketIns(3)).map((p) => p.payload[p.payload.length - 1])).toEqual([1, 2, 3]);
    expect(await s.dropCount('OAM_PUNT_METER')).toBe(0n);
  });
});

describe('packet-out to a port the device does not have (rule 14)', () => {
  it('is dropped and counted, never cut down to another port', async () => {
    const s = session();
    await s.reset('punts: packet-out port');
    await installFabric(s);
    const frame = tenantFrame({ dst: A2.mac, src: '02:c0:00:00:00:01', payloadLength: 50 });
    // 0x0201 would be port 1 (A1) cut to 9 bits, 0x0205 uplink 1, 0x01ff bmv2's drop port.
    const refused = [0x0201, 0x0205, 0x0200, 0x01ff, 0xffff, 0x8001, s.target.cpuPort];
    for (const port of refused) {
      const before = await s.dropCount('PACKET_OUT_PORT');
      expect(await s.packetOut(port, frame), `port ${port}`).toEqual([]);
      expect(await s.dropCount('PACKET_OUT_PORT'), `port ${port}`).toBe(before + 1n);
    }
    // Real ports still work.
    expect(await s.packetOut(A1.port, frame)).toEqual([{ port: A1.port, bytes: frame }]);
    expect(await s.packetOut(PORTS.uplink2, frame)).toEqual([{ port: PORTS.uplink2, bytes: frame }]);
    expect(await s.dropCount('PACKET_OUT_PORT')).toBe(BigInt(refused.length));
  });

  it('drops and counts a packet-out to a port number that fits but is not configured', async () => {
    const s = session();
    await s.reset('punts: packet-out to an unconfigured port');
    await installFabric(s);
    const model = new VtepModel(REFERENCE_INTENT);
    const frame = tenantFrame({ dst: A2.mac, src: '02:c0:00:00:00:01', payloadLength: 50 });
    // A port the target has (the harness attaches it) but the fabric gives no role, one it lacks,
    // and configured ports: each goes where the reference model says.
    const ports = [PORTS.unconfigured, 77, A1.port, PORTS.uplink1];
    let refused = 0n;
    for (const port of ports) {
      const fate = model.packetOut(port, s.target.cpuPort, FIRST_INVALID_PORT);
      const expected = 'drop' in fate ? [] : [{ port: fate.port, bytes: frame }];
      if ('drop' in fate) refused++;
      expect(await s.packetOut(port, frame), `port ${port}`).toEqual(expected);
      expect(await s.dropCount('PACKET_OUT_PORT'), `port ${port}`).toBe(refused);
    }
    expect(refused).toBe(2n);
    // Once the controller configures the port, the same packet-out leaves it.
    await s.client.insert([
      s.client.tableEntry('port_role', { match: { port: PORTS.unconfigured }, action: 'set_access_port' }),
    ]);
    expect(await s.packetOut(PORTS.unconfigured, frame)).toEqual([
      { port: PORTS.unconfigured, bytes: frame },
    ]);
    expect(await s.dropCount('PACKET_OUT_PORT')).toBe(2n);
  });
});
