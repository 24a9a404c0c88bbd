/**
 * simple_switch's primitives (targets/simple_switch/primitives.cpp), added to the core's by the
 * v1model loader: P4_14-style field arithmetic, validity, drop, clone, resubmit, recirculate,
 * digests, counters, meters, registers, random numbers, hashes and truncation.
 */
import { MAX_SAFE, type Value } from '../core/bits.js';
import type { CompileContext } from '../core/context.js';
import { asBig, asNum, type DataNode, type Effect, type HeaderNode, wrapMod } from '../core/data-nodes.js';
import { PacketProcessingError } from '../core/errors.js';
import type { ExprCompiler } from '../core/expr.js';
import type { JsonNode } from '../core/json-reader.js';
import type { StaticFieldRef } from '../core/layout.js';
import type { PrimitiveCall, PrimitiveCompiler, PrimitiveSet } from '../core/primitives.js';
import type { PacketState } from '../core/state.js';

const MIRROR_SESSION_MASK = 0x7fff;

function fail(message: string): never {
  throw new PacketProcessingError(message);
}

/** Compiler of a primitive taking `n` parameters, from one over (context, parameters, expressions). */
const withParams =
  (
    n: number,
    f: (ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler) => Effect,
  ): PrimitiveCompiler =>
  (call) => {
    call.want(n);
    return f(call.ctx, call.params, call.expr);
  };

const threeOperandOp =
  (op: string): PrimitiveCompiler =>
  (call) => {
    call.want(3);
    return threeOperand(call.ctx, op, call.params, call.expr);
  };

const validityOp =
  (op: string): PrimitiveCompiler =>
  (call) => {
    call.want(1);
    return validity(call.ctx, op, call.expr.header(call.params[0]));
  };

/** simple_switch's primitives by name. */
export const SIMPLE_SWITCH_PRIMITIVES: PrimitiveSet = new Map<string, PrimitiveCompiler>([
  ['modify_field', (call) => call.core('assign')],
  ['copy_header', (call) => call.core('assign_header')],
  ['add_to_field', (call) => addToField(call, 'add_to_field')],
  ['subtract_from_field', (call) => addToField(call, 'subtract_from_field')],
  ...['add', 'subtract', 'bit_and', 'bit_or', 'bit_xor', 'shift_left', 'shift_right'].map(
    (op): [string, PrimitiveCompiler] => [op, threeOperandOp(op)],
  ),
  ['add_header', validityOp('add_header')],
  ['add_header_fast', validityOp('add_header_fast')],
  ['remove_header', validityOp('remove_header')],
  [
    'mark_to_drop',
    (call) => {
      call.want(1);
      return markToDrop(call.ctx, call.expr.header(call.params[0]), call.params[0]);
    },
  ],
  [
    'drop',
    (call) => {
      call.want(0);
      return drop(call.ctx, call.node);
    },
  ],
  [
    'no_op',
    (call) => {
      call.want(0);
      return () => {};
    },
  ],
  ['modify_field_rng_uniform', withParams(3, rngUniform)],
  ['modify_field_with_hash_based_offset', withParams(4, hashOffset)],
  ['count', withParams(2, count)],
  ['execute_meter', withParams(3, executeMeter)],
  ['register_read', withParams(3, registerRead)],
  ['register_write', withParams(3, registerWrite)],
  ['generate_digest', withParams(2, generateDigest)],
  ['clone_ingress_pkt_to_egress', withParams(2, clone)],
  ['clone_egress_pkt_to_egress', withParams(2, clone)],
  [
    'resubmit',
    (call) => {
      call.want(1);
      return resubmitOrRecirculate(call.ctx, 'resubmit', call.params[0], call.expr);
    },
  ],
  [
    'recirculate',
    (call) => {
      call.want(1);
      return resubmitOrRecirculate(call.ctx, 'recirculate', call.params[0], call.expr);
    },
  ],
  ['truncate', truncate],
]);

function addToField(call: PrimitiveCall, op: string): Effect {
  call.want(2);
  const { expr, params } = call;
  const dst = expr.lvalue(params[0]);
  const a = asBig(dst.read);
  const b = asBig(expr.data(params[1]));
  const sign = op === 'add_to_field' ? 1n : -1n;
  return (s) => dst.store(s, a(s) + sign * b(s));
}

function truncate(call: PrimitiveCall): Effect {
  call.want(1);
  const len = asBig(call.expr.data(call.params[0]));
  return (s) => {
    const l = Number(BigInt.asUintN(64, len(s)));
    if (l < s.truncateLength) s.truncateLength = l;
  };
}

function validity(ctx: CompileContext, op: string, h: HeaderNode): Effect {
  const ops = ctx.headerOps;
  const hf = h.fn;
  if (op === 'add_header_fast') return (s) => ops.markValid(s, hf(s));
  if (op === 'add_header') {
    return (s) => {
      const idx = hf(s);
      if (!ops.isValid(s, idx)) {
        ops.reset(s, idx);
        ops.markValid(s, idx);
        s.packetLength += ops.nbytes(s, idx);
      }
    };
  }
  return (s) => {
    const idx = hf(s);
    if (ops.isValid(s, idx)) {
      s.packetLength -= ops.nbytes(s, idx);
      ops.markInvalid(s, idx);
    }
  };
}

