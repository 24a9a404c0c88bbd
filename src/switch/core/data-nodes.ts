/**
 * Compiled data nodes: closures over a {@link PacketState} with the static range [min, max] of the
 * values they produce, and the range arithmetic the expression compiler decides representations
 * with (see expr.ts: a node whose range is safe and whose operation is exact on doubles runs on
 * numbers, any other on bigints).
 */
import { bitLength, MAX_SAFE, MIN_SAFE, maskBig, type Value } from './bits.js';
import { PacketProcessingError } from './errors.js';
import type { JsonNode } from './json-reader.js';
import type {
  HeaderInfo,
  HeaderTypeInfo,
  Layout,
  StackInfo,
  UnionInfo,
  UnionStackInfo,
  UnionTypeInfo,
} from './layout.js';
import type { PacketState } from './state.js';

export type NumFn = (s: PacketState) => number;
export type BigFn = (s: PacketState) => bigint;
export type BoolFn = (s: PacketState) => boolean;
export type IndexFn = (s: PacketState) => number;
export type Effect = (s: PacketState) => void;

export interface NumNode {
  readonly kind: 'num';
  readonly fn: NumFn;
  readonly min: bigint;
  readonly max: bigint;
  readonly constant?: bigint;
}
export interface BigNode {
  readonly kind: 'big';
  readonly fn: BigFn;
  readonly min: bigint;
  readonly max: bigint;
  readonly constant?: bigint;
}
export type DataNode = NumNode | BigNode;
export interface BoolNode {
  readonly kind: 'bool';
  readonly fn: BoolFn;
  readonly constant?: boolean;
}
/** A header; `fn` yields its dense index, `fixed` is set when known at compile time. */
export interface HeaderNode {
  readonly kind: 'header';
  readonly type: HeaderTypeInfo;
  readonly fn: IndexFn;
  readonly fixed?: HeaderInfo;
}
export interface StackNode {
  readonly kind: 'stack';
  readonly stack: StackInfo;
}
export interface UnionNode {
  readonly kind: 'union';
  readonly type: UnionTypeInfo;
  readonly fn: IndexFn;
  readonly fixed?: UnionInfo;
}
export interface UnionStackNode {
  readonly kind: 'unionStack';
  readonly stack: UnionStackInfo;
}
export type AnyNode = DataNode | BoolNode | HeaderNode | StackNode | UnionNode | UnionStackNode;

/** A writable data location. */
export interface LValue {
  readonly read: DataNode;
  /** Width in bits (for VL fields: the maximum width). */
  readonly width: number;
  readonly signed: boolean;
  readonly saturating: boolean;
  readonly vl: boolean;
  /** Compiles `this = src` where src is JSON (so that it can be compiled modulo the width). */
  assignJson(src: JsonNode): Effect;
  /** Compiles `this = node` for an already compiled source. */
  assignNode(src: DataNode): Effect;
  /** Stores a run-time value (truncated like a bmv2 field store). */
  store(s: PacketState, v: Value): void;
  /** For VL fields only: copies width and value from another VL location (bmv2 `assign_VL`). */
  readonly vlRef?: { readonly header: IndexFn; readonly slot: IndexFn };
}

/** Information about the action parameters visible as `local` operands. */
export interface LocalInfo {
  readonly width: number;
}

/** What the compiler needs from its surroundings. */
export interface ExprEnv {
  readonly layout: Layout;
  /** Register arrays by name: run-time index, cell width and size. */
  register(
    node: JsonNode,
    name: string,
  ): { readonly index: number; readonly width: number; readonly size: number };
  /** Meaning of `local` operands (action runtime data); undefined where locals are not allowed. */
  readonly locals?: readonly LocalInfo[];
  /** Alternative meaning of `local` (VL length expressions: fields of the header being extracted). */
  readonly localField?: (node: JsonNode, index: number) => DataNode;
}

/** Range of the values a field of this width and signedness holds. */
export function fieldRange(f: { width: number; signed: boolean }): [bigint, bigint] {
  if (f.signed) return [-(1n << BigInt(f.width - 1)), (1n << BigInt(f.width - 1)) - 1n];
  return [0n, maskBig(f.width)];
}

