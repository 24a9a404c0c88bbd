/**
 * Converts between friendly values and p4.v1.P4Data (register cells, digest payloads), guided
 * by the P4Info type description (P4DataTypeSpec + P4TypeInfo).
 *
 * Friendly forms: bit<W> as {@link P4Value}; int<W> as number/bigint; bool as boolean;
 * struct as a record by member name; tuple as an array; header as a record of its fields, or
 * `null` when invalid; header union as `{ memberName: header }` or `null`; stacks as arrays;
 * enum/error members by name; varbit as `{ bitwidth, value }`.
 */
import {
  type BytestringMode,
  bytesToBigInt,
  decodeBits,
  decodeSignedBits,
  encodeBits,
  encodeSignedBits,
  formatValue,
  guessFormat,
  type P4Value,
  type ValueFormat,
} from './codec.js';
import { EntityError } from './errors.js';
import type { p4 } from './wire/generated/p4runtime.js';

/** A friendly P4Data value. */
export type P4DataValue =
  | P4Value
  | boolean
  | null
  | readonly P4DataValue[]
  | { readonly bitwidth: number; readonly value: P4Value }
  | { readonly [member: string]: P4DataValue };

/** Rendering options for decoded P4Data bitstrings. */
export interface P4DataDecodeOptions {
  readonly format?: ValueFormat | 'smart';
  readonly fieldFormats?: Readonly<Record<string, ValueFormat>>;
}

type TypeSpec = p4.config.v1.IP4DataTypeSpec;
type BitstringSpec = p4.config.v1.IP4BitstringLikeTypeSpec;
type TypeInfo = p4.config.v1.IP4TypeInfo | undefined;

function isRecord(value: unknown): value is Record<string, P4DataValue> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Encoder/decoder for one P4Data type. */
export class P4DataCodec {
  constructor(
    readonly typeSpec: TypeSpec,
    private readonly typeInfo: TypeInfo,
    /** Context for messages, e.g. `register ingress.r`. */
    readonly label: string,
    private readonly mode: BytestringMode = 'canonical',
  ) {}

  /** Encodes a friendly value. */
  encode(value: P4DataValue): p4.v1.IP4Data {
    return this.encodeSpec(this.typeSpec, value, this.label);
  }

  /** Decodes a P4Data into its friendly form. */
  decode(data: p4.v1.IP4Data, options?: P4DataDecodeOptions): P4DataValue {
    return this.decodeSpec(this.typeSpec, data, this.label, '', options);
  }

  private named<T>(
    map: Record<string, T> | null | undefined,
    name: string | null | undefined,
    what: string,
    at: string,
  ): T {
    const found = name ? map?.[name] : undefined;
    if (!found) throw new EntityError(`${at}: P4Info has no ${what} type '${name}'`);
    return found;
  }

  private fail(at: string, expected: string, value: unknown): never {
    const shown =
      typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? 'bytes' : JSON.stringify(value);
    throw new EntityError(`${at}: expected ${expected}, got ${shown}`);
  }

  private encodeBitstring(spec: BitstringSpec, value: P4DataValue, at: string): Uint8Array {
    if (spec.bit) return encodeBits(value as P4Value, spec.bit.bitwidth ?? 0, at, this.mode);
    if (spec.int) {
      if (typeof value !== 'number' && typeof value !== 'bigint')
        this.fail(at, 'an integer for int<W>', value);
      return encodeSignedBits(value, spec.int.bitwidth ?? 0, at);
    }
    throw new EntityError(`${at}: varbit members must be given as { bitwidth, value }`);
  }

