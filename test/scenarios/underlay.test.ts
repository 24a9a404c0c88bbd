// A careful underlay citizen (docs/DATAPLANE.md rules 6, 7, 10, 11): what an uplink accepts, outer
// lengths, fragments, IP options, which reason wins when a packet breaks several rules, and
// encapsulated lengths that would wrap. Every expected reason is also the reference model's.
import { describe, expect, it } from 'vitest';
import type { DropReason } from '../../src/controller/reasons.js';
import {
  buildFrame,
  type GeneveLayer,
  type GeneveOption,
  type Ipv4Layer,
  type Ipv6Layer,
  type Layer,
  type UdpLayer,
} from '../../src/packet/index.js';
import {
  A1,
  A2,
  installFabric,
  R1,
  R2,
  REFERENCE_INTENT,
  REMOTE_A1,
  REMOTE_A2,
  TENANT_A,
  useVtep,
} from './harness/fabric.js';
import { expectedEncap, securityOption, tagged, tenantFrame } from './harness/frames.js';
import { VtepModel } from './harness/model.js';
import { PORTS, UNDERLAY, type VtepSession } from './harness/vtep.js';

const session = useVtep();
const model = new VtepModel(REFERENCE_INTENT);

const innerToA1 = (payloadLength = 32) =>
  tenantFrame({
    dst: A1.mac,
    src: REMOTE_A1.mac,
    ip: { src: '192.168.1.11', dst: '192.168.1.1' },
    payloadLength,
  });

/** A tunnel packet from R1 (or R2 with v6) to us, with any field of any layer overridden. */
function tunnel(
  o: {
    v6?: boolean;
    dstMac?: string;
    dstIp?: string;
    srcIp?: string;
    ipv4?: Partial<Ipv4Layer>;
    ipv6?: Partial<Ipv6Layer>;
    udp?: Partial<UdpLayer>;
    geneve?: Partial<GeneveLayer>;
    inner?: Uint8Array;
    /** Bytes after the IP datagram (Ethernet padding). */
    padding?: Uint8Array;
  } = {},
): Uint8Array {
  const layers: Layer[] = [
    {
      kind: 'ethernet',
      dst: o.dstMac ?? UNDERLAY.uplinkMac,
      src: UNDERLAY.nextHopMac,
      ...(o.padding ? { trailer: o.padding } : {}),
    },
    o.v6
      ? { kind: 'ipv6', src: o.srcIp ?? R2.address, dst: o.dstIp ?? UNDERLAY.localVtep6, ...o.ipv6 }
      : {
          kind: 'ipv4',
          src: o.srcIp ?? R1.address,
          dst: o.dstIp ?? UNDERLAY.localVtep4,
          dontFragment: true,
          ...o.ipv4,
        },
    { kind: 'udp', srcPort: 50000, dstPort: 6081, ...(o.v6 ? {} : { checksum: 0 }), ...o.udp },
    { kind: 'geneve', vni: TENANT_A.vni, protocolType: 0x6558, options: [securityOption(900)], ...o.geneve },
    { kind: 'payload', data: o.inner ?? innerToA1() },
  ];
  return buildFrame(layers);
}

/** Sends `frame` and checks it is dropped with exactly one count, of `reason`, as the model says. */
async function expectDrop(
  s: VtepSession,
  reason: DropReason,
  frame: Uint8Array,
  label: string,
  port: number = PORTS.uplink1,
): Promise<void> {
  expect(model.decide(port, frame).drops, `model: ${label}`).toEqual([reason]);
  const before = await s.dropCounts();
  expect(await s.send(port, frame, label), label).toEqual([]);
  const after = await s.dropCounts();
  const delta: Partial<Record<DropReason, bigint>> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)]) as Set<DropReason>) {
    const d = (after[k] ?? 0n) - (before[k] ?? 0n);
    if (d !== 0n) delta[k] = d;
  }
  expect(delta, label).toEqual({ [reason]: 1n });
}

/** Sends `frame` and checks that exactly what the model says leaves, with no drop counted. */
async function expectDelivered(s: VtepSession, frame: Uint8Array, label: string, port = PORTS.uplink1) {
  const expected = model.process(port, frame);
  expect(expected.length, `model delivers: ${label}`).toBeGreaterThan(0);
  const before = await s.dropCounts();
  const out = await s.send(port, frame, label);
  expect(out, label).toEqual(expected);
  expect(await s.dropCounts(), label).toEqual(before);
  return out;
}

