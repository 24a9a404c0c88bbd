// The project's Geneve VTEP program (bmv2/geneve_vtep.json + P4Info) through the server: push it,
// write entries of several kinds by P4Info name, read them back unchanged, and get PI's errors for
// a bad value and a default-action change on a table whose default is const.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseP4Info } from '../../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import {
  bytes,
  connect,
  hex,
  p4,
  read,
  type Stream,
  setPipeline,
  startTarget,
  type TestTarget,
  toNumber,
  UpdateType,
  uint128,
  writeUpdates,
} from './helpers.js';

let t: TestTarget;
let p4info: p4.config.v1.P4Info;
let primary: Stream;
const ELECTION = uint128(3n);

beforeAll(async () => {
  t = await startTarget();
  p4info = parseP4Info(readFileSync(programArtifactPath('p4infoJson'), 'utf8'), 'json');
  primary = (await connect(t.stub, 3n)).stream;
  const r = await setPipeline(t.stub, {
    electionId: ELECTION,
    action: p4.v1.SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT,
    config: { p4info, p4DeviceConfig: new Uint8Array(readFileSync(programArtifactPath('bmv2Json'))) },
  });
  expect(r.message).toBe('');
});
afterAll(async () => {
  primary.end();
  await t.stop();
});

function table(alias: string): p4.config.v1.ITable {
  const found = p4info.tables.find((x) => x.preamble?.alias === alias);
  if (!found) throw new Error(`no table ${alias}`);
  return found;
}

/** A TableEntry built by names: match field name -> FieldMatch, action alias and params by name. */
/** The entry with its direct action turned into a one-shot action set of that one action. */
function oneShot(e: p4.v1.IEntity): p4.v1.IEntity {
  const call = e.tableEntry?.action?.action;
  return {
    tableEntry: {
      ...e.tableEntry,
      action: { actionProfileActionSet: { actionProfileActions: [{ action: call, weight: 1 }] } },
    },
  };
}

function entry(
  tableAlias: string,
  match: Record<string, Omit<p4.v1.IFieldMatch, 'fieldId'>>,
  actionAlias: string,
  params: Record<string, number | bigint>,
  extra: Partial<p4.v1.ITableEntry> = {},
): p4.v1.IEntity {
  const t = table(tableAlias);
  const action = p4info.actions.find((a) => a.preamble?.alias === actionAlias)!;
  return {
    tableEntry: {
      tableId: t.preamble?.id,
      match: Object.entries(match).map(([name, m]) => ({
        fieldId: t.matchFields?.find((f) => f.name === name)?.id,
        ...m,
      })),
      action: {
        action: {
          actionId: action.preamble?.id,
          params: Object.entries(params).map(([name, v]) => ({
            paramId: action.params?.find((p) => p.name === name)?.id,
            value: bytes(v),
          })),
        },
      },
      ...extra,
    },
  };
}

describe('Geneve VTEP program', () => {
  it('accepts exact, LPM and ternary/range entries and reads them back as written', async () => {
    const written = [
      entry(
        'overlay_mac',
        { vni: { exact: { value: bytes(5000) } }, dst_mac: { exact: { value: bytes(0x020000000001n) } } },
        'to_local_vport',
        {
          port: 1,
          vport: 7,
          vlan_id: 20,
          security_id: 100,
        },
      ),
      // The route tables have an action selector (underlay ECMP): a one-shot action set.
      oneShot(
        entry(
          'underlay_route_ipv4',
          { remote_vtep: { lpm: { value: bytes(0x0a010000), prefixLen: 16 } } },
          'route_via',
          {
            port: 5,
            src_mac: 0x02aa00000001n,
            next_hop_mac: 0x02bb00000001n,
          },
        ),
      ),
      entry(
        'policy_rules',
        {
          vni: { exact: { value: bytes(5000) } },
          src_security_id: { ternary: { value: bytes(100), mask: bytes(0xffffffff) } },
          l4_dst_port: { range: { low: bytes(80), high: bytes(443) } },
        },
        'allow',
        {},
        { priority: 10 },
      ),
    ];
    const r = await writeUpdates(t.stub, UpdateType.INSERT, written, ELECTION);
    expect(r.errors.map((e) => e.message).filter(Boolean)).toEqual([]);
    expect(r.code).toBe(grpc.status.OK);
    for (const w of written) {
      const back = await read(t.stub, [{ tableEntry: { tableId: w.tableEntry?.tableId } }]);
      expect(back.entities).toHaveLength(1);
      // Compared as protobuf JSON (bytes base64, defaults omitted).
      const asJson = (e: p4.v1.ITableEntry) =>
        p4.v1.TableEntry.toObject(p4.v1.TableEntry.fromObject(e), { bytes: String, longs: String });
      expect(asJson(back.entities[0].tableEntry!)).toEqual(asJson(w.tableEntry!));
    }
    const counters = await read(t.stub, [
      { tableEntry: { tableId: table('policy_rules').preamble?.id, counterData: {} } },
    ]);
    expect(toNumber(counters.entities[0].tableEntry?.counterData?.packetCount)).toBe(0);
  });

  it('names the parameter and value that do not fit, and refuses changing a const default action', async () => {
    const bad = entry(
      'overlay_mac',
      { vni: { exact: { value: bytes(5001) } }, dst_mac: { exact: { value: bytes(2) } } },
      'to_local_vport',
      {
        port: 1,
        vport: 7,
        vlan_id: 0x1000,
        security_id: 1,
      },
    );
    const r = await writeUpdates(t.stub, UpdateType.INSERT, [bad], ELECTION);
    expect(r.errors[0].canonicalCode).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.errors[0].message).toContain('does not fit within 12 bits');
    expect(r.errors[0].message).toContain("parameter 'vlan_id'");
    expect(r.errors[0].message).toContain(hex(bytes(0x1000)));
    const portRole = table('port_role');
    const def = await writeUpdates(
      t.stub,
      UpdateType.MODIFY,
      [
        {
          tableEntry: {
            tableId: portRole.preamble?.id,
            isDefaultAction: true,
            action: { action: { actionId: portRole.constDefaultActionId } },
          },
        },
      ],
      ELECTION,
    );
    expect(def.errors[0].canonicalCode).toBe(grpc.status.PERMISSION_DENIED);
    expect(def.errors[0].message).toContain('port_role');
  });
});
