/**
 * Values as operators type them and read them: decimal, 0x hex, MAC, IPv4, IPv6, prefixes
 * (10.0.0.0/8), ternary (v&&&m or v/m), ranges (lo..hi), `*` for "don't care". Read values
 * are printed back in the same forms, so a dumped entry can be typed (or loaded) again.
 */
import type {
  BitField,
  DecodedMatch,
  DecodeOptions,
  MatchFieldInfo,
  MatchValue,
  P4Value,
  TableEntryData,
  TableInfo,
} from 'p4runtime-ts-grpc';
import { usageError } from './errors.js';

/** Splits `name=value` arguments into a record, naming the bad argument on error. */
export function parseAssignments(items: readonly string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(`${what} '${item}': expected name=value`);
    const name = item.slice(0, eq).trim();
    if (name in out) throw usageError(`${what} '${name}' given twice`);
    out[name] = item.slice(eq + 1).trim();
  }
  return out;
}

/** Collects repeated options (`--match a=1 --match b=2`, or `--match a=1,b=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(/,(?=[^,=]+=)/)];
}

const PREFIX_LENGTH = /^\d{1,3}$/;

/** Converts one typed value for a key field into the client's match form. */
export function parseMatchValue(field: MatchFieldInfo, text: string): MatchValue {
  const value = text.trim();
  if (value === '*' || value === '') {
    if (field.matchKind === 'exact')
      throw usageError(`${field.label}: an exact field cannot be '*' (don't care); give a value`);
    return null;
  }
  if (field.matchKind === 'ternary' && !value.includes('&&&') && value.includes('/')) {
    const slash = value.lastIndexOf('/');
    const base = value.slice(0, slash);
    const right = value.slice(slash + 1);
    if (PREFIX_LENGTH.test(right)) {
      const length = Number(right);
      if (length > field.bitwidth)
        throw usageError(
          `${field.label}: prefix length ${length} is longer than the field (${field.bitwidth} bits)`,
        );
      const mask = ((1n << BigInt(length)) - 1n) << BigInt(field.bitwidth - length);
      return { value: base, mask: mask };
    }
    return { value: base, mask: right };
  }
  if (field.matchKind === 'range' && !value.includes('..')) return { low: value, high: value };
  return value;
}

/** Parses `--match f=v ...` for a table into the client's match record. */
export function parseMatch(
  table: TableInfo,
  items: readonly string[] | undefined,
): Record<string, MatchValue> {
  const out: Record<string, MatchValue> = {};
  for (const [name, text] of Object.entries(parseAssignments(items, `table ${table.name} match`))) {
    const field = table.matchFields.get(name);
    out[field.name] = parseMatchValue(field, text);
  }
  return out;
}

/** The printed form of a field: MAC, IPv4, IPv6 where the field is an address, else number. */
export function displayFormat(field: BitField): DecodeOptions['format'] {
  if (field.bitwidth === 48) return 'mac';
  if (field.bitwidth === 128) return 'ipv6';
  // A 32-bit longest-prefix key is an IPv4 route in practice.
  if (field.bitwidth === 32 && (field as Partial<MatchFieldInfo>).matchKind === 'lpm') return 'ipv4';
  return undefined;
}

/** Decode options that render addresses as addresses (by name and width) for a whole table. */
export function decodeOptionsFor(fields: Iterable<BitField>): DecodeOptions {
  const fieldFormats: Record<string, 'mac' | 'ipv6' | 'ipv4'> = {};
  for (const f of fields) {
    const format = displayFormat(f);
    if (format === 'mac' || format === 'ipv6' || format === 'ipv4') fieldFormats[f.name] = format;
  }
  return { format: 'smart', fieldFormats };
}

function text(value: P4Value): string {
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  return String(value);
}

function hex(value: P4Value): string {
  if (typeof value === 'number' || typeof value === 'bigint') return `0x${value.toString(16)}`;
  return text(value);
}

/** Prints a decoded match value in the form it is typed. */
export function formatMatch(field: MatchFieldInfo | undefined, value: DecodedMatch): string {
  if (typeof value !== 'object' || value instanceof Uint8Array) return text(value);
  if ('prefixLen' in value) return `${text(value.value)}/${value.prefixLen}`;
  if ('mask' in value) {
    const numeric = typeof value.value === 'number' || typeof value.value === 'bigint';
    return numeric
      ? `${hex(value.value)}&&&${hex(value.mask)}`
      : `${text(value.value)}&&&${text(value.mask)}`;
  }
  if ('low' in value) {
    const low = text(value.low);
    const high = text(value.high);
    return low === high && field?.matchKind !== 'range' ? low : `${low}..${high}`;
  }
  return text(value as P4Value);
}

/** An entry as genevectl prints it and `table load` reads it back. */
export interface EntryRecord {
  table: string;
  match: Record<string, string>;
  action?: string;
  params?: Record<string, string>;
  member?: number;
  group?: number;
  priority?: number;
  /** Idle timeout in ms (tables with support_timeout). */
  ttl?: number;
  isDefault?: boolean;
  isConst?: boolean;
  counter?: { packets: string; bytes: string };
}

/** Converts a decoded table entry into the printed (and loadable) record. */
export function entryRecord(table: TableInfo, entry: TableEntryData): EntryRecord {
  const match: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.match))
    match[name] = formatMatch(table.matchFields.find(name), value);
  const record: EntryRecord = { table: table.name, match };
  if (entry.action !== undefined) {
    record.action = entry.action;
    record.params = Object.fromEntries(Object.entries(entry.params ?? {}).map(([k, v]) => [k, text(v)]));
  }
  if (entry.member !== undefined) record.member = entry.member;
  if (entry.group !== undefined) record.group = entry.group;
  if (entry.priority) record.priority = entry.priority;
  if (entry.idleTimeoutNs !== undefined) record.ttl = Number(entry.idleTimeoutNs / 1_000_000n);
  if (entry.isDefaultAction) record.isDefault = true;
  if (entry.isConst) record.isConst = true;
  if (entry.counterData)
    record.counter = {
      packets: String(entry.counterData.packets),
      bytes: String(entry.counterData.bytes),
    };
  return record;
}

/** `a=1, b=2` */
export function formatAssignments(values: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(values ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** The key of an entry for comparing file and device: table, match and priority. */
export function entryKey(record: Pick<EntryRecord, 'table' | 'match' | 'priority'>): string {
  const match = Object.entries(record.match)
    .filter(([, v]) => v !== '*')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${record.table}|${match}|${record.priority ?? 0}`;
}
