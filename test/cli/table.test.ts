// Table management of any program through genevectl, as an operator types it, against the
// embedded target served by `genevectl target serve` (or bmv2 with P4_TARGET=bmv2).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import {
  CLI,
  cleanEnv,
  exactForward,
  FIXTURE,
  genevectl,
  type ServedTarget,
  serveSelected,
} from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'genevectl-table-'));
let target: ServedTarget;
const run = (...args: string[]) => genevectl([...args, '--grpc', target.address]);

describe(`genevectl table on ${process.env.P4_TARGET ?? 'embedded'}`, { timeout: 120_000 }, () => {
  beforeAll(async () => {
    target = await serveSelected();
    const push = await run('pipeline', 'push', FIXTURE.json, FIXTURE.p4info);
    expect(push.stderr).toBe('');
    expect(push.status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('adds entries with every value form and prints them back in the same forms', async () => {
    const adds = [
      exactForward(3),
      ['lpm_t', '--match', 'hdr.probe.k32=10.1.0.0/16', '--action', 'set_lpm', '--param', 'v=0x10'],
      [
        'mixed_t',
        '--match',
        'hdr.probe.k16=0x0a00&&&0xff00,hdr.probe.k8=10..20,hdr.ethernet.srcAddr=02:00:00:00:00:09',
        '--action',
        'set_mixed',
        '--param',
        'v=1',
        '--priority',
        '10',
      ],
      [
        'mixed_t',
        '--match',
        'hdr.probe.k16=0x0b00/8',
        '--match',
        'hdr.probe.k8=*',
        '--action',
        'set_mixed',
        '--param',
        'v=2',
        '--priority',
        '11',
      ],
    ];
    for (const a of adds) {
      const r = await run('table', 'add', ...a);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const dump = await run('table', 'dump', '--json');
    expect(dump.status).toBe(0);
    const entries = JSON.parse(dump.stdout) as unknown[];
    expect(entries).toEqual(
      expect.arrayContaining([
        {
          table: 'MyIngress.exact_t',
          match: { 'hdr.ethernet.dstAddr': '02:00:00:00:00:01' },
          action: 'MyIngress.forward',
          params: { port: '3' },
        },
        {
          table: 'MyIngress.lpm_t',
          match: { 'hdr.probe.k32': '10.1.0.0/16' },
          action: 'MyIngress.set_lpm',
          params: { v: '16' },
        },
        {
          table: 'MyIngress.mixed_t',
          match: {
            'hdr.probe.k16': '0xa00&&&0xff00',
            'hdr.probe.k8': '10..20',
            'hdr.ethernet.srcAddr': '02:00:00:00:00:09',
          },
          action: 'MyIngress.set_mixed',
          params: { v: '1' },
          priority: 10,
        },
        {
          table: 'MyIngress.mixed_t',
          match: { 'hdr.probe.k16': '0xb00&&&0xff00' },
          action: 'MyIngress.set_mixed',
          params: { v: '2' },
          priority: 11,
        },
      ]),
    );
    const human = await run('table', 'dump', 'mixed_t');
    expect(human.stdout).toMatch(
      /hdr\.probe\.k16=0xa00&&&0xff00 hdr\.probe\.k8=10\.\.20\s+set_mixed\(v=1\)\s+10/,
    );
    const list = await run('table', 'list');
    expect(list.stdout).toMatch(/MyIngress\.mixed_t\s+.*\s+2\s+32\n/);
    expect((await run('table', 'count', 'mixed_t')).stdout.trim()).toBe('2 (of 32)');
  });

  it('modifies, deletes and sets the default action; refusals say why in one line', async () => {
    const key = ['--match', 'hdr.ethernet.dstAddr=02:00:00:00:00:01'];
    const again = await run('table', 'add', 'exact_t', ...key, '--action', 'forward', '--param', 'port=4');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /^genevectl: device 1 at \S+ refused INSERT table MyIngress\.exact_t .*ALREADY_EXISTS.*\(use 'table modify' to change it\)\n$/,
    );
    const modify = await run(
      'table',
      'modify',
      'exact_t',
      ...key,
      '--action',
      'send_to_cpu',
      '--param',
      'reason=5',
    );
    expect(modify.status).toBe(0);
    expect((await run('table', 'dump', 'exact_t')).stdout).toMatch(
      /02:00:00:00:00:01\s+send_to_cpu\(reason=5\)/,
    );
    const setDefault = await run('table', 'default', 'lpm_t', '--action', 'set_lpm', '--param', 'v=9');
    expect(setDefault.status).toBe(0);
    expect((await run('table', 'default', 'lpm_t')).stdout.trim()).toBe(
      'default action of MyIngress.lpm_t: MyIngress.set_lpm(v=9)',
    );
    const del = await run('table', 'delete', 'exact_t', ...key);
    expect(del.status).toBe(0);
    const gone = await run('table', 'delete', 'exact_t', ...key);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('NOT_FOUND');
    const typo = await run('table', 'add', 'exact_tt', ...key, '--action', 'forward');
    expect(typo.status).toBe(2);
    expect(typo.stderr.trim()).toBe("genevectl: unknown table 'exact_tt'; did you mean 'MyIngress.exact_t'?");
    const wide = await run('table', 'add', 'exact_t', ...key, '--action', 'forward', '--param', 'port=512');
    expect(wide.status).toBe(2);
    expect(wide.stderr).toContain(`'port': does not fit in 9 bit(s) (value "512", bit width 9)`);
    const noPriority = await run(
      'table',
      'add',
      'mixed_t',
      '--match',
      'hdr.probe.k8=1..2',
      '--action',
      'set_mixed',
      '--param',
      'v=1',
    );
    expect(noPriority.status).toBe(2);
    expect(noPriority.stderr).toContain('entries need a priority > 0');
  });

  it('loads back what dump --json printed, changing nothing the second time; YAML and CSV too', async () => {
    const dumped = await run('table', 'dump', '--json');
    const file = join(tmp, 'dump.json');
    writeFileSync(file, dumped.stdout);
    const same = await run('table', 'load', file, '--json');
    expect(same.status).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ insert: 0, modify: 0, delete: 0 });
    const clear = await run('table', 'clear', 'mixed_t');
    expect(clear.stdout.trim()).toBe('deleted 2 entries of MyIngress.mixed_t');
    const reload = await run('table', 'load', file);
    expect(reload.stdout).toContain('inserted 2, modified 0, deleted 0');
    expect((await run('table', 'dump', '--json')).stdout).toBe(dumped.stdout);

    const yaml = join(tmp, 'entries.yaml');
    writeFileSync(
      yaml,
      [
        'entries:',
        '  - table: exact_t',
        '    match: { hdr.ethernet.dstAddr: "02:00:00:00:00:0a" }',
        '    action: forward',
        '    params: { port: 1 }',
        '  - table: lpm_t',
        '    match: { hdr.probe.k32: 10.1.0.0/16 }',
        '    action: set_lpm',
        '    params: { v: 99 }',
        '',
      ].join('\n'),
    );
    const loaded = await run('table', 'load', yaml);
    expect(loaded.stdout).toContain('inserted 1, modified 1, deleted 0');
    const csv = join(tmp, 'entries.csv');
    const rows = ['match.hdr.ethernet.dstAddr,action,param.port'];
    for (let i = 0; i < 40; i++)
      rows.push(`02:00:00:00:01:${i.toString(16).padStart(2, '0')},forward,${i % 8}`);
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const bulk = await genevectl(
      ['table', 'load', csv, '--table', 'exact_t', '--batch', '16', '--grpc', target.address],
      {
        env: { GENEVECTL_PROGRESS: '1' },
      },
    );
    expect(bulk.status).toBe(0);
    expect(bulk.stdout).toContain('inserted 40, modified 0, deleted 0');
    expect(bulk.stderr).toContain('genevectl: 40/40 updates written');
    expect((await run('table', 'count', 'exact_t')).stdout.trim()).toBe('41 (of 64)');
    const pruned = await run('table', 'load', yaml, '--prune');
    expect(pruned.stdout).toContain('inserted 0, modified 0, deleted 40');

    const bad = join(tmp, 'bad.yaml');
    writeFileSync(
      bad,
      '- table: exact_t\n  match: { hdr.ethernet.dstAddr: "02:00:00:00:00:0b" }\n  action: forward\n  params: { port: 1 }\n- table: exact_t\n  match: { hdr.ethernet.dstAddr: "zz" }\n  action: forward\n  params: { port: 1 }\n',
    );
    const refused = await run('table', 'load', bad);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^genevectl: ${bad}:5: table MyIngress.exact_t match field 'hdr.ethernet.dstAddr': unrecognised string`,
      ),
    );
  });

  it('verifies a program against the device: the same, or another one (exit 1)', async () => {
    const same = await run('pipeline', 'verify', FIXTURE.json, FIXTURE.p4info);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/accepts .*\n.* runs this program\n$/);
    const other = await run('pipeline', 'verify');
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(
      /^genevectl: device 1 at \S+ runs another program \(.*\): table \S+ is not on the device/,
    );
    const show = JSON.parse((await run('pipeline', 'show', '--json')).stdout) as Record<string, unknown>;
    expect(show).toMatchObject({
      arch: 'v1model',
      tables: 7,
      counters: 3,
      meters: 2,
      registers: 1,
      digests: 1,
    });
  });

  it('finds one entry by key, and keeps idle timeouts', async () => {
    const key = ['--match', 'hdr.ethernet.dstAddr=02:00:00:00:00:0d'];
    const add = await run(
      'table',
      'add',
      'exact_t',
      ...key,
      '--action',
      'forward',
      '--param',
      'port=1',
      '--ttl',
      '60000',
    );
    expect(add.status).toBe(0);
    const one = await run('table', 'dump', 'exact_t', ...key, '--json');
    expect(JSON.parse(one.stdout)).toEqual([
      {
        table: 'MyIngress.exact_t',
        match: { 'hdr.ethernet.dstAddr': '02:00:00:00:00:0d' },
        action: 'MyIngress.forward',
        params: { port: '1' },
        ttl: 60000,
      },
    ]);
    expect((await run('table', 'delete', 'exact_t', ...key)).status).toBe(0);
  });

  // head -c 0 exits before genevectl writes: the write meets a closed pipe (EPIPE).
  it('stops quietly when its reader goes away (EPIPE into head)', () => {
    const shell = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" --import tsx "${CLI}" table dump --grpc ${target.address} | head -c 0; echo "status \${PIPESTATUS[0]}"`,
      ],
      { cwd: PACKAGE_ROOT, env: cleanEnv(), encoding: 'utf8' },
    );
    expect(shell.stdout.trim()).toBe('status 0');
    expect(shell.stderr).toBe('');
  });
});
