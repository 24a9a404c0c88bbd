// The published package as a user gets it: `npm pack`, install the tarball in an empty folder,
// then run the installed genevectl: the demo and the commands the README and docs/CLI.md show.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { cleanEnv } from './helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const folder = mkdtempSync(join(tmpdir(), 'genevectl-installed-'));
const installed = join(folder, 'node_modules', 'geneve-offload');
const bin = join(folder, 'node_modules', '.bin', 'genevectl');
const children: ChildProcess[] = [];

function installedGenevectl(...args: string[]) {
  const r = spawnSync(bin, args, { cwd: folder, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `genevectl target serve` from the installed package on a free loopback port. */
async function serveInstalled(): Promise<string> {
  const server = spawn(bin, ['target', 'serve', '--grpc', '127.0.0.1:0'], { cwd: folder, env: cleanEnv() });
  children.push(server);
  return new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /P4Runtime on (\S+),/.exec(out);
      if (m && out.includes('waiting for a controller')) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`target serve exited with ${code}: ${out}`)));
  });
}

// Commands that run until stopped, or need a terminal, are exercised in their own tests.
const LONG_RUNNING = /^genevectl (target serve|shell|packet watch)\b/;

/** The `genevectl ...` lines of the first sh block that starts with `first`, comments removed. */
function documentedCommands(doc: string, first: string): string[] {
  const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8');
  const block = text.slice(text.indexOf(first)).split('```')[0];
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('genevectl ') && !LONG_RUNNING.test(l));
}

/** Runs documented commands in order against a fresh target, as typed (no shell features used). */
async function runDocumented(commands: readonly string[]): Promise<void> {
  const address = await serveInstalled();
  for (const line of commands) {
    const args = line
      .split(/\s+/)
      .slice(1)
      .map((a) => (a.startsWith('examples/') ? join(installed, a) : a));
    const r = spawnSync(bin, args, {
      cwd: folder,
      env: cleanEnv({ GENEVECTL_GRPC: address }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ line, status: r.status, stderr: r.stderr }).toEqual({ line, status: 0, stderr: '' });
  }
}

describe('the npm package', { timeout: 300_000 }, () => {
  beforeAll(() => {
    // prepack builds dist/; --prefer-offline installs the dependencies from npm's cache.
    execFileSync(npm, ['pack', '--pack-destination', folder], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
    const tarball = readdirSync(folder).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(folder, 'package.json'), '{ "name": "try-genevectl", "private": true }\n');
    execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], {
      cwd: folder,
      stdio: 'pipe',
    });
  }, 300_000);
  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
  });

  it('runs the demo from the installed package', () => {
    const r = installedGenevectl('demo');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dropped at vtep-b: POLICY_DENY');
    expect(r.stdout).toContain('told path MTU 1442');
    expect(r.stdout).toMatch(/pcaps in \S+: underlay\.pcap, vtep-a-port1\.pcap/);
  });

  it('runs the documented commands from the installed package', async () => {
    expect(installedGenevectl('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installedGenevectl('completion', 'bash').stdout).toContain(
      'complete -o nospace -o default -F _genevectl genevectl',
    );
    const dry = installedGenevectl('apply', join(installed, 'examples', 'fabric.yaml'), '--dry-run');
    expect(dry.stdout).toContain('plan for 2 tenant(s) is valid; nothing written (--dry-run)');
    const info = installedGenevectl(
      'p4',
      'info',
      '--p4info',
      join(installed, 'bmv2', 'geneve_vtep.p4info.txtpb'),
    );
    expect(info.stdout).toMatch(/overlay_mac/);

    const address = await serveInstalled();
    const push = installedGenevectl('pipeline', 'push', '--grpc', address);
    expect(push.stdout).toContain(`pushed ${join(installed, 'bmv2', 'geneve_vtep.json')}`);
    const apply = installedGenevectl('apply', join(installed, 'examples', 'fabric.yaml'), '--grpc', address);
    expect(apply.status).toBe(0);
    const list = installedGenevectl('table', 'list', '--grpc', address);
    expect(list.stdout).toMatch(/overlay_mac\s+/);
    const dump = installedGenevectl('table', 'dump', 'overlay_mac', '--grpc', address, '--json');
    expect(JSON.parse(dump.stdout).length).toBeGreaterThan(0);
    const counters = installedGenevectl('counters', '--grpc', address);
    expect(counters.status).toBe(0);
  });

  it('runs the commands README.md and docs/CLI.md show, as shown', async () => {
    const readme = documentedCommands('README.md', 'genevectl target serve --grpc 127.0.0.1:9559 --cpu-port');
    expect(readme.length).toBe(8);
    await runDocumented(readme);
    const cli = documentedCommands(join('docs', 'CLI.md'), 'npm install geneve-offload');
    expect(cli.length).toBeGreaterThanOrEqual(5);
    await runDocumented(cli);
  });
});
