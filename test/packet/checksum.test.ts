import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  findLayer,
  foldSum,
  IpProtocol,
  internetChecksum,
  type Layer,
  parseFrame,
  parseIpv4,
  parseIpv6,
} from '../../src/packet/index.js';
import {
  concat,
  ipv4PseudoHeader,
  ipv6PseudoHeader,
  MAC_A,
  MAC_B,
  onesComplementSum,
  pattern,
  referenceChecksum,
  u16,
} from './helpers.js';

const ETH = 14;
const eth: Layer = { kind: 'ethernet', dst: MAC_B, src: MAC_A };

describe('internet checksum', () => {
  it('matches the RFC 1071 section 3 numerical example', () => {
    // RFC 1071: bytes 00 01 f2 03 f4 f5 f6 f7 sum to dd f2 (ones' complement), checksum 22 0d.
    const data = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(onesComplementSum(data)).toBe(0xddf2);
    expect(internetChecksum(data)).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero and agrees with the reference on many lengths and offsets', () => {
    for (let len = 0; len < 80; len++) {
      const data = pattern(len, 37);
      expect(internetChecksum(data)).toBe(referenceChecksum(data));
      if (len > 0) expect(internetChecksum(data, 1, len)).toBe(referenceChecksum(data.subarray(1)));
    }
  });

  it('folds unfolded sums like repeated end-around carry', () => {
    const naive = (x: number): number => {
      let s = x;
      while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
      return s;
    };
    for (const x of [
      0,
      1,
      0xffff,
      0x10000,
      0x1fffe,
      0xffffffff,
      2 ** 40 + 5,
      2 ** 52 + 12345,
      987654321012,
    ]) {
      expect(foldSum(x)).toBe(naive(x));
    }
  });
});

describe('IPv4 header checksum', () => {
  it('reproduces the well-known example header checksum 0xb861', () => {
    // The example IPv4 header used by Wikipedia's "IPv4 header checksum" section:
    // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 (UDP, 115 bytes, DF, TTL 64).
    const frame = buildFrame([
      eth,
      {
        kind: 'ipv4',
        src: '192.168.0.1',
        dst: '192.168.0.199',
        totalLength: 0x73,
        dontFragment: true,
        ttl: 64,
        protocol: 17,
      },
    ]);
    expect(u16(frame, ETH + 10)).toBe(0xb861);
    expect(referenceChecksum(frame.subarray(ETH, ETH + 20))).toBe(0);
  });

  it('covers options', () => {
    const frame = buildFrame([
      eth,
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', options: Uint8Array.of(0x94, 4, 0, 0) },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
    ]);
    expect(frame[ETH] & 0x0f).toBe(6);
    expect(onesComplementSum(frame.subarray(ETH, ETH + 24))).toBe(0xffff);
  });
});

