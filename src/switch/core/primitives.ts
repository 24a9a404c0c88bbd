/**
 * How an architecture adds its primitives to the core's (bmv2 registers a target's primitives
 * beside bm_sim's core ones, e.g. targets/simple_switch/primitives.cpp): a compiler per primitive
 * name, handed to the program loader.
 */
import type { CompileContext } from './context.js';
import type { Effect } from './data-nodes.js';
import type { ExprCompiler } from './expr.js';
import type { JsonNode } from './json-reader.js';

/** One primitive call being compiled. */
export interface PrimitiveCall {
  readonly node: JsonNode;
  readonly params: readonly JsonNode[];
  /** The expression compiler of the enclosing action (its action data are `local`s). */
  readonly expr: ExprCompiler;
  readonly ctx: CompileContext;
  /** Fails, naming the primitive, unless the call has `n` parameters. */
  want(n: number): void;
  /** This call compiled as the core primitive `op` (simple_switch's modify_field is assign). */
  core(op: string): Effect;
}

export type PrimitiveCompiler = (call: PrimitiveCall) => Effect;

/** An architecture's primitives by name. */
export type PrimitiveSet = ReadonlyMap<string, PrimitiveCompiler>;
