import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import { P4InfoLookupError, P4InfoParseError } from '../../packages/p4runtime-ts-grpc/src/errors.js';
import { P4InfoIndex } from '../../packages/p4runtime-ts-grpc/src/p4info/index.js';
import {
  detectP4InfoFormat,
  loadP4Info,
  parseP4Info,
} from '../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import { closestNames, editDistance } from '../../packages/p4runtime-ts-grpc/src/p4info/suggest.js';
import { parseTextFormat } from '../../packages/p4runtime-ts-grpc/src/p4info/textformat.js';
import { IDS, makeP4Info, makeP4InfoMessage } from './fixtures/p4info.js';
import { toTextFormat } from './helpers/textformat-writer.js';

const encoded = (info: p4.config.v1.IP4Info) =>
  Buffer.from(p4.config.v1.P4Info.encode(info).finish()).toString('hex');

describe('P4InfoIndex look-ups', () => {
  const index = new P4InfoIndex(makeP4InfoMessage());

  it('finds every kind of object by full name, alias and id', () => {
    expect(index.tables.get('ingress.l2_fwd').id).toBe(IDS.l2Fwd);
    expect(index.tables.get('l2_fwd').id).toBe(IDS.l2Fwd);
    expect(index.tables.get(IDS.l2Fwd).name).toBe('ingress.l2_fwd');
    expect(index.actions.get('to_remote').params.get('remote_vtep').bitwidth).toBe(32);
    expect(index.actions.get('ingress.to_remote').params.get(1).name).toBe('tunnel_id');
    expect(index.actionProfiles.get('ecmp_selector').withSelector).toBe(true);
    expect(index.counters.get('ingress.port_counter')).toMatchObject({ size: 512, unit: 'BOTH' });
    expect(index.directCounters.get('l2_hits').tableId).toBe(IDS.l2Fwd);
    expect(index.meters.get('rate_limiter')).toMatchObject({ size: 16, unit: 'BYTES' });
    expect(index.directMeters.get('acl_meter').tableId).toBe(IDS.acl);
    expect(index.registers.get('flow_state').size).toBe(1024);
    expect(index.digests.get('learn_t').id).toBe(IDS.learnDigest);
    expect(index.valueSets.get('tunnel_ports').matchFields.get('udp_port').bitwidth).toBe(16);
    expect(index.packetIn?.metadata.get('ingress_port').bitwidth).toBe(9);
    expect(index.packetOut?.metadata.get('egress_port').id).toBe(1);
    expect(index.describeId(IDS.rateLimiter)).toBe('meter ingress.rate_limiter');
  });

  it('derives table properties from the P4Info', () => {
    const l2 = index.tables.get('l2_fwd');
    expect(l2.matchFields.list.map((f) => [f.name, f.matchKind, f.bitwidth])).toEqual([
      ['vni', 'exact', 24],
      ['dst_mac', 'exact', 48],
    ]);
    expect(l2.requiresPriority).toBe(false);
    expect(l2.directCounter?.name).toBe('ingress.l2_hits');
    expect(l2.supportsIdleTimeout).toBe(true);
    expect(l2.actions.get('NoAction').scope).toBe('DEFAULT_ONLY');
    const acl = index.tables.get('acl');
    expect(acl.requiresPriority).toBe(true);
    expect(acl.directMeter?.name).toBe('ingress.acl_meter');
    expect(acl.matchFields.list.map((f) => f.matchKind)).toEqual(['ternary', 'range', 'optional']);
    expect(index.tables.get('ecmp').implementation?.name).toBe('ingress.ecmp_selector');
  });

  it('suggests close names when a name is wrong', () => {
    expect(() => index.tables.get('ingress.l2_fwdd')).toThrow(
      "unknown table 'ingress.l2_fwdd'; did you mean 'ingress.l2_fwd'",
    );
    expect(() => index.tables.get('l2fwd')).toThrow("unknown table 'l2fwd'; did you mean 'ingress.l2_fwd'?");
    expect(() => index.actions.get('to_remot')).toThrow("did you mean 'ingress.to_remote'");
    expect(() => index.tables.get('l2_fwd').matchFields.get('dst_mack')).toThrow(
      "unknown match field of table ingress.l2_fwd 'dst_mack'; did you mean 'dst_mac'",
    );
    expect(() => index.tables.get('l2_fwd').actions.get('set_port')).toThrow(P4InfoLookupError);
    expect(() => index.tables.get(0x02ffffff)).toThrow(`unknown table id ${0x02ffffff}`);
    let error: P4InfoLookupError | undefined;
    try {
      index.counters.get('port_countr');
    } catch (e) {
      error = e as P4InfoLookupError;
    }
    expect(error?.suggestions).toEqual(['ingress.port_counter']);
    expect(() => index.tables.get('completely_unrelated_name_xyz')).toThrow(
      /unknown table 'completely_unrelated_name_xyz'$/,
    );
  });

  it('computes edit distances and ranks suggestions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestNames('fwd', ['ingress.fwd', 'ingress.bwd', 'egress.rewrite'])).toEqual([
      'ingress.fwd',
      'ingress.bwd',
    ]);
  });
});

