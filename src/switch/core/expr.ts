/**
 * Compiles bmv2 JSON expressions into closures over a {@link PacketState}.
 *
 * Semantics follow bmv2: arithmetic is on unbounded integers (bmv2 uses GMP), and a value is truncated
 * only when it is stored (into a field, a register cell, ...). To stay fast without losing exactness,
 * every compiled data node carries a static range [min, max]:
 * - when the range proves the result is a JS safe integer and the operation is exact on doubles / int32
 *   for the operand ranges, the closure works on `number`s;
 * - otherwise it works on `bigint`s.
 * A second compilation mode, {@link ExprCompiler.dataMod}, produces a value that is only correct modulo
 * 2^k (expr-modular.ts). Data nodes and their range arithmetic are in data-nodes.ts, writable
 * locations in lvalues.ts.
 */
import { bitLength, isNumWidth, MAX_SAFE, maskBig, parseHexstr } from './bits.js';
import {
  type AnyNode,
  asBig,
  asNum,
  type BigFn,
  type BoolNode,
  bigNode,
  binaryRange,
  constData,
  type DataNode,
  type ExprEnv,
  evalBinary,
  fromBig,
  type HeaderNode,
  inInt32,
  inUint32,
  isSafe,
  type LValue,
  maxBig,
  minBig,
  numNode,
  type OperandCompiler,
  runtimeFail,
  satCast,
  shrNum,
  twoCompMod,
  UINT32_MAX,
  type UnionNode,
  usatCast,
  wrapMod,
} from './data-nodes.js';
import { ModularCompiler } from './expr-modular.js';
import type { JsonNode } from './json-reader.js';
import type { HeaderInfo, HeaderTypeInfo, UnionInfo } from './layout.js';
import { LValueCompiler } from './lvalues.js';
import type { PacketState } from './state.js';

export class ExprCompiler implements OperandCompiler {
  private readonly numBase: Int32Array;
  private readonly bigBase: Int32Array;
  private readonly metaFlag: Uint8Array;
  private readonly lvalues: LValueCompiler;
  private readonly modular: ModularCompiler;

  constructor(readonly env: ExprEnv) {
    this.lvalues = new LValueCompiler(this);
    this.modular = new ModularCompiler(this);
    const hs = env.layout.headers;
    this.numBase = Int32Array.from(hs.map((h) => h.numBase));
    this.bigBase = Int32Array.from(hs.map((h) => h.bigBase));
    this.metaFlag = Uint8Array.from(hs.map((h) => (h.metadata ? 1 : 0)));
  }

  /** Compiler sharing the layout tables but with a different environment (e.g. other locals). */
  withEnv(env: ExprEnv): ExprCompiler {
    return new ExprCompiler(env);
  }

  // ---------------------------------------------------------------------------------------------
  // Entry points for type-value JSON objects.

  /** Compiles any type-value object. */
  any(node: JsonNode): AnyNode {
    const type = node.req('type').str();
    const value = node.req('value');
    switch (type) {
      case 'expression':
        return this.expression(value);
      case 'hexstr':
        return constData(this.hexstr(value));
      case 'bool':
        return this.constBool(value.bool());
      case 'field':
        return this.fieldRead(value);
      case 'local':
        return this.local(value);
      case 'runtime_data':
        return this.local(value);
      case 'register':
        return this.lvalues.registerLvalue(value).read;
      case 'header':
        return this.headerFixed(this.env.layout.header(value, value.str()));
      case 'header_stack':
        return { kind: 'stack', stack: this.env.layout.stack(value, value.str()) };
      case 'stack_field':
        return this.lvalues.stackFieldLvalue(value).read;
      case 'header_union':
        return this.unionFixed(this.env.layout.union(value, value.str()));
      case 'header_union_stack':
        return { kind: 'unionStack', stack: this.env.layout.unionStack(value, value.str()) };
      default:
        return node.fail(`unsupported operand type '${type}' in expression`);
    }
  }

