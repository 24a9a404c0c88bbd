/**
 * A P4Info for the DPL (BlueField) VTEP, which cannot be compiled here (dplp4c comes only in
 * NVIDIA's container): the core's P4Info (bmv2/) restricted to the tables and actions that
 * p4/dpl/main.p4 declares, with its port fields at DPL's 32 bits, and the one table only DPL has
 * (`bum_policy`: VNI -> `bum_to_controller` / `bum_drop`) as main.p4 declares it. No action
 * profiles: the core's ECMP route selectors have no DPL counterpart.
 * test/p4/dpl.test.ts checks those names and widths against p4test's P4Info of main.p4.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseP4Info } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { PACKAGE_ROOT, programArtifactPath } from '../../src/artifacts/program.js';

/** Port numbers are 32-bit P4 port ids on DPL (nv_logical_port_t), 9 bits on v1model. */
const DPL_PORT_BITS = 32;
const PORT_FIELDS = new Set(['port_role/port', 'vport_classification/port', 'uplink_mtu/port']);
const PORT_PARAMS = new Set(['to_local_vport/port', 'route_via/port']);

const lastName = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('.') + 1);

/** Names declared in the DPL source: `table NAME {` and `action NAME(`. */
export function dplDeclarations(): { tables: Set<string>; actions: Set<string> } {
  const source = readFileSync(join(PACKAGE_ROOT, 'p4', 'dpl', 'main.p4'), 'utf8').replace(
    /\/\*[\s\S]*?\*\/|\/\/.*$/gm,
    '',
  );
  return {
    tables: new Set([...source.matchAll(/\btable\s+(\w+)\s*\{/g)].map((m) => m[1])),
    actions: new Set([...source.matchAll(/\baction\s+(\w+)\s*\(/g)].map((m) => m[1])),
  };
}

export function dplP4Info(): p4.config.v1.IP4Info {
  const core = parseP4Info(
    readFileSync(programArtifactPath('p4infoJson'), 'utf8'),
    'json',
    'geneve_vtep.p4info.json',
  ) as p4.config.v1.IP4Info;
  const declared = dplDeclarations();
  const actions = (core.actions ?? [])
    .filter((a) => declared.actions.has(lastName(a.preamble?.name)))
    .map((a) => ({
      ...a,
      params: (a.params ?? []).map((p) =>
        PORT_PARAMS.has(`${lastName(a.preamble?.name)}/${p.name}`) ? { ...p, bitwidth: DPL_PORT_BITS } : p,
      ),
    }));
  const kept = new Set(actions.map((a) => a.preamble?.id));
  const tables = (core.tables ?? [])
    .filter((t) => declared.tables.has(lastName(t.preamble?.name)))
    // The DPU has no action profiles: its route tables call route_via directly (no ECMP selector).
    .map(({ implementationId: _, ...t }) => ({
      ...t,
      matchFields: (t.matchFields ?? []).map((f) =>
        PORT_FIELDS.has(`${lastName(t.preamble?.name)}/${f.name}`) ? { ...f, bitwidth: DPL_PORT_BITS } : f,
      ),
      actionRefs: (t.actionRefs ?? []).filter((r) => kept.has(r.id)),
    }));
  // The table only DPL has, as main.p4 declares it (key meta.vni: exact "vni", a vni_t).
  if (!declared.tables.has('bum_policy')) throw new Error('p4/dpl/main.p4 no longer declares bum_policy');
  const vniBits =
    tables.find((t) => lastName(t.preamble?.name) === 'tenant_by_vni')?.matchFields?.[0]?.bitwidth ?? 24;
  const bumActions = ['bum_to_controller', 'bum_drop'].map((name, i) => ({
    preamble: { id: 0x01dd0000 + i, name: `VtepIngress.overlay_forwarding.${name}`, alias: name },
    params: [],
  }));
  const bumPolicy = {
    preamble: { id: 0x02dd0000, name: 'VtepIngress.overlay_forwarding.bum_policy', alias: 'bum_policy' },
    matchFields: [{ id: 1, name: 'vni', bitwidth: vniBits, matchType: 2 /* EXACT */ }],
    actionRefs: bumActions.map((a) => ({ id: a.preamble.id })),
    size: 4096,
  };
  // fromObject: the spread copies above are plain objects; this makes them messages again.
  return p4.config.v1.P4Info.fromObject({
    ...core,
    tables: [...tables, bumPolicy],
    actions: [...actions, ...bumActions],
    actionProfiles: [],
  } as Parameters<typeof p4.config.v1.P4Info.fromObject>[0]);
}
