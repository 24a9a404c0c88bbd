/**
 * A small protobuf text-format reader (the `.txtpb` / `.p4info.txt` format p4c emits), plus a
 * schema-driven converter from the parsed tree, or from protobuf-JSON, into the plain-object
 * form the generated classes' `fromObject` accepts. Schema comes from the reflection root in
 * ../generated/descriptor.js, so unknown fields are reported instead of silently dropped.
 */
import protobuf from 'protobufjs/light.js';
import { P4InfoParseError } from '../errors.js';

/** A parsed scalar token with its position, for error messages. */
interface TextScalar {
  readonly kind: 'identifier' | 'number' | 'string';
  /** Token text (numbers, identifiers) or decoded bytes (strings). */
  readonly text: string;
  readonly bytes?: Uint8Array;
  readonly line: number;
  readonly column: number;
}

/** A parsed message: fields in order of appearance (repeated fields appear several times). */
export interface TextMessage {
  readonly fields: TextField[];
}

interface TextField {
  readonly name: string;
  readonly value: TextScalar | TextMessage;
  readonly line: number;
  readonly column: number;
}

interface Token {
  readonly kind: 'identifier' | 'number' | 'string' | 'punct';
  readonly text: string;
  readonly bytes?: Uint8Array;
  readonly line: number;
  readonly column: number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}

/** Splits text-format input into tokens; comments (`# ...`) and whitespace are skipped. */
function tokenize(input: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string): never => {
    throw new P4InfoParseError(`${source}:${line}:${i - lineStart + 1}: ${message}`);
  };
  while (i < input.length) {
    const c = input[i];
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    const column = i - lineStart + 1;
    if ('{}<>[]:,;'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line, column });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const bytes: number[] = [];
      i++;
      while (true) {
        if (i >= input.length || input[i] === '\n') fail('unterminated string');
        const ch = input[i];
        if (ch === c) {
          i++;
          break;
        }
        if (ch !== '\\') {
          const code = input.codePointAt(i)!;
          const width = code > 0xffff ? 2 : 1;
          for (const b of utf8.encode(input.slice(i, i + width))) bytes.push(b);
          i += width;
          continue;
        }
        const e = input[i + 1];
        i += 2;
        const simple: Record<string, number> = {
          n: 10,
          t: 9,
          r: 13,
          a: 7,
          b: 8,
          f: 12,
          v: 11,
          '\\': 92,
          "'": 39,
          '"': 34,
          '?': 63,
        };
        if (e in simple) bytes.push(simple[e]);
        else if (e === 'x' || e === 'X') {
          const m = /^[0-9a-fA-F]{1,2}/.exec(input.slice(i, i + 2));
          if (!m) fail('invalid \\x escape');
          bytes.push(Number.parseInt(m![0], 16));
          i += m![0].length;
        } else if (e >= '0' && e <= '7') {
          const m = /^[0-7]{1,3}/.exec(input.slice(i - 1, i + 2))!;
          const value = Number.parseInt(m[0], 8);
          if (value > 255) fail('octal escape above \\377');
          bytes.push(value);
          i += m[0].length - 1;
        } else fail(`unknown escape '\\${e}'`);
      }
      const chunk = Uint8Array.from(bytes);
      // Adjacent string literals concatenate.
      const previous = tokens[tokens.length - 1];
      if (previous?.kind === 'string' && previous.bytes) {
        const joined = new Uint8Array(previous.bytes.length + chunk.length);
        joined.set(previous.bytes, 0);
        joined.set(chunk, previous.bytes.length);
        tokens[tokens.length - 1] = { ...previous, bytes: joined };
      } else tokens.push({ kind: 'string', text: '', bytes: chunk, line, column });
      continue;
    }
    if ((c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.') {
      let j = i + 1;
      while (
        j < input.length &&
        /[0-9a-zA-Z_.+-]/.test(input[j]) &&
        !(input[j] === '-' && !/[eE]/.test(input[j - 1]))
      )
        j++;
      tokens.push({ kind: 'number', text: input.slice(i, j), line, column });
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < input.length && (isIdentPart(input[j]) || input[j] === '.')) j++;
      tokens.push({ kind: 'identifier', text: input.slice(i, j), line, column });
      i = j;
      continue;
    }
    fail(`unexpected character '${c}'`);
  }
  return tokens;
}

