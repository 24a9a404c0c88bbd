import { describe, expect, it } from 'vitest';
import { buildFrame, IpProtocol, type Layer, PacketBuildError } from '../../src/packet/index.js';
import { MAC_A, MAC_B, pattern } from './helpers.js';

const eth: Layer = { kind: 'ethernet', dst: MAC_B, src: MAC_A };
const ip4: Layer = { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' };

function buildError(layers: Layer[]): PacketBuildError {
  try {
    buildFrame(layers);
  } catch (e) {
    if (e instanceof PacketBuildError) return e;
    throw e;
  }
  throw new Error('expected a PacketBuildError');
}

describe('buildFrame errors name the layer, field and value', () => {
  it.each<[string, Layer[], number, string, string]>([
    ['bad MAC', [{ ...eth, src: '02:00:00:00:00' }], 0, 'src', "invalid MAC address '02:00:00:00:00'"],
    [
      'bad IPv4',
      [eth, { ...ip4, dst: '10.0.0.300' }, { kind: 'udp', srcPort: 1, dstPort: 2 }],
      1,
      'dst',
      'greater than 255',
    ],
    [
      'bad IPv6',
      [eth, { kind: 'ipv6', src: '::1', dst: 'nope' }, { kind: 'udp', srcPort: 1, dstPort: 2 }],
      1,
      'dst',
      "invalid IPv6 address 'nope'",
    ],
    [
      'port out of range',
      [eth, ip4, { kind: 'udp', srcPort: 70000, dstPort: 1 }],
      2,
      'srcPort',
      '70000 is not an integer in 0..65535',
    ],
    [
      'fractional TTL',
      [eth, { ...ip4, ttl: 1.5 }, { kind: 'udp', srcPort: 1, dstPort: 1 }],
      1,
      'ttl',
      '1.5 is not an integer',
    ],
    [
      'VLAN id too large',
      [eth, { kind: 'vlan', vid: 4096 }, ip4, { kind: 'udp', srcPort: 1, dstPort: 1 }],
      1,
      'vid',
      '0..4095',
    ],
    [
      'missing UDP port',
      [eth, ip4, { kind: 'udp', srcPort: 1 }],
      2,
      'dstPort',
      'is required unless the next layer is geneve',
    ],
    [
      'underivable EtherType',
      [eth, { kind: 'payload', data: pattern(4) }],
      0,
      'etherType',
      "cannot be derived from next layer 'payload'",
    ],
    [
      'underivable IP protocol',
      [eth, ip4, { kind: 'payload', data: pattern(4) }],
      1,
      'protocol',
      'give it explicitly',
    ],
    [
      'checksum without IP',
      [
        { ...eth, etherType: 0x0800 },
        { kind: 'udp', srcPort: 1, dstPort: 2 },
      ],
      1,
      'checksum',
      'without an IPv4/IPv6 layer',
    ],
    [
      'payload not last',
      [eth, { kind: 'payload', data: pattern(4) }, ip4],
      1,
      'kind',
      'must be the last layer',
    ],
    [
      'IPv4 options too long',
      [eth, { ...ip4, options: new Uint8Array(44) }],
      1,
      'options',
      '44 bytes exceed the 40-byte maximum',
    ],
    [
      'TCP NOP with data',
      [eth, ip4, { kind: 'tcp', srcPort: 1, dstPort: 2, options: [{ kind: 1, data: pattern(1) }] }],
      2,
      'options[0].data',
      'takes no data',
    ],
    [
      'IPv6 extension header of the wrong size',
      [
        eth,
        {
          kind: 'ipv6',
          src: '::1',
          dst: '::2',
          extensionHeaders: [{ protocol: IpProtocol.HopByHop, data: pattern(5) }],
        },
      ],
      1,
      'extensionHeaders[0].data',
      'not 8n+6',
    ],
    [
      'unknown extension header',
      [eth, { kind: 'ipv6', src: '::1', dst: '::2', extensionHeaders: [{ protocol: 50, data: pattern(6) }] }],
      1,
      'extensionHeaders[0].protocol',
      'is not an extension header',
    ],
  ])('%s', (_name, layers, index, field, text) => {
    const e = buildError(layers);
    expect(e.layerIndex).toBe(index);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`layer ${index} (${layers[index].kind}) ${field}`);
    expect(e.message).toContain(text);
  });

  it('an unknown layer kind', () => {
    const e = buildError([eth, { kind: 'sctp' } as unknown as Layer]);
    expect(e.message).toBe('layer 1 (sctp) kind: unknown layer kind');
  });

  it('a non-Uint8Array payload', () => {
    const e = buildError([
      { ...eth, etherType: 0x88b5 },
      { kind: 'payload', data: [1, 2] as unknown as Uint8Array },
    ]);
    expect(e.message).toBe('layer 1 (payload) data: must be a Uint8Array');
  });
});
