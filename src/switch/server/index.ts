/**
 * P4Runtime server of the embedded target (behaves like bmv2's simple_switch_grpc), bmv2's
 * dataplane gRPC service, and the device contract they run against.
 *
 * @packageDocumentation
 */
export { Arbitration, MAX_CONNECTIONS } from './arbitration.js';
export { blueFieldHandlers, TARGET_PROFILES, type TargetProfile } from './bluefield-profile.js';
export { DPL_MAX_OBJECT_SIZE, regularCapacity } from './bluefield-rules.js';
export { Dataplane, type OutputFrame, type OutputListener, type PortStats } from './dataplane.js';
export { createDataplaneHandlers, dataplaneServerDefinition } from './dataplane-service.js';
export type * from './device.js';
export {
  DeviceManager,
  type DeviceManagerOptions,
  ERROR_SPACE,
  PipelineAction,
  PipelineResponseType,
  type ReadResult,
  type StreamErrorReporting,
} from './device-manager.js';
export {
  type EmbeddedTarget,
  type EmbeddedTargetOptions,
  isLoopbackHost,
  ListenAddressError,
  type ServerTls,
  startEmbeddedTarget,
  type TargetStats,
} from './embedded-target.js';
export { EngineDevice, type EngineDeviceOptions } from './engine-device.js';
export {
  createP4RuntimeHandlers,
  MAX_QUEUED_STREAM_MESSAGES,
  MalformedRequest,
  P4RUNTIME_API_VERSION,
  type P4RuntimeHandlers,
  type P4RuntimeServiceOptions,
  p4RuntimeServerDefinition,
  READ_CHUNK_ENTITIES,
} from './p4runtime-service.js';
export { inputPcapPath, outputPcapPath, PcapPathError, PcapPorts } from './pcap-ports.js';
export { Code, P4RuntimeStatusError } from './status.js';
