/**
 * P4Runtime server of the embedded target (behaves like bmv2's simple_switch_grpc), bmv2's
 * dataplane gRPC service, and the device contract they run against.
 *
 * @packageDocumentation
 */

export {
  type EmbeddedTarget,
  type EmbeddedTargetOptions,
  isLoopbackHost,
  ListenAddressError,
  type ServerTls,
  startEmbeddedTarget,
  type TargetStats,
} from '../embedded-target.js';
export { inputPcapPath, outputPcapPath, PcapPathError, PcapPorts } from '../packet-io/pcap-ports.js';
export { Dataplane, type OutputFrame, type OutputListener, type PortStats } from '../packet-io/ports.js';
export { createDataplaneHandlers, dataplaneServerDefinition } from '../packet-io/service.js';
export type * from './device/device.js';
export { EngineDevice, type EngineDeviceOptions } from './device/engine-device.js';
export { Arbitration, MAX_CONNECTIONS } from './frontend/arbitration.js';
export { DPL_MAX_OBJECT_SIZE, regularCapacity } from './frontend/bluefield-rules.js';
export {
  DeviceManager,
  type DeviceManagerOptions,
  ERROR_SPACE,
  PipelineAction,
  PipelineResponseType,
  type ReadResult,
  type StreamErrorReporting,
} from './frontend/device-manager.js';
export { Code, P4RuntimeStatusError } from './frontend/status.js';
export { blueFieldHandlers, TARGET_PROFILES, type TargetProfile } from './grpc/bluefield-profile.js';
export {
  createP4RuntimeHandlers,
  MAX_QUEUED_STREAM_MESSAGES,
  MalformedRequest,
  P4RUNTIME_API_VERSION,
  type P4RuntimeHandlers,
  type P4RuntimeServiceOptions,
  p4RuntimeServerDefinition,
  READ_CHUNK_ENTITIES,
} from './grpc/p4runtime-service.js';
