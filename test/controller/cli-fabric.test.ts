// genevectl apply/diff -f and counters as an operator runs them (separate processes) against two
// targets: JSON output, a second apply that writes nothing, and tenant counters read through the
// device's own VNI table, so swapping two tenants in the file changes no number.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { copyFabric, type Lab, startLab } from './helpers.js';

/** Runs genevectl without blocking this process (the targets answer from its event loop). */
function genevectl(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('src', 'cli', 'main.ts'), ...args],
      { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let lab: Lab;
let file: string;
beforeAll(async () => {
  lab = await startLab(2);
  file = join(mkdtempSync(join(tmpdir(), 'cli-fabric-')), 'overlay.yaml');
  writeFileSync(file, stringify(lab.fabric));
});
afterAll(async () => {
  await lab.stop();
});

interface JsonReport {
  devices: Array<{
    device: string;
    ok: boolean;
    pipeline: string;
    written: number;
    changes: { op: string }[];
  }>;
}

describe('genevectl apply/diff -f', () => {
  it('diff shows the plan, apply writes it, a second apply writes nothing', async () => {
    const diff = await genevectl('diff', '-f', file, '--json');
    expect(diff.stderr).toBe('');
    const planned = JSON.parse(diff.stdout) as JsonReport;
    expect(
      planned.devices.map((d) => [
        d.device,
        d.pipeline,
        d.changes.every((c) => c.op === '+' || c.op === '~'),
      ]),
    ).toEqual([
      ['vtep-a', 'would push', true],
      ['vtep-b', 'would push', true],
    ]);
    const applied = JSON.parse((await genevectl('apply', '-f', file, '--json')).stdout) as JsonReport;
    expect(applied.devices.map((d) => [d.pipeline, d.written])).toEqual(
      planned.devices.map((d) => ['pushed', d.changes.length]),
    );
    const again = await genevectl('apply', '-f', file);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('vtep-a: program kept;');
    expect(again.stdout).toContain(', 0 change(s) written');
    expect(again.stdout).toMatch(/applied \S+: \d+ entities for 2 tenant\(s\) on 2 device\(s\), 0 written/);
  });

  it('counters name tenants by what the device holds, not by the order of the file', async () => {
    await genevectl('apply', '-f', file);
    const swapped = copyFabric(lab.fabric);
    swapped.tenants.reverse();
    const swappedFile = `${file}.swapped.yaml`;
    writeFileSync(swappedFile, stringify(swapped));
    const address = lab.fabric.devices[0].address;
    const one = await genevectl('counters', '--grpc', address, '--fabric', file);
    const two = await genevectl('counters', '--grpc', address, '--fabric', swappedFile);
    expect(one.status).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the table's colours
    const plain = one.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^blue\s+5000\s+1\s/m);
    expect(plain).toMatch(/^green\s+6000\s+2\s/m);
    expect(two.stdout).toBe(one.stdout);
    const json = await genevectl('counters', '--grpc', address, '--fabric', swappedFile, '--json');
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      drops: object;
      tenants: { name: string; vni: number; slot: number }[];
    };
    expect(parsed.tenants.map((t) => [t.name, t.vni, t.slot])).toEqual([
      ['blue', 5000, 1],
      ['green', 6000, 2],
    ]);
    expect(typeof parsed.drops).toBe('object');
  });

  it('refuses a broken file with every problem, before connecting', async () => {
    const bad = `${file}.bad.yaml`;
    writeFileSync(bad, stringify({ ...lab.fabric, tenants: [{ name: 'blue', vni: 0 }] }));
    const r = await genevectl('apply', '-f', bad);
    // Exit 2: bad input (docs/CLI.md).
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/overlay\.yaml\.bad\.yaml:\d+: tenants\[0\]\.vni: /);
  });
});
