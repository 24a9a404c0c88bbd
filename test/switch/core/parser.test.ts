import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/switch/v1model/index.js';
import { concat, fixtureEngine, type HeaderLayout, pack, unpack } from '../helpers/fixtures.js';
import { ETHERNET, ipv4Frame, mplsFrame, unionStackPacket } from '../helpers/scenarios.js';

const REPORT: HeaderLayout = [
  ['parser_error', 32],
  ['labels', 8],
  ['opt_bytes', 8],
  ['peek', 16],
  ['vset_hit', 8],
  ['last_label_ttl', 8],
];

function report(bytes: Uint8Array, port = 1) {
  const e = fixtureEngine('parser_ops');
  const r = e.processPacket(port, bytes);
  expect(r.error).toBeUndefined();
  expect(r.outputs).toHaveLength(1);
  return { report: unpack(REPORT, r.outputs[0].bytes), out: r.outputs[0].bytes.subarray(10) };
}

// parser_ops.p4 maps errors to: 0 NoError, 1 PacketTooShort, 2 StackOutOfBounds, 3 BadVersion,
// 4 HeaderTooShort, 5 ParserInvalidArgument.
describe('parser (parser_ops.p4)', () => {
  const ip = ipv4Frame({ dst: 0x01020304 }).subarray(14);

  it('extracts a header stack in a loop and selects on the last element', () => {
    const labels = [
      { label: 10, ttl: 7 },
      { label: 20, ttl: 6 },
      { label: 30, ttl: 5 },
    ];
    const { report: r, out } = report(mplsFrame(labels, ip));
    expect(r).toMatchObject({ parser_error: 0n, labels: 3n, last_label_ttl: 5n });
    // Deparsing reproduces the packet exactly.
    expect(Buffer.from(out)).toEqual(Buffer.from(mplsFrame(labels, ip)));
  });

  it('reports StackOutOfBounds when the stack is full, keeping the extracted elements', () => {
    const labels = [1, 2, 3, 4, 5].map((n) => ({ label: n, ttl: n }));
    const frame = mplsFrame(labels, ip);
    const { report: r, out } = report(frame);
    expect(r).toMatchObject({ parser_error: 2n, labels: 4n, last_label_ttl: 4n });
    expect(Buffer.from(out)).toEqual(Buffer.from(frame));
  });

  it('selects on a lookahead after the stack', () => {
    expect(report(mplsFrame([{ label: 1, ttl: 1 }], ip)).report.opt_bytes).toBe(0n);
    // Not IPv4 behind the label (version 6): accept without parsing further.
    const { report: r } = report(mplsFrame([{ label: 1, ttl: 1 }], new Uint8Array([0x60, 1, 2])));
    expect(r).toMatchObject({ parser_error: 0n, labels: 1n });
  });

  it('extracts varbit options with a computed length', () => {
    const opts = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const { report: r, out } = report(ipv4Frame({ dst: 1, options: opts }));
    expect(r).toMatchObject({ parser_error: 0n, opt_bytes: 8n });
    expect(Buffer.from(out)).toEqual(Buffer.from(ipv4Frame({ dst: 1, options: opts })));
    // ihl = 3: (3 - 5) * 32 wraps (bit<16>) to 65472 bits; bmv2 checks the packet length before
    // max_length, so this is PacketTooShort rather than HeaderTooShort.
    expect(report(ipv4Frame({ dst: 1, ihl: 3 })).report.parser_error).toBe(1n);
    const long = ipv4Frame({ dst: 1, options: new Uint8Array(40) });
    expect(report(long).report).toMatchObject({ parser_error: 0n, opt_bytes: 40n });
  });

  it('verify() raises the program error; bmv2 continues into ingress with it', () => {
    const { report: r, out } = report(ipv4Frame({ dst: 1, version: 6 }));
    expect(r.parser_error).toBe(3n);
    // ipv4 was extracted before verify failed; options were not.
    expect(Buffer.from(out)).toEqual(Buffer.from(ipv4Frame({ dst: 1, version: 6 })));
  });

  it('PacketTooShort on truncated headers; the unparsed bytes stay as payload', () => {
    const frame = ipv4Frame({ dst: 1 }).subarray(0, 20);
    const { report: r, out } = report(frame);
    expect(r.parser_error).toBe(1n);
    expect(Buffer.from(out)).toEqual(Buffer.from(frame));
    expect(report(new Uint8Array([1, 2, 3])).report.parser_error).toBe(1n);
  });

  it('advance skips bytes; lookahead into a set reads without consuming', () => {
    const tagFrame = concat(pack(ETHERNET, { etherType: 0x88b5 }), new Uint8Array([0xaa, 0xbb, 7, 9, 0xcc]));
    const { report: r, out } = report(tagFrame);
    expect(r.parser_error).toBe(0n);
    // The two skipped bytes are dropped by the deparser (they are not in any header).
    expect(Buffer.from(out)).toEqual(
      Buffer.from(concat(pack(ETHERNET, { etherType: 0x88b5 }), new Uint8Array([7, 9, 0xcc]))),
    );
    const peekFrame = concat(pack(ETHERNET, { etherType: 0x1234 }), new Uint8Array([0xbe, 0xef, 1]));
    expect(report(peekFrame).report).toMatchObject({ parser_error: 0n, peek: 0xbeefn });
    expect(
      report(concat(pack(ETHERNET, { etherType: 0x1234 }), new Uint8Array([0xbe]))).report.parser_error,
    ).toBe(1n);
  });

  it('value sets: members are matched by the select, managed through the API', () => {
    const e = fixtureEngine('parser_ops');
    const frame = concat(pack(ETHERNET, { etherType: 0x9999 }), new Uint8Array(4));
    const hit = () => unpack(REPORT, e.processPacket(1, frame).outputs[0].bytes).vset_hit;
    expect(hit()).toBe(0n);
    expect(e.valueSetInfo('MyParser.special_types')).toEqual({ fieldWidths: [16], maxSize: 4 });
    e.setValueSet('MyParser.special_types', [[0x9999n], [0x1111n]]);
    expect(hit()).toBe(1n);
    expect(e.getValueSet('MyParser.special_types')).toEqual([[0x9999n], [0x1111n]]);
    // Explicit cases listed before the value set still win.
    e.setValueSet('MyParser.special_types', [[0x0800n]]);
    expect(unpack(REPORT, e.processPacket(1, ipv4Frame({ dst: 1 })).outputs[0].bytes).vset_hit).toBe(0n);
    expect(() => e.setValueSet('MyParser.special_types', [[0x10000n]])).toThrow(EngineError);
    expect(() => e.setValueSet('MyParser.special_types', [[1n], [2n], [3n], [4n], [5n]])).toThrow(
      /at most 4/,
    );
    expect(() => e.setValueSet('nope', [])).toThrow(/unknown value set/);
  });
});

