import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  DecapsulationError,
  decapsulate,
  encapsulate,
  findLayer,
  flowHash,
  flowSourcePort,
  type Layer,
  PacketBuildError,
  parseFrame,
  parseIpv4,
  parseIpv6,
  securityIdOption,
} from '../../src/packet/index.js';
import {
  innerTcpLayers,
  ipv6PseudoHeader,
  MAC_A,
  MAC_B,
  onesComplementSum,
  pattern,
  u16,
} from './helpers.js';

const outer4 = { srcMac: MAC_A, dstMac: MAC_B, srcIp: '192.0.2.1', dstIp: '192.0.2.2' };
const outer6 = { srcMac: MAC_A, dstMac: MAC_B, srcIp: '2001:db8::a', dstIp: '2001:db8::b' };
const inner = buildFrame(innerTcpLayers());
const secId = securityIdOption({ optionClass: 0x0102, type: 1, critical: true, id: 4242 });
const plainOption = { optionClass: 0xff00, type: 9, critical: false, data: pattern(8) };

/** The documented flow key (flow-hash.ts), hashed with Node's own CRC-32 as the reference. */
function referenceHash(parts: {
  macs: Uint8Array;
  etherType: number;
  src?: Uint8Array;
  dst?: Uint8Array;
  protocol?: number;
  ports?: [number, number];
}): number {
  const key = new Uint8Array(51);
  key.set(parts.macs, 0);
  key[12] = parts.etherType >> 8;
  key[13] = parts.etherType & 0xff;
  if (parts.src) key.set(parts.src, 30 - parts.src.length);
  if (parts.dst) key.set(parts.dst, 46 - parts.dst.length);
  key[46] = parts.protocol ?? 0;
  if (parts.ports)
    key.set([parts.ports[0] >> 8, parts.ports[0] & 0xff, parts.ports[1] >> 8, parts.ports[1] & 0xff], 47);
  return zlibCrc32(key) & 0xffff;
}
const portOf = (h: number): number => 0xc000 | (h & 0x3fff);

describe('encapsulate', () => {
  it('builds Ethernet/IPv4/UDP(6081, checksum 0)/Geneve around the inner frame', () => {
    const bytes = encapsulate(inner, { vni: 0x123456, outer: outer4, options: [plainOption, secId] });
    const { layers, issues } = parseFrame(bytes);
    expect(issues).toEqual([]);
    expect(layers.slice(0, 4)).toMatchObject([
      { kind: 'ethernet', src: MAC_A, dst: MAC_B, etherType: 0x0800 },
      {
        kind: 'ipv4',
        src: '192.0.2.1',
        dst: '192.0.2.2',
        ttl: 64,
        dontFragment: true,
        totalLength: bytes.length - 14,
      },
      { kind: 'udp', srcPort: flowSourcePort(inner), dstPort: 6081, checksum: 0, length: bytes.length - 34 },
      { kind: 'geneve', vni: 0x123456, critical: true, oam: false, protocolType: 0x6558, optionsLength: 5 },
    ]);
    expect(findLayer(layers, 'geneve')?.options).toMatchObject([plainOption, secId]);
    expect(bytes.subarray(bytes.length - inner.length)).toEqual(inner);
    expect(layers.slice(4)).toMatchObject(innerTcpLayers());
  });

  it('sets the C bit only when an option is critical, and honours ttl, DF, source port and O bit', () => {
    const bytes = encapsulate(inner, {
      vni: 1,
      outer: { ...outer4, ttl: 5, dontFragment: false },
      options: [plainOption],
      udpSourcePort: 60000,
      oam: true,
    });
    const { layers } = parseFrame(bytes);
    expect(findLayer(layers, 'ipv4')).toMatchObject({ ttl: 5, dontFragment: false });
    expect(findLayer(layers, 'udp')?.srcPort).toBe(60000);
    expect(findLayer(layers, 'geneve')).toMatchObject({ critical: false, oam: true });
  });

  it('computes the UDP checksum over IPv6 with the RFC 8200 pseudo header', () => {
    const bytes = encapsulate(inner, { vni: 2, outer: { ...outer6, ttl: 9 }, options: [secId] });
    const udp = bytes.subarray(14 + 40);
    expect(u16(udp, 6)).not.toBe(0);
    const pseudo = ipv6PseudoHeader(parseIpv6(outer6.srcIp), parseIpv6(outer6.dstIp), 17, udp.length);
    expect(onesComplementSum(pseudo, udp)).toBe(0xffff);
    const { layers, issues } = parseFrame(bytes);
    expect(issues).toEqual([]);
    expect(findLayer(layers, 'ipv6')).toMatchObject({ hopLimit: 9, payloadLength: udp.length });
  });

  it('rejects mixed or invalid outer addresses and out-of-range fields', () => {
    expect(() => encapsulate(inner, { vni: 1, outer: { ...outer4, dstIp: '2001:db8::1' } })).toThrow(
      "outer.srcIp '192.0.2.1' and outer.dstIp '2001:db8::1' must both be IPv4 or both IPv6",
    );
    expect(() => encapsulate(inner, { vni: 1, outer: { ...outer4, srcIp: 'x' } })).toThrow(TypeError);
    expect(() => encapsulate(inner, { vni: 2 ** 24, outer: outer4 })).toThrow(PacketBuildError);
    expect(() => encapsulate(inner, { vni: 1, outer: outer4, udpSourcePort: -1 })).toThrow('srcPort: -1');
  });
});

