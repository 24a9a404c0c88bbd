/**
 * Reads a fabric file (YAML or JSON) within fixed limits (size, nesting depth, YAML aliases),
 * checks it against the schema and reports every problem at once as `file:line: path: message`,
 * with "missing required key" and "did you mean" where they apply. A file in the single-VTEP
 * format of earlier versions is recognised and loaded as such (see {@link LoadedFabric}).
 */
import { readFileSync, statSync } from 'node:fs';
import { closestNames } from 'p4runtime-ts-grpc';
import { type Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Fabric, fabricSchema } from './fabric-schema.js';
import { fastYaml } from './fast-yaml.js';
import type { FabricIntent } from './intent.js';
import { checkFabricIntent } from './parse-intent.js';
import { IntentError } from './plan.js';

/** Limits of what the loader reads; anything larger is refused before it is parsed. */
export interface LoadLimits {
  /** File size in bytes. Default 64 MiB (a 100,000-workload fabric is about 12 MiB). */
  maxBytes: number;
  /** Nesting depth of mappings and lists. Default 32 (a fabric needs 5). */
  maxDepth: number;
  /** YAML alias dereferences. Default 1,000. */
  maxAliases: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 32, maxAliases: 1000 };

export type PathSegment = string | number;
/** `file:line: path: ` for a path of the document. */
export type Where = (path: readonly PathSegment[]) => string;

/** A fabric file as loaded: the overlay format, or one VTEP in the earlier single-VTEP format. */
export type LoadedFabric =
  | { format: 'fabric'; file: string; fabric: Fabric; where: Where }
  | { format: 'single-vtep'; file: string; intent: FabricIntent };

/** Keys only the single-VTEP format has at its top level. */
const SINGLE_VTEP_KEYS = ['accessPorts', 'uplinks', 'localVteps', 'routes'];

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(top level)' : out;
}

/**
 * Deepest nesting of flow collections ([ ] and { }) in the raw text, outside quotes and comments:
 * checked before parsing, so that a file of nested brackets is refused in linear time.
 */
export function flowDepth(text: string, limit: number): number {
  // Character codes rather than one-character strings: this runs over every byte of the file.
  let depth = 0;
  let max = 0;
  let quote = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (comment) {
      if (c === 0x0a) comment = false;
    } else if (quote) {
      if (c === 0x5c && quote === 0x22) i++;
      else if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1]))) comment = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
  }
  return max;
}

/** Deepest nesting of the parsed document's collections (aliases are not followed). */
function nodeDepth(node: unknown, limit: number, depth = 0): number {
  if (depth > limit) return depth;
  let max = depth;
  if (isMap(node)) {
    for (const pair of node.items) max = Math.max(max, nodeDepth(pair.value, limit, depth + 1));
  } else if (isSeq(node)) {
    for (const item of node.items) max = Math.max(max, nodeDepth(item, limit, depth + 1));
  }
  return max;
}

function lineFinder(doc: Document, lines: LineCounter): (path: readonly PathSegment[]) => number {
  return (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    const rangeLine = (n: unknown) => {
      const range = (n as { range?: [number, number, number] } | undefined)?.range;
      if (range) line = lines.linePos(range[0]).line;
    };
    rangeLine(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === key);
        if (!pair) break;
        rangeLine(pair.key);
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        rangeLine(node);
      } else break;
    }
    return line ?? 1;
  };
}

