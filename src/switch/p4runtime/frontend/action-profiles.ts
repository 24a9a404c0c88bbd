/**
 * Action profiles and selectors, programmed as PI does on bmv2: members and groups are created in
 * the device profile; a member of weight W in a group is realised by W device copies of the member
 * (bmv2 groups hold plain members), copies being shared between groups and deleted when unused.
 * A profile is used either "manually" (ActionProfileMember/Group entities) or "one shot" (tables
 * given an ActionProfileActionSet, for which the server creates hidden members and groups); PI
 * refuses to mix the two while the profile holds anything.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceActionCall } from '../device/device.js';
import { actionMessageOf, buildActionCall } from './action-data.js';
import type { ActionProfileModel } from './p4info-model.js';
import { type PipelineContext, updateKind } from './pipeline.js';
import {
  alreadyExists,
  Code,
  invalidArgument,
  notFound,
  onTarget,
  statusError,
  unimplemented,
} from './status.js';

/** Watch port of a group member, kept for read-write symmetry (bmv2 does not enforce it here). */
export type WatchPort =
  | { readonly kind: 'watch'; readonly watch: number }
  | { readonly kind: 'watchPort'; readonly watchPort: Uint8Array }
  | undefined;

function watchOf(m: { watch?: number | null; watchPort?: Uint8Array | null }): WatchPort {
  if (m.watchPort && m.watchPort.length > 0) return { kind: 'watchPort', watchPort: m.watchPort };
  if (m.watch !== null && m.watch !== undefined && m.watch !== 0) return { kind: 'watch', watch: m.watch };
  return undefined;
}

function watchFields(w: WatchPort): { watch?: number; watchPort?: Uint8Array } {
  if (!w) return {};
  return w.kind === 'watch' ? { watch: w.watch } : { watchPort: w.watchPort };
}

interface MemberState {
  call: DeviceActionCall;
  /** Device member handles: the member itself, then copies for weights > 1. */
  handles: number[];
}

interface GroupState {
  readonly handle: number;
  readonly maxSize: number;
  /** Member id to weight and watch port, ordered by member id. */
  members: Map<number, { weight: number; watch: WatchPort }>;
}

interface OneShotMember {
  readonly handle: number;
  /** Weight on the first copy of an action, 0 on the others. */
  readonly weight: number;
  readonly watch: WatchPort;
  readonly call: DeviceActionCall;
}

type Mode = 'unspecified' | 'manual' | 'oneshot';

/** State of one action profile. */
class ProfileState {
  mode: Mode = 'unspecified';
  readonly members = new Map<number, MemberState>();
  readonly groups = new Map<number, GroupState>();
  /** Device member handle (including copies) to member id. */
  readonly memberIdByHandle = new Map<number, number>();
  readonly groupIdByHandle = new Map<number, number>();
  /** One-shot groups: device group handle to its hidden members, in request order. */
  readonly oneShotGroups = new Map<number, OneShotMember[]>();

  constructor(readonly model: ActionProfileModel) {}

  isEmpty(): boolean {
    return this.members.size === 0 && this.groups.size === 0 && this.oneShotGroups.size === 0;
  }

  /** PI's `check_selector_usage`: switches mode when empty, refuses to mix otherwise. */
  use(mode: 'manual' | 'oneshot'): void {
    if (this.mode === mode) return;
    if (this.mode === 'unspecified' || this.isEmpty()) {
      this.mode = mode;
      return;
    }
    throw invalidArgument(
      'Invalid attempt to mix action selector programming modes',
      `action profile '${this.model.name}' is programmed ${this.mode === 'manual' ? 'with members and groups' : 'with one-shot action sets'}`,
    );
  }
}

/** How a table entry refers to its profile: by member id, group id, or a one-shot action set. */
export type IndirectAction =
  | { readonly type: 'member'; readonly handle: number }
  | { readonly type: 'group'; readonly handle: number };

export class ActionProfileManager {
  private readonly profiles = new Map<number, ProfileState>();