/** What lvalue and modular compilation (lvalues.ts, expr-modular.ts) use of the expression compiler. */
export interface OperandCompiler {
  readonly env: ExprEnv;
  data(node: JsonNode): DataNode;
  dataMod(node: JsonNode, k: number): DataNode;
  bool(node: JsonNode): BoolNode;
  header(node: JsonNode): HeaderNode;
  andConst(x: DataNode, c: bigint): DataNode;
  peekConstant(node: JsonNode): bigint | undefined;
}
// Ranges are clamped to +-2^4096: anything beyond is "huge" and handled with bigints anyway.
export const LIMIT = 1n << 4096n;
export const INT32_MIN = -(2n ** 31n);
export const INT32_MAX = 2n ** 31n - 1n;
export const UINT32_MAX = 2n ** 32n - 1n;

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
export function clampBig(v: bigint, lo: bigint, hi: bigint): bigint {
  return minBig(maxBig(v, lo), hi);
}
export function clampLo(v: bigint): bigint {
  return v < -LIMIT ? -LIMIT : v > LIMIT ? LIMIT : v;
}
export function isSafe(min: bigint, max: bigint): boolean {
  return min >= MIN_SAFE && max <= MAX_SAFE;
}
export function inUint32(n: DataNode): boolean {
  return n.kind === 'num' && n.min >= 0n && n.max <= UINT32_MAX;
}
export function inInt32(n: DataNode): boolean {
  return n.kind === 'num' && n.min >= INT32_MIN && n.max <= INT32_MAX;
}
export function minMax(values: bigint[]): [bigint, bigint] {
  let lo = values[0];
  let hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [clampLo(lo), clampLo(hi)];
}

export function numNode(fn: NumFn, min: bigint, max: bigint): NumNode {
  return { kind: 'num', fn, min, max };
}
export function bigNode(fn: BigFn, min: bigint, max: bigint): BigNode {
  return { kind: 'big', fn, min, max };
}

/** A constant data node (number when it is a safe integer). */
export function constData(v: bigint): DataNode {
  if (v >= MIN_SAFE && v <= MAX_SAFE) {
    const n = Number(v);
    return { kind: 'num', fn: () => n, min: v, max: v, constant: v };
  }
  return { kind: 'big', fn: () => v, min: v, max: v, constant: v };
}

/** Closure returning the node's value as a bigint. */
export function asBig(n: DataNode): BigFn {
  if (n.kind === 'big') return n.fn;
  if (n.constant !== undefined) {
    const c = n.constant;
    return () => c;
  }
  const f = n.fn;
  return (s) => BigInt(f(s));
}

/** Closure returning the node's value as a number; only valid when the range is safe. */
export function asNum(n: DataNode): NumFn {
  if (n.kind === 'num') return n.fn;
  const f = n.fn;
  return (s) => Number(f(s));
}

/** Wraps a bigint-producing closure into a node, using a number representation when the range is safe. */
export function fromBig(fn: BigFn, min: bigint, max: bigint): DataNode {
  if (isSafe(min, max)) return numNode((s) => Number(fn(s)), min, max);
  return bigNode(fn, min, max);
}

/** Reduces a node modulo 2^k into [0, 2^k). */
export function wrapMod(n: DataNode, k: number): DataNode {
  const top = maskBig(k);
  if (n.min >= 0n && n.max <= top) return n;
  if (n.constant !== undefined) return constData(BigInt.asUintN(k, n.constant));
  if (k <= 32) {
    if (n.kind === 'num') {
      const f = n.fn;
      if (k === 32) return numNode((s) => f(s) >>> 0, 0n, top);
      const m = 2 ** k - 1;
      // ToInt32 reduces modulo 2^32, so `& m` yields the value modulo 2^k for any safe integer.
      return numNode((s) => f(s) & m, 0n, top);
    }
    const f = n.fn;
    return numNode((s) => Number(BigInt.asUintN(k, f(s))), 0n, top);
  }
  const f = asBig(n);
  return bigNode((s) => BigInt.asUintN(k, f(s)), 0n, top);
}

