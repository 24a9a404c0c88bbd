/**
 * Compiles bmv2 actions (and the primitive calls of parsers and deparsers) into closures.
 *
 * Supported primitives (every other name is rejected at load time):
 * - core: assign, assign_VL, assign_header, assign_union, assign_header_stack, assign_union_stack, push,
 *   pop, exit, assert, assume, log_msg, _jump, _jump_if_zero;
 * - simple_switch: modify_field, add_to_field, subtract_from_field, add, subtract, bit_and, bit_or, bit_xor,
 *   shift_left, shift_right, drop, mark_to_drop, add_header, add_header_fast, remove_header, copy_header,
 *   clone_ingress_pkt_to_egress, clone_egress_pkt_to_egress, resubmit, recirculate, generate_digest,
 *   modify_field_rng_uniform, modify_field_with_hash_based_offset, no_op, count, execute_meter,
 *   register_read, register_write, truncate.
 */
import { MAX_SAFE, type Value } from './bits.js';
import type { CompileContext, FieldListDef } from './context.js';
import {
  asBig,
  asNum,
  type DataNode,
  type Effect,
  type HeaderNode,
  type LocalInfo,
  type LValue,
  wrapMod,
} from './data-nodes.js';
import { PacketProcessingError } from './errors.js';
import type { ExprCompiler } from './expr.js';
import type { JsonNode } from './json-reader.js';
import type { StaticFieldRef } from './layout.js';
import type { PacketState } from './state.js';

/** A compiled action function. */
export interface ActionDef {
  readonly name: string;
  readonly jsonId: number;
  readonly params: readonly { readonly name: string; readonly width: number }[];
  /** Runs the action body; `s.args` must hold the action data. */
  readonly run: Effect;
}

/** One compiled primitive call; `jump` is set for _jump/_jump_if_zero and returns the next index or -1. */
interface Step {
  readonly run: Effect;
  readonly jump?: (s: PacketState) => number;
}

const MIRROR_SESSION_MASK = 0x7fff;

function fail(message: string): never {
  throw new PacketProcessingError(message);
}

export class ActionCompiler {
  constructor(private readonly ctx: CompileContext) {}

  /** Compiles `actions[i]` of the JSON. */
  compileAction(node: JsonNode): ActionDef {
    const name = node.req('name').str();
    const jsonId = node.req('id').int();
    const params = node
      .list('runtime_data')
      .map((p) => ({ name: p.req('name').str(), width: p.req('bitwidth').int() }));
    for (const p of params) {
      if (p.width <= 0) node.fail(`action '${name}' parameter '${p.name}' has invalid bitwidth ${p.width}`);
    }
    const locals: LocalInfo[] = params.map((p) => ({ width: p.width }));
    const expr = this.ctx.expr.withEnv({ ...this.ctx.expr.env, locals });
    const run = this.compileBody(node.list('primitives'), expr);
    return { name, jsonId, params, run };
  }

  /** Compiles a standalone primitive call (parser `primitive` op, deparser primitives). */
  compileStandalone(node: JsonNode): Effect {
    return this.compileBody([node], this.ctx.expr);
  }

  private compileBody(prims: readonly JsonNode[], expr: ExprCompiler): Effect {
    const steps = prims.map((p) => this.compilePrimitive(p, expr, prims.length));
    if (steps.length === 0) return () => {};
    if (steps.every((st) => !st.jump)) {
      const runs = steps.map((st) => st.run);
      if (runs.length === 1) return runs[0];
      if (runs.length === 2) {
        const [a, b] = runs;
        return (s) => {
          a(s);
          b(s);
        };
      }
      return (s) => {
        for (let i = 0; i < runs.length; i++) runs[i](s);
      };
    }
    // Programs with jumps run as a small machine over primitive indices.
    const n = steps.length;
    return (s) => {
      let pc = 0;
      let budget = 1_000_000;
      while (pc < n) {
        if (--budget === 0) fail('action exceeded 1000000 primitive steps (jump loop?)');
        const st = steps[pc];
        if (st.jump) {
          const target = st.jump(s);
          pc = target < 0 ? pc + 1 : target;
        } else {
          st.run(s);
          pc++;
        }
      }
    };
  }

