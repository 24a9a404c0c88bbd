/**
 * Embedded bmv2-compatible engine: loads the bmv2 JSON that p4c (`p4c-bm2-ss`) emits for v1model and
 * processes packets like bmv2's simple_switch.
 *
 * ```ts
 * const engine = new SimpleSwitchEngine(Pipeline.load(jsonText), { cpuPort: 255 });
 * engine.addTableEntry('MyIngress.fwd', { match: [{ kind: 'exact', value: 1n }], action: { type: 'action', name: 'MyIngress.out', params: [2n] } });
 * const { outputs } = engine.processPacket(1, frame);
 * ```
 */
export { ConfigError, EngineError, type EngineErrorCode, PacketProcessingError } from '../core/errors.js';
export { createHashAlgorithm, csum16, type HashAlgorithm, xxh64 } from '../core/hash.js';
export type { GroupMemberSpec, GroupRecord } from '../core/profiles.js';
export {
  Program,
  Program as Pipeline,
  SUPPORTED_JSON_MAJOR,
  SUPPORTED_JSON_MAX_MINOR,
} from '../core/program.js';
export type { PacketNote } from '../core/state.js';
export {
  type CounterValue,
  METER_GREEN,
  METER_RED,
  METER_YELLOW,
  type MeterConfig,
} from '../core/stateful.js';
export {
  BMV2_MAX_PRIORITY,
  type CounterData,
  type EntryAction,
  type EntryActionSpec,
  type MatchFieldValue,
  type MatchKey,
  type MatchKind,
  type TableEntryRecord,
} from '../core/tables.js';
export {
  type CloneSessionConfig,
  MAX_CLONE_SESSION_ID,
  MAX_MULTICAST_GROUP_ID,
  type Replica,
} from './pre.js';
export {
  type ActionInfo,
  type DigestMessage,
  type DropRecord,
  type EngineOptions,
  InstanceType,
  type KeyFieldInfo,
  type OutputPacket,
  type ProcessResult,
  SimpleSwitchEngine,
  type TableEntryInput,
  type TableInfo,
} from './simple-switch.js';
