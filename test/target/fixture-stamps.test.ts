// Every P4 fixture must be compiled: its JSON and P4Info must exist and its stamp must record the
// sha256 of the current source. Run `npx tsx scripts/compile-fixtures.ts` after editing a fixture.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as {
      compiler: string;
      sha256: string;
      source: string;
    };
    const sha256 = createHash('sha256')
      .update(readFileSync(fixtureFile(name, '.p4')))
      .digest('hex');
    expect(stamp.source).toBe(`${name}.p4`);
    expect(stamp.sha256, `${name}.p4 changed since it was compiled: run scripts/compile-fixtures.ts`).toBe(
      sha256,
    );
    expect(stamp.compiler).toMatch(/^p4c-bm2-ss Version \d+\.\d+/);
    expect(existsSync(fixtureFile(name, '.json'))).toBe(true);
    expect(existsSync(fixtureFile(name, '.p4info.json'))).toBe(true);
  });
});