describe('loading P4Info', () => {
  const reference = encoded(makeP4Info());

  it('loads protobuf JSON as p4c writes it (camelCase, enum names, int64 strings)', () => {
    const json = JSON.stringify(
      p4.config.v1.P4Info.toObject(makeP4InfoMessage(), { enums: String, longs: String, bytes: String }),
      null,
      2,
    );
    expect(json).toContain('"matchFields"');
    expect(json).toContain('"matchType": "EXACT"');
    expect(json).toContain('"size": "4096"');
    expect(encoded(parseP4Info(json, 'json'))).toBe(reference);
    expect(detectP4InfoFormat(new TextEncoder().encode(json))).toBe('json');
  });

  it('accepts original (snake_case) field names in JSON too', () => {
    const json = `{"tables":[{"preamble":{"id":33554433,"name":"t","alias":"t"},"match_fields":[{"id":1,"name":"k","bitwidth":8,"match_type":"LPM"}],"action_refs":[{"id":16777217}]}],
      "actions":[{"preamble":{"id":16777217,"name":"a"}}]}`;
    const index = new P4InfoIndex(parseP4Info(json));
    expect(index.tables.get('t').matchFields.get('k').matchKind).toBe('lpm');
  });

  it('rejects unknown fields and bad values with their location', () => {
    expect(() => parseP4Info('{"tables":[{"preamble":{"id":1},"matchFeilds":[]}]}')).toThrow(
      'p4info.tables[0].matchFeilds: unknown field',
    );
    expect(() => parseP4Info('{"tables":[{"matchFields":[{"matchType":"FUZZY"}]}]}')).toThrow(
      "unknown enum value 'FUZZY'",
    );
    expect(() => parseP4Info('{"tables": [')).toThrow(P4InfoParseError);
    expect(() => parseP4Info('tables { preamble { id: 1 } bogus: 3 }', 'text', 'x.txtpb')).toThrow(
      "x.txtpb:1:29: unknown field 'bogus' in p4.config.v1.Table",
    );
    expect(() => parseP4Info('tables { preamble { id: "one" } }', 'text')).toThrow('expected a number');
    expect(() => parseP4Info('tables { preamble { id: 1 }', 'text')).toThrow("expected '}'");
    expect(() => parseP4Info(Uint8Array.from([0x12, 0x05, 0x0a]), 'binary')).toThrow('not a binary P4Info');
  });

  it('loads text format (p4c .p4info.txtpb) with comments, escapes and maps', () => {
    const text = toTextFormat(p4.config.v1.P4Info.toObject(makeP4InfoMessage()) as Record<string, unknown>);
    expect(text).toContain('match_fields {');
    expect(text).toContain('match_type: EXACT');
    expect(text).toContain('structs {\n    key: "learn_t"');
    expect(encoded(parseP4Info(text, 'text'))).toBe(reference);
    expect(detectP4InfoFormat(text)).toBe('text');
  });

  it('parses the text-format grammar: separators, <> blocks, lists, escapes, adjacent strings', () => {
    const text = `
      # comment
      pkg_info { name: "a\\"b" 'c' ; arch: "v1\\155odel" }
      tables < preamble { id: 0x2000001, name: "t" annotations: ["@x", "@y"] } size: 12, is_const_table: true >
      actions: { preamble: { id: 16777217 name: "n\\x41" } }
    `;
    const info = parseP4Info(text, 'text');
    expect(info.pkgInfo?.name).toBe('a"bc');
    expect(info.pkgInfo?.arch).toBe('v1model');
    expect(info.tables[0].preamble?.id).toBe(0x2000001);
    expect(info.tables[0].preamble?.annotations).toEqual(['@x', '@y']);
    expect(info.tables[0].isConstTable).toBe(true);
    expect(Number(info.tables[0].size)).toBe(12);
    expect(info.actions[0].preamble?.name).toBe('nA');
    expect(parseTextFormat('a: 1 b { c: "x" }').fields.map((f) => f.name)).toEqual(['a', 'b']);
  });

  it('loads binary P4Info and files by extension', async () => {
    const bytes = p4.config.v1.P4Info.encode(makeP4Info()).finish();
    expect(encoded(parseP4Info(bytes))).toBe(reference);
    const dir = await mkdtemp(join(tmpdir(), 'p4info-'));
    const text = toTextFormat(p4.config.v1.P4Info.toObject(makeP4InfoMessage()) as Record<string, unknown>);
    await writeFile(join(dir, 'x.p4info.txtpb'), text);
    await writeFile(join(dir, 'x.p4info.bin'), bytes);
    await writeFile(
      join(dir, 'x.p4info.json'),
      JSON.stringify(p4.config.v1.P4Info.toObject(makeP4InfoMessage(), { enums: String, longs: String })),
    );
    for (const name of ['x.p4info.txtpb', 'x.p4info.bin', 'x.p4info.json'])
      expect(encoded(await loadP4Info(join(dir, name)))).toBe(reference);
  });
});
