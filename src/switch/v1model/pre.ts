/**
 * Packet replication engine: multicast groups and clone (mirror) sessions.
 *
 * Multicast: a group is a list of replicas (egress port, replica id = egress_rid). Like bmv2's PRE fed by PI,
 * replicas with the same rid form one node whose ports are replicated in ascending order; nodes come in
 * the order their rid first appears. (Real simple_switch runs egress for different ports on different
 * threads, so only the order of copies on one port is meaningful.)
 *
 * Clone sessions follow simple_switch's MirroringSessionConfig: an optional set of replicas (what P4Runtime
 * CloneSessionEntry creates, through a hidden multicast group) and/or a single egress port (what
 * simple_switch_CLI `mirroring_add` creates). `packetLengthBytes` truncates clones; note that
 * simple_switch_grpc refuses a non-zero value (PI returns "not implemented by target"), so a server aiming
 * for strict parity should reject it too.
 */
import { alreadyExists, EngineError, invalidArgument, notFound } from '../core/errors.js';

export interface Replica {
  readonly port: number;
  /** Replica id, written to standard_metadata.egress_rid. */
  readonly rid: number;
}

export interface CloneSessionConfig {
  readonly replicas?: readonly Replica[];
  readonly egressPort?: number;
  /** Truncate clones to this many bytes (0 or undefined: no truncation). */
  readonly packetLengthBytes?: number;
  /** P4Runtime class_of_service; only 0 is supported (as in simple_switch_grpc). */
  readonly classOfService?: number;
}

/**
 * bmv2's multicast engine capacity (McSimplePre defaults, bm_sim/simple_pre.h): groups (P4Runtime clone
 * sessions with replicas use one each, as PI makes them hidden multicast groups) and L1 nodes. PI's
 * PreMcMgr makes one node per replication id of a group (its ports in one port map); each node has
 * one L2 node, so the L2 limit (8,192) is never the one reached.
 */
export const MAX_MULTICAST_GROUPS = 4096;
export const MAX_MULTICAST_NODES = 4096;

/** bmv2 RegisterAccess::MAX_MIRROR_SESSION_ID. */
export const MAX_CLONE_SESSION_ID = 32767;
export const MAX_MULTICAST_GROUP_ID = 65535;
/** Largest port number simple_switch can address (egress_spec is 9 bits). */
export const MAX_PORT = 511;

function checkReplicas(what: string, replicas: readonly Replica[]): Replica[] {
  // Ports and rids are checked below: a number key per replica (no string) tells duplicates apart.
  const seen = new Set<number>();
  const out: Replica[] = [];
  for (const r of replicas) {
    if (!Number.isInteger(r.port) || r.port < 0 || r.port > MAX_PORT) {
      throw invalidArgument(`${what}: replica port ${r.port} outside [0, ${MAX_PORT}]`);
    }
    if (!Number.isInteger(r.rid) || r.rid < 0 || r.rid > 0xffff)
      throw invalidArgument(`${what}: replica id ${r.rid} outside [0, 65535]`);
    const k = r.rid * (MAX_PORT + 1) + r.port;
    if (seen.has(k)) throw invalidArgument(`${what}: duplicate replica (port ${r.port}, rid ${r.rid})`);
    seen.add(k);
    out.push({ port: r.port, rid: r.rid });
  }
  return out;
}

/** Orders replicas the way bmv2's PRE emits them (see module doc). */
function replicationOrder(replicas: readonly Replica[]): Replica[] {
  const byRid = new Map<number, number[]>();
  for (const r of replicas) {
    const ports = byRid.get(r.rid) ?? [];
    ports.push(r.port);
    byRid.set(r.rid, ports);
  }
  const out: Replica[] = [];
  for (const [rid, ports] of byRid) for (const port of ports.sort((a, b) => a - b)) out.push({ port, rid });
  return out;
}

/** Replication ids of a replica list: the nodes bmv2 holds for it. */
function ridsOf(replicas: readonly Replica[] | undefined): Set<number> {
  return new Set((replicas ?? []).map((r) => r.rid));
}

export class ReplicationEngine {
  private readonly groups = new Map<number, { replicas: Replica[]; order: Replica[] }>();
  private readonly sessions = new Map<number, { config: CloneSessionConfig; order: Replica[] }>();
  /** Groups and nodes in use in bmv2's terms (see MAX_MULTICAST_GROUPS). */
  private groupsInUse = 0;
  private nodesInUse = 0;

  /**
   * Takes the capacity a new or replaced replica list needs, in the order PI spends it: the group
   * first (when new), then one node per replication id the old list did not have (PI creates those
   * before it deletes the ones that go away). Throws RESOURCE_EXHAUSTED, as bmv2's TABLE_FULL.
   */
  private reserve(
    what: string,
    next: readonly Replica[] | undefined,
    previous: readonly Replica[] | undefined,
    newGroup: boolean,
  ): void {
    const before = ridsOf(previous);
    const after = ridsOf(next);
    const groupDelta = (next ? 1 : 0) - (previous ? 1 : 0);
    if (newGroup && next && this.groupsInUse >= MAX_MULTICAST_GROUPS) {
      throw new EngineError(
        'RESOURCE_EXHAUSTED',
        `${what}: the multicast engine holds ${MAX_MULTICAST_GROUPS} groups (bmv2's McSimplePre limit)`,
      );
    }
    let created = 0;
    for (const rid of after) if (!before.has(rid)) created++;
    if (this.nodesInUse + created > MAX_MULTICAST_NODES) {
      throw new EngineError(
        'RESOURCE_EXHAUSTED',
        `${what}: needs ${created} more multicast node(s), one per replication id, but ${this.nodesInUse} of bmv2's ${MAX_MULTICAST_NODES} are in use`,
      );
    }
    this.groupsInUse += groupDelta;
    this.nodesInUse += after.size - before.size;
  }

