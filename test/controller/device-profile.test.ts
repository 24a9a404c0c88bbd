// What the controller does differently per device kind (device-profile.ts), without a device:
// detection from the program, planning without replication, BUM policy entries, capacity N-1.

import { P4InfoIndex, type p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import {
  bumPolicyEntries,
  capacityProblems,
  connectOptionsForKind,
  deriveFabric,
  entitiesForProfile,
  entitiesForProgram,
  fabricSchema,
  intentForProfile,
  kindOfProgram,
  type PlannedEntity,
  PROFILES,
  planFabric,
  vtepProgram,
} from '../../src/controller/index.js';
import { exampleFabric } from './helpers.js';

const tables = (...names: string[]): p4.config.v1.IP4Info => ({
  tables: names.map((name, i) => ({ preamble: { id: i + 1, name } })),
});

const exampleIntent = (bumPolicy: 'drop' | 'controller' = 'drop') => {
  const raw = exampleFabric();
  const fabric = fabricSchema.parse({
    ...raw,
    tenants: raw.tenants.map((t, i) => ({ ...t, bumPolicy: i === 0 ? bumPolicy : 'drop' })),
  });
  return deriveFabric(fabric).devices[0].intent;
};

describe('device kind', () => {
  it('is BlueField for the DPL VTEP (bum_policy, no flood_replica), unknown otherwise', async () => {
    expect(
      kindOfProgram(tables('VtepIngress.overlay_forwarding.bum_policy', 'VtepIngress.tenant_by_vni')),
    ).toBe('bluefield');
    expect(kindOfProgram((await vtepProgram()).p4info)).toBeUndefined();
    expect(
      kindOfProgram(
        tables('VtepIngress.overlay_forwarding.bum_policy', 'VtepEgress.replication.flood_replica'),
      ),
    ).toBeUndefined();
    expect(kindOfProgram(undefined)).toBeUndefined();
  });

  it('is read from the fabric file, with the tenants’ BUM policy', () => {
    const raw = exampleFabric();
    raw.devices[0].kind = 'bluefield';
    const fabric = fabricSchema.parse({
      ...raw,
      tenants: [{ ...raw.tenants[0], bumPolicy: 'controller' }, raw.tenants[1]],
    });
    expect(fabric.devices.map((d) => d.kind)).toEqual(['bluefield', undefined]);
    expect(fabric.tenants.map((t) => t.bumPolicy)).toEqual(['controller', 'drop']);
    expect(() => fabricSchema.parse({ ...raw, devices: [{ ...raw.devices[0], kind: 'tofino' }] })).toThrow(
      /bmv2|bluefield/,
    );
  });

  it('connects to a DPU without arbitration, election id or role', () => {
    const connect = { address: 'a:1', deviceId: 1, electionId: 5n, role: 'r', waitForPrimary: true };
    expect(connectOptionsForKind('bmv2', connect)).toBe(connect);
    expect(connectOptionsForKind('bluefield', connect)).toEqual({
      address: 'a:1',
      deviceId: 1,
      arbitrate: false,
    });
  });
});

describe('planning for a BlueField DPU', () => {
  it('plans no multicast group, clone session or flood entry', async () => {
    const intent = exampleIntent();
    const index = new P4InfoIndex((await vtepProgram()).p4info);
    const bmv2 = planFabric(intent).entities;
    const kinds = (es: PlannedEntity[]) => [
      ...new Set(es.map((e) => (e.kind === 'table' ? e.table : e.kind))),
    ];
    expect(kinds(bmv2)).toEqual(
      expect.arrayContaining(['multicastGroup', 'cloneSession', 'flood_replica', 'bum_flood']),
    );
    expect(intentForProfile(PROFILES.bmv2, intent)).toBe(intent);
    const dpuIntent = intentForProfile(PROFILES.bluefield, intent);
    const dpu = entitiesForProfile(PROFILES.bluefield, index, dpuIntent, planFabric(dpuIntent).entities);
    for (const gone of ['multicastGroup', 'cloneSession', 'flood_replica', 'bum_flood'])
      expect(kinds(dpu)).not.toContain(gone);
    // Everything else is the same plan; the v1model program has no bum_policy, so none is added.
    const rest = bmv2.filter(
      (e) => e.kind === 'table' && e.table !== 'flood_replica' && e.table !== 'bum_flood',
    );
    expect(dpu).toEqual(rest);
  });

  it('on the v1model program (the DPU emulation), sends a controller tenant’s BUM to the controller through bum_flood', async () => {
    const intent = exampleIntent('controller');
    const index = new P4InfoIndex((await vtepProgram()).p4info);
    const dpuIntent = intentForProfile(PROFILES.bluefield, intent);
    const dpu = entitiesForProfile(PROFILES.bluefield, index, dpuIntent, planFabric(dpuIntent).entities);
    // One entry, for blue (green drops BUM: bum_flood's default, destination_unknown).
    expect(dpu.filter((e) => e.kind === 'table' && e.table === 'bum_flood')).toEqual([
      {
        kind: 'table',
        table: 'bum_flood',
        match: { vni: 5000 },
        action: 'bum_to_controller',
        params: {},
        owner: 'tenant blue, BUM to the controller',
      },
    ]);
  });

  it('adds one bum_policy entry per tenant when the program has the table (the DPL VTEP)', () => {
    const intent = exampleIntent('controller');
    const dplLike = new P4InfoIndex({
      tables: [
        {
          preamble: { id: 1, name: 'VtepIngress.overlay_forwarding.bum_policy', alias: 'bum_policy' },
          matchFields: [{ id: 1, name: 'vni', bitwidth: 24, matchType: 2 }],
          actionRefs: [{ id: 11 }, { id: 12 }],
          size: 4096,
        },
      ],
      actions: [
        {
          preamble: {
            id: 11,
            name: 'VtepIngress.overlay_forwarding.bum_to_controller',
            alias: 'bum_to_controller',
          },
        },
        { preamble: { id: 12, name: 'VtepIngress.overlay_forwarding.bum_drop', alias: 'bum_drop' } },
      ],
    });
    const entries = entitiesForProfile(PROFILES.bluefield, dplLike, intent, []);
    expect(entries).toEqual(bumPolicyEntries(intent));
    expect(entries.map((e) => e.kind === 'table' && `${e.match.vni} ${e.action} ${e.owner}`)).toEqual([
      '5000 bum_to_controller tenant blue, BUM to the controller',
      '6000 bum_drop tenant green, BUM dropped',
    ]);
  });

  it('holds a table of size N to N-1 entries', async () => {
    const index = new P4InfoIndex((await vtepProgram()).p4info);
    const size = index.tables.get('tenant_by_vni').size;
    const planned = (n: number): PlannedEntity[] =>
      Array.from({ length: n }, (_, vni) => ({
        kind: 'table',
        table: 'tenant_by_vni',
        match: { vni: vni + 1 },
        action: 'set_tenant',
        params: {},
      }));
    expect(capacityProblems(index, planned(size))).toEqual([]);
    expect(capacityProblems(index, planned(size - 1), PROFILES.bluefield)).toEqual([]);
    expect(capacityProblems(index, planned(size), PROFILES.bluefield)).toEqual([
      `table tenant_by_vni: ${size} entries planned, a BlueField table of size ${size} holds ${size - 1}`,
    ]);
  });
});

describe('fitting a plan to the program (entitiesForProgram)', () => {
  it('gives the plan its own list back when the program takes every entity as planned', async () => {
    const index = new P4InfoIndex((await vtepProgram()).p4info);
    // (bmv2's program has no value set: the plan's is the one entity it would leave out.)
    const planned = planFabric(exampleIntent()).entities.filter((e) => e.kind !== 'valueSet');
    const copy = [...planned];
    expect(entitiesForProgram(index, planned)).toBe(planned);
    expect(planned).toEqual(copy);
  });

  it('copies from the first entity it drops or changes, the plan left as it was', () => {
    const index = new P4InfoIndex({
      tables: [
        {
          preamble: { id: 1, name: 'VtepIngress.routes', alias: 'routes' },
          matchFields: [{ id: 1, name: 'remote_vtep', bitwidth: 32, matchType: 2 }],
          actionRefs: [{ id: 11 }],
          size: 64,
        },
      ],
      actions: [{ preamble: { id: 11, name: 'VtepIngress.route_via', alias: 'route_via' } }],
    });
    const route = (n: number, withSet: boolean): PlannedEntity => ({
      kind: 'table',
      table: 'routes',
      match: { remote_vtep: n },
      action: 'route_via',
      params: { port: n },
      ...(withSet ? { actionSet: [{ params: { port: n }, weight: 1 }] } : {}),
      owner: `route ${n}`,
    });
    const arp: PlannedEntity = {
      kind: 'table',
      table: 'arp_answer',
      match: { ip: 1 },
      action: 'answer',
      params: {},
      owner: 'neighbor',
    };
    const foreign: PlannedEntity = { ...arp, table: 'mystery', owner: 'foreign' };
    const planned = [route(1, false), route(2, false), arp, route(3, true), foreign, route(4, false)];
    const copy = structuredClone(planned);
    const fitted = entitiesForProgram(index, planned);
    expect(fitted).not.toBe(planned);
    // The optional table the program lacks is left out, a table it lacks otherwise is kept (the
    // program check then names it), the action set becomes a direct call without a selector.
    expect(fitted).toEqual([route(1, false), route(2, false), route(3, false), foreign, route(4, false)]);
    expect(planned).toEqual(copy);
  });
});
