// npm run p4:gen-options: rewrites p4/geneve_options.p4 (the bounded Geneve option walk).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { GENEVE_OPTION_WORD_BOUND, geneveOptionsP4 } from './lib/geneve-options.js';

const path = join(PACKAGE_ROOT, 'p4', 'geneve_options.p4');
writeFileSync(path, geneveOptionsP4());
console.log(`wrote p4/geneve_options.p4 (${GENEVE_OPTION_WORD_BOUND} option words)`);
