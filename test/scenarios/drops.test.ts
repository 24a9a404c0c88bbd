// Every drop reason of docs/DATAPLANE.md, each with its own counter.
import { describe, expect, it } from 'vitest';
import type { DropReason } from '../../src/controller/reasons.js';
import { buildFrame, type GeneveOption } from '../../src/packet/index.js';
import { A1, A2, installFabric, R1, REMOTE_A1, TENANT_A, useVtep } from './harness/fabric.js';
import { fromRemoteVtep, securityOption, tenantFrame } from './harness/frames.js';
import { PORTS, UNDERLAY, type VtepSession } from './harness/vtep.js';

const session = useVtep();

const innerToA1 = () =>
  tenantFrame({ dst: A1.mac, src: REMOTE_A1.mac, ip: { src: '192.168.1.11', dst: '192.168.1.1' } });

/** A Geneve packet from R1 with any header field overridden. */
function tunnelPacket(o: {
  vni?: number;
  srcIp?: string;
  dstIp?: string;
  version?: number;
  protocolType?: number;
  options?: GeneveOption[];
  optionsLength?: number;
  dstPort?: number;
  ipChecksum?: number;
  inner?: Uint8Array;
}): Uint8Array {
  return buildFrame([
    { kind: 'ethernet', dst: UNDERLAY.uplinkMac, src: UNDERLAY.nextHopMac },
    {
      kind: 'ipv4',
      src: o.srcIp ?? R1.address,
      dst: o.dstIp ?? UNDERLAY.localVtep4,
      dontFragment: true,
      ...(o.ipChecksum !== undefined ? { checksum: o.ipChecksum } : {}),
    },
    { kind: 'udp', srcPort: 50000, dstPort: o.dstPort ?? 6081, checksum: 0 },
    {
      kind: 'geneve',
      vni: o.vni ?? TENANT_A.vni,
      version: o.version ?? 0,
      protocolType: o.protocolType ?? 0x6558,
      options: o.options ?? [securityOption(900)],
      ...(o.optionsLength !== undefined ? { optionsLength: o.optionsLength } : {}),
    },
    { kind: 'payload', data: o.inner ?? innerToA1() },
  ]);
}

async function expectDrop(
  s: VtepSession,
  reason: DropReason,
  port: number,
  frame: Uint8Array,
  copies = 1,
): Promise<void> {
  const before = await s.dropCounts();
  expect(await s.send(port, frame, reason, copies), reason).toEqual([]);
  const after = await s.dropCounts();
  const delta: Partial<Record<DropReason, bigint>> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)]) as Set<DropReason>) {
    const d = (after[k] ?? 0n) - (before[k] ?? 0n);
    if (d !== 0n) delta[k] = d;
  }
  expect(delta, reason).toEqual({ [reason]: 1n });
}