  private compilePrimitive(node: JsonNode, expr: ExprCompiler, bodyLength: number): Step {
    const op = node.req('op').str();
    const params = node.list('parameters');
    const want = (n: number): void => {
      if (params.length !== n) {
        node.fail(`primitive '${op}' expects ${n} parameter(s), got ${params.length}`);
      }
    };
    const effect = (run: Effect): Step => ({ run });
    switch (op) {
      case 'assign':
      case 'modify_field': {
        want(2);
        const dst = expr.lvalue(params[0]);
        if (dst.vl) return effect(this.assignVL(params, expr));
        return effect(dst.assignJson(params[1]));
      }
      case 'assign_VL':
        want(2);
        return effect(this.assignVL(params, expr));
      case 'assign_header':
      case 'copy_header': {
        want(2);
        const dst = expr.header(params[0]);
        const src = expr.header(params[1]);
        if (dst.type !== src.type)
          node.fail(`${op}: header types '${dst.type.name}' and '${src.type.name}' differ`);
        const ops = this.ctx.headerOps;
        const df = dst.fn;
        const sf = src.fn;
        return effect((s) => ops.assignHeader(s, df(s), sf(s)));
      }
      case 'assign_union': {
        want(2);
        const dst = expr.union(params[0]);
        const src = expr.union(params[1]);
        if (dst.type !== src.type) node.fail(`assign_union: union types differ`);
        const unions = this.ctx.layout.unions;
        const ops = this.ctx.headerOps;
        const df = dst.fn;
        const sf = src.fn;
        return effect((s) => {
          const d = unions[df(s)].members;
          const r = unions[sf(s)].members;
          for (let i = 0; i < d.length; i++) ops.assignHeader(s, d[i], r[i]);
        });
      }
      case 'assign_header_stack':
      case 'assign_union_stack':
        want(2);
        return effect(this.assignStack(op, params, expr));
      case 'push':
      case 'pop':
        want(2);
        return effect(this.pushPop(op, params, expr));
      case 'add_header':
      case 'add_header_fast':
      case 'remove_header':
        want(1);
        return effect(this.validity(op, expr.header(params[0])));
      case 'mark_to_drop':
        want(1);
        return effect(this.markToDrop(expr.header(params[0]), params[0]));
      case 'drop':
        want(0);
        return effect(this.drop(node));
      case 'no_op':
        want(0);
        return effect(() => {});
      case 'exit':
        want(0);
        return effect((s) => {
          s.exit = true;
        });
      case 'assert':
      case 'assume': {
        want(1);
        const cond = expr.data(params[0]);
        const f = asBig(cond);
        const label = op === 'assert' ? 'Assert' : 'Assume';
        const where = sourceInfo(node);
        return effect((s) => {
          if (f(s) === 0n) fail(`${label} error${where}`);
        });
      }
      case 'log_msg':
        want(2);
        return effect(this.logMsg(params, expr));
      case '_jump': {
        want(1);
        const target = this.jumpTarget(params[0], expr, bodyLength);
        return { run: () => {}, jump: () => target };
      }
      case '_jump_if_zero': {
        want(2);
        const cond = asBig(expr.data(params[0]));
        const target = this.jumpTarget(params[1], expr, bodyLength);
        return { run: () => {}, jump: (s) => (cond(s) === 0n ? target : -1) };
      }
      case 'add_to_field':
      case 'subtract_from_field': {
        want(2);
        const dst = expr.lvalue(params[0]);
        const a = asBig(dst.read);
        const b = asBig(expr.data(params[1]));
        const sign = op === 'add_to_field' ? 1n : -1n;
        return effect((s) => dst.store(s, a(s) + sign * b(s)));
      }
      case 'add':
      case 'subtract':
      case 'bit_and':
      case 'bit_or':
      case 'bit_xor':
      case 'shift_left':
      case 'shift_right':
        want(3);
        return effect(this.threeOperand(op, params, expr));
      case 'modify_field_rng_uniform':
        want(3);
        return effect(this.rngUniform(params, expr));
      case 'modify_field_with_hash_based_offset':
        want(4);
        return effect(this.hashOffset(params, expr));
      case 'count':
        want(2);
        return effect(this.count(params, expr));
      case 'execute_meter':
        want(3);
        return effect(this.executeMeter(params, expr));
      case 'register_read':
        want(3);
        return effect(this.registerRead(params, expr));
      case 'register_write':
        want(3);
        return effect(this.registerWrite(params, expr));
      case 'generate_digest':
        want(2);
        return effect(this.generateDigest(params, expr));
      case 'clone_ingress_pkt_to_egress':
      case 'clone_egress_pkt_to_egress':
        want(2);
        return effect(this.clone(params, expr));
      case 'resubmit':
      case 'recirculate':
        want(1);
        return effect(this.resubmitOrRecirculate(op, params[0], expr));
      case 'truncate': {
        want(1);
        const len = asBig(expr.data(params[0]));
        return effect((s) => {
          const l = Number(BigInt.asUintN(64, len(s)));
          if (l < s.truncateLength) s.truncateLength = l;
        });
      }
      default:
        return node.fail(`unsupported primitive '${op}'`);
    }
  }