  insertGroup(id: number, replicas: readonly Replica[]): void {
    checkGroupId(id);
    if (this.groups.has(id)) throw alreadyExists(`multicast group ${id} already exists`);
    const r = checkReplicas(`multicast group ${id}`, replicas);
    this.reserve(`multicast group ${id}`, r, undefined, true);
    this.groups.set(id, { replicas: r, order: replicationOrder(r) });
  }

  modifyGroup(id: number, replicas: readonly Replica[]): void {
    checkGroupId(id);
    const old = this.groups.get(id);
    if (!old) throw notFound(`multicast group ${id} does not exist`);
    const r = checkReplicas(`multicast group ${id}`, replicas);
    this.reserve(`multicast group ${id}`, r, old.replicas, false);
    this.groups.set(id, { replicas: r, order: replicationOrder(r) });
  }

  deleteGroup(id: number): void {
    checkGroupId(id);
    const old = this.groups.get(id);
    if (!old) throw notFound(`multicast group ${id} does not exist`);
    this.groups.delete(id);
    this.groupsInUse -= 1;
    this.nodesInUse -= ridsOf(old.replicas).size;
  }

  hasGroup(id: number): boolean {
    return this.groups.has(id);
  }

  readGroups(): { id: number; replicas: Replica[] }[] {
    return [...this.groups.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([id, g]) => ({ id, replicas: [...g.replicas] }));
  }

  /** Copies to make for a multicast group, in emission order; undefined when the group is unknown. */
  replicate(id: number): readonly Replica[] | undefined {
    return this.groups.get(id)?.order;
  }

  insertSession(id: number, config: CloneSessionConfig): void {
    checkSessionId(id);
    if (this.sessions.has(id)) throw alreadyExists(`clone session ${id} already exists`);
    const session = normalizeSession(id, config);
    this.reserve(`clone session ${id}`, session.config.replicas, undefined, true);
    this.sessions.set(id, session);
  }

  modifySession(id: number, config: CloneSessionConfig): void {
    checkSessionId(id);
    const old = this.sessions.get(id);
    if (!old) throw notFound(`clone session ${id} does not exist`);
    const session = normalizeSession(id, config);
    this.reserve(
      `clone session ${id}`,
      session.config.replicas,
      old.config.replicas,
      old.config.replicas === undefined,
    );
    this.sessions.set(id, session);
  }

  deleteSession(id: number): void {
    checkSessionId(id);
    const old = this.sessions.get(id);
    if (!old) throw notFound(`clone session ${id} does not exist`);
    this.sessions.delete(id);
    if (old.config.replicas) {
      this.groupsInUse -= 1;
      this.nodesInUse -= ridsOf(old.config.replicas).size;
    }
  }

  hasSession(id: number): boolean {
    return this.sessions.has(id);
  }

  readSessions(): { id: number; config: CloneSessionConfig }[] {
    return [...this.sessions.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([id, s]) => ({ id, config: s.config }));
  }

  session(id: number): { config: CloneSessionConfig; order: Replica[] } | undefined {
    return this.sessions.get(id);
  }

  clear(): void {
    this.groups.clear();
    this.sessions.clear();
    this.groupsInUse = 0;
    this.nodesInUse = 0;
  }
}

function checkGroupId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_MULTICAST_GROUP_ID) {
    throw invalidArgument(`multicast group id ${id} outside [1, ${MAX_MULTICAST_GROUP_ID}]`);
  }
}

function checkSessionId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_CLONE_SESSION_ID) {
    throw invalidArgument(`clone session id ${id} outside [0, ${MAX_CLONE_SESSION_ID}]`);
  }
}

function normalizeSession(
  id: number,
  c: CloneSessionConfig,
): { config: CloneSessionConfig; order: Replica[] } {
  if ((c.classOfService ?? 0) !== 0)
    throw new EngineError('UNIMPLEMENTED', 'class_of_service for clone sessions is not supported');
  const plen = c.packetLengthBytes ?? 0;
  if (!Number.isInteger(plen) || plen < 0)
    throw invalidArgument(`clone session ${id}: invalid packet_length_bytes ${plen}`);
  if (
    c.egressPort !== undefined &&
    (!Number.isInteger(c.egressPort) || c.egressPort < 0 || c.egressPort > MAX_PORT)
  ) {
    throw invalidArgument(`clone session ${id}: egress port ${c.egressPort} outside [0, ${MAX_PORT}]`);
  }
  const replicas = c.replicas ? checkReplicas(`clone session ${id}`, c.replicas) : undefined;
  const config: CloneSessionConfig = {
    ...(replicas ? { replicas } : {}),
    ...(c.egressPort !== undefined ? { egressPort: c.egressPort } : {}),
    packetLengthBytes: plen,
    classOfService: 0,
  };
  return { config, order: replicas ? replicationOrder(replicas) : [] };
}
