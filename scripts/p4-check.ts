// npm run p4:check: recompiles p4/ with the real p4c into a temporary directory, the same way
// `npm run p4:compile` does, and compares every output (bmv2 JSON, P4Info JSON and text, stamp)
// byte for byte with the committed bmv2/ files. The stamp test only proves that p4/ did not change
// since the last compile; this proves that the committed artifacts are what p4c makes of p4/.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { compileGeneveProgram, GENEVE_OUTPUTS } from './lib/geneve-program.js';
import { requireP4c } from './lib/p4c.js';

const p4c = requireP4c('p4:check');
const dir = mkdtempSync(join(tmpdir(), 'p4-check-'));
try {
  const result = compileGeneveProgram(p4c, dir);
  if (!result.ok) {
    console.error(`p4:check: p4c failed on p4/:\n${result.output}`);
    process.exit(1);
  }
  const differing: string[] = [];
  for (const file of GENEVE_OUTPUTS) {
    const committed = readFileSync(join(PACKAGE_ROOT, 'bmv2', file));
    const fresh = readFileSync(join(dir, file));
    if (!committed.equals(fresh)) differing.push(`bmv2/${file}${firstDifference(committed, fresh)}`);
  }
  if (differing.length > 0) {
    console.error(
      `p4:check: the committed artifacts are not what ${p4c.version} makes of p4/ ` +
        `(run npm run p4:compile and commit bmv2/):\n  ${differing.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(
    `p4:check: bmv2/ is byte for byte what ${p4c.version} makes of p4/ (${GENEVE_OUTPUTS.join(', ')})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Where two files first differ, as " (line N: committed ... / p4c ...)". */
function firstDifference(committed: Buffer, fresh: Buffer): string {
  const a = committed.toString('utf8').split('\n');
  const b = fresh.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const cut = (s: string | undefined) => (s === undefined ? '(end of file)' : s.trim().slice(0, 80));
      return ` (line ${i + 1}: committed ${cut(a[i])} / p4c ${cut(b[i])})`;
    }
  }
  return ' (same lines, different bytes)';
}
