/**
 * A fabric file read again after each change, re-reading only what an edit touched. The bytes of
 * the last good version are kept with the offsets of the items of its top-level lists `tenants`
 * and `workloads` (block style, one `- ` per item). A new version is compared with it (common head
 * and tail, by memcmp); when the bytes that differ lie among the items of one such list, only the
 * items around them are parsed (fast-yaml.ts), checked with the item's schema and put in place of
 * the old ones: the other items keep their objects (so fabric-delta.ts sees what changed by
 * identity). Anything else (another key, a list in flow style, YAML features the fast reading
 * leaves to `yaml`, an item the schema refuses) is read in full by load-fabric.ts, which names
 * every problem with its file:line; nothing is patched then.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { z } from 'zod';
import { type Fabric, tenantSchema, workloadSchema } from './fabric-schema.js';
import { fastYaml } from './fast-yaml.js';
import {
  DEFAULT_LOAD_LIMITS,
  dataDepth,
  flowDepth,
  type LoadedFabric,
  type LoadLimits,
  lazyWhere,
  parseFabricText,
} from './load-fabric.js';
import { IntentError } from './plan.js';

/** The lists whose items are re-read one by one, with the schema of an item. */
const LISTS = { tenants: tenantSchema, workloads: workloadSchema } as const satisfies Record<
  string,
  z.ZodType
>;
type ListKey = keyof typeof LISTS;

/** A top-level key's part of the file, in bytes. */
interface Section {
  key: string;
  /** First byte of the key's line. */
  start: number;
  /** First byte after the section (the next top-level key's line, or the end of the file). */
  end: number;
  /** For a list of {@link LISTS} in block style: the indent of its `- ` and where each item starts. */
  indent?: number;
  items?: Float64Array;
}

const NL = 0x0a;
const SPACE = 0x20;
const DASH = 0x2d;
const HASH = 0x23;

/** Where each line starts. */
function lineStarts(buf: Buffer, from = 0, to = buf.length): number[] {
  const out: number[] = [];
  for (let p = from; p < to; ) {
    out.push(p);
    const nl = buf.indexOf(NL, p);
    if (nl < 0 || nl >= to) break;
    p = nl + 1;
  }
  return out;
}

/** True for a line that holds nothing (blank, or a comment only). */
function emptyLine(buf: Buffer, p: number, end: number): boolean {
  while (p < end && (buf[p] === SPACE || buf[p] === 0x09 || buf[p] === 0x0d)) p++;
  return p >= end || buf[p] === NL || buf[p] === HASH;
}

/** Whether the line at `p` is `- ` (or a lone `-`) at column `indent`. */
function itemLine(buf: Buffer, p: number, indent: number): boolean {
  for (let i = 0; i < indent; i++) if (buf[p + i] !== SPACE) return false;
  const c = buf[p + indent + 1];
  return buf[p + indent] === DASH && (c === SPACE || c === NL || c === 0x0d || c === undefined);
}

/** The sections of a file (block-style lists of {@link LISTS} with their items); undefined if odd. */
function indexSections(buf: Buffer): Section[] | undefined {
  const sections: Array<Omit<Section, 'items'> & { items?: number[] }> = [];
  let current: (typeof sections)[number] | undefined;
  for (const p of lineStarts(buf)) {
    const c = buf[p];
    if (c === SPACE || c === NL || c === 0x0d || c === HASH || c === 0x09 || p >= buf.length) {
      if (current?.items && !emptyLine(buf, p, buf.length)) {
        if (current.indent === undefined) {
          let n = 0;
          while (buf[p + n] === SPACE) n++;
          if (!itemLine(buf, p, n))
            current.items = undefined; // a mapping, or flow style
          else current.indent = n;
        }
        if (current.items && current.indent !== undefined && itemLine(buf, p, current.indent))
          current.items.push(p);
      }
      continue;
    }
    if (c === DASH) {
      // `- ` at column 0: an item of a list indented as its key, else (`---`) a document marker.
      if (!current?.items || !itemLine(buf, p, 0)) return undefined;
      if (current.indent === undefined) current.indent = 0;
      if (current.indent !== 0) return undefined;
      current.items.push(p);
      continue;
    }
    if (c === 0x2e || c === 0x25) return undefined; // `...`, `%` directives
    if (current) current.end = p;
    const colon = buf.indexOf(':', p);
    const key = buf.toString('utf8', p, colon < 0 ? p : colon).trim();
    current = { key, start: p, end: buf.length };
    // A list of LISTS whose value starts on the next line (`key:` then the items).
    if (key in LISTS && emptyLine(buf, colon + 1, buf.length)) current.items = [];
    sections.push(current);
  }
  return sections.map(({ items, ...x }): Section => (items ? { ...x, items: Float64Array.from(items) } : x));
}

