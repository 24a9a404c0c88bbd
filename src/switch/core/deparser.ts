/**
 * Deparsers and checksums (bmv2 deparser.cpp and checksums.cpp).
 *
 * Deparsing: update checksums, run the deparser's primitives, then emit the valid headers of `order`
 * followed by the unparsed payload.
 * Checksums: `generic` ones compute a calculation and compare/store it in the target field; `ipv4` ones
 * compute the Internet checksum of the IPv4 header with its checksum bytes zeroed. Verification is skipped
 * (counts as correct) when the target header is invalid or the `if_cond` is false; updates only check the
 * condition, as in bmv2.
 */
import type { ActionCompiler } from './actions.js';
import { BitSink } from './bits.js';
import { type CalculationDef, headerBits, writeHeader } from './calculation.js';
import type { CompileContext } from './context.js';
import type { Effect } from './data-nodes.js';
import { csum16 } from './hash.js';
import { JsonNode } from './json-reader.js';
import type { HeaderInfo } from './layout.js';
import type { ChecksumVerifier } from './parser.js';
import type { PacketState } from './state.js';

export interface CompiledDeparser {
  readonly name: string;
  /** Serialises the packet (headers + payload); the state keeps its PHV. */
  deparse(s: PacketState): Uint8Array;
  /** Checksum updates run first (filled by the loader). */
  readonly updaters: Effect[];
}

export function compileDeparser(
  ctx: CompileContext,
  actions: ActionCompiler,
  node: JsonNode,
): CompiledDeparser {
  const name = node.req('name').str();
  const order: HeaderInfo[] = node
    .req('order')
    .items()
    .map((h) => ctx.layout.header(h, h.str()));
  const prims = node.list('primitives').map((p) => actions.compileStandalone(p));
  const updaters: Effect[] = [];
  const fixed = order.map((h) => h.type.vlField < 0 && h.type.fixedBits % 8 === 0);
  return {
    name,
    updaters,
    deparse: (s) => {
      for (const u of updaters) u(s);
      for (const p of prims) p(s);
      let total = 0;
      for (let i = 0; i < order.length; i++) {
        const h = order[i];
        if (s.valid[h.index] === 1 || h.metadata) total += fixed[i] ? h.type.fixedBits : headerBits(s, h);
      }
      const headerBytes = total >> 3;
      const payload = s.data.subarray(s.payloadStart);
      const out = new Uint8Array(headerBytes + payload.length);
      const sink = new BitSink(out, 0);
      for (const h of order) {
        if (s.valid[h.index] === 1 || h.metadata) writeHeader(s, h, sink);
      }
      out.set(payload, headerBytes);
      return out;
    },
  };
}

export interface CompiledChecksum {
  readonly name: string;
  readonly update: boolean;
  readonly verify: boolean;
  readonly updater: Effect;
  readonly verifier: ChecksumVerifier;
}

/** Compiles `checksums[i]`. */
export function compileChecksum(
  ctx: CompileContext,
  node: JsonNode,
  calculation: (node: JsonNode, name: string) => CalculationDef,
): CompiledChecksum {
  const name = node.req('name').str();
  const type = node.req('type').str();
  const target = node.req('target');
  const lv = ctx.expr.lvalue(new JsonNode({ type: 'field', value: target.value }, target.path));
  const ref = ctx.layout.field(target, target.at(0).str(), target.at(1).str());
  const h = ref.header;
  const condNode = node.get('if_cond');
  const cond = condNode.isNull() ? undefined : ctx.expr.bool(condNode).fn;
  const update = node.boolOr('update', true);
  const verify = node.boolOr('verify', true);
  const valid = (s: PacketState): boolean => h.metadata || s.valid[h.index] === 1;
  const read = lv.read;
  if (type === 'generic') {
    const calc = calculation(node.req('calculation'), node.req('calculation').str());
    return {
      name,
      update,
      verify,
      updater: (s) => {
        if (cond && !cond(s)) return;
        lv.store(s, calc.output(s));
      },
      verifier: (s) => {
        if (!valid(s)) return true;
        if (cond && !cond(s)) return true;
        const computed = calc.output(s);
        // bmv2 compares the uint64 result with the field read as uint64.
        return computed === BigInt.asUintN(64, BigInt(read.fn(s)));
      },
    };
  }
  if (type === 'ipv4') {
    if (h.type.fixedBits < 96 || ref.field.width !== 16) {
      target.fail(
        `ipv4 checksum target must be a 16-bit field of an IPv4-like header (got '${h.name}.${ref.field.name}')`,
      );
    }
    const compute = (s: PacketState): number => {
      const buf = new Uint8Array(headerBits(s, h) >> 3);
      writeHeader(s, h, new BitSink(buf, 0));
      buf[10] = 0;
      buf[11] = 0;
      return csum16(buf);
    };
    return {
      name,
      update,
      verify,
      updater: (s) => {
        if (cond && !cond(s)) return;
        if (!valid(s)) return;
        lv.store(s, compute(s));
      },
      verifier: (s) => {
        if (!valid(s)) return true;
        if (cond && !cond(s)) return true;
        return compute(s) === Number(read.fn(s));
      },
    };
  }
  return node.fail(`unsupported checksum type '${type}'`);
}
