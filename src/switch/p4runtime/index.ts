/**
 * The software switch's P4Runtime server, in PI's layers: `grpc/` the p4.v1.P4Runtime service
 * (request-level rules, arbitration streams, the BlueField profile), `frontend/` the P4Runtime
 * semantics (arbitration, roles, one entity manager per entity kind, validation against the P4Info),
 * `device/` the contract the frontend drives and its adapter onto the engine.
 *
 * @packageDocumentation
 */

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
