// Pure conversions of the server: PI's bytestring rules, LPM trailing-zero checks, and the
// controller header codec (packet_out built, packet_in parsed) for arbitrary field widths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hasPrefixTrailingZeros,
  toCanonical,
  toFixedWidth,
} from '../../../src/switch/p4runtime/frontend/bytestrings.js';
import { buildPacketOut, parsePacketIn } from '../../../src/switch/p4runtime/frontend/controller-packets.js';
import type { ControllerHeaderModel } from '../../../src/switch/p4runtime/frontend/p4info-model.js';
import { P4RuntimeStatusError } from '../../../src/switch/p4runtime/frontend/status.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function canonicalOf(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v > 0n) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return new Uint8Array(out.length ? out : [0]);
}

describe('bytestrings (PI rules)', () => {
  it('zero-extends short strings and drops leading zero bytes of long ones', () => {
    expect(hex(toFixedWidth(new Uint8Array([1]), 16, 'f'))).toBe('0001');
    expect(hex(toFixedWidth(new Uint8Array([0, 0, 1, 0xff]), 9, 'f'))).toBe('01ff');
    expect(hex(toFixedWidth(new Uint8Array([]), 8, 'f'))).toBe('00');
  });

  it('refuses values with bits beyond the width, naming the field and value', () => {
    try {
      toFixedWidth(new Uint8Array([2, 0]), 9, "parameter 'port'");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(P4RuntimeStatusError);
      expect((e as Error).message).toBe(
        "Bytestring provided does not fit within 9 bits: parameter 'port', value 0x0200",
      );
    }
  });

  it('round-trips any value through fixed width and back to canonical form', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 160 }),
        fc.bigInt({ min: 0n, max: (1n << 160n) - 1n }),
        fc.nat(4),
        (width, raw, pad) => {
          const value = raw & ((1n << BigInt(width)) - 1n);
          const canonical = canonicalOf(value);
          const padded = new Uint8Array([...new Uint8Array(pad), ...canonical]);
          const fixed = toFixedWidth(padded, width, 'f');
          expect(fixed.length).toBe((width + 7) >> 3);
          expect(hex(toCanonical(fixed))).toBe(hex(canonical));
        },
      ),
    );
  });

  it('checks LPM trailing zeros on the byte-padded value, as PI does', () => {
    expect(hasPrefixTrailingZeros(new Uint8Array([0x0a, 0x01, 0, 0]), 32, 16)).toBe(true);
    expect(hasPrefixTrailingZeros(new Uint8Array([0x0a, 0x01, 0, 1]), 32, 16)).toBe(false);
    expect(hasPrefixTrailingZeros(new Uint8Array([0x0a, 0x80]), 16, 9)).toBe(true);
    expect(hasPrefixTrailingZeros(new Uint8Array([0x0a, 0xc0]), 16, 9)).toBe(false);
  });
});

describe('controller headers', () => {
  const header = (widths: number[]): ControllerHeaderModel => ({
    id: 0x04000001,
    name: 'packet_out',
    metadata: widths.map((bitwidth, i) => ({ id: i + 1, name: `f${i}`, bitwidth })),
  });

  it('packs fields bit-contiguously in P4Info order, whatever the order in the message', () => {
    const h = header([9, 3, 4, 8]);
    const frame = buildPacketOut(h, {
      payload: new Uint8Array([0xee]),
      metadata: [
        { metadataId: 4, value: new Uint8Array([0xab]) },
        { metadataId: 1, value: new Uint8Array([0x01, 0x2c]) },
        { metadataId: 2, value: new Uint8Array([5]) },
      ],
    });
    // 100101100 101 0000 10101011, then the payload
    expect(hex(frame)).toBe(hex(new Uint8Array([0b10010110, 0b01010000, 0b10101011, 0xee])));
  });

  it('round-trips random metadata through packet_out packing and packet_in parsing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), { minLength: 6, maxLength: 6 }),
        fc.uint8Array({ maxLength: 20 }),
        (widths, raws, payload) => {
          const h = header(widths);
          const values = widths.map((w, i) => raws[i] & ((1n << BigInt(w)) - 1n));
          const frame = buildPacketOut(h, {
            payload,
            metadata: values.map((v, i) => ({ metadataId: i + 1, value: canonicalOf(v) })),
          });
          const parsed = parsePacketIn({ ...h, name: 'packet_in' }, frame)!;
          expect(hex(parsed.payload!)).toBe(hex(payload));
          expect(parsed.metadata!.map((m) => hex(m.value!))).toEqual(values.map((v) => hex(canonicalOf(v))));
        },
      ),
    );
  });

  it('drops frames shorter than the packet_in header and refuses unknown metadata ids', () => {
    expect(parsePacketIn(header([16, 8]), new Uint8Array([1, 2]))).toBeUndefined();
    expect(() =>
      buildPacketOut(header([8]), { metadata: [{ metadataId: 7, value: new Uint8Array([1]) }] }),
    ).toThrow(/^Unknown metadata id in PacketOut message/);
    expect(() =>
      buildPacketOut(undefined, { metadata: [{ metadataId: 1, value: new Uint8Array([1]) }] }),
    ).toThrow(/^Unexpected metadata in PacketOut message/);
  });
});