function markToDrop(ctx: CompileContext, h: HeaderNode, where: JsonNode): Effect {
  const idx = h.type.fieldIndex.get('egress_spec');
  if (idx === undefined) {
    return where.fail(`mark_to_drop: header type '${h.type.name}' has no 'egress_spec' field`);
  }
  const specField = h.type.fields[idx];
  const mcastIdx = h.type.fieldIndex.get('mcast_grp');
  const mcastField = mcastIdx === undefined ? undefined : h.type.fields[mcastIdx];
  const layout = ctx.layout;
  const hf = h.fn;
  const specMask = specField.width >= 32 ? 0xffffffff : 2 ** specField.width - 1;
  return (s) => {
    const hi = layout.headers[hf(s)];
    const port = s.rt.dropPort;
    if (specField.repr === 'num') s.num[hi.numBase + specField.poolOffset] = (port & specMask) >>> 0;
    else s.big[hi.bigBase + specField.poolOffset] = BigInt(port);
    if (mcastField) {
      if (mcastField.repr === 'num') s.num[hi.numBase + mcastField.poolOffset] = 0;
      else s.big[hi.bigBase + mcastField.poolOffset] = 0n;
    }
  };
}

/** simple_switch's `drop`: egress_spec to the drop port and, where the program has it, mcast_grp to 0. */
function drop(ctx: CompileContext, node: JsonNode): Effect {
  const egressSpec = ctx.layout.findField('standard_metadata.egress_spec');
  const mcastGrp = ctx.layout.findField('intrinsic_metadata.mcast_grp');
  if (!egressSpec) return node.fail("'drop' needs field standard_metadata.egress_spec");
  const layout = ctx.layout;
  const specSlot = layout.slot(egressSpec);
  const mcastSlot = mcastGrp ? layout.slot(mcastGrp) : -1;
  const specWidth = egressSpec.field.width;
  return (s) => {
    storeStatic(s, egressSpec, specSlot, BigInt.asUintN(specWidth, BigInt(s.rt.dropPort)));
    if (mcastGrp) storeStatic(s, mcastGrp, mcastSlot, 0n);
  };
}

function threeOperand(
  _ctx: CompileContext,
  op: string,
  params: readonly JsonNode[],
  expr: ExprCompiler,
): Effect {
  const dst = expr.lvalue(params[0]);
  const a = asBig(expr.data(params[1]));
  const b = asBig(expr.data(params[2]));
  const compute = (x: bigint, y: bigint): bigint => {
    switch (op) {
      case 'add':
        return x + y;
      case 'subtract':
        return x - y;
      case 'bit_and':
        return x & y;
      case 'bit_or':
        return x | y;
      case 'bit_xor':
        return x ^ y;
      case 'shift_left':
        if (y < 0n) fail(`negative shift amount ${y}`);
        return y > BigInt(dst.width + 64) ? 0n : x << y;
      default:
        if (y < 0n) fail(`negative shift amount ${y}`);
        return x >> y;
    }
  };
  return (s) => dst.store(s, compute(a(s), b(s)));
}

function rngUniform(_ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const dst = expr.lvalue(params[0]);
  const lo = asBig(expr.data(params[1]));
  const hi = asBig(expr.data(params[2]));
  return (s) => {
    const l = BigInt.asUintN(64, lo(s));
    const h = BigInt.asUintN(64, hi(s));
    if (l > h) {
      s.note('warning', 'random result is not specified when lo > hi');
      return;
    }
    dst.store(s, s.rt.rng.uniform(l, h));
  };
}

function hashOffset(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const dst = expr.lvalue(params[0]);
  const base = asBig(expr.data(params[1]));
  if (params[2].req('type').str() !== 'calculation') params[2].fail('expected a calculation');
  const calc = ctx.calculation(params[2], params[2].req('value').str());
  const size = asBig(expr.data(params[3]));
  return (s) => {
    const b = BigInt.asUintN(64, base(s));
    let sz = BigInt.asUintN(64, size(s));
    if (sz === 0n) {
      s.note('warning', 'hash max given as 0, but treating it as 1');
      sz = 1n;
    }
    dst.store(s, BigInt.asUintN(64, (calc.output(s) % sz) + b));
  };
}

function arrayName(_ctx: CompileContext, node: JsonNode, type: string): string {
  if (node.req('type').str() !== type) node.fail(`expected a parameter of type '${type}'`);
  return node.req('value').str();
}

