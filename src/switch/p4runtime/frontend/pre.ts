/**
 * PacketReplicationEngineEntry: multicast groups and clone sessions as PI programs bmv2's PRE.
 * Group ids from 2^15 up are reserved: PI realises clone session S as multicast group 2^15 + S
 * (invisible to multicast reads); the device receives the session's replicas directly.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceReplica } from '../device/device.js';
import { hex } from './bytestrings.js';
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

/** First multicast group id reserved for clone sessions (PI's `first_reserved_group_id`). */
export const FIRST_RESERVED_GROUP_ID = 1 << 15;
const MIN_CLONE_SESSION_ID = 1;
const MAX_CLONE_SESSION_ID = 32768;

/** A replica as the client wrote it (port kept in its original form for read-back). */
interface ReplicaState {
  readonly rid: number;
  readonly port: number;
  /** Bytes form (P4Runtime 1.4 `port`) or undefined for the deprecated `egress_port`. */
  readonly portBytes: number | undefined;
}

interface GroupState {
  replicas: ReplicaState[];
  metadata: Uint8Array;
}

interface SessionState {
  readonly classOfService: number;
  readonly packetLengthBytes: number;
}

/** PI's `bytestring_to_pi_port`. */
function portFromBytes(bytes: Uint8Array): number {
  if (bytes.length === 0) throw invalidArgument('Port must not be the empty string');
  if (bytes.length > 4)
    throw unimplemented(
      `Got port of ${bytes.length} bytes, but only 4 bytes are supported`,
      `port ${hex(bytes)}`,
    );
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  // PI reads the port as a signed 32-bit value and refuses values <= 0.
  if (value === 0 || value >= 0x80000000)
    throw invalidArgument('Port must be non-negative.', `port ${hex(bytes)}`);
  return value;
}

