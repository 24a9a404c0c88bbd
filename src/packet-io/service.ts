/**
 * The p4.bm.DataplaneInterface gRPC service (bmv2's packet I/O over gRPC), described for
 * @grpc/grpc-js. The schema is four small messages, so it is loaded by protobufjs reflection
 * from proto/p4/bm/dataplane_interface.proto rather than generated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { PACKAGE_ROOT } from '../artifacts/program.js';

/** A frame injected on a port (request) or seen leaving a port (response). */
export interface DataplanePacket {
  /** Correlation id: outputs caused by an injected frame carry its non-zero id. */
  id: bigint;
  deviceId: bigint;
  port: number;
  packet: Uint8Array;
}

export type PortOperStatus = 'up' | 'down';

const PROTO_PATH = join(PACKAGE_ROOT, 'proto', 'p4', 'bm', 'dataplane_interface.proto');
const root = protobuf.parse(readFileSync(PROTO_PATH, 'utf8'), { keepCase: true }).root;
const RequestType = root.lookupType('p4.bm.PacketStreamRequest');
const ResponseType = root.lookupType('p4.bm.PacketStreamResponse');
const OperStatusRequestType = root.lookupType('p4.bm.SetPortOperStatusRequest');
const OperStatusResponseType = root.lookupType('p4.bm.SetPortOperStatusResponse');

interface WirePacket {
  id?: unknown;
  device_id?: unknown;
  port?: number;
  packet?: Uint8Array;
}

function toBigInt(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value);
  // protobufjs represents uint64 as a Long-like { low, high, unsigned } object.
  const long = value as { low: number; high: number };
  return (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
}

function encodePacket(type: protobuf.Type, p: DataplanePacket): Buffer {
  const message = type.fromObject({
    id: p.id.toString(),
    device_id: p.deviceId.toString(),
    port: p.port,
    packet: p.packet,
  });
  return Buffer.from(type.encode(message).finish());
}

function decodePacket(type: protobuf.Type, bytes: Buffer): DataplanePacket {
  const m = type.decode(bytes) as unknown as WirePacket;
  return {
    id: toBigInt(m.id),
    deviceId: toBigInt(m.device_id),
    port: m.port ?? 0,
    packet: m.packet ? new Uint8Array(m.packet) : new Uint8Array(0),
  };
}

interface OperStatusRequest {
  deviceId: bigint;
  port: number;
  status: PortOperStatus;
}

const OPER_STATUS_WIRE = { up: 2, down: 1 } as const;

/** Service definition usable by both grpc.Server.addService and grpc.makeGenericClientConstructor. */
export const dataplaneServiceDefinition = {
  PacketStream: {
    path: '/p4.bm.DataplaneInterface/PacketStream',
    requestStream: true,
    responseStream: true,
    requestSerialize: (p: DataplanePacket) => encodePacket(RequestType, p),
    requestDeserialize: (b: Buffer) => decodePacket(RequestType, b),
    responseSerialize: (p: DataplanePacket) => encodePacket(ResponseType, p),
    responseDeserialize: (b: Buffer) => decodePacket(ResponseType, b),
  },
  SetPortOperStatus: {
    path: '/p4.bm.DataplaneInterface/SetPortOperStatus',
    requestStream: false,
    responseStream: false,
    requestSerialize: (r: OperStatusRequest) =>
      Buffer.from(
        OperStatusRequestType.encode(
          OperStatusRequestType.fromObject({
            device_id: r.deviceId.toString(),
            port: r.port,
            oper_status: OPER_STATUS_WIRE[r.status],
          }),
        ).finish(),
      ),
    requestDeserialize: (b: Buffer): OperStatusRequest => {
      const m = OperStatusRequestType.decode(b) as unknown as {
        device_id?: unknown;
        port?: number;
        oper_status?: number;
      };
      const wire = m.oper_status ?? 0;
      if (wire !== 1 && wire !== 2) throw new Error(`invalid oper_status ${wire}`);
      return { deviceId: toBigInt(m.device_id), port: m.port ?? 0, status: wire === 2 ? 'up' : 'down' };
    },
    responseSerialize: (_: Record<string, never>) => Buffer.from(OperStatusResponseType.encode({}).finish()),
    responseDeserialize: (_: Buffer): Record<string, never> => ({}),
  },
} satisfies grpc.ServiceDefinition;

export type { OperStatusRequest };