describe('underlay: what an uplink accepts (rule 6)', () => {
  it('accepts unicast for its own MAC only: no other unicast, no broadcast, no multicast', async () => {
    const s = session();
    await s.reset('underlay: uplink MAC');
    await installFabric(s);
    await expectDelivered(s, tunnel(), 'to the uplink MAC');
    for (const [label, mac] of [
      ['another unicast MAC', '02:aa:00:00:00:99'],
      ['the next hop (our own source) MAC', UNDERLAY.nextHopMac],
      ['broadcast', 'ff:ff:ff:ff:ff:ff'],
      ['IPv4 multicast', '01:00:5e:00:00:01'],
      ['IPv6 multicast', '33:33:00:00:00:01'],
      ['a group address with our MAC otherwise', '03:aa:00:00:00:01'],
    ]) {
      await expectDrop(s, 'NOT_FOR_UPLINK_MAC', tunnel({ dstMac: mac }), label);
      await expectDrop(s, 'NOT_FOR_UPLINK_MAC', tunnel({ v6: true, dstMac: mac }), `${label}, IPv6`);
    }
    await expectDrop(s, 'PARSER_ERROR', tunnel().subarray(0, 13), 'shorter than an Ethernet header');
  });

  it('each uplink has its own MAC', async () => {
    const s = session();
    await s.reset('underlay: per-uplink MAC');
    await installFabric(s);
    const mac2 = '02:aa:00:00:00:02';
    await s.client.modify([
      s.entry('port_role', { port: PORTS.uplink2 }, 'set_uplink_port', { uplink_mac: mac2 }),
    ]);
    const m = new VtepModel({ ...REFERENCE_INTENT, uplinkMacs: { [PORTS.uplink2]: mac2 } });
    const onUplink2 = tunnel({ dstMac: mac2 });
    const out = await s.send(PORTS.uplink2, onUplink2, "to uplink 2's MAC");
    expect(out).toEqual(m.process(PORTS.uplink2, onUplink2));
    expect(out).toHaveLength(1);
    const before = await s.dropCount('NOT_FOR_UPLINK_MAC');
    const wrong = tunnel();
    expect(m.decide(PORTS.uplink2, wrong).drops).toEqual(['NOT_FOR_UPLINK_MAC']);
    expect(await s.send(PORTS.uplink2, wrong, "uplink 1's MAC on uplink 2")).toEqual([]);
    expect(await s.dropCount('NOT_FOR_UPLINK_MAC')).toBe(before + 1n);
  });
});

