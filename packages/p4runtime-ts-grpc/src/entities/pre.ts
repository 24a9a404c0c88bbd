/**
 * Packet replication engine: multicast groups and clone sessions. Replica ports are sent in
 * the `port` bytes field (P4Runtime >= 1.4); give `egressPort` instead to use the deprecated
 * uint32 field for older servers.
 */
import { bytesToBigInt, type P4Value } from '../codec.js';
import { EntityError } from '../errors.js';
import { BitField } from '../p4info/index.js';
import type { p4 } from '../wire/generated/p4runtime.js';

/** A backup replica, used when the primary replica's port is down. */
export interface BackupReplicaSpec {
  readonly port: P4Value;
  readonly instance?: number;
}

/** One copy of the packet: a port and an instance (egress_rid) number. */
export type ReplicaSpec =
  | {
      readonly port: P4Value;
      readonly egressPort?: undefined;
      readonly instance?: number;
      readonly backupReplicas?: readonly BackupReplicaSpec[];
    }
  | {
      readonly egressPort: number;
      readonly port?: undefined;
      readonly instance?: number;
      readonly backupReplicas?: readonly BackupReplicaSpec[];
    };

/** A multicast group: replicas of the packet, one per (port, instance). */
export interface MulticastGroupSpec {
  readonly groupId: number;
  readonly replicas?: readonly ReplicaSpec[];
  readonly metadata?: Uint8Array;
}

/** A clone session: where clones go, their class of service and truncation. */
export interface CloneSessionSpec {
  readonly sessionId: number;
  readonly replicas?: readonly ReplicaSpec[];
  readonly classOfService?: number;
  /** Truncate clones to this many bytes (0 = whole packet). */
  readonly packetLengthBytes?: number;
}

/** A decoded replica: `port` as number (or bigint), or `egressPort` when the server used the old field. */
export interface ReplicaData {
  readonly port?: number | bigint;
  readonly egressPort?: number;
  readonly instance: number;
  readonly backupReplicas?: { readonly port: number | bigint; readonly instance: number }[];
}

/** A multicast group as read back. */
export interface MulticastGroupData {
  readonly kind: 'multicastGroupEntry';
  readonly groupId: number;
  readonly replicas: ReplicaData[];
  readonly metadata?: Uint8Array;
}

/** A clone session as read back. */
export interface CloneSessionData {
  readonly kind: 'cloneSessionEntry';
  readonly sessionId: number;
  readonly replicas: ReplicaData[];
  readonly classOfService: number;
  readonly packetLengthBytes: number;
}

const PORT = new BitField(0, 'port', 64, 'replica', 'canonical');

function encodeReplica(r: ReplicaSpec, owner: string): p4.v1.IReplica {
  const out: p4.v1.IReplica = { instance: r.instance ?? 0 };
  if (r.egressPort !== undefined) out.egressPort = r.egressPort;
  else if (r.port !== undefined) out.port = PORT.encode(r.port);
  else throw new EntityError(`${owner}: replica needs a port`);
  if (r.backupReplicas)
    out.backupReplicas = r.backupReplicas.map((b) => ({
      port: PORT.encode(b.port),
      instance: b.instance ?? 0,
    }));
  return out;
}

function portNumber(bytes: Uint8Array): number | bigint {
  const v = bytesToBigInt(bytes);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function decodeReplica(r: p4.v1.IReplica): ReplicaData {
  const port = r.port && r.port.length > 0 ? { port: portNumber(r.port) } : { egressPort: r.egressPort ?? 0 };
  const backups = r.backupReplicas ?? [];
  return {
    ...port,
    instance: r.instance ?? 0,
    ...(backups.length > 0
      ? {
          backupReplicas: backups.map((b) => ({
            port: portNumber(b.port ?? new Uint8Array()),
            instance: b.instance ?? 0,
          })),
        }
      : {}),
  };
}

/** Builds the replication-engine entry of a multicast group. */
export function encodeMulticastGroup(spec: MulticastGroupSpec): p4.v1.IPacketReplicationEngineEntry {
  const owner = `multicast group ${spec.groupId}`;
  const entry: p4.v1.IMulticastGroupEntry = {
    multicastGroupId: spec.groupId,
    replicas: (spec.replicas ?? []).map((r) => encodeReplica(r, owner)),
  };
  if (spec.metadata) entry.metadata = spec.metadata;
  return { multicastGroupEntry: entry };
}

/** Builds the replication-engine entry of a clone session. */
export function encodeCloneSession(spec: CloneSessionSpec): p4.v1.IPacketReplicationEngineEntry {
  const owner = `clone session ${spec.sessionId}`;
  return {
    cloneSessionEntry: {
      sessionId: spec.sessionId,
      replicas: (spec.replicas ?? []).map((r) => encodeReplica(r, owner)),
      classOfService: spec.classOfService ?? 0,
      packetLengthBytes: spec.packetLengthBytes ?? 0,
    },
  };
}

/** Decodes a multicast group or clone session. */
export function decodePreEntry(
  e: p4.v1.IPacketReplicationEngineEntry,
): MulticastGroupData | CloneSessionData {
  if (e.multicastGroupEntry) {
    const m = e.multicastGroupEntry;
    return {
      kind: 'multicastGroupEntry',
      groupId: m.multicastGroupId ?? 0,
      replicas: (m.replicas ?? []).map(decodeReplica),
      ...(m.metadata && m.metadata.length > 0 ? { metadata: m.metadata } : {}),
    };
  }
  if (e.cloneSessionEntry) {
    const c = e.cloneSessionEntry;
    return {
      kind: 'cloneSessionEntry',
      sessionId: c.sessionId ?? 0,
      replicas: (c.replicas ?? []).map(decodeReplica),
      classOfService: c.classOfService ?? 0,
      packetLengthBytes: c.packetLengthBytes ?? 0,
    };
  }
  throw new EntityError('packet replication engine entry with neither multicast group nor clone session');
}