/** Throws the run-time error bmv2 would hit as a failed assertion / crash. */
export function runtimeFail(message: string): never {
  throw new PacketProcessingError(message);
}

/** Exact evaluation of a binary data operator on bigints (constant folding and the bigint path). */
export function evalBinary(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '<<':
      if (b < 0n) runtimeFail(`negative shift amount ${b}`);
      if (b > 1n << 24n && a !== 0n) runtimeFail(`shift amount ${b} too large`);
      return a === 0n ? 0n : a << b;
    case '>>':
      if (b < 0n) runtimeFail(`negative shift amount ${b}`);
      return b > 1n << 24n ? (a < 0n ? -1n : 0n) : a >> b;
    case '%':
      if (a < 0n || b <= 0n) runtimeFail(`modulo requires a >= 0 and b > 0 (got ${a} % ${b})`);
      return a % b;
    case '/':
      if (a < 0n || b <= 0n) runtimeFail(`division requires a >= 0 and b > 0 (got ${a} / ${b})`);
      return a / b;
    default:
      throw new Error(`unexpected operator ${op}`);
  }
}

export function twoCompMod(v: bigint, width: bigint): bigint {
  if (width <= 0n) runtimeFail(`two_comp_mod width must be positive (got ${width})`);
  return BigInt.asIntN(Number(width), v);
}
export function satCast(v: bigint, width: bigint): bigint {
  const max = (1n << (width - 1n)) - 1n;
  const min = -(1n << (width - 1n));
  return clampBig(v, min, max);
}
export function usatCast(v: bigint, width: bigint): bigint {
  return clampBig(v, 0n, (1n << width) - 1n);
}

/** Range of a binary operator's result given operand ranges. */
export function binaryRange(op: string, l: DataNode, r: DataNode): [bigint, bigint] {
  switch (op) {
    case '+':
      return [clampLo(l.min + r.min), clampLo(l.max + r.max)];
    case '-':
      return [clampLo(l.min - r.max), clampLo(l.max - r.min)];
    case '*':
      return minMax([l.min * r.min, l.min * r.max, l.max * r.min, l.max * r.max]);
    case '<<': {
      const lo = r.min < 0n ? 0n : r.min;
      const hi = r.max;
      if (hi > 4096n) {
        if (l.min === 0n && l.max === 0n) return [0n, 0n];
        return [l.min < 0n ? -LIMIT : 0n, l.max > 0n ? LIMIT : 0n];
      }
      return minMax([l.min << lo, l.min << hi, l.max << lo, l.max << hi]);
    }
    case '>>': {
      const lo = r.min < 0n ? 0n : r.min > 8192n ? 8192n : r.min;
      const hi = r.max > 8192n ? 8192n : r.max;
      return minMax([l.min >> lo, l.min >> hi, l.max >> lo, l.max >> hi]);
    }
    case '%': {
      let hi = r.max - 1n;
      if (l.max < hi) hi = l.max;
      return [0n, hi < 0n ? 0n : hi];
    }
    case '/':
      return [0n, l.max < 0n ? 0n : l.max];
    case '&':
      if (l.min >= 0n && r.min >= 0n) return [0n, minBig(l.max, r.max)];
      if (l.min >= 0n) return [0n, l.max];
      if (r.min >= 0n) return [0n, r.max];
      return bitwiseRange(l, r);
    case '|':
    case '^':
      if (l.min >= 0n && r.min >= 0n) {
        const bits = Math.max(bitLength(l.max), bitLength(r.max));
        return [0n, maskBig(bits)];
      }
      return bitwiseRange(l, r);
    default:
      throw new Error(`unexpected operator ${op}`);
  }
}

export function bitwiseRange(l: DataNode, r: DataNode): [bigint, bigint] {
  const bits = Math.max(bitLength(l.min), bitLength(l.max), bitLength(r.min), bitLength(r.max)) + 1;
  const b = BigInt(Math.min(bits, 4096));
  return [-(1n << b), (1n << b) - 1n];
}

/** Floor shift right on numbers, exact for any safe integer and any non-negative amount. */
export function shrNum(a: number, b: number): number {
  if (b >= 53) return a < 0 ? -1 : 0;
  return Math.floor(a / 2 ** b);
}