  private encodeSpec(spec: TypeSpec, value: P4DataValue, at: string): p4.v1.IP4Data {
    if (spec.bitstring) {
      const bs = spec.bitstring;
      if (bs.varbit) {
        if (!isRecord(value) || typeof value.bitwidth !== 'number')
          this.fail(at, '{ bitwidth, value } for varbit', value);
        const max = bs.varbit.maxBitwidth ?? 0;
        const width = value.bitwidth as number;
        if (width > max) throw new EntityError(`${at}: varbit width ${width} exceeds maximum ${max}`);
        return {
          varbit: { bitstring: encodeBits(value.value as P4Value, width, at, this.mode), bitwidth: width },
        };
      }
      return { bitstring: this.encodeBitstring(bs, value, at) };
    }
    if (spec.bool) {
      if (typeof value !== 'boolean') this.fail(at, 'a boolean', value);
      return { bool: value };
    }
    if (spec.tuple) {
      const members = spec.tuple.members ?? [];
      if (!Array.isArray(value) || value.length !== members.length)
        this.fail(at, `an array of ${members.length} value(s)`, value);
      return {
        tuple: {
          members: members.map((m, i) => this.encodeSpec(m, (value as P4DataValue[])[i], `${at}[${i}]`)),
        },
      };
    }
    if (spec.struct) {
      const struct = this.named(this.typeInfo?.structs, spec.struct.name, 'struct', at);
      if (!isRecord(value)) this.fail(at, `a record for struct ${spec.struct.name}`, value);
      const record = value as Record<string, P4DataValue>;
      const members = struct.members ?? [];
      for (const key of Object.keys(record))
        if (!members.some((m) => m.name === key))
          throw new EntityError(`${at}: struct ${spec.struct.name} has no member '${key}'`);
      return {
        struct: {
          members: members.map((m) => {
            if (!(m.name! in record)) throw new EntityError(`${at}: missing struct member '${m.name}'`);
            return this.encodeSpec(m.typeSpec ?? {}, record[m.name!], `${at}.${m.name}`);
          }),
        },
      };
    }
    if (spec.header) return { header: this.encodeHeader(spec.header.name, value, at) };
    if (spec.headerUnion) return { headerUnion: this.encodeUnion(spec.headerUnion.name, value, at) };
    if (spec.headerStack) {
      if (!Array.isArray(value)) this.fail(at, 'an array of headers', value);
      return {
        headerStack: {
          entries: (value as P4DataValue[]).map((h, i) =>
            this.encodeHeader(spec.headerStack!.header?.name, h, `${at}[${i}]`),
          ),
        },
      };
    }
    if (spec.headerUnionStack) {
      if (!Array.isArray(value)) this.fail(at, 'an array of header unions', value);
      return {
        headerUnionStack: {
          entries: (value as P4DataValue[]).map((u, i) =>
            this.encodeUnion(spec.headerUnionStack!.headerUnion?.name, u, `${at}[${i}]`),
          ),
        },
      };
    }
    if (spec.enum) {
      const e = this.named(this.typeInfo?.enums, spec.enum.name, 'enum', at);
      if (typeof value !== 'string' || !(e.members ?? []).some((m) => m.name === value))
        this.fail(at, `a member of enum ${spec.enum.name}`, value);
      return { enum: value as string };
    }
    if (spec.error) {
      if (typeof value !== 'string') this.fail(at, 'an error name', value);
      return { error: value as string };
    }
    if (spec.serializableEnum) {
      const e = this.named(
        this.typeInfo?.serializableEnums,
        spec.serializableEnum.name,
        'serializable enum',
        at,
      );
      const width = e.underlyingType?.bitwidth ?? 0;
      const member = typeof value === 'string' ? (e.members ?? []).find((m) => m.name === value) : undefined;
      if (member?.value) return { enumValue: member.value };
      return { enumValue: encodeBits(value as P4Value, width, at, this.mode) };
    }
    if (spec.newType) {
      const t = this.named(this.typeInfo?.newTypes, spec.newType.name, 'new type', at);
      if (t.originalType) return this.encodeSpec(t.originalType, value, at);
      const width = t.translatedType?.sdnBitwidth;
      if (width) return { bitstring: encodeBits(value as P4Value, width, at, this.mode) };
      if (typeof value === 'string') return { bitstring: new TextEncoder().encode(value) };
      this.fail(at, 'a string for an SDN string type', value);
    }
    throw new EntityError(`${at}: P4Info type spec is empty`);
  }

