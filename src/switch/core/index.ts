/**
 * The architecture-neutral core of the embedded engine (bmv2's bm_sim): loads the bmv2 JSON that p4c
 * emits, compiles parsers, controls, expressions, actions and deparsers to closures, and holds the
 * run-time objects (tables, action profiles, counters, meters, registers, value sets) behind a
 * control-plane interface by handle ({@link RuntimeInterface}). An architecture (`../v1model/`)
 * adds the packet path around it.
 */
export { ConfigError, EngineError, type EngineErrorCode, PacketProcessingError } from './errors.js';
export { createHashAlgorithm, csum16, type HashAlgorithm, xxh64 } from './hash.js';
export type { GroupMemberSpec, GroupRecord } from './profiles.js';
export { type ArchitectureSpec, Program, SUPPORTED_JSON_MAJOR, SUPPORTED_JSON_MAX_MINOR } from './program.js';
export {
  type ActionInfo,
  type KeyFieldInfo,
  RuntimeInterface,
  type RuntimeOptions,
  type TableEntryInput,
  type TableInfo,
} from './runtime-interface.js';
export type { PacketNote } from './state.js';
export { type CounterValue, METER_GREEN, METER_RED, METER_YELLOW, type MeterConfig } from './stateful.js';
export {
  BMV2_MAX_PRIORITY,
  type CounterData,
  type EntryAction,
  type EntryActionSpec,
  type ExactTable,
  type MatchFieldValue,
  type MatchKey,
  type MatchKind,
  type TableEntryRecord,
} from './tables.js';
