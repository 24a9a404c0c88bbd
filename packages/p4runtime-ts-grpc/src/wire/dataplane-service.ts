/**
 * bmv2's packet I/O service, p4.bm.DataplaneInterface (simple_switch_grpc
 * `--dp-grpc-server-addr`), described for @grpc/grpc-js with the generated messages: inject a frame
 * on a port, receive the frames that leave, set a port's operational status.
 */
import type * as grpc from '@grpc/grpc-js';
import { p4 } from './generated/p4runtime.js';
import { fromLong, toLong } from './long.js';

/** A frame injected on a port (request) or seen leaving a port (response). */
export interface DataplanePacket {
  /** Correlation id: outputs caused by an injected frame carry its non-zero id. */
  id: bigint;
  deviceId: bigint;
  port: number;
  packet: Uint8Array;
}

export type PortOperStatus = 'up' | 'down';

export interface OperStatusRequest {
  deviceId: bigint;
  port: number;
  status: PortOperStatus;
}

/** p4.bm.PortOperStatus on the wire. */
const OPER_STATUS_WIRE = {
  up: p4.bm.PortOperStatus.OPER_STATUS_UP,
  down: p4.bm.PortOperStatus.OPER_STATUS_DOWN,
};

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function encodePacket(
  type: typeof p4.bm.PacketStreamRequest | typeof p4.bm.PacketStreamResponse,
  p: DataplanePacket,
) {
  const message = {
    id: toLong(p.id, true, 'id'),
    deviceId: toLong(p.deviceId, true, 'device id'),
    port: p.port,
    packet: p.packet,
  };
  return toBuffer(type.encode(message).finish());
}

function decodePacket(m: p4.bm.PacketStreamRequest | p4.bm.PacketStreamResponse): DataplanePacket {
  return {
    id: fromLong(m.id),
    deviceId: fromLong(m.deviceId),
    port: m.port,
    packet: new Uint8Array(m.packet),
  };
}

/** Service definition usable by both grpc.Server.addService and grpc.makeGenericClientConstructor. */
export const dataplaneServiceDefinition = {
  PacketStream: {
    path: '/p4.bm.DataplaneInterface/PacketStream',
    requestStream: true,
    responseStream: true,
    requestSerialize: (p: DataplanePacket) => encodePacket(p4.bm.PacketStreamRequest, p),
    requestDeserialize: (b: Buffer) => decodePacket(p4.bm.PacketStreamRequest.decode(b)),
    responseSerialize: (p: DataplanePacket) => encodePacket(p4.bm.PacketStreamResponse, p),
    responseDeserialize: (b: Buffer) => decodePacket(p4.bm.PacketStreamResponse.decode(b)),
  },
  SetPortOperStatus: {
    path: '/p4.bm.DataplaneInterface/SetPortOperStatus',
    requestStream: false,
    responseStream: false,
    requestSerialize: (r: OperStatusRequest) =>
      toBuffer(
        p4.bm.SetPortOperStatusRequest.encode({
          deviceId: toLong(r.deviceId, true, 'device id'),
          port: r.port,
          operStatus: OPER_STATUS_WIRE[r.status],
        }).finish(),
      ),
    requestDeserialize: (b: Buffer): OperStatusRequest => {
      const m = p4.bm.SetPortOperStatusRequest.decode(b);
      const wire = m.operStatus as number;
      if (wire !== OPER_STATUS_WIRE.up && wire !== OPER_STATUS_WIRE.down)
        throw new Error(`invalid oper_status ${wire}`);
      return {
        deviceId: fromLong(m.deviceId),
        port: m.port,
        status: wire === OPER_STATUS_WIRE.up ? 'up' : 'down',
      };
    },
    responseSerialize: (_: Record<string, never>) =>
      toBuffer(p4.bm.SetPortOperStatusResponse.encode({}).finish()),
    responseDeserialize: (_: Buffer): Record<string, never> => ({}),
  },
} satisfies grpc.ServiceDefinition;