/** Bytes both buffers share at their start. */
function commonHead(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  const CHUNK = 1 << 16;
  let i = 0;
  while (i + CHUNK <= n && a.compare(b, i, i + CHUNK, i, i + CHUNK) === 0) i += CHUNK;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Bytes both buffers share at their end, at most `max`. */
function commonTail(a: Buffer, b: Buffer, max: number): number {
  const CHUNK = 1 << 16;
  let i = 0;
  while (
    i + CHUNK <= max &&
    a.compare(b, b.length - i - CHUNK, b.length - i, a.length - i - CHUNK, a.length - i) === 0
  )
    i += CHUNK;
  while (i < max && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/** Last index of `xs` (sorted) whose value is <= `v`, or -1. */
function lastAtMost(xs: Float64Array, v: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** `items` with [from, to) replaced by `fresh`, and what follows moved by `delta` bytes. */
function spliced(
  items: Float64Array,
  from: number,
  to: number,
  fresh: readonly number[],
  delta: number,
): Float64Array {
  const out = new Float64Array(items.length - (to - from) + fresh.length);
  out.set(items.subarray(0, from));
  out.set(fresh, from);
  const at = from + fresh.length;
  for (let i = to; i < items.length; i++) out[at + i - to] = items[i] + delta;
  return out;
}

/** What one read of the file gave. */
export interface FabricRead {
  loaded: LoadedFabric;
  /** Only the items around the edit were parsed (the rest kept from the previous version). */
  incremental: boolean;
  /** The items re-read: list and count (for logs and tests). */
  reread?: { list: string; items: number };
}

export class FabricFile {
  /** The last good version: its bytes (a view of `buffer`) and what was read from them. */
  private bytes?: Buffer;
  private buffer?: Buffer;
  private last?: { fabric: Fabric; sections: Section[] | undefined; loaded: LoadedFabric };
  /** The bytes of the last version seen, good or not (an unchanged file is not read again). */
  private seen?: Buffer;
  /** A buffer to read the next version into (the one before the last good, reused). */
  private spare?: Buffer;

  constructor(
    readonly file: string,
    private readonly limits: LoadLimits = DEFAULT_LOAD_LIMITS,
  ) {}

  /** The file's bytes, read into the spare buffer (no allocation of the file's size per read). */
  private readBytes(): { buffer: Buffer; bytes: Buffer } | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (e) {
      throw new IntentError([`${this.file}: cannot read: ${(e as Error).message}`]);
    }
    try {
      const stat = fstatSync(fd);
      const size = stat.size;
      if (size > this.limits.maxBytes)
        throw new IntentError([
          `${this.file}: ${size} bytes is larger than ${this.limits.maxBytes}; refused before parsing`,
        ]);
      if (!this.spare || this.spare.length < size)
        this.spare = Buffer.allocUnsafe(Math.ceil(size * 1.25) + 1024);
      const buffer = this.spare;
      let n = 0;
      while (n < size) {
        const got = readSync(fd, buffer, n, size - n, n);
        if (got === 0) break;
        n += got;
      }
      // Written to while it was read (an editor writing in place): its next change event reads it.
      const after = fstatSync(fd);
      if (n !== size || after.size !== size || after.mtimeMs !== stat.mtimeMs) return undefined;
      return { buffer, bytes: buffer.subarray(0, n) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Reads the file; undefined when it is byte for byte the version last read, or was being written
   * while it was read (the writer's next change is seen). Throws
   * {@link IntentError} (every problem, with file:line) for a file with mistakes; the version kept
   * for the next comparison is then the last good one.
   */
  read(): FabricRead | undefined {
    const got = this.readBytes();
    if (!got) return undefined;
    const { buffer, bytes } = got;
    if (this.seen?.equals(bytes)) return undefined;
    this.spare = undefined; // these bytes are kept (as seen, and as the good version if they are)
    this.seen = bytes;
    const local = this.readLocal(bytes);
    let read: FabricRead;
    if (local) {
      read = local.read;
      this.last = local.last;
    } else {
      const loaded = parseFabricText(bytes.toString('utf8'), this.file, this.limits);
      this.last =
        loaded.format === 'fabric'
          ? { fabric: loaded.fabric, sections: indexSections(bytes), loaded }
          : undefined;
      read = { loaded, incremental: false };
    }
    if (this.buffer && this.buffer !== buffer) this.spare = this.buffer;
    this.buffer = buffer;
    this.bytes = bytes;
    return read;
  }

  /** The edit re-read item by item, or undefined when the whole file is to be read. */
  private readLocal(bytes: Buffer): { read: FabricRead; last: NonNullable<FabricFile['last']> } | undefined {
    const before = this.bytes;
    const last = this.last;
    if (!before || !last?.sections) return undefined;
    const head = commonHead(before, bytes);
    const tail = commonTail(before, bytes, Math.min(before.length, bytes.length) - head);
    const oldEnd = before.length - tail;
    const delta = bytes.length - before.length;
    const si = last.sections.findIndex(
      (s) => s.items && s.items.length > 0 && s.items[0] <= head && oldEnd <= s.end,
    );
    if (si < 0) return undefined;
    const section = last.sections[si];
    const items = section.items!;
    const indent = section.indent!;
    const i0 = lastAtMost(items, head);
    const i1 = Math.max(i0, lastAtMost(items, oldEnd - 1));
    const from = items[i0];
    const to = i1 + 1 < items.length ? items[i1 + 1] : section.end;
    const newTo = to + delta;
    if (newTo < from) return undefined;
    // The new bytes there must be items of this list only: `- ` at its indent, deeper lines, blanks.
    const starts: number[] = [];
    for (const p of lineStarts(bytes, from, newTo)) {
      if (itemLine(bytes, p, indent)) starts.push(p);
      else if (emptyLine(bytes, p, newTo)) continue;
      else {
        for (let i = 0; i <= indent; i++) if (bytes[p + i] !== SPACE) return undefined;
        if (starts.length === 0) return undefined;
      }
    }
    const text = bytes.toString('utf8', from, newTo);
    if (flowDepth(text, this.limits.maxDepth) > this.limits.maxDepth - 2) return undefined;
    const parsed = text.trim() === '' ? { data: [] } : fastYaml(text);
    if (!parsed || !Array.isArray(parsed.data) || parsed.data.length !== starts.length) return undefined;
    const schema = LISTS[section.key as ListKey];
    const fresh: unknown[] = [];
    for (const item of parsed.data) {
      if (dataDepth(item, this.limits.maxDepth) > this.limits.maxDepth - 2) return undefined;
      const result = schema.safeParse(item);
      if (!result.success) return undefined; // the whole reading says what is wrong, and where
      fresh.push(result.data);
    }
    const key = section.key as ListKey;
    const list = last.fabric[key] as unknown[];
    const fabric: Fabric = { ...last.fabric, [key]: list.slice(0, i0).concat(fresh, list.slice(i1 + 1)) };
    // The offsets of the new version.
    const sections = last.sections.map((s, i): Section => {
      if (i < si) return s;
      if (i > si)
        return {
          ...s,
          start: s.start + delta,
          end: s.end + delta,
          ...(s.items ? { items: s.items.map((p) => p + delta) } : {}),
        };
      return {
        ...s,
        end: s.end + delta,
        items: spliced(items, i0, i1 + 1, starts, delta),
      };
    });
    // (Positions are looked up, for messages, before the next read reuses these bytes' buffer.)
    let decoded: string | undefined;
    const loaded: LoadedFabric = {
      format: 'fabric',
      file: this.file,
      fabric,
      where: lazyWhere(() => {
        decoded ??= bytes.toString('utf8');
        return decoded;
      }, this.file),
    };
    return {
      read: { loaded, incremental: true, reread: { list: key, items: fresh.length } },
      last: { fabric, sections, loaded },
    };
  }
}
