/**
 * Loading P4Info (p4c `--p4runtime-files` output in JSON, text or binary form) and target
 * device configs (e.g. the bmv2 JSON, sent verbatim as `p4_device_config`).
 */
import { readFile } from 'node:fs/promises';
import type protobuf from 'protobufjs/light.js';
import { P4InfoParseError } from '../errors.js';
import descriptor from '../wire/generated/descriptor.js';
import { p4 } from '../wire/generated/p4runtime.js';
import { jsonToObject, parseTextFormat, textToObject } from './textformat.js';

/** Serialization of a P4Info file. */
export type P4InfoFormat = 'json' | 'text' | 'binary';

let p4InfoType: protobuf.Type | undefined;
function reflectedP4Info(): protobuf.Type {
  p4InfoType ??= descriptor.lookupType('p4.config.v1.P4Info');
  return p4InfoType;
}

/** Guesses the format from a file name, falling back to looking at the content. */
export function detectP4InfoFormat(data: Uint8Array | string, fileName?: string): P4InfoFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.json')) return 'json';
  if (/\.(txt|txtpb|textproto|pbtxt|prototxt)$/.test(name)) return 'text';
  if (/\.(bin|binpb|pb)$/.test(name)) return 'binary';
  if (typeof data === 'string') return data.trimStart().startsWith('{') ? 'json' : 'text';
  // Text and JSON are printable; binary protobuf almost never is.
  const sample = data.subarray(0, 512);
  let printable = true;
  for (const b of sample) {
    if (b < 9 || (b > 13 && b < 32) || b === 127) {
      printable = false;
      break;
    }
  }
  if (!printable) return 'binary';
  const text = new TextDecoder().decode(sample).trimStart();
  return text.startsWith('{') ? 'json' : 'text';
}

/**
 * Parses P4Info from memory. Strings are JSON or text format; bytes may be any of the three
 * (detected when `format` is omitted). `source` names the input in error messages.
 */
export function parseP4Info(
  data: Uint8Array | string,
  format?: P4InfoFormat,
  source = 'p4info',
): p4.config.v1.P4Info {
  const kind = format ?? detectP4InfoFormat(data, source);
  const text = (): string => (typeof data === 'string' ? data : new TextDecoder().decode(data));
  switch (kind) {
    case 'binary': {
      if (typeof data === 'string')
        throw new P4InfoParseError(`${source}: binary P4Info must be given as bytes`);
      try {
        return p4.config.v1.P4Info.decode(data);
      } catch (error) {
        throw new P4InfoParseError(`${source}: not a binary P4Info: ${(error as Error).message}`);
      }
    }
    case 'json': {
      let json: unknown;
      try {
        json = JSON.parse(text());
      } catch (error) {
        throw new P4InfoParseError(`${source}: invalid JSON: ${(error as Error).message}`);
      }
      return p4.config.v1.P4Info.fromObject(jsonToObject(json, reflectedP4Info(), source));
    }
    case 'text': {
      const tree = parseTextFormat(text(), source);
      return p4.config.v1.P4Info.fromObject(textToObject(tree, reflectedP4Info(), source));
    }
  }
}

/** Reads and parses a P4Info file (format from the extension, else from the content). */
export async function loadP4Info(path: string, format?: P4InfoFormat): Promise<p4.config.v1.P4Info> {
  const data = await readFile(path);
  return parseP4Info(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    format ?? detectP4InfoFormat(data, path),
    path,
  );
}

/** Reads a target device config (e.g. bmv2 JSON) as the bytes to send in `p4_device_config`. */
export async function loadDeviceConfig(path: string): Promise<Uint8Array> {
  const data = await readFile(path);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
