// npm run test:bmv2: every test that needs the real bmv2 simple_switch_grpc, run the same way on a
// developer's machine and in CI (.ci/run, when ../shared/toolchain is there):
//  - the conformance and differential files (P4_DIFF=1): the embedded target and its engine against
//    simple_switch_grpc, on the test fixtures and on the Geneve program;
//  - the scenario suite and the P4Runtime client's target test against simple_switch_grpc
//    (P4_TARGET=bmv2).
// Nothing may be skipped: a skip here means a missing tool (simple_switch_grpc, tshark), and the
// run fails saying so. Extra arguments go to vitest. The closing line stays vitest's
// "N passed, N failed, N skipped" (test/summary-reporter.ts).
// `--bmv2-only-files` prints the files that only do something against bmv2 (they skip on the
// embedded target), one per line: .ci/run leaves them out of `npm test` when it runs them here.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';

/** Files that skip without bmv2 (conformance and differential, P4_DIFF=1). */
const BMV2_ONLY_FILES = [
  'test/switch/p4runtime/bmv2-conformance.test.ts',
  'test/switch/v1model/differential.test.ts',
  'test/switch/v1model/geneve-differential.test.ts',
];
/** Files that run on whichever target P4_TARGET names. */
const TARGET_FILES = [
  'test/scenarios',
  'test/p4runtime/target.test.ts',
  // One election id reused connection after connection, and refused while its stream lives.
  'test/p4runtime/election-reuse.test.ts',
  // The controller's reconciliation against two bmv2 switches (and against a build it did not
  // push), its service through a switch restart, and the CLI's table and entity commands against one.
  'test/controller/reconcile.test.ts',
  'test/controller/program-recognition.test.ts',
  'test/controller/service.test.ts',
  'test/controller/cli-fabric.test.ts',
  'test/cli/table.test.ts',
  'test/cli/entities.test.ts',
];

if (process.argv[2] === '--bmv2-only-files') {
  console.log(BMV2_ONLY_FILES.join('\n'));
  process.exit(0);
}

const probe = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    'test:bmv2 needs simple_switch_grpc on PATH and it was not found: install the toolchain ' +
      '(../shared/toolchain/install.sh, then . /opt/p4tools/env.sh) or build p4lang/behavioral-model with PI.',
  );
  process.exit(2);
}

const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
const child = spawn(
  process.execPath,
  [
    join(PACKAGE_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...BMV2_ONLY_FILES,
    ...TARGET_FILES,
    ...process.argv.slice(2),
  ],
  {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, P4_DIFF: '1', P4_TARGET: 'bmv2' },
    stdio: ['inherit', 'pipe', 'inherit'],
  },
);
let summary = '';
let pending = '';
child.stdout.on('data', (d: Buffer) => {
  process.stdout.write(d);
  const lines = (pending + d.toString()).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) if (SUMMARY.test(line.trim())) summary = line.trim();
});
child.on('exit', (code, signal) => {
  if (SUMMARY.test(pending.trim())) summary = pending.trim();
  const skipped = Number(SUMMARY.exec(summary)?.[3] ?? 0);
  if (code === 0 && summary !== '' && skipped > 0) {
    console.error(
      `test:bmv2: ${skipped} test(s) skipped, and none may be: see the messages above for the missing tool ` +
        '(simple_switch_grpc, tshark: apt-get install tshark).',
    );
    // The closing line stays the summary.
    process.stdout.write(`${summary}\n`);
    process.exit(1);
  }
  if (summary === '' && code === 0) {
    console.error('test:bmv2: vitest printed no summary line');
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