describe('decapsulate', () => {
  it('returns VNI, options, flags, the inner frame (zero-copy) and outer facts', () => {
    for (const outer of [outer4, outer6]) {
      const bytes = encapsulate(inner, { vni: 0xabcdef, outer, options: [secId, plainOption] });
      const d = decapsulate(bytes);
      expect(d.vni).toBe(0xabcdef);
      expect(d.critical).toBe(true);
      expect(d.oam).toBe(false);
      expect(d.protocolType).toBe(0x6558);
      expect(d.options).toMatchObject([secId, plainOption]);
      expect(d.inner).toEqual(inner);
      expect(d.inner.buffer).toBe(bytes.buffer);
      expect(d.outer).toEqual({
        srcMac: MAC_A,
        dstMac: MAC_B,
        vlanIds: [],
        ipVersion: outer === outer4 ? 4 : 6,
        srcIp: outer.srcIp,
        dstIp: outer.dstIp,
        ttl: 64,
        udpSourcePort: flowSourcePort(inner),
        udpDestinationPort: 6081,
      });
    }
  });

  it('accepts a VLAN-tagged underlay', () => {
    const bytes = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      { kind: 'vlan', vid: 300 },
      { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { kind: 'udp', srcPort: 50000 },
      { kind: 'geneve', vni: 7 },
      ...innerTcpLayers(),
    ]);
    const d = decapsulate(bytes);
    expect(d.outer.vlanIds).toEqual([300]);
    expect(d.inner).toEqual(inner);
  });

  it('throws a DecapsulationError naming the problem and its offset', () => {
    const notGeneve = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { kind: 'udp', srcPort: 50000, dstPort: 4789 },
      { kind: 'payload', data: pattern(30) },
    ]);
    expect(() => decapsulate(notGeneve)).toThrow(/not UDP to port 6081/);
    const arp = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      {
        kind: 'arp',
        operation: 1,
        senderMac: MAC_A,
        senderIp: '1.1.1.1',
        targetMac: MAC_B,
        targetIp: '1.1.1.2',
      },
    ]);
    expect(() => decapsulate(arp)).toThrow(/EtherType 0x806 is not IP/);

    const good = encapsulate(inner, { vni: 1, outer: outer6 });
    const corrupt = good.slice();
    corrupt[corrupt.length - 1] ^= 0xff; // breaks the outer UDP checksum over IPv6
    try {
      decapsulate(corrupt);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecapsulationError);
      expect((e as DecapsulationError).offset).toBe(14 + 40 + 6);
      expect((e as Error).message).toMatch(/udp\.checksum at offset 60: udp checksum 0x[0-9a-f]{4} is wrong/);
    }
    expect(() => decapsulate(good.subarray(0, 50))).toThrow(DecapsulationError);
    expect(() => decapsulate(new Uint8Array(0))).toThrow('ethernet.header at offset 0');
  });
});

