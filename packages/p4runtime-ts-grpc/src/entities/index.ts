/**
 * Entity builders and decoders bound to one P4Info: build p4.v1.Entity messages by name from
 * friendly values, and decode read results back into the same friendly shapes.
 */
import type { P4Value } from '../codec.js';
import { EntityError } from '../errors.js';
import type { DecodeOptions, P4InfoIndex } from '../p4info/index.js';
import type { google, p4 } from '../wire/generated/p4runtime.js';
import {
  type ActionProfileGroupData,
  type ActionProfileGroupSpec,
  type ActionProfileMemberData,
  type ActionProfileMemberSpec,
  decodeActionProfileGroup,
  decodeActionProfileMember,
  encodeActionProfileGroup,
  encodeActionProfileMember,
} from './action-profile.js';
import type { CounterData, MeterConfig } from './common.js';
import {
  type CounterEntryData,
  type CounterEntrySpec,
  type DirectCounterEntryData,
  type DirectMeterEntryData,
  decodeCounterEntry,
  decodeDirectCounterEntry,
  decodeDirectMeterEntry,
  decodeMeterEntry,
  encodeCounterEntry,
  encodeDirectCounterEntry,
  encodeDirectMeterEntry,
  encodeMeterEntry,
  type MeterEntryData,
  type MeterEntrySpec,
} from './counters.js';
import {
  type CloneSessionData,
  type CloneSessionSpec,
  decodePreEntry,
  encodeCloneSession,
  encodeMulticastGroup,
  type MulticastGroupData,
  type MulticastGroupSpec,
} from './pre.js';
import {
  type DigestConfig,
  type DigestEntryData,
  decodeDigestEntry,
  decodeExternEntry,
  decodeRegisterEntry,
  decodeValueSetEntry,
  type ExternEntryData,
  encodeDigestEntry,
  encodeExternEntry,
  encodeRegisterEntry,
  encodeValueSetEntry,
  type RegisterEntryData,
  type RegisterEntrySpec,
  type ValueSetData,
  type ValueSetSpec,
} from './registers.js';
import {
  decodeTableEntry,
  describeTableEntry,
  encodeTableEntry,
  type TableEntryData,
  type TableEntrySpec,
} from './table.js';

export * from './action-profile.js';
export * from './common.js';
export * from './counters.js';
export * from './pre.js';
export * from './registers.js';
export * from './table.js';

/** Any decoded entity; `kind` tells which. */
export type DecodedEntity =
  | TableEntryData
  | ActionProfileMemberData
  | ActionProfileGroupData
  | CounterEntryData
  | DirectCounterEntryData
  | MeterEntryData
  | DirectMeterEntryData
  | MulticastGroupData
  | CloneSessionData
  | ValueSetData
  | RegisterEntryData
  | DigestEntryData
  | ExternEntryData;

/** Builds and decodes entities for one P4Info. Every builder returns a p4.v1.Entity. */
export class EntityCodec {
  constructor(readonly index: P4InfoIndex) {}

  /**
   * A table entry by table name (full or alias).
   *
   * @example
   * ```ts
   * codec.tableEntry('ingress.l2_fwd', {
   *   match: { vni: 5000, dst_mac: '02:00:00:00:00:01' },
   *   action: 'to_remote', params: { tunnel_id: 7 },
   * });
   * ```
   */
  tableEntry(table: string | number, spec?: TableEntrySpec): p4.v1.IEntity {
    return { tableEntry: encodeTableEntry(this.index, table, spec) };
  }

  /** The default-action entry of a table (MODIFY it to change the default action). */
  defaultEntry(
    table: string | number,
    action?: string,
    params?: Readonly<Record<string, P4Value>>,
  ): p4.v1.IEntity {
    return { tableEntry: encodeTableEntry(this.index, table, { isDefaultAction: true, action, params }) };
  }

  actionProfileMember(profile: string | number, spec: ActionProfileMemberSpec = {}): p4.v1.IEntity {
    return { actionProfileMember: encodeActionProfileMember(this.index, profile, spec) };
  }

  actionProfileGroup(profile: string | number, spec: ActionProfileGroupSpec = {}): p4.v1.IEntity {
    return { actionProfileGroup: encodeActionProfileGroup(this.index, profile, spec) };
  }

  counterEntry(counter: string | number, spec?: CounterEntrySpec): p4.v1.IEntity {
    return { counterEntry: encodeCounterEntry(this.index, counter, spec) };
  }

  /** Direct counter of the entry matching `entry` in `table` (no match: all entries). */
  directCounterEntry(table: string | number, entry?: TableEntrySpec, data?: CounterData): p4.v1.IEntity {
    return { directCounterEntry: encodeDirectCounterEntry(this.index, table, entry, data) };
  }

  meterEntry(meter: string | number, spec?: MeterEntrySpec): p4.v1.IEntity {
    return { meterEntry: encodeMeterEntry(this.index, meter, spec) };
  }

  /** Direct meter of the entry matching `entry` in `table` (no match: all entries). */
  directMeterEntry(table: string | number, entry?: TableEntrySpec, config?: MeterConfig): p4.v1.IEntity {
    return { directMeterEntry: encodeDirectMeterEntry(this.index, table, entry, config) };
  }