describe('underlay: outer lengths (rules 6 and 10)', () => {
  it('never lets Ethernet padding into the tenant frame', async () => {
    const s = session();
    await s.reset('underlay: padding');
    await installFabric(s);
    for (const v6 of [false, true]) {
      const family = v6 ? 'IPv6' : 'IPv4';
      for (const n of [1, 2, 4, 18, 46]) {
        const padded = tunnel({ v6, padding: new Uint8Array(n).fill(0xee) });
        const [out] = await expectDelivered(s, padded, `${family}, ${n} bytes of padding`);
        expect(Buffer.from(out.bytes).equals(Buffer.from(innerToA1())), `${family} ${n}`).toBe(true);
      }
      // A small tenant frame in a frame padded to the Ethernet minimum, as a NIC sends it.
      const small = tenantFrame({ dst: A1.mac, src: REMOTE_A1.mac, payloadLength: 1 });
      const bare = tunnel({ v6, inner: small });
      const minimum = tunnel({ v6, inner: small, padding: new Uint8Array(Math.max(1, 60 - bare.length)) });
      const [out] = await expectDelivered(s, minimum, `${family}, padded to 60 bytes`);
      expect(Buffer.from(out.bytes).equals(Buffer.from(small))).toBe(true);
    }
  });

  it('cuts the padding from every flood copy, and from a frame delivered with an access tag', async () => {
    const s = session();
    await s.reset('underlay: padding on flood copies and tagged delivery');
    await installFabric(s);
    // A3: a tenant-A workload behind VLAN 30 on port 4 (beside B2's VLAN 20).
    const A3 = {
      port: PORTS.access4,
      mac: '02:00:00:00:0a:03',
      vlan: 30,
      vport: 5,
      vni: TENANT_A.vni,
      securityId: 300,
    };
    await s.vport(A3);
    await s.localMac(A3);
    await s.floodGroup({
      vni: TENANT_A.vni,
      groupId: 1,
      replicas: [
        { rid: 1, port: A1.port, vport: A1.vport, securityId: A1.securityId },
        { rid: 2, port: A2.port, vport: A2.vport, securityId: A2.securityId },
        { rid: 3, port: A3.port, vport: A3.vport, vlan: A3.vlan, securityId: A3.securityId },
        { rid: 4, port: PORTS.uplink1, local: UNDERLAY.localVtep4, remote: R1.address },
      ],
    });
    const m = new VtepModel({
      ...REFERENCE_INTENT,
      vports: [...REFERENCE_INTENT.vports, A3],
      tenants: REFERENCE_INTENT.tenants.map((t) => (t.vni === TENANT_A.vni ? { ...t, floodGroup: 1 } : t)),
    });
    const byPort = (a: { port: number }, b: { port: number }) => a.port - b.port;
    for (const v6 of [false, true]) {
      const arp = tenantFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: REMOTE_A1.mac, payloadLength: 28 });
      const padded = tunnel({ v6, inner: arp, padding: new Uint8Array(12).fill(0xee) });
      const out = (
        await s.send(
          v6 ? PORTS.uplink2 : PORTS.uplink1,
          padded,
          `flood, padded, ${v6 ? 'IPv6' : 'IPv4'}`,
          m.fate(v6 ? PORTS.uplink2 : PORTS.uplink1, padded).copies,
        )
      ).sort(byPort);
      expect(out).toEqual([
        { port: A1.port, bytes: arp },
        { port: A2.port, bytes: arp },
        { port: A3.port, bytes: tagged(arp, A3.vlan) },
      ]);
      expect(out).toEqual(m.process(v6 ? PORTS.uplink2 : PORTS.uplink1, padded).sort(byPort));
      const toA3 = tenantFrame({
        dst: A3.mac,
        src: REMOTE_A1.mac,
        ip: { src: '192.168.1.11', dst: '192.168.1.3' },
      });
      const unicast = tunnel({ v6, inner: toA3, padding: new Uint8Array(5).fill(0xee) });
      expect(await s.send(PORTS.uplink1, unicast, 'tagged delivery, padded')).toEqual([
        { port: A3.port, bytes: tagged(toA3, A3.vlan) },
      ]);
    }
  });

  it('drops a frame shorter than its IP header or UDP header says, and lengths that disagree', async () => {
    const s = session();
    await s.reset('underlay: lengths');
    await installFabric(s);
    for (const v6 of [false, true]) {
      const family = v6 ? 'IPv6' : 'IPv4';
      const ok = tunnel({ v6 });
      const ipLen = ok.length - 14;
      const payload = ipLen - (v6 ? 40 : 20);
      const ip = (n: number) => (v6 ? { ipv6: { payloadLength: n - 40 } } : { ipv4: { totalLength: n } });
      // The frame is cut short: every cut inside the datagram, past the UDP header.
      for (const cut of [1, 4, 20, payload - 8 - 1]) {
        await expectDrop(s, 'OUTER_LENGTH', ok.subarray(0, ok.length - cut), `${family} cut by ${cut}`);
      }
      // The IP header claims more than the frame holds (frame intact, checksum right).
      await expectDrop(s, 'OUTER_LENGTH', tunnel({ v6, ...ip(ipLen + 1) }), `${family} length + 1`);
      await expectDrop(s, 'OUTER_LENGTH', tunnel({ v6, ...ip(0xffff) }), `${family} length 65535`);
      // The IP header claims less: the UDP length no longer matches.
      await expectDrop(s, 'OUTER_LENGTH', tunnel({ v6, ...ip(ipLen - 4) }), `${family} length - 4`);
      // Too small for the UDP header.
      await expectDrop(
        s,
        'OUTER_LENGTH',
        tunnel({ v6, ...ip((v6 ? 40 : 20) + 4) }),
        `${family} no room for UDP`,
      );
      // UDP length against the IP payload, both ways, and beyond.
      for (const d of [-1, 1, -4, 8]) {
        await expectDrop(
          s,
          'OUTER_LENGTH',
          tunnel({ v6, udp: { length: payload + d } }),
          `${family} UDP ${d}`,
        );
      }
      await expectDrop(s, 'OUTER_LENGTH', tunnel({ v6, udp: { length: 0 } }), `${family} UDP length 0`);
      // Consistent lengths on a datagram that really is padded: UDP and IP say less, the frame holds more.
      const padded = tunnel({ v6, padding: new Uint8Array(8) });
      await expectDelivered(s, padded, `${family} consistent lengths, 8 bytes of padding`);
    }
    await expectDrop(
      s,
      'OUTER_LENGTH',
      tunnel({ ipv4: { totalLength: 12 } }),
      'IPv4 total length below the header length',
    );
  });
});

