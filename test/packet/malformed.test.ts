// Hostile and inconsistent frames: parsing never throws, decodes as far as the bytes are valid and
// reports each problem with its code, layer, field and byte offset.
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  EtherType,
  findLayer,
  IpProtocol,
  type Layer,
  type LayerKind,
  type ParseIssue,
  parseFrame,
} from '../../src/packet/index.js';
import { innerTcpLayers, MAC_A, MAC_B, pattern, u16 } from './helpers.js';

const eth: Layer = { kind: 'ethernet', dst: MAC_B, src: MAC_A };
const ip4: Layer = { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' };
const ip6: Layer = { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2' };
// Offsets in an Ethernet/IPv4/UDP/Geneve frame.
const IP = 14;
const UDP = 34;
const GENEVE = 42;

type IssueKey = [code: ParseIssue['code'], layer: LayerKind, field: string, offset: number];
const keys = (issues: ParseIssue[]): IssueKey[] => issues.map((i) => [i.code, i.layer, i.field, i.offset]);
const kinds = (layers: Layer[]): string[] => layers.map((l) => l.kind);

function geneveFrame(
  geneve: Partial<Extract<Layer, { kind: 'geneve' }>>,
  inner: Layer[] = innerTcpLayers(),
): Uint8Array {
  return buildFrame([
    eth,
    ip4,
    { kind: 'udp', srcPort: 50000, checksum: 0 },
    { kind: 'geneve', vni: 77, ...geneve },
    ...inner,
  ]);
}

/** The checksum the builder computes for the same layers without an explicit value. */
function correctChecksum(layers: Layer[], at: number): number {
  return u16(buildFrame(layers), at);
}

describe('truncation', () => {
  it('empty input and a short Ethernet header', () => {
    expect(keys(parseFrame(new Uint8Array(0)).issues)).toEqual([['truncated', 'ethernet', 'header', 0]]);
    const { layers, issues } = parseFrame(pattern(10));
    expect(keys(issues)).toEqual([['truncated', 'ethernet', 'header', 0]]);
    expect(kinds(layers)).toEqual(['payload']);
  });

  it('every header cut short reports the layer whose bytes are missing', () => {
    const full = geneveFrame({ options: [{ optionClass: 1, type: 2, critical: false, data: pattern(4) }] });
    const expectedAt: [number, LayerKind][] = [
      [16, 'ipv4'],
      [UDP + 4, 'udp'],
      [GENEVE + 4, 'geneve'],
      [GENEVE + 16 + 10, 'ethernet'],
      [GENEVE + 16 + 14 + 10, 'ipv4'],
      [GENEVE + 16 + 14 + 20 + 10, 'tcp'],
    ];
    for (const [cut, layer] of expectedAt) {
      const { issues } = parseFrame(full.subarray(0, cut));
      expect(
        issues.some((i) => i.layer === layer && i.code === 'truncated'),
        `cut at ${cut}`,
      ).toBe(true);
    }
  });

  it('a VLAN tag, an ARP packet and an ICMP header cut short', () => {
    const vlan = buildFrame([eth, { kind: 'vlan', vid: 5 }, ip4, { kind: 'udp', srcPort: 1, dstPort: 2 }]);
    expect(keys(parseFrame(vlan.subarray(0, 16)).issues)).toEqual([['truncated', 'vlan', 'header', 14]]);
    const arp = buildFrame([
      eth,
      {
        kind: 'arp',
        operation: 1,
        senderMac: MAC_A,
        senderIp: '1.1.1.1',
        targetMac: MAC_B,
        targetIp: '2.2.2.2',
      },
    ]);
    expect(keys(parseFrame(arp.subarray(0, 30)).issues)).toEqual([['truncated', 'arp', 'header', 14]]);
    const icmp = buildFrame([eth, ip4, { kind: 'icmpv4', type: 8 }]);
    const cut = icmp.slice(0, 38);
    cut[17] = 24; // make the IPv4 total length agree with the shorter datagram
    const { issues } = parseFrame(cut);
    expect(issues.map((i) => [i.code, i.layer, i.offset])).toContainEqual(['truncated', 'icmpv4', 34]);
  });
});

describe('IPv4', () => {
  it('a version other than 4 under EtherType 0x0800', () => {
    const bytes = buildFrame([eth, ip4, { kind: 'udp', srcPort: 1, dstPort: 2 }]);
    bytes[IP] = 0x65;
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['bad-version', 'ipv4', 'version', IP]]);
    expect(kinds(layers)).toEqual(['ethernet', 'payload']);
  });

  it('IHL below 5', () => {
    const { layers, issues } = parseFrame(
      buildFrame([eth, { ...ip4, ihl: 4 }, { kind: 'udp', srcPort: 1, dstPort: 2 }]),
    );
    expect(keys(issues)).toEqual([['bad-header-length', 'ipv4', 'ihl', IP]]);
    expect(kinds(layers)).toEqual(['ethernet', 'ipv4', 'payload']);
    expect(findLayer(layers, 'ipv4')?.ihl).toBe(4);
  });

  it('IHL pointing past the end of the frame', () => {
    const bytes = buildFrame([eth, { ...ip4, ihl: 15, totalLength: 60, protocol: 17 }]);
    expect(keys(parseFrame(bytes).issues)).toEqual([['truncated', 'ipv4', 'ihl', IP]]);
  });

  it('total length larger than the bytes present', () => {
    const layers: Layer[] = [eth, { ...ip4, totalLength: 200 }, { kind: 'udp', srcPort: 1, dstPort: 2 }];
    const parsed = parseFrame(buildFrame(layers));
    expect(keys(parsed.issues)).toEqual([['truncated', 'ipv4', 'totalLength', IP + 2]]);
    expect(parsed.issues[0].message).toContain('200');
    expect(kinds(parsed.layers)).toEqual(['ethernet', 'ipv4', 'udp']);
  });

  it('total length smaller than the bytes present in a frame above the Ethernet minimum', () => {
    const bytes = buildFrame([
      eth,
      { ...ip4, totalLength: 40 },
      { kind: 'udp', srcPort: 1, dstPort: 2, length: 20, checksum: 0 },
      { kind: 'payload', data: pattern(30) },
    ]);
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['bad-length', 'ipv4', 'totalLength', IP + 2]]);
    expect(findLayer(layers, 'ethernet')?.trailer?.length).toBe(bytes.length - 14 - 40);
    expect(buildFrame(layers)).toEqual(bytes);
  });

  it('total length smaller than the header', () => {
    const { issues } = parseFrame(
      buildFrame([eth, { ...ip4, totalLength: 12 }, { kind: 'udp', srcPort: 1, dstPort: 2 }]),
    );
    expect(keys(issues)).toEqual([['bad-length', 'ipv4', 'totalLength', IP + 2]]);
  });

  it('a wrong header checksum names the expected value', () => {
    const layers: Layer[] = [eth, ip4, { kind: 'udp', srcPort: 1, dstPort: 2 }];
    const good = correctChecksum(layers, IP + 10);
    const { issues } = parseFrame(buildFrame([eth, { ...ip4, checksum: good ^ 0x0101 }, layers[2]]));
    expect(keys(issues)).toEqual([['bad-checksum', 'ipv4', 'checksum', IP + 10]]);
    expect(issues[0].message).toContain(`expected 0x${good.toString(16).padStart(4, '0')}`);
  });
});

