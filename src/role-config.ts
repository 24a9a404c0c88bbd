/**
 * The role definition scheme shared by this project's client and embedded target
 * (`geneve_offload.v1.P4RoleConfig`, proto/geneve_offload/v1/role_config.proto): which P4 objects a
 * role may write and read, and whether it takes part in packet I/O and pipeline changes. P4Runtime
 * carries it, packed in an Any, as `MasterArbitrationUpdate.role.config` (spec section "Role Config").
 */

import type { google } from 'p4runtime-ts-grpc/wire';
import protobuf from 'protobufjs';

/** A role's scope, as the target enforces it. */
export interface RoleConfig {
  /** P4Info ids of the tables, action profiles, counters, meters, registers, value sets, digests. */
  readonly p4Ids: readonly number[];
  /** Multicast groups and clone sessions. Default false. */
  readonly packetReplication?: boolean;
  /** The role's primary receives PacketIns. Default false. */
  readonly receivesPacketIns?: boolean;
  /** The role's primary may send PacketOuts. Default false. */
  readonly sendsPacketOuts?: boolean;
  /** The role's primary may set the forwarding pipeline. Default false. */
  readonly canPushPipeline?: boolean;
}

/** Full name of the message, the last part of its Any type URL. */
export const ROLE_CONFIG_TYPE = 'geneve_offload.v1.P4RoleConfig';
const TYPE_URL = `type.googleapis.com/${ROLE_CONFIG_TYPE}`;

/** The message type, built here so that the client needs no .proto file at run time. */
export const P4RoleConfigType = new protobuf.Type('P4RoleConfig')
  .add(new protobuf.Field('p4_ids', 1, 'uint32', 'repeated'))
  .add(new protobuf.Field('packet_replication', 2, 'bool'))
  .add(new protobuf.Field('receives_packet_ins', 3, 'bool'))
  .add(new protobuf.Field('sends_packet_outs', 4, 'bool'))
  .add(new protobuf.Field('can_push_pipeline', 5, 'bool'));
new protobuf.Root().define('geneve_offload.v1').add(P4RoleConfigType);

interface WireRoleConfig {
  p4_ids?: number[];
  packet_replication?: boolean;
  receives_packet_ins?: boolean;
  sends_packet_outs?: boolean;
  can_push_pipeline?: boolean;
}

/** Packs a role config for `ConnectOptions.roleConfig`. */
export function encodeRoleConfig(config: RoleConfig): google.protobuf.IAny {
  const wire: WireRoleConfig = {
    p4_ids: [...config.p4Ids],
    packet_replication: config.packetReplication ?? false,
    receives_packet_ins: config.receivesPacketIns ?? false,
    sends_packet_outs: config.sendsPacketOuts ?? false,
    can_push_pipeline: config.canPushPipeline ?? false,
  };
  return { type_url: TYPE_URL, value: P4RoleConfigType.encode(P4RoleConfigType.fromObject(wire)).finish() };
}

/** A role config that is not a `geneve_offload.v1.P4RoleConfig`. */
export class RoleConfigError extends Error {
  override readonly name = 'RoleConfigError';
}

/** Unpacks a role config; throws a {@link RoleConfigError} for another scheme or bad bytes. */
export function decodeRoleConfig(any: google.protobuf.IAny): RoleConfig {
  const url = any.type_url ?? '';
  const type = url.slice(url.lastIndexOf('/') + 1);
  if (type !== ROLE_CONFIG_TYPE)
    throw new RoleConfigError(
      `role config of type '${type}' is not understood; expected ${ROLE_CONFIG_TYPE}`,
    );
  let wire: WireRoleConfig;
  try {
    wire = P4RoleConfigType.toObject(P4RoleConfigType.decode(any.value ?? new Uint8Array(0)), {
      defaults: true,
    }) as WireRoleConfig;
  } catch (error) {
    throw new RoleConfigError(`role config is not a valid ${ROLE_CONFIG_TYPE}: ${(error as Error).message}`);
  }
  return {
    p4Ids: wire.p4_ids ?? [],
    packetReplication: wire.packet_replication ?? false,
    receivesPacketIns: wire.receives_packet_ins ?? false,
    sendsPacketOuts: wire.sends_packet_outs ?? false,
    canPushPipeline: wire.can_push_pipeline ?? false,
  };
}
