import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  encapsulate,
  formatFrame,
  parseFrame,
  securityIdOption,
} from '../../src/packet/index.js';
import { innerTcpLayers, MAC_A, MAC_B, pattern } from './helpers.js';

describe('formatFrame', () => {
  it('prints one tshark-like line per layer', () => {
    const inner = buildFrame(innerTcpLayers());
    const bytes = encapsulate(inner, {
      vni: 0x1234,
      outer: { srcMac: MAC_A, dstMac: MAC_B, srcIp: '192.0.2.1', dstIp: '192.0.2.2' },
      options: [securityIdOption({ optionClass: 0x0102, type: 1, critical: true, id: 42 })],
      udpSourcePort: 50000,
    });
    const lines = formatFrame(bytes).split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe(`Ethernet II, Src: ${MAC_A}, Dst: ${MAC_B}, Type: IPv4 (0x0800)`);
    expect(lines[1]).toMatch(
      /^Internet Protocol Version 4, Src: 192\.0\.2\.1, Dst: 192\.0\.2\.2, TTL: 64, Proto: UDP \(17\), Len: \d+, ID: 0x0000, Flags: DF, Frag: 0, Checksum: 0x[0-9a-f]{4}$/,
    );
    expect(lines[2]).toBe(
      `User Datagram Protocol, Src Port: 50000, Dst Port: 6081, Len: ${bytes.length - 34}, Checksum: 0x0000`,
    );
    expect(lines[3]).toBe(
      'Generic Network Virtualization Encapsulation, Version: 0, VNI: 0x001234 (4660), ' +
        'Proto: Transparent Ethernet bridging (0x6558), Opt Len: 2, Flags: C, ' +
        'Options: [class=0x0102 type=0x81 (critical) len=1 data=0000002a]',
    );
    expect(lines[4]).toBe('Ethernet II, Src: 02:00:00:00:01:01, Dst: 02:00:00:00:01:02, Type: IPv4 (0x0800)');
    expect(lines[6]).toMatch(
      /^Transmission Control Protocol, Src Port: 43210, Dst Port: 443, Seq: 1000, Ack: 2000, Flags: \[PSH, ACK\], Win: 65535, Hdr Len: 32, Checksum: 0x[0-9a-f]{4}, Options: \[NOP, NOP, TS=\d+\/\d+\]$/,
    );
    expect(lines[7]).toBe('Data (33 bytes)');
  });

  it('prints ARP, VLAN, IPv6, ICMPv6 and issues', () => {
    const arp = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      { kind: 'vlan', pcp: 3, vid: 42 },
      {
        kind: 'arp',
        operation: 1,
        senderMac: MAC_A,
        senderIp: '10.0.0.1',
        targetMac: '00:00:00:00:00:00',
        targetIp: '10.0.0.2',
      },
    ]);
    expect(formatFrame(arp).split('\n').slice(1)).toEqual([
      '802.1Q Virtual LAN, PRI: 3, DEI: 0, ID: 42, Type: ARP (0x0806)',
      `Address Resolution Protocol (request), Sender: ${MAC_A} (10.0.0.1), Target: 00:00:00:00:00:00 (10.0.0.2)`,
    ]);
    const v6 = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      {
        kind: 'ipv6',
        src: 'fe80::1',
        dst: 'ff02::2',
        hopLimit: 255,
        extensionHeaders: [{ protocol: 0, data: new Uint8Array(6) }],
      },
      { kind: 'icmpv6', type: 133, checksum: 0x1234 },
    ]);
    const text = formatFrame(parseFrame(v6));
    expect(text).toContain(
      'Internet Protocol Version 6, Src: fe80::1, Dst: ff02::2, Hop Limit: 255, Next Header: Hop-by-Hop (0), Payload Len: 16, Ext: [Hop-by-Hop]',
    );
    expect(text).toContain(
      'Internet Control Message Protocol v6, Type: Router solicitation (133), Code: 0, Checksum: 0x1234',
    );
    expect(text).toMatch(
      /\n! \[bad-checksum\] icmpv6\.checksum at offset 64: icmpv6 checksum 0x1234 is wrong, expected 0x[0-9a-f]{4}$/,
    );
  });

  it('never throws on garbage', () => {
    for (let len = 0; len < 100; len += 7) expect(typeof formatFrame(pattern(len, 29))).toBe('string');
  });
});