describe('UDP', () => {
  it('length larger than the datagram', () => {
    const { issues } = parseFrame(
      buildFrame([eth, ip4, { kind: 'udp', srcPort: 1, dstPort: 2, length: 500 }]),
    );
    expect(keys(issues)).toEqual([['truncated', 'udp', 'length', UDP + 4]]);
  });

  it('length smaller than the datagram: the rest is the IPv4 trailer', () => {
    const bytes = buildFrame([
      eth,
      ip4,
      { kind: 'udp', srcPort: 1, dstPort: 2, length: 10, checksum: 0 },
      { kind: 'payload', data: pattern(40) },
    ]);
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['bad-length', 'udp', 'length', UDP + 4]]);
    expect(findLayer(layers, 'ipv4')?.trailer?.length).toBe(38);
    expect(findLayer(layers, 'payload')?.data.length).toBe(2);
    expect(buildFrame(layers)).toEqual(bytes);
  });

  it('length below the header size', () => {
    const { issues } = parseFrame(buildFrame([eth, ip4, { kind: 'udp', srcPort: 1, dstPort: 2, length: 7 }]));
    expect(keys(issues)).toEqual([['bad-length', 'udp', 'length', UDP + 4]]);
  });

  it('a wrong checksum over IPv4 and over IPv6', () => {
    for (const ip of [ip4, ip6]) {
      const layers: Layer[] = [
        eth,
        ip,
        { kind: 'udp', srcPort: 1, dstPort: 2 },
        { kind: 'payload', data: pattern(9) },
      ];
      const at = 14 + (ip.kind === 'ipv4' ? 20 : 40);
      const good = correctChecksum(layers, at + 6);
      const { issues } = parseFrame(
        buildFrame([eth, ip, { kind: 'udp', srcPort: 1, dstPort: 2, checksum: good ^ 0xff }, layers[3]]),
      );
      expect(keys(issues)).toEqual([['bad-checksum', 'udp', 'checksum', at + 6]]);
      expect(issues[0].message).toContain(`expected 0x${good.toString(16).padStart(4, '0')}`);
    }
  });

  it('checksum zero: allowed over IPv4 and for Geneve over IPv6, reported otherwise over IPv6', () => {
    expect(
      parseFrame(buildFrame([eth, ip4, { kind: 'udp', srcPort: 1, dstPort: 2, checksum: 0 }])).issues,
    ).toEqual([]);
    const v6 = parseFrame(buildFrame([eth, ip6, { kind: 'udp', srcPort: 1, dstPort: 2, checksum: 0 }]));
    expect(keys(v6.issues)).toEqual([['bad-checksum', 'udp', 'checksum', 14 + 40 + 6]]);
    const geneve = buildFrame([
      eth,
      ip6,
      { kind: 'udp', srcPort: 1, checksum: 0 },
      { kind: 'geneve', vni: 1 },
      ...innerTcpLayers(),
    ]);
    expect(parseFrame(geneve).issues).toEqual([]);
  });
});

