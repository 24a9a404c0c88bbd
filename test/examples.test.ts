// The README's runnable examples must keep running.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';

describe('examples', () => {
  it('examples/p4runtime-client.ts pushes, writes, reads back and sends a packet out', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join('examples', 'p4runtime-client.ts')], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("read back: { vni: 5000, dst_mac: '02:00:00:00:0a:11' }");
    expect(run.stdout).toContain('packet-out left port 3: 64 bytes');
  });
});

describe('README', () => {
  it('shows examples/p4runtime-client.ts exactly as it is', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const example = readFileSync(join(PACKAGE_ROOT, 'examples', 'p4runtime-client.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