  constructor(private readonly ctx: PipelineContext) {
    for (const ap of ctx.model.actionProfiles.values()) this.profiles.set(ap.id, new ProfileState(ap));
  }

  private profile(id: number | null | undefined): ProfileState {
    const model = this.ctx.model.lookup(this.ctx.model.actionProfiles, 'ACTION_PROFILE', id);
    return this.profiles.get(model.id)!;
  }

  private checkAction(state: ProfileState, action: p4.v1.IAction | null | undefined): DeviceActionCall {
    const model = this.ctx.model.lookup(this.ctx.model.actions, 'ACTION', action?.actionId);
    if (!state.model.actionIds.has(model.id)) {
      throw invalidArgument(
        'Invalid action for action profile',
        `action '${model.name}' is not usable by action profile '${state.model.name}'`,
      );
    }
    return buildActionCall(model, action ?? {});
  }

  // ---------------------------------------------------------------- members

  writeMember(type: number | null | undefined, member: p4.v1.IActionProfileMember): void {
    const state = this.profile(member.actionProfileId);
    state.use('manual');
    const kind = updateKind(type);
    const id = member.memberId ?? 0;
    const profile = state.model.name;
    if (kind === 'INSERT') {
      const call = this.checkAction(state, member.action);
      if (state.members.has(id))
        throw alreadyExists(`Duplicate member id: ${id}`, `action profile '${profile}'`);
      const handle = onTarget('Error when creating member on target', () =>
        this.ctx.control.addMember(profile, call),
      );
      state.members.set(id, { call, handles: [handle] });
      state.memberIdByHandle.set(handle, id);
    } else if (kind === 'MODIFY') {
      const call = this.checkAction(state, member.action);
      const existing = state.members.get(id);
      if (!existing) throw notFound(`Member id does not exist: ${id}`, `action profile '${profile}'`);
      for (const h of existing.handles) {
        onTarget('Error when modifying member on target', () =>
          this.ctx.control.modifyMember(profile, h, call),
        );
      }
      existing.call = call;
    } else {
      const existing = state.members.get(id);
      if (!existing) throw notFound(`Member id does not exist: ${id}`, `action profile '${profile}'`);
      const holder = [...state.groups.entries()].find(([, g]) => g.members.has(id));
      if (holder) {
        // bmv2 refuses to delete a member a group holds; say which group in P4Runtime terms.
        throw statusError(
          Code.UNKNOWN,
          'Error when deleting member on target',
          `member ${id} is in group ${holder[0]} of action profile '${profile}'`,
        );
      }
      for (const h of [...existing.handles]) {
        onTarget(`Error when deleting member on target: member ${id} of action profile '${profile}'`, () =>
          this.ctx.control.deleteMember(profile, h),
        );
        state.memberIdByHandle.delete(h);
        existing.handles.shift();
      }
      state.members.delete(id);
    }
  }

  readMembers(request: p4.v1.IActionProfileMember, out: p4.v1.IEntity[]): void {
    const states = request.actionProfileId
      ? [this.profile(request.actionProfileId)]
      : [...this.profiles.values()];
    for (const state of states) {
      state.use('manual');
      const ids = request.memberId ? [request.memberId] : [...state.members.keys()];
      for (const id of ids) {
        const m = state.members.get(id);
        if (!m) continue; // PI logs a warning and returns nothing for an unknown member id
        out.push({
          actionProfileMember: {
            actionProfileId: state.model.id,
            memberId: id,
            action: actionMessageOf(this.ctx.model, m.call),
          },
        });
      }
    }
  }

  // ---------------------------------------------------------------- groups

