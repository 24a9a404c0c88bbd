// Recompiles the VTEP for Tofino 1 and 2 with bf-p4c when it is installed (CI installs it; a clone
// without the toolchain skips this file, and test/artifacts/tofino-stamp.test.ts still checks the
// committed artifacts). Fails if the program no longer compiles, prints a warning of ours, needs
// more stages than the device has, or if the committed P4Info or resource summary is stale.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTofino, findBfP4c, summarizeTofino } from '../../scripts/lib/tofino.js';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { readTofinoSummary, TOFINO_TARGETS, tofinoArtifactPath } from '../../src/artifacts/tofino.js';

const bf = findBfP4c();
// .ci/run sets it when ../shared/toolchain is there: then a missing bf-p4c is a failure, not a skip.
it('finds bf-p4c where CI installs it (CI must not skip the Tofino compile)', () => {
  if (process.env.P4_TOOLCHAIN_REQUIRED === '1')
    expect(bf, 'bf-p4c not found: .ci/run installs the toolchain from ../shared/toolchain').toBeDefined();
});
const work = mkdtempSync(join(tmpdir(), 'vtep-tofino-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!bf).each(TOFINO_TARGETS)('bf-p4c --target $target --arch $arch', (target) => {
  it('compiles p4/ without warnings of ours, within the stages, to the committed P4Info and summary', () => {
    if (!bf) return;
    const outDir = join(work, target.name);
    const p4infoText = join(outDir, 'p4info.txtpb');
    const result = compileTofino(bf, target, {
      cwd: PACKAGE_ROOT,
      outDir,
      p4infoText,
      p4infoJson: join(outDir, 'p4info.json'),
    });
    expect(result.ok, result.output).toBe(true);
    expect(result.warnings).toEqual([]);
    const summary = summarizeTofino(target, outDir, bf.version);
    expect(summary.stages.ingress).toBeLessThanOrEqual(target.stageLimit);
    expect(summary.stages.egress).toBeLessThanOrEqual(target.stageLimit);
    const stale = 'the committed artifacts are stale: run npm run p4:compile:tofino';
    expect(summary, stale).toEqual(readTofinoSummary(target));
    expect(readFileSync(p4infoText, 'utf8'), stale).toBe(
      readFileSync(tofinoArtifactPath(target, 'p4infoText'), 'utf8'),
    );
  }, 900_000);
});
