/** Register cells, value-set members, digest configuration and extern entries. */
import { EntityError } from '../errors.js';
import type { P4DataValue } from '../p4data.js';
import type { DecodeOptions, P4InfoIndex } from '../p4info/index.js';
import type { google, p4 } from '../wire/generated/p4runtime.js';
import { fromLong, toLong } from '../wire/long.js';
import { type DecodedMatch, decodeMatch, encodeMatch, type MatchValue } from './table.js';

/** A register cell; omit `index` to read every cell. */
export interface RegisterEntrySpec {
  readonly index?: number | bigint;
  readonly value?: P4DataValue;
}

/** A register cell as read back. */
export interface RegisterEntryData {
  readonly kind: 'registerEntry';
  readonly register: string;
  readonly index: number;
  readonly value?: P4DataValue;
}

/** Members of a parser value set, each a match record by field name. */
export interface ValueSetSpec {
  readonly members?: readonly Readonly<Record<string, MatchValue>>[];
}

/** A value set as read back. */
export interface ValueSetData {
  readonly kind: 'valueSetEntry';
  readonly valueSet: string;
  readonly members: Record<string, DecodedMatch>[];
}

/** How the device batches digests into DigestList messages. */
export interface DigestConfig {
  readonly maxTimeoutNs?: bigint | number;
  readonly maxListSize?: number;
  readonly ackTimeoutNs?: bigint | number;
}

/** A digest configuration as read back. */
export interface DigestEntryData {
  readonly kind: 'digestEntry';
  readonly digest: string;
  readonly config?: {
    readonly maxTimeoutNs: bigint;
    readonly maxListSize: number;
    readonly ackTimeoutNs: bigint;
  };
}

/** An extern entry as read back (payload left packed). */
export interface ExternEntryData {
  readonly kind: 'externEntry';
  readonly externTypeId: number;
  readonly externId: number;
  /** Instance name when the P4Info knows the id. */
  readonly name?: string;
  readonly entry?: google.protobuf.IAny;
}

/** Builds a RegisterEntry; the value is encoded with the register's P4 type. */
export function encodeRegisterEntry(
  index: P4InfoIndex,
  key: string | number,
  spec: RegisterEntrySpec = {},
): p4.v1.IRegisterEntry {
  const register = index.registers.get(key);
  const out: p4.v1.IRegisterEntry = { registerId: register.id };
  if (spec.index !== undefined) {
    const i = BigInt(spec.index);
    if (i < 0n || (register.size > 0 && i >= BigInt(register.size)))
      throw new EntityError(`register ${register.name}: index ${spec.index} outside 0..${register.size - 1}`);
    out.index = { index: toLong(i, false, `register ${register.name} index`) };
  }
  if (spec.value !== undefined) out.data = register.data.encode(spec.value);
  return out;
}

/** Decodes a RegisterEntry. */
export function decodeRegisterEntry(
  index: P4InfoIndex,
  e: p4.v1.IRegisterEntry,
  options?: DecodeOptions,
): RegisterEntryData {
  const register = index.registers.get(e.registerId ?? 0);
  return {
    kind: 'registerEntry',
    register: register.name,
    index: Number(fromLong(e.index?.index)),
    ...(e.data ? { value: register.data.decode(e.data, options) } : {}),
  };
}

/** Builds a ValueSetEntry from member match records. */
export function encodeValueSetEntry(
  index: P4InfoIndex,
  key: string | number,
  spec: ValueSetSpec = {},
): p4.v1.IValueSetEntry {
  const vs = index.valueSets.get(key);
  const out: p4.v1.IValueSetEntry = { valueSetId: vs.id };
  if (spec.members) {
    if (vs.size > 0 && spec.members.length > vs.size)
      throw new EntityError(
        `value set ${vs.name}: ${spec.members.length} members exceed its size ${vs.size}`,
      );
    out.members = spec.members.map((m) => ({
      match: encodeMatch(vs.matchFields, m, `value set ${vs.name}`),
    }));
  }
  return out;
}

/** Decodes a ValueSetEntry. */
export function decodeValueSetEntry(
  index: P4InfoIndex,
  e: p4.v1.IValueSetEntry,
  options?: DecodeOptions,
): ValueSetData {
  const vs = index.valueSets.get(e.valueSetId ?? 0);
  return {
    kind: 'valueSetEntry',
    valueSet: vs.name,
    members: (e.members ?? []).map((m) => decodeMatch(vs.matchFields, m.match ?? [], options)),
  };
}

/** Builds a DigestEntry (with its delivery configuration, if given). */
export function encodeDigestEntry(
  index: P4InfoIndex,
  key: string | number,
  config?: DigestConfig,
): p4.v1.IDigestEntry {
  const digest = index.digests.get(key);
  const out: p4.v1.IDigestEntry = { digestId: digest.id };
  if (config) {
    out.config = {
      maxTimeoutNs: toLong(config.maxTimeoutNs ?? 0, false, 'max_timeout_ns'),
      maxListSize: config.maxListSize ?? 1,
      ackTimeoutNs: toLong(config.ackTimeoutNs ?? 0, false, 'ack_timeout_ns'),
    };
  }
  return out;
}

/** Decodes a DigestEntry. */
export function decodeDigestEntry(index: P4InfoIndex, e: p4.v1.IDigestEntry): DigestEntryData {
  const digest = index.digests.get(e.digestId ?? 0);
  return {
    kind: 'digestEntry',
    digest: digest.name,
    ...(e.config
      ? {
          config: {
            maxTimeoutNs: fromLong(e.config.maxTimeoutNs),
            maxListSize: e.config.maxListSize ?? 0,
            ackTimeoutNs: fromLong(e.config.ackTimeoutNs),
          },
        }
      : {}),
  };
}

/** Builds an ExternEntry for a P4Info extern instance. */
export function encodeExternEntry(
  index: P4InfoIndex,
  key: string | number,
  entry?: google.protobuf.IAny,
): p4.v1.IExternEntry {
  const extern = index.externs.get(key);
  const out: p4.v1.IExternEntry = { externTypeId: extern.externTypeId, externId: extern.id };
  if (entry) out.entry = entry;
  return out;
}

/** Decodes an ExternEntry. */
export function decodeExternEntry(index: P4InfoIndex, e: p4.v1.IExternEntry): ExternEntryData {
  const name = index.externs.find(e.externId ?? 0)?.name;
  return {
    kind: 'externEntry',
    externTypeId: e.externTypeId ?? 0,
    externId: e.externId ?? 0,
    ...(name ? { name } : {}),
    ...(e.entry ? { entry: e.entry } : {}),
  };
}
