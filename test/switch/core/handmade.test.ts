// Constructs the installed p4c does not emit (jumps inside actions, HeaderTooShort), per-packet
// atomicity, and load-time rejection of everything the engine does not implement.
import { describe, expect, it } from 'vitest';
import { Program } from '../../../src/switch/core/index.js';
import { ConfigError, Pipeline, SimpleSwitchEngine } from '../../../src/switch/v1model/index.js';
import {
  assign,
  buildProgram,
  expr,
  field,
  hexstr,
  STANDARD_METADATA_FIELDS,
} from '../helpers/json-builder.js';

function engineOf(json: Record<string, unknown>): SimpleSwitchEngine {
  return new SimpleSwitchEngine(Pipeline.load(JSON.stringify(json)), { clock: () => 0 });
}

const b2d = (cond: unknown) => expr('b2d', null, cond);

describe('hand-built programs', () => {
  it('_jump and _jump_if_zero implement branches and loops inside an action', () => {
    const a = field('h', 'a');
    const b = field('h', 'b');
    const c = field('h', 'c');
    const e = engineOf(
      buildProgram({
        primitives: [
          { op: '_jump_if_zero', parameters: [b2d(expr('==', a, hexstr(5))), hexstr(4)] },
          assign(b, hexstr(1)),
          { op: '_jump', parameters: [hexstr(5)] },
          assign(b, hexstr(2)),
          { op: '_jump_if_zero', parameters: [b2d(expr('!=', c, hexstr(0))), hexstr(9)] },
          assign(c, expr('&', expr('-', c, hexstr(1)), hexstr(0xffff))),
          assign(a, expr('&', expr('+', a, hexstr(1)), hexstr(0xff))),
          { op: '_jump', parameters: [hexstr(5)] },
        ],
      }),
    );
    const out = (bytes: number[]) => Array.from(e.processPacket(0, new Uint8Array(bytes)).outputs[0].bytes);
    expect(out([5, 0, 0, 3])).toEqual([8, 1, 0, 0]);
    expect(out([6, 0, 0, 0])).toEqual([6, 2, 0, 0]);
    expect(out([0xff, 9, 0, 2])).toEqual([1, 2, 0, 0]);
  });

  it('a failed assert produces no output at all and reports the error', () => {
    const e = engineOf(
      buildProgram({
        primitives: [
          assign(field('h', 'b'), hexstr(0x77)),
          { op: 'assert', parameters: [b2d(expr('!=', field('h', 'a'), hexstr(0)))] },
        ],
      }),
    );
    expect(e.processPacket(0, new Uint8Array([1, 0, 0, 0])).outputs.map((o) => Array.from(o.bytes))).toEqual([
      [1, 0x77, 0, 0],
    ]);
    const failed = e.processPacket(0, new Uint8Array([0, 0, 0, 0]));
    expect(failed.outputs).toEqual([]);
    expect(failed.packetIns).toEqual([]);
    expect(failed.error).toMatch(/Assert error/);
  });

  it('extract_VL: HeaderTooShort beyond max_length, ParserInvalidArgument for non-byte lengths', () => {
    const program = (lengthBits: number) =>
      buildProgram({
        headerTypes: [
          {
            name: 'v_t',
            id: 2,
            fields: [
              ['len', 8, false],
              ['data', '*'],
            ],
            max_length: 4,
          },
        ],
        headers: [{ name: 'v', id: 2, header_type: 'v_t', metadata: false }],
        parserOps: [
          { op: 'extract', parameters: [{ type: 'regular', value: 'h' }] },
          {
            op: 'extract_VL',
            parameters: [
              { type: 'regular', value: 'v' },
              { type: 'expression', value: hexstr(lengthBits) },
            ],
          },
        ],
        primitives: [assign(field('h', 'c'), field('standard_metadata', 'parser_error'))],
        order: ['h', 'v'],
      });
    const errorOf = (bits: number, frameLength: number) => {
      const r = engineOf(program(bits)).processPacket(0, new Uint8Array(frameLength).fill(0xab));
      return r.outputs[0].bytes[3];
    };
    expect(errorOf(24, 10)).toBe(0); // 1 + 3 bytes = max_length: fine
    expect(errorOf(32, 10)).toBe(4); // 5 bytes > max_length 4: HeaderTooShort
    expect(errorOf(32, 6)).toBe(1); // PacketTooShort is checked first
    expect(errorOf(12, 10)).toBe(6); // not a multiple of 8: ParserInvalidArgument
  });

  it('add_header zeroes the header and updates packet_length; remove_header too', () => {
    const e = engineOf(
      buildProgram({
        headerTypes: [{ name: 'x_t', id: 2, fields: [['x', 16, false]] }],
        headers: [{ name: 'x', id: 2, header_type: 'x_t', metadata: false }],
        primitives: [
          { op: 'add_header', parameters: [{ type: 'header', value: 'x' }] },
          assign(field('h', 'c'), field('standard_metadata', 'packet_length')),
        ],
        order: ['x', 'h'],
      }),
    );
    // packet_length in standard_metadata is the value at the start of ingress; the register used for
    // egress includes the 2 added bytes (checked through the output length).
    const r = e.processPacket(0, new Uint8Array([9, 9, 0, 0, 0xee]));
    expect(Array.from(r.outputs[0].bytes)).toEqual([0, 0, 9, 9, 0, 5, 0xee]);
  });

  it('stores wrap modulo the field width (negative constants into unsigned fields)', () => {
    const e = engineOf(
      buildProgram({
        primitives: [assign(field('h', 'a'), hexstr(-1)), assign(field('h', 'c'), hexstr(0x12345))],
      }),
    );
    expect(Array.from(e.processPacket(0, new Uint8Array(4)).outputs[0].bytes)).toEqual([0xff, 0, 0x23, 0x45]);
  });
});