/** Path segments of a dotted path like `fabric.tenants[0].vports[1].mac`. */
function splitPath(path: string): PathSegment[] {
  return path
    .replace(/^fabric\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((k) => k !== undefined && k !== '')
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/** The keys an object schema at `path` accepts (for "did you mean"). */
function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let s: unknown = schema;
  const unwrap = (x: unknown): unknown => {
    let cur = x as { def?: { type?: string; innerType?: unknown; options?: unknown[] } };
    for (let i = 0; i < 8 && cur?.def; i++) {
      if (cur.def.type === 'optional' || cur.def.type === 'default' || cur.def.type === 'nullable')
        cur = cur.def.innerType as typeof cur;
      else if (cur.def.type === 'union') {
        const obj = cur.def.options?.find((o) => (o as { def?: { type?: string } }).def?.type === 'object');
        if (!obj) break;
        cur = obj as typeof cur;
      } else break;
    }
    return cur;
  };
  for (const key of path) {
    s = unwrap(s);
    const def = (s as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (def?.type === 'object' && typeof key === 'string') s = def.shape?.[key];
    else if (def?.type === 'array' && typeof key === 'number') s = def.element;
    else return [];
  }
  const def = (unwrap(s) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** One message per schema issue, in the file's terms. */
export function describeIssues(data: unknown, issues: readonly z.core.$ZodIssue[], where: Where): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(fabricSchema, path);
      for (const key of issue.keys) {
        const close = closestNames(key, known, 1);
        const hint = close.length > 0 ? `did you mean '${close[0]}'?` : `expected one of ${known.join(', ')}`;
        out.push(`${where([...path, key])}unknown key '${key}': ${hint}`);
      }
    } else if (issue.code === 'invalid_type' && valueAt(data, path) === undefined) {
      out.push(`${where(path)}missing required key '${path[path.length - 1]}'`);
    } else {
      const got = valueAt(data, path);
      const shown = got === undefined || typeof got === 'object' ? '' : `, got ${JSON.stringify(got)}`;
      out.push(`${where(path)}${issue.message}${shown}`);
    }
  }
  return out;
}

/** Parses `text` (the contents of `file`) within `limits`; throws {@link IntentError}. */
export function parseFabricText(
  text: string,
  file: string,
  limits: LoadLimits = DEFAULT_LOAD_LIMITS,
): LoadedFabric {
  if (Buffer.byteLength(text) > limits.maxBytes)
    throw new IntentError([`${file}: larger than ${limits.maxBytes} bytes; refused before parsing`]);
  if (flowDepth(text, limits.maxDepth) > limits.maxDepth)
    throw new IntentError([`${file}: nested deeper than ${limits.maxDepth} levels; refused`]);
  const fast = fastYaml(text);
  if (
    fast !== undefined &&
    dataDepth(fast.data, limits.maxDepth) <= limits.maxDepth &&
    isFabricFormat(fast.data)
  ) {
    // A valid file is read once, without positions; lines are looked up (by reading the file
    // again with positions) only when a message needs one.
    const result = fabricSchema.safeParse(fast.data);
    if (result.success) return { format: 'fabric', file, fabric: result.data, where: lazyWhere(text, file) };
  }
  return parseWithPositions(text, file, limits);
}

/** Whether `data` is a mapping read in the fabric format (not the single-VTEP one). */
function isFabricFormat(data: unknown): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  const keys = Object.keys(data);
  return keys.includes('devices') || !keys.some((k) => SINGLE_VTEP_KEYS.includes(k));
}

/** Deepest nesting of plain data's objects and arrays, as {@link nodeDepth} counts it. */
export function dataDepth(data: unknown, limit: number, depth = 0): number {
  if (depth > limit || data === null || typeof data !== 'object') return depth;
  let max = depth;
  for (const v of Array.isArray(data) ? data : Object.values(data))
    max = Math.max(max, dataDepth(v, limit, depth + 1));
  return max;
}

/**
 * `file:line: path: `, the document read with positions at the first call (`text` may be given as
 * a function, so that a text kept as bytes is decoded only then).
 */
export function lazyWhere(text: string | (() => string), file: string): Where {
  let lineOf: ((path: readonly PathSegment[]) => number) | undefined;
  return (path) => {
    if (lineOf === undefined) {
      const lines = new LineCounter();
      const source = typeof text === 'string' ? text : text();
      lineOf = lineFinder(parseDocument(source, { lineCounter: lines, prettyErrors: false }), lines);
    }
    return `${file}:${lineOf(path)}: ${formatPath(path)}: `;
  };
}

/**
 * The reading that names lines: `yaml` with positions, every problem at once. Exported for the
 * tests that hold the fast reading to it.
 */
export function parseWithPositions(text: string, file: string, limits: LoadLimits): LoadedFabric {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new IntentError(
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  if (nodeDepth(doc.contents, limits.maxDepth) > limits.maxDepth)
    throw new IntentError([`${file}: nested deeper than ${limits.maxDepth} levels; refused`]);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (e) {
    throw new IntentError([
      `${file}: YAML aliases refused (more than ${limits.maxAliases} expansions, or an alias without its anchor): ${(e as Error).message.split('\n')[0]}`,
    ]);
  }
  const lineOf = lineFinder(doc, lines);
  const where: Where = (path) => `${file}:${lineOf(path)}: ${formatPath(path)}: `;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const keys = Object.keys(data);
    if (!keys.includes('devices') && keys.some((k) => SINGLE_VTEP_KEYS.includes(k))) {
      const legacyWhere = (p: string) => `${file}:${lineOf(splitPath(p))}: `;
      return { format: 'single-vtep', file, intent: checkFabricIntent(data, legacyWhere) };
    }
  }
  const result = fabricSchema.safeParse(data);
  if (!result.success) throw new IntentError(describeIssues(data, result.error.issues, where));
  return { format: 'fabric', file, fabric: result.data, where };
}

/** Reads and checks a fabric file; errors name the file and line. */
export function loadFabric(file: string, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadedFabric {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new IntentError([`${file}: cannot read: ${(e as Error).message}`]);
  }
  if (size > limits.maxBytes)
    throw new IntentError([
      `${file}: ${size} bytes is larger than ${limits.maxBytes}; refused before parsing`,
    ]);
  return parseFabricText(readFileSync(file, 'utf8'), file, limits);
}

/** How to write a single-VTEP file in the fabric format, for messages. */
export const SINGLE_VTEP_MIGRATION =
  'a single-VTEP file describes one device: in the fabric format, move accessPorts, uplinks, routes and ' +
  'localVteps (as vteps: { ipv4, ipv6 }) under devices: [{ name, address, ... }], give each workload ' +
  'its tenant, identity, device and port under workloads:, and write policies by identity name ' +
  '(docs/FABRIC.md, "From a single-VTEP file")';
