/**
 * gRPC handlers of p4.v1.P4Runtime, with the request-level rules of PI's server (pi_server.cpp):
 * which election id may write, which device ids have a pipeline, how StreamChannel arbitration,
 * packet-out and digest acks are handled. Entity semantics live in {@link DeviceManager}.
 */
import type * as grpc from '@grpc/grpc-js';
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { P4RuntimeService } from 'p4runtime-ts-grpc/wire';
import { decodeRoleConfig, RoleConfigError } from '../../../role-config.js';
import { Arbitration, type Connection } from '../frontend/arbitration.js';
import { type DeviceManager, ERROR_SPACE } from '../frontend/device-manager.js';
import { toBigInt } from '../frontend/pipeline.js';
import { arbitrationKey, RoleScope } from '../frontend/roles.js';
import { Code, P4RuntimeStatusError, statusError, unknownError } from '../frontend/status.js';
import { plainStatus, statusOf, writeStatus } from './grpc-status.js';
import { decodeWriteRequest } from './write-request.js';
import { WriteTurns } from './write-turns.js';

/** API version reported by Capabilities. PI reports 1.3.0; the schema served here is 1.4. */
export const P4RUNTIME_API_VERSION = '1.4.1';

/** Most entities per ReadResponse message (PI sends one message; large reads are split here). */
export const READ_CHUNK_ENTITIES = 1000;

export interface P4RuntimeServiceOptions {
  /** The device id the target answers for (bmv2's `--device-id`). */
  readonly deviceId: bigint;
  readonly manager: DeviceManager;
  /**
   * Shared arbitration state per (device id, role), keyed by {@link arbitrationKey} (so the device
   * manager can reach the primaries).
   */
  readonly arbitrations: Map<string, Arbitration>;
  /** Called for each packet-in dropped because the controller's queue was full. */
  readonly onPacketInDropped?: () => void;
}

/**
 * Most messages queued on one StreamChannel that the controller has not taken yet. Past this,
 * packet-ins are dropped (and counted), as a switch's CPU queue drops when the CPU does not keep
 * up; arbitration updates and other messages are always queued.
 */
export const MAX_QUEUED_STREAM_MESSAGES = 1024;

/** A request whose bytes are not a valid protobuf message of the expected type. */
export class MalformedRequest {
  constructor(
    readonly messageType: string,
    readonly reason: string,
  ) {}

  status(): grpc.ServerErrorResponse {
    return plainStatus(Code.INVALID_ARGUMENT, `Malformed ${this.messageType}: ${this.reason}`);
  }
}

type Decoded<T> = T | MalformedRequest;

/** A ReadResponse to send: a message, or its bytes as {@link DeviceManager.readEncoded} writes them. */
export type ReadReply = p4.v1.IReadResponse | Buffer;

function lenient<T>(messageType: string, decode: (bytes: Buffer) => T): (bytes: Buffer) => Decoded<T> {
  return (bytes) => {
    try {
      return decode(bytes);
    } catch (error) {
      return new MalformedRequest(messageType, error instanceof Error ? error.message : String(error));
    }
  };
}

/**
 * p4.v1.P4Runtime for `grpc.Server.addService`: the shared service definition, with request decoding
 * that reports undecodable bytes as INVALID_ARGUMENT (grpc-js alone answers INTERNAL).
 */
