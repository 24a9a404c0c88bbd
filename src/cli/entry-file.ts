/**
 * Table entry files for `table load`: YAML or JSON (a list of entries as `table dump --json`
 * prints them, or `{ entries: [...] }`), or CSV with a header naming the columns. Every entry
 * carries `file:line` so that an error points at it.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { readInputFile, usageError } from './errors.js';
import type { EntryRecord } from './values.js';

export interface LocatedEntry {
  readonly record: EntryRecord;
  /** `file:line` */
  readonly where: string;
}

const KNOWN = new Set([
  'table',
  'match',
  'action',
  'params',
  'member',
  'group',
  'priority',
  'ttl',
  'isDefault',
  'isConst',
  'counter',
]);

function asText(value: unknown, where: string, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw usageError(`${where}: ${what} must be a value, got ${JSON.stringify(value)}`);
}

function asNumber(value: unknown, where: string, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw usageError(`${where}: ${what} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
}

function textRecord(value: unknown, where: string, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw usageError(`${where}: ${what} must be a mapping of name: value`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v, where, `${what}.${k}`)]));
}

/** Checks one entry object of a YAML/JSON file. */
export function recordFromObject(value: unknown, where: string, defaultTable?: string): EntryRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError(`${where}: expected an entry (table, match, action, params, ...)`);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!KNOWN.has(key))
      throw usageError(`${where}: unknown entry key '${key}' (known: ${[...KNOWN].join(', ')})`);
  const table = o.table ?? defaultTable;
  if (typeof table !== 'string' || table === '')
    throw usageError(`${where}: entry without a table (or use --table)`);
  const record: EntryRecord = { table, match: textRecord(o.match, where, 'match') };
  if (o.action !== undefined) {
    record.action = asText(o.action, where, 'action');
    record.params = textRecord(o.params, where, 'params');
  } else if (o.params !== undefined) throw usageError(`${where}: params without an action`);
  const member = asNumber(o.member, where, 'member');
  const group = asNumber(o.group, where, 'group');
  const priority = asNumber(o.priority, where, 'priority');
  const ttl = asNumber(o.ttl, where, 'ttl');
  if (member !== undefined) record.member = member;
  if (group !== undefined) record.group = group;
  if (priority !== undefined) record.priority = priority;
  if (ttl !== undefined) record.ttl = ttl;
  if (o.isConst === true) record.isConst = true;
  if (record.action === undefined && member === undefined && group === undefined)
    throw usageError(`${where}: entry of table ${table} without an action`);
  return record;
}

function loadStructured(text: string, file: string, defaultTable?: string): LocatedEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw usageError(`${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  let items: YamlNode | null | undefined = doc.contents as YamlNode | null;
  if (isMap(items)) items = items.get('entries', true) as YamlNode | undefined;
  if (items === null || items === undefined) return [];
  if (!isSeq(items)) throw usageError(`${file}:1: expected a list of entries (or entries: [...])`);
  return items.items.map((node, i) => {
    const offset = (node as YamlNode).range?.[0] ?? 0;
    const where = `${file}:${lines.linePos(offset).line}`;
    const value = (node as { toJSON?: () => unknown }).toJSON?.() ?? node;
    return { record: recordFromObject(value, `${where} (entry ${i + 1})`, defaultTable), where };
  });
}

function loadCsv(text: string, file: string, defaultTable?: string): LocatedEntry[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, info: true, comment: '#' });
  } catch (error) {
    throw usageError(`${file}: ${(error as Error).message}`);
  }
  return rows.map(({ record: row, info }) => {
    const where = `${file}:${info.lines}`;
    const record: Record<string, unknown> = { match: {}, params: {} };
    for (const [column, value] of Object.entries(row)) {
      if (value === '') continue;
      if (['table', 'action', 'priority', 'ttl', 'member', 'group'].includes(column)) record[column] = value;
      else if (column.startsWith('match.')) (record.match as Record<string, string>)[column.slice(6)] = value;
      else if (column.startsWith('param.'))
        (record.params as Record<string, string>)[column.slice(6)] = value;
      else
        throw usageError(
          `${where}: column '${column}': name key fields match.FIELD and parameters param.NAME (or table, action, priority, ttl, member, group)`,
        );
    }
    if (record.action === undefined) delete record.params;
    return { record: recordFromObject(record, where, defaultTable), where };
  });
}

/** Reads a YAML, JSON or CSV entry file. */
export async function loadEntryFile(file: string, defaultTable?: string): Promise<LocatedEntry[]> {
  const text = (await readInputFile(file, 'entry file')).toString('utf8');
  return /\.csv$/i.test(file) ? loadCsv(text, file, defaultTable) : loadStructured(text, file, defaultTable);
}
