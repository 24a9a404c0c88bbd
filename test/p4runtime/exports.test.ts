// The public API of p4runtime-ts-grpc is a decision, not whatever the modules happen to export: each
// entry point names its exports (no `export *`), and this test pins them. Adding or removing a name
// is a change to the package's API: update its README ("API") and the version with it.
import { readFileSync } from 'node:fs';
import * as api from 'p4runtime-ts-grpc';
import * as wire from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../packages/p4runtime-ts-grpc/src/', import.meta.url);

/** Names a module's `export { ... } from` and `export type { ... } from` statements list. */
function exportedNames(file: string): { values: string[]; types: string[] } {
  const text = readFileSync(new URL(file, SRC), 'utf8');
  const values: string[] = [];
  const types: string[] = [];
  for (const m of text.matchAll(/^export (type )?\{([^}]*)\} from '[^']+';/gm)) {
    for (const raw of m[2].split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      if (m[1] !== undefined || name.startsWith('type ')) types.push(name.replace(/^type /, ''));
      else values.push(name);
    }
  }
  return { values: values.sort(), types: types.sort() };
}

const CLIENT_VALUES = [
  'DEFAULT_BATCH_SIZE',
  'EntityCodec',
  'EntityError',
  'NotPrimaryError',
  'P4InfoIndex',
  'P4InfoLookupError',
  'P4InfoParseError',
  'P4RuntimeClient',
  'P4RuntimeError',
  'P4RuntimeRpcError',
  'P4RuntimeWriteError',
  'ValueError',
  'closestNames',
  'decodePreEntry',
  'google',
  'grpcCodeName',
  'insert',
  'loadDeviceConfig',
  'loadP4Info',
  'modify',
  'p4',
  'parseP4Info',
  'remove',
  'updatesOf',
];

const CLIENT_TYPES = [
  'ActionCall',
  'ActionInfo',
  'ActionProfileGroupData',
  'ActionProfileGroupSpec',
  'ActionProfileInfo',
  'ActionProfileMemberData',
  'ActionProfileMemberSpec',
  'ActionRefInfo',
  'ActionScope',
  'ArbitrationState',
  'Atomicity',
  'BackupReplicaSpec',
  'BitField',
  'BytestringMode',
  'ChannelSecurity',
  'CloneSessionData',
  'CloneSessionSpec',
  'ConnectOptions',
  'ControllerHeaderInfo',
  'CounterData',
  'CounterEntryData',
  'CounterEntrySpec',
  'CounterValues',
  'DecodeOptions',
  'DecodedEntity',
  'DecodedMatch',
  'EncodedUpdate',
  'DigestConfig',
  'DigestEntryData',
  'DigestInfo',
  'DigestList',
  'DirectCounterEntryData',
  'DirectMeterEntryData',
  'DirectResourceInfo',
  'ExternEntryData',
  'ExternInstanceInfo',
  'FieldSet',
  'GroupMemberSpec',
  'IdleTimeoutNotification',
  'IndexedResourceInfo',
  'LpmMatch',
  'MatchFieldInfo',
  'MatchKind',
  'MatchValue',
  'MeterConfig',
  'MeterConfigValues',
  'MeterCounterValues',
  'MeterEntryData',
  'MeterEntrySpec',
  'MulticastGroupData',
  'MulticastGroupSpec',
  'NamedInfo',
  'P4DataValue',
  'P4InfoFormat',
  'P4InfoIndexOptions',
  'P4RuntimeClientEvents',
  'P4Value',
  'PacketIn',
  'PipelineAction',
  'PipelineConfig',
  'PipelineInfo',
  'PipelineResponseType',
  'RangeMatch',
  'ReadOptions',
  'ReconnectPolicy',
  'RegisterEntryData',
  'RegisterEntrySpec',
  'RegisterInfo',
  'Registry',
  'ReplicaData',
  'ReplicaSpec',
  'ResourceUnit',
  'StreamErrorEvent',
  'TableEntryData',
  'TableEntrySpec',
  'TableInfo',
  'TernaryMatch',
  'UpdateFailure',
  'ValueFormat',
  'ValueSetData',
  'ValueSetInfo',
  'ValueSetSpec',
  'WeightedAction',
  'WriteOptions',
  'WriteUpdate',
];

const WIRE_VALUES = [
  'P4RuntimeService',
  'P4_ERROR_TYPE_URL',
  'STATUS_DETAILS_KEY',
  'anyTypeName',
  'createP4RuntimeStub',
  'dataplaneServiceDefinition',
  'fromLong',
  'fromUint128',
  'google',
  'p4',
  'p4ErrorsFromStatus',
  'packAny',
  'richStatus',
  'statusFromMetadata',
  'toLong',
  'toUint128',
  'writeErrorStatus',
];

const WIRE_TYPES = [
  'DataplanePacket',
  'OperStatusRequest',
  'P4RuntimeMethod',
  'P4RuntimeServer',
  'P4RuntimeStub',
  'PortOperStatus',
];

describe('p4runtime-ts-grpc exports', () => {
  it('the client entry point exports exactly the chosen values', () => {
    expect(Object.keys(api).sort()).toEqual([...CLIENT_VALUES].sort());
  });

  it('the client entry point names every export, values and types', () => {
    expect(exportedNames('index.ts')).toEqual({
      values: [...CLIENT_VALUES].sort(),
      types: [...CLIENT_TYPES].sort(),
    });
  });

  it('the wire entry point exports exactly the wire code', () => {
    expect(Object.keys(wire).sort()).toEqual([...WIRE_VALUES].sort());
    expect(exportedNames('wire/index.ts')).toEqual({
      values: [...WIRE_VALUES].sort(),
      types: [...WIRE_TYPES].sort(),
    });
  });

  it('no entry point re-exports a whole module', () => {
    for (const file of ['index.ts', 'wire/index.ts']) {
      expect(readFileSync(new URL(file, SRC), 'utf8')).not.toMatch(/^export \*/m);
    }
  });

  it('server-side helpers stay out of the client entry point', () => {
    for (const name of ['writeErrorStatus', 'richStatus', 'P4RuntimeService', 'createP4RuntimeStub']) {
      expect(name in api, name).toBe(false);
    }
  });
});