export const p4RuntimeServerDefinition = {
  write: {
    ...P4RuntimeService.write,
    // The generated decoder's result, without its cost per oneof member (see write-request.ts).
    requestDeserialize: lenient('p4.v1.WriteRequest', decodeWriteRequest),
  },
  read: {
    ...P4RuntimeService.read,
    requestDeserialize: lenient('p4.v1.ReadRequest', P4RuntimeService.read.requestDeserialize),
    // ReadResponses are mostly written as bytes already (DeviceManager.readEncoded).
    responseSerialize: (message: ReadReply) =>
      Buffer.isBuffer(message) ? message : P4RuntimeService.read.responseSerialize(message),
  },
  setForwardingPipelineConfig: {
    ...P4RuntimeService.setForwardingPipelineConfig,
    requestDeserialize: lenient(
      'p4.v1.SetForwardingPipelineConfigRequest',
      P4RuntimeService.setForwardingPipelineConfig.requestDeserialize,
    ),
  },
  getForwardingPipelineConfig: {
    ...P4RuntimeService.getForwardingPipelineConfig,
    requestDeserialize: lenient(
      'p4.v1.GetForwardingPipelineConfigRequest',
      P4RuntimeService.getForwardingPipelineConfig.requestDeserialize,
    ),
  },
  streamChannel: {
    ...P4RuntimeService.streamChannel,
    requestDeserialize: lenient(
      'p4.v1.StreamMessageRequest',
      P4RuntimeService.streamChannel.requestDeserialize,
    ),
  },
  capabilities: {
    ...P4RuntimeService.capabilities,
    requestDeserialize: lenient(
      'p4.v1.CapabilitiesRequest',
      P4RuntimeService.capabilities.requestDeserialize,
    ),
  },
} satisfies grpc.ServiceDefinition;

/** Handlers of {@link p4RuntimeServerDefinition}. */
export interface P4RuntimeHandlers extends grpc.UntypedServiceImplementation {
  write: grpc.handleUnaryCall<Decoded<p4.v1.WriteRequest>, p4.v1.IWriteResponse>;
  read: grpc.handleServerStreamingCall<Decoded<p4.v1.ReadRequest>, ReadReply>;
  setForwardingPipelineConfig: grpc.handleUnaryCall<
    Decoded<p4.v1.SetForwardingPipelineConfigRequest>,
    p4.v1.ISetForwardingPipelineConfigResponse
  >;
  getForwardingPipelineConfig: grpc.handleUnaryCall<
    Decoded<p4.v1.GetForwardingPipelineConfigRequest>,
    p4.v1.IGetForwardingPipelineConfigResponse
  >;
  streamChannel: grpc.handleBidiStreamingCall<
    Decoded<p4.v1.StreamMessageRequest>,
    p4.v1.IStreamMessageResponse
  >;
  capabilities: grpc.handleUnaryCall<Decoded<p4.v1.CapabilitiesRequest>, p4.v1.ICapabilitiesResponse>;
}

function uint128(value: p4.v1.IUint128 | null | undefined): bigint {
  if (!value) return 0n;
  return (toBigInt(value.high) << 64n) | toBigInt(value.low);
}

/** True when two role configs are the same message (type and bytes). */
function sameBytes(
  a: { type_url?: string | null; value?: Uint8Array | null } | undefined,
  b: typeof a,
): boolean {
  if (!a || !b) return a === b;
  return a.type_url === b.type_url && Buffer.from(a.value ?? []).equals(Buffer.from(b.value ?? []));
}

/** Role ids were replaced by names in P4Runtime 1.2; they are refused. */
function roleIdRefused(roleId: unknown): grpc.ServerErrorResponse | undefined {
  const id = toBigInt(roleId as number | null | undefined);
  return id !== 0n
    ? plainStatus(Code.UNIMPLEMENTED, `Role ids are not supported (got role id ${id}); name the role`)
    : undefined;
}

/**
 * Sends a stream message from the device to the primaries it concerns: the default role's primary
 * gets everything, the primary of a restricted role what its config covers.
 */
export function sendToPrimaries(
  arbitrations: ReadonlyMap<string, Arbitration>,
  deviceId: bigint,
  message: p4.v1.IStreamMessageResponse,
): void {
  const prefix = arbitrationKey(deviceId, '');
  for (const [key, a] of arbitrations) {
    if (!key.startsWith(prefix)) continue;
    if (a.role === '' || (!message.error && a.scope.wants(message))) a.sendToPrimary(message);
  }
}

function asStatus(error: unknown): grpc.ServerErrorResponse {
  if (error instanceof P4RuntimeStatusError) return statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return statusOf(statusError(Code.INTERNAL, 'Internal error', message));
}