  registerEntry(register: string | number, spec?: RegisterEntrySpec): p4.v1.IEntity {
    return { registerEntry: encodeRegisterEntry(this.index, register, spec) };
  }

  multicastGroup(spec: MulticastGroupSpec): p4.v1.IEntity {
    return { packetReplicationEngineEntry: encodeMulticastGroup(spec) };
  }

  cloneSession(spec: CloneSessionSpec): p4.v1.IEntity {
    return { packetReplicationEngineEntry: encodeCloneSession(spec) };
  }

  valueSetEntry(valueSet: string | number, spec?: ValueSetSpec): p4.v1.IEntity {
    return { valueSetEntry: encodeValueSetEntry(this.index, valueSet, spec) };
  }

  /** Digest configuration (INSERT it to enable a digest's stream delivery). */
  digestEntry(digest: string | number, config?: DigestConfig): p4.v1.IEntity {
    return { digestEntry: encodeDigestEntry(this.index, digest, config) };
  }

  externEntry(instance: string | number, entry?: google.protobuf.IAny): p4.v1.IEntity {
    return { externEntry: encodeExternEntry(this.index, instance, entry) };
  }

  /** Decodes any entity into its friendly form. */
  decode(entity: p4.v1.IEntity, options?: DecodeOptions): DecodedEntity {
    if (entity.tableEntry) return decodeTableEntry(this.index, entity.tableEntry, options);
    if (entity.actionProfileMember)
      return decodeActionProfileMember(this.index, entity.actionProfileMember, options);
    if (entity.actionProfileGroup) return decodeActionProfileGroup(this.index, entity.actionProfileGroup);
    if (entity.counterEntry) return decodeCounterEntry(this.index, entity.counterEntry);
    if (entity.directCounterEntry)
      return decodeDirectCounterEntry(this.index, entity.directCounterEntry, options);
    if (entity.meterEntry) return decodeMeterEntry(this.index, entity.meterEntry);
    if (entity.directMeterEntry) return decodeDirectMeterEntry(this.index, entity.directMeterEntry, options);
    if (entity.packetReplicationEngineEntry) return decodePreEntry(entity.packetReplicationEngineEntry);
    if (entity.valueSetEntry) return decodeValueSetEntry(this.index, entity.valueSetEntry, options);
    if (entity.registerEntry) return decodeRegisterEntry(this.index, entity.registerEntry, options);
    if (entity.digestEntry) return decodeDigestEntry(this.index, entity.digestEntry);
    if (entity.externEntry) return decodeExternEntry(this.index, entity.externEntry);
    throw new EntityError('entity has no content');
  }

  /** One-line human description of an entity, for error messages (never throws). */
  describe(entity: p4.v1.IEntity): string {
    const idx = this.index;
    const name = (
      registry: { find(id: number): { name: string } | undefined },
      id: number | null | undefined,
      kind: string,
    ) => `${kind} ${registry.find(id ?? 0)?.name ?? `id ${id}`}`;
    const at = (i: { index?: unknown } | null | undefined) =>
      i?.index !== undefined && i.index !== null ? `[${String(i.index)}]` : '[*]';
    if (entity.tableEntry) return describeTableEntry(idx, entity.tableEntry);
    if (entity.actionProfileMember)
      return `${name(idx.actionProfiles, entity.actionProfileMember.actionProfileId, 'action profile')} member ${entity.actionProfileMember.memberId ?? 0}`;
    if (entity.actionProfileGroup)
      return `${name(idx.actionProfiles, entity.actionProfileGroup.actionProfileId, 'action profile')} group ${entity.actionProfileGroup.groupId ?? 0}`;
    if (entity.counterEntry)
      return `${name(idx.counters, entity.counterEntry.counterId, 'counter')}${at(entity.counterEntry.index)}`;
    if (entity.meterEntry)
      return `${name(idx.meters, entity.meterEntry.meterId, 'meter')}${at(entity.meterEntry.index)}`;
    if (entity.registerEntry)
      return `${name(idx.registers, entity.registerEntry.registerId, 'register')}${at(entity.registerEntry.index)}`;
    if (entity.directCounterEntry)
      return `direct counter of ${describeTableEntry(idx, entity.directCounterEntry.tableEntry ?? {})}`;
    if (entity.directMeterEntry)
      return `direct meter of ${describeTableEntry(idx, entity.directMeterEntry.tableEntry ?? {})}`;
    const pre = entity.packetReplicationEngineEntry;
    if (pre?.multicastGroupEntry) return `multicast group ${pre.multicastGroupEntry.multicastGroupId ?? 0}`;
    if (pre?.cloneSessionEntry) return `clone session ${pre.cloneSessionEntry.sessionId ?? 0}`;
    if (entity.valueSetEntry) return name(idx.valueSets, entity.valueSetEntry.valueSetId, 'value set');
    if (entity.digestEntry) return name(idx.digests, entity.digestEntry.digestId, 'digest');
    if (entity.externEntry) return name(idx.externs, entity.externEntry.externId, 'extern');
    return 'empty entity';
  }
}
