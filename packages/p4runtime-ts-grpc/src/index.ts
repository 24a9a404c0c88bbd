/**
 * p4runtime-ts-grpc: a typed P4Runtime v1 client. Connect and arbitrate, set the pipeline, build
 * entities by P4Info name from friendly values, write in batches, read, and handle packet-in,
 * digests and idle timeouts. The wire layer (generated messages, the gRPC service definition,
 * google.rpc.Status helpers for servers) is the `p4runtime-ts-grpc/wire` entry point.
 *
 * Every name is listed on purpose (README.md "API"); test/p4runtime/exports.test.ts pins the list.
 *
 * @packageDocumentation
 */

// The client and its connection.
export {
  type ChannelSecurity,
  type ConnectOptions,
  P4RuntimeClient,
  type P4RuntimeClientEvents,
  type PipelineAction,
  type PipelineConfig,
  type PipelineInfo,
  type PipelineResponseType,
} from './client.js';
// Values.
export type { BytestringMode, P4Value, ValueFormat } from './codec.js';
// Entities by name, and their decoded forms.
export type {
  ActionProfileGroupData,
  ActionProfileGroupSpec,
  ActionProfileMemberData,
  ActionProfileMemberSpec,
  GroupMemberSpec,
} from './entities/action-profile.js';
export type {
  ActionCall,
  CounterData,
  CounterValues,
  MeterConfig,
  MeterConfigValues,
  MeterCounterValues,
} from './entities/common.js';
export type {
  CounterEntryData,
  CounterEntrySpec,
  DirectCounterEntryData,
  DirectMeterEntryData,
  MeterEntryData,
  MeterEntrySpec,
} from './entities/counters.js';
export { type DecodedEntity, EntityCodec } from './entities/index.js';
export {
  type BackupReplicaSpec,
  type CloneSessionData,
  type CloneSessionSpec,
  decodePreEntry,
  type MulticastGroupData,
  type MulticastGroupSpec,
  type ReplicaData,
  type ReplicaSpec,
} from './entities/pre.js';
export type {
  DigestConfig,
  DigestEntryData,
  ExternEntryData,
  RegisterEntryData,
  RegisterEntrySpec,
  ValueSetData,
  ValueSetSpec,
} from './entities/registers.js';
export type {
  DecodedMatch,
  LpmMatch,
  MatchValue,
  RangeMatch,
  TableEntryData,
  TableEntrySpec,
  TernaryMatch,
  WeightedAction,
} from './entities/table.js';
// Errors.
export {
  EntityError,
  grpcCodeName,
  NotPrimaryError,
  P4InfoLookupError,
  P4InfoParseError,
  P4RuntimeError,
  P4RuntimeRpcError,
  P4RuntimeWriteError,
  type UpdateFailure,
  ValueError,
} from './errors.js';
export type { P4DataValue } from './p4data.js';
// P4Info: loading and the index by name, alias and id.
export {
  type ActionInfo,
  type ActionProfileInfo,
  type ActionRefInfo,
  type ActionScope,
  type BitField,
  type ControllerHeaderInfo,
  type DecodeOptions,
  type DigestInfo,
  type DirectResourceInfo,
  type ExternInstanceInfo,
  type FieldSet,
  type IndexedResourceInfo,
  type MatchFieldInfo,
  type MatchKind,
  type NamedInfo,
  P4InfoIndex,
  type P4InfoIndexOptions,
  type RegisterInfo,
  type Registry,
  type ResourceUnit,
  type TableInfo,
  type ValueSetInfo,
} from './p4info/index.js';
export { loadDeviceConfig, loadP4Info, type P4InfoFormat, parseP4Info } from './p4info/load.js';
export { closestNames } from './p4info/suggest.js';
// Stream channel: what the client's events carry.
export type { DigestList, IdleTimeoutNotification, PacketIn, StreamErrorEvent } from './packet-io.js';
export type { ReadOptions } from './read.js';
export type { ArbitrationState, ReconnectPolicy } from './stream.js';
// The messages themselves, for entities built or read raw (`p4.v1.IEntity`, ...).
export { google, p4 } from './wire/generated/p4runtime.js';
// Writes.
export {
  type Atomicity,
  DEFAULT_BATCH_SIZE,
  type EncodedUpdate,
  insert,
  modify,
  remove,
  updatesOf,
  type WriteOptions,
  type WriteUpdate,
} from './write.js';
