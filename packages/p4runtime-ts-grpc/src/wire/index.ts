/**
 * The P4Runtime wire code (subpath `p4runtime-ts-grpc/wire`), in one place for clients and servers:
 * the generated protobuf messages, the grpc-js service definition, google.rpc.Status helpers and the
 * 64/128-bit integer conversions the messages need.
 *
 * @packageDocumentation
 */

export {
  type DataplanePacket,
  dataplaneServiceDefinition,
  type OperStatusRequest,
  type PortOperStatus,
} from './dataplane-service.js';
export { google, p4 } from './generated/p4runtime.js';
export { fromLong, fromUint128, toLong, toUint128 } from './long.js';
export {
  createP4RuntimeStub,
  type P4RuntimeMethod,
  type P4RuntimeServer,
  P4RuntimeService,
  type P4RuntimeStub,
} from './p4runtime-service.js';
export {
  anyTypeName,
  P4_ERROR_TYPE_URL,
  p4ErrorsFromStatus,
  packAny,
  richStatus,
  STATUS_DETAILS_KEY,
  statusFromMetadata,
  writeErrorStatus,
} from './rpc-status.js';
