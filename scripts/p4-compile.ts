// npm run p4:compile: compiles p4/v1model/main.p4 with p4c's bmv2 backend into bmv2/,
// then stamps the artifacts with the compiler version and a hash of p4/.
import { join } from 'node:path';
import { GENEVE_PROGRAM as a, PACKAGE_ROOT } from '../src/artifacts/program.js';
import { hashSources, listSourceFiles, writeStamp } from '../src/artifacts/stamp.js';
import { compileV1model, requireP4c } from './lib/p4c.js';

const p4c = requireP4c('p4:compile');
const result = compileV1model(p4c, {
  cwd: PACKAGE_ROOT,
  source: join('p4', a.mainSource),
  includeDirs: ['p4'],
  json: join('bmv2', a.bmv2Json),
  p4infoJson: join('bmv2', a.p4infoJson),
  p4infoText: join('bmv2', a.p4infoText),
});
if (result.output) console.log(result.output);
if (!result.ok) {
  console.error(
    'p4c failed; the stamp was not updated, so the stamp test keeps failing until a compile succeeds',
  );
  process.exit(1);
}
const p4Dir = join(PACKAGE_ROOT, 'p4');
const sources = listSourceFiles(p4Dir);
writeStamp(join(PACKAGE_ROOT, 'bmv2', a.stamp), {
  compiler: p4c.version,
  sourceHash: hashSources(p4Dir, sources),
  sources,
  artifacts: [a.bmv2Json, a.p4infoJson, a.p4infoText],
});
console.log(`wrote ${a.bmv2Json}, ${a.p4infoJson}, ${a.p4infoText} and ${a.stamp} in bmv2/ (${p4c.version})`);
