// Random and truncated frames never crash the engine, and identical inputs on identically configured
// engines give identical results (outputs, drops, digests, notes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProcessResult, SimpleSwitchEngine } from '../../../src/switch/v1model/index.js';
import { fixtureEngine, hex } from '../helpers/fixtures.js';
import {
  BASIC_FORWARD_ENTRIES,
  basicForwardPackets,
  MATCH_KINDS_ENTRIES,
  parserOpsPackets,
} from '../helpers/scenarios.js';

const FIXTURES = [
  'arith',
  'basic_forward',
  'control_flow',
  'externs',
  'match_kinds',
  'parser_ops',
  'replication',
  'stacks_unions',
];

function configured(name: string): SimpleSwitchEngine {
  const e = fixtureEngine(name, { cpuPort: 64 });
  const tables =
    name === 'basic_forward' ? BASIC_FORWARD_ENTRIES : name === 'match_kinds' ? MATCH_KINDS_ENTRIES : [];
  for (const t of tables) {
    for (const en of t.entries) {
      e.addTableEntry(t.table, {
        match: en.match,
        priority: en.priority,
        action: { type: 'action', name: en.action, params: en.params },
      });
    }
  }
  if (name === 'replication') {
    e.insertMulticastGroup(1, [
      { port: 1, rid: 1 },
      { port: 2, rid: 2 },
    ]);
    e.insertCloneSession(1, { replicas: [{ port: 3, rid: 0 }] });
  }
  return e;
}

function summary(r: ProcessResult): unknown {
  return {
    outputs: r.outputs.map((o) => [o.port, hex(o.bytes), o.instanceType]),
    packetIns: r.packetIns.map((o) => [o.port, hex(o.bytes)]),
    digests: r.digests,
    drops: r.drops,
    notes: r.notes,
    error: r.error,
  };
}

describe('robustness', () => {
  it.each(FIXTURES)('%s: random frames of any length never throw and are deterministic', (name) => {
    const a = configured(name);
    const b = configured(name);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 511 }),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        (port, frame) => {
          const ra = a.processPacket(port, frame);
          const rb = b.processPacket(port, frame);
          expect(summary(ra)).toEqual(summary(rb));
          // Inputs are never modified.
          return ra.outputs.every((o) => o.bytes !== frame);
        },
      ),
      { numRuns: 150, seed: 1234 },
    );
  });

  it('every truncation of valid frames is handled', () => {
    const cases: [string, Uint8Array[]][] = [
      ['basic_forward', basicForwardPackets().map((p) => p.bytes)],
      ['parser_ops', parserOpsPackets().map((p) => p.bytes)],
    ];
    for (const [name, frames] of cases) {
      const e = configured(name);
      for (const f of frames) {
        for (let n = 0; n <= f.length; n++) {
          const r = e.processPacket(1, f.subarray(0, n));
          expect(r.error).toBeUndefined();
        }
      }
    }
  });

  it('a packet that loops forever is stopped and reported instead of hanging', () => {
    // replication.p4 op 4 recirculates twice (6 passes); a budget of 4 passes runs out.
    const e = fixtureEngine('replication', { maxPasses: 4 });
    const frame = new Uint8Array([4, 0, 0, ...new Uint8Array(15)]);
    const r = e.processPacket(0, frame);
    expect(r.outputs).toEqual([]);
    expect(r.error).toMatch(/processing passes/);
  });
});