describe('transport checksums, recomputed independently', () => {
  const src4 = '192.0.2.10';
  const dst4 = '198.51.100.20';
  const src6 = '2001:db8::10';
  const dst6 = '2001:db8:1::20';

  it('UDP over IPv4 includes the pseudo header', () => {
    const frame = buildFrame([
      eth,
      { kind: 'ipv4', src: src4, dst: dst4 },
      { kind: 'udp', srcPort: 5353, dstPort: 53 },
      { kind: 'payload', data: pattern(21) },
    ]);
    const udp = frame.subarray(ETH + 20);
    const checksum = u16(udp, 6);
    const zeroed = udp.slice();
    zeroed[6] = 0;
    zeroed[7] = 0;
    const pseudo = ipv4PseudoHeader(parseIpv4(src4), parseIpv4(dst4), 17, udp.length);
    expect(checksum).toBe(referenceChecksum(pseudo, zeroed));
    expect(onesComplementSum(pseudo, udp)).toBe(0xffff);
  });

  it('UDP over IPv6 includes the RFC 8200 pseudo header', () => {
    const frame = buildFrame([
      eth,
      { kind: 'ipv6', src: src6, dst: dst6 },
      { kind: 'udp', srcPort: 40000, dstPort: 9 },
      { kind: 'payload', data: pattern(37, 3) },
    ]);
    const udp = frame.subarray(ETH + 40);
    const pseudo = ipv6PseudoHeader(parseIpv6(src6), parseIpv6(dst6), 17, udp.length);
    expect(u16(udp, 6)).not.toBe(0);
    expect(onesComplementSum(pseudo, udp)).toBe(0xffff);
    expect(parseFrame(frame).issues).toEqual([]);
  });

  it('ICMPv6 includes the pseudo header; ICMP for IPv4 does not', () => {
    const v6 = buildFrame([
      eth,
      { kind: 'ipv6', src: src6, dst: dst6 },
      { kind: 'icmpv6', type: 128, restOfHeader: 0x12340001 },
      { kind: 'payload', data: pattern(16) },
    ]);
    const icmp6 = v6.subarray(ETH + 40);
    expect(
      onesComplementSum(ipv6PseudoHeader(parseIpv6(src6), parseIpv6(dst6), 58, icmp6.length), icmp6),
    ).toBe(0xffff);

    const v4 = buildFrame([
      eth,
      { kind: 'ipv4', src: src4, dst: dst4 },
      { kind: 'icmpv4', type: 8, restOfHeader: 0x12340001 },
      { kind: 'payload', data: pattern(16) },
    ]);
    expect(onesComplementSum(v4.subarray(ETH + 20))).toBe(0xffff);
  });

  it('TCP over IPv4 and IPv6 includes the pseudo header', () => {
    for (const ip of [
      { kind: 'ipv4', src: src4, dst: dst4 } as Layer,
      { kind: 'ipv6', src: src6, dst: dst6 } as Layer,
    ]) {
      const frame = buildFrame([
        eth,
        ip,
        {
          kind: 'tcp',
          srcPort: 1,
          dstPort: 2,
          flags: 2,
          options: [{ kind: 2, data: Uint8Array.of(5, 0xb4) }],
        },
        { kind: 'payload', data: pattern(9) },
      ]);
      const ipLen = ip.kind === 'ipv4' ? 20 : 40;
      const tcp = frame.subarray(ETH + ipLen);
      const pseudo =
        ip.kind === 'ipv4'
          ? ipv4PseudoHeader(parseIpv4(src4), parseIpv4(dst4), 6, tcp.length)
          : ipv6PseudoHeader(parseIpv6(src6), parseIpv6(dst6), 6, tcp.length);
      expect(onesComplementSum(pseudo, tcp)).toBe(0xffff);
    }
  });

  it('uses the final destination of a segment routing header (RFC 8200 section 8.1)', () => {
    const finalDst = '2001:db8:ff::1';
    // SRH (routing type 4): segments left 1, last entry 1, flags 0, tag 0, then Segment List[0..1].
    const srh = concat(Uint8Array.of(4, 1, 1, 0, 0, 0), parseIpv6(finalDst), parseIpv6(dst6));
    const frame = buildFrame([
      eth,
      { kind: 'ipv6', src: src6, dst: dst6, extensionHeaders: [{ protocol: IpProtocol.Routing, data: srh }] },
      { kind: 'udp', srcPort: 7, dstPort: 8 },
      { kind: 'payload', data: pattern(10) },
    ]);
    const udp = frame.subarray(ETH + 40 + 2 + srh.length);
    expect(udp.length).toBe(18);
    const pseudo = ipv6PseudoHeader(parseIpv6(src6), parseIpv6(finalDst), 17, udp.length);
    expect(onesComplementSum(pseudo, udp)).toBe(0xffff);
    const parsed = parseFrame(frame);
    expect(parsed.issues).toEqual([]);
    expect(findLayer(parsed.layers, 'ipv6')?.extensionHeaders?.[0].length).toBe(4);
  });

  it('sends a computed UDP checksum of zero as 0xffff (RFC 768)', () => {
    const layers = (word: number): Layer[] => [
      eth,
      { kind: 'ipv4', src: src4, dst: dst4 },
      { kind: 'udp', srcPort: 1000, dstPort: 2000 },
      { kind: 'payload', data: Uint8Array.of(word >> 8, word & 0xff) },
    ];
    const probe = buildFrame(layers(0))
      .subarray(ETH + 20)
      .slice();
    probe[6] = 0;
    probe[7] = 0;
    const sum = onesComplementSum(ipv4PseudoHeader(parseIpv4(src4), parseIpv4(dst4), 17, 10), probe);
    const frame = buildFrame(layers(~sum & 0xffff));
    expect(u16(frame, ETH + 20 + 6)).toBe(0xffff);
    expect(parseFrame(frame).issues).toEqual([]);
  });
});
