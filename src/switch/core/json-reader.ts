/**
 * Typed, path-tracking access to untrusted JSON. Every accessor either returns a value of the expected type
 * or throws a {@link ConfigError} naming the JSON path, so loader code never handles `unknown` directly.
 */
import { ConfigError } from './errors.js';

/** A JSON value together with the path it was found at. */
export class JsonNode {
  constructor(
    readonly value: unknown,
    readonly path: string,
  ) {}

  /** Fails with a message naming this node's path. */
  fail(detail: string): never {
    throw new ConfigError(this.path, detail);
  }

  isNull(): boolean {
    return this.value === null || this.value === undefined;
  }

  isObject(): boolean {
    return typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value);
  }

  isArray(): boolean {
    return Array.isArray(this.value);
  }

  private asRecord(): Record<string, unknown> {
    if (!this.isObject()) this.fail(`expected a JSON object, got ${describe(this.value)}`);
    return this.value as Record<string, unknown>;
  }

  has(key: string): boolean {
    return this.isObject() && (this.value as Record<string, unknown>)[key] !== undefined;
  }

  /** Child attribute (may be absent: its value is then `undefined`). */
  get(key: string): JsonNode {
    return new JsonNode(this.asRecord()[key], `${this.path}.${key}`);
  }

  /** Child attribute that must be present (null allowed). */
  req(key: string): JsonNode {
    const rec = this.asRecord();
    if (!(key in rec)) this.fail(`missing required attribute '${key}'`);
    return new JsonNode(rec[key], `${this.path}.${key}`);
  }

  keys(): string[] {
    return Object.keys(this.asRecord());
  }

  /** Elements of an array node. */
  items(): JsonNode[] {
    if (!Array.isArray(this.value)) this.fail(`expected a JSON array, got ${describe(this.value)}`);
    return (this.value as unknown[]).map((v, i) => new JsonNode(v, `${this.path}[${i}]`));
  }

  /** Elements of an optional array attribute (absent or null means empty). */
  list(key: string): JsonNode[] {
    const child = this.get(key);
    return child.isNull() ? [] : child.items();
  }

  at(index: number): JsonNode {
    const arr = this.items();
    if (index >= arr.length) this.fail(`expected at least ${index + 1} elements, got ${arr.length}`);
    return arr[index];
  }

  str(): string {
    if (typeof this.value !== 'string') this.fail(`expected a string, got ${describe(this.value)}`);
    return this.value as string;
  }

  int(): number {
    if (typeof this.value !== 'number' || !Number.isInteger(this.value)) {
      this.fail(`expected an integer, got ${describe(this.value)}`);
    }
    return this.value as number;
  }

  /** A boolean; integers count as booleans (non-zero is true), as jsoncpp's `asBool` in bmv2's loader. */
  bool(): boolean {
    if (typeof this.value === 'number' && Number.isInteger(this.value)) return this.value !== 0;
    if (typeof this.value !== 'boolean') this.fail(`expected a boolean, got ${describe(this.value)}`);
    return this.value as boolean;
  }

  /** Optional boolean attribute with a default. */
  boolOr(key: string, fallback: boolean): boolean {
    const child = this.get(key);
    return child.isNull() ? fallback : child.bool();
  }

  /** Optional string attribute (absent or null -> undefined). */
  strOpt(key: string): string | undefined {
    const child = this.get(key);
    return child.isNull() ? undefined : child.str();
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${typeof v === 'object' ? '' : String(v)}`.trim();
}
