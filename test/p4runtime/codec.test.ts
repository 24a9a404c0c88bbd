import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitLength,
  bytesToBigInt,
  decodeBits,
  decodeSignedBits,
  encodeBits,
  encodeSignedBits,
  formatIpv6,
  formatMac,
  formatValue,
  guessFormat,
  parseIpv6,
  toBigInt,
} from '../../packages/p4runtime-ts-grpc/src/codec.js';
import { ValueError } from '../../packages/p4runtime-ts-grpc/src/errors.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('bit<W> canonical encoding at every width 1..128', () => {
  for (let width = 1; width <= 128; width++) {
    it(`bit<${width}>: edges, overflow and decoding`, () => {
      const max = (1n << BigInt(width)) - 1n;
      const maxBytes = encodeBits(max, width, 'f');
      // Canonical: shortest string, first byte non-zero, exactly ceil(W/8) bytes for the max value.
      expect(maxBytes.length).toBe(Math.ceil(width / 8));
      expect(maxBytes[0]).not.toBe(0);
      expect(bitLength(maxBytes)).toBe(width);
      expect(decodeBits(maxBytes, width, 'f')).toBe(max);
      // Zero is a single 0x00 byte, one is 0x01.
      expect(hex(encodeBits(0n, width, 'f'))).toBe('00');
      expect(hex(encodeBits(1, width, 'f'))).toBe('01');
      // 2^W does not fit, whatever the input form.
      expect(() => encodeBits(max + 1n, width, 'f')).toThrow(ValueError);
      expect(() => encodeBits(`0x${(max + 1n).toString(16)}`, width, 'f')).toThrow(
        `does not fit in ${width} bit(s)`,
      );
      // Received strings: zero padding accepted, anything wider than W rejected.
      const padded = new Uint8Array(maxBytes.length + 2);
      padded.set(maxBytes, 2);
      expect(decodeBits(padded, width, 'f')).toBe(max);
      const tooWide = encodeBits(max + 1n, width + 1, 'f');
      expect(() => decodeBits(tooWide, width, 'f')).toThrow(`wider than ${width} bit(s)`);
      // Full-width mode pads to ceil(W/8).
      expect(encodeBits(1, width, 'f', 'full-width').length).toBe(Math.ceil(width / 8));
    });
  }

  it('round-trips random values of random widths (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 128 })
          .chain((w) => fc.tuple(fc.constant(w), fc.bigInt({ min: 0n, max: (1n << BigInt(w)) - 1n }))),
        ([width, value]) => {
          const bytes = encodeBits(value, width, 'f');
          expect(bytes.length === 1 || bytes[0] !== 0).toBe(true);
          expect(decodeBits(bytes, width, 'f')).toBe(value);
          if (value <= BigInt(Number.MAX_SAFE_INTEGER))
            expect(hex(encodeBits(Number(value), width, 'f'))).toBe(hex(bytes));
          expect(hex(encodeBits(`0x${value.toString(16)}`, width, 'f'))).toBe(hex(bytes));
          expect(hex(encodeBits(value.toString(), width, 'f'))).toBe(hex(bytes));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('friendly inputs', () => {
  it('accepts MAC, IPv4, IPv6, hex, decimal strings and bytes', () => {
    expect(hex(encodeBits('02:00:00:00:00:01', 48, 'mac'))).toBe('020000000001');
    expect(hex(encodeBits('00-00-00-00-0a-0B', 48, 'mac'))).toBe('0a0b');
    expect(hex(encodeBits('10.0.0.1', 32, 'ip'))).toBe('0a000001');
    expect(hex(encodeBits('0.0.0.0', 32, 'ip'))).toBe('00');
    expect(hex(encodeBits('2001:db8::1', 128, 'ip6'))).toBe('20010db8000000000000000000000001');
    expect(hex(encodeBits('::ffff:10.0.0.1', 128, 'ip6'))).toBe('ffff0a000001');
    expect(hex(encodeBits('0x00ff', 16, 'h'))).toBe('ff');
    expect(hex(encodeBits('4096', 16, 'd'))).toBe('1000');
    expect(hex(encodeBits(new Uint8Array([0, 0, 7]), 8, 'b'))).toBe('07');
    expect(hex(encodeBits(2 ** 40 + 5, 48, 'n'))).toBe('010000000005');
  });

  it('rejects malformed input naming the field, value and width', () => {
    const cases: [unknown, number, string][] = [
      [-1, 8, 'non-negative safe integer'],
      [1.5, 8, 'non-negative safe integer'],
      [Number.NaN, 8, 'non-negative safe integer'],
      [2 ** 60, 64, 'use a bigint'],
      [-3n, 8, 'negative'],
      ['', 8, 'empty string'],
      ['02:00:00:00:00', 48, 'not a MAC or IPv6'],
      ['1.2.3.256', 32, 'invalid IPv4'],
      ['1.2.3', 32, 'invalid IPv4'],
      ['0xzz', 8, 'invalid hex'],
      ['hello', 8, 'unrecognised string'],
      [new Uint8Array(0), 8, 'empty byte string'],
      ['10.0.0.1', 16, 'does not fit in 16 bit(s)'],
      [256, 8, 'does not fit in 8 bit(s)'],
    ];
    for (const [value, width, reason] of cases) {
      let error: unknown;
      try {
        encodeBits(value as never, width, "table t match field 'x'");
      } catch (e) {
        error = e;
      }
      expect(error, `value ${String(value)}`).toBeInstanceOf(ValueError);
      const message = (error as Error).message;
      expect(message).toContain("table t match field 'x'");
      expect(message).toContain(reason);
      expect(message).toContain(`bit width ${width}`);
    }
  });

  it('rejects empty received strings', () => {
    expect(() => decodeBits(new Uint8Array(0), 8, 'f')).toThrow('empty binary string');
  });

  it('parses and formats IPv6 per RFC 5952', () => {
    for (const text of ['::', '::1', '2001:db8::', 'fe80::1:2', '2001:db8:0:1:1:1:1:1', '1:0:0:2::3']) {
      expect(formatIpv6(bytesToBigInt(parseIpv6(text)!))).toBe(text);
    }
    // Equal zero runs: the first is compressed; a single zero group is never compressed.
    expect(formatIpv6(bytesToBigInt(parseIpv6('1:0:0:2:0:0:3:4')!))).toBe('1::2:0:0:3:4');
    expect(formatIpv6(bytesToBigInt(parseIpv6('1:0:2:3:4:5:6:7')!))).toBe('1:0:2:3:4:5:6:7');
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIpv6('12345::')).toBeUndefined();
  });
});

describe('int<W> two-complement encoding (P4Data)', () => {
  it('matches the specification examples', () => {
    expect(hex(encodeSignedBits(99, 8, 'f'))).toBe('63');
    expect(hex(encodeSignedBits(-99, 8, 'f'))).toBe('9d');
    expect(hex(encodeSignedBits(-739, 12, 'f'))).toBe('fd1d');
    expect(hex(encodeSignedBits(0, 16, 'f'))).toBe('00');
    expect(decodeSignedBits(Uint8Array.from([0xff, 0x9d]), 8, 'f')).toBe(-99n);
    expect(decodeSignedBits(Uint8Array.from([0x00, 0x63]), 8, 'f')).toBe(99n);
    expect(() => encodeSignedBits(128, 8, 'f')).toThrow('does not fit in int<8>');
    expect(() => decodeSignedBits(Uint8Array.from([0x00, 0x80]), 8, 'f')).toThrow('outside int<8>');
  });

  it('round-trips random values (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 128 }).chain((w) => {
          const limit = 1n << BigInt(w - 1);
          return fc.tuple(fc.constant(w), fc.bigInt({ min: -limit, max: limit - 1n }));
        }),
        ([width, value]) => {
          expect(decodeSignedBits(encodeSignedBits(value, width, 'f'), width, 'f')).toBe(value);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('formatting', () => {
  it('renders values in each format', () => {
    expect(formatValue(5000n, 24)).toBe(5000);
    expect(formatValue(5000n, 64)).toBe(5000n);
    expect(formatValue(0x020000000001n, 48, 'mac')).toBe('02:00:00:00:00:01');
    expect(formatValue(0x0a000001n, 32, 'ipv4')).toBe('10.0.0.1');
    expect(formatValue(255n, 16, 'hex')).toBe('0xff');
    expect(formatMac(1n)).toBe('00:00:00:00:00:01');
    expect(() => formatValue(1n << 60n, 64, 'number')).toThrow("use format 'bigint'");
  });

  it('guesses address formats from names only at matching widths', () => {
    expect(guessFormat('hdr.ethernet.dst_addr', 48)).toBe('mac');
    expect(guessFormat('dst_mac', 48)).toBe('mac');
    expect(guessFormat('hdr.ipv4.dst_addr', 32)).toBe('ipv4');
    expect(guessFormat('remote_vtep', 32)).toBe('ipv4');
    expect(guessFormat('vni', 24)).toBe('auto');
    expect(guessFormat('dst_mac', 32)).toBe('auto');
    expect(guessFormat('hdr.ethernet.dstAddr', 48)).toBe('mac');
    expect(guessFormat('router', 48, 'EthernetAddress')).toBe('mac');
    expect(guessFormat('gw', 32, 'ip4Addr_t')).toBe('ipv4');
    expect(guessFormat('hdr.ipv6.dstAddr', 128)).toBe('ipv6');
  });

  it('converts friendly values to bigint for comparisons', () => {
    expect(toBigInt('02:00:00:00:00:01', 48)).toBe(0x020000000001n);
    expect(() => toBigInt(1n << 48n, 48, 'mac')).toThrow('does not fit');
  });
});
