/** Action profile members and groups (action profiles and action selectors). */
import type { P4Value } from '../codec.js';
import { bytesToBigInt } from '../codec.js';
import { EntityError } from '../errors.js';
import { BitField, type DecodeOptions, type P4InfoIndex } from '../p4info/index.js';
import type { p4 } from '../wire/generated/p4runtime.js';
import { decodeParams, encodeAction } from './common.js';

/** A member: an action call stored in an action profile under `memberId`. */
export interface ActionProfileMemberSpec {
  /** Member id; may be omitted only in reads (wildcard). */
  readonly memberId?: number;
  readonly action?: string;
  readonly params?: Readonly<Record<string, P4Value>>;
}

/** A member reference inside a group. */
export interface GroupMemberSpec {
  readonly memberId: number;
  readonly weight?: number;
  /** Port whose liveness gates the member. */
  readonly watchPort?: P4Value;
}

/** A group of weighted members (action selectors only). */
export interface ActionProfileGroupSpec {
  readonly groupId?: number;
  /** Members as ids (weight 1) or with weight/watch port. */
  readonly members?: readonly (number | GroupMemberSpec)[];
  readonly maxSize?: number;
}

/** A member as read back. */
export interface ActionProfileMemberData {
  readonly kind: 'actionProfileMember';
  readonly actionProfile: string;
  readonly memberId: number;
  readonly action?: string;
  readonly params?: Record<string, P4Value>;
}

/** A group as read back. */
export interface ActionProfileGroupData {
  readonly kind: 'actionProfileGroup';
  readonly actionProfile: string;
  readonly groupId: number;
  readonly members: GroupMemberSpec[];
  readonly maxSize: number;
}

const WATCH_PORT = new BitField(0, 'watch_port', 64, 'action profile group member', 'canonical');

/** Builds a p4.v1.ActionProfileMember; the action must be one the profile's tables can use. */
export function encodeActionProfileMember(
  index: P4InfoIndex,
  profileKey: string | number,
  spec: ActionProfileMemberSpec,
): p4.v1.IActionProfileMember {
  const profile = index.actionProfiles.get(profileKey);
  const out: p4.v1.IActionProfileMember = { actionProfileId: profile.id };
  if (spec.memberId !== undefined) out.memberId = spec.memberId;
  if (spec.action !== undefined) {
    const table = profile.tableIds.length > 0 ? index.tables.find(profile.tableIds[0]) : undefined;
    const action = table ? table.actions.get(spec.action) : index.actions.get(spec.action);
    out.action = encodeAction(action, spec.params);
  } else if (spec.params !== undefined)
    throw new EntityError(`action profile ${profile.name}: params given without an action`);
  return out;
}

/** Builds a p4.v1.ActionProfileGroup. */
export function encodeActionProfileGroup(
  index: P4InfoIndex,
  profileKey: string | number,
  spec: ActionProfileGroupSpec,
): p4.v1.IActionProfileGroup {
  const profile = index.actionProfiles.get(profileKey);
  if (!profile.withSelector)
    throw new EntityError(`action profile ${profile.name} has no selector: groups are not allowed`);
  const out: p4.v1.IActionProfileGroup = { actionProfileId: profile.id };
  if (spec.groupId !== undefined) out.groupId = spec.groupId;
  if (spec.maxSize !== undefined) out.maxSize = spec.maxSize;
  if (spec.members !== undefined) {
    out.members = spec.members.map((m) => {
      const member = typeof m === 'number' ? { memberId: m } : m;
      const encoded: p4.v1.ActionProfileGroup.IMember = {
        memberId: member.memberId,
        weight: member.weight ?? 1,
      };
      if (member.watchPort !== undefined) encoded.watchPort = WATCH_PORT.encode(member.watchPort);
      return encoded;
    });
  }
  return out;
}

/** Decodes an ActionProfileMember. */
export function decodeActionProfileMember(
  index: P4InfoIndex,
  m: p4.v1.IActionProfileMember,
  options?: DecodeOptions,
): ActionProfileMemberData {
  const profile = index.actionProfiles.get(m.actionProfileId ?? 0);
  const base = {
    kind: 'actionProfileMember' as const,
    actionProfile: profile.name,
    memberId: m.memberId ?? 0,
  };
  if (!m.action) return base;
  const action = index.actions.get(m.action.actionId ?? 0);
  return { ...base, action: action.name, params: decodeParams(action, m.action.params ?? [], options) };
}

/** Decodes an ActionProfileGroup. */
export function decodeActionProfileGroup(
  index: P4InfoIndex,
  g: p4.v1.IActionProfileGroup,
): ActionProfileGroupData {
  const profile = index.actionProfiles.get(g.actionProfileId ?? 0);
  return {
    kind: 'actionProfileGroup',
    actionProfile: profile.name,
    groupId: g.groupId ?? 0,
    maxSize: g.maxSize ?? 0,
    members: (g.members ?? []).map((m) => ({
      memberId: m.memberId ?? 0,
      weight: m.weight ?? 0,
      ...(m.watchPort && m.watchPort.length > 0 ? { watchPort: Number(bytesToBigInt(m.watchPort)) } : {}),
    })),
  };
}
