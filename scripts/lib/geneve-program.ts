// Compiling the Geneve VTEP program (p4/) into a directory of bmv2 artifacts plus their stamp: the
// one recipe shared by `npm run p4:compile` (into bmv2/) and `npm run p4:check` (into a temporary
// directory, compared byte for byte with bmv2/).
import { join, relative } from 'node:path';
import { GENEVE_PROGRAM as a, PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { hashSources, listSourceFiles, writeStamp } from '../../src/artifacts/stamp.js';
import { compileV1model, type P4Compiler } from './p4c.js';

/** Every file the compile writes into its output directory: the three artifacts and the stamp. */
export const GENEVE_OUTPUTS = [a.bmv2Json, a.p4infoJson, a.p4infoText, a.stamp] as const;

/**
 * Compiles p4/v1model/main.p4 into `outDir` and stamps the artifacts with the compiler version and
 * a hash of p4/. p4c runs from the package root with relative paths, so that no machine path lands
 * in the JSON wherever `outDir` is. The stamp is written only when the compile succeeded.
 */
export function compileGeneveProgram(p4c: P4Compiler, outDir: string): { ok: boolean; output: string } {
  const out = (file: string) => relative(PACKAGE_ROOT, join(outDir, file));
  const result = compileV1model(p4c, {
    cwd: PACKAGE_ROOT,
    source: join('p4', a.mainSource),
    includeDirs: ['p4'],
    json: out(a.bmv2Json),
    p4infoJson: out(a.p4infoJson),
    p4infoText: out(a.p4infoText),
  });
  if (!result.ok) return result;
  const p4Dir = join(PACKAGE_ROOT, 'p4');
  const sources = listSourceFiles(p4Dir);
  writeStamp(join(outDir, a.stamp), {
    compiler: p4c.version,
    sourceHash: hashSources(p4Dir, sources),
    sources,
    artifacts: [a.bmv2Json, a.p4infoJson, a.p4infoText],
  });
  return result;
}
