import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, programArtifactPath } from '../../src/artifacts/program.js';
import { checkStamp, hashSources, listSourceFiles, readStamp } from '../../src/artifacts/stamp.js';

describe('compiled artifacts under bmv2/', () => {
  it('were compiled from the current p4/ sources', () => {
    const stamp = readStamp(programArtifactPath('stamp'));
    const check = checkStamp(stamp, join(PACKAGE_ROOT, 'p4'));
    if (!check.upToDate) {
      const detail = [
        check.added.length ? `new files: ${check.added.join(', ')}` : '',
        check.removed.length ? `removed files: ${check.removed.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      expect.fail(
        `p4/ changed since bmv2/ was compiled: run npm run p4:compile${detail ? ` (${detail})` : ''}`,
      );
    }
    expect(stamp.compiler).toMatch(/\d+\.\d+/);
  });
});

describe('source hashing', () => {
  it('changes with content and with file names, and not with listing order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stamp-'));
    writeFileSync(join(dir, 'a.p4'), 'header h { bit<8> f; }\n');
    writeFileSync(join(dir, 'b.p4'), 'const bit<8> X = 1;\n');
    const files = listSourceFiles(dir);
    expect(files).toEqual(['a.p4', 'b.p4']);
    const before = hashSources(dir, files);
    writeFileSync(join(dir, 'b.p4'), 'const bit<8> X = 2;\n');
    const after = hashSources(dir, files);
    expect(after).not.toBe(before);
    const stamp = { compiler: 'p4c 1.2.4.10', sourceHash: after, sources: files, artifacts: [] };
    expect(checkStamp(stamp, dir).upToDate).toBe(true);
    writeFileSync(join(dir, 'c.p4'), '// new\n');
    const check = checkStamp(stamp, dir);
    expect(check.upToDate).toBe(false);
    expect(check.added).toEqual(['c.p4']);
  });
});
