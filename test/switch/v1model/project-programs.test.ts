// The embedded target exists to run the project's own P4 program: every compiled bmv2 JSON in bmv2/
// must load, and random frames must go through it without failing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pipeline, SimpleSwitchEngine } from '../../../src/switch/v1model/index.js';

const bmv2Dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bmv2');
const programs = existsSync(bmv2Dir)
  ? readdirSync(bmv2Dir).filter((f) => f.endsWith('.json') && !f.includes('.p4info') && !f.includes('.stamp'))
  : [];

describe.skipIf(programs.length === 0)('project programs (bmv2/*.json)', () => {
  it.each(programs)('%s loads and processes random frames', (file) => {
    const program = Pipeline.load(readFileSync(join(bmv2Dir, file), 'utf8'));
    const engine = new SimpleSwitchEngine(program, { clock: () => 0, cpuPort: 255 });
    expect(engine.tableNames().length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }), (port, frame) => {
        expect(engine.processPacket(port, frame).error).toBeUndefined();
      }),
      { numRuns: 200, seed: 99 },
    );
  });
});