  writeGroup(type: number | null | undefined, group: p4.v1.IActionProfileGroup): void {
    const state = this.profile(group.actionProfileId);
    state.use('manual');
    const kind = updateKind(type);
    const id = group.groupId ?? 0;
    const profile = state.model.name;
    if (kind === 'INSERT') {
      const maxSize = this.validateMaxSize(state, group.maxSize ?? 0);
      if (state.groups.has(id))
        throw alreadyExists(`Duplicate group id: ${id}`, `action profile '${profile}'`);
      const handle = onTarget('Error when creating group on target', () =>
        this.ctx.control.addGroup(profile),
      );
      const g: GroupState = { handle, maxSize, members: new Map() };
      state.groups.set(id, g);
      state.groupIdByHandle.set(handle, id);
      // As in PI, the group exists from here on: a refused member list leaves it empty (bmv2 shows
      // the same, and a retried INSERT then gets ALREADY_EXISTS).
      this.applyMembership(state, g, this.desiredMembership(state, group, maxSize));
    } else if (kind === 'MODIFY') {
      const g = state.groups.get(id);
      if (!g) throw notFound(`Group id does not exist: ${id}`, `action profile '${profile}'`);
      const maxSize = group.maxSize ?? 0;
      if (maxSize !== 0 && maxSize !== g.maxSize) {
        throw invalidArgument(
          'Cannot change group max_size after group creation',
          `group ${id} of action profile '${profile}' has max_size ${g.maxSize}`,
        );
      }
      this.applyMembership(state, g, this.desiredMembership(state, group, g.maxSize));
    } else {
      const g = state.groups.get(id);
      if (!g) throw notFound(`Group id does not exist: ${id}`, `action profile '${profile}'`);
      onTarget(`Error when deleting group on target: group ${id} of action profile '${profile}'`, () =>
        this.ctx.control.deleteGroup(profile, g.handle),
      );
      state.groups.delete(id);
      state.groupIdByHandle.delete(g.handle);
      for (const memberId of g.members.keys()) this.purgeCopies(state, memberId);
    }
  }

  readGroups(request: p4.v1.IActionProfileGroup, out: p4.v1.IEntity[]): void {
    const states = request.actionProfileId
      ? [this.profile(request.actionProfileId)]
      : [...this.profiles.values()];
    for (const state of states) {
      state.use('manual');
      const ids = request.groupId ? [request.groupId] : [...state.groups.keys()];
      for (const id of ids) {
        const g = state.groups.get(id);
        if (!g) continue;
        const members = [...g.members.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([memberId, m]) => ({ memberId, weight: m.weight, ...watchFields(m.watch) }));
        out.push({
          actionProfileGroup: { actionProfileId: state.model.id, groupId: id, maxSize: g.maxSize, members },
        });
      }
    }
  }

  private validateMaxSize(state: ProfileState, maxSize: number): number {
    if (maxSize < 0)
      throw invalidArgument('Group max_size cannot be less than 0', `action profile '${state.model.name}'`);
    if (state.model.maxGroupSize > 0 && maxSize > state.model.maxGroupSize) {
      throw invalidArgument(
        'Group max_size cannot exceed static max_group_size (from P4Info)',
        `max_size ${maxSize} > ${state.model.maxGroupSize} for action profile '${state.model.name}'`,
      );
    }
    return maxSize;
  }

  private desiredMembership(
    state: ProfileState,
    group: p4.v1.IActionProfileGroup,
    maxSizeUser: number,
  ): Map<number, { weight: number; watch: WatchPort }> {
    let sum = 0;
    for (const m of group.members ?? []) {
      const weight = m.weight ?? 0;
      if (weight <= 0) {
        throw invalidArgument(
          'Member weight must be a positive integer value',
          `member ${m.memberId ?? 0} has weight ${weight}`,
        );
      }
      sum += weight;
    }
    const maxSize = maxSizeUser === 0 ? state.model.maxGroupSize : maxSizeUser;
    if (maxSize > 0 && sum > maxSize) {
      throw statusError(
        Code.RESOURCE_EXHAUSTED,
        'Sum of member weights exceeds maximum group size',
        `${sum} > ${maxSize} in group ${group.groupId ?? 0} of action profile '${state.model.name}'`,
      );
    }
    const desired = new Map<number, { weight: number; watch: WatchPort }>();
    for (const m of group.members ?? []) {
      const id = m.memberId ?? 0;
      if (!state.members.has(id))
        throw notFound(`Member id does not exist: ${id}`, `action profile '${state.model.name}'`);
      if (desired.has(id)) {
        throw invalidArgument(
          `Duplicate member id ${id} for group ${group.groupId ?? 0}, use weights instead`,
          `action profile '${state.model.name}'`,
        );
      }
      desired.set(id, { weight: m.weight ?? 0, watch: watchOf(m) });
    }
    return desired;
  }