  private encodeHeader(name: string | null | undefined, value: P4DataValue, at: string): p4.v1.IP4Header {
    const header = this.named(this.typeInfo?.headers, name, 'header', at);
    if (value === null) return { isValid: false, bitstrings: [] };
    if (!isRecord(value)) this.fail(at, `a record for header ${name} (or null when invalid)`, value);
    const record = value as Record<string, P4DataValue>;
    const members = header.members ?? [];
    for (const key of Object.keys(record))
      if (!members.some((m) => m.name === key))
        throw new EntityError(`${at}: header ${name} has no field '${key}'`);
    return {
      isValid: true,
      bitstrings: members.map((m) => {
        if (!(m.name! in record)) throw new EntityError(`${at}: missing header field '${m.name}'`);
        return this.encodeBitstring(m.typeSpec ?? {}, record[m.name!], `${at}.${m.name}`);
      }),
    };
  }

  private encodeUnion(name: string | null | undefined, value: P4DataValue, at: string): p4.v1.IP4HeaderUnion {
    const union = this.named(this.typeInfo?.headerUnions, name, 'header union', at);
    if (value === null) return {};
    if (!isRecord(value) || Object.keys(value).length !== 1)
      this.fail(at, `{ member: header } for union ${name}`, value);
    const [member, header] = Object.entries(value)[0];
    const ref = (union.members ?? []).find((m) => m.name === member);
    if (!ref) throw new EntityError(`${at}: header union ${name} has no member '${member}'`);
    return {
      validHeaderName: member,
      validHeader: this.encodeHeader(ref.header?.name, header, `${at}.${member}`),
    };
  }

  private renderBits(
    bytes: Uint8Array,
    width: number,
    at: string,
    field: string,
    options?: P4DataDecodeOptions,
  ): P4Value {
    const value = decodeBits(bytes, width, at);
    const override = options?.fieldFormats?.[field];
    const format = override ?? options?.format ?? 'auto';
    return formatValue(value, width, format === 'smart' ? guessFormat(field, width) : format);
  }

  private decodeBitstring(
    spec: BitstringSpec,
    bytes: Uint8Array,
    at: string,
    field: string,
    options?: P4DataDecodeOptions,
  ): P4DataValue {
    if (spec.bit) return this.renderBits(bytes, spec.bit.bitwidth ?? 0, at, field, options);
    if (spec.int) {
      const width = spec.int.bitwidth ?? 0;
      const v = decodeSignedBits(bytes, width, at);
      return width <= 53 ? Number(v) : v;
    }
    throw new EntityError(`${at}: varbit header fields are not supported`);
  }

