// The BlueField (DPL) VTEP, p4/dpl/main.p4, against what can be checked without NVIDIA's compiler:
// it passes p4c's front and mid end (p4test) with our description of the DOCA architecture, and the
// tables, actions, counters and packet metadata the controller uses keep the core's P4Info names and
// widths (bmv2/geneve_vtep.p4info.json), apart from the differences listed here and in
// docs/BLUEFIELD.md. p4test comes from the project's toolchain (. /opt/p4tools/env.sh); CI installs
// it and sets P4_TOOLCHAIN_REQUIRED=1, so there its absence is a failure; a clone without it skips.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { p4 } from '../../src/p4runtime/generated/p4runtime.js';
import { parseP4Info } from '../../src/p4runtime/p4info/load.js';

const REPO = join(import.meta.dirname, '..', '..');
const DPL_MAIN = join(REPO, 'p4', 'dpl', 'main.p4');
const CORE_P4INFO = join(REPO, 'bmv2', 'geneve_vtep.p4info.json');
const TOOLCHAIN_BIN = '/opt/p4tools/p4/bin';

function findP4test(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), TOOLCHAIN_BIN];
  return dirs
    .filter((d) => d.length > 0)
    .map((d) => join(d, 'p4test'))
    .find((p) => existsSync(p));
}

const P4TEST = findP4test();
// .ci/run sets it when ../shared/toolchain is there: then a missing p4test is a failure, not a skip.
const REQUIRED = process.env.P4_TOOLCHAIN_REQUIRED === '1';

/** Port numbers: 32-bit P4 port ids on DPL, PORT_BITS (9) on v1model. The controller sizes them from the P4Info. */
const DPL_PORT_BITS = 32;
const PORT_FIELDS = new Set([
  'VtepIngress.port_classification.port_role/port',
  'VtepIngress.port_classification.vport_classification/port',
  'VtepEgress.mtu_check.uplink_mtu/port',
  'VtepIngress.overlay_forwarding.to_local_vport/port',
  'VtepIngress.tunnel_resolution.route_via/port',
]);
/** Replication has no DPL counterpart: no PacketReplicationEngineEntry on the DPL P4Runtime server. */
const CORE_ONLY_TABLES = ['VtepIngress.overlay_forwarding.bum_flood', 'VtepEgress.replication.flood_replica'];
const CORE_ONLY_ACTIONS = [
  'VtepIngress.overlay_forwarding.flood',
  'VtepEgress.replication.replica_to_vport',
  'VtepEgress.replication.replica_to_tunnel_ipv4',
  'VtepEgress.replication.replica_to_tunnel_ipv6',
  'VtepEgress.replication.unknown_replica',
  'VtepIngress.tunnel_termination.strip_tunnel',
];
/**
 * Issue 14 (docs/DATAPLANE.md rules 20-22) in the core and not (yet) in p4/dpl/main.p4: neighbor
 * suppression, the security option recognized at run time, the ECMP route selectors. Whatever the
 * DPL program mirrors leaves these lists.
 */
const ISSUE_14_CORE_ONLY_TABLES = [
  'VtepIngress.tunnel_termination.security_option_recognition',
  'VtepIngress.neighbor_suppression.arp_answer',
  'VtepIngress.neighbor_suppression.nd_answer',
  'VtepIngress.neighbor_suppression.unknown_neighbor',
];
const ISSUE_14_CORE_ONLY_ACTIONS = [
  'VtepIngress.tunnel_termination.recognize_security_option',
  'VtepIngress.tunnel_termination.return_tunnel_ipv4',
  'VtepIngress.tunnel_termination.return_tunnel_ipv6',
  'VtepIngress.neighbor_suppression.answer_arp',
  'VtepIngress.neighbor_suppression.answer_neighbor_solicitation',
  'VtepIngress.neighbor_suppression.target_unknown',
  'VtepIngress.neighbor_suppression.flood_unknown_neighbor',
  'VtepIngress.neighbor_suppression.drop_unknown_neighbor',
  'VtepIngress.neighbor_reply.arp_reply',
  'VtepIngress.neighbor_reply.neighbor_advertisement',
];
const ISSUE_14_CORE_ONLY_COUNTERS = ['VtepIngress.tenant_neighbor_answers'];
/** The core's route tables have a selector and no default action; the DPL ones keep no_route. */
const ISSUE_14_DPL_ONLY_ACTIONS = ['VtepIngress.tunnel_resolution.no_route'];
CORE_ONLY_TABLES.push(...ISSUE_14_CORE_ONLY_TABLES);
CORE_ONLY_ACTIONS.push(...ISSUE_14_CORE_ONLY_ACTIONS);

