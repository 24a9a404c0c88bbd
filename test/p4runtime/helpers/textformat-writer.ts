/**
 * Test-only protobuf text-format writer (schema-driven, via the reflection root), used to
 * produce p4c-style `.p4info.txtpb` input from fixtures built by code.
 */
import type protobuf from 'protobufjs/light.js';
import descriptor from '../../../packages/p4runtime-ts-grpc/src/wire/generated/descriptor.js';

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function quote(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function scalar(field: protobuf.Field, value: unknown): string {
  if (field.resolvedType && 'values' in field.resolvedType) {
    const values = (field.resolvedType as protobuf.Enum).valuesById;
    return typeof value === 'number' ? (values[value] ?? String(value)) : String(value);
  }
  if (field.type === 'bytes') return quote(value as Uint8Array);
  if (field.type === 'string') return quote(new TextEncoder().encode(value as string));
  return String(value);
}

function write(message: Record<string, unknown>, type: protobuf.Type, indent: string): string {
  let out = '';
  for (const field of type.fieldsArray) {
    field.resolve();
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const name = snake(field.name);
    if (field.map) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out += `${indent}${name} {\n${indent}  key: ${quote(new TextEncoder().encode(k))}\n`;
        out += `${indent}  value {\n${write(v as Record<string, unknown>, field.resolvedType as protobuf.Type, `${indent}    `)}${indent}  }\n${indent}}\n`;
      }
      continue;
    }
    const items = field.repeated ? (value as unknown[]) : [value];
    for (const item of items) {
      if (field.resolvedType && 'fieldsArray' in field.resolvedType) {
        out += `${indent}${name} {\n${write(item as Record<string, unknown>, field.resolvedType as protobuf.Type, `${indent}  `)}${indent}}\n`;
      } else out += `${indent}${name}: ${scalar(field, item)}\n`;
    }
  }
  return out;
}

/** Text format of a message given as a (protobufjs toObject-style) plain object. */
export function toTextFormat(message: Record<string, unknown>, typeName = 'p4.config.v1.P4Info'): string {
  return `# proto-file: p4/config/v1/p4info.proto\n# proto-message: P4Info\n\n${write(message, descriptor.lookupType(typeName), '')}`;
}
