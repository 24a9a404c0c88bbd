import { describe, expect, it } from 'vitest';
import { createHashAlgorithm, csum16 } from '../../../src/switch/v1model/index.js';

const CHECK = new TextEncoder().encode('123456789');

function run(name: string, data: Uint8Array = CHECK): bigint {
  const algo = createHashAlgorithm(name);
  if (!algo) throw new Error(`no algorithm ${name}`);
  return algo.compute(data);
}

describe('hash algorithms', () => {
  // Check values for the input "123456789" from the CRC catalogues (reveng CRC catalogue, crcmod's
  // predefined list that bmv2's crc_map.cpp follows).
  it.each([
    ['crc32', 0xcbf43926n],
    ['crc32_custom', 0xcbf43926n],
    ['crc_32', 0xcbf43926n],
    ['crc16', 0xbb3dn], // bmv2's crc16 is CRC-16/ARC
    ['crc16_custom', 0xbb3dn],
    ['crcCCITT', 0x29b1n], // CRC-16/CCITT-FALSE
    ['crc_ccitt_false', 0x29b1n],
    ['crc_8', 0xf4n],
    ['crc_8_maxim', 0xa1n],
    ['crc_16_usb', 0xb4c8n],
    ['modbus', 0x4b37n],
    ['kermit', 0x2189n],
    ['xmodem', 0x31c3n],
    ['x_25', 0x906en],
    ['crc_32c', 0xe3069283n],
    ['crc_32_bzip2', 0xfc891918n],
    ['crc_32_mpeg', 0x0376e6e7n],
    ['posix', 0x765e7680n],
    ['jamcrc', 0x340bc6d9n],
    ['crc_64_we', 0x62ec59e3f1a4f00an],
    // crcmod's crc-64-jones (init all ones), which is what bmv2's crc_map uses.
    ['crc_64_jones', 0xcaa717168609f281n],
  ])('%s("123456789") = %s', (name, want) => {
    expect(run(name)).toBe(want);
  });

  it('accepts bmv2 custom CRC names (poly_0x1<poly>_init_<v>_xout_<v>[_not_rev])', () => {
    expect(run('poly_0x104c11db7_init_0xffffffff_xout_0xffffffff')).toBe(0xcbf43926n);
    expect(run('poly_0x11021_init_0xffff_not_rev')).toBe(0x29b1n);
    expect(createHashAlgorithm('poly_0x1021')).toBeUndefined();
    expect(createHashAlgorithm('no_such_algorithm')).toBeUndefined();
  });

  it('csum16 is the RFC 1071 checksum, odd lengths padded with a zero byte', () => {
    // IPv4 header example from RFC 1071 discussions: 4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7 -> b861
    const hdr = Uint8Array.from(Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex'));
    expect(csum16(hdr)).toBe(0xb861);
    expect(run('csum16', hdr)).toBe(0xb861n);
    expect(run('csum16', new Uint8Array([0x01]))).toBe(0xfeffn);
    expect(run('csum16', new Uint8Array(0))).toBe(0xffffn);
  });

  it('xor16 xors big-endian 16-bit words, identity reads the first 8 bytes', () => {
    expect(run('xor16', new Uint8Array([0x12, 0x34, 0xff, 0x00, 0x0f]))).toBe(0x1234n ^ 0xff00n ^ 0x0f00n);
    expect(run('identity', new Uint8Array([0xab, 0xcd]))).toBe(0xabcdn);
    expect(run('identity', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBe(0x0102030405060708n);
  });

  it('xxh64 (bmv2 "xxh64") matches the reference implementation', () => {
    expect(run('xxh64', new Uint8Array(0))).toBe(0xef46db3751d8e999n);
    expect(run('xxh64', new TextEncoder().encode('a'))).toBe(0xd24ec4f1a98c6e5bn);
    expect(run('xxh64', new TextEncoder().encode('abc'))).toBe(0x44bc2cf5ad770999n);
    // Longer than 32 bytes exercises the 4-lane loop.
    expect(run('xxh64', new TextEncoder().encode('Nobody inspects the spammish repetition'))).toBe(
      0xfbcea83c8a378bf1n,
    );
  });

  it('round_robin counts calls; round_robin_consistent is stable per input', () => {
    const rr = createHashAlgorithm('round_robin')!;
    expect([rr.compute(CHECK), rr.compute(CHECK), rr.compute(new Uint8Array(0))]).toEqual([0n, 1n, 2n]);
    const rc = createHashAlgorithm('round_robin_consistent')!;
    expect([rc.compute(CHECK), rc.compute(new Uint8Array(1)), rc.compute(CHECK)]).toEqual([0n, 1n, 0n]);
  });
});