/** What a VNI does with BUM frames on a DPU (ARP/ND are answered by the controller). */
const DPL_ONLY_TABLES = ['VtepIngress.overlay_forwarding.bum_policy'];
const DPL_ONLY_ACTIONS = [
  'VtepIngress.overlay_forwarding.bum_to_controller',
  'VtepIngress.overlay_forwarding.bum_drop',
  ...ISSUE_14_DPL_ONLY_ACTIONS,
];

let work: string;
let dpl: p4.config.v1.P4Info;
let core: p4.config.v1.P4Info;
let preprocessed: string;
let compileOutput: string;

beforeAll(() => {
  if (!P4TEST) return;
  work = mkdtempSync(join(tmpdir(), 'dpl-p4test-'));
  const out = join(work, 'dpl.p4info.json');
  const run = spawnSync(P4TEST, ['-DDPL_ARCH_OURS', DPL_MAIN, '--p4runtime-files', out], {
    encoding: 'utf8',
  });
  compileOutput = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`p4test failed on p4/dpl/main.p4:\n${compileOutput}`);
  dpl = parseP4Info(readFileSync(out, 'utf8'), 'json', 'dpl.p4info.json');
  core = parseP4Info(readFileSync(CORE_P4INFO, 'utf8'), 'json', 'geneve_vtep.p4info.json');
  preprocessed = execFileSync(P4TEST, ['-DDPL_ARCH_OURS', '-E', DPL_MAIN], { encoding: 'utf8' });
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('finds p4test where CI installs it (CI must not skip the DPL checks)', () => {
  if (REQUIRED)
    expect(P4TEST, 'p4test not found: .ci/run installs the toolchain from ../shared/toolchain').toBeDefined();
});

const names = <T extends { preamble?: p4.config.v1.IPreamble | null }>(
  list: T[] | null | undefined,
): string[] => (list ?? []).map((o) => o.preamble?.name ?? '').sort();

function byName<T extends { preamble?: p4.config.v1.IPreamble | null }>(
  list: T[] | null | undefined,
): Map<string, T> {
  return new Map((list ?? []).map((o) => [o.preamble?.name ?? '', o]));
}

function actionNames(info: p4.config.v1.IP4Info, table: p4.config.v1.ITable): string[] {
  const ids = new Map((info.actions ?? []).map((a) => [a.preamble?.id, a.preamble?.name]));
  return (table.actionRefs ?? []).map((r) => ids.get(r.id) ?? `#${r.id}`).sort();
}

function expectedWidth(owner: string, field: string, coreWidth: number): number {
  return PORT_FIELDS.has(`${owner}/${field}`) ? DPL_PORT_BITS : coreWidth;
}

describe.skipIf(!P4TEST)('p4/dpl/main.p4 with our DOCA architecture description', () => {
  it('passes p4test without errors', () => {
    expect(compileOutput).not.toMatch(/error/i);
    expect(dpl.tables?.length).toBeGreaterThan(10);
  });

  it('has every table of the core except replication, and only the BUM policy besides', () => {
    const coreTables = names(core.tables);
    const dplTables = names(dpl.tables);
    expect(coreTables.filter((n) => !dplTables.includes(n))).toEqual([...CORE_ONLY_TABLES].sort());
    expect(dplTables.filter((n) => !coreTables.includes(n))).toEqual([...DPL_ONLY_TABLES].sort());
  });

  it('has every action of the core except flooding, and only the BUM actions besides', () => {
    const coreActions = names(core.actions);
    const dplActions = names(dpl.actions);
    expect(coreActions.filter((n) => !dplActions.includes(n))).toEqual([...CORE_ONLY_ACTIONS].sort());
    expect(dplActions.filter((n) => !coreActions.includes(n))).toEqual([...DPL_ONLY_ACTIONS].sort());
  });

  it('keeps match fields (names, kinds, widths), sizes and action sets of shared tables', () => {
    const dplTables = byName(dpl.tables);
    for (const t of core.tables ?? []) {
      const name = t.preamble?.name ?? '';
      const d = dplTables.get(name);
      if (!d) continue;
      const fields = (info: p4.config.v1.ITable, widthOf: (f: p4.config.v1.IMatchField) => number) =>
        (info.matchFields ?? []).map((f) => `${f.name}:${f.matchType}:${widthOf(f)}`);
      expect(
        fields(d, (f) => f.bitwidth ?? 0),
        name,
      ).toEqual(fields(t, (f) => expectedWidth(name, f.name ?? '', f.bitwidth ?? 0)));
      expect(String(d.size), `${name} size`).toBe(String(t.size));
      // A table with an action selector (the core's routes) lists p4c's implicit NoAction default.
      const coreActions = actionNames(core, t).filter(
        (a) => !CORE_ONLY_ACTIONS.includes(a) && !(t.implementationId && a === 'NoAction'),
      );
      expect(
        actionNames(dpl, d).filter((a) => !DPL_ONLY_ACTIONS.includes(a)),
        `${name} actions`,
      ).toEqual(coreActions);
    }
  });

  it('keeps action parameters (names, widths) of shared actions', () => {
    const dplActions = byName(dpl.actions);
    for (const a of core.actions ?? []) {
      const name = a.preamble?.name ?? '';
      const d = dplActions.get(name);
      if (!d) continue;
      expect(
        (d.params ?? []).map((p) => `${p.name}:${p.bitwidth}`),
        name,
      ).toEqual(
        (a.params ?? []).map((p) => `${p.name}:${expectedWidth(name, p.name ?? '', p.bitwidth ?? 0)}`),
      );
    }
  });

  it('declares table sizes that the DPL runtime accepts (powers of two below 2^23)', () => {
    for (const t of dpl.tables ?? []) {
      const size = Number(t.size);
      expect(Number.isInteger(Math.log2(size)) && size < 2 ** 23, `${t.preamble?.name} size ${size}`).toBe(
        true,
      );
    }
  });

  // p4test's P4Info knows only v1model/PSA externs, so DPL counters and controller metadata are read
  // from the preprocessed source (macros expanded).
  it('keeps the indexed counters (names and sizes)', () => {
    const body = preprocessed.slice(preprocessed.indexOf('control VtepIngress('));
    const counters = [
      ...body.matchAll(
        /(?:@name\("\.?([\w.]+)"\)\s*)?NvCounter<\w+>\((\d+),\s*NvCounterType\.\w+\)\s+(\w+)\s*;/g,
      ),
    ].map(([, named, size, local]) => `${named ?? `VtepIngress.${local}`}:${size}`);
    expect(counters.sort()).toEqual(
      (core.counters ?? [])
        .filter((c) => !ISSUE_14_CORE_ONLY_COUNTERS.includes(c.preamble?.name ?? ''))
        .map((c) => `${c.preamble?.name}:${c.size}`)
        .sort(),
    );
    expect(preprocessed).toMatch(/NvDirectCounter\(NvCounterType\.PACKETS_AND_BYTES\) policy_rule_hits;/);
    expect(preprocessed).toMatch(/direct_counter = policy_rule_hits;/);
    expect(names(core.directCounters)).toEqual(['VtepEgress.policy.policy_rule_hits']);
  });

  it('keeps packet_in and packet_out metadata (names, widths), within DPL 32-bit controller metadata', () => {
    const typedefs = new Map(
      [...preprocessed.matchAll(/typedef\s+bit<(\d+)>\s+(\w+)\s*;/g)].map(([, w, n]) => [n, Number(w)]),
    );
    const widthOf = (type: string): number => {
      const bit = /^bit<(\d+)>$/.exec(type);
      return bit ? Number(bit[1]) : (typedefs.get(type) ?? Number.NaN);
    };
    for (const kind of ['packet_in', 'packet_out']) {
      const struct = new RegExp(
        `@nv_controller_metadata\\("${kind}"\\)\\s*struct\\s+\\w+\\s*\\{([^}]*)\\}`,
      ).exec(preprocessed);
      expect(struct, `${kind} struct`).not.toBeNull();
      const fields = [...(struct?.[1] ?? '').matchAll(/([\w<>]+)\s+(\w+)\s*;/g)].map(
        ([, type, name]) => `${name}:${widthOf(type)}`,
      );
      const coreMeta = (core.controllerPacketMetadata ?? []).find((m) => m.preamble?.name === kind);
      expect(fields, kind).toEqual((coreMeta?.metadata ?? []).map((m) => `${m.name}:${m.bitwidth}`));
      expect(fields.reduce((sum, f) => sum + Number(f.split(':')[1]), 0)).toBeLessThanOrEqual(32);
    }
  });

  it('includes of the core only constants.p4 (headers.p4 has a header stack, which DPL lacks)', () => {
    const includes = [...readFileSync(DPL_MAIN, 'utf8').matchAll(/#include\s+"([^"]+)"/g)].map((m) => m[1]);
    expect(includes).toEqual(['arch/dpl_arch_ours.p4', '../include/constants.p4']);
    const withoutComments = (file: string) =>
      readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
    for (const file of [DPL_MAIN, join(REPO, 'p4', 'include', 'constants.p4')]) {
      expect(withoutComments(file), file).not.toMatch(/header_union|varbit|\w+\s*\[\s*\w+\s*\]\s+\w+\s*;/);
    }
  });
});
