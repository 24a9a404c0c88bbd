/**
 * bmv2 "calculations": a list of inputs (fields, constants, whole headers, the payload) serialised
 * bit-by-bit into a byte string, then hashed. Inputs of invalid headers are skipped, exactly like bmv2's
 * BufBuilder; a trailing partial byte is zero-padded.
 */
import { BitSink, parseHexstr } from './bits.js';
import { createHashAlgorithm, type HashAlgorithm } from './hash.js';
import type { JsonNode } from './json-reader.js';
import type { HeaderInfo, Layout } from './layout.js';
import type { PacketState } from './state.js';

/** One serialised input: its width for this packet (0 = skipped) and a writer. */
interface InputPart {
  bits(s: PacketState): number;
  write(s: PacketState, sink: BitSink): void;
}

export interface CalculationDef {
  readonly name: string;
  /** Index of this calculation's hash instance in the runtime. */
  readonly index: number;
  readonly algorithm: string;
  /** Serialises the inputs for the current packet. */
  input(s: PacketState): Uint8Array;
  /** Computes the calculation for the current packet (uint64). */
  output(s: PacketState): bigint;
}

/** Validates an algorithm name at load time (the runtime creates its own stateful instance). */
export function checkAlgorithm(node: JsonNode, name: string): void {
  if (!createHashAlgorithm(name)) node.fail(`unknown hash algorithm '${name}'`);
}

export function instantiateAlgorithm(name: string): HashAlgorithm {
  const algo = createHashAlgorithm(name);
  if (!algo) throw new Error(`unknown hash algorithm '${name}'`);
  return algo;
}

function isValid(s: PacketState, h: HeaderInfo): boolean {
  return h.metadata || s.valid[h.index] === 1;
}

function fieldPart(layout: Layout, node: JsonNode): InputPart {
  const ref = layout.field(node, node.at(0).str(), node.at(1).str());
  const h = ref.header;
  const f = ref.field;
  const slot = layout.slot(ref);
  if (f.vl) {
    return {
      bits: (s) => (isValid(s, h) ? s.vlBits[h.index] : 0),
      write: (s, sink) => sink.pushBig(s.big[slot], s.vlBits[h.index]),
    };
  }
  const width = f.width;
  if (f.repr === 'num') {
    return {
      bits: (s) => (isValid(s, h) ? width : 0),
      write: (s, sink) => sink.pushNum(s.num[slot], width),
    };
  }
  return {
    bits: (s) => (isValid(s, h) ? width : 0),
    write: (s, sink) => sink.pushBig(s.big[slot], width),
  };
}

/** Serialised width of a header (fixed part plus current VL width). */
export function headerBits(s: PacketState, h: HeaderInfo): number {
  return h.type.fixedBits + (h.type.vlField >= 0 ? s.vlBits[h.index] : 0);
}

/** Appends a header's fields, in order, to a sink. */
export function writeHeader(s: PacketState, h: HeaderInfo, sink: BitSink): void {
  for (const f of h.type.fields) {
    if (f.vl) sink.pushBig(s.big[h.bigBase + f.poolOffset], s.vlBits[h.index]);
    else if (f.repr === 'num') sink.pushNum(s.num[h.numBase + f.poolOffset], f.width);
    else sink.pushBig(s.big[h.bigBase + f.poolOffset], f.width);
  }
}

function headerPart(layout: Layout, node: JsonNode): InputPart {
  const h = layout.header(node, node.str());
  return {
    bits: (s) => (isValid(s, h) ? headerBits(s, h) : 0),
    write: (s, sink) => writeHeader(s, h, sink),
  };
}

function constantPart(node: JsonNode): InputPart {
  const width = node.req('bitwidth').int();
  let value: bigint;
  try {
    value = parseHexstr(node.req('value').str());
  } catch (e) {
    return node.fail((e as Error).message);
  }
  return { bits: () => width, write: (_s, sink) => sink.pushBig(value, width) };
}

const payloadPart: InputPart = {
  bits: (s) => (s.data.length - s.payloadStart) * 8,
  write: (s, sink) => sink.pushBytes(s.data.subarray(s.payloadStart)),
};

/** Builds the serialiser for a list of calculation inputs (`calculations[].input` or selector inputs). */
export function compileInputs(layout: Layout, inputs: readonly JsonNode[]): (s: PacketState) => Uint8Array {
  const parts = inputs.map((inp): InputPart => {
    const type = inp.req('type').str();
    switch (type) {
      case 'field':
        return fieldPart(layout, inp.req('value'));
      case 'header':
        return headerPart(layout, inp.req('value'));
      case 'hexstr':
        return constantPart(inp);
      case 'payload':
        return payloadPart;
      default:
        return inp.fail(`unsupported calculation input type '${type}'`);
    }
  });
  return (s) => {
    let total = 0;
    const widths = new Array<number>(parts.length);
    for (let i = 0; i < parts.length; i++) {
      widths[i] = parts[i].bits(s);
      total += widths[i];
    }
    const buf = new Uint8Array((total + 7) >> 3);
    const sink = new BitSink(buf, 0);
    for (let i = 0; i < parts.length; i++) {
      if (widths[i] > 0) parts[i].write(s, sink);
    }
    sink.finish();
    return buf;
  };
}

/** Compiles `calculations[i]` of the JSON. */
export function compileCalculation(layout: Layout, node: JsonNode, index: number): CalculationDef {
  const name = node.req('name').str();
  const algorithm = node.req('algo').str();
  checkAlgorithm(node.get('algo'), algorithm);
  const input = compileInputs(layout, node.req('input').items());
  return {
    name,
    index,
    algorithm,
    input,
    output: (s) => s.rt.hashes[index].compute(input(s)),
  };
}