describe('flowSourcePort', () => {
  it("is the VTEP's CRC-32 flow hash over MACs, EtherType, addresses, protocol and ports", () => {
    const h = referenceHash({
      macs: inner.subarray(0, 12),
      etherType: 0x0800,
      src: parseIpv4('10.0.0.1'),
      dst: parseIpv4('10.0.0.2'),
      protocol: 6,
      ports: [43210, 443],
    });
    expect(flowHash(inner)).toBe(h);
    expect(flowSourcePort(inner)).toBe(portOf(h));
  });

  it('covers IPv6 (ports only without extension headers) and non-IP frames as documented', () => {
    const v6 = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      {
        kind: 'ipv6',
        src: 'fd00::1',
        dst: 'fd00::2',
        extensionHeaders: [{ protocol: 60, data: new Uint8Array(6) }],
      },
      { kind: 'udp', srcPort: 1111, dstPort: 2222 },
    ]);
    // The VTEP does not walk extension headers: protocol is the first next header, ports are zero.
    const h6 = referenceHash({
      macs: v6.subarray(0, 12),
      etherType: 0x86dd,
      src: parseIpv6('fd00::1'),
      dst: parseIpv6('fd00::2'),
      protocol: 60,
    });
    expect(flowSourcePort(v6)).toBe(portOf(h6));
    const plain6 = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      { kind: 'ipv6', src: 'fd00::1', dst: 'fd00::2' },
      { kind: 'udp', srcPort: 1111, dstPort: 2222 },
    ]);
    const hp = referenceHash({
      macs: plain6.subarray(0, 12),
      etherType: 0x86dd,
      src: parseIpv6('fd00::1'),
      dst: parseIpv6('fd00::2'),
      protocol: 17,
      ports: [1111, 2222],
    });
    expect(flowSourcePort(plain6)).toBe(portOf(hp));

    const arp = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      {
        kind: 'arp',
        operation: 1,
        senderMac: MAC_A,
        senderIp: '1.1.1.1',
        targetMac: MAC_B,
        targetIp: '1.1.1.2',
      },
    ]);
    expect(flowSourcePort(arp)).toBe(portOf(referenceHash({ macs: arp.subarray(0, 12), etherType: 0x0806 })));
  });

  it('depends on the flow only: the same flow with another payload gives the same port', () => {
    const layers = innerTcpLayers();
    const otherPayload = buildFrame([...layers.slice(0, 3), { kind: 'payload', data: pattern(500, 7) }]);
    expect(flowSourcePort(otherPayload)).toBe(flowSourcePort(inner));
  });

  it('spreads different flows over the whole range', () => {
    // CRC is linear, so the spread is measured over flows that differ in many bits, as real ones do.
    let seed = 12345;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const ports = new Set<number>();
    for (let p = 0; p < 2000; p++) {
      const frame = buildFrame([
        innerTcpLayers()[0],
        { kind: 'ipv4', src: `10.${next(256)}.${next(256)}.${next(256)}`, dst: '10.0.0.2' },
        { kind: 'udp', srcPort: 1024 + next(60000), dstPort: 53 } as Layer,
      ]);
      const port = flowSourcePort(frame);
      expect(port).toBeGreaterThanOrEqual(49152);
      expect(port).toBeLessThanOrEqual(65535);
      ports.add(port);
    }
    expect(ports.size).toBeGreaterThan(1800); // ~1880 expected for 2000 random draws from 16384
  });

  it('never throws on short or garbage input', () => {
    for (let len = 0; len < 80; len++) {
      const port = flowSourcePort(pattern(len, 13));
      expect(port).toBeGreaterThanOrEqual(49152);
    }
  });
});
