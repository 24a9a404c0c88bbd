// The server's one map from an installed entry's key to its device handle (PI's TableInfoStore).
import { describe, expect, it } from 'vitest';
import type { DeviceKeyParam } from '../../../src/switch/p4runtime/device/device.js';
import { EntryHandles } from '../../../src/switch/p4runtime/frontend/entry-handles.js';
import type { MatchKey } from '../../../src/switch/p4runtime/frontend/match-key.js';

const key = (params: DeviceKeyParam[], priority = 0): MatchKey => ({ params, priority, isDefault: false });
const exact = (...bytes: number[]): DeviceKeyParam => ({ kind: 'exact', value: Uint8Array.from(bytes) });

describe('EntryHandles', () => {
  it('files, finds and forgets handles by key, wide values included', () => {
    const h = new EntryHandles();
    const mac = (last: number) => key([exact(0, 0x13, 0x88), exact(2, 0, 0, 0, 0, last)]);
    expect(h.claim(mac(1))).toBe(true);
    h.fill(7);
    h.set(mac(2), 8);
    expect([h.get(mac(1)), h.get(mac(2)), h.get(mac(3)), h.size]).toEqual([7, 8, undefined, 2]);
    expect(h.claim(mac(1))).toBe(false);
    h.delete(mac(1));
    h.delete(mac(1));
    expect([h.get(mac(1)), h.get(mac(2)), h.size]).toEqual([undefined, 8, 1]);
    // A 16-byte value (IPv6) differs from another only in its last byte.
    const v6 = (last: number) => key([exact(...new Array(15).fill(0xfe), last)]);
    h.set(v6(1), 1);
    expect([h.get(v6(1)), h.get(v6(2))]).toEqual([1, undefined]);
  });

  it('tells entries apart by priority and by every part of lpm, ternary and range keys', () => {
    const h = new EntryHandles();
    const t = (value: number, mask: number, priority: number) =>
      key([{ kind: 'ternary', value: Uint8Array.of(value), mask: Uint8Array.of(mask) }], priority);
    h.set(t(0x10, 0xf0, 5), 1);
    expect([h.get(t(0x10, 0xf0, 5)), h.get(t(0x10, 0xf0, 6)), h.get(t(0x10, 0xff, 5))]).toEqual([
      1,
      undefined,
      undefined,
    ]);
    const lpm = (prefixLength: number) =>
      key([{ kind: 'lpm', value: Uint8Array.of(10, 0, 0, 0), prefixLength }]);
    h.set(lpm(8), 2);
    expect([h.get(lpm(8)), h.get(lpm(16))]).toEqual([2, undefined]);
    const range = (low: number, high: number) =>
      key([{ kind: 'range', low: Uint8Array.of(0, low), high: Uint8Array.of(0, high) }], 1);
    h.set(range(1, 9), 3);
    expect([h.get(range(1, 9)), h.get(range(1, 8))]).toEqual([3, undefined]);
  });

  it('gives a claimed place back when the device refuses the entry', () => {
    const h = new EntryHandles();
    const k = key([exact(1), exact(2)]);
    expect(h.claim(k)).toBe(true);
    h.release(k);
    expect([h.get(k), h.size]).toEqual([undefined, 0]);
    expect(h.claim(k)).toBe(true);
    h.fill(4);
    expect(h.get(k)).toBe(4);
  });
});
