// How the controller recognises a program it did not push: the P4Info the device serves must take
// everything the plan writes and the controller reads (src/controller/program-check.ts). Checked
// against the committed Tofino builds (tofino/tna, tofino/t2na), a DPL (BlueField) P4Info built from
// the core restricted to p4/dpl/main.p4's tables, and P4Infos changed by one field, width or table.

import { EntityCodec, loadP4Info, P4InfoIndex } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { beforeAll, describe, expect, it } from 'vitest';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { TOFINO_TARGETS, tofinoArtifactPath } from '../../src/artifacts/tofino.js';
import {
  type DeviceTarget,
  deviceTargets,
  entitiesForProfile,
  entitiesForProgram,
  intentForProfile,
  kindOfProgram,
  loadFabric,
  type PlannedEntity,
  PROFILES,
  planDevice,
  programMismatch,
} from '../../src/controller/index.js';
import { dplDeclarations, dplP4Info } from './dpl-p4info.js';
import { OVERLAY_EXAMPLE } from './helpers.js';

let core: P4InfoIndex;
let devices: DeviceTarget[];
beforeAll(async () => {
  core = new P4InfoIndex(await loadP4Info(programArtifactPath('p4infoJson')));
  devices = deviceTargets(loadFabric(OVERLAY_EXAMPLE));
});

/** What the controller plans for a device of the example fabric, as reconcileDevice plans it. */
function planFor(target: DeviceTarget, kind: 'bmv2' | 'bluefield', device: P4InfoIndex): PlannedEntity[] {
  const profile = PROFILES[kind];
  const intent = intentForProfile(profile, target.intent);
  return entitiesForProgram(
    device,
    entitiesForProfile(profile, device, intent, planDevice({ ...target, intent }).entities),
  );
}

/** A copy of a P4Info with one change. */
function changed(p4info: p4.config.v1.IP4Info, edit: (p: p4.config.v1.IP4Info) => void): P4InfoIndex {
  const copy = p4.config.v1.P4Info.decode(p4.config.v1.P4Info.encode(p4info).finish());
  edit(copy);
  return new P4InfoIndex(copy);
}
const named = <T extends { preamble?: p4.config.v1.IPreamble | null }>(
  list: T[] | null | undefined,
  suffix: string,
) => (list ?? []).find((o) => o.preamble?.name?.endsWith(suffix)) as T;

