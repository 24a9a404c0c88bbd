/**
 * Action profiles and action selectors (bmv2 ActionProfile + the P4Runtime member/group model PI maps onto
 * it). Members are identified by controller-chosen ids; internally each gets the lowest free handle, like
 * bmv2 does, because group member selection indexes the group's members *in handle order*:
 * `member = members_sorted_by_handle[uint32(hash) % count]` (bmv2 GroupInfo::get_nth). A member of weight w is
 * repeated w times in that order.
 */
import type { ActionDef } from './actions.js';
import type { Value } from './bits.js';
import { alreadyExists, EngineError, invalidArgument, notFound } from './errors.js';
import type { PacketState } from './state.js';

/** An action with its data, as stored in a member or a direct table entry. */
export interface ActionBinding {
  readonly action: ActionDef;
  readonly args: readonly Value[];
}

export interface ActionProfileDef {
  readonly name: string;
  readonly jsonId: number;
  readonly index: number;
  readonly maxSize: number;
  /** Selector hash (index into the program's calculations), for action selectors. */
  readonly selector: { readonly calculation: number; readonly algorithm: string } | undefined;
  /** Actions usable by members (union of the actions of the tables using the profile), by name. */
  readonly actions: Map<string, ActionDef[]>;
}

export interface MemberRecord {
  readonly memberId: number;
  readonly binding: ActionBinding;
}

export interface GroupMemberSpec {
  readonly memberId: number;
  /** Defaults to 1. */
  readonly weight?: number;
}

export interface GroupRecord {
  readonly groupId: number;
  readonly members: readonly { readonly memberId: number; readonly weight: number }[];
  readonly maxSize: number;
}

interface Member {
  readonly id: number;
  readonly handle: number;
  binding: ActionBinding;
  /** Table entries pointing directly at this member. */
  entryRefs: number;
  /** Groups containing this member. */
  readonly groups: Set<number>;
}

interface Group {
  readonly id: number;
  members: Map<number, number>;
  maxSize: number;
  entryRefs: number;
  /** Members in selection order (handle order, repeated by weight). */
  order: Member[];
}

export class ActionProfileState {
  private readonly members = new Map<number, Member>();
  private readonly groups = new Map<number, Group>();
  private readonly freeHandles: number[] = [];
  private nextHandle = 0;

  constructor(readonly def: ActionProfileDef) {}

  private allocHandle(): number {
    if (this.freeHandles.length > 0) return this.freeHandles.shift()!;
    return this.nextHandle++;
  }

  private freeHandle(h: number): void {
    let i = 0;
    while (i < this.freeHandles.length && this.freeHandles[i] < h) i++;
    this.freeHandles.splice(i, 0, h);
  }

  addMember(memberId: number, binding: ActionBinding): void {
    if (this.members.has(memberId))
      throw alreadyExists(`member ${memberId} already exists in action profile '${this.def.name}'`);
    if (this.def.maxSize > 0 && this.members.size >= this.def.maxSize) {
      throw new EngineError(
        'RESOURCE_EXHAUSTED',
        `action profile '${this.def.name}' is full (${this.def.maxSize} members)`,
      );
    }
    this.members.set(memberId, {
      id: memberId,
      handle: this.allocHandle(),
      binding,
      entryRefs: 0,
      groups: new Set(),
    });
  }

  modifyMember(memberId: number, binding: ActionBinding): void {
    const m = this.members.get(memberId);
    if (!m) throw notFound(`member ${memberId} not found in action profile '${this.def.name}'`);
    m.binding = binding;
  }

  deleteMember(memberId: number): void {
    const m = this.members.get(memberId);
    if (!m) throw notFound(`member ${memberId} not found in action profile '${this.def.name}'`);
    if (m.groups.size > 0) {
      throw new EngineError(
        'FAILED_PRECONDITION',
        `member ${memberId} is still in group(s) ${[...m.groups].join(', ')}`,
      );
    }
    if (m.entryRefs > 0)
      throw new EngineError(
        'FAILED_PRECONDITION',
        `member ${memberId} is referenced by ${m.entryRefs} table entr(y/ies)`,
      );
    this.members.delete(memberId);
    this.freeHandle(m.handle);
  }

  readMembers(): MemberRecord[] {
    return [...this.members.values()]
      .sort((a, b) => a.id - b.id)
      .map((m) => ({ memberId: m.id, binding: m.binding }));
  }

  hasMember(memberId: number): boolean {
    return this.members.has(memberId);
  }

