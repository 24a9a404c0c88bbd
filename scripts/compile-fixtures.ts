// Compiles every P4 fixture of the embedded target's tests (test/fixtures/p4/*.p4) with p4c's bmv2
// backend, writing <name>.json, <name>.p4info.json, <name>.p4info.txtpb and <name>.stamp.json next to
// the source. The stamp
// records the compiler version and the sha256 of the source, so a test can detect a fixture edited
// without recompiling.
//
// Usage: npx tsx scripts/compile-fixtures.ts [name ...]   (P4C=/path/to/p4c-bm2-ss to override)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Relative to the repository root, so that source_info in the JSON carries no machine-specific path.
const fixtureDir = 'test/fixtures/p4';
const compiler = process.env.P4C ?? 'p4c-bm2-ss';

const version = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error(`compile-fixtures needs p4c's bmv2 backend (${compiler}) on PATH; set P4C to point at it.`);
  process.exit(2);
}
// p4c prints "<binary>\nVersion x (SHA: ...)".
const compilerVersion = `${version.stdout}${version.stderr}`
  .trim()
  .split('\n')
  .join(' ')
  .replace(/^\S*\//, '');

const wanted = new Set(process.argv.slice(2));
const sources = readdirSync(join(root, fixtureDir))
  .filter((f) => f.endsWith('.p4'))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.size === 0 || wanted.has(n))
  .sort();

let failed = 0;
for (const name of sources) {
  const src = join(fixtureDir, `${name}.p4`);
  const args = [
    '--arch',
    'v1model',
    '--std',
    'p4-16',
    '--p4runtime-files',
    `${join(fixtureDir, `${name}.p4info.json`)},${join(fixtureDir, `${name}.p4info.txtpb`)}`,
    '-o',
    join(fixtureDir, `${name}.json`),
    src,
  ];
  const run = spawnSync(compiler, args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) {
    failed++;
    console.error(`FAILED ${name}:\n${run.stdout}${run.stderr}`);
    continue;
  }
  const sha256 = createHash('sha256')
    .update(readFileSync(join(root, src)))
    .digest('hex');
  const stamp = { compiler: compilerVersion, source: `${name}.p4`, sha256 };
  writeFileSync(join(root, fixtureDir, `${name}.stamp.json`), `${JSON.stringify(stamp, null, 2)}\n`);
  const warnings = `${run.stdout}${run.stderr}`.trim();
  console.log(
    `compiled ${name}${warnings ? ` (compiler said: ${warnings.split('\n').length} line(s))` : ''}`,
  );
}
if (failed > 0) {
  console.error(`${failed} fixture(s) failed to compile`);
  process.exit(1);
}
