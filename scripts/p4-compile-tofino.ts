// npm run p4:compile:tofino: compiles the VTEP for Tofino 1 (TNA) and Tofino 2 (T2NA) with bf-p4c -g,
// writes tofino/<name>/ (P4Info, the resource summary from the compiler's logs) and stamps it with the
// hash of p4/, like bmv2/. `--keep DIR` keeps the full compiler output (the device config: see
// docs/TOFINO.md); `--only tna|t2na` compiles one.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { hashSources, listSourceFiles, writeStamp } from '../src/artifacts/stamp.js';
import { TOFINO_ARTIFACTS, TOFINO_TARGETS, tofinoArtifactPath } from '../src/artifacts/tofino.js';
import { compileTofino, findBfP4c, summarizeTofino } from './lib/tofino.js';
import { missingHeaders, VTEP_PARSED_HEADERS } from './lib/tofino-parser.js';

const options = new Command()
  .option('--keep <dir>', 'keep the compiler output under <dir>/<name>')
  .option('--only <name>', 'compile only tna or t2na')
  .option('--cpu-port <n>', "the device's CPU port (-DCPU_PORT): a build for a switch, kept with --keep")
  .parse()
  .opts<{ keep?: string; only?: string; cpuPort?: string }>();

if (options.cpuPort !== undefined && (!/^\d+$/.test(options.cpuPort) || Number(options.cpuPort) > 511)) {
  console.error(`--cpu-port must be a port number 0..511, got '${options.cpuPort}'`);
  process.exit(2);
}
if (options.cpuPort !== undefined && !options.keep) {
  console.error(
    '--cpu-port builds for a particular switch: give --keep DIR; tofino/ keeps the default builds',
  );
  process.exit(2);
}

const bf = findBfP4c();
if (!bf) {
  console.error(
    'p4:compile:tofino needs bf-p4c (the Tofino backend of p4c) on PATH, and it was not found.\n' +
      'Install the toolchain (../shared/toolchain/install.sh; . /opt/p4tools/env.sh),\n' +
      'or point the BF_P4C environment variable at a bf-p4c binary.',
  );
  process.exit(2);
}

let failed = false;
for (const target of TOFINO_TARGETS.filter((t) => !options.only || t.name === options.only)) {
  const work = options.keep
    ? join(options.keep, target.name)
    : mkdtempSync(join(tmpdir(), `vtep-${target.name}-`));
  mkdirSync(work, { recursive: true });
  const p4infoText = join(work, TOFINO_ARTIFACTS.p4infoText);
  const p4infoJson = join(work, TOFINO_ARTIFACTS.p4infoJson);
  const result = compileTofino(bf, target, {
    cwd: PACKAGE_ROOT,
    outDir: work,
    p4infoText,
    p4infoJson,
    defines: options.cpuPort !== undefined ? [`CPU_PORT=${options.cpuPort}`] : [],
  });
  console.log(
    `${target.name}: bf-p4c --target ${target.target} --arch ${target.arch}: ${result.wallSeconds.toFixed(0)} s`,
  );
  if (!result.ok) {
    console.error(result.output);
    console.error(`${target.name}: bf-p4c failed; tofino/${target.name}/ was not updated`);
    failed = true;
    continue;
  }
  if (result.warnings.length > 0) {
    console.error(`${target.name}: warnings of ours (fix them):\n${result.warnings.join('\n')}`);
    failed = true;
    continue;
  }
  const summary = summarizeTofino(target, work, bf.version);
  const stages = Math.max(summary.stages.ingress, summary.stages.egress);
  console.log(
    `${target.name}: ${summary.stages.ingress} ingress / ${summary.stages.egress} egress stages of ${target.stageLimit}; ` +
      `SRAM ${summary.totals.sram}, TCAM ${summary.totals.tcam}, PHV ${summary.phv.bitsUsed}/${summary.phv.bitsAvailable} bits`,
  );
  for (const gress of ['ingress', 'egress'] as const) {
    const missing = missingHeaders(summary.parser[gress], VTEP_PARSED_HEADERS[gress]);
    if (missing.length > 0)
      console.warn(
        `${target.name}: the compiled ${gress} parser never extracts ${missing.join(', ')} ` +
          `(it reaches ${summary.parser[gress].reachableStates} of ${summary.parser[gress].states} states, ` +
          `branches in ${summary.parser[gress].branchingStates.length}): the compiler dropped the selects; ` +
          'do not deploy this build (docs/TOFINO.md, known compiler defect)',
      );
  }
  if (stages > target.stageLimit) {
    console.error(`${target.name}: ${stages} stages exceed the ${target.stageLimit} of the device`);
    failed = true;
    continue;
  }
  if (options.cpuPort !== undefined) {
    console.log(`${target.name}: built for CPU port ${options.cpuPort} in ${work}; tofino/ left as it is`);
    continue;
  }
  const dir = join(PACKAGE_ROOT, 'tofino', target.name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(p4infoText, tofinoArtifactPath(target, 'p4infoText'));
  copyFileSync(p4infoJson, tofinoArtifactPath(target, 'p4infoJson'));
  writeFileSync(tofinoArtifactPath(target, 'resources'), `${JSON.stringify(summary, null, 2)}\n`);
  const p4Dir = join(PACKAGE_ROOT, 'p4');
  const sources = listSourceFiles(p4Dir);
  writeStamp(tofinoArtifactPath(target, 'stamp'), {
    compiler: bf.version,
    sourceHash: hashSources(p4Dir, sources),
    sources,
    artifacts: [TOFINO_ARTIFACTS.p4infoText, TOFINO_ARTIFACTS.p4infoJson, TOFINO_ARTIFACTS.resources],
  });
  console.log(`${target.name}: wrote tofino/${target.name}/`);
  if (!options.keep) rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
