// Shell completion as bash runs it: the script from `genevectl completion bash` is loaded in a
// real bash whose PATH has a genevectl, and its completion function is called as bash would.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, genevectl, type ServedTarget, serveFixture } from './helpers.js';

const bin = mkdtempSync(join(tmpdir(), 'genevectl-bin-'));
writeFileSync(join(bin, 'genevectl'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${CLI}" "$@"\n`);
chmodSync(join(bin, 'genevectl'), 0o755);

function bashComplete(line: string, env: Record<string, string> = {}): string[] {
  const script = `eval "$(genevectl completion bash)"; COMP_LINE="$LINE"; COMP_POINT=\${#COMP_LINE}; _genevectl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], {
    env: cleanEnv({ ...env, LINE: line, PATH: `${bin}:${process.env.PATH}` }),
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('genevectl completion', { timeout: 120_000 }, () => {
  let target: ServedTarget;
  beforeAll(async () => {
    target = await serveFixture();
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('prints scripts for bash, zsh and fish, and refuses other shells', async () => {
    const bash = await genevectl(['completion', 'bash']);
    expect(spawnSync('bash', ['-n'], { input: bash.stdout }).status).toBe(0);
    expect((await genevectl(['completion', 'zsh'])).stdout).toContain('compdef _genevectl genevectl');
    expect((await genevectl(['completion', 'fish'])).stdout).toContain(
      "complete -c genevectl -f -a '(genevectl __complete (commandline -cp))'",
    );
    const other = await genevectl(['completion', 'tcsh']);
    expect(other.status).toBe(2);
    expect(other.stderr.trim()).toBe("genevectl: no completion for 'tcsh': choose bash, zsh or fish");
  });

  it('completes commands and options without a device, table names with one', () => {
    expect(bashComplete('genevectl tab')).toEqual(['table']);
    expect(bashComplete('genevectl table d')).toEqual(['default', 'delete', 'dump']);
    expect(bashComplete('genevectl table dump --js')).toEqual(['--json']);
    expect(bashComplete('genevectl table dump MyIngress.ex', { GENEVECTL_GRPC: target.address })).toEqual([
      'MyIngress.exact_t',
    ]);
    expect(
      bashComplete('genevectl table add exact_t --action forw', { GENEVECTL_GRPC: target.address }),
    ).toEqual(['forward', 'forward_and_clone']);
  });
});
