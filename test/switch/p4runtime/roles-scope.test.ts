// What a role config covers, entity by entity and stream message by stream message.
import { describe, expect, it } from 'vitest';
import { RoleScope } from '../../../src/switch/p4runtime/frontend/roles.js';

const TABLE = 0x02000001;
const OTHER_TABLE = 0x02000002;
const PROFILE = 0x11000001;
const DIGEST = 0x0f000001;

describe('RoleScope', () => {
  const scope = new RoleScope('ops', { p4Ids: [TABLE, PROFILE, DIGEST], packetReplication: true });
  const narrow = new RoleScope('narrow', { p4Ids: [TABLE] });
  const full = new RoleScope('all', undefined);

  it('covers the entities of the ids it lists, their direct resources, and the PRE when asked', () => {
    expect(scope.allows({ tableEntry: { tableId: TABLE } })).toBe(true);
    expect(scope.allows({ tableEntry: { tableId: OTHER_TABLE } })).toBe(false);
    expect(scope.allows({ directCounterEntry: { tableEntry: { tableId: TABLE } } })).toBe(true);
    expect(scope.allows({ directMeterEntry: { tableEntry: { tableId: OTHER_TABLE } } })).toBe(false);
    expect(scope.allows({ actionProfileGroup: { actionProfileId: PROFILE } })).toBe(true);
    expect(scope.allows({ packetReplicationEngineEntry: { multicastGroupEntry: {} } })).toBe(true);
    expect(narrow.allows({ packetReplicationEngineEntry: { cloneSessionEntry: {} } })).toBe(false);
    expect(scope.allows({ externEntry: { externTypeId: 1 } })).toBe(false);
    // A wildcard is not "in" a restricted role: reads filter it, writes cannot name one.
    expect(scope.allows({ tableEntry: {} })).toBe(false);
    expect(RoleScope.isWildcard({ tableEntry: {} })).toBe(true);
    expect(RoleScope.isWildcard({ tableEntry: { tableId: TABLE } })).toBe(false);
    expect(full.allows({ tableEntry: { tableId: OTHER_TABLE } })).toBe(true);
  });

  it('routes digests and idle timeouts by id, packet-ins by flag', () => {
    expect(scope.wants({ digest: { digestId: DIGEST } })).toBe(true);
    expect(narrow.wants({ digest: { digestId: DIGEST } })).toBe(false);
    expect(narrow.wants({ idleTimeoutNotification: { tableEntry: [{ tableId: TABLE }] } })).toBe(true);
    expect(narrow.wants({ idleTimeoutNotification: { tableEntry: [{ tableId: OTHER_TABLE }] } })).toBe(false);
    expect(narrow.wants({ packet: { payload: new Uint8Array(1) } })).toBe(false);
    expect(new RoleScope('punts', { p4Ids: [], receivesPacketIns: true }).wants({ packet: {} })).toBe(true);
    expect(full.wants({ packet: {} })).toBe(true);
    expect(narrow.canPushPipeline || narrow.sendsPacketOuts).toBe(false);
    expect(full.canPushPipeline && full.sendsPacketOuts).toBe(true);
  });
});