  private jumpTarget(param: JsonNode, expr: ExprCompiler, bodyLength: number): number {
    const n = expr.data(param);
    if (n.constant === undefined) param.fail('jump offset must be a constant');
    const t = Number(n.constant);
    if (t < 0 || t > bodyLength) param.fail(`jump offset ${t} outside the action (length ${bodyLength})`);
    return t;
  }

  private assignVL(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const dst = expr.lvalue(params[0]);
    const src = expr.lvalue(params[1]);
    if (!dst.vlRef || !src.vlRef) return params[0].fail('assign_VL needs two variable-length fields');
    const dh = dst.vlRef.header;
    const ds = dst.vlRef.slot;
    const sh = src.vlRef.header;
    const ss = src.vlRef.slot;
    return (s) => {
      const width = s.vlBits[sh(s)];
      s.vlBits[dh(s)] = width;
      s.big[ds(s)] = s.big[ss(s)];
    };
  }

  private assignStack(op: string, params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const d = expr.any(params[0]);
    const r = expr.any(params[1]);
    const ops = this.ctx.headerOps;
    const layout = this.ctx.layout;
    if (op === 'assign_header_stack') {
      if (d.kind !== 'stack' || r.kind !== 'stack')
        return params[0].fail('assign_header_stack needs two header stacks');
      if (d.stack.type !== r.stack.type || d.stack.elements.length !== r.stack.elements.length) {
        params[0].fail(`header stacks '${d.stack.name}' and '${r.stack.name}' have different types or sizes`);
      }
      const di = d.stack.index;
      const ri = r.stack.index;
      const de = d.stack.elements;
      const re = r.stack.elements;
      return (s) => {
        s.stackNext[di] = s.stackNext[ri];
        for (let i = 0; i < de.length; i++) ops.assignHeader(s, de[i], re[i]);
      };
    }
    if (d.kind !== 'unionStack' || r.kind !== 'unionStack') {
      return params[0].fail('assign_union_stack needs two header union stacks');
    }
    if (d.stack.type !== r.stack.type || d.stack.elements.length !== r.stack.elements.length) {
      params[0].fail(`header union stacks '${d.stack.name}' and '${r.stack.name}' differ`);
    }
    const di = d.stack.index;
    const ri = r.stack.index;
    const de = d.stack.elements;
    const re = r.stack.elements;
    return (s) => {
      s.unionStackNext[di] = s.unionStackNext[ri];
      for (let i = 0; i < de.length; i++) {
        const dm = layout.unions[de[i]].members;
        const rm = layout.unions[re[i]].members;
        for (let j = 0; j < dm.length; j++) ops.assignHeader(s, dm[j], rm[j]);
      }
    };
  }