describe('primitives p4c 1.2.4 does not emit for v1model', () => {
  const a = field('h', 'a');
  const b = field('h', 'b');
  const c = field('h', 'c');
  const out = (e: SimpleSwitchEngine, bytes: number[]) =>
    e.processPacket(0, new Uint8Array(bytes)).outputs.map((o) => Array.from(o.bytes));

  it('P4_14 arithmetic primitives wrap at the destination width', () => {
    const e = engineOf(
      buildProgram({
        primitives: [
          { op: 'add_to_field', parameters: [a, hexstr(10)] },
          { op: 'subtract_from_field', parameters: [b, hexstr(3)] },
          { op: 'add', parameters: [c, a, hexstr(0xfff0)] },
          { op: 'shift_left', parameters: [c, c, hexstr(4)] },
          { op: 'bit_xor', parameters: [a, a, hexstr(0xff)] },
          { op: 'bit_or', parameters: [b, b, hexstr(1)] },
          { op: 'bit_and', parameters: [b, b, hexstr(0x0f)] },
          { op: 'shift_right', parameters: [c, c, hexstr(8)] },
          { op: 'subtract', parameters: [a, a, hexstr(0xfc)] },
          { op: 'modify_field', parameters: [field('h', 'b'), expr('+', b, hexstr(1))] },
          { op: 'no_op', parameters: [] },
        ],
      }),
    );
    expect(out(e, [250, 1, 0, 0])).toEqual([[0xff, 0x10, 0x00, 0xff]]);
  });

  it('drop, assume and add_header_fast / copy_header', () => {
    expect(
      out(engineOf(buildProgram({ primitives: [{ op: 'drop', parameters: [] }] })), [1, 2, 3, 4]),
    ).toEqual([]);
    const assume = engineOf(
      buildProgram({ primitives: [{ op: 'assume', parameters: [b2d(expr('==', a, hexstr(1)))] }] }),
    );
    expect(assume.processPacket(0, new Uint8Array([2, 0, 0, 0])).error).toMatch(/Assume error/);
    const copy = engineOf(
      buildProgram({
        headers: [{ name: 'g', id: 2, header_type: 'h_t', metadata: false }],
        primitives: [
          { op: 'add_header_fast', parameters: [{ type: 'header', value: 'g' }] },
          {
            op: 'copy_header',
            parameters: [
              { type: 'header', value: 'g' },
              { type: 'header', value: 'h' },
            ],
          },
          assign(field('g', 'a'), hexstr(0x99)),
        ],
        order: ['h', 'g'],
      }),
    );
    expect(out(copy, [1, 2, 3, 4, 5])).toEqual([[1, 2, 3, 4, 0x99, 2, 3, 4, 5]]);
  });

  it('assign_VL copies the width and value of a variable-length field', () => {
    const e = engineOf(
      buildProgram({
        headerTypes: [
          {
            name: 'v_t',
            id: 2,
            fields: [
              ['len', 8, false],
              ['data', '*'],
            ],
            max_length: 9,
          },
        ],
        headers: [
          { name: 'v', id: 2, header_type: 'v_t', metadata: false },
          { name: 'w', id: 3, header_type: 'v_t', metadata: false },
        ],
        parserOps: [
          { op: 'extract', parameters: [{ type: 'regular', value: 'h' }] },
          {
            op: 'extract_VL',
            parameters: [
              { type: 'regular', value: 'v' },
              { type: 'expression', value: expr('<<', a, hexstr(3)) },
            ],
          },
        ],
        primitives: [
          { op: 'add_header', parameters: [{ type: 'header', value: 'w' }] },
          { op: 'assign_VL', parameters: [field('w', 'data'), field('v', 'data')] },
          assign(field('w', 'len'), expr('+', field('v', 'len'), hexstr(1))),
        ],
        order: ['h', 'v', 'w'],
      }),
    );
    expect(out(e, [2, 0, 0, 0, 7, 0xaa, 0xbb, 0xcc])).toEqual([
      [2, 0, 0, 0, 7, 0xaa, 0xbb, 8, 0xaa, 0xbb, 0xcc],
    ]);
  });

  it('assign_header_stack and assign_union copy validity, contents and the stack index', () => {
    const e = engineOf(
      buildProgram({
        headers: [
          { name: 's0', id: 2, header_type: 'h_t', metadata: false },
          { name: 's1', id: 3, header_type: 'h_t', metadata: false },
          { name: 't0', id: 4, header_type: 'h_t', metadata: false },
          { name: 't1', id: 5, header_type: 'h_t', metadata: false },
          { name: 'ua', id: 6, header_type: 'h_t', metadata: false },
          { name: 'ub', id: 7, header_type: 'h_t', metadata: false },
          { name: 'va', id: 8, header_type: 'h_t', metadata: false },
          { name: 'vb', id: 9, header_type: 'h_t', metadata: false },
        ],
        extra: {
          header_stacks: [
            { name: 's', id: 0, header_type: 'h_t', size: 2, header_ids: [2, 3] },
            { name: 't', id: 1, header_type: 'h_t', size: 2, header_ids: [4, 5] },
          ],
          header_union_types: [
            {
              name: 'u_t',
              id: 0,
              headers: [
                ['x', 'h_t'],
                ['y', 'h_t'],
              ],
            },
          ],
          header_unions: [
            { name: 'u', id: 0, union_type: 'u_t', header_ids: [6, 7] },
            { name: 'v', id: 1, union_type: 'u_t', header_ids: [8, 9] },
          ],
        },
        parserOps: [
          { op: 'extract', parameters: [{ type: 'regular', value: 'h' }] },
          { op: 'extract', parameters: [{ type: 'stack', value: 's' }] },
          { op: 'extract', parameters: [{ type: 'regular', value: 'ub' }] },
        ],
        primitives: [
          {
            op: 'assign_header_stack',
            parameters: [
              { type: 'header_stack', value: 't' },
              { type: 'header_stack', value: 's' },
            ],
          },
          {
            op: 'assign_union',
            parameters: [
              { type: 'header_union', value: 'v' },
              { type: 'header_union', value: 'u' },
            ],
          },
          // t.next was copied (1), so this appends after the copied element.
          { op: 'push', parameters: [{ type: 'header_stack', value: 't' }, hexstr(1)] },
          assign(
            field('h', 'a'),
            expr('b2d', null, expr('valid_union', null, { type: 'header_union', value: 'v' })),
          ),
          assign(field('h', 'b'), expr('size_stack', null, { type: 'header_stack', value: 't' })),
        ],
        order: ['h', 's0', 's1', 't0', 't1', 'ua', 'ub', 'va', 'vb'],
      }),
    );
    const frame = [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
    // h, s0, (t0 invalid after push), t1 = old t0, ub, vb (copy of ub).
    expect(out(e, frame)).toEqual([[1, 2, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8]]);
  });

  it("'ipv4' checksums and 'valid' match keys (P4_14 JSON forms)", () => {
    const ipv4Type = {
      name: 'ip_t',
      id: 2,
      fields: [
        ['vihl', 8, false],
        ['rest', 72, false],
        ['csum', 16, false],
        ['addrs', 64, false],
      ],
    };
    const program = buildProgram({
      headerTypes: [ipv4Type],
      headers: [{ name: 'ip', id: 2, header_type: 'ip_t', metadata: false }],
      parserOps: [
        { op: 'extract', parameters: [{ type: 'regular', value: 'h' }] },
        { op: 'extract', parameters: [{ type: 'regular', value: 'ip' }] },
      ],
      primitives: [assign(field('h', 'c'), field('standard_metadata', 'checksum_error'))],
      order: ['h', 'ip'],
      extra: { checksums: [{ name: 'ck', id: 0, target: ['ip', 'csum'], type: 'ipv4', if_cond: null }] },
    });
    const pipeline = (program.pipelines as { tables: Record<string, unknown>[] }[])[0];
    pipeline.tables[0].key = [{ match_type: 'valid', target: 'ip', mask: null }];
    pipeline.tables[0].max_size = 4;
    const e = engineOf(program);
    const ip = Uint8Array.from(Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex'));
    const r = e.processPacket(0, new Uint8Array([0, 0, 0, 0, ...ip]));
    // Verification fails (checksum 0 in the input), the update writes the right value (0xb861).
    expect(Array.from(r.outputs[0].bytes.subarray(0, 4))).toEqual([0, 0, 0, 1]);
    expect(Buffer.from(r.outputs[0].bytes.subarray(4)).toString('hex')).toBe(
      '45000073000040004011b861c0a80001c0a800c7',
    );
    expect(e.tableInfo('t').keys).toEqual([{ name: 'ip', matchKind: 'valid', width: 1 }]);
    e.addTableEntry('t', {
      match: [{ kind: 'valid', value: true }],
      action: { type: 'action', name: 'act', params: [] },
    });
    expect(e.readTableEntries('t').map((x) => x.match)).toEqual([[{ kind: 'valid', value: true }]]);
  });
});

describe('load-time rejection names the construct and its JSON path', () => {
  const load = (json: unknown) => () => Pipeline.load(JSON.stringify(json));
  const withAction = (p: unknown) => buildProgram({ primitives: [p] });

  it('unknown primitives and expression operators', () => {
    expect(load(withAction({ op: 'frobnicate', parameters: [] }))).toThrow(
      new ConfigError('$.actions[1].primitives[1]', "unsupported primitive 'frobnicate'").message,
    );
    expect(load(withAction(assign(field('h', 'a'), expr('<=>', hexstr(1), hexstr(2)))))).toThrow(
      /unsupported expression operator '<=>'/,
    );
    expect(
      load(withAction({ op: 'count', parameters: [{ type: 'counter_array', value: 'nope' }, hexstr(0)] })),
    ).toThrow(/\$\.actions\[1\]\.primitives\[1\]\.parameters\[0\]: unknown counter array 'nope'/);
    expect(load(withAction({ op: 'assign', parameters: [field('h', 'a')] }))).toThrow(
      /primitive 'assign' expects 2 parameter\(s\), got 1/,
    );
  });

  it("the core knows only bm_sim's primitives; v1model's loader adds simple_switch's", () => {
    const json = JSON.stringify(withAction({ op: 'modify_field', parameters: [field('h', 'a'), hexstr(1)] }));
    expect(() => Program.load(json)).toThrow(
      new ConfigError('$.actions[1].primitives[1]', "unsupported primitive 'modify_field'").message,
    );
    expect(Pipeline.load(json).actions.map((a) => a.name)).toContain('act');
    expect(load(withAction({ op: 'modify_field', parameters: [field('h', 'a')] }))).toThrow(
      /primitive 'modify_field' expects 2 parameter\(s\), got 1/,
    );
  });

  it('implicit bool/data conversions and writes to $valid$', () => {
    expect(load(withAction(assign(field('h', 'a'), expr('==', hexstr(1), hexstr(1)))))).toThrow(
      /expected an integer expression, got a bool/,
    );
    expect(load(withAction(assign(field('h', '$valid$'), hexstr(1))))).toThrow(/\$valid\$' is read-only/);
  });

  it('versions, externs, unknown top-level attributes, unknown algorithms', () => {
    expect(load(buildProgram({ extra: { __meta__: { version: [3, 0] } } }))).toThrow(
      /major version 3 is not supported/,
    );
    expect(load(buildProgram({ extra: { __meta__: { version: [2, 25] } } }))).toThrow(
      /2\.25 is newer than the supported 2\.24/,
    );
    expect(
      load(
        buildProgram({
          extra: { extern_instances: [{ name: 'e', id: 0, type: 'my_extern', attribute_values: [] }] },
        }),
      ),
    ).toThrow(/extern instances are not supported .* 'my_extern'/);
    expect(load(buildProgram({ extra: { tables_v2: [] } }))).toThrow(
      /\$\.tables_v2: unsupported top-level attribute 'tables_v2'/,
    );
    expect(
      load(buildProgram({ extra: { calculations: [{ name: 'c', id: 0, algo: 'random', input: [] }] } })),
    ).toThrow(/\$\.calculations\[0\]\.algo: unknown hash algorithm 'random'/);
    expect(() => Pipeline.load('{ not json')).toThrow(/\$: invalid JSON/);
  });

  it('missing simple_switch fields and malformed parsers/tables', () => {
    const noEgressPort = buildProgram();
    (noEgressPort.header_types as { fields: unknown[] }[])[0].fields = STANDARD_METADATA_FIELDS.filter(
      ([n]) => n !== 'egress_port',
    );
    expect(load(noEgressPort)).toThrow(/required field 'standard_metadata.egress_port' is missing/);

    const badTransition = buildProgram();
    const state = (badTransition.parsers as { parse_states: Record<string, unknown>[] }[])[0].parse_states[0];
    state.transition_key = [field('h', 'a')];
    state.transitions = [{ type: 'hexstr', value: '0x0001', mask: null, next_state: null }];
    expect(load(badTransition)).toThrow(/transition value\/mask has 2 bytes, expected 1/);

    const badOp = buildProgram({ parserOps: [{ op: 'teleport', parameters: [] }] });
    expect(load(badOp)).toThrow(
      /\$\.parsers\[0\]\.parse_states\[0\]\.parser_ops\[0\]: unsupported parser operation 'teleport'/,
    );

    const badTable = buildProgram();
    const table = (badTable.pipelines as { tables: Record<string, unknown>[] }[])[0].tables[0];
    table.action_ids = [42];
    expect(load(badTable)).toThrow(/table 't' refers to unknown action id 42/);

    const noParser = buildProgram();
    (noParser.parsers as { name: string }[])[0].name = 'other';
    expect(() => new SimpleSwitchEngine(Pipeline.load(JSON.stringify(noParser)))).toThrow(
      /needs a parser named 'parser'/,
    );
  });
});
