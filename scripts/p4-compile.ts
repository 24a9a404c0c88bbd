// npm run p4:compile: compiles p4/v1model/main.p4 with p4c's bmv2 backend into bmv2/,
// then stamps the artifacts with the compiler version and a hash of p4/.
import { join } from 'node:path';
import { GENEVE_PROGRAM as a, PACKAGE_ROOT } from '../src/artifacts/program.js';
import { compileGeneveProgram } from './lib/geneve-program.js';
import { requireP4c } from './lib/p4c.js';

const p4c = requireP4c('p4:compile');
const result = compileGeneveProgram(p4c, join(PACKAGE_ROOT, 'bmv2'));
if (result.output) console.log(result.output);
if (!result.ok) {
  console.error(
    'p4c failed; the stamp was not updated, so the stamp test keeps failing until a compile succeeds',
  );
  process.exit(1);
}
console.log(`wrote ${a.bmv2Json}, ${a.p4infoJson}, ${a.p4infoText} and ${a.stamp} in bmv2/ (${p4c.version})`);