  private pushPop(op: string, params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const st = expr.any(params[0]);
    const count = asNum(clampCount(expr.data(params[1])));
    const ops = this.ctx.headerOps;
    if (st.kind === 'stack') {
      const i = st.stack.index;
      return op === 'push' ? (s) => ops.pushFront(s, i, count(s)) : (s) => ops.popFront(s, i, count(s));
    }
    if (st.kind === 'unionStack') {
      const i = st.stack.index;
      return op === 'push'
        ? (s) => ops.pushFrontUnions(s, i, count(s))
        : (s) => ops.popFrontUnions(s, i, count(s));
    }
    return params[0].fail(`${op} needs a header stack, got a ${st.kind}`);
  }

  private validity(op: string, h: HeaderNode): Effect {
    const ops = this.ctx.headerOps;
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

  private markToDrop(h: HeaderNode, where: JsonNode): Effect {
    const idx = h.type.fieldIndex.get('egress_spec');
    if (idx === undefined) {
      return where.fail(`mark_to_drop: header type '${h.type.name}' has no 'egress_spec' field`);
    }
    const specField = h.type.fields[idx];
    const mcastIdx = h.type.fieldIndex.get('mcast_grp');
    const mcastField = mcastIdx === undefined ? undefined : h.type.fields[mcastIdx];
    const layout = this.ctx.layout;
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

  private drop(node: JsonNode): Effect {
    const { egressSpec, mcastGrp } = this.ctx.arch;
    if (!egressSpec) return node.fail("'drop' needs field standard_metadata.egress_spec");
    const layout = this.ctx.layout;
    const specSlot = layout.slot(egressSpec);
    const mcastSlot = mcastGrp ? layout.slot(mcastGrp) : -1;
    const specWidth = egressSpec.field.width;
    return (s) => {
      storeStatic(s, egressSpec, specSlot, BigInt.asUintN(specWidth, BigInt(s.rt.dropPort)));
      if (mcastGrp) storeStatic(s, mcastGrp, mcastSlot, 0n);
    };
  }

  private logMsg(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const format = params[0].req('value').str();
    if (params[0].req('type').str() !== 'string') params[0].fail('log_msg format must be a string');
    const vec = params[1];
    if (vec.req('type').str() !== 'parameters_vector')
      vec.fail('log_msg arguments must be a parameters_vector');
    const args = vec
      .req('value')
      .items()
      .map((a) => asBig(expr.data(a)));
    const pieces = splitLogFormat(params[0], format, args.length);
    return (s) => {
      if (!s.notes) return;
      let out = pieces[0];
      for (let i = 0; i < args.length; i++) out += args[i](s).toString() + pieces[i + 1];
      s.note('log', out);
    };
  }

  private threeOperand(op: string, params: readonly JsonNode[], expr: ExprCompiler): Effect {
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

  private rngUniform(params: readonly JsonNode[], expr: ExprCompiler): Effect {
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

  private hashOffset(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const dst = expr.lvalue(params[0]);
    const base = asBig(expr.data(params[1]));
    if (params[2].req('type').str() !== 'calculation') params[2].fail('expected a calculation');
    const calc = this.ctx.calculation(params[2], params[2].req('value').str());
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

  private arrayName(node: JsonNode, type: string): string {
    if (node.req('type').str() !== type) node.fail(`expected a parameter of type '${type}'`);
    return node.req('value').str();
  }

  private count(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const def = this.ctx.counter(params[0], this.arrayName(params[0], 'counter_array'));
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

  private executeMeter(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const def = this.ctx.meter(params[0], this.arrayName(params[0], 'meter_array'));
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

  private registerRead(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const dst = expr.lvalue(params[0]);
    const def = this.ctx.register(params[1], this.arrayName(params[1], 'register_array'));
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

  private registerWrite(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const def = this.ctx.register(params[0], this.arrayName(params[0], 'register_array'));
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

  private generateDigest(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    // The receiver argument is ignored by simple_switch; the learn list id must name a learn list.
    expr.data(params[0]);
    const id = constantOf(expr, params[1], 'generate_digest learn list id');
    const list = this.ctx.learnList(params[1], Number(BigInt.asUintN(16, id)));
    const listId = list.id;
    return (s) => {
      s.learnList = listId;
    };
  }

  private clone(params: readonly JsonNode[], expr: ExprCompiler): Effect {
    const session = asBig(expr.data(params[0]));
    const fl = expr.data(params[1]);
    if (fl.constant !== undefined) this.ctx.fieldList(params[1], Number(BigInt.asUintN(16, fl.constant)));
    const flf = asBig(fl);
    return (s) => {
      s.cloneSession = Number(BigInt.asUintN(16, session(s))) & MIRROR_SESSION_MASK;
      s.cloneFieldList = Number(BigInt.asUintN(16, flf(s)));
    };
  }

  private resubmitOrRecirculate(op: string, param: JsonNode, expr: ExprCompiler): Effect {
    const fl = expr.data(param);
    if (fl.constant !== undefined) this.ctx.fieldList(param, Number(BigInt.asUintN(16, fl.constant)));
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

/** Push/pop counts are size_t in bmv2; negative or huge counts are clamped to a value >= any stack size. */
function clampCount(n: DataNode): DataNode {
  if (n.min >= 0n && n.max <= 0xffffffffn) return n;
  return wrapMod(n, 32);
}

function storeStatic(s: PacketState, ref: StaticFieldRef, slot: number, v: bigint): void {
  if (ref.field.repr === 'num') s.num[slot] = Number(v);
  else s.big[slot] = v;
}

function sourceInfo(node: JsonNode): string {
  const si = node.get('source_info');
  if (si.isNull() || !si.isObject()) return '';
  const frag = si.get('source_fragment').value;
  const file = si.get('filename').value;
  const line = si.get('line').value;
  return `: ${String(frag ?? '')} failed, file ${String(file ?? '?')}, line ${String(line ?? '?')}`;
}

/**
 * Splits a log_msg format into literal pieces around `{}` placeholders, honouring `\{` and `\}` escapes
 * as bmv2 does. Rejects a format whose placeholder count differs from the argument count (bmv2 exits).
 */
export function splitLogFormat(node: JsonNode, format: string, argCount: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === '\\' && (format[i + 1] === '{' || format[i + 1] === '}')) {
      cur += format[i + 1];
      i += 2;
      continue;
    }
    if (c === '{') {
      const close = format.indexOf('}', i + 1);
      if (close < 0) node.fail(`log_msg format ${JSON.stringify(format)} has no matching '}'`);
      pieces.push(cur);
      cur = '';
      i = close + 1;
      continue;
    }
    cur += c;
    i++;
  }
  pieces.push(cur);
  if (pieces.length - 1 !== argCount) {
    node.fail(`log_msg format expects ${pieces.length - 1} argument(s) but ${argCount} were given`);
  }
  return pieces;
}

/** Copies the values of a field list from one packet state to another (clone/resubmit/recirculate). */
export function copyFieldList(
  list: FieldListDef,
  from: PacketState,
  to: PacketState,
  slots: readonly number[],
): void {
  for (let i = 0; i < list.fields.length; i++) {
    const slot = slots[i];
    const ref = list.fields[i];
    if (ref.field.vl) {
      to.big[slot] = from.big[slot];
      to.vlBits[ref.header.index] = from.vlBits[ref.header.index];
    } else if (ref.field.repr === 'num') to.num[slot] = from.num[slot];
    else to.big[slot] = from.big[slot];
  }
}

export type { LValue };
