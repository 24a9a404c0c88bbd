// Programs bmv2 and PI load although they stretch the formats: header field flags written as 0/1,
// a P4Info action the device config does not have (p4c leaves out an unused NoAction), and a match
// field on an `error`-typed key, which P4Info gives no bit width. Built in code: a bmv2 JSON from
// the json-builder skeleton and the P4Info describing it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, buildProgram, field, hexstr } from '../helpers/json-builder.js';
import {
  bytes,
  p4,
  read,
  setPipeline,
  startTarget,
  type TestTarget,
  UpdateType,
  writeUpdates,
} from './helpers.js';

const TABLE_ID = 33_554_433;
const ACT_ID = 16_777_217;
const NO_ACTION_ID = 16_777_218;

/** A table keyed on the parser error and h.a, whose action writes egress_spec. */
function deviceConfig(): Uint8Array {
  const json = buildProgram({
    // Signedness and saturation flags written as integers, as some compilers do.
    headerTypes: [
      {
        name: 'g_t',
        id: 2,
        fields: [
          ['x', 8, 0],
          ['y', 8, 1, 0],
        ],
      },
    ],
    headers: [{ name: 'g', id: 2, header_type: 'g_t', metadata: true, pi_omit: true }],
  });
  const actions = [
    {
      name: 'act',
      id: 1,
      runtime_data: [{ name: 'port', bitwidth: 9 }],
      primitives: [assign(field('standard_metadata', 'egress_spec'), { type: 'runtime_data', value: 0 })],
    },
  ];
  const pipelines = json.pipelines as Record<string, unknown>[];
  pipelines[0] = {
    ...pipelines[0],
    tables: [
      {
        name: 'ingress.t',
        id: 0,
        key: [
          {
            match_type: 'exact',
            name: 'standard_metadata.parser_error',
            target: ['standard_metadata', 'parser_error'],
            mask: null,
          },
          { match_type: 'exact', name: 'h.a', target: ['h', 'a'], mask: null },
        ],
        match_type: 'exact',
        type: 'simple',
        max_size: 16,
        with_counters: false,
        support_timeout: false,
        direct_meters: null,
        action_ids: [1],
        actions: ['act'],
        base_default_next: null,
        next_tables: { act: null },
        default_entry: {
          action_id: 1,
          action_const: false,
          action_data: [hexstr(0).value],
          action_entry_const: false,
        },
      },
    ],
    init_table: 'ingress.t',
  };
  return new TextEncoder().encode(JSON.stringify({ ...json, actions }));
}

function p4info(): p4.config.v1.IP4Info {
  return {
    pkgInfo: { arch: 'v1model' },
    tables: [
      {
        preamble: { id: TABLE_ID, name: 'ingress.t', alias: 't' },
        matchFields: [
          // An error-typed key: P4Info carries no bit width for it.
          {
            id: 1,
            name: 'standard_metadata.parser_error',
            bitwidth: 0,
            matchType: p4.config.v1.MatchField.MatchType.EXACT,
          },
          { id: 2, name: 'h.a', bitwidth: 8, matchType: p4.config.v1.MatchField.MatchType.EXACT },
        ],
        actionRefs: [{ id: ACT_ID }, { id: NO_ACTION_ID }],
        size: 16,
      },
    ],
    actions: [
      { preamble: { id: ACT_ID, name: 'act', alias: 'act' }, params: [{ id: 1, name: 'port', bitwidth: 9 }] },
      // In the P4Info, not in the device config.
      { preamble: { id: NO_ACTION_ID, name: 'NoAction', alias: 'NoAction' } },
    ],
  };
}

function entry(a: number, actionId: number, port?: number): p4.v1.IEntity {
  return {
    tableEntry: {
      tableId: TABLE_ID,
      match: [
        { fieldId: 1, exact: { value: bytes(0) } },
        { fieldId: 2, exact: { value: bytes(a) } },
      ],
      action: {
        action: { actionId, params: port === undefined ? [] : [{ paramId: 1, value: bytes(port) }] },
      },
    },
  };
}

let t: TestTarget;
beforeEach(async () => {
  t = await startTarget();
});
afterEach(async () => {
  await t.stop();
});

describe('programs bmv2 and PI accept', () => {
  it('loads them, and forwards by an entry keyed on the parser error', async () => {
    const set = await setPipeline(t.stub, {
      action: p4.v1.SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT,
      config: { p4info: p4info(), p4DeviceConfig: deviceConfig() },
    });
    expect(set.message).toBe('');
    expect((await writeUpdates(t.stub, UpdateType.INSERT, [entry(7, ACT_ID, 3)])).message).toBe('');
    const frame = new Uint8Array([7, 0, 0, 0, ...new Array(60).fill(0)]);
    expect(t.target.dataplane.process(1, frame).map((o) => o.port)).toEqual([3]);
    expect(
      t.target.dataplane.process(1, new Uint8Array([8, ...new Array(63).fill(0)])).map((o) => o.port),
    ).toEqual([0]);
    const entries = await read(t.stub, [{ tableEntry: { tableId: TABLE_ID } }]);
    expect(entries.entities.map((e) => [...(e.tableEntry?.match?.[1]?.exact?.value ?? [])])).toEqual([[7]]);
  });

  it('refuses a write naming the action the device config lacks, and nothing else', async () => {
    await setPipeline(t.stub, {
      action: p4.v1.SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT,
      config: { p4info: p4info(), p4DeviceConfig: deviceConfig() },
    });
    const result = await writeUpdates(t.stub, UpdateType.INSERT, [
      entry(1, NO_ACTION_ID),
      entry(2, ACT_ID, 4),
    ]);
    expect(result.errors.map((e) => e.canonicalCode)).toEqual([2, 0]);
    expect(result.errors[0].message).toMatch(/NoAction/);
  });
});
