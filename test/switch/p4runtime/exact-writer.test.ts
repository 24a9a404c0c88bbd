// The device's writer of exact entries (device.ts DeviceExactWriter, engine-device.ts): entries
// added from byte spans of one buffer give what addEntry gives for the same key and action (the
// same handles, entries and refusals), with the revision of each beside its handle, on every exact
// table of the VTEP's program (keys of 9 to 128 bits, in both index layouts; parameters of 1 to
// 128 bits, numbers and bigints), with values short, canonical and with leading zero bytes; a
// value empty or wider than its field or parameter is declined, and nothing changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import {
  type DeviceControl,
  type DeviceTableAction,
  EXACT_DECLINED,
} from '../../../src/switch/p4runtime/device/device.js';
import { EngineDevice } from '../../../src/switch/p4runtime/device/engine-device.js';

function loaded(): DeviceControl {
  const device = new EngineDevice();
  device.install(device.parseConfig(new Uint8Array(readFileSync(programArtifactPath('bmv2Json')))), true);
  return device.control!;
}

/** A seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random value of at most `width` bits, as its fixed-width bytes. */
function value(rnd: () => number, width: number): Uint8Array {
  const n = (width + 7) >> 3;
  const out = new Uint8Array(n);
  // Small values often (keys that collide in few bits, leading zero bytes), else any value.
  const bits = rnd() < 0.3 ? Math.min(width, 1 + Math.floor(rnd() * 8)) : width;
  for (let i = n - 1, left = bits; i >= 0 && left > 0; i--, left -= 8)
    out[i] = Math.floor(rnd() * 256) & (left >= 8 ? 0xff : (1 << left) - 1);
  return out;
}

/** `fixed` as a request may carry it: canonical (no leading zeros), with extra leading zeros, or as is. */
function sent(rnd: () => number, fixed: Uint8Array): Uint8Array {
  let first = 0;
  while (first < fixed.length - 1 && fixed[first] === 0) first++;
  const r = rnd();
  if (r < 0.4) return fixed.subarray(first);
  if (r < 0.6) return Uint8Array.from([0, 0, ...fixed]);
  return fixed;
}

/** A request's byte strings one after another in one buffer, a byte between, and their spans. */
function lay(parts: readonly Uint8Array[]): [Uint8Array, number[]] {
  const buffer = new Uint8Array(parts.reduce((n, b) => n + b.length + 1, 7));
  const spans: number[] = [];
  let at = 7;
  for (const [j, b] of parts.entries()) {
    buffer.set(b, at);
    spans.push(j, at, at + b.length);
    at += b.length + 1;
  }
  return [buffer, spans];
}

describe('the device exact writer adds what addEntry adds', () => {
  it('every exact table of the VTEP program, from byte spans of one buffer', () => {
    const viaWriter = loaded();
    const viaAddEntry = loaded();
    const info = new EngineDevice();
    const program = info.parseConfig(new Uint8Array(readFileSync(programArtifactPath('bmv2Json')))).info;
    const rnd = random(15);
    let tables = 0;
    let duplicates = 0;
    let added = 0;
    let declined = 0;
    for (const [name, table] of program.tables) {
      const writer = viaWriter.exactWriter(name);
      if (!table.key.every((k) => k.kind === 'exact') || table.actionProfile !== undefined) {
        expect(writer).toBeUndefined();
        continue;
      }
      if (writer === undefined) throw new Error(`no writer for ${name}`);
      tables++;
      const actions = table.actions.map((a) => ({ name: a, widths: program.actions.get(a)!.paramWidths }));
      expect(writer.actionIndex('no such action')).toBe(-1);
      expect(writer.keyWidths).toEqual(table.key.map((k) => k.bitwidth));
      for (const a of actions) expect(writer.paramWidths(writer.actionIndex(a.name))).toEqual(a.widths);
      for (let i = 0; i < Math.min(60, table.size + 5); i++) {
        const action = actions[Math.floor(rnd() * actions.length)];
        const key = table.key.map((k) => value(rnd, k.bitwidth));
        const args = action.widths.map((w) => value(rnd, w));
        const parts = [...key, ...args].map((b) => sent(rnd, b));
        const [buffer, spans] = lay(parts);
        if (parts.length > 0 && rnd() < 0.1) {
          // One value empty, or one bit wider than its field or parameter: declined, nothing changed.
          const widths = [...table.key.map((k) => k.bitwidth), ...action.widths];
          const j = Math.floor(rnd() * parts.length);
          const wide = new Uint8Array((widths[j] >> 3) + 1);
          wide[0] = 1 << (widths[j] & 7);
          const bad = parts.map((b, k) => (k !== j ? b : rnd() < 0.5 ? new Uint8Array(0) : wide));
          const [badBuffer, badSpans] = lay(bad);
          const before = [...viaWriter.getEntries(name)];
          expect(
            writer.add(badBuffer, badSpans, 0, writer.actionIndex(action.name), 3 * key.length, args.length),
          ).toBe(EXACT_DECLINED);
          expect([...viaWriter.getEntries(name)]).toEqual(before);
          declined++;
        }
        const call: DeviceTableAction = { type: 'action', call: { action: action.name, args } };
        const keyParams = key.map((v) => ({ kind: 'exact' as const, value: v }));
        let expected: number | undefined;
        let refusal: string | undefined;
        try {
          expected = viaAddEntry.addEntry(name, keyParams, 0, call, 0);
        } catch (error) {
          refusal = String(error);
        }
        let handle = -2;
        try {
          handle = writer.add(buffer, spans, 0, writer.actionIndex(action.name), 3 * key.length, args.length);
          expect(refusal).toBeUndefined();
        } catch (error) {
          expect(String(error)).toBe(refusal);
          continue;
        }
        expect(handle).toBe(expected ?? -1);
        if (handle < 0) {
          duplicates++;
          continue;
        }
        added++;
        const revisions = new Map<number, number>();
        viaWriter.visitEntryRevisions(name, (h, r) => revisions.set(h, r));
        expect(writer.revision).toBe(revisions.get(handle));
        expect(viaWriter.getEntry(name, handle)).toEqual(viaAddEntry.getEntry(name, handle));
      }
      expect([...viaWriter.getEntries(name)]).toEqual([...viaAddEntry.getEntries(name)]);
    }
    expect(tables).toBeGreaterThan(10);
    // Both outcomes, many times.
    expect(duplicates).toBeGreaterThan(20);
    expect(added).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(30);
  });
});