describe('TCP and ICMP', () => {
  const tcp: Layer = {
    kind: 'tcp',
    srcPort: 1,
    dstPort: 2,
    options: [{ kind: 2, data: Uint8Array.of(5, 0xb4) }],
  };
  const TCP = 34;

  it('a wrong TCP checksum', () => {
    const good = correctChecksum([eth, ip4, tcp], TCP + 16);
    const { issues } = parseFrame(buildFrame([eth, ip4, { ...tcp, checksum: good ^ 1 }]));
    expect(keys(issues)).toEqual([['bad-checksum', 'tcp', 'checksum', TCP + 16]]);
    expect(issues[0].message).toContain(`expected 0x${good.toString(16).padStart(4, '0')}`);
  });

  it('data offset below 5 and past the end', () => {
    expect(keys(parseFrame(buildFrame([eth, ip4, { ...tcp, options: [], dataOffset: 3 }])).issues)).toEqual([
      ['bad-header-length', 'tcp', 'dataOffset', TCP + 12],
    ]);
    const bytes = buildFrame([eth, ip4, tcp]);
    bytes[TCP + 12] = 0xf0;
    expect(parseFrame(bytes).issues.map((i) => [i.code, i.field])).toContainEqual([
      'truncated',
      'dataOffset',
    ]);
  });

  it('an option whose length runs past the header, and bytes after End of Option List', () => {
    const bad = buildFrame([eth, ip4, { ...tcp, checksum: 0 }]);
    bad[TCP + 21] = 9; // MSS length 9 > 4 option bytes
    expect(keys(parseFrame(bad, { verifyChecksums: false }).issues)).toEqual([
      ['bad-option', 'tcp', 'options[0].length', TCP + 21],
    ]);
    const junk = buildFrame([
      eth,
      ip4,
      { ...tcp, options: [{ kind: 0, data: new Uint8Array(0) }], dataOffset: 6 },
    ]);
    junk[TCP + 22] = 7;
    expect(keys(parseFrame(junk, { verifyChecksums: false }).issues)).toEqual([
      ['bad-option', 'tcp', 'options', TCP + 22],
    ]);
  });

  it('wrong ICMPv4 and ICMPv6 checksums', () => {
    const v4: Layer[] = [eth, ip4, { kind: 'icmpv4', type: 8 }, { kind: 'payload', data: pattern(8) }];
    const good4 = correctChecksum(v4, 34 + 2);
    expect(
      keys(
        parseFrame(buildFrame([eth, ip4, { kind: 'icmpv4', type: 8, checksum: good4 + 1 }, v4[3]])).issues,
      ),
    ).toEqual([['bad-checksum', 'icmpv4', 'checksum', 36]]);
    const v6: Layer[] = [eth, ip6, { kind: 'icmpv6', type: 128 }, { kind: 'payload', data: pattern(8) }];
    const good6 = correctChecksum(v6, 54 + 2);
    const { issues } = parseFrame(
      buildFrame([eth, ip6, { kind: 'icmpv6', type: 128, checksum: good6 ^ 0x8000 }, v6[3]]),
    );
    expect(keys(issues)).toEqual([['bad-checksum', 'icmpv6', 'checksum', 56]]);
    expect(issues[0].message).toContain(`expected 0x${good6.toString(16).padStart(4, '0')}`);
  });
});

