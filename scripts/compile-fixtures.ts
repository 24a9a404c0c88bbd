// Compiles every P4 fixture of the embedded target's tests (test/fixtures/p4/*.p4) with p4c's bmv2
// backend, writing <name>.json, <name>.p4info.json, <name>.p4info.txtpb and <name>.stamp.json next to
// the source. The stamp records the compiler version and a hash of the source, so a test can detect
// a fixture edited without recompiling.
//
// Usage: npx tsx scripts/compile-fixtures.ts [name ...]   (P4C=/path/to/p4c-bm2-ss to override)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { hashSources, writeStamp } from '../src/artifacts/stamp.js';
import { compileV1model, requireP4c } from './lib/p4c.js';

const fixtureDir = 'test/fixtures/p4';
const p4c = requireP4c('compile-fixtures');
const wanted = new Set(process.argv.slice(2));
const names = readdirSync(join(PACKAGE_ROOT, fixtureDir))
  .filter((f) => f.endsWith('.p4'))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.size === 0 || wanted.has(n))
  .sort();

let failed = 0;
for (const name of names) {
  const file = (suffix: string) => join(fixtureDir, `${name}${suffix}`);
  const result = compileV1model(p4c, {
    cwd: PACKAGE_ROOT,
    source: file('.p4'),
    json: file('.json'),
    p4infoJson: file('.p4info.json'),
    p4infoText: file('.p4info.txtpb'),
  });
  if (!result.ok) {
    failed++;
    console.error(`FAILED ${name}:\n${result.output}`);
    continue;
  }
  const sources = [`${name}.p4`];
  writeStamp(join(PACKAGE_ROOT, file('.stamp.json')), {
    compiler: p4c.version,
    sourceHash: hashSources(join(PACKAGE_ROOT, fixtureDir), sources),
    sources,
    artifacts: [`${name}.json`, `${name}.p4info.json`, `${name}.p4info.txtpb`],
  });
  console.log(
    `compiled ${name}${result.output ? ` (compiler said: ${result.output.split('\n').length} line(s))` : ''}`,
  );
}
if (failed > 0) {
  console.error(`${failed} fixture(s) failed to compile`);
  process.exit(1);
}