describe('header union stacks (union_stack.p4)', () => {
  const run = (bytes: Uint8Array) => {
    const r = fixtureEngine('union_stack').processPacket(0, bytes);
    expect(r.error).toBeUndefined();
    return Array.from(r.outputs[0].bytes);
  };

  it('extracts union members into consecutive stack elements and reports member validity', () => {
    // Element 1 holds a `b`: last_kind = 0xb1; the packet is re-emitted unchanged otherwise.
    expect(run(unionStackPacket(0, [1, 2, 1]))).toEqual([0, 0xb1, 1, 0x10, 2, 0x21, 0x31, 1, 0x12, 0xee]);
    expect(run(unionStackPacket(0, [2, 1]))).toEqual([0, 0xa1, 2, 0x20, 0x30, 1, 0x11, 0xee]);
  });

  it('stops with StackOutOfBounds after three elements (the fourth stays payload)', () => {
    expect(run(unionStackPacket(0, [1, 1, 1, 1]))).toEqual([
      0, 0xa1, 1, 0x10, 1, 0x11, 1, 0x12, 1, 0x13, 0xee,
    ]);
  });

  it('pop_front shifts union elements; bmv2 does not invalidate the vacated slot', () => {
    // After pop_front(1) the elements are [e1, e2, e0]: HeaderUnion::mark_invalid is a no-op in bmv2.
    expect(run(unionStackPacket(1, [1, 2, 1]))).toEqual([1, 0xb1, 2, 0x21, 0x31, 1, 0x12, 1, 0x10, 0xee]);
  });

  it('assigns one union element to another member by member', () => {
    expect(run(unionStackPacket(2, [1, 2, 2]))).toEqual([
      2, 0xb1, 2, 0x22, 0x32, 2, 0x21, 0x31, 2, 0x22, 0x32, 0xee,
    ]);
  });
});

describe('whole union-stack and union assignment (lowered by p4c to assign_header)', () => {
  it('copies every element and member, validity included', () => {
    const r = fixtureEngine('union_stack').processPacket(0, unionStackPacket(3, [1, 2]));
    // us (2 valid elements) is followed by its copy us2.
    expect(Array.from(r.outputs[0].bytes)).toEqual([
      3, 0xb1, 1, 0x10, 2, 0x21, 0x31, 1, 0x10, 2, 0x21, 0x31, 0xee,
    ]);
    const single = fixtureEngine('union_stack').processPacket(0, unionStackPacket(4, [1, 2]));
    expect(Array.from(single.outputs[0].bytes)).toEqual([
      4, 0xb1, 1, 0x10, 2, 0x21, 0x31, 2, 0x21, 0x31, 0xee,
    ]);
  });
});
