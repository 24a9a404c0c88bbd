// npm run p4:compile: compiles p4/v1model/main.p4 with p4c's bmv2 backend into bmv2/,
// then stamps the artifacts with the compiler version and a hash of p4/.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENEVE_PROGRAM } from '../src/artifacts/program.js';
import { hashSources, listSourceFiles, writeStamp } from '../src/artifacts/stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiler = process.env.P4C ?? 'p4c-bm2-ss';

const version = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error(
    `p4:compile needs p4c's bmv2 backend (${compiler}) on PATH, and it was not found.\n` +
      'Install p4c (https://github.com/p4lang/p4c, release 1.2.4.x or later, with the bmv2 backend),\n' +
      'or point the P4C environment variable at a p4c-bm2-ss binary.',
  );
  process.exit(2);
}

// Relative paths keep the machine's directory layout out of the JSON's source_info.
const p4Dir = 'p4';
const outDir = 'bmv2';
const a = GENEVE_PROGRAM;
const args = [
  '--arch',
  'v1model',
  '--std',
  'p4-16',
  '-I',
  p4Dir,
  '--p4runtime-files',
  `${join(outDir, a.p4infoJson)},${join(outDir, a.p4infoText)}`,
  '-o',
  join(outDir, a.bmv2Json),
  join(p4Dir, a.mainSource),
];
console.log(`${compiler} ${args.join(' ')}`);
const run = spawnSync(compiler, args, { stdio: 'inherit', cwd: root });
if (run.status !== 0) {
  console.error(
    `p4c failed (exit ${run.status}); the stamp was not updated, so the stamp test keeps failing until a compile succeeds`,
  );
  process.exit(1);
}
const sources = listSourceFiles(join(root, p4Dir));
writeStamp(join(root, outDir, a.stamp), {
  // p4c prints its version on stderr.
  compiler: `${version.stdout}${version.stderr}`
    .trim()
    .split('\n')
    .join(' ')
    .replace(/^\S*\//, ''),
  sourceHash: hashSources(join(root, p4Dir), sources),
  sources,
  artifacts: [a.bmv2Json, a.p4infoJson, a.p4infoText],
});
console.log(`wrote ${a.bmv2Json}, ${a.p4infoJson}, ${a.p4infoText} and ${a.stamp} in bmv2/`);
