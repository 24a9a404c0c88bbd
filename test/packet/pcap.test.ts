import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PCAP_MAGIC_NANOSECONDS,
  PcapFormatError,
  readPcap,
  readPcapFile,
  writePcap,
  writePcapFile,
} from '../../src/packet/index.js';
import { pattern } from './helpers.js';

const packets = [
  { data: pattern(60), seconds: 1_700_000_000, nanoseconds: 123_456_000 },
  { data: pattern(1514, 3), seconds: 1_700_000_001, nanoseconds: 0, originalLength: 1600 },
  { data: new Uint8Array(0) },
];

describe('pcap writer', () => {
  it('writes a classic little-endian microsecond header: magic a1b2c3d4, 2.4, snaplen 262144, Ethernet', () => {
    const file = writePcap(packets);
    const view = new DataView(file.buffer, file.byteOffset);
    expect([...file.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(view.getUint16(4, true)).toBe(2);
    expect(view.getUint16(6, true)).toBe(4);
    expect(view.getInt32(8, true)).toBe(0);
    expect(view.getUint32(12, true)).toBe(0);
    expect(view.getUint32(16, true)).toBe(262144);
    expect(view.getUint32(20, true)).toBe(1);
    // First record header: seconds, microseconds, captured and original length.
    expect(view.getUint32(24, true)).toBe(1_700_000_000);
    expect(view.getUint32(28, true)).toBe(123_456);
    expect(view.getUint32(32, true)).toBe(60);
    expect(view.getUint32(36, true)).toBe(60);
    expect(file.length).toBe(24 + 3 * 16 + 60 + 1514);
  });

  it('round-trips through the reader in both byte orders', () => {
    for (const byteOrder of ['little', 'big'] as const) {
      const read = readPcap(writePcap(packets, { byteOrder }));
      expect(read).toMatchObject({
        byteOrder,
        timestampResolution: 'microsecond',
        versionMajor: 2,
        versionMinor: 4,
        snaplen: 262144,
        linkType: 1,
      });
      expect(read.packets).toEqual([
        { data: packets[0].data, seconds: 1_700_000_000, nanoseconds: 123_456_000, originalLength: 60 },
        { data: packets[1].data, seconds: 1_700_000_001, nanoseconds: 0, originalLength: 1600 },
        { data: new Uint8Array(0), seconds: 0, nanoseconds: 0, originalLength: 0 },
      ]);
    }
    expect([...writePcap([], { byteOrder: 'big' }).subarray(0, 4)]).toEqual([0xa1, 0xb2, 0xc3, 0xd4]);
  });

  it('cuts packets to the snapshot length and keeps their original length', () => {
    const read = readPcap(writePcap([{ data: pattern(100) }], { snaplen: 64 }));
    expect(read.snaplen).toBe(64);
    expect(read.packets[0].data).toEqual(pattern(64));
    expect(read.packets[0].originalLength).toBe(100);
  });

  it('rejects bad timestamps', () => {
    expect(() => writePcap([{ data: pattern(1), nanoseconds: 1e9 }])).toThrow('nanoseconds 1000000000');
    expect(() => writePcap([{ data: pattern(1), seconds: -1 }])).toThrow('pcap packet 0: seconds -1');
  });
});

describe('pcap reader', () => {
  it('accepts the nanosecond magic in either byte order', () => {
    for (const little of [true, false]) {
      const file = new Uint8Array(24 + 16 + 3);
      const view = new DataView(file.buffer);
      view.setUint32(0, PCAP_MAGIC_NANOSECONDS, little);
      view.setUint16(4, 2, little);
      view.setUint16(6, 4, little);
      view.setUint32(16, 65535, little);
      view.setUint32(20, 1, little);
      view.setUint32(24, 42, little);
      view.setUint32(28, 999_999_999, little);
      view.setUint32(32, 3, little);
      view.setUint32(36, 3, little);
      file.set([7, 8, 9], 40);
      const read = readPcap(file);
      expect(read.timestampResolution).toBe('nanosecond');
      expect(read.byteOrder).toBe(little ? 'little' : 'big');
      expect(read.packets).toEqual([
        { data: Uint8Array.of(7, 8, 9), seconds: 42, nanoseconds: 999_999_999, originalLength: 3 },
      ]);
    }
  });

  it('names the offset of malformed input', () => {
    expect(() => readPcap(new Uint8Array(10))).toThrow('pcap file header needs 24 bytes, got 10');
    const bad = writePcap(packets);
    bad[0] = 0;
    expect(() => readPcap(bad)).toThrow('not a pcap file: magic 0x00c3b2a1');
    const good = writePcap(packets);
    expect(() => readPcap(good.subarray(0, 24 + 10))).toThrow(
      'packet 0 at offset 24: record header cut short (10 of 16 bytes)',
    );
    try {
      readPcap(good.subarray(0, 24 + 16 + 59));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PcapFormatError);
      expect((e as PcapFormatError).offset).toBe(32);
      expect((e as Error).message).toBe(
        'packet 0 at offset 24: captured length 60 exceeds the 59 bytes left',
      );
    }
  });
});

describe('pcap files', () => {
  it('writes and reads a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcap-test-'));
    try {
      const path = join(dir, 'x.pcap');
      await writePcapFile(path, packets);
      expect(new Uint8Array(await readFile(path))).toEqual(writePcap(packets));
      const read = await readPcapFile(path);
      expect(read.packets.map((p) => p.data.length)).toEqual([60, 1514, 0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