/** Parses protobuf text format into a schema-less tree. */
export function parseTextFormat(input: string, source = 'input'): TextMessage {
  const tokens = tokenize(input, source);
  let pos = 0;
  const where = (t: Token | undefined): string =>
    t ? `${source}:${t.line}:${t.column}` : `${source}: end of input`;
  const fail = (t: Token | undefined, message: string): never => {
    throw new P4InfoParseError(`${where(t)}: ${message}`);
  };
  const peek = (): Token | undefined => tokens[pos];
  const isPunct = (t: Token | undefined, p: string): boolean => t?.kind === 'punct' && t.text === p;

  const parseScalar = (): TextScalar => {
    const t = tokens[pos++];
    if (!t || t.kind === 'punct') return fail(t, 'expected a value');
    return { kind: t.kind, text: t.text, bytes: t.bytes, line: t.line, column: t.column };
  };

  const parseMessage = (close: string | undefined): TextMessage => {
    const fields: TextField[] = [];
    while (true) {
      const t = peek();
      if (t === undefined) {
        if (close) fail(t, `expected '${close}'`);
        return { fields };
      }
      if (close && isPunct(t, close)) {
        pos++;
        return { fields };
      }
      if (t.kind !== 'identifier') fail(t, `expected a field name, found '${t.text || 'string'}'`);
      pos++;
      const name = t.text;
      let hasColon = false;
      if (isPunct(peek(), ':')) {
        pos++;
        hasColon = true;
      }
      const next = peek();
      const addValue = (value: TextScalar | TextMessage) =>
        fields.push({ name, value, line: t.line, column: t.column });
      if (isPunct(next, '{') || isPunct(next, '<')) {
        pos++;
        addValue(parseMessage(next!.text === '{' ? '}' : '>'));
      } else if (isPunct(next, '[')) {
        pos++;
        if (!hasColon) fail(next, "expected ':' before '['");
        while (!isPunct(peek(), ']')) {
          const inner = peek();
          if (isPunct(inner, '{') || isPunct(inner, '<')) {
            pos++;
            addValue(parseMessage(inner!.text === '{' ? '}' : '>'));
          } else addValue(parseScalar());
          if (isPunct(peek(), ',')) pos++;
          else if (!isPunct(peek(), ']')) fail(peek(), "expected ',' or ']'");
        }
        pos++;
      } else {
        if (!hasColon) fail(next, `expected ':' after field '${name}'`);
        addValue(parseScalar());
      }
      if (isPunct(peek(), ',') || isPunct(peek(), ';')) pos++;
    }
  };
  return parseMessage(undefined);
}

/** snake_case to lowerCamelCase, as protobufjs names fields. */
function camelize(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function findField(type: protobuf.Type, name: string): protobuf.Field | undefined {
  return type.fields[name] ?? type.fields[camelize(name)];
}

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

function scalarFromText(field: protobuf.Field, token: TextScalar, source: string): unknown {
  const at = `${source}:${token.line}:${token.column}: field '${field.name}'`;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (token.kind === 'identifier') {
      if (!(token.text in resolved.values))
        throw new P4InfoParseError(`${at}: unknown enum value '${token.text}' of ${resolved.name}`);
      return token.text;
    }
    if (token.kind === 'number') return Number(token.text);
    throw new P4InfoParseError(`${at}: expected an enum value`);
  }
  if (resolved) throw new P4InfoParseError(`${at}: expected a message in braces`);
  const type = field.type;
  if (type === 'string' || type === 'bytes') {
    if (token.kind !== 'string') throw new P4InfoParseError(`${at}: expected a quoted string`);
    return type === 'bytes' ? token.bytes : utf8Decoder.decode(token.bytes);
  }
  if (type === 'bool') {
    if (['true', 't', 'True', '1'].includes(token.text)) return true;
    if (['false', 'f', 'False', '0'].includes(token.text)) return false;
    throw new P4InfoParseError(`${at}: expected true or false, found '${token.text}'`);
  }
  if (token.kind !== 'number') throw new P4InfoParseError(`${at}: expected a number`);
  if (INT64_TYPES.has(type) || INT32_TYPES.has(type)) {
    const text = token.text;
    const negative = text.startsWith('-');
    const body = negative || text.startsWith('+') ? text.slice(1) : text;
    let value: bigint;
    try {
      value = /^0[xX]/.test(body)
        ? BigInt(body)
        : /^0[0-7]+$/.test(body)
          ? BigInt(`0o${body.slice(1)}`)
          : BigInt(body);
    } catch {
      throw new P4InfoParseError(`${at}: invalid integer '${text}'`);
    }
    if (negative) value = -value;
    return INT64_TYPES.has(type) ? value.toString() : Number(value);
  }
  const n = Number(token.text.replace(/[fF]$/, ''));
  if (Number.isNaN(n) && !/nan/i.test(token.text))
    throw new P4InfoParseError(`${at}: invalid number '${token.text}'`);
  return n;
}

/**
 * Converts a parsed text-format tree into a plain object for `Type.fromObject`, checking every
 * field name and value kind against the schema.
 */
