// Every layer kind: build -> parse gives back the layers (computed fields filled in), the parsed
// layers re-encode to the identical bytes, and selected fields sit at their RFC byte positions.
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  buildFrameInto,
  EtherType,
  findLayer,
  frameLength,
  IpProtocol,
  type Layer,
  parseFrame,
  parseIpv6,
  TcpFlags,
} from '../../src/packet/index.js';
import { concat, innerTcpLayers, MAC_A, MAC_B, pattern, u16 } from './helpers.js';

const eth: Layer = { kind: 'ethernet', dst: MAC_B, src: MAC_A };

function roundTrip(layers: Layer[]): { bytes: Uint8Array; parsed: Layer[] } {
  const bytes = buildFrame(layers);
  const { layers: parsed, issues } = parseFrame(bytes);
  expect(issues).toEqual([]);
  expect(parsed).toMatchObject(layers);
  expect(buildFrame(parsed)).toEqual(bytes);
  expect(parseFrame(buildFrame(parsed)).layers).toEqual(parsed);
  return { bytes, parsed };
}

describe('round trips', () => {
  it('Ethernet II with an unknown EtherType keeps the payload raw', () => {
    const { bytes } = roundTrip([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: MAC_A, etherType: 0x88b5 },
      { kind: 'payload', data: pattern(46) },
    ]);
    expect([...bytes.subarray(0, 6)]).toEqual([255, 255, 255, 255, 255, 255]);
    expect(u16(bytes, 12)).toBe(0x88b5);
  });

  it('802.1Q single tag and QinQ stack', () => {
    const { bytes } = roundTrip([
      eth,
      { kind: 'vlan', pcp: 5, dei: true, vid: 100 },
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
    ]);
    expect(u16(bytes, 12)).toBe(EtherType.VLAN);
    expect(u16(bytes, 14)).toBe((5 << 13) | 0x1000 | 100);
    expect(u16(bytes, 16)).toBe(EtherType.IPv4);

    const qinq = roundTrip([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A, etherType: EtherType.QinQ },
      { kind: 'vlan', vid: 10 },
      { kind: 'vlan', vid: 4094 },
      {
        kind: 'arp',
        operation: 1,
        senderMac: MAC_A,
        senderIp: '10.0.0.1',
        targetMac: '00:00:00:00:00:00',
        targetIp: '10.0.0.2',
      },
    ]);
    expect(u16(qinq.bytes, 12)).toBe(0x88a8);
    expect(u16(qinq.bytes, 16)).toBe(EtherType.VLAN);
    expect(u16(qinq.bytes, 20)).toBe(EtherType.ARP);
  });

  it('ARP request and reply', () => {
    const { bytes } = roundTrip([
      eth,
      {
        kind: 'arp',
        operation: 2,
        senderMac: MAC_A,
        senderIp: '192.0.2.1',
        targetMac: MAC_B,
        targetIp: '192.0.2.2',
      },
    ]);
    expect(bytes.length).toBe(14 + 28);
    expect([...bytes.subarray(14, 22)]).toEqual([0, 1, 8, 0, 6, 4, 0, 2]);
    expect([...bytes.subarray(14 + 14, 14 + 18)]).toEqual([192, 0, 2, 1]);
  });

  it('IPv4 with options, flags, fragment offset fields and UDP', () => {
    const { bytes, parsed } = roundTrip([
      eth,
      {
        kind: 'ipv4',
        src: '10.1.2.3',
        dst: '10.3.2.1',
        dscp: 46,
        ecn: 1,
        identification: 0xbeef,
        dontFragment: true,
        ttl: 3,
        options: Uint8Array.of(0x07, 7, 4, 0, 0, 0, 0, 0), // Record Route + End of Options List
      },
      { kind: 'udp', srcPort: 1234, dstPort: 4321 },
      { kind: 'payload', data: pattern(5) },
    ]);
    expect(bytes[14]).toBe(0x47);
    expect(bytes[15]).toBe((46 << 2) | 1);
    expect(u16(bytes, 16)).toBe(28 + 8 + 5);
    expect(u16(bytes, 20)).toBe(0x4000);
    const ip = findLayer(parsed, 'ipv4');
    expect(ip?.options?.length).toBe(8);
    expect(ip?.ihl).toBe(7);
    expect(findLayer(parsed, 'udp')?.length).toBe(13);
  });

  it('pads IPv4 options to a multiple of 4 bytes with zeros', () => {
    const bytes = buildFrame([
      eth,
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', options: Uint8Array.of(0x94, 4, 0) },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
    ]);
    expect(bytes[14] & 0x0f).toBe(6);
    expect([...bytes.subarray(34, 38)]).toEqual([0x94, 4, 0, 0]);
  });

  it('a later IPv4 fragment stays raw after the IP header', () => {
    const { parsed } = roundTrip([
      eth,
      {
        kind: 'ipv4',
        src: '10.0.0.1',
        dst: '10.0.0.2',
        protocol: 17,
        moreFragments: true,
        fragmentOffset: 185,
      },
      { kind: 'payload', data: pattern(24) },
    ]);
    expect(parsed.map((l) => l.kind)).toEqual(['ethernet', 'ipv4', 'payload']);
  });

  it('IPv6 walks hop-by-hop, routing, fragment and destination options to the upper protocol', () => {
    const padN = Uint8Array.of(1, 4, 0, 0, 0, 0); // a PadN option filling a 6-byte body
    const routing = Uint8Array.of(4, 0, 0, 0, 0, 0, ...parseIpv6('2001:db8::99')); // SRH, segments left 0
    const fragment = Uint8Array.of(0, 0, 0, 0, 0x12, 0x34); // offset 0, M=0, id 0x1234
    const { bytes, parsed } = roundTrip([
      eth,
      {
        kind: 'ipv6',
        src: 'fe80::1',
        dst: 'ff02::1:ff00:1',
        trafficClass: 0xb8,
        flowLabel: 0xabcde,
        hopLimit: 255,
        extensionHeaders: [
          { protocol: IpProtocol.HopByHop, data: padN },
          { protocol: IpProtocol.Routing, data: routing },
          { protocol: IpProtocol.Fragment, data: fragment },
          { protocol: IpProtocol.DestinationOptions, data: padN },
        ],
      },
      { kind: 'tcp', srcPort: 22, dstPort: 50000, flags: TcpFlags.ACK },
    ]);
    expect(bytes[14 + 6]).toBe(IpProtocol.HopByHop);
    expect(bytes[54]).toBe(IpProtocol.Routing);
    expect(bytes[54 + 1]).toBe(0);
    expect(bytes[62]).toBe(IpProtocol.Fragment);
    expect(bytes[62 + 1]).toBe(2); // (8 + 16) / 8 - 1
    expect(bytes[86]).toBe(IpProtocol.DestinationOptions);
    expect(bytes[94]).toBe(IpProtocol.TCP);
    const ip = findLayer(parsed, 'ipv6');
    expect(ip?.extensionHeaders?.map((e) => e.protocol)).toEqual([0, 43, 44, 60]);
    expect(ip?.payloadLength).toBe(8 + 24 + 8 + 8 + 20);
    expect(findLayer(parsed, 'tcp')?.srcPort).toBe(22);
  });

  it('IPv6 with AH then UDP', () => {
    const ah = concat(Uint8Array.of(0, 0), Uint8Array.of(0, 0, 1, 0), Uint8Array.of(0, 0, 0, 1), pattern(12)); // SPI, seq, ICV
    const { bytes } = roundTrip([
      eth,
      {
        kind: 'ipv6',
        src: '2001:db8::1',
        dst: '2001:db8::2',
        extensionHeaders: [{ protocol: IpProtocol.AH, data: ah }],
      },
      { kind: 'udp', srcPort: 500, dstPort: 500 },
    ]);
    expect(bytes[54 + 1]).toBe((2 + ah.length) / 4 - 2);
  });

  it('TCP with options and every flag', () => {
    const { bytes, parsed } = roundTrip([
      eth,
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
      {
        kind: 'tcp',
        srcPort: 65535,
        dstPort: 1,
        seq: 0xffffffff,
        ack: 0x80000000,
        flags: 0x1ff,
        window: 512,
        urgentPointer: 7,
        options: [
          { kind: 2, data: Uint8Array.of(0x05, 0xb4) },
          { kind: 4, data: new Uint8Array(0) },
          { kind: 1, data: new Uint8Array(0) },
          { kind: 3, data: Uint8Array.of(7) },
        ],
      },
      { kind: 'payload', data: pattern(3) },
    ]);
    const tcp = 14 + 20;
    expect(bytes[tcp + 12] >> 4).toBe(8); // 20 + 10 option bytes padded to 32
    expect([...bytes.subarray(tcp + 20, tcp + 28)]).toEqual([2, 4, 5, 0xb4, 4, 2, 1, 3]);
    expect(findLayer(parsed, 'tcp')?.options?.length).toBe(4);
  });

  it('ICMPv4 echo and ICMPv6 echo', () => {
    roundTrip([
      eth,
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
      { kind: 'icmpv4', type: 8, code: 0, restOfHeader: 0x00010002 },
      { kind: 'payload', data: pattern(56) },
    ]);
    roundTrip([
      eth,
      { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2' },
      { kind: 'icmpv6', type: 129, restOfHeader: 0xffff0001 },
      { kind: 'payload', data: pattern(8) },
    ]);
  });

  it('Geneve over IPv4 and IPv6 with options, inner Ethernet/IPv4/TCP', () => {
    for (const ip of [
      { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' } as Layer,
      { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2' } as Layer,
    ]) {
      const { bytes, parsed } = roundTrip([
        eth,
        ip,
        { kind: 'udp', srcPort: 50000 },
        {
          kind: 'geneve',
          vni: 0xabcdef,
          oam: true,
          options: [
            { optionClass: 0x0102, type: 0x7f, critical: true, data: pattern(8) },
            { optionClass: 0xffff, type: 0, critical: false, reserved: 5, data: new Uint8Array(0) },
          ],
        },
        ...innerTcpLayers(),
      ]);
      const g = 14 + (ip.kind === 'ipv4' ? 20 : 40) + 8;
      expect(u16(bytes, g - 6)).toBe(6081);
      expect(bytes[g]).toBe((0 << 6) | 4); // version 0, 16 option bytes = 4 words
      expect(bytes[g + 1]).toBe(0x80 | 0x40);
      expect(u16(bytes, g + 2)).toBe(0x6558);
      expect([...bytes.subarray(g + 4, g + 8)]).toEqual([0xab, 0xcd, 0xef, 0]);
      expect([...bytes.subarray(g + 8, g + 12)]).toEqual([0x01, 0x02, 0xff, 2]);
      expect([...bytes.subarray(g + 20, g + 24)]).toEqual([0xff, 0xff, 0x00, 5 << 5]);
      expect(parsed.map((l) => l.kind)).toEqual([
        'ethernet',
        ip.kind,
        'udp',
        'geneve',
        'ethernet',
        'ipv4',
        'tcp',
        'payload',
      ]);
    }
  });

  it('Geneve carrying IPv6 directly (protocol type 0x86dd)', () => {
    const { bytes } = roundTrip([
      eth,
      { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { kind: 'udp', srcPort: 50000, checksum: 0 },
      { kind: 'geneve', vni: 1 },
      { kind: 'ipv6', src: 'fd00::1', dst: 'fd00::2' },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
      { kind: 'payload', data: pattern(4) },
    ]);
    expect(u16(bytes, 14 + 20 + 8 + 2)).toBe(0x86dd);
  });

  it('Ethernet padding after a short packet becomes the Ethernet trailer, without an issue', () => {
    const layers: Layer[] = [
      { ...eth, trailer: new Uint8Array(60 - 14 - 28) },
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
    ];
    const { bytes } = roundTrip(layers);
    expect(bytes.length).toBe(60);
    expect(u16(bytes, 16)).toBe(28);
  });

  it('trailers nest: inner Ethernet padding inside the outer UDP, outer padding after the outer IP packet', () => {
    const bytes = buildFrame([
      { ...eth, trailer: Uint8Array.of(0xee, 0xee) },
      { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { kind: 'udp', srcPort: 50000, checksum: 0 },
      { kind: 'geneve', vni: 9 },
      { kind: 'ethernet', dst: MAC_A, src: MAC_B, trailer: Uint8Array.of(0xdd, 0xdd, 0xdd) },
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
    ]);
    expect([...bytes.subarray(bytes.length - 5)]).toEqual([0xdd, 0xdd, 0xdd, 0xee, 0xee]);
    const outerIpLength = u16(bytes, 16);
    expect(outerIpLength).toBe(bytes.length - 14 - 2);
    const parsed = parseFrame(bytes);
    // The inner frame (45 bytes) is within the 60-byte Ethernet minimum, so its trailer is ordinary
    // padding; the outer frame is not, so its trailer is reported against the outer IPv4 length.
    expect(parsed.issues.map((i) => [i.layer, i.field, i.code, i.offset])).toEqual([
      ['ipv4', 'totalLength', 'bad-length', 16],
    ]);
    expect(findLayer(parsed.layers, 'ethernet', 1)?.trailer).toEqual(Uint8Array.of(0xdd, 0xdd, 0xdd));
    expect(findLayer(parsed.layers, 'ethernet', 0)?.trailer).toEqual(Uint8Array.of(0xee, 0xee));
    expect(buildFrame(parsed.layers)).toEqual(bytes);
  });

  it('buildFrameInto writes the same bytes at an offset and reports the length', () => {
    const layers = innerTcpLayers();
    const expected = buildFrame(layers);
    const out = new Uint8Array(expected.length + 10).fill(0x5a);
    expect(frameLength(layers)).toBe(expected.length);
    expect(buildFrameInto(layers, out, 7)).toBe(expected.length);
    expect(out.subarray(7, 7 + expected.length)).toEqual(expected);
    expect(out[6]).toBe(0x5a);
    // Reusing a dirty buffer leaves no stale bytes behind.
    out.fill(0xff);
    buildFrameInto(layers, out, 0);
    expect(out.subarray(0, expected.length)).toEqual(expected);
    expect(() => buildFrameInto(layers, new Uint8Array(10))).toThrow(RangeError);
  });

  it('parsed byte fields are zero-copy views of the input', () => {
    const bytes = buildFrame(innerTcpLayers());
    const payload = parseFrame(bytes).layers.at(-1);
    expect(payload?.kind).toBe('payload');
    if (payload?.kind === 'payload') expect(payload.data.buffer).toBe(bytes.buffer);
  });
});
