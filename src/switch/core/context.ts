/**
 * What the compilers of actions, parsers and control flow need to resolve names in the JSON.
 * Built once by the program loader; every lookup fails with a ConfigError naming the JSON path.
 */
import type { CalculationDef } from './calculation.js';
import type { ExprCompiler } from './expr.js';
import type { HeaderOps } from './header-ops.js';
import type { JsonNode } from './json-reader.js';
import type { Layout, StaticFieldRef } from './layout.js';

export interface CounterDef {
  readonly name: string;
  readonly jsonId: number;
  readonly size: number;
  readonly direct: boolean;
  /** Table the direct counter is bound to. */
  readonly binding: string | undefined;
  /** Index among indirect counter arrays (-1 for direct ones). */
  readonly index: number;
}

export interface MeterDef {
  readonly name: string;
  readonly jsonId: number;
  readonly size: number;
  readonly unit: 'packets' | 'bytes';
  readonly rateCount: number;
  readonly direct: boolean;
  readonly binding: string | undefined;
  /** Field receiving the color of a direct meter. */
  readonly resultTarget: StaticFieldRef | undefined;
  readonly index: number;
}

export interface RegisterDef {
  readonly name: string;
  readonly jsonId: number;
  readonly size: number;
  readonly width: number;
  readonly index: number;
}

/** A list of fields (bmv2 `field_lists` for clone/resubmit/recirculate, `learn_lists` for digests). */
export interface FieldListDef {
  readonly id: number;
  readonly name: string;
  readonly fields: readonly StaticFieldRef[];
}

export interface CompileContext {
  readonly layout: Layout;
  readonly expr: ExprCompiler;
  readonly headerOps: HeaderOps;
  counter(node: JsonNode, name: string): CounterDef;
  meter(node: JsonNode, name: string): MeterDef;
  register(node: JsonNode, name: string): RegisterDef;
  calculation(node: JsonNode, name: string): CalculationDef;
  fieldList(node: JsonNode, id: number): FieldListDef;
  learnList(node: JsonNode, id: number): FieldListDef;
}