  private decodeSpec(
    spec: TypeSpec,
    data: p4.v1.IP4Data,
    at: string,
    field: string,
    options?: P4DataDecodeOptions,
  ): P4DataValue {
    const expect = <T>(value: T | null | undefined, what: string): T => {
      if (value === null || value === undefined) throw new EntityError(`${at}: expected ${what} in P4Data`);
      return value;
    };
    if (spec.bitstring) {
      if (spec.bitstring.varbit) {
        const vb = expect(data.varbit, 'varbit');
        return {
          bitwidth: vb.bitwidth ?? 0,
          value: this.renderBits(vb.bitstring ?? new Uint8Array(), vb.bitwidth ?? 0, at, field, options),
        };
      }
      return this.decodeBitstring(spec.bitstring, expect(data.bitstring, 'bitstring'), at, field, options);
    }
    if (spec.bool) return expect(data.bool, 'bool');
    if (spec.tuple) {
      const members = expect(data.tuple, 'tuple').members ?? [];
      const specs = spec.tuple.members ?? [];
      if (members.length !== specs.length)
        throw new EntityError(`${at}: tuple has ${members.length} members, expected ${specs.length}`);
      return specs.map((s, i) => this.decodeSpec(s, members[i], `${at}[${i}]`, field, options));
    }
    if (spec.struct) {
      const struct = this.named(this.typeInfo?.structs, spec.struct.name, 'struct', at);
      const members = expect(data.struct, 'struct').members ?? [];
      const specs = struct.members ?? [];
      if (members.length !== specs.length)
        throw new EntityError(`${at}: struct has ${members.length} members, expected ${specs.length}`);
      const out: Record<string, P4DataValue> = {};
      specs.forEach((m, i) => {
        out[m.name!] = this.decodeSpec(m.typeSpec ?? {}, members[i], `${at}.${m.name}`, m.name!, options);
      });
      return out;
    }
    if (spec.header) return this.decodeHeader(spec.header.name, expect(data.header, 'header'), at, options);
    if (spec.headerUnion)
      return this.decodeUnion(spec.headerUnion.name, expect(data.headerUnion, 'header union'), at, options);
    if (spec.headerStack)
      return (expect(data.headerStack, 'header stack').entries ?? []).map((h, i) =>
        this.decodeHeader(spec.headerStack!.header?.name, h, `${at}[${i}]`, options),
      );
    if (spec.headerUnionStack)
      return (expect(data.headerUnionStack, 'header union stack').entries ?? []).map((u, i) =>
        this.decodeUnion(spec.headerUnionStack!.headerUnion?.name, u, `${at}[${i}]`, options),
      );
    if (spec.enum) return expect(data.enum, 'enum');
    if (spec.error) return expect(data.error, 'error');
    if (spec.serializableEnum) {
      const e = this.named(
        this.typeInfo?.serializableEnums,
        spec.serializableEnum.name,
        'serializable enum',
        at,
      );
      const raw = expect(data.enumValue, 'enum_value');
      const value = bytesToBigInt(raw);
      const member = (e.members ?? []).find((m) => m.value && bytesToBigInt(m.value) === value);
      return member?.name ?? formatValue(value, e.underlyingType?.bitwidth ?? 0, 'auto');
    }
    if (spec.newType) {
      const t = this.named(this.typeInfo?.newTypes, spec.newType.name, 'new type', at);
      if (t.originalType) return this.decodeSpec(t.originalType, data, at, field, options);
      const bytes = expect(data.bitstring, 'bitstring');
      const width = t.translatedType?.sdnBitwidth;
      return width ? this.renderBits(bytes, width, at, field, options) : new TextDecoder().decode(bytes);
    }
    throw new EntityError(`${at}: P4Info type spec is empty`);
  }

  private decodeHeader(
    name: string | null | undefined,
    header: p4.v1.IP4Header,
    at: string,
    options?: P4DataDecodeOptions,
  ): P4DataValue {
    if (!header.isValid) return null;
    const spec = this.named(this.typeInfo?.headers, name, 'header', at);
    const members = spec.members ?? [];
    const bits = header.bitstrings ?? [];
    if (bits.length !== members.length)
      throw new EntityError(`${at}: header has ${bits.length} fields, expected ${members.length}`);
    const out: Record<string, P4DataValue> = {};
    members.forEach((m, i) => {
      out[m.name!] = this.decodeBitstring(m.typeSpec ?? {}, bits[i], `${at}.${m.name}`, m.name!, options);
    });
    return out;
  }

  private decodeUnion(
    name: string | null | undefined,
    union: p4.v1.IP4HeaderUnion,
    at: string,
    options?: P4DataDecodeOptions,
  ): P4DataValue {
    if (!union.validHeaderName) return null;
    const spec = this.named(this.typeInfo?.headerUnions, name, 'header union', at);
    const ref = (spec.members ?? []).find((m) => m.name === union.validHeaderName);
    if (!ref) throw new EntityError(`${at}: header union ${name} has no member '${union.validHeaderName}'`);
    return {
      [union.validHeaderName]: this.decodeHeader(
        ref.header?.name,
        union.validHeader ?? {},
        `${at}.${union.validHeaderName}`,
        options,
      ),
    };
  }
}
