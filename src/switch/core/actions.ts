import type { CompileContext, FieldListDef } from './context.js';
import {
  asBig,
  asNum,
  type DataNode,
  type Effect,
  type LocalInfo,
  type LValue,
  wrapMod,
} from './data-nodes.js';
import { PacketProcessingError } from './errors.js';
import type { ExprCompiler } from './expr.js';
import type { JsonNode } from './json-reader.js';
import type { PrimitiveCall, PrimitiveSet } from './primitives.js';
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

function fail(message: string): never {
  throw new PacketProcessingError(message);
}

export class ActionCompiler {
  /** `primitives`: the architecture's primitives (e.g. simple_switch's), beside the core ones. */
  constructor(
    private readonly ctx: CompileContext,
    private readonly primitives: PrimitiveSet,
  ) {}

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
    const name = node.req('op').str();
    const params = node.list('parameters');
    const want = (n: number): void => {
      if (params.length !== n) {
        node.fail(`primitive '${name}' expects ${n} parameter(s), got ${params.length}`);
      }
    };
    const core = this.compileCore(name, node, params, expr, bodyLength, want);
    if (core) return core;
    const arch = this.primitives.get(name);
    if (!arch) return node.fail(`unsupported primitive '${name}'`);
    const call: PrimitiveCall = {
      node,
      params,
      expr,
      ctx: this.ctx,
      want,
      core: (op) => this.compileCore(op, node, params, expr, bodyLength, want)!.run,
    };
    return { run: arch(call) };
  }

  /** The core primitives (bmv2's bm_sim/core/primitives.cpp); undefined for any other name. */
  private compileCore(
    op: string,
    node: JsonNode,
    params: readonly JsonNode[],
    expr: ExprCompiler,
    bodyLength: number,
    want: (n: number) => void,
  ): Step | undefined {
    const effect = (run: Effect): Step => ({ run });
    switch (op) {
      case 'assign': {
        want(2);
        const dst = expr.lvalue(params[0]);
        if (dst.vl) return effect(this.assignVL(params, expr));
        return effect(dst.assignJson(params[1]));
      }
      case 'assign_VL':
        want(2);
        return effect(this.assignVL(params, expr));
      case 'assign_header': {
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
      default:
        return undefined;
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
}

/** Push/pop counts are size_t in bmv2; negative or huge counts are clamped to a value >= any stack size. */
function clampCount(n: DataNode): DataNode {
  if (n.min >= 0n && n.max <= 0xffffffffn) return n;
  return wrapMod(n, 32);
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
