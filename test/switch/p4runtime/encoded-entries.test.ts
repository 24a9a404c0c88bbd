// The kept encodings of one table (frontend/encoded-entries.ts): each handle gives back the bytes
// its entry was encoded to while the revision and state are those given, through replacements,
// deletes and the compactions that take back the space of old encodings.

import { describe, expect, it } from 'vitest';
import type { DeviceKeyParam } from '../../../src/switch/p4runtime/device/device.js';
import { EncodedEntries } from '../../../src/switch/p4runtime/frontend/encoded-entries.js';
import { P4InfoModel } from '../../../src/switch/p4runtime/frontend/p4info-model.js';
import { ProtoBuffer, writeTableEntity } from '../../../src/switch/p4runtime/frontend/read-encoder.js';
import { bytes, fixtureP4Info, mac } from './helpers.js';

const model = new P4InfoModel(fixtureP4Info('server_all'));
const table = [...model.tables.values()].find((t) => t.name.endsWith('exact_t'))!;
const forward = [...model.actionsByName.keys()].find((a) => a.endsWith('.forward'))!;

const key = (n: number): DeviceKeyParam[] => [{ kind: 'exact', value: bytes(mac(n), 6) }];
const call = (port: number) => ({ action: forward, args: [bytes(port, 2)] });
const data = (n: number) => ({ controllerMetadata: BigInt(n), idleTimeoutNs: 0n, metadata: bytes(n) });

/** The bytes writeTableEntity gives on its own. */
function encoding(n: number, port: number, d: ReturnType<typeof data> | undefined): Buffer {
  const w = new ProtoBuffer(16);
  writeTableEntity(w, model, table, key(n), call(port), 0, d);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

const keptBytes = (kept: EncodedEntries, handle: number) =>
  Buffer.from(kept.bytes.subarray(kept.start(handle), kept.end(handle)));

describe('EncodedEntries', () => {
  it('keeps each entry under its revision and state, and takes back the space of replaced ones', () => {
    const kept = new EncodedEntries();
    const HANDLES = 64;
    const states = Array.from({ length: HANDLES }, (_, h) => data(h));
    let revision = 0;
    const revisions: number[] = [];
    const ports: number[] = [];
    for (let h = 0; h < HANDLES; h++) {
      revisions[h] = ++revision;
      ports[h] = h;
      kept.store(h, revisions[h], states[h], model, table, key(h), call(h), 0);
    }
    let largest = kept.bytes.length;
    // Thousands of replacements: many times the space of what is kept at any one time.
    for (let round = 0; round < 20_000; round++) {
      const h = (round * 7) % HANDLES;
      expect(kept.holds(h, revisions[h], states[h])).toBe(true);
      expect(kept.holds(h, revisions[h] + 1, states[h])).toBe(false);
      expect(kept.holds(h, revisions[h], data(h))).toBe(false);
      revisions[h] = ++revision;
      ports[h] = round % 512;
      kept.store(h, revisions[h], states[h], model, table, key(h), call(ports[h]), 0);
      largest = Math.max(largest, kept.bytes.length);
    }
    for (let h = 0; h < HANDLES; h++) {
      expect(kept.holds(h, revisions[h], states[h])).toBe(true);
      expect(keptBytes(kept, h)).toEqual(encoding(h, ports[h], states[h]));
    }
    // 20,064 encodings of about 30 bytes (600 kB) were written; the buffer stays within 64 kB of old ones.
    expect(largest).toBeLessThan(4 * 65_536);

    kept.drop(3);
    kept.dropRange(10, 20);
    for (let h = 0; h < HANDLES; h++)
      expect(kept.holds(h, revisions[h], states[h]), `handle ${h}`).toBe(h !== 3 && (h < 10 || h >= 20));
    expect(kept.holds(HANDLES + 100, 1, undefined)).toBe(false);
    kept.store(HANDLES + 100, ++revision, undefined, model, table, key(5), call(5), 0);
    expect(keptBytes(kept, HANDLES + 100)).toEqual(encoding(5, 5, undefined));
  });
});
