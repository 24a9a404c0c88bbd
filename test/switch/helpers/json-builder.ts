// Builds small bmv2 JSON documents in code, for constructs that the installed p4c does not emit
// (e.g. `_jump`) and for load-time rejection tests. The skeleton has the simple_switch
// standard_metadata, one data header `h` (fields a:8, b:8, c:16), an ingress pipeline running one
// action through a keyless table, an empty egress, and a parser extracting `h`.

export interface BuildOptions {
  /** Primitives of the action run by ingress. */
  readonly primitives?: readonly unknown[];
  /** Runtime data of that action. */
  readonly runtimeData?: readonly { name: string; bitwidth: number }[];
  /** Parser ops of the start state (default: extract h). */
  readonly parserOps?: readonly unknown[];
  /** Extra header types / headers. */
  readonly headerTypes?: readonly unknown[];
  readonly headers?: readonly unknown[];
  /** Deparser order (default: ["h"]). */
  readonly order?: readonly string[];
  /** Arbitrary top-level additions/overrides. */
  readonly extra?: Record<string, unknown>;
}

export const STANDARD_METADATA_FIELDS: [string, number][] = [
  ['ingress_port', 9],
  ['egress_spec', 9],
  ['egress_port', 9],
  ['instance_type', 32],
  ['packet_length', 32],
  ['enq_timestamp', 32],
  ['enq_qdepth', 19],
  ['deq_timedelta', 32],
  ['deq_qdepth', 19],
  ['ingress_global_timestamp', 48],
  ['egress_global_timestamp', 48],
  ['mcast_grp', 16],
  ['egress_rid', 16],
  ['checksum_error', 1],
  ['parser_error', 32],
  ['priority', 3],
  ['_padding', 3],
];

export function field(header: string, name: string): { type: 'field'; value: [string, string] } {
  return { type: 'field', value: [header, name] };
}

export function hexstr(v: number | bigint): { type: 'hexstr'; value: string } {
  const n = BigInt(v);
  return { type: 'hexstr', value: n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}` };
}

export function expr(
  op: string,
  left: unknown,
  right: unknown,
  cond?: unknown,
): { type: 'expression'; value: Record<string, unknown> } {
  return { type: 'expression', value: { op, left, right, ...(cond ? { cond } : {}) } };
}

export function assign(dst: unknown, src: unknown): { op: string; parameters: unknown[] } {
  return { op: 'assign', parameters: [dst, src] };
}

export function buildProgram(o: BuildOptions = {}): Record<string, unknown> {
  const actions = [
    { name: 'NoAction', id: 0, runtime_data: [], primitives: [] },
    {
      name: 'act',
      id: 1,
      runtime_data: o.runtimeData ?? [],
      primitives: [assign(field('standard_metadata', 'egress_spec'), hexstr(1)), ...(o.primitives ?? [])],
    },
  ];
  return {
    __meta__: { version: [2, 23], compiler: 'test/switch/helpers/json-builder.ts' },
    header_types: [
      { name: 'standard_metadata', id: 0, fields: STANDARD_METADATA_FIELDS },
      {
        name: 'h_t',
        id: 1,
        fields: [
          ['a', 8, false],
          ['b', 8, false],
          ['c', 16, false],
        ],
      },
      ...(o.headerTypes ?? []),
    ],
    headers: [
      { name: 'standard_metadata', id: 0, header_type: 'standard_metadata', metadata: true, pi_omit: true },
      { name: 'h', id: 1, header_type: 'h_t', metadata: false, pi_omit: true },
      ...(o.headers ?? []),
    ],
    header_stacks: [],
    header_union_types: [],
    header_unions: [],
    header_union_stacks: [],
    field_lists: [],
    errors: [
      ['NoError', 0],
      ['PacketTooShort', 1],
      ['NoMatch', 2],
      ['StackOutOfBounds', 3],
      ['HeaderTooShort', 4],
      ['ParserTimeout', 5],
      ['ParserInvalidArgument', 6],
    ],
    enums: [],
    parsers: [
      {
        name: 'parser',
        id: 0,
        init_state: 'start',
        parse_states: [
          {
            name: 'start',
            id: 0,
            parser_ops: o.parserOps ?? [{ op: 'extract', parameters: [{ type: 'regular', value: 'h' }] }],
            transitions: [{ type: 'default', value: null, mask: null, next_state: null }],
            transition_key: [],
          },
        ],
      },
    ],
    parse_vsets: [],
    deparsers: [{ name: 'deparser', id: 0, order: o.order ?? ['h'], primitives: [] }],
    meter_arrays: [],
    counter_arrays: [],
    register_arrays: [],
    calculations: [],
    learn_lists: [],
    actions,
    pipelines: [
      {
        name: 'ingress',
        id: 0,
        init_table: 't',
        tables: [
          {
            name: 't',
            id: 0,
            key: [],
            match_type: 'exact',
            type: 'simple',
            max_size: 1,
            with_counters: false,
            support_timeout: false,
            direct_meters: null,
            action_ids: [1],
            actions: ['act'],
            base_default_next: null,
            next_tables: { act: null },
            default_entry: {
              action_id: 1,
              action_const: true,
              action_data: (o.runtimeData ?? []).map(() => '0x0'),
              action_entry_const: true,
            },
          },
        ],
        action_profiles: [],
        conditionals: [],
      },
      { name: 'egress', id: 1, init_table: null, tables: [], action_profiles: [], conditionals: [] },
    ],
    checksums: [],
    force_arith: [],
    extern_instances: [],
    field_aliases: [],
    ...(o.extra ?? {}),
  };
}