describe('IPv6', () => {
  const udp: Layer = { kind: 'udp', srcPort: 1, dstPort: 2 };

  it('a version other than 6 under EtherType 0x86dd', () => {
    const bytes = buildFrame([eth, ip6, udp]);
    bytes[14] = 0x40;
    expect(keys(parseFrame(bytes).issues)).toEqual([['bad-version', 'ipv6', 'version', 14]]);
  });

  it('payload length larger and smaller than the bytes present', () => {
    expect(keys(parseFrame(buildFrame([eth, { ...ip6, payloadLength: 100 }, udp])).issues)).toEqual([
      ['truncated', 'ipv6', 'payloadLength', 18],
    ]);
    const short = buildFrame([
      eth,
      { ...ip6, payloadLength: 8 },
      { ...udp, length: 8, checksum: 0xffff },
      { kind: 'payload', data: pattern(20) },
    ]);
    const parsed = parseFrame(short, { verifyChecksums: false });
    expect(keys(parsed.issues)).toEqual([['bad-length', 'ipv6', 'payloadLength', 18]]);
    expect(findLayer(parsed.layers, 'ethernet')?.trailer?.length).toBe(20);
  });

  it('an extension header running past the end, and Hop-by-Hop not first', () => {
    const bytes = buildFrame([
      eth,
      { ...ip6, extensionHeaders: [{ protocol: IpProtocol.DestinationOptions, data: new Uint8Array(6) }] },
      udp,
    ]);
    bytes[54 + 1] = 20; // Hdr Ext Len 20 -> 168 bytes
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['truncated', 'ipv6', 'extensionHeaders[0]', 54]]);
    expect(kinds(layers)).toEqual(['ethernet', 'ipv6', 'payload']);

    const hbh = buildFrame([
      eth,
      {
        ...ip6,
        extensionHeaders: [
          { protocol: IpProtocol.DestinationOptions, data: new Uint8Array(6) },
          { protocol: IpProtocol.HopByHop, data: new Uint8Array(6) },
        ],
      },
      udp,
    ]);
    expect(keys(parseFrame(hbh).issues)).toEqual([['bad-option', 'ipv6', 'extensionHeaders[1]', 62]]);
  });

  it('a non-first fragment stops at the fragment header', () => {
    const frag = Uint8Array.of(0, 0x08, 0, 0, 0, 1); // offset 1 (8 bytes)
    const { layers, issues } = parseFrame(
      buildFrame([
        eth,
        {
          ...ip6,
          nextHeader: IpProtocol.Fragment,
          extensionHeaders: [{ protocol: IpProtocol.Fragment, nextHeader: 17, data: frag }],
        },
        { kind: 'payload', data: pattern(16) },
      ]),
    );
    expect(issues).toEqual([]);
    expect(kinds(layers)).toEqual(['ethernet', 'ipv6', 'payload']);
  });
});