function count(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const def = ctx.counter(params[0], arrayName(ctx, params[0], 'counter_array'));
  if (def.direct) params[0].fail(`count on direct counter '${def.name}' is not allowed`);
  const idx = indexFn(expr.data(params[1]));
  const ci = def.index;
  const size = def.size;
  const name = def.name;
  return (s) => {
    const i = idx(s);
    if (i >= size) {
      s.note(
        'warning',
        `Attempted to update counter '${name}' with size ${size} at out-of-bounds index ${i}. No counters were updated.`,
      );
      return;
    }
    s.rt.counters[ci].increment(i, s.ingressLength);
  };
}

function executeMeter(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const def = ctx.meter(params[0], arrayName(ctx, params[0], 'meter_array'));
  const idx = indexFn(expr.data(params[1]));
  const dst = expr.lvalue(params[2]);
  const mi = def.index;
  const size = def.size;
  const name = def.name;
  const bytes = def.unit === 'bytes';
  return (s) => {
    const i = idx(s);
    if (i >= size) {
      s.note(
        'warning',
        `Attempted to update meter '${name}' with size ${size} at out-of-bounds index ${i}. No meters were updated, and neither was dest field.`,
      );
      return;
    }
    const color = s.rt.meters[mi].cells[i].execute(bytes ? s.ingressLength : 1, s.rt.now());
    dst.store(s, color);
  };
}

function registerRead(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const dst = expr.lvalue(params[0]);
  const def = ctx.register(params[1], arrayName(ctx, params[1], 'register_array'));
  const idx = indexFn(expr.data(params[2]));
  const ri = def.index;
  const size = def.size;
  const name = def.name;
  return (s) => {
    const i = idx(s);
    if (i >= size) {
      s.note(
        'warning',
        `Attempted to read register '${name}' with size ${size} at out-of-bounds index ${i}. Dest field was not updated.`,
      );
      return;
    }
    dst.store(s, s.rt.registers[ri].cells[i] as Value);
  };
}

function registerWrite(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const def = ctx.register(params[0], arrayName(ctx, params[0], 'register_array'));
  const idx = indexFn(expr.data(params[1]));
  const src = expr.dataMod(params[2], def.width);
  const ri = def.index;
  const size = def.size;
  const name = def.name;
  if (src.kind === 'num') {
    const f = src.fn;
    return (s) => {
      const i = idx(s);
      if (i >= size) {
        s.note(
          'warning',
          `Attempted to write register '${name}' with size ${size} at out-of-bounds index ${i}. No register array elements were updated.`,
        );
        return;
      }
      const cells = s.rt.registers[ri].cells;
      if (cells instanceof Float64Array) cells[i] = f(s);
      else cells[i] = BigInt(f(s));
    };
  }
  const f = src.fn;
  return (s) => {
    const i = idx(s);
    if (i >= size) {
      s.note(
        'warning',
        `Attempted to write register '${name}' with size ${size} at out-of-bounds index ${i}. No register array elements were updated.`,
      );
      return;
    }
    s.rt.registers[ri].write(i, f(s));
  };
}

function generateDigest(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  // The receiver argument is ignored by simple_switch; the learn list id must name a learn list.
  expr.data(params[0]);
  const id = constantOf(expr, params[1], 'generate_digest learn list id');
  const list = ctx.learnList(params[1], Number(BigInt.asUintN(16, id)));
  const listId = list.id;
  return (s) => {
    s.learnList = listId;
  };
}

function clone(ctx: CompileContext, params: readonly JsonNode[], expr: ExprCompiler): Effect {
  const session = asBig(expr.data(params[0]));
  const fl = expr.data(params[1]);
  if (fl.constant !== undefined) ctx.fieldList(params[1], Number(BigInt.asUintN(16, fl.constant)));
  const flf = asBig(fl);
  return (s) => {
    s.cloneSession = Number(BigInt.asUintN(16, session(s))) & MIRROR_SESSION_MASK;
    s.cloneFieldList = Number(BigInt.asUintN(16, flf(s)));
  };
}

function resubmitOrRecirculate(ctx: CompileContext, op: string, param: JsonNode, expr: ExprCompiler): Effect {
  const fl = expr.data(param);
  if (fl.constant !== undefined) ctx.fieldList(param, Number(BigInt.asUintN(16, fl.constant)));
  const f = asBig(fl);
  if (op === 'resubmit') {
    return (s) => {
      s.resubmitFieldList = Number(BigInt.asUintN(16, f(s)));
    };
  }
  return (s) => {
    s.recirculateFieldList = Number(BigInt.asUintN(16, f(s)));
  };
}

function constantOf(expr: ExprCompiler, node: JsonNode, what: string): bigint {
  const n = expr.data(node);
  if (n.constant === undefined) node.fail(`${what} must be a constant`);
  return n.constant;
}
/** Index operand as a non-negative number (bmv2 reads it as an unsigned int). */
function indexFn(n: DataNode): (s: PacketState) => number {
  const m = n.min < 0n || n.max > MAX_SAFE ? wrapMod(n, 32) : n;
  return asNum(m);
}
function storeStatic(s: PacketState, ref: StaticFieldRef, slot: number, v: bigint): void {
  if (ref.field.repr === 'num') s.num[slot] = Number(v);
  else s.big[slot] = v;
}
