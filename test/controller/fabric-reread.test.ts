// The service re-reads only the items an edit of the fabric file touched (fabric-file.ts). Each read
// is held to a full reading of the same text (parseFabricText): same fabric; an edit inside items
// of `workloads` or `tenants` is read item by item (the others keep their objects); anything else
// is read in full; a broken edit is reported with its file:line and the last good version kept.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { overlayFabric } from '../../bench/lib/overlay-fabric.js';
import { FabricFile } from '../../src/controller/fabric-file.js';
import { DEFAULT_LOAD_LIMITS, type Fabric, parseFabricText } from '../../src/controller/index.js';

const small = () =>
  overlayFabric(['127.0.0.1:1', '127.0.0.1:2'], {
    devices: 2,
    tenants: 5,
    workloads: 40,
    policies: 10,
    identities: 4,
  });

function setup(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'fabric-file-')), 'fabric.yaml');
  writeFileSync(file, text);
  const reader = new FabricFile(file);
  const first = reader.read();
  expect(first?.incremental).toBe(false);
  let current = text;
  let fabric = (first!.loaded as { fabric: Fabric }).fabric;
  /** Writes `edit(text)`; checks the read against a full reading; returns how it was read. */
  const edit = (change: (text: string) => string) => {
    const next = change(current);
    expect(next).not.toBe(current);
    writeFileSync(file, next);
    const read = reader.read()!;
    const full = parseFabricText(next, file, DEFAULT_LOAD_LIMITS);
    expect(read.loaded.format).toBe('fabric');
    const got = (read.loaded as { fabric: Fabric }).fabric;
    expect(got).toEqual((full as { fabric: Fabric }).fabric);
    const kept = got.workloads.filter((w) => fabric.workloads.includes(w)).length;
    current = next;
    fabric = got;
    return { incremental: read.incremental, reread: read.reread, kept };
  };
  return { file, reader, edit };
}

describe('fabric file, read again after an edit', () => {
  it('reads an edit inside items item by item, anything else in full', () => {
    const { edit, reader } = setup(stringify(small()));
    // Inside one workload.
    expect(
      edit((t) =>
        t.replace(
          'name: w7\n    tenant: t2\n    identity: id3',
          'name: w7\n    tenant: t2\n    identity: id1',
        ),
      ),
    ).toEqual({
      incremental: true,
      reread: { list: 'workloads', items: 1 },
      kept: 39,
    });
    // A workload added in the middle, then one removed, then one appended at the end of the file
    // (the item where the bytes start to differ is read again with it: w12 is `w1` then `2`).
    const w100 =
      '  - name: w100\n    tenant: t1\n    identity: id0\n    mac: 02:00:00:00:64:01\n    device: vtep-1\n    port: 2\n';
    for (const change of [
      (t: string) => t.replace('  - name: w12\n', `${w100}  - name: w12\n`),
      (t: string) => t.replace(w100, ''),
      (t: string) => `${t}${w100.replace('w100', 'w101').replace('64:01', '65:01')}`,
    ]) {
      const read = edit(change);
      expect(read.incremental).toBe(true);
      expect(read.reread!.items).toBeLessThanOrEqual(2);
      expect(read.kept).toBeGreaterThanOrEqual(39);
    }
    // A change spanning two neighbouring items.
    expect(
      edit((t) =>
        t.replace(/(name: w20\n(?:.*\n)*?) {4}port: \d+\n((?:.*\n)*? {4}port: )\d+/, '$1    port: 4\n$24'),
      ),
    ).toMatchObject({ incremental: true, reread: { list: 'workloads', items: 2 } });
    // A tenant's policy.
    expect(edit((t) => t.replace('priority: 10\n', 'priority: 11\n'))).toMatchObject({
      incremental: true,
      reread: { list: 'tenants', items: 1 },
    });
    // Spanning sections (a device and a workload), and a device alone: read in full.
    expect(
      edit((t) => t.replace('mtu: 9000', 'mtu: 8000').replace('name: w30\n', 'name: w30x\n')),
    ).toMatchObject({
      incremental: false,
    });
    expect(edit((t) => t.replace('mtu: 8000', 'mtu: 9000'))).toMatchObject({ incremental: false });
    // The same bytes again: nothing to read.
    expect(reader.read()).toBeUndefined();
  });

  it('reports a broken edit with its file:line and keeps the last good version to compare with', () => {
    const { edit, file, reader } = setup(stringify(small()));
    const good = stringify(small());
    const lines = good.split('\n');
    const line = lines.findIndex((l) => l.includes('mac: 02:00:00:00:05:01')) + 1;
    writeFileSync(file, good.replace('mac: 02:00:00:00:05:01', 'mac: 02:00:zz'));
    expect(() => reader.read()).toThrow(
      new RegExp(`${file}:${line}: workloads\\[5\\]\\.mac: expected a MAC address`),
    );
    // An unknown key at the end of the file (a new top-level key): read in full, refused.
    writeFileSync(file, `${good}bogus: 1\n`);
    expect(() => reader.read()).toThrow(/unknown key 'bogus'/);
    // The fix is compared with the last good version: one item read again.
    expect(edit(() => good.replace('mac: 02:00:00:00:05:01', 'mac: 02:00:00:00:05:02'))).toMatchObject({
      incremental: true,
      reread: { list: 'workloads', items: 1 },
    });
  });

  it('reads items of a list at the indent of its key, and flow-style items, item by item', () => {
    const text = [
      'devices:',
      '  - { name: a, address: "127.0.0.1:1", accessPorts: [1], uplinks: [{ port: 5, mac: "02:aa:00:00:00:05" }], vteps: { ipv4: 10.0.0.1 } }',
      'identities: [{ name: web }]',
      'tenants:',
      '- name: blue',
      '  vni: 5000',
      '# the workloads',
      'workloads:',
      '- { name: w1, tenant: blue, identity: web, mac: "02:00:00:00:00:01", device: a, port: 1 }',
      '- { name: w2, tenant: blue, identity: web, mac: "02:00:00:00:00:02", device: a, port: 1 }',
      '',
    ].join('\n');
    const { edit } = setup(text);
    expect(edit((t) => t.replace('00:00:02", device', '00:00:03", device'))).toMatchObject({
      incremental: true,
      reread: { list: 'workloads', items: 1 },
      kept: 1,
    });
    expect(edit((t) => t.replace('  vni: 5000', '  vni: 5001'))).toMatchObject({
      incremental: true,
      reread: { list: 'tenants', items: 1 },
    });
    // A new top-level key between two lists is read in full.
    expect(edit((t) => t.replace('# the workloads\n', 'fabric: lab\n'))).toMatchObject({
      incremental: false,
    });
  });
});