  private checkGroupSpec(
    groupId: number,
    specs: readonly GroupMemberSpec[],
    maxSize: number,
  ): Map<number, number> {
    if (!this.def.selector)
      throw invalidArgument(`action profile '${this.def.name}' has no selector, so no groups`);
    const out = new Map<number, number>();
    let total = 0;
    for (const spec of specs) {
      const weight = spec.weight ?? 1;
      if (!Number.isInteger(weight) || weight < 1)
        throw invalidArgument(`member ${spec.memberId} has invalid weight ${weight}`);
      if (out.has(spec.memberId))
        throw invalidArgument(`member ${spec.memberId} listed twice in group ${groupId}`);
      if (!this.members.has(spec.memberId))
        throw notFound(`member ${spec.memberId} not found in action profile '${this.def.name}'`);
      out.set(spec.memberId, weight);
      total += weight;
    }
    if (maxSize > 0 && total > maxSize) {
      throw new EngineError(
        'RESOURCE_EXHAUSTED',
        `group ${groupId} would have ${total} members, more than its max_size ${maxSize}`,
      );
    }
    return out;
  }

  private reorder(g: Group): void {
    const ms = [...g.members.keys()].map((id) => this.members.get(id)!).sort((a, b) => a.handle - b.handle);
    const order: Member[] = [];
    for (const m of ms) for (let i = 0; i < g.members.get(m.id)!; i++) order.push(m);
    g.order = order;
  }

  addGroup(groupId: number, specs: readonly GroupMemberSpec[], maxSize = 0): void {
    if (this.groups.has(groupId))
      throw alreadyExists(`group ${groupId} already exists in action selector '${this.def.name}'`);
    const members = this.checkGroupSpec(groupId, specs, maxSize);
    const g: Group = { id: groupId, members, maxSize, entryRefs: 0, order: [] };
    for (const id of members.keys()) this.members.get(id)!.groups.add(groupId);
    this.reorder(g);
    this.groups.set(groupId, g);
  }

  modifyGroup(groupId: number, specs: readonly GroupMemberSpec[], maxSize?: number): void {
    const g = this.groups.get(groupId);
    if (!g) throw notFound(`group ${groupId} not found in action selector '${this.def.name}'`);
    if (maxSize !== undefined && maxSize !== g.maxSize) {
      throw invalidArgument(`group ${groupId} max_size cannot change (was ${g.maxSize}, got ${maxSize})`);
    }
    const members = this.checkGroupSpec(groupId, specs, g.maxSize);
    for (const id of g.members.keys()) this.members.get(id)?.groups.delete(groupId);
    for (const id of members.keys()) this.members.get(id)!.groups.add(groupId);
    g.members = members;
    this.reorder(g);
  }

  deleteGroup(groupId: number): void {
    const g = this.groups.get(groupId);
    if (!g) throw notFound(`group ${groupId} not found in action selector '${this.def.name}'`);
    if (g.entryRefs > 0)
      throw new EngineError(
        'FAILED_PRECONDITION',
        `group ${groupId} is referenced by ${g.entryRefs} table entr(y/ies)`,
      );
    for (const id of g.members.keys()) this.members.get(id)?.groups.delete(groupId);
    this.groups.delete(groupId);
  }

  readGroups(): GroupRecord[] {
    return [...this.groups.values()]
      .sort((a, b) => a.id - b.id)
      .map((g) => ({
        groupId: g.id,
        members: [...g.members.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([memberId, weight]) => ({ memberId, weight })),
        maxSize: g.maxSize,
      }));
  }

  hasGroup(groupId: number): boolean {
    return this.groups.has(groupId);
  }

  /** Adjusts reference counts when table entries start/stop pointing at a member or group. */
  ref(kind: 'member' | 'group', id: number, delta: 1 | -1): void {
    const target = kind === 'member' ? this.members.get(id) : this.groups.get(id);
    if (!target) throw notFound(`${kind} ${id} not found in action profile '${this.def.name}'`);
    target.entryRefs += delta;
  }

  /** The binding of a member. */
  member(memberId: number): ActionBinding | undefined {
    return this.members.get(memberId)?.binding;
  }

  /** Chooses a group member for the packet: hash of the selector inputs modulo the group size. */
  selectFromGroup(
    s: PacketState,
    groupId: number,
    hash: (s: PacketState) => bigint,
  ): ActionBinding | undefined {
    const g = this.groups.get(groupId);
    if (!g || g.order.length === 0) return undefined;
    if (g.order.length === 1) {
      // bmv2 still computes the hash (stateful hashes such as round_robin advance).
      hash(s);
      return g.order[0].binding;
    }
    // bmv2 keeps the hash in an `unsigned int` (hash_t) before the modulo.
    const h = Number(BigInt.asUintN(32, hash(s)));
    return g.order[h % g.order.length].binding;
  }

  clear(): void {
    this.members.clear();
    this.groups.clear();
    this.freeHandles.length = 0;
    this.nextHandle = 0;
  }
}