describe('ARP', () => {
  it('hardware/protocol sizes other than 6/4 are left raw', () => {
    const bytes = buildFrame([
      { ...eth, etherType: EtherType.ARP },
      { kind: 'payload', data: Uint8Array.of(0, 6, 8, 0, 8, 4, 0, 1, ...pattern(24)) },
    ]);
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['unsupported', 'arp', 'hardwareLength', 18]]);
    expect(kinds(layers)).toEqual(['ethernet', 'payload']);
  });
});

describe('Geneve', () => {
  const option = { optionClass: 0x0102, type: 3, critical: false, data: pattern(4) };

  it('a version other than 0 stops after the base header', () => {
    const bytes = geneveFrame({ version: 1, options: [option] });
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['bad-version', 'geneve', 'version', GENEVE]]);
    expect(kinds(layers)).toEqual(['ethernet', 'ipv4', 'udp', 'geneve', 'payload']);
    expect(findLayer(layers, 'geneve')).toMatchObject({ version: 1, vni: 77, optionsLength: 2, options: [] });
    expect(buildFrame(layers)).toEqual(bytes);
  });

  it('Opt Len pointing past the end of the packet', () => {
    const bytes = buildFrame([
      eth,
      ip4,
      { kind: 'udp', srcPort: 50000, checksum: 0 },
      { kind: 'geneve', vni: 5, optionsLength: 10, protocolType: 0x6558, options: [option] },
    ]);
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['truncated', 'geneve', 'optionsLength', GENEVE]]);
    expect(findLayer(layers, 'geneve')?.options).toEqual([{ ...option, reserved: 0, length: 1 }]);
  });

  it('an option length running past Opt Len; the inner frame still starts at Opt Len', () => {
    const bytes = geneveFrame({ options: [{ ...option, length: 3 }] });
    const { layers, issues } = parseFrame(bytes);
    expect(keys(issues)).toEqual([['bad-option', 'geneve', 'options[0].length', GENEVE + 8 + 3]]);
    expect(kinds(layers)).toEqual([
      'ethernet',
      'ipv4',
      'udp',
      'geneve',
      'ethernet',
      'ipv4',
      'tcp',
      'payload',
    ]);
    expect(findLayer(layers, 'geneve')?.options).toEqual([]);
  });

  it('an option cut off by the end of the buffer', () => {
    const bytes = geneveFrame({ options: [option, { ...option, data: pattern(8) }] });
    const cut = bytes.subarray(0, GENEVE + 8 + 8 + 6);
    const { layers, issues } = parseFrame(cut);
    expect(keys(issues.filter((i) => i.layer === 'geneve'))).toEqual([
      ['truncated', 'geneve', 'optionsLength', GENEVE],
      ['bad-option', 'geneve', 'options[1].length', GENEVE + 8 + 8 + 3],
    ]);
    expect(findLayer(layers, 'geneve')?.options?.length).toBe(1);
  });

  it('the C bit disagreeing with the options', () => {
    const critical = { ...option, critical: true };
    expect(keys(parseFrame(geneveFrame({ critical: false, options: [critical] })).issues)).toEqual([
      ['inconsistent', 'geneve', 'critical', GENEVE + 1],
    ]);
    expect(keys(parseFrame(geneveFrame({ critical: true, options: [option] })).issues)).toEqual([
      ['inconsistent', 'geneve', 'critical', GENEVE + 1],
    ]);
  });

  it('an unknown protocol type leaves the inner packet raw', () => {
    const bytes = buildFrame([
      eth,
      ip4,
      { kind: 'udp', srcPort: 50000, checksum: 0 },
      { kind: 'geneve', vni: 5, protocolType: 0x88b5 },
      { kind: 'payload', data: pattern(20) },
    ]);
    const { layers, issues } = parseFrame(bytes);
    expect(issues).toEqual([]);
    expect(kinds(layers)).toEqual(['ethernet', 'ipv4', 'udp', 'geneve', 'payload']);
  });
});

describe('issue messages', () => {
  it('say what was wrong with the values involved', () => {
    const { issues } = parseFrame(
      geneveFrame({ options: [{ optionClass: 1, type: 1, critical: false, data: pattern(4), length: 9 }] }),
    );
    expect(issues[0].message).toMatch(
      /option length 9 words ends at offset \d+, past the options end at offset 58/,
    );
  });
});