  /** Moves a group from its current membership to `desired`, member copy by member copy. */
  private applyMembership(
    state: ProfileState,
    g: GroupState,
    desired: Map<number, { weight: number; watch: WatchPort }>,
  ): void {
    const profile = state.model.name;
    const touched = new Set([...g.members.keys(), ...desired.keys()]);
    try {
      for (const memberId of touched) {
        const member = state.members.get(memberId)!;
        const current = g.members.get(memberId)?.weight ?? 0;
        const wanted = desired.get(memberId)?.weight ?? 0;
        while (member.handles.length < wanted) {
          const copy = onTarget('Error when creating member on target', () =>
            this.ctx.control.addMember(profile, member.call),
          );
          member.handles.push(copy);
          state.memberIdByHandle.set(copy, memberId);
        }
        for (let i = current - 1; i >= wanted; i--) {
          onTarget('Error when removing member from group on target', () =>
            this.ctx.control.removeMemberFromGroup(profile, g.handle, member.handles[i]),
          );
          this.setWeight(g, memberId, i, undefined);
        }
        for (let i = current; i < wanted; i++) {
          onTarget('Error when adding member to group on target', () =>
            this.ctx.control.addMemberToGroup(profile, g.handle, member.handles[i]),
          );
          this.setWeight(g, memberId, i + 1, desired.get(memberId)?.watch);
        }
        const entry = g.members.get(memberId);
        if (entry && desired.has(memberId)) entry.watch = desired.get(memberId)?.watch;
      }
    } finally {
      for (const memberId of touched) this.purgeCopies(state, memberId);
    }
  }

  private setWeight(g: GroupState, memberId: number, weight: number, watch: WatchPort): void {
    if (weight === 0) g.members.delete(memberId);
    else g.members.set(memberId, { weight, watch: watch ?? g.members.get(memberId)?.watch });
  }

  /** Deletes device copies of a member beyond the largest weight any group still uses. */
  private purgeCopies(state: ProfileState, memberId: number): void {
    const member = state.members.get(memberId);
    if (!member) return;
    let needed = 1;
    for (const g of state.groups.values()) needed = Math.max(needed, g.members.get(memberId)?.weight ?? 0);
    while (member.handles.length > needed) {
      const h = member.handles[member.handles.length - 1];
      onTarget('Error when deleting member copy on target', () =>
        this.ctx.control.deleteMember(state.model.name, h),
      );
      member.handles.pop();
      state.memberIdByHandle.delete(h);
    }
  }

  // ---------------------------------------------------------------- use by tables

  /** Device handle for a table action given as member id or group id (PI: "Invalid member / group id"). */
  resolveIndirect(profileId: number, action: p4.v1.ITableAction): IndirectAction {
    const state = this.profile(profileId);
    state.use('manual');
    if (action.actionProfileMemberId !== null && action.actionProfileMemberId !== undefined) {
      const m = state.members.get(action.actionProfileMemberId);
      if (!m)
        throw invalidArgument(
          'Invalid member / group id',
          `member ${action.actionProfileMemberId} does not exist in action profile '${state.model.name}'`,
        );
      return { type: 'member', handle: m.handles[0] };
    }
    const id = action.actionProfileGroupId ?? 0;
    const g = state.groups.get(id);
    if (!g)
      throw invalidArgument(
        'Invalid member / group id',
        `group ${id} does not exist in action profile '${state.model.name}'`,
      );
    return { type: 'group', handle: g.handle };
  }