describe.each(TOFINO_TARGETS)('a device running the $name build (tofino/$name)', (target) => {
  let tofino: P4InfoIndex;
  beforeAll(async () => {
    tofino = new P4InfoIndex(await loadP4Info(tofinoArtifactPath(target, 'p4infoText')));
  });

  it('is accepted for every device of the example fabric (other ids, same names and widths)', () => {
    expect(tofino.tables.get('port_role').id).not.toBe(core.tables.get('port_role').id);
    for (const d of devices)
      expect(programMismatch(tofino, core, planFor(d, 'bmv2', tofino)), d.name).toBeUndefined();
  });

  it('is refused with the first mismatch named: a width, a table, a parameter, a counter, packet metadata', () => {
    const p4info = tofino.p4info;
    const entities = planFor(devices[0], 'bmv2', tofino);
    const cases: [(p: p4.config.v1.IP4Info) => void, string][] = [
      [
        (p) => {
          named(p.tables, 'tenant_by_vni').matchFields![0].bitwidth = 16;
        },
        'table VtepIngress.tunnel_termination.tenant_by_vni: match field vni is 16 bits, the VTEP writes 24',
      ],
      [
        (p) => {
          p.tables = p.tables!.filter((t) => !t.preamble?.name?.endsWith('uplink_mtu'));
        },
        "table VtepEgress.mtu_check.uplink_mtu: not in the device's program",
      ],
      [
        (p) => {
          named(p.tables, 'overlay_mac').matchFields![1].matchType = 4; // TERNARY
        },
        'table VtepIngress.overlay_forwarding.overlay_mac: match field dst_mac is ternary, the VTEP writes exact',
      ],
      [
        (p) => {
          const a = named(p.actions, 'set_tenant');
          a.params = a.params!.filter((x) => x.name !== 'unknown_security_id');
        },
        'action VtepIngress.tunnel_termination.set_tenant: no parameter unknown_security_id',
      ],
      [
        (p) => {
          named(p.actions, 'route_via').params!.find((x) => x.name === 'port')!.bitwidth = 8;
        },
        'action VtepIngress.tunnel_resolution.route_via: parameter port is 8 bits, the VTEP writes 9 or more',
      ],
      [
        (p) => {
          p.counters = p.counters!.filter((c) => !c.preamble?.name?.endsWith('tenant_to_network'));
        },
        "counter VtepEgress.tenant_to_network: not in the device's program",
      ],
      [
        (p) => {
          named(p.controllerPacketMetadata, 'packet_in').metadata!.find(
            (m) => m.name === 'reason',
          )!.bitwidth = 4;
        },
        'controller packet metadata packet_in: field reason is 4 bits, the VTEP writes 8',
      ],
    ];
    for (const [edit, message] of cases)
      expect(programMismatch(changed(p4info, edit), core, entities)).toBe(message);
  });

  it('takes port fields wider than the build the controller pushes (P4Runtime port ids)', () => {
    const wide = changed(tofino.p4info, (p) => {
      named(p.tables, 'port_role').matchFields![0].bitwidth = 32;
    });
    expect(programMismatch(wide, core, planFor(devices[0], 'bmv2', wide))).toBeUndefined();
  });
});

describe('a BlueField DPU running the DPL build (P4Info: the core restricted to p4/dpl/main.p4)', () => {
  let dpl: P4InfoIndex;
  beforeAll(() => {
    dpl = new P4InfoIndex(dplP4Info());
  });

  it('has the DPL tables: no replication, bum_policy, 32-bit ports', () => {
    const declared = dplDeclarations();
    // The P4Info is the core's restricted to what DPL declares: tables the DPL program mirrors from
    // issue 14 (ARP/ND suppression) are in it once the core has them too.
    const fromIssue14 = ['arp_answer', 'nd_answer', 'unknown_neighbor'];
    const expected = [...declared.tables].filter((t) => !fromIssue14.includes(t) || core.tables.find(t));
    expect([...dpl.tables].map((t) => t.alias).sort()).toEqual(expected.sort());
    expect(dpl.tables.find('flood_replica')).toBeUndefined();
    expect(dpl.tables.get('port_role').matchFields.get('port').bitwidth).toBe(32);
    expect(kindOfProgram(dpl.p4info)).toBe('bluefield');
  });

  it('is accepted for a kind: bluefield device, with bum_policy planned and every entry encodable', () => {
    for (const d of devices) {
      const entities = planFor({ ...d, kind: 'bluefield' }, 'bluefield', dpl);
      expect(entities.some((e) => e.kind === 'table' && e.table === 'bum_policy')).toBe(true);
      expect(entities.some((e) => e.kind !== 'table')).toBe(false);
      expect(programMismatch(dpl, core, entities), d.name).toBeUndefined();
      for (const e of entities)
        if (e.kind === 'table')
          new EntityCodec(dpl).tableEntry(e.table, {
            match: e.isDefaultAction ? undefined : e.match,
            action: e.action,
            params: e.params,
            ...(e.priority !== undefined ? { priority: e.priority } : {}),
            ...(e.isDefaultAction ? { isDefaultAction: true } : {}),
          });
    }
  });

  it('is refused for a bmv2 device, which plans flooding (the first missing table named)', () => {
    expect(programMismatch(dpl, core, planFor(devices[0], 'bmv2', dpl))).toMatch(
      /^table VtepEgress\.replication\.flood_replica: not in the device's program$|^table VtepIngress\.overlay_forwarding\.bum_flood: not in the device's program$/,
    );
  });
});
