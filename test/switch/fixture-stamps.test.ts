// Every P4 fixture must be compiled: its JSON and P4Info must exist and its stamp must record the
// hash of the current source. Run `npx tsx scripts/compile-fixtures.ts` after editing a fixture.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkStamp, readStamp } from '../../src/artifacts/stamp.js';
import { FIXTURE_DIR, fixtureFile } from './helpers/fixtures.js';

const sources = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.p4'))
  .map((f) => f.slice(0, -3));

describe('compiled P4 fixtures are up to date', () => {
  it('there are fixtures', () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  it.each(sources)('%s: stamp matches the source and outputs exist', (name) => {
    const stampPath = fixtureFile(name, '.stamp.json');
    expect(existsSync(stampPath), `${name}.stamp.json missing: run scripts/compile-fixtures.ts`).toBe(true);
    const stamp = readStamp(stampPath);
    expect(stamp.sources).toEqual([`${name}.p4`]);
    const check = checkStamp(stamp, FIXTURE_DIR, stamp.sources);
    expect(check.upToDate, `${name}.p4 changed since it was compiled: run scripts/compile-fixtures.ts`).toBe(
      true,
    );
    expect(stamp.compiler).toMatch(/^p4c-bm2-ss Version \d+\.\d+/);
    for (const artifact of stamp.artifacts) expect(existsSync(fixtureFile(artifact, ''))).toBe(true);
  });
});
