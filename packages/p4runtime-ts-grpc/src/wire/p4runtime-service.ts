/**
 * The p4.v1.P4Runtime gRPC service, described for @grpc/grpc-js with serializers built from
 * the generated protobufjs classes. Used by the client in this folder and by any server
 * (e.g. the embedded target) that implements P4Runtime.
 *
 * @packageDocumentation
 */
import * as grpc from '@grpc/grpc-js';
import { google, p4 } from './generated/p4runtime.js';

export { google, p4 };

/** Minimal shape of a generated protobufjs message class, enough to (de)serialize. */
interface MessageCodec<Plain, Decoded> {
  encode(message: Plain): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Decoded;
}

function toBuffer(bytes: Uint8Array): Buffer {
  // protobufjs hands out Buffers under Node already; only wrap (no copy) otherwise.
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One method of {@link P4RuntimeService}: plain objects in, generated class instances out. */
export interface P4RuntimeMethod<ReqPlain, Req, ResPlain, Res> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly originalName: string;
  requestSerialize(message: ReqPlain): Buffer;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(message: ResPlain): Buffer;
  responseDeserialize(bytes: Buffer): Res;
}

function method<ReqPlain, Req, ResPlain, Res>(
  name: string,
  request: MessageCodec<ReqPlain, Req>,
  response: MessageCodec<ResPlain, Res>,
  requestStream: boolean,
  responseStream: boolean,
): P4RuntimeMethod<ReqPlain, Req, ResPlain, Res> {
  return {
    path: `/p4.v1.P4Runtime/${name}`,
    requestStream,
    responseStream,
    // Bytes are a request encoded already (the client's write of encoded entities, write.ts).
    requestSerialize: (message: ReqPlain) =>
      message instanceof Uint8Array ? toBuffer(message) : toBuffer(request.encode(message).finish()),
    requestDeserialize: (bytes: Buffer) => request.decode(bytes),
    responseSerialize: (message: ResPlain) => toBuffer(response.encode(message).finish()),
    responseDeserialize: (bytes: Buffer) => response.decode(bytes),
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

/**
 * grpc-js service definition of p4.v1.P4Runtime. Requests/responses are serialized from
 * plain `p4.v1.I*` objects (or class instances) and deserialized into generated class
 * instances (64-bit integers arrive as `Long`).
 *
 * @example Server side
 * ```ts
 * const server = new grpc.Server();
 * server.addService(P4RuntimeService, implementation satisfies P4RuntimeServer);
 * ```
 */
export const P4RuntimeService = {
  write: method('Write', p4.v1.WriteRequest, p4.v1.WriteResponse, false, false),
  read: method('Read', p4.v1.ReadRequest, p4.v1.ReadResponse, false, true),
  setForwardingPipelineConfig: method(
    'SetForwardingPipelineConfig',
    p4.v1.SetForwardingPipelineConfigRequest,
    p4.v1.SetForwardingPipelineConfigResponse,
    false,
    false,
  ),
  getForwardingPipelineConfig: method(
    'GetForwardingPipelineConfig',
    p4.v1.GetForwardingPipelineConfigRequest,
    p4.v1.GetForwardingPipelineConfigResponse,
    false,
    false,
  ),
  streamChannel: method('StreamChannel', p4.v1.StreamMessageRequest, p4.v1.StreamMessageResponse, true, true),
  capabilities: method('Capabilities', p4.v1.CapabilitiesRequest, p4.v1.CapabilitiesResponse, false, false),
} satisfies grpc.ServiceDefinition;

/**
 * Handler set a P4Runtime server implements; pass it with {@link P4RuntimeService} to
 * `grpc.Server.addService`. Incoming messages are generated class instances; replies may be
 * plain `p4.v1.I*` objects.
 */
export interface P4RuntimeServer extends grpc.UntypedServiceImplementation {
  write: grpc.handleUnaryCall<p4.v1.WriteRequest, p4.v1.IWriteResponse>;
  read: grpc.handleServerStreamingCall<p4.v1.ReadRequest, p4.v1.IReadResponse>;
  setForwardingPipelineConfig: grpc.handleUnaryCall<
    p4.v1.SetForwardingPipelineConfigRequest,
    p4.v1.ISetForwardingPipelineConfigResponse
  >;
  getForwardingPipelineConfig: grpc.handleUnaryCall<
    p4.v1.GetForwardingPipelineConfigRequest,
    p4.v1.IGetForwardingPipelineConfigResponse
  >;
  streamChannel: grpc.handleBidiStreamingCall<p4.v1.StreamMessageRequest, p4.v1.IStreamMessageResponse>;
  capabilities: grpc.handleUnaryCall<p4.v1.CapabilitiesRequest, p4.v1.ICapabilitiesResponse>;
}

/** Typed view of the generic grpc-js client built from {@link P4RuntimeService}. */
export interface P4RuntimeStub extends grpc.Client {
  write(
    /** The request, or its bytes already encoded. */
    request: p4.v1.IWriteRequest | Uint8Array,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<p4.v1.WriteResponse>,
  ): grpc.ClientUnaryCall;
  read(
    request: p4.v1.IReadRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<p4.v1.ReadResponse>;
  setForwardingPipelineConfig(
    request: p4.v1.ISetForwardingPipelineConfigRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<p4.v1.SetForwardingPipelineConfigResponse>,
  ): grpc.ClientUnaryCall;
  getForwardingPipelineConfig(
    request: p4.v1.IGetForwardingPipelineConfigRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<p4.v1.GetForwardingPipelineConfigResponse>,
  ): grpc.ClientUnaryCall;
  streamChannel(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<p4.v1.IStreamMessageRequest, p4.v1.StreamMessageResponse>;
  capabilities(
    request: p4.v1.ICapabilitiesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<p4.v1.CapabilitiesResponse>,
  ): grpc.ClientUnaryCall;
}

const GenericP4RuntimeClient = grpc.makeGenericClientConstructor(P4RuntimeService, 'P4Runtime');

/**
 * Creates a raw grpc-js stub for p4.v1.P4Runtime (no arbitration or helpers; see
 * `P4RuntimeClient` for the full client).
 */
export function createP4RuntimeStub(
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
): P4RuntimeStub {
  return new GenericP4RuntimeClient(address, credentials, options) as unknown as P4RuntimeStub;
}
