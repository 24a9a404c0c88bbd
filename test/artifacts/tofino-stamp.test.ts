// Runs everywhere, bf-p4c or not: the committed Tofino artifacts were compiled from the p4/ on disk,
// and the resource summary committed with them keeps each build within its device's stages.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadP4Info, P4InfoIndex } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { checkStamp, readStamp } from '../../src/artifacts/stamp.js';
import { readTofinoSummary, TOFINO_TARGETS, tofinoArtifactPath } from '../../src/artifacts/tofino.js';

describe.each(TOFINO_TARGETS)('compiled artifacts under tofino/$name/', (target) => {
  it('were compiled from the current p4/ sources', () => {
    const path = tofinoArtifactPath(target, 'stamp');
    expect(existsSync(path), `${path} is missing: run npm run p4:compile:tofino`).toBe(true);
    const check = checkStamp(readStamp(path), join(PACKAGE_ROOT, 'p4'));
    expect(
      check.upToDate,
      `p4/ changed since tofino/${target.name}/ was compiled: run npm run p4:compile:tofino` +
        (check.added.length ? ` (new files: ${check.added.join(', ')})` : ''),
    ).toBe(true);
  });

  it(`fit in the ${target.stageLimit} stages of ${target.target}, with every table placed`, async () => {
    const summary = readTofinoSummary(target);
    expect(summary.target).toBe(target.target);
    expect(summary.stages.ingress).toBeLessThanOrEqual(target.stageLimit);
    expect(summary.stages.egress).toBeLessThanOrEqual(target.stageLimit);
    const index = new P4InfoIndex(await loadP4Info(tofinoArtifactPath(target, 'p4infoText')));
    const placed = new Set(summary.tables.map((t) => t.name));
    for (const table of index.tables) expect(placed, `${table.name} placed`).toContain(table.name);
    for (const t of summary.tables)
      for (const stage of t.stages) expect(stage, `${t.name} stage`).toBeLessThan(target.stageLimit);
    expect(summary.phv.bitsUsed).toBeLessThanOrEqual(summary.phv.bitsAvailable);
  });
});