export function textToObject(
  message: TextMessage,
  type: protobuf.Type,
  source = 'input',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of message.fields) {
    const field = findField(type, entry.name);
    if (!field)
      throw new P4InfoParseError(
        `${source}:${entry.line}:${entry.column}: unknown field '${entry.name}' in ${type.fullName.slice(1)}`,
      );
    field.resolve();
    const key = field.name;
    if (field instanceof protobuf.MapField) {
      if (!('fields' in entry.value))
        throw new P4InfoParseError(
          `${source}:${entry.line}: map field '${entry.name}' needs { key: ... value: ... }`,
        );
      let mapKey: string | undefined;
      let mapValue: unknown;
      for (const part of entry.value.fields) {
        if (part.name === 'key' && !('fields' in part.value))
          mapKey = part.value.bytes ? utf8Decoder.decode(part.value.bytes) : part.value.text;
        else if (part.name === 'value') {
          mapValue =
            'fields' in part.value
              ? textToObject(part.value, field.resolvedType as protobuf.Type, source)
              : scalarFromText(field, part.value, source);
        }
      }
      if (mapKey === undefined) throw new P4InfoParseError(`${source}:${entry.line}: map entry without key`);
      if (out[key] === undefined) out[key] = {};
      (out[key] as Record<string, unknown>)[mapKey] = mapValue ?? {};
      continue;
    }
    let value: unknown;
    if ('fields' in entry.value) {
      if (!(field.resolvedType instanceof protobuf.Type))
        throw new P4InfoParseError(
          `${source}:${entry.line}:${entry.column}: field '${entry.name}' is not a message`,
        );
      value = textToObject(entry.value, field.resolvedType, source);
    } else value = scalarFromText(field, entry.value, source);
    if (!field.repeated) out[key] = value;
    else if (out[key] === undefined) out[key] = [value];
    else (out[key] as unknown[]).push(value);
  }
  return out;
}

function base64ToBytes(text: string, at: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new P4InfoParseError(`${at}: invalid base64 '${text}'`);
  return Buffer.from(text, 'base64');
}

/**
 * Converts protobuf-JSON (as p4c writes P4Info) into a plain object for `Type.fromObject`,
 * accepting both lowerCamelCase and original field names and rejecting unknown fields.
 */
export function jsonToObject(json: unknown, type: protobuf.Type, path = type.name): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new P4InfoParseError(`${path}: expected a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    const field = findField(type, name);
    const at = `${path}.${name}`;
    if (!field) throw new P4InfoParseError(`${at}: unknown field in ${type.fullName.slice(1)}`);
    if (raw === null) continue;
    field.resolve();
    const convert = (value: unknown, where: string): unknown => {
      const resolved = field.resolvedType;
      if (resolved instanceof protobuf.Type) {
        if (resolved.fullName === '.google.protobuf.Any')
          return anyFromJson(value, type.root as protobuf.Root, where);
        return jsonToObject(value, resolved, where);
      }
      if (resolved instanceof protobuf.Enum) {
        if (typeof value === 'string' && !(value in resolved.values))
          throw new P4InfoParseError(`${where}: unknown enum value '${value}' of ${resolved.name}`);
        return value;
      }
      if (field.type === 'bytes') {
        if (typeof value !== 'string') throw new P4InfoParseError(`${where}: expected a base64 string`);
        return base64ToBytes(value, where);
      }
      return value;
    };
    if (field instanceof protobuf.MapField) {
      if (typeof raw !== 'object' || Array.isArray(raw))
        throw new P4InfoParseError(`${at}: expected a JSON object (map)`);
      const map: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) map[k] = convert(v, `${at}[${k}]`);
      out[field.name] = map;
    } else if (field.repeated) {
      if (!Array.isArray(raw)) throw new P4InfoParseError(`${at}: expected a JSON array`);
      out[field.name] = raw.map((v, i) => convert(v, `${at}[${i}]`));
    } else out[field.name] = convert(raw, at);
  }
  return out;
}

/** JSON form of Any: `{"@type": url, ...fields}`, packable only for types in our schema. */
function anyFromJson(value: unknown, root: protobuf.Root, at: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object')
    throw new P4InfoParseError(`${at}: expected an Any object`);
  const { '@type': url, ...rest } = value as Record<string, unknown>;
  if (typeof url !== 'string') throw new P4InfoParseError(`${at}: Any without "@type"`);
  const typeName = url.slice(url.lastIndexOf('/') + 1);
  let inner: protobuf.Type;
  try {
    inner = root.lookupType(typeName);
  } catch {
    throw new P4InfoParseError(`${at}: cannot decode Any of unknown type '${typeName}'`);
  }
  const message = inner.fromObject(jsonToObject(rest, inner, at));
  return { type_url: url, value: inner.encode(message).finish() };
}
