// npm run tofino:device-config -- BUILD_DIR OUT [--p4-name NAME] [--pipes 0,1]: packs a bf-p4c output
// directory (npm run p4:compile:tofino -- --keep DIR gives DIR/tna, DIR/t2na) into Stratum's
// BfPipelineConfig, the device config that `genevectl push --device-config OUT` sends.
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { bfPipelineConfigFromBuild, encodeBfPipelineConfig } from '../src/artifacts/bf-pipeline-config.js';

const program = new Command()
  .argument('<build>', 'bf-p4c output directory')
  .argument('<out>', 'file to write')
  .option('--p4-name <name>', 'program name the switch shows', 'geneve_vtep')
  .option('--pipes <list>', 'comma-separated pipes to load the program into (default: all)')
  .parse();
const [build, out] = program.args;
const o = program.opts<{ p4Name: string; pipes?: string }>();
const pipes = o.pipes ? o.pipes.split(',').map((p) => Number.parseInt(p, 10)) : [];
if (pipes.some((p) => !Number.isInteger(p) || p < 0 || p > 7)) {
  console.error(`--pipes must list pipe numbers 0..7, got '${o.pipes}'`);
  process.exit(2);
}
const bytes = encodeBfPipelineConfig(bfPipelineConfigFromBuild(build, o.p4Name, pipes));
writeFileSync(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes): BfPipelineConfig of ${build}`);