describe('underlay: fragments and IP options are addressed to us, never NOT_FOR_LOCAL_VTEP (rule 6)', () => {
  it('never decapsulates an outer fragment', async () => {
    const s = session();
    await s.reset('underlay: fragments');
    await installFabric(s);
    const cases: Array<[string, Partial<Ipv4Layer>]> = [
      ['MF set, offset 0 (the first fragment)', { moreFragments: true, dontFragment: false }],
      ['offset 185, MF clear (the last fragment)', { fragmentOffset: 185, dontFragment: false }],
      ['offset 1, MF set', { fragmentOffset: 1, moreFragments: true, dontFragment: false }],
      ['MF set with DF also set', { moreFragments: true }],
    ];
    for (const [label, ipv4] of cases) await expectDrop(s, 'OUTER_FRAGMENT', tunnel({ ipv4 }), label);
    // A later fragment of anything to our address, whatever its protocol byte says.
    await expectDrop(
      s,
      'OUTER_FRAGMENT',
      tunnel({ ipv4: { fragmentOffset: 3, protocol: 6, dontFragment: false } }),
      'offset 3, protocol TCP',
    );
    await expectDrop(
      s,
      'OUTER_FRAGMENT',
      tunnel({ v6: true, ipv6: { extensionHeaders: [{ protocol: 44, data: new Uint8Array(6) }] } }),
      'IPv6 Fragment header',
    );
    // A fragment for another address is not ours at all.
    await expectDrop(
      s,
      'NOT_FOR_LOCAL_VTEP',
      tunnel({ dstIp: '10.0.0.200', ipv4: { moreFragments: true, dontFragment: false } }),
      'fragment to another address',
    );
  });

  it('refuses IPv4 options and IPv6 option headers it cannot see through', async () => {
    const s = session();
    await s.reset('underlay: IP options');
    await installFabric(s);
    await expectDrop(
      s,
      'OUTER_IP_OPTIONS',
      tunnel({ ipv4: { options: Uint8Array.of(1, 1, 1, 1) } }),
      'IPv4 with 4 bytes of options',
    );
    await expectDrop(
      s,
      'OUTER_IP_OPTIONS',
      tunnel({ ipv4: { options: new Uint8Array(40).fill(1) } }),
      'IPv4 with 40 bytes of options',
    );
    for (const protocol of [0, 43, 60]) {
      await expectDrop(
        s,
        'OUTER_IP_OPTIONS',
        tunnel({ v6: true, ipv6: { extensionHeaders: [{ protocol, data: new Uint8Array(6) }] } }),
        `IPv6 extension header ${protocol}`,
      );
    }
  });
});

