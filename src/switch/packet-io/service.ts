/**
 * bmv2's p4.bm.DataplaneInterface (simple_switch_grpc `--dp-grpc-server-addr`), served by the
 * embedded target so one test harness drives both: one PacketStream client at a time
 * (RESOURCE_EXHAUSTED for a second one), requests for another device id or with an empty packet
 * ignored, and every frame a request causes sent back with the request's id.
 */
import type * as grpc from '@grpc/grpc-js';
import { type DataplanePacket, dataplaneServiceDefinition, fromLong, p4 } from 'p4runtime-ts-grpc/wire';
import { Code } from '../p4runtime/frontend/status.js';
import { plainStatus } from '../p4runtime/grpc/grpc-status.js';
import type { Dataplane } from './ports.js';

interface OperStatusWire {
  deviceId: bigint;
  port: number;
  /** p4.bm.PortOperStatus: 1 down, 2 up, anything else invalid. */
  operStatus: number;
}

/** Decodes without judging the enum value, so the handler can answer "Invalid oper status". */
function decodeOperStatus(bytes: Buffer): OperStatusWire {
  const m = p4.bm.SetPortOperStatusRequest.decode(bytes);
  return { deviceId: fromLong(m.deviceId), port: m.port, operStatus: m.operStatus as number };
}

/** Server-side service definition: the shared PacketStream codec, a lenient SetPortOperStatus. */
export const dataplaneServerDefinition = {
  PacketStream: dataplaneServiceDefinition.PacketStream,
  SetPortOperStatus: {
    path: '/p4.bm.DataplaneInterface/SetPortOperStatus',
    requestStream: false,
    responseStream: false,
    requestSerialize: (_: OperStatusWire) => Buffer.alloc(0),
    requestDeserialize: decodeOperStatus,
    responseSerialize: (_: Record<string, never>) => Buffer.alloc(0),
    responseDeserialize: (_: Buffer): Record<string, never> => ({}),
  },
} satisfies grpc.ServiceDefinition;

export interface DataplaneServiceOptions {
  readonly deviceId: bigint;
  readonly dataplane: Dataplane;
}

export function createDataplaneHandlers(options: DataplaneServiceOptions): grpc.UntypedServiceImplementation {
  const { dataplane, deviceId } = options;
  let active: grpc.ServerDuplexStream<DataplanePacket, DataplanePacket> | undefined;

  const packetStream = (call: grpc.ServerDuplexStream<DataplanePacket, DataplanePacket>): void => {
    if (active) {
      call.emit('error', plainStatus(Code.RESOURCE_EXHAUSTED, 'only one client authorized at a time'));
      return;
    }
    active = call;
    const off = dataplane.onOutput((o) => {
      if (call.writable) call.write({ id: o.tag, deviceId, port: o.port, packet: o.frame });
    });
    const release = (): void => {
      off();
      if (active === call) active = undefined;
    };
    call.on('data', (request: DataplanePacket) => {
      if (request.deviceId !== deviceId || request.packet.length === 0) return;
      dataplane.inject(request.port, request.packet, request.id);
    });
    call.on('end', () => {
      release();
      call.end();
    });
    call.on('error', release);
    call.on('cancelled', release);
  };

  const setPortOperStatus = (
    call: grpc.ServerUnaryCall<OperStatusWire, Record<string, never>>,
    callback: grpc.sendUnaryData<Record<string, never>>,
  ): void => {
    const r = call.request;
    if (r.deviceId !== deviceId) {
      callback(plainStatus(Code.INVALID_ARGUMENT, 'Invalid device id'));
    } else if (r.operStatus !== 1 && r.operStatus !== 2) {
      callback(plainStatus(Code.INVALID_ARGUMENT, 'Invalid oper status'));
    } else {
      dataplane.setPortOperStatus(r.port, r.operStatus === 2);
      callback(null, {});
    }
  };

  return { PacketStream: packetStream, SetPortOperStatus: setPortOperStatus };
}
