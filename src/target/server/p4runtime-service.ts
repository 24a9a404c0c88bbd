/**
 * gRPC handlers of p4.v1.P4Runtime, with the request-level rules of PI's server (pi_server.cpp):
 * which election id may write, which device ids have a pipeline, how StreamChannel arbitration,
 * packet-out and digest acks are handled. Entity semantics live in {@link DeviceManager}.
 */
import type * as grpc from '@grpc/grpc-js';
import type { p4 } from '../../p4runtime/generated/p4runtime.js';
import { P4RuntimeService } from '../../p4runtime/service.js';
import { Arbitration, type Connection } from './arbitration.js';
import type { DeviceManager } from './device-manager.js';
import { plainStatus, statusOf, writeStatus } from './grpc-status.js';
import { toBigInt } from './pipeline.js';
import { Code, P4RuntimeStatusError, statusError, unknownError } from './status.js';

/** API version reported by Capabilities. PI reports 1.3.0; the schema served here is 1.4. */
export const P4RUNTIME_API_VERSION = '1.4.1';

/** Most entities per ReadResponse message (PI sends one message; large reads are split here). */
export const READ_CHUNK_ENTITIES = 1000;

export interface P4RuntimeServiceOptions {
  /** The device id the target answers for (bmv2's `--device-id`). */
  readonly deviceId: bigint;
  readonly manager: DeviceManager;
  /** Shared per-device-id arbitration state (so the device manager can reach the primary). */
  readonly arbitrations: Map<bigint, Arbitration>;
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
    requestDeserialize: lenient('p4.v1.WriteRequest', P4RuntimeService.write.requestDeserialize),
  },
  read: {
    ...P4RuntimeService.read,
    requestDeserialize: lenient('p4.v1.ReadRequest', P4RuntimeService.read.requestDeserialize),
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
  read: grpc.handleServerStreamingCall<Decoded<p4.v1.ReadRequest>, p4.v1.IReadResponse>;
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

function roleOf(message: { role?: string | null; roleId?: unknown }): string | undefined {
  if (message.role) return `'${message.role}'`;
  const id = toBigInt(message.roleId as number | null | undefined);
  return id !== 0n ? `id ${id}` : undefined;
}

function asStatus(error: unknown): grpc.ServerErrorResponse {
  if (error instanceof P4RuntimeStatusError) return statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return statusOf(statusError(Code.INTERNAL, 'Internal error', message));
}

/** Builds the handler set to pass with {@link p4RuntimeServerDefinition} to `grpc.Server.addService`. */
export function createP4RuntimeHandlers(options: P4RuntimeServiceOptions): P4RuntimeHandlers {
  const { manager, deviceId, arbitrations } = options;

  // State exists only for device ids that have a stream open: a request naming any other device id
  // leaves nothing behind (a client cycling through device ids must not grow the heap).
  const arbitration = (id: bigint): Arbitration => {
    let a = arbitrations.get(id);
    if (!a) {
      a = new Arbitration(id);
      arbitrations.set(id, a);
    }
    return a;
  };
  const release = (id: bigint, connection: Connection): void => {
    const a = arbitrations.get(id);
    if (!a) return;
    a.remove(connection);
    if (a.size === 0) arbitrations.delete(id);
  };

  /** PI: with no stream open, only requests without election id may write; else only the primary's. */
  const checkPrimary = (
    id: bigint,
    request: { electionId?: p4.v1.IUint128 | null },
  ): grpc.ServerErrorResponse | undefined => {
    const a = arbitrations.get(id);
    if (!a || a.size === 0)
      return request.electionId ? plainStatus(Code.PERMISSION_DENIED, 'Not primary') : undefined;
    if (!a.isPrimaryElectionId(uint128(request.electionId)))
      return plainStatus(Code.PERMISSION_DENIED, 'Not primary');
    return undefined;
  };

  const roleRefused = (request: {
    role?: string | null;
    roleId?: unknown;
  }): grpc.ServerErrorResponse | undefined => {
    const role = roleOf(request);
    return role
      ? plainStatus(Code.UNIMPLEMENTED, `Only the default role is supported, got role ${role}`)
      : undefined;
  };

  const noPipeline = (): grpc.ServerErrorResponse =>
    plainStatus(Code.FAILED_PRECONDITION, 'No forwarding pipeline config set for this device');

  return {
    write(call, callback) {
      const request = call.request;
      if (request instanceof MalformedRequest) return callback(request.status());
      const id = toBigInt(request.deviceId);
      const refused = roleRefused(request) ?? checkPrimary(id, request);
      if (refused) return callback(refused);
      if (id !== deviceId || !manager.hasPipeline) return callback(noPipeline());
      manager.writeInSlices(request).then(
        (errors) => {
          if (errors.every((e) => (e.canonicalCode ?? 0) === Code.OK)) callback(null, {});
          else callback(writeStatus(errors));
        },
        (error: unknown) => callback(asStatus(error)),
      );
    },

    read(call) {
      const request = call.request;
      if (request instanceof MalformedRequest) return void call.emit('error', request.status());
      const refused = roleRefused(request);
      if (refused) return void call.emit('error', refused);
      if (toBigInt(request.deviceId) !== deviceId || !manager.hasPipeline)
        return void call.emit('error', noPipeline());
      let result: ReturnType<DeviceManager['read']>;
      try {
        result = manager.read(request);
      } catch (error) {
        return void call.emit('error', asStatus(error));
      }
      const { entities, error } = result;
      // Like PI, always answer at least one (possibly empty) ReadResponse, even before an error.
      const chunks = Math.max(1, Math.ceil(entities.length / READ_CHUNK_ENTITIES));
      for (let i = 0; i < chunks; i++) {
        call.write({ entities: entities.slice(i * READ_CHUNK_ENTITIES, (i + 1) * READ_CHUNK_ENTITIES) });
      }
      if (error) call.emit('error', statusOf(error));
      else call.end();
    },

    setForwardingPipelineConfig(call, callback) {
      const request = call.request;
      if (request instanceof MalformedRequest) return callback(request.status());
      const id = toBigInt(request.deviceId);
      const refused = roleRefused(request) ?? checkPrimary(id, request);
      if (refused) return callback(refused);
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
        if (connection) release(connectionDevice, connection);
        connection = undefined;
      };
      const fail = (status: grpc.ServerErrorResponse): void => {
        cleanup();
        if (closed) return;
        closed = true;
        call.emit('error', status);
      };
      const isPrimary = (): boolean =>
        connection !== undefined && arbitrations.get(connectionDevice)?.primary === connection;

      call.on('data', (request: Decoded<p4.v1.StreamMessageRequest>) => {
        if (closed) return;
        if (request instanceof MalformedRequest) return fail(request.status());
        if (request.arbitration) {
          const update = request.arbitration;
          const role = update.role ? roleOf({ role: update.role.name, roleId: update.role.id }) : undefined;
          if (role)
            return fail(
              plainStatus(Code.UNIMPLEMENTED, `Only the default role is supported, got role ${role}`),
            );
          const id = toBigInt(update.deviceId);
          const electionId = uint128(update.electionId);
          try {
            if (connection && id !== connectionDevice)
              return fail(plainStatus(Code.FAILED_PRECONDITION, 'Invalid device id'));
            if (!connection) {
              const c: Connection = { electionId, send };
              arbitration(id).add(c);
              connection = c;
              connectionDevice = id;
            } else {
              arbitration(id).update(connection, electionId);
            }
          } catch (error) {
            // The arbitration refused the stream (and no longer holds its connection).
            connection = undefined;
            if (arbitrations.get(id)?.size === 0) arbitrations.delete(id);
            if (error instanceof P4RuntimeStatusError) return fail(plainStatus(error.code, error.message));
            return fail(asStatus(error));
          }
          return;
        }
        // Packets and acks from backups, or before arbitration, are ignored (as PI does).
        if (!isPrimary() || connectionDevice !== deviceId) return;
        if (request.packet) manager.packetOut(request.packet);
        else if (request.digestAck) manager.digestAck(request.digestAck);
      });
      call.on('end', () => {
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