describe('underlay: which reason wins (rules 6 and 7)', () => {
  const unknownCritical: GeneveOption = {
    optionClass: 0x0102,
    type: 5,
    critical: true,
    data: new Uint8Array(4),
  };
  const overrunning = (words: number): GeneveOption => ({
    optionClass: 0x0102,
    type: 3,
    critical: false,
    length: words,
    data: new Uint8Array(4),
  });

  it('malformed Geneve addressed to us is never NOT_FOR_LOCAL_VTEP', async () => {
    const s = session();
    await s.reset('underlay: malformed Geneve to us');
    await installFabric(s);
    const inner = innerToA1();
    // The packet really ends inside the Geneve header, with lengths that say so.
    const headerOnly = buildFrame([
      { kind: 'ethernet', dst: UNDERLAY.uplinkMac, src: UNDERLAY.nextHopMac },
      { kind: 'ipv4', src: R1.address, dst: UNDERLAY.localVtep4, dontFragment: true },
      { kind: 'udp', srcPort: 50000, dstPort: 6081, checksum: 0 },
      { kind: 'payload', data: tunnel().subarray(42, 42 + 6) },
    ]);
    await expectDrop(s, 'PARSER_ERROR', headerOnly, 'UDP payload shorter than the Geneve header');
    // Opt Len runs past the UDP payload.
    await expectDrop(
      s,
      'GENEVE_OPTION_LENGTH',
      tunnel({ geneve: { optionsLength: 20 }, inner: inner.subarray(0, 14) }),
      'Opt Len past the UDP payload',
    );
    // The tenant frame is shorter than an Ethernet header.
    await expectDrop(s, 'PARSER_ERROR', tunnel({ inner: inner.subarray(0, 13) }), 'a 13-byte tenant frame');
    await expectDrop(s, 'PARSER_ERROR', tunnel({ inner: new Uint8Array(0) }), 'no tenant frame');
    // Cut short inside the options: the outer lengths say more than the frame holds.
    await expectDrop(s, 'OUTER_LENGTH', tunnel().subarray(0, 14 + 20 + 8 + 8 + 6), 'cut inside the option');
  });

  it('applies the checks in the documented order', async () => {
    const s = session();
    await s.reset('underlay: precedence');
    await installFabric(s);
    const cases: Array<[DropReason, string, Uint8Array]> = [
      [
        'NOT_FOR_UPLINK_MAC',
        'wrong MAC and not for our address',
        tunnel({ dstMac: 'ff:ff:ff:ff:ff:ff', dstIp: '10.0.0.200' }),
      ],
      [
        'NOT_FOR_LOCAL_VTEP',
        'another address, wrong checksum, fragment',
        tunnel({ dstIp: '10.0.0.200', ipv4: { checksum: 0x1234, moreFragments: true } }),
      ],
      [
        'OUTER_IP_OPTIONS',
        'options and a fragment',
        tunnel({ ipv4: { options: Uint8Array.of(1, 1, 1, 1), fragmentOffset: 2 } }),
      ],
      [
        'OUTER_IPV4_CHECKSUM',
        'wrong checksum on a fragment',
        tunnel({ ipv4: { checksum: 0x1234, moreFragments: true } }),
      ],
      ['OUTER_FRAGMENT', 'fragment cut short', tunnel({ ipv4: { moreFragments: true } }).subarray(0, 70)],
      [
        'OUTER_LENGTH',
        'cut short with a bad Geneve version',
        tunnel({ geneve: { version: 1 } }).subarray(0, 70),
      ],
      [
        'OUTER_LENGTH',
        'UDP length wrong with a bad Geneve protocol',
        tunnel({ udp: { length: 30 }, geneve: { protocolType: 0x0800 } }),
      ],
      ['NOT_FOR_LOCAL_VTEP', 'UDP to 4789 at our address', tunnel({ udp: { dstPort: 4789 } })],
      ['NOT_FOR_LOCAL_VTEP', 'TCP at our address', tunnel({ ipv4: { protocol: 6 } })],
      [
        'GENEVE_VERSION',
        'bad version and bad protocol',
        tunnel({ geneve: { version: 2, protocolType: 0x0800 } }),
      ],
      [
        'GENEVE_VERSION',
        'bad version and an option overrun',
        tunnel({ geneve: { version: 1, options: [overrunning(3)], optionsLength: 2 } }),
      ],
      [
        'GENEVE_PROTOCOL',
        'bad protocol and an unknown critical option',
        tunnel({ geneve: { protocolType: 0x86dd, options: [unknownCritical] } }),
      ],
      [
        'GENEVE_OPTION_LENGTH',
        'Opt Len past the payload, first option critical',
        tunnel({
          geneve: { options: [unknownCritical], optionsLength: 40 },
          inner: innerToA1().subarray(0, 14),
        }),
      ],
      [
        'GENEVE_CRITICAL_OPTION',
        'critical option, then an overrunning one',
        tunnel({ geneve: { options: [unknownCritical, overrunning(4)], optionsLength: 4 } }),
      ],
      [
        'GENEVE_CRITICAL_OPTION',
        'a critical option that itself overruns Opt Len',
        tunnel({ geneve: { options: [{ ...unknownCritical, length: 5 }], optionsLength: 2 } }),
      ],
      [
        'GENEVE_OPTION_LENGTH',
        'security option, then an overrunning one',
        tunnel({ geneve: { options: [securityOption(900), overrunning(4)], optionsLength: 4 } }),
      ],
      ['UNKNOWN_VNI', 'unknown VNI from a non-member', tunnel({ srcIp: '10.0.0.3', geneve: { vni: 7777 } })],
      [
        'VTEP_NOT_MEMBER',
        'non-member with CE on a Not-ECT frame',
        tunnel({ srcIp: '10.0.0.3', ipv4: { ecn: 3 } }),
      ],
    ];
    for (const [reason, label, frame] of cases) await expectDrop(s, reason, frame, label);
  });
});