  data(node: JsonNode): DataNode {
    const n = this.any(node);
    if (n.kind !== 'num' && n.kind !== 'big') node.fail(`expected an integer expression, got a ${n.kind}`);
    return n;
  }

  bool(node: JsonNode): BoolNode {
    const n = this.any(node);
    if (n.kind !== 'bool')
      node.fail(`expected a boolean expression, got a ${n.kind} (bmv2 needs an explicit d2b)`);
    return n;
  }

  header(node: JsonNode): HeaderNode {
    const n = this.any(node);
    if (n.kind !== 'header') node.fail(`expected a header, got a ${n.kind}`);
    return n;
  }

  union(node: JsonNode): UnionNode {
    const n = this.any(node);
    if (n.kind !== 'union') node.fail(`expected a header union, got a ${n.kind}`);
    return n;
  }

  /** A data expression only needed modulo 2^k: result in [0, 2^k). */
  dataMod(node: JsonNode, k: number): DataNode {
    node = unwrapTypeValue(node);
    if (node.get('type').value === 'expression') {
      const e = node.req('value');
      const op = e.get('op').value;
      if (typeof op === 'string' && MOD_OPS.has(op)) return this.modular.modExpression(e, op, k);
    }
    return wrapMod(this.data(node), k);
  }

  hexstr(node: JsonNode): bigint {
    try {
      return parseHexstr(node.str());
    } catch (e) {
      return node.fail((e as Error).message);
    }
  }

  constBool(v: boolean): BoolNode {
    return { kind: 'bool', fn: v ? () => true : () => false, constant: v };
  }

  // ---------------------------------------------------------------------------------------------
  // Leaves.

  private local(value: JsonNode): DataNode {
    const index = value.int();
    if (this.env.localField) return this.env.localField(value, index);
    const locals = this.env.locals;
    if (!locals) value.fail("'local' operand used outside of an action");
    if (index < 0 || index >= locals.length) {
      value.fail(`action data index ${index} out of range (the action has ${locals.length} parameter(s))`);
    }
    const width = locals[index].width;
    const max = maskBig(width);
    if (isNumWidth(width)) return numNode((s) => s.args[index] as number, 0n, max);
    return bigNode((s) => s.args[index] as bigint, 0n, max);
  }

  /** Reads `[header, field]`, including the hidden `$valid$` field. */
  fieldRead(value: JsonNode): DataNode {
    const headerName = value.at(0).str();
    const fieldName = value.at(1).str();
    if (fieldName === '$valid$') {
      const h = this.env.layout.header(value, headerName).index;
      return numNode((s) => s.valid[h], 0n, 1n);
    }
    return this.fieldLvalue(value).read;
  }

  headerFixed(h: HeaderInfo): HeaderNode {
    const idx = h.index;
    return { kind: 'header', type: h.type, fn: () => idx, fixed: h };
  }

  unionFixed(u: UnionInfo): UnionNode {
    const idx = u.index;
    return { kind: 'union', type: u.type, fn: () => idx, fixed: u };
  }

  /** Range of a field of the given width/signedness. */
  // ---------------------------------------------------------------------------------------------
  // Lvalues (lvalues.ts).

  /** Any writable location given as a type-value object (`field`, `expression`, `register`, `stack_field`). */
  lvalue(node: JsonNode): LValue {
    return this.lvalues.lvalue(node);
  }

