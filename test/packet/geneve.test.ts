import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  findLayer,
  GENEVE_MAX_OPTIONS_LENGTH,
  type GeneveOption,
  type Layer,
  PacketBuildError,
  parseFrame,
  readSecurityId,
  securityIdOption,
} from '../../src/packet/index.js';
import { innerTcpLayers, MAC_A, MAC_B, pattern } from './helpers.js';

const GENEVE = 42;

function frame(geneve: Omit<Extract<Layer, { kind: 'geneve' }>, 'kind'>): Uint8Array {
  return buildFrame([
    { kind: 'ethernet', dst: MAC_B, src: MAC_A },
    { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
    { kind: 'udp', srcPort: 49999, checksum: 0 },
    { kind: 'geneve', ...geneve },
    ...innerTcpLayers(),
  ]);
}

function parsedGeneve(bytes: Uint8Array) {
  const { layers, issues } = parseFrame(bytes);
  expect(issues).toEqual([]);
  const g = findLayer(layers, 'geneve');
  if (g === undefined) throw new Error('no geneve layer');
  return g;
}

describe('Geneve options', () => {
  it('fill the 252-byte maximum (Opt Len 63) with one 124-byte and one 120-byte option', () => {
    const options: GeneveOption[] = [
      { optionClass: 0x0001, type: 1, critical: false, data: pattern(124) },
      { optionClass: 0x0002, type: 2, critical: false, data: pattern(120, 3) },
    ];
    const bytes = frame({ vni: 1, options });
    expect(bytes[GENEVE] & 0x3f).toBe(63);
    expect(bytes[GENEVE + 8 + 3] & 0x1f).toBe(31);
    const g = parsedGeneve(bytes);
    expect(g.optionsLength).toBe(63);
    expect(g.options).toMatchObject(options);
  });

  it('63 empty options, in the order given', () => {
    const options: GeneveOption[] = Array.from({ length: 63 }, (_, k) => ({
      optionClass: 0xff00 + k,
      type: 127 - k,
      critical: false,
      data: new Uint8Array(0),
    }));
    const g = parsedGeneve(frame({ vni: 2, options }));
    expect(g.options?.map((o) => o.optionClass)).toEqual(options.map((o) => o.optionClass));
    expect(g.options?.map((o) => o.type)).toEqual(options.map((o) => o.type));
  });

  it('the C bit is set exactly when some option is critical, wherever it is in the list', () => {
    const plain = { optionClass: 5, type: 1, critical: false, data: pattern(4) };
    const critical = { optionClass: 5, type: 2, critical: true, data: pattern(8) };
    expect(parsedGeneve(frame({ vni: 3, options: [plain, plain] })).critical).toBe(false);
    expect(parsedGeneve(frame({ vni: 3, options: [plain, critical] })).critical).toBe(true);
    expect(parsedGeneve(frame({ vni: 3, options: [critical, plain] })).critical).toBe(true);
    expect(parsedGeneve(frame({ vni: 3 })).critical).toBe(false);
    const bytes = frame({ vni: 3, options: [plain, critical] });
    expect(bytes[GENEVE + 1] & 0x40).toBe(0x40);
    expect(bytes[GENEVE + 8 + 8 + 2]).toBe(0x82); // critical bit is the Type field's high bit
  });

  it('rejects options beyond the limits with errors naming the field', () => {
    const big = (n: number): GeneveOption => ({
      optionClass: 1,
      type: 1,
      critical: false,
      data: new Uint8Array(n),
    });
    expect(() => frame({ vni: 1, options: [big(124), big(124)] })).toThrow(
      new RegExp(
        `layer 3 \\(geneve\\) options: 256 bytes exceed the ${GENEVE_MAX_OPTIONS_LENGTH}-byte limit`,
      ),
    );
    expect(() => frame({ vni: 1, options: Array.from({ length: 64 }, () => big(0)) })).toThrow(
      'exceed the 252-byte limit',
    );
    expect(() => frame({ vni: 1, options: [big(128)] })).toThrow('options[0].data: 128 bytes');
    expect(() => frame({ vni: 1, options: [big(6)] })).toThrow('multiple of 4');
    expect(() => frame({ vni: 1, options: [{ ...big(4), type: 128 }] })).toThrow(
      'options[0].type: 128 is not an integer in 0..127',
    );
    expect(() => frame({ vni: 1, options: [{ ...big(4), optionClass: 0x10000 }] })).toThrow('optionClass');
    expect(() => frame({ vni: 0x1000000 })).toThrow(PacketBuildError);
    expect(() => frame({ vni: 0x1000000 })).toThrow('vni: 16777216 is not an integer in 0..16777215');
  });

  it('honours explicit header fields: version, reserved bits, O bit, protocol type', () => {
    const bytes = buildFrame([
      { kind: 'ethernet', dst: MAC_B, src: MAC_A },
      { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { kind: 'udp', srcPort: 1, checksum: 0 },
      { kind: 'geneve', vni: 0xffffff, oam: true, reserved1: 0x2a, reserved2: 0x99, protocolType: 0x0800 },
      { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', protocol: 253, totalLength: 20 },
    ]);
    expect(bytes[GENEVE + 1]).toBe(0x80 | 0x2a);
    expect(bytes[GENEVE + 7]).toBe(0x99);
    const g = parsedGeneve(bytes);
    expect(g).toMatchObject({
      oam: true,
      reserved1: 0x2a,
      reserved2: 0x99,
      protocolType: 0x0800,
      vni: 0xffffff,
    });
  });

  it('needs an explicit protocol type when the next layer is raw payload', () => {
    expect(() =>
      buildFrame([
        { kind: 'ethernet', dst: MAC_B, src: MAC_A },
        { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
        { kind: 'udp', srcPort: 1 },
        { kind: 'geneve', vni: 1 },
        { kind: 'payload', data: pattern(4) },
      ]),
    ).toThrow("layer 3 (geneve) protocolType: cannot be derived from next layer 'payload'");
  });
});

describe('security-ID option', () => {
  const key = { optionClass: 0x0102, type: 0x42 };

  it('carries a 32-bit id in 4 big-endian data bytes', () => {
    const opt = securityIdOption({ ...key, critical: true, id: 0xdeadbeef });
    expect(opt).toEqual({
      optionClass: 0x0102,
      type: 0x42,
      critical: true,
      data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
    });
    expect(readSecurityId([opt], key)).toBe(0xdeadbeef);
  });

  it('is found among other options after a round trip', () => {
    const options = [
      { optionClass: 0x0102, type: 0x41, critical: false, data: pattern(8) },
      securityIdOption({ ...key, id: 7 }),
      securityIdOption({ optionClass: 0x0103, type: 0x42, id: 8 }),
    ];
    const g = parsedGeneve(frame({ vni: 9, options }));
    expect(readSecurityId(g.options ?? [], key)).toBe(7);
    expect(readSecurityId(g.options ?? [], { optionClass: 0x0103, type: 0x42 })).toBe(8);
    expect(readSecurityId(g.options ?? [], { ...key, critical: true })).toBeUndefined();
    expect(readSecurityId(g.options ?? [], { optionClass: 0x0104, type: 0x42 })).toBeUndefined();
  });

  it('rejects bad fields and a malformed matching option', () => {
    expect(() => securityIdOption({ ...key, id: 2 ** 32 })).toThrow('id 4294967296');
    expect(() => securityIdOption({ ...key, type: 200, id: 1 })).toThrow('type 200');
    expect(() => readSecurityId([{ ...key, critical: false, data: pattern(8) }], key)).toThrow(
      'has 8 data bytes, expected 4',
    );
  });
});