describe('encapsulation lengths never wrap (rule 11)', () => {
  /** A tenant frame of exactly `length` bytes: IPv4 while it fits in an IPv4 datagram, else not IP. */
  const big = (length: number, dst: string) =>
    length - 14 <= 0xffff
      ? tenantFrame({
          dst,
          src: A1.mac,
          ip: { src: '192.168.1.1', dst: '192.168.1.11' },
          payloadLength: length - 34,
        })
      : tenantFrame({ dst, src: A1.mac, payloadLength: length - 14 });

  it('drops a frame whose outer IPv4 total length or UDP length would exceed 65535, whatever the MTU', async () => {
    const s = session();
    await s.reset('encap: length overflow');
    await installFabric(s, { uplinkMtu: 9000 });
    await s.puntCloneSession();
    // Largest that fits: IPv4 20 + UDP 8 + Geneve 8 + option 8 + 65491 = 65535.
    const fits4 = big(65491, REMOTE_A1.mac);
    // Two fates: the counted MTU drop and the packet-in of its clone.
    const out4 = await s.send(A1.port, fits4, 'IPv4: 65491-byte frame', 2);
    // Too big for the 9000-byte MTU: dropped and punted (rule 5).
    expect(out4).toEqual([]);
    expect(await s.dropCount('MTU_EXCEEDED')).toBe(1n);
    for (const length of [65492, 65535, 70000]) {
      await expectDrop(
        s,
        'ENCAP_LENGTH_OVERFLOW',
        big(length, REMOTE_A1.mac),
        `IPv4: ${length}-byte frame`,
        A1.port,
      );
    }
    for (const length of [65512, 65535, 70000]) {
      await expectDrop(
        s,
        'ENCAP_LENGTH_OVERFLOW',
        big(length, REMOTE_A2.mac),
        `IPv6: ${length}-byte frame`,
        A1.port,
      );
    }
    const punts = await s.waitForPacketIns(1);
    expect(punts.map((p) => p.payload.length)).toEqual([65491]);
  });

  it('sends the largest frames that fit, exactly', async () => {
    const s = session();
    await s.reset('encap: largest frames');
    await installFabric(s);
    const fits4 = big(65491, REMOTE_A1.mac);
    expect(await s.send(A1.port, fits4, 'IPv4: 65491 bytes')).toEqual([
      {
        port: PORTS.uplink1,
        bytes: expectedEncap(fits4, { vni: TENANT_A.vni, remoteVtep: R1.address, securityId: 100 }),
      },
    ]);
    const fits6 = big(65511, REMOTE_A2.mac);
    expect(await s.send(A1.port, fits6, 'IPv6: 65511 bytes')).toEqual([
      {
        port: PORTS.uplink2,
        bytes: expectedEncap(fits6, { vni: TENANT_A.vni, remoteVtep: R2.address, securityId: 100 }),
      },
    ]);
  });

  it('drops only the flood copies that would wrap', async () => {
    const s = session();
    await s.reset('encap: flood copy length overflow');
    await installFabric(s);
    await s.floodGroup({
      vni: TENANT_A.vni,
      groupId: 1,
      replicas: [
        { rid: 1, port: A2.port, vport: A2.vport, securityId: A2.securityId },
        { rid: 2, port: PORTS.uplink1, local: UNDERLAY.localVtep4, remote: R1.address },
      ],
    });
    const frame = big(65500, 'ff:ff:ff:ff:ff:ff');
    const before = await s.dropCount('ENCAP_LENGTH_OVERFLOW');
    expect(await s.send(A1.port, frame, 'broadcast of 65500 bytes', 2)).toEqual([
      { port: A2.port, bytes: frame },
    ]);
    expect(await s.dropCount('ENCAP_LENGTH_OVERFLOW')).toBe(before + 1n);
  });
});