function portToBytes(port: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let v = port;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

/** PI's node map order: by rid, then by port form (deprecated `egress_port` first) and number. */
function compareReplicas(a: ReplicaState, b: ReplicaState): number {
  return (
    a.rid - b.rid ||
    (a.portBytes === undefined ? 0 : 1) - (b.portBytes === undefined ? 0 : 1) ||
    a.port - b.port ||
    (a.portBytes ?? 0) - (b.portBytes ?? 0)
  );
}

/**
 * Replica lists up to this long are searched for duplicates replica by replica: a group holds a
 * few replicas, and a scan costs less than a key string and a set entry per replica.
 */
const SCAN_LIMIT = 16;

/** Whether `replicas` holds one with the rid, port form and port of `r`. */
function holds(replicas: readonly ReplicaState[], r: ReplicaState): boolean {
  for (let i = 0; i < replicas.length; i++) {
    const o = replicas[i];
    if (o.rid === r.rid && o.port === r.port && o.portBytes === r.portBytes) return true;
  }
  return false;
}

/** Replicas checked and sorted like PI's node map (see {@link compareReplicas}). */
function checkReplicas(replicas: readonly p4.v1.IReplica[], what: string): ReplicaState[] {
  const out: ReplicaState[] = [];
  const seen = replicas.length > SCAN_LIMIT ? new Set<string>() : undefined;
  for (const r of replicas) {
    let state: ReplicaState;
    if (r.port !== null && r.port !== undefined) {
      state = { rid: r.instance ?? 0, port: portFromBytes(r.port), portBytes: r.port.length };
    } else if (r.egressPort !== null && r.egressPort !== undefined) {
      state = { rid: r.instance ?? 0, port: r.egressPort, portBytes: undefined };
    } else {
      throw invalidArgument('Missing port in multicast group replica', what);
    }
    let duplicate: boolean;
    if (seen === undefined) duplicate = holds(out, state);
    else {
      const id = `${state.rid}/${state.portBytes ?? 'u32'}/${state.port}`;
      duplicate = seen.has(id);
      seen.add(id);
    }
    if (duplicate)
      throw invalidArgument(
        'Duplicate replica in multicast group',
        `${what}, port ${state.port} instance ${state.rid}`,
      );
    out.push(state);
  }
  return out.sort(compareReplicas);
}

function replicaMessages(replicas: readonly ReplicaState[]): p4.v1.IReplica[] {
  return replicas.map((r) =>
    r.portBytes === undefined
      ? { egressPort: r.port, instance: r.rid }
      : { port: portToBytes(r.port, r.portBytes), instance: r.rid },
  );
}

function deviceReplicas(replicas: readonly ReplicaState[]): DeviceReplica[] {
  return replicas.map((r) => ({ port: r.port, rid: r.rid }));
}

export class PreManager {
  private readonly groups = new Map<number, GroupState>();
  private readonly sessions = new Map<number, SessionState>();

  constructor(private readonly ctx: PipelineContext) {}

  write(type: number | null | undefined, entry: p4.v1.IPacketReplicationEngineEntry): void {
    if (entry.multicastGroupEntry) this.writeGroup(type, entry.multicastGroupEntry);
    else if (entry.cloneSessionEntry) this.writeSession(type, entry.cloneSessionEntry);
    else throw invalidArgument('Invalid PRE operation', 'the PacketReplicationEngineEntry is empty');
  }

  read(entry: p4.v1.IPacketReplicationEngineEntry, out: p4.v1.IEntity[]): void {
    if (entry.multicastGroupEntry) this.readGroups(entry.multicastGroupEntry, out);
    else if (entry.cloneSessionEntry) this.readSessions(entry.cloneSessionEntry, out);
    else throw invalidArgument('Invalid PRE operation', 'the PacketReplicationEngineEntry is empty');
  }

  // ---------------------------------------------------------------- multicast groups

  private writeGroup(type: number | null | undefined, entry: p4.v1.IMulticastGroupEntry): void {
    const id = entry.multicastGroupId ?? 0;
    if (id === 0) throw invalidArgument('0 is not a valid group id');
    if (id >= FIRST_RESERVED_GROUP_ID) {
      throw statusError(
        Code.OUT_OF_RANGE,
        'Group id value is too high',
        `multicast group ${id}, ids from ${FIRST_RESERVED_GROUP_ID} are reserved`,
      );
    }
    const kind = updateKind(type);
    const what = `multicast group ${id}`;
    if (kind === 'INSERT') {
      if (this.groups.has(id)) throw alreadyExists('Multicast group already exists', what);
      const replicas = checkReplicas(entry.replicas ?? [], what);
      onTarget('Error when creating multicast group in target', () =>
        this.ctx.control.setMulticastGroup(id, deviceReplicas(replicas)),
      );
      this.groups.set(id, {
        replicas,
        metadata: entry.metadata ? Uint8Array.from(entry.metadata) : new Uint8Array(0),
      });
    } else if (kind === 'MODIFY') {
      const group = this.groups.get(id);
      if (!group) throw notFound('Multicast group does not exist', what);
      const replicas = checkReplicas(entry.replicas ?? [], what);
      onTarget('Error when modifying multicast group in target', () =>
        this.ctx.control.setMulticastGroup(id, deviceReplicas(replicas)),
      );
      group.replicas = replicas;
      group.metadata = entry.metadata ? Uint8Array.from(entry.metadata) : new Uint8Array(0);
    } else {
      if (!this.groups.has(id)) throw notFound('Multicast group does not exist', what);
      onTarget('Error when deleting multicast group in target', () =>
        this.ctx.control.deleteMulticastGroup(id),
      );
      this.groups.delete(id);
    }
  }

  private readGroups(request: p4.v1.IMulticastGroupEntry, out: p4.v1.IEntity[]): void {
    const id = request.multicastGroupId ?? 0;
    if (id >= FIRST_RESERVED_GROUP_ID)
      throw statusError(Code.OUT_OF_RANGE, 'Group id value is too high', `multicast group ${id}`);
    const ids =
      id === 0
        ? [...this.groups.keys()].filter((g) => g < FIRST_RESERVED_GROUP_ID).sort((a, b) => a - b)
        : [id];
    for (const gid of ids) {
      const group = this.groups.get(gid);
      if (!group) throw notFound('Multicast group does not exist', `multicast group ${gid}`);
      const message: p4.v1.IMulticastGroupEntry = {
        multicastGroupId: gid,
        replicas: replicaMessages(group.replicas),
      };
      if (group.metadata.length > 0) message.metadata = group.metadata;
      out.push({ packetReplicationEngineEntry: { multicastGroupEntry: message } });
    }
  }

  // ---------------------------------------------------------------- clone sessions

  private writeSession(type: number | null | undefined, entry: p4.v1.ICloneSessionEntry): void {
    const id = entry.sessionId ?? 0;
    if (id === 0) throw invalidArgument('0 is not a valid session id');
    const kind = updateKind(type);
    if (id < MIN_CLONE_SESSION_ID || id >= MAX_CLONE_SESSION_ID) {
      throw invalidArgument(
        'Clone session id out-of-range',
        `session ${id}, valid ids are ${MIN_CLONE_SESSION_ID} to ${MAX_CLONE_SESSION_ID - 1}`,
      );
    }
    const what = `clone session ${id}`;
    const group = FIRST_RESERVED_GROUP_ID + id;
    const config: SessionState = {
      classOfService: entry.classOfService ?? 0,
      packetLengthBytes: entry.packetLengthBytes ?? 0,
    };
    if (kind === 'INSERT') {
      if (this.sessions.has(id)) throw alreadyExists('Clone session id already exists', what);
      const replicas = checkReplicas(entry.replicas ?? [], what);
      this.applySession(id, config, replicas);
      this.groups.set(group, { replicas, metadata: new Uint8Array(0) });
      this.sessions.set(id, config);
    } else if (kind === 'MODIFY') {
      if (!this.sessions.has(id)) throw notFound('Clone session id does not exist', what);
      const replicas = checkReplicas(entry.replicas ?? [], what);
      this.applySession(id, config, replicas);
      this.groups.set(group, { replicas, metadata: new Uint8Array(0) });
      this.sessions.set(id, config);
    } else {
      if (!this.sessions.has(id)) throw notFound('Clone session id does not exist', what);
      onTarget('Error when resetting clone session in target', () => this.ctx.control.deleteCloneSession(id));
      this.groups.delete(group);
      this.sessions.delete(id);
    }
  }

  private applySession(id: number, config: SessionState, replicas: readonly ReplicaState[]): void {
    if (config.classOfService !== 0)
      throw unimplemented('COS for clone sessions not supported yet', `clone session ${id}`);
    if (config.packetLengthBytes !== 0) {
      // bmv2 has no truncation of clones; PI reports the target's refusal as UNKNOWN.
      throw statusError(
        Code.UNKNOWN,
        'Error when creating clone session in target',
        `packet_length_bytes ${config.packetLengthBytes}: bmv2 does not support truncating clones`,
      );
    }
    onTarget('Error when creating clone session in target', () =>
      this.ctx.control.setCloneSession(id, deviceReplicas(replicas)),
    );
  }

  private readSessions(request: p4.v1.ICloneSessionEntry, out: p4.v1.IEntity[]): void {
    const id = request.sessionId ?? 0;
    const ids = id === 0 ? [...this.sessions.keys()].sort((a, b) => a - b) : [id];
    for (const sid of ids) {
      const session = this.sessions.get(sid);
      if (!session) throw notFound('Clone session id does not exist', `clone session ${sid}`);
      const group = this.groups.get(FIRST_RESERVED_GROUP_ID + sid);
      out.push({
        packetReplicationEngineEntry: {
          cloneSessionEntry: {
            sessionId: sid,
            classOfService: session.classOfService,
            packetLengthBytes: session.packetLengthBytes,
            replicas: replicaMessages(group?.replicas ?? []),
          },
        },
      });
    }
  }
}