describe('drop reasons', () => {
  it('access side: unconfigured port, unknown source, unknown destination, no tunnel, no route', async () => {
    const s = session();
    await s.reset('drops: access side');
    await installFabric(s);
    const ok = tenantFrame({ dst: A2.mac, src: A1.mac });
    await expectDrop(s, 'PORT_UNCONFIGURED', PORTS.unconfigured, ok);
    await expectDrop(s, 'UNKNOWN_SOURCE', A1.port, tenantFrame({ dst: A2.mac, src: '02:66:66:66:66:66' }));
    // A1's MAC on A2's port is spoofing, too.
    await expectDrop(s, 'UNKNOWN_SOURCE', A2.port, tenantFrame({ dst: A2.mac, src: A1.mac }));
    // A tagged frame on an untagged vport does not match it.
    await expectDrop(s, 'UNKNOWN_SOURCE', A1.port, tenantFrame({ dst: A2.mac, src: A1.mac, vlan: 7 }));
    await expectDrop(
      s,
      'UNKNOWN_DESTINATION',
      A1.port,
      tenantFrame({ dst: '02:77:77:77:77:77', src: A1.mac }),
    );
    await s.remoteMac({ vni: TENANT_A.vni, mac: '02:00:00:00:0a:99', tunnelId: 99 });
    await expectDrop(s, 'NO_TUNNEL', A1.port, tenantFrame({ dst: '02:00:00:00:0a:99', src: A1.mac }));
    await s.tunnel({ id: 99, local: UNDERLAY.localVtep4, remote: '198.51.100.7' });
    await expectDrop(s, 'NO_UNDERLAY_ROUTE', A1.port, tenantFrame({ dst: '02:00:00:00:0a:99', src: A1.mac }));
  });

  it('uplink side: not for us, bad checksum, Geneve version, protocol, option lengths, critical option', async () => {
    const s = session();
    await s.reset('drops: Geneve validation');
    await installFabric(s);
    expect(await s.send(PORTS.uplink1, tunnelPacket({}), 'valid')).toHaveLength(1);
    await expectDrop(s, 'NOT_FOR_LOCAL_VTEP', PORTS.uplink1, tunnelPacket({ dstIp: '10.0.0.200' }));
    await expectDrop(s, 'NOT_FOR_LOCAL_VTEP', PORTS.uplink1, tunnelPacket({ dstPort: 4789 }));
    await expectDrop(
      s,
      'NOT_FOR_LOCAL_VTEP',
      PORTS.uplink1,
      tenantFrame({ dst: UNDERLAY.uplinkMac, src: A1.mac }),
    );
    await expectDrop(s, 'OUTER_IPV4_CHECKSUM', PORTS.uplink1, tunnelPacket({ ipChecksum: 0x1234 }));
    await expectDrop(s, 'GENEVE_VERSION', PORTS.uplink1, tunnelPacket({ version: 1 }));
    await expectDrop(s, 'GENEVE_PROTOCOL', PORTS.uplink1, tunnelPacket({ protocolType: 0x0800 }));
    // The second option claims 4 data words but Opt Len leaves room for 2.
    const overrun = tunnelPacket({
      options: [
        securityOption(900),
        { optionClass: 0x0102, type: 3, critical: false, length: 4, data: new Uint8Array(8) },
      ],
      optionsLength: 4,
    });
    await expectDrop(s, 'GENEVE_OPTION_LENGTH', PORTS.uplink1, overrun);
    // Beyond the parser's bound of 8 option words (32 bytes): 9 words, however they are split.
    const filler = (words: number) => ({
      optionClass: 0x0103,
      type: 4,
      critical: false,
      data: new Uint8Array(words * 4),
    });
    await expectDrop(
      s,
      'GENEVE_OPTION_LENGTH',
      PORTS.uplink1,
      tunnelPacket({ options: [securityOption(900), filler(6)] }),
    );
    await expectDrop(s, 'GENEVE_OPTION_LENGTH', PORTS.uplink1, tunnelPacket({ options: [filler(12)] }));
    const critical = { optionClass: 0x0102, type: 0x05, critical: true, data: new Uint8Array(4) };
    await expectDrop(
      s,
      'GENEVE_CRITICAL_OPTION',
      PORTS.uplink1,
      tunnelPacket({ options: [critical, securityOption(900)] }),
    );
    await expectDrop(
      s,
      'GENEVE_CRITICAL_OPTION',
      PORTS.uplink1,
      tunnelPacket({ options: [securityOption(900), critical] }),
    );
    // Options that run past the end of the packet: the outer lengths say more than the frame holds.
    const truncated = tunnelPacket({}).subarray(0, 14 + 20 + 8 + 8 + 6);
    await expectDrop(s, 'OUTER_LENGTH', PORTS.uplink1, truncated);
  });

  it('uplink side: unknown VNI, VTEP not a member, tunnel to tunnel', async () => {
    const s = session();
    await s.reset('drops: VNI isolation');
    await installFabric(s);
    await expectDrop(s, 'UNKNOWN_VNI', PORTS.uplink1, tunnelPacket({ vni: 7777 }));
    // 10.0.0.3 is in the underlay but not a member of VNI 5000.
    await expectDrop(s, 'VTEP_NOT_MEMBER', PORTS.uplink1, tunnelPacket({ srcIp: '10.0.0.3' }));
    // R1 is a member of tenant A only.
    await expectDrop(s, 'VTEP_NOT_MEMBER', PORTS.uplink1, tunnelPacket({ vni: 6000 }));
    const toRemote = tenantFrame({ dst: '02:00:00:00:0a:12', src: REMOTE_A1.mac });
    await expectDrop(s, 'TUNNEL_TO_TUNNEL', PORTS.uplink1, tunnelPacket({ inner: toRemote }));
  });

  it('egress: policy deny and MTU, counted with bytes', async () => {
    const s = session();
    await s.reset('drops: policy and MTU');
    await installFabric(s, { allowAll: false, uplinkMtu: 200 });
    await s.puntCloneSession();
    await expectDrop(s, 'POLICY_DENY', A1.port, tenantFrame({ dst: A2.mac, src: A1.mac }));
    const big = tenantFrame({
      dst: REMOTE_A1.mac,
      src: A1.mac,
      ip: { src: '192.168.1.1', dst: '192.168.1.11' },
      payloadLength: 200,
    });
    // Two fates: the counted drop, and the packet-in of its clone to the CPU port.
    await expectDrop(s, 'MTU_EXCEEDED', A1.port, big, 2);
    expect(await s.waitForPacketIns(1)).toHaveLength(1);
    const fits = tenantFrame({
      dst: REMOTE_A1.mac,
      src: A1.mac,
      ip: { src: '192.168.1.1', dst: '192.168.1.11' },
      payloadLength: 100,
    });
    // Outer IPv4 datagram: 20 + 8 + 16 + frame (14 + 20 + 100) = 178 <= 200.
    expect(await s.send(A1.port, fits, 'fits the MTU')).toHaveLength(1);
    const denied = await s.counter('VtepEgress.egress_drops', 16);
    expect(denied.packets).toBe(1n);
    expect(denied.bytes).toBeGreaterThan(0n);
  });

  it('builds its tunnel packets exactly as encapsulate() does (fixture check)', () => {
    // Guards the fixtures above: encapsulate() and tunnelPacket() build the same valid packet.
    const inner = innerToA1();
    const viaHelper = fromRemoteVtep(inner, { vni: TENANT_A.vni, from: R1.address, udpSourcePort: 50000 });
    expect(Buffer.from(tunnelPacket({ inner })).equals(Buffer.from(viaHelper))).toBe(true);
  });
});