  /** Checks a one-shot action set without touching the device; returns the calls to create. */
  checkOneShot(
    profileId: number,
    set: p4.v1.IActionProfileActionSet,
  ): { call: DeviceActionCall; weight: number; watch: WatchPort }[] {
    const state = this.profile(profileId);
    state.use('oneshot');
    const actions = set.actionProfileActions ?? [];
    if (actions.length === 0)
      throw unimplemented(
        'No support for empty action profile groups',
        `action profile '${state.model.name}'`,
      );
    const calls = actions.map((a) => ({
      call: this.checkAction(state, a.action),
      weight: a.weight ?? 0,
      watch: watchOf(a),
    }));
    let sum = 0;
    for (const c of calls) {
      if (c.weight <= 0)
        throw invalidArgument(
          'Member weight must be a positive integer value',
          `action '${c.call.action}' has weight ${c.weight}`,
        );
      sum += c.weight;
    }
    if (state.model.maxGroupSize > 0 && sum > state.model.maxGroupSize) {
      throw statusError(
        Code.RESOURCE_EXHAUSTED,
        'Sum of weights exceeds static max_group_size (from P4Info)',
        `${sum} > ${state.model.maxGroupSize} for action profile '${state.model.name}'`,
      );
    }
    return calls;
  }

  /** Creates the hidden group of a one-shot action set; returns its device group handle. */
  createOneShot(
    profileId: number,
    calls: readonly { call: DeviceActionCall; weight: number; watch: WatchPort }[],
  ): number {
    const state = this.profile(profileId);
    const profile = state.model.name;
    const created: OneShotMember[] = [];
    let group: number | undefined;
    try {
      for (const c of calls) {
        for (let i = 0; i < c.weight; i++) {
          const handle = onTarget('Error when creating member on target', () =>
            this.ctx.control.addMember(profile, c.call),
          );
          created.push({ handle, weight: i === 0 ? c.weight : 0, watch: c.watch, call: c.call });
        }
      }
      const g = onTarget('Error when creating group on target', () => this.ctx.control.addGroup(profile));
      group = g;
      for (const m of created) {
        onTarget('Error when adding member to group on target', () =>
          this.ctx.control.addMemberToGroup(profile, g, m.handle),
        );
      }
    } catch (error) {
      this.destroyOneShot(profile, group, created);
      throw error;
    }
    state.oneShotGroups.set(group, created);
    return group;
  }

  /** Deletes a one-shot group and its hidden members. */
  deleteOneShot(profileId: number, group: number): void {
    const state = this.profile(profileId);
    const members = state.oneShotGroups.get(group) ?? [];
    state.oneShotGroups.delete(group);
    this.destroyOneShot(state.model.name, group, members);
  }

  private destroyOneShot(
    profile: string,
    group: number | undefined,
    members: readonly OneShotMember[],
  ): void {
    // The group goes first: bmv2 refuses to delete members a group still holds.
    if (group !== undefined)
      onTarget('Error when deleting group on target', () => this.ctx.control.deleteGroup(profile, group));
    for (const m of members)
      onTarget('Error when deleting member on target', () =>
        this.ctx.control.deleteMember(profile, m.handle),
      );
  }

  /** The TableAction a device member/group handle stands for, as a Read returns it. */
  tableActionOf(profileId: number, action: IndirectAction): p4.v1.ITableAction {
    const state = this.profile(profileId);
    if (action.type === 'group') {
      const oneShot = state.oneShotGroups.get(action.handle);
      if (oneShot) {
        return {
          actionProfileActionSet: {
            actionProfileActions: oneShot
              .filter((m) => m.weight > 0)
              .map((m) => ({
                action: actionMessageOf(this.ctx.model, m.call),
                weight: m.weight,
                ...watchFields(m.watch),
              })),
          },
        };
      }
      const groupId = state.groupIdByHandle.get(action.handle);
      if (groupId === undefined)
        throw statusError(Code.INTERNAL, 'Invalid indirect handle', `group handle ${action.handle}`);
      return { actionProfileGroupId: groupId };
    }
    const memberId = state.memberIdByHandle.get(action.handle);
    if (memberId === undefined)
      throw statusError(Code.INTERNAL, 'Invalid indirect handle', `member handle ${action.handle}`);
    return { actionProfileMemberId: memberId };
  }
}
