// The loader's fast reading (js-yaml without positions, src/controller/fast-yaml.ts) against its
// reading with positions (`yaml`): the same data for every file it accepts, the same lines for
// messages found after loading, and every message about a bad file exactly as before.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { overlayFabric } from '../../bench/lib/overlay-fabric.js';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { fastYaml } from '../../src/controller/fast-yaml.js';
import { IntentError, parseFabricText } from '../../src/controller/index.js';
import { parseWithPositions } from '../../src/controller/load-fabric.js';

function outcome(read: () => unknown): unknown {
  try {
    const loaded = read() as { where?: unknown };
    return { ...loaded, where: undefined };
  } catch (e) {
    if (e instanceof IntentError) return { problems: [...e.problems] };
    throw e;
  }
}

const small = stringify(
  overlayFabric(['127.0.0.1:9559', '127.0.0.1:9560'], {
    devices: 2,
    tenants: 3,
    workloads: 12,
    policies: 6,
    identities: 4,
  }),
);

describe('fast reading of a fabric file', () => {
  it('reads plain scalars as the yaml package’s core schema does', () => {
    const scalars = [
      '5',
      '+5',
      '-0',
      '007',
      '0o17',
      '0o8',
      '0x1F',
      '0xg',
      '0b101',
      '1_000',
      '1.5',
      '1.50',
      '.5',
      '5.',
      '1e3',
      '1E-3',
      '.inf',
      '-.Inf',
      '+.INF',
      '.nan',
      '.NaN',
      'nan',
      'null',
      'Null',
      'NULL',
      'nULL',
      '~',
      '',
      'true',
      'True',
      'TRUE',
      'tRUE',
      'yes',
      'no',
      'on',
      'off',
      'y',
      '2001-12-14',
      '12:30:00',
      '02:aa:00:00:00:05',
      '10.0.0.0/24',
      '192.168.0.1',
      '"5"',
      "'true'",
      '0x',
      '+',
      '.',
      '1.2.3',
    ];
    const text =
      scalars.map((s, i) => `k${i}: ${s}\n`).join('') + `list:\n${scalars.map((s) => `  - ${s}\n`).join('')}`;
    const fast = fastYaml(text);
    expect(fast).toBeDefined();
    // Object.is: NaN and -0 compared as values.
    const expected = parse(text) as Record<string, unknown>;
    const got = fast?.data as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      if (Array.isArray(v))
        for (const [i, x] of v.entries())
          expect(Object.is((got[k] as unknown[])[i], x), `${k}[${i}]`).toBe(true);
      else expect(Object.is(got[k], v), `${k}: ${JSON.stringify(v)} vs ${JSON.stringify(got[k])}`).toBe(true);
    }
  });

  it('leaves anchors, aliases, tags, directives, explicit, flow and merge keys to the reading with positions', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 5\n',
      '%YAML 1.1\n---\na: 010\n',
      '? a\n: 1\n',
      '[a, b]: 1\n',
      '{ a: 1 }: 2\n',
      'a: 1\n<<: { b: 2 }\n',
      'a: 1\na: 2\n',
      'a: [1\n',
    ]) {
      expect(fastYaml(text), text).toBeUndefined();
    }
  });

  it('loads a valid fabric with the same data as the reading with positions, and names the same lines', () => {
    const fast = parseFabricText(small, 'f.yaml');
    const slow = parseWithPositions(small, 'f.yaml', { maxBytes: 1 << 20, maxDepth: 32, maxAliases: 1000 });
    expect(fast.format).toBe('fabric');
    expect(outcome(() => fast)).toEqual(outcome(() => slow));
    if (fast.format !== 'fabric' || slow.format !== 'fabric') return;
    for (const path of [
      ['workloads', 7, 'mac'],
      ['tenants', 2, 'policies', 1, 'ports'],
      ['devices', 1],
      [],
    ] as const) {
      expect(fast.where(path)).toBe(slow.where(path));
    }
    expect(fast.where(['workloads', 7, 'mac'])).toMatch(/^f\.yaml:\d+: workloads\[7\]\.mac: $/);
  });

  it('reports every problem of a bad file exactly as the reading with positions does', () => {
    const limits = { maxBytes: 1 << 20, maxDepth: 32, maxAliases: 1000 };
    const bad = [
      small.replace('mac: 02:00:00:00:00:01', 'mac: 02:00:00:00:00:zz').replace('vni: 10001', 'vnii: 10001'),
      small.replace(/ {4}port: 2\n/, ''),
      small.replace('fabric: bench', 'fabric: bench\nfabric: again'),
      `${small}\n  - [unclosed\n`,
      small.replace('accessPorts:', 'accessPorts: !!binary x\n    ports:'),
      readFileSync(join(PACKAGE_ROOT, 'examples', 'fabric.yaml'), 'utf8').replace(/vni: \d+/, 'vni: -1'),
    ];
    for (const text of bad) {
      const got = outcome(() => parseFabricText(text, 'f.yaml', limits));
      expect(got).toEqual(outcome(() => parseWithPositions(text, 'f.yaml', limits)));
      expect((got as { problems?: string[] }).problems?.length ?? 0, text.slice(0, 80)).toBeGreaterThan(0);
      for (const p of (got as { problems: string[] }).problems) expect(p).toMatch(/^f\.yaml:(\d+|\?):? /);
    }
  });

  it('reads every example fabric as the reading with positions does', () => {
    for (const name of ['overlay.yaml', 'fabric.yaml']) {
      const text = readFileSync(join(PACKAGE_ROOT, 'examples', name), 'utf8');
      const limits = { maxBytes: 1 << 20, maxDepth: 32, maxAliases: 1000 };
      expect(outcome(() => parseFabricText(text, name, limits))).toEqual(
        outcome(() => parseWithPositions(text, name, limits)),
      );
    }
  });
});
