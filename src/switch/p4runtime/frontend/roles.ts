/**
 * P4Runtime roles (spec section "Role Config"): a controller arbitrates for a (device id, role)
 * pair; a role whose config is set is limited to the P4 objects it names. Updates outside the role
 * are refused with PERMISSION_DENIED, explicit reads of them too, and wildcard reads leave them out.
 * The config scheme is this project's `geneve_offload.v1.P4RoleConfig` (src/role-config.ts).
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { RoleConfig } from '../../../role-config.js';

/** Key of the arbitration of a (device id, role) pair; the default role is ''. */
export function arbitrationKey(deviceId: bigint, role: string): string {
  return `${deviceId}/${role}`;
}

/** What an entity is about, for role checks: a P4Info id (0 for a wildcard), or the PRE. */
type EntityObject =
  | { readonly kind: 'p4'; readonly id: number }
  | { readonly kind: 'pre' }
  | { readonly kind: 'other' };

function objectOf(e: p4.v1.IEntity): EntityObject {
  const p4Id = (id: number | null | undefined): EntityObject => ({ kind: 'p4', id: id ?? 0 });
  if (e.tableEntry) return p4Id(e.tableEntry.tableId);
  if (e.actionProfileMember) return p4Id(e.actionProfileMember.actionProfileId);
  if (e.actionProfileGroup) return p4Id(e.actionProfileGroup.actionProfileId);
  if (e.meterEntry) return p4Id(e.meterEntry.meterId);
  if (e.directMeterEntry) return p4Id(e.directMeterEntry.tableEntry?.tableId);
  if (e.counterEntry) return p4Id(e.counterEntry.counterId);
  if (e.directCounterEntry) return p4Id(e.directCounterEntry.tableEntry?.tableId);
  if (e.registerEntry) return p4Id(e.registerEntry.registerId);
  if (e.valueSetEntry) return p4Id(e.valueSetEntry.valueSetId);
  if (e.digestEntry) return p4Id(e.digestEntry.digestId);
  if (e.packetReplicationEngineEntry) return { kind: 'pre' };
  return { kind: 'other' };
}

/** A role's scope; `config` undefined means full pipeline access (default role, or no config). */
export class RoleScope {
  private readonly ids: ReadonlySet<number>;

  constructor(
    readonly name: string,
    readonly config: RoleConfig | undefined,
  ) {
    this.ids = new Set(config?.p4Ids ?? []);
  }

  get restricted(): boolean {
    return this.config !== undefined;
  }

  /** True when the role may write (or read) this entity; wildcards count as outside. */
  allows(entity: p4.v1.IEntity): boolean {
    if (!this.config) return true;
    const o = objectOf(entity);
    if (o.kind === 'pre') return this.config.packetReplication === true;
    return o.kind === 'p4' && o.id !== 0 && this.ids.has(o.id);
  }

  /** True when a read request for `entity` is a wildcard over the object id (filtered, not refused). */
  static isWildcard(entity: p4.v1.IEntity): boolean {
    const o = objectOf(entity);
    return o.kind === 'p4' && o.id === 0;
  }

  get receivesPacketIns(): boolean {
    return !this.config || this.config.receivesPacketIns === true;
  }

  get sendsPacketOuts(): boolean {
    return !this.config || this.config.sendsPacketOuts === true;
  }

  get canPushPipeline(): boolean {
    return !this.config || this.config.canPushPipeline === true;
  }

  /** Whether a stream message for the primary concerns this role. */
  wants(message: p4.v1.IStreamMessageResponse): boolean {
    if (!this.config) return true;
    if (message.packet) return this.receivesPacketIns;
    if (message.digest) return this.ids.has(message.digest.digestId ?? 0);
    if (message.idleTimeoutNotification)
      return (message.idleTimeoutNotification.tableEntry ?? []).some((e) => this.ids.has(e.tableId ?? 0));
    return false;
  }

  /** "role 'x'" for messages. */
  describe(): string {
    return this.name ? `role '${this.name}'` : 'the default role';
  }
}