  /** A `field` lvalue. */
  fieldLvalue(value: JsonNode): LValue {
    return this.lvalues.fieldLvalue(value);
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions.

  private expression(e: JsonNode): AnyNode {
    // Some producers nest a type-value object inside `value`.
    if (e.has('type') && !e.has('op')) return this.any(e);
    const op = e.req('op').str();
    switch (op) {
      case '+':
      case '-':
        if (e.get('left').isNull()) return this.arith(op, e, constData(0n), this.data(e.req('right')));
        return this.arith(op, e, this.data(e.req('left')), this.data(e.req('right')));
      case '*':
      case '<<':
      case '>>':
      case '%':
      case '/':
      case '|':
      case '^':
        return this.arith(op, e, this.data(e.req('left')), this.data(e.req('right')));
      case '&':
        return this.bitAnd(e);
      case '~':
        return this.bitNeg(this.data(e.req('right')));
      case '==':
      case '!=':
        return this.equality(op, e);
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compare(op, this.data(e.req('left')), this.data(e.req('right')));
      case 'and':
      case 'or': {
        const l = this.bool(e.req('left'));
        const r = this.bool(e.req('right'));
        const lf = l.fn;
        const rf = r.fn;
        // bmv2 evaluates both operands (no short circuit); operands have no side effects but may fail.
        if (op === 'and') {
          return {
            kind: 'bool',
            fn: (s) => {
              const a = lf(s);
              const b = rf(s);
              return a && b;
            },
          };
        }
        return {
          kind: 'bool',
          fn: (s) => {
            const a = lf(s);
            const b = rf(s);
            return a || b;
          },
        };
      }
      case 'not': {
        const r = this.bool(e.req('right'));
        if (r.constant !== undefined) return this.constBool(!r.constant);
        const rf = r.fn;
        return { kind: 'bool', fn: (s) => !rf(s) };
      }
      case 'valid':
        return this.validOp(e.req('right'));
      case 'valid_union': {
        const u = this.union(e.req('right'));
        return this.unionValid(u);
      }
      case '?':
        return this.ternary(e);
      case 'two_comp_mod':
        return this.twoCompMod(e);
      case 'sat_cast':
      case 'usat_cast':
        return this.satCast(op, e);
      case 'd2b': {
        const r = this.data(e.req('right'));
        if (r.kind === 'num') {
          const rf = r.fn;
          return { kind: 'bool', fn: (s) => rf(s) !== 0 };
        }
        const rf = r.fn;
        return { kind: 'bool', fn: (s) => rf(s) !== 0n };
      }
      case 'b2d': {
        const r = this.bool(e.req('right'));
        const rf = r.fn;
        return numNode((s) => (rf(s) ? 1 : 0), 0n, 1n);
      }
      case 'dereference_header_stack':
      case 'dereference_stack':
        return this.derefStack(e);
      case 'dereference_union_stack':
        return this.derefUnionStack(e);
      case 'last_stack_index':
        return this.lastStackIndex(e.req('right'));
      case 'size_stack': {
        const st = this.stackOperand(e.req('right'));
        const si = st.index;
        return st.union
          ? numNode((s) => s.unionStackNext[si], 0n, BigInt(st.size))
          : numNode((s) => s.stackNext[si], 0n, BigInt(st.size));
      }
      case 'access_field':
        return this.lvalues.accessFieldRead(e);
      case 'access_union_header': {
        const u = this.union(e.req('left'));
        const member = e.req('right').int();
        const type = u.type.memberTypes[member];
        if (!type) e.fail(`union member offset ${member} out of range for '${u.type.name}'`);
        if (u.fixed) return this.headerFixed(this.env.layout.headers[u.fixed.members[member]]);
        const unions = this.env.layout.unions;
        const members = Int32Array.from(unions.map((x) => x.members[member] ?? -1));
        const uf = u.fn;
        return { kind: 'header', type, fn: (s) => members[uf(s)] };
      }
      default:
        return e.fail(`unsupported expression operator '${op}'`);
    }
  }

  private arith(op: string, e: JsonNode, l: DataNode, r: DataNode): DataNode {
    if (l.constant !== undefined && r.constant !== undefined) {
      try {
        return constData(evalBinary(op, l.constant, r.constant));
      } catch (err) {
        return e.fail((err as Error).message);
      }
    }
    const [min, max] = binaryRange(op, l, r);
    const safe = isSafe(min, max);
    if (l.kind === 'num' && r.kind === 'num') {
      const a = l.fn;
      const b = r.fn;
      const rc = r.constant !== undefined ? Number(r.constant) : undefined;
      switch (op) {
        case '+':
          if (safe) return numNode(rc !== undefined ? (s) => a(s) + rc : (s) => a(s) + b(s), min, max);
          break;
        case '-':
          if (safe) return numNode(rc !== undefined ? (s) => a(s) - rc : (s) => a(s) - b(s), min, max);
          break;
        case '*':
          if (safe) return numNode((s) => a(s) * b(s), min, max);
          break;
        case '|':
        case '^':
          if (inUint32(l) && inUint32(r)) {
            return numNode(op === '|' ? (s) => (a(s) | b(s)) >>> 0 : (s) => (a(s) ^ b(s)) >>> 0, min, max);
          }
          if (inInt32(l) && inInt32(r)) {
            return numNode(op === '|' ? (s) => a(s) | b(s) : (s) => a(s) ^ b(s), min, max);
          }
          break;
        case '<<':
          if (safe && r.min >= 0n) {
            if (rc !== undefined) {
              const f = 2 ** rc;
              return numNode((s) => a(s) * f, min, max);
            }
            return numNode((s) => a(s) * 2 ** b(s), min, max);
          }
          break;
        case '>>':
          if (r.min >= 0n) {
            if (inUint32(l) && r.max < 32n) {
              return numNode(rc !== undefined ? (s) => a(s) >>> rc : (s) => a(s) >>> b(s), min, max);
            }
            return numNode((s) => shrNum(a(s), b(s)), min, max);
          }
          break;
        case '%':
        case '/': {
          const checked = l.min >= 0n && r.min > 0n;
          if (op === '%') {
            return numNode(
              checked
                ? (s) => a(s) % b(s)
                : (s) => {
                    const x = a(s);
                    const y = b(s);
                    if (x < 0 || y <= 0) runtimeFail(`modulo requires a >= 0 and b > 0 (got ${x} % ${y})`);
                    return x % y;
                  },
              min,
              max,
            );
          }
          return numNode(
            (s) => {
              const x = a(s);
              const y = b(s);
              if (!checked && (x < 0 || y <= 0))
                runtimeFail(`division requires a >= 0 and b > 0 (got ${x} / ${y})`);
              return (x - (x % y)) / y;
            },
            min,
            max,
          );
        }
      }
    }
    const a = asBig(l);
    const b = asBig(r);
    let fn: BigFn;
    switch (op) {
      case '+':
        fn = (s) => a(s) + b(s);
        break;
      case '-':
        fn = (s) => a(s) - b(s);
        break;
      case '*':
        fn = (s) => a(s) * b(s);
        break;
      case '|':
        fn = (s) => a(s) | b(s);
        break;
      case '^':
        fn = (s) => a(s) ^ b(s);
        break;
      case '&':
        fn = (s) => a(s) & b(s);
        break;
      default:
        fn = (s) => evalBinary(op, a(s), b(s));
    }
    return fromBig(fn, min, max);
  }

  /** `&`: with a non-negative constant mask only the low bits of the other operand are needed. */
  private bitAnd(e: JsonNode): DataNode {
    const lj = e.req('left');
    const rj = e.req('right');
    const rPeek = this.peekConstant(rj);
    const lPeek = rPeek === undefined ? this.peekConstant(lj) : undefined;
    const maskC = rPeek ?? lPeek;
    if (maskC !== undefined && maskC >= 0n) {
      const other = rPeek !== undefined ? lj : rj;
      const k = Math.max(bitLength(maskC), 1);
      const x = this.dataMod(other, k);
      return this.andConst(x, maskC);
    }
    const l = this.data(lj);
    const r = this.data(rj);
    if (l.constant !== undefined && r.constant !== undefined) return constData(l.constant & r.constant);
    const [min, max] = binaryRange('&', l, r);
    if (l.kind === 'num' && r.kind === 'num') {
      const a = l.fn;
      const b = r.fn;
      if (inUint32(l) && inUint32(r)) return numNode((s) => (a(s) & b(s)) >>> 0, min, max);
      if (inInt32(l) && inInt32(r)) return numNode((s) => a(s) & b(s), min, max);
    }
    const a = asBig(l);
    const b = asBig(r);
    return fromBig((s) => a(s) & b(s), min, max);
  }

  /** x & c for a non-negative constant c, x already reduced modulo 2^bitLength(c). */
  andConst(x: DataNode, c: bigint): DataNode {
    if (x.constant !== undefined) return constData(x.constant & c);
    const max = minBig(x.max, c);
    if (x.kind === 'num' && c <= UINT32_MAX) {
      const f = x.fn;
      const cn = Number(c);
      // When c has every bit x can have, the mask is a no-op.
      const xm = maskBig(bitLength(x.max));
      if (x.min >= 0n && (c & xm) === xm) return x;
      if (cn <= 0x7fffffff) return numNode((s) => f(s) & cn, 0n, max);
      return numNode((s) => (f(s) & cn) >>> 0, 0n, max);
    }
    const f = asBig(x);
    return fromBig((s) => f(s) & c, 0n, max);
  }

  private bitNeg(r: DataNode): DataNode {
    if (r.constant !== undefined) return constData(~r.constant);
    const min = -r.max - 1n;
    const max = -r.min - 1n;
    if (r.kind === 'num' && isSafe(min, max)) {
      const f = r.fn;
      return numNode((s) => -f(s) - 1, min, max);
    }
    const f = asBig(r);
    return fromBig((s) => ~f(s), min, max);
  }

  private compare(op: string, l: DataNode, r: DataNode): BoolNode {
    if (l.constant !== undefined && r.constant !== undefined) {
      const a = l.constant;
      const b = r.constant;
      return this.constBool(op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b);
    }
    if (l.kind === 'num' && r.kind === 'num') {
      const a = l.fn;
      const b = r.fn;
      switch (op) {
        case '<':
          return { kind: 'bool', fn: (s) => a(s) < b(s) };
        case '<=':
          return { kind: 'bool', fn: (s) => a(s) <= b(s) };
        case '>':
          return { kind: 'bool', fn: (s) => a(s) > b(s) };
        default:
          return { kind: 'bool', fn: (s) => a(s) >= b(s) };
      }
    }
    const a = asBig(l);
    const b = asBig(r);
    switch (op) {
      case '<':
        return { kind: 'bool', fn: (s) => a(s) < b(s) };
      case '<=':
        return { kind: 'bool', fn: (s) => a(s) <= b(s) };
      case '>':
        return { kind: 'bool', fn: (s) => a(s) > b(s) };
      default:
        return { kind: 'bool', fn: (s) => a(s) >= b(s) };
    }
  }

  private equality(op: '==' | '!=', e: JsonNode): BoolNode {
    const l = this.any(e.req('left'));
    const r = this.any(e.req('right'));
    let eq: BoolNode;
    if ((l.kind === 'num' || l.kind === 'big') && (r.kind === 'num' || r.kind === 'big')) {
      eq = this.dataEquals(l, r);
    } else if (l.kind === 'bool' && r.kind === 'bool') {
      const a = l.fn;
      const b = r.fn;
      eq = { kind: 'bool', fn: (s) => a(s) === b(s) };
    } else if (l.kind === 'header' && r.kind === 'header') {
      eq = this.headerEquals(l, r);
    } else if (l.kind === 'union' && r.kind === 'union') {
      eq = this.unionEquals(l, r);
    } else {
      return e.fail(`cannot compare a ${l.kind} with a ${r.kind}`);
    }
    if (op === '==') return eq;
    const f = eq.fn;
    if (eq.constant !== undefined) return this.constBool(!eq.constant);
    return { kind: 'bool', fn: (s) => !f(s) };
  }

  private dataEquals(l: DataNode, r: DataNode): BoolNode {
    if (l.constant !== undefined && r.constant !== undefined)
      return this.constBool(l.constant === r.constant);
    // Disjoint ranges can never be equal.
    if (l.max < r.min || r.max < l.min) return this.constBool(false);
    if (l.kind === 'num' && r.kind === 'num') {
      const a = l.fn;
      if (r.constant !== undefined) {
        const c = Number(r.constant);
        return { kind: 'bool', fn: (s) => a(s) === c };
      }
      const b = r.fn;
      return { kind: 'bool', fn: (s) => a(s) === b(s) };
    }
    const a = asBig(l);
    const b = asBig(r);
    return { kind: 'bool', fn: (s) => a(s) === b(s) };
  }

  /** bmv2 header equality: same type, both valid, all fields equal. */
  private headerEquals(l: HeaderNode, r: HeaderNode): BoolNode {
    if (l.type !== r.type) return this.constBool(false);
    const type = l.type;
    const lf = l.fn;
    const rf = r.fn;
    const numBase = this.numBase;
    const bigBase = this.bigBase;
    const meta = this.metaFlag;
    return {
      kind: 'bool',
      fn: (s) => headersEqual(s, type, lf(s), rf(s), numBase, bigBase, meta),
    };
  }

  private unionEquals(l: UnionNode, r: UnionNode): BoolNode {
    if (l.type !== r.type) return this.constBool(false);
    const unions = this.env.layout.unions;
    const type = l.type;
    const lf = l.fn;
    const rf = r.fn;
    const numBase = this.numBase;
    const bigBase = this.bigBase;
    const meta = this.metaFlag;
    return {
      kind: 'bool',
      fn: (s) => {
        const lu = unions[lf(s)];
        const ru = unions[rf(s)];
        const li = validMember(s, lu);
        const ri = validMember(s, ru);
        if (li < 0 || ri < 0 || li !== ri) return false;
        return headersEqual(s, type.memberTypes[li], lu.members[li], ru.members[ri], numBase, bigBase, meta);
      },
    };
  }

  private validOp(node: JsonNode): BoolNode {
    const n = this.any(node);
    if (n.kind === 'union') return this.unionValid(n);
    if (n.kind !== 'header') node.fail(`'valid' expects a header, got a ${n.kind}`);
    if (n.fixed) {
      if (n.fixed.metadata) return this.constBool(true);
      const h = n.fixed.index;
      return { kind: 'bool', fn: (s) => s.valid[h] === 1 };
    }
    const hf = n.fn;
    const meta = this.metaFlag;
    return {
      kind: 'bool',
      fn: (s) => {
        const h = hf(s);
        return s.valid[h] === 1 || meta[h] === 1;
      },
    };
  }

  private unionValid(u: UnionNode): BoolNode {
    if (u.fixed) {
      const members = u.fixed.members;
      if (members.length === 1) {
        const m0 = members[0];
        return { kind: 'bool', fn: (s) => s.valid[m0] === 1 };
      }
      if (members.length === 2) {
        const [m0, m1] = members;
        return { kind: 'bool', fn: (s) => s.valid[m0] === 1 || s.valid[m1] === 1 };
      }
      const fixed = u.fixed;
      return { kind: 'bool', fn: (s) => validMember(s, fixed) >= 0 };
    }
    const unions = this.env.layout.unions;
    const uf = u.fn;
    return { kind: 'bool', fn: (s) => validMember(s, unions[uf(s)]) >= 0 };
  }

  private ternary(e: JsonNode): AnyNode {
    const c = this.bool(e.req('cond'));
    const l = this.any(e.req('left'));
    const r = this.any(e.req('right'));
    const cf = c.fn;
    if ((l.kind === 'num' || l.kind === 'big') && (r.kind === 'num' || r.kind === 'big')) {
      const min = minBig(l.min, r.min);
      const max = maxBig(l.max, r.max);
      if (l.kind === 'num' && r.kind === 'num') {
        const a = l.fn;
        const b = r.fn;
        return numNode((s) => (cf(s) ? a(s) : b(s)), min, max);
      }
      const a = asBig(l);
      const b = asBig(r);
      return fromBig((s) => (cf(s) ? a(s) : b(s)), min, max);
    }
    if (l.kind === 'bool' && r.kind === 'bool') {
      const a = l.fn;
      const b = r.fn;
      return { kind: 'bool', fn: (s) => (cf(s) ? a(s) : b(s)) };
    }
    if (l.kind === 'header' && r.kind === 'header') {
      const a = l.fn;
      const b = r.fn;
      return { kind: 'header', type: l.type, fn: (s) => (cf(s) ? a(s) : b(s)) };
    }
    if (l.kind === 'union' && r.kind === 'union') {
      const a = l.fn;
      const b = r.fn;
      return { kind: 'union', type: l.type, fn: (s) => (cf(s) ? a(s) : b(s)) };
    }
    return e.fail(`ternary operands must have the same kind (got ${l.kind} and ${r.kind})`);
  }

  private twoCompMod(e: JsonNode): DataNode {
    const wPeek = this.peekConstant(e.req('right'));
    if (wPeek !== undefined) {
      if (wPeek <= 0n || wPeek > 65536n) e.fail(`two_comp_mod width ${wPeek} is invalid`);
      const w = Number(wPeek);
      const x = this.dataMod(e.req('left'), w);
      const min = -(1n << (wPeek - 1n));
      const max = (1n << (wPeek - 1n)) - 1n;
      if (x.constant !== undefined) return constData(BigInt.asIntN(w, x.constant));
      if (x.kind === 'num') {
        const f = x.fn;
        const half = 2 ** (w - 1);
        const full = 2 ** w;
        return numNode(
          (s) => {
            const v = f(s);
            return v >= half ? v - full : v;
          },
          min,
          max,
        );
      }
      const f = x.fn;
      return fromBig((s) => BigInt.asIntN(w, f(s)), min, max);
    }
    const l = asBig(this.data(e.req('left')));
    const r = this.data(e.req('right'));
    const rf = asBig(r);
    const bits = r.max > 65536n ? 65536n : r.max;
    return fromBig((s) => twoCompMod(l(s), rf(s)), -(1n << bits), (1n << bits) - 1n);
  }

  private satCast(op: string, e: JsonNode): DataNode {
    const l = this.data(e.req('left'));
    const r = this.data(e.req('right'));
    const lf = asBig(l);
    const rf = asBig(r);
    const wc = r.constant;
    if (wc !== undefined) {
      if (wc <= 0n || wc > 65536n) e.fail(`${op} width ${wc} is invalid`);
      const [min, max] =
        op === 'sat_cast' ? [-(1n << (wc - 1n)), (1n << (wc - 1n)) - 1n] : [0n, (1n << wc) - 1n];
      if (l.kind === 'num' && isSafe(min, max)) {
        const f = l.fn;
        const lo = Number(min);
        const hi = Number(max);
        return numNode(
          (s) => {
            const v = f(s);
            return Math.min(hi, Math.max(lo, v));
          },
          min,
          max,
        );
      }
      return fromBig((s) => (op === 'sat_cast' ? satCast(lf(s), wc) : usatCast(lf(s), wc)), min, max);
    }
    const bits = r.max > 65536n ? 65536n : r.max;
    return fromBig(
      (s) => (op === 'sat_cast' ? satCast(lf(s), rf(s)) : usatCast(lf(s), rf(s))),
      op === 'sat_cast' ? -(1n << bits) : 0n,
      (1n << bits) - 1n,
    );
  }

  private derefStack(e: JsonNode): HeaderNode {
    const st = this.any(e.req('left'));
    if (st.kind !== 'stack') e.fail(`dereference_header_stack expects a header stack, got a ${st.kind}`);
    const idx = this.data(e.req('right'));
    const stack = st.stack;
    const elements = Int32Array.from(stack.elements);
    const layout = this.env.layout;
    if (idx.constant !== undefined) {
      const i = Number(idx.constant);
      if (i < 0 || i >= elements.length) {
        const name = stack.name;
        const n = elements.length;
        return {
          kind: 'header',
          type: stack.type,
          fn: () => runtimeFail(`index ${i} out of bounds for header stack '${name}' of size ${n}`),
        };
      }
      return this.headerFixed(layout.headers[elements[i]]);
    }
    const f = asNum(idx.max > MAX_SAFE ? wrapMod(idx, 53) : idx);
    const n = elements.length;
    const name = stack.name;
    return {
      kind: 'header',
      type: stack.type,
      fn: (s) => {
        const i = f(s);
        if (i < 0 || i >= n) runtimeFail(`index ${i} out of bounds for header stack '${name}' of size ${n}`);
        return elements[i];
      },
    };
  }

  private derefUnionStack(e: JsonNode): UnionNode {
    const st = this.any(e.req('left'));
    if (st.kind !== 'unionStack')
      e.fail(`dereference_union_stack expects a header union stack, got a ${st.kind}`);
    const idx = this.data(e.req('right'));
    const stack = st.stack;
    const elements = Int32Array.from(stack.elements);
    const f = asNum(idx.max > MAX_SAFE ? wrapMod(idx, 53) : idx);
    const n = elements.length;
    const name = stack.name;
    return {
      kind: 'union',
      type: stack.type,
      fn: (s) => {
        const i = f(s);
        if (i < 0 || i >= n)
          runtimeFail(`index ${i} out of bounds for header union stack '${name}' of size ${n}`);
        return elements[i];
      },
    };
  }

  private lastStackIndex(node: JsonNode): DataNode {
    const st = this.stackOperand(node);
    const si = st.index;
    const top = (1n << 64n) - 1n;
    // bmv2 computes `count - 1` on a size_t, so an empty stack yields 2^64 - 1.
    if (st.union) {
      return bigNode((s) => (s.unionStackNext[si] === 0 ? top : BigInt(s.unionStackNext[si] - 1)), 0n, top);
    }
    return bigNode((s) => (s.stackNext[si] === 0 ? top : BigInt(s.stackNext[si] - 1)), 0n, top);
  }

  private stackOperand(node: JsonNode): { index: number; size: number; union: boolean } {
    const n = this.any(node);
    if (n.kind === 'stack') return { index: n.stack.index, size: n.stack.elements.length, union: false };
    if (n.kind === 'unionStack') return { index: n.stack.index, size: n.stack.elements.length, union: true };
    return node.fail(`expected a header stack, got a ${n.kind}`);
  }

  /** Constant value of a type-value node, if it is one (without compiling side paths twice). */
  peekConstant(node: JsonNode): bigint | undefined {
    node = unwrapTypeValue(node);
    const type = node.get('type').value;
    if (type === 'hexstr') return this.hexstr(node.req('value'));
    if (type === 'expression') {
      const n = this.any(node);
      if ((n.kind === 'num' || n.kind === 'big') && n.constant !== undefined) return n.constant;
    }
    return undefined;
  }
}

/** Strips `{type: 'expression', value: {type: ..., value: ...}}` nesting down to the innermost type-value. */
export function unwrapTypeValue(node: JsonNode): JsonNode {
  let n = node;
  while (n.isObject() && n.get('type').value === 'expression') {
    const v = n.get('value');
    if (v.isObject() && v.has('type') && !v.has('op')) n = v;
    else break;
  }
  return n;
}

/** Operators whose low k bits depend only on the low k bits of their operands. */
const MOD_OPS = new Set(['+', '-', '*', '&', '|', '^', '~', '<<', '?']);

/** Index of the valid member of a union, or -1. */
export function validMember(s: PacketState, u: UnionInfo): number {
  const m = u.members;
  for (let i = 0; i < m.length; i++) if (s.valid[m[i]] === 1) return i;
  return -1;
}

function headersEqual(
  s: PacketState,
  type: HeaderTypeInfo,
  a: number,
  b: number,
  numBase: Int32Array,
  bigBase: Int32Array,
  meta: Uint8Array,
): boolean {
  const va = s.valid[a] === 1 || meta[a] === 1;
  const vb = s.valid[b] === 1 || meta[b] === 1;
  if (!va || !vb) return false;
  for (const f of type.fields) {
    if (f.repr === 'num') {
      if (s.num[numBase[a] + f.poolOffset] !== s.num[numBase[b] + f.poolOffset]) return false;
    } else if (s.big[bigBase[a] + f.poolOffset] !== s.big[bigBase[b] + f.poolOffset]) {
      return false;
    }
  }
  return true;
}