/** Builds the handler set to pass with {@link p4RuntimeServerDefinition} to `grpc.Server.addService`. */
export function createP4RuntimeHandlers(options: P4RuntimeServiceOptions): P4RuntimeHandlers {
  const { manager, deviceId, arbitrations } = options;

  // State exists only for (device id, role) pairs that have a stream open: a request naming any
  // other device id leaves nothing behind (a client cycling through device ids must not grow the heap).
  const arbitration = (id: bigint, role: string): Arbitration => {
    const key = arbitrationKey(id, role);
    let a = arbitrations.get(key);
    if (!a) {
      a = new Arbitration(id, role);
      arbitrations.set(key, a);
    }
    return a;
  };
  const release = (id: bigint, role: string, connection: Connection): void => {
    const key = arbitrationKey(id, role);
    const a = arbitrations.get(key);
    if (!a) return;
    a.remove(connection);
    if (a.size === 0) arbitrations.delete(key);
  };

  /**
   * The scope of a request's role, or its refusal: NOT_FOUND for a role no controller arbitrated
   * for (spec, Write and SetForwardingPipelineConfig checks), UNIMPLEMENTED for a role id.
   */
  const roleScope = (
    id: bigint,
    request: { role?: string | null; roleId?: unknown },
  ): RoleScope | grpc.ServerErrorResponse => {
    const refused = roleIdRefused(request.roleId);
    if (refused) return refused;
    const role = request.role ?? '';
    if (role === '') return new RoleScope('', undefined);
    const a = arbitrations.get(arbitrationKey(id, role));
    if (!a) return plainStatus(Code.NOT_FOUND, `Role '${role}' is not known for device ${id}`);
    return a.scope;
  };

  /** PI: with no stream open, only requests without election id may write; else only the primary's. */
  const checkPrimary = (
    id: bigint,
    role: string,
    request: { electionId?: p4.v1.IUint128 | null },
  ): grpc.ServerErrorResponse | undefined => {
    const a = arbitrations.get(arbitrationKey(id, role));
    if (!a || a.size === 0)
      return request.electionId ? plainStatus(Code.PERMISSION_DENIED, 'Not primary') : undefined;
    if (!a.isPrimaryElectionId(uint128(request.electionId)))
      return plainStatus(Code.PERMISSION_DENIED, 'Not primary');
    return undefined;
  };

  const isStatus = (x: RoleScope | grpc.ServerErrorResponse): x is grpc.ServerErrorResponse =>
    !(x instanceof RoleScope);

  /** The scope of a request that changes the device (Write, SetForwardingPipelineConfig), or its refusal. */
  const writerScope = (
    id: bigint,
    request: { role?: string | null; roleId?: unknown; electionId?: p4.v1.IUint128 | null },
  ): RoleScope | grpc.ServerErrorResponse => {
    const scope = roleScope(id, request);
    if (isStatus(scope)) return scope;
    return checkPrimary(id, scope.name, request) ?? scope;
  };

  /** Applies the updates the role covers; the others fail with PERMISSION_DENIED (spec, Write). */
  const writeInRole = async (request: p4.v1.IWriteRequest, scope: RoleScope): Promise<p4.v1.IError[]> => {
    const updates = request.updates ?? [];
    if (!scope.restricted) return manager.writeInSlices(request);
    const inRole: p4.v1.IUpdate[] = [];
    const slots: (number | undefined)[] = updates.map((u) =>
      u.entity && scope.allows(u.entity) ? inRole.push(u) - 1 : undefined,
    );
    const applied = await manager.writeInSlices({ ...request, updates: inRole });
    return slots.map((slot) =>
      slot === undefined
        ? {
            canonicalCode: Code.PERMISSION_DENIED,
            message: `The entity is outside ${scope.describe()}`,
            space: ERROR_SPACE,
          }
        : applied[slot],
    );
  };

  const writeTurns = new WriteTurns();

  /** A Write's outcome: null when every update was applied, else the status to answer with. */
  const applyWrite = async (
    request: Decoded<p4.v1.WriteRequest>,
  ): Promise<grpc.ServerErrorResponse | null> => {
    try {
      if (request instanceof MalformedRequest) return request.status();
      const id = toBigInt(request.deviceId);
      const scope = writerScope(id, request);
      if (isStatus(scope)) return scope;
      if (id !== deviceId || !manager.hasPipeline) return noPipeline();
      const errors = await writeInRole(request, scope);
      return errors.every((e) => (e.canonicalCode ?? 0) === Code.OK) ? null : writeStatus(errors);
    } catch (error) {
      return asStatus(error);
    }
  };

  /** SetForwardingPipelineConfig, in its turn (see the handler). */
  const setPipeline: grpc.handleUnaryCall<
    Decoded<p4.v1.SetForwardingPipelineConfigRequest>,
    p4.v1.ISetForwardingPipelineConfigResponse
  > = (call, callback) => {
    const request = call.request;
    if (request instanceof MalformedRequest) return callback(request.status());
    const id = toBigInt(request.deviceId);
    const scope = writerScope(id, request);
    if (isStatus(scope)) return callback(scope);
    if (!scope.canPushPipeline)
      return callback(
        plainStatus(Code.PERMISSION_DENIED, `${scope.describe()} may not set the forwarding pipeline`),
      );
    try {
      if (id !== deviceId) {
        throw unknownError(
          'Error when trying to assign device',
          `this target is device ${deviceId}, the request is for device ${id}`,
        );
      }
      manager.setPipelineConfig(request.action ?? 0, request.config);
      callback(null, {});
    } catch (error) {
      callback(asStatus(error));
    }
  };

  const noPipeline = (): grpc.ServerErrorResponse =>
    plainStatus(Code.FAILED_PRECONDITION, 'No forwarding pipeline config set for this device');

  return {
    write(call, callback) {
      // Checked when applied, not when received: arbitration may change while it waits its turn.
      writeTurns.enqueue(() =>
        applyWrite(call.request).then((status) => (status ? callback(status) : callback(null, {}))),
      );
    },

    read(call) {
      const request = call.request;
      if (request instanceof MalformedRequest) return void call.emit('error', request.status());
      const scope = roleScope(toBigInt(request.deviceId), request);
      if (isStatus(scope)) return void call.emit('error', scope);
      if (toBigInt(request.deviceId) !== deviceId || !manager.hasPipeline)
        return void call.emit('error', noPipeline());
      if (scope.restricted) {
        const outside = (request.entities ?? []).find((e) => !RoleScope.isWildcard(e) && !scope.allows(e));
        if (outside)
          return void call.emit(
            'error',
            plainStatus(Code.PERMISSION_DENIED, `Read of an entity outside ${scope.describe()}`),
          );
      }
      if (!scope.restricted) {
        // The common case, and the one of large reads: ReadResponse bytes written as the read goes.
        let encoded: ReturnType<DeviceManager['readEncoded']>;
        try {
          encoded = manager.readEncoded(request, READ_CHUNK_ENTITIES);
        } catch (error) {
          return void call.emit('error', asStatus(error));
        }
        for (const response of encoded.responses) call.write(response);
        if (encoded.error) call.emit('error', statusOf(encoded.error));
        else call.end();
        return;
      }
      let result: ReturnType<DeviceManager['read']>;
      try {
        result = manager.read(request);
      } catch (error) {
        return void call.emit('error', asStatus(error));
      }
      const { error } = result;
      // The role filters wildcard reads (spec, ReadRequest.role).
      const entities = result.entities.filter((e) => scope.allows(e));
      // Like PI, always answer at least one (possibly empty) ReadResponse, even before an error.
      const chunks = Math.max(1, Math.ceil(entities.length / READ_CHUNK_ENTITIES));
      for (let i = 0; i < chunks; i++) {
        call.write({ entities: entities.slice(i * READ_CHUNK_ENTITIES, (i + 1) * READ_CHUNK_ENTITIES) });
      }
      if (error) call.emit('error', statusOf(error));
      else call.end();
    },

    setForwardingPipelineConfig(call, callback) {
      // In turn with the Writes: one that arrived before it is applied to the pipeline it was for.
      writeTurns.enqueue(async () => setPipeline(call, callback));
    },

    getForwardingPipelineConfig(call, callback) {
      const request = call.request;
      if (request instanceof MalformedRequest) return callback(request.status());
      if (toBigInt(request.deviceId) !== deviceId || !manager.hasConfigState) return callback(noPipeline());
      try {
        callback(null, { config: manager.getPipelineConfig(request.responseType ?? 0) });
      } catch (error) {
        callback(asStatus(error));
      }
    },

    capabilities(call, callback) {
      if (call.request instanceof MalformedRequest) return callback(call.request.status());
      callback(null, { p4runtimeApiVersion: P4RUNTIME_API_VERSION });
    },

    streamChannel(call) {
      let connection: Connection | undefined;
      let connectionDevice = 0n;
      let connectionRole = '';
      let closed = false;
      const send = (message: p4.v1.IStreamMessageResponse): void => {
        if (closed || !call.writable) return;
        if (message.packet && call.writableLength >= MAX_QUEUED_STREAM_MESSAGES) {
          options.onPacketInDropped?.();
          return;
        }
        call.write(message);
      };
      const cleanup = (): void => {
        if (connection) release(connectionDevice, connectionRole, connection);
        connection = undefined;
      };
      const fail = (status: grpc.ServerErrorResponse): void => {
        cleanup();
        if (closed) return;
        closed = true;
        call.emit('error', status);
      };
      const isPrimary = (): boolean =>
        connection !== undefined &&
        arbitrations.get(arbitrationKey(connectionDevice, connectionRole))?.primary === connection;

      call.on('data', (request: Decoded<p4.v1.StreamMessageRequest>) => {
        if (closed) return;
        if (request instanceof MalformedRequest) return fail(request.status());
        if (request.arbitration) {
          const update = request.arbitration;
          const idRefused = roleIdRefused(update.role?.id);
          if (idRefused) return fail(idRefused);
          const role = update.role?.name ?? '';
          const roleConfig = update.role?.config ?? undefined;
          let scope: RoleScope | undefined;
          try {
            if (roleConfig) scope = new RoleScope(role, decodeRoleConfig(roleConfig));
          } catch (error) {
            if (error instanceof RoleConfigError)
              return fail(plainStatus(Code.INVALID_ARGUMENT, error.message));
            throw error;
          }
          if (scope && role === '')
            return fail(plainStatus(Code.INVALID_ARGUMENT, 'The default role takes no role config'));
          const id = toBigInt(update.deviceId);
          const electionId = uint128(update.electionId);
          try {
            if (connection && id !== connectionDevice)
              return fail(plainStatus(Code.FAILED_PRECONDITION, 'Invalid device id'));
            if (connection && role !== connectionRole)
              return fail(
                plainStatus(
                  Code.FAILED_PRECONDITION,
                  'A stream keeps its role; open another stream for another role',
                ),
              );
            if (!connection) {
              const c: Connection = { electionId, send, roleConfig, scope };
              arbitration(id, role).add(c);
              connection = c;
              connectionDevice = id;
              connectionRole = role;
            } else {
              const sameConfig = sameBytes(connection.roleConfig, roleConfig);
              connection.roleConfig = roleConfig;
              connection.scope = scope;
              const a = arbitration(id, role);
              if (!sameConfig && connection.electionId === electionId) a.configChanged(connection);
              else a.update(connection, electionId);
            }
          } catch (error) {
            // The arbitration refused the stream (and no longer holds its connection).
            connection = undefined;
            const key = arbitrationKey(id, role);
            if (arbitrations.get(key)?.size === 0) arbitrations.delete(key);
            if (error instanceof P4RuntimeStatusError) return fail(plainStatus(error.code, error.message));
            return fail(asStatus(error));
          }
          return;
        }
        // Packets and acks from backups, or before arbitration, are ignored (as PI does); so are
        // packet-outs of a role that may not send them (spec, PacketOut).
        if (!isPrimary() || connectionDevice !== deviceId) return;
        if (request.packet) {
          if (connection?.scope && !connection.scope.sendsPacketOuts) return;
          manager.packetOut(request.packet);
        } else if (request.digestAck) manager.digestAck(request.digestAck);
      });
      call.on('end', () => {
        // The election id is free before the final status goes out, as in PI (the connection is
        // dropped when StreamChannel's read loop ends): a client that waited for it may reuse it.
        cleanup();
        if (!closed) {
          closed = true;
          call.end();
        }
      });
      call.on('error', () => {
        closed = true;
        cleanup();
      });
      call.on('cancelled', () => {
        closed = true;
        cleanup();
      });
    },
  };
}
