/**
 * The expression compiler's second mode: a value correct only modulo 2^k, for where only the low k
 * bits matter (a store into a k-bit field, `x & mask`, `two_comp_mod(x, k)`). It turns p4c's usual
 * `(a + b) & 0xffff` shapes into plain int32 arithmetic.
 */
import { bitLength, maskBig } from './bits.js';
import {
  asBig,
  asNum,
  bigNode,
  constData,
  type DataNode,
  evalBinary,
  type NumFn,
  numNode,
  type OperandCompiler,
  runtimeFail,
} from './data-nodes.js';
import type { JsonNode } from './json-reader.js';

/** Modular compilation for one expression compiler. */
export class ModularCompiler {
  constructor(private readonly c: OperandCompiler) {}

  modExpression(e: JsonNode, op: string, k: number): DataNode {
    if (op === '&') {
      const rc = this.c.peekConstant(e.req('right'));
      const lc = rc === undefined ? this.c.peekConstant(e.req('left')) : undefined;
      const c = rc ?? lc;
      if (c !== undefined) {
        const masked = BigInt.asUintN(k, c);
        const kk = Math.min(k, Math.max(bitLength(masked), 1));
        const x = this.c.dataMod(rc !== undefined ? e.req('left') : e.req('right'), kk);
        return this.c.andConst(x, masked);
      }
    }
    if (op === '?') {
      const c = this.c.bool(e.req('cond'));
      const l = this.c.dataMod(e.req('left'), k);
      const r = this.c.dataMod(e.req('right'), k);
      const cf = c.fn;
      if (l.kind === 'num' && r.kind === 'num') {
        const a = l.fn;
        const b = r.fn;
        return numNode((s) => (cf(s) ? a(s) : b(s)), 0n, maskBig(k));
      }
      const a = asBig(l);
      const b = asBig(r);
      return bigNode((s) => (cf(s) ? a(s) : b(s)), 0n, maskBig(k));
    }
    if (op === '~') {
      const x = this.c.dataMod(e.req('right'), k);
      if (x.constant !== undefined) return constData(BigInt.asUintN(k, ~x.constant));
      if (k <= 32) {
        const f = asNum(x);
        if (k === 32) return numNode((s) => ~f(s) >>> 0, 0n, maskBig(k));
        const m = 2 ** k - 1;
        return numNode((s) => ~f(s) & m, 0n, maskBig(k));
      }
      const f = asBig(x);
      return bigNode((s) => BigInt.asUintN(k, ~f(s)), 0n, maskBig(k));
    }
    if ((op === '+' || op === '-') && e.get('left').isNull()) {
      const r = this.c.dataMod(e.req('right'), k);
      return this.modBinary(op, constData(0n), r, k, e);
    }
    const l = this.c.dataMod(e.req('left'), k);
    const r = op === '<<' ? this.c.data(e.req('right')) : this.c.dataMod(e.req('right'), k);
    return this.modBinary(op, l, r, k, e);
  }

  /** l op r modulo 2^k, with l (and r, except for shifts) already in [0, 2^k). */
  private modBinary(op: string, l: DataNode, r: DataNode, k: number, e: JsonNode): DataNode {
    const top = maskBig(k);
    if (l.constant !== undefined && r.constant !== undefined) {
      try {
        return constData(BigInt.asUintN(k, evalBinary(op, l.constant, r.constant)));
      } catch (err) {
        return e.fail((err as Error).message);
      }
    }
    if (op === '<<' && r.min >= BigInt(k)) return constData(0n);
    if (k <= 32) {
      const a = asNum(l);
      const m = k === 32 ? -1 : 2 ** k - 1;
      const rc = r.constant !== undefined ? Number(r.constant) : undefined;
      switch (op) {
        case '+':
          if (k === 32)
            return numNode(
              rc !== undefined ? (s) => (a(s) + rc) >>> 0 : this.modNum2(l, r, (x, y) => x + y, -1),
              0n,
              top,
            );
          return numNode(
            rc !== undefined ? (s) => (a(s) + rc) & m : this.modNum2(l, r, (x, y) => x + y, m),
            0n,
            top,
          );
        case '-':
          if (k === 32)
            return numNode(
              rc !== undefined ? (s) => (a(s) - rc) >>> 0 : this.modNum2(l, r, (x, y) => x - y, -1),
              0n,
              top,
            );
          return numNode(
            rc !== undefined ? (s) => (a(s) - rc) & m : this.modNum2(l, r, (x, y) => x - y, m),
            0n,
            top,
          );
        case '*': {
          const b = asNum(r);
          if (k === 32) return numNode((s) => Math.imul(a(s), b(s)) >>> 0, 0n, top);
          return numNode((s) => Math.imul(a(s), b(s)) & m, 0n, top);
        }
        case '|': {
          const b = asNum(r);
          return numNode((s) => (a(s) | b(s)) >>> 0, 0n, top);
        }
        case '^': {
          const b = asNum(r);
          return numNode((s) => (a(s) ^ b(s)) >>> 0, 0n, top);
        }
        case '&': {
          const b = asNum(r);
          return numNode((s) => (a(s) & b(s)) >>> 0, 0n, top);
        }
        case '<<': {
          if (rc !== undefined) {
            if (k === 32) return numNode((s) => (a(s) << rc) >>> 0, 0n, top);
            return numNode((s) => (a(s) << rc) & m, 0n, top);
          }
          if (r.kind === 'num') {
            const b = r.fn;
            if (k === 32)
              return numNode(
                (s) => {
                  const sh = b(s);
                  return sh >= 32 ? 0 : (a(s) << sh) >>> 0;
                },
                0n,
                top,
              );
            return numNode(
              (s) => {
                const sh = b(s);
                return sh >= k ? 0 : (a(s) << sh) & m;
              },
              0n,
              top,
            );
          }
          const b = r.fn;
          const kb = BigInt(k);
          return numNode(
            (s) => {
              const sh = b(s);
              if (sh < 0n) runtimeFail(`negative shift amount ${sh}`);
              return sh >= kb ? 0 : ((a(s) << Number(sh)) & m) >>> 0;
            },
            0n,
            top,
          );
        }
        default:
          return e.fail(`operator '${op}' has no modular form`);
      }
    }
    const a = asBig(l);
    const b = asBig(r);
    const kb = BigInt(k);
    switch (op) {
      case '+':
        return bigNode((s) => BigInt.asUintN(k, a(s) + b(s)), 0n, top);
      case '-':
        return bigNode((s) => BigInt.asUintN(k, a(s) - b(s)), 0n, top);
      case '*':
        return bigNode((s) => BigInt.asUintN(k, a(s) * b(s)), 0n, top);
      case '|':
        return bigNode((s) => a(s) | b(s), 0n, top);
      case '^':
        return bigNode((s) => a(s) ^ b(s), 0n, top);
      case '&':
        return bigNode((s) => a(s) & b(s), 0n, top);
      case '<<':
        return bigNode(
          (s) => {
            const sh = b(s);
            if (sh < 0n) runtimeFail(`negative shift amount ${sh}`);
            return sh >= kb ? 0n : BigInt.asUintN(k, a(s) << sh);
          },
          0n,
          top,
        );
      default:
        return e.fail(`operator '${op}' has no modular form`);
    }
  }

  private modNum2(l: DataNode, r: DataNode, f: (x: number, y: number) => number, m: number): NumFn {
    const a = asNum(l);
    const b = asNum(r);
    if (m === -1) return (s) => f(a(s), b(s)) >>> 0;
    return (s) => f(a(s), b(s)) & m;
  }
}
