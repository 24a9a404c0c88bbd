// The v1model VTEP built as the Tofino wrappers build it, without data-plane neighbor suppression
// (-DNEIGHBOR_SUPPRESSION=0, DATAPLANE.md rule 15a), for the tests of that profile. p4c-bm2-ss is
// the project's toolchain: CI sets P4_TOOLCHAIN_REQUIRED=1 and requires it; a clone without it
// skips those tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { compileV1model } from '../../scripts/lib/p4c.js';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';

function findP4c(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/opt/p4tools/p4/bin'];
  return dirs
    .filter((d) => d.length > 0)
    .map((d) => join(d, 'p4c-bm2-ss'))
    .find((p) => spawnSync(p, ['--version']).status === 0);
}

/** p4c-bm2-ss (P4C, else on PATH or where CI installs it); undefined when there is none. */
export const P4C: string | undefined = process.env.P4C ?? findP4c();

/** The build's files, in a new temporary directory (the caller removes `dir`). */
export interface NeighborProfileBuild {
  dir: string;
  bmv2Json: string;
  p4infoJson: string;
  /** p4c's output when it failed; undefined when it built. */
  failure?: string;
}

/** Compiles p4/v1model/main.p4 with NEIGHBOR_SUPPRESSION=0 into a temporary directory. */
export function buildNeighborProfile(p4c: string, prefix: string): NeighborProfileBuild {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const build = { dir, bmv2Json: join(dir, 'vtep.json'), p4infoJson: join(dir, 'vtep.p4info.json') };
  const out = compileV1model(
    { command: p4c, version: '' },
    {
      cwd: PACKAGE_ROOT,
      source: join('p4', 'v1model', 'main.p4'),
      includeDirs: ['p4'],
      defines: ['NEIGHBOR_SUPPRESSION=0'],
      json: build.bmv2Json,
      p4infoJson: build.p4infoJson,
      p4infoText: join(dir, 'vtep.p4info.txtpb'),
    },
  );
  return out.ok ? build : { ...build, failure: out.output };
}
