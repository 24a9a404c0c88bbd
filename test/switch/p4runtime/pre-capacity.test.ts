// The multicast engine's capacity over P4Runtime: bmv2 holds 4,096 nodes (one per replication id of
// a group); a group needing more is refused as PI refuses it (UNKNOWN, target error) and leaves the
// device as it was.
import * as grpc from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import { type p4, read, type TestTarget, UpdateType, useFixtureTarget, writeUpdates } from './helpers.js';

let t: TestTarget;
useFixtureTarget('server_all', (target) => {
  t = target;
});

const group = (id: number, count: number): p4.v1.IEntity => ({
  packetReplicationEngineEntry: {
    multicastGroupEntry: {
      multicastGroupId: id,
      replicas: Array.from({ length: count }, (_, i) => ({ egressPort: i % 8, instance: i })),
    },
  },
});

it('refuses the replica beyond 4,096 replication ids, as simple_switch_grpc does', async () => {
  const first = await writeUpdates(t.stub, UpdateType.INSERT, [group(1, 4000), group(2, 96)]);
  expect(first.code).toBe(grpc.status.OK);
  const over = await writeUpdates(t.stub, UpdateType.INSERT, [group(3, 1)]);
  expect(over.errors.map((e) => grpc.status[e.canonicalCode])).toEqual(['UNKNOWN']);
  expect(over.errors[0].message).toMatch(/^Error when creating multicast group in target: .*4096/);
  // The engine's reason travels in the update's target-specific code (PI leaves it 0).
  expect(over.errors[0].code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  expect(over.errors[0].space).toBe('ALL-sswitch-p4org');
  const grown = await writeUpdates(t.stub, UpdateType.MODIFY, [group(2, 97)]);
  expect(grown.errors.map((e) => grpc.status[e.canonicalCode])).toEqual(['UNKNOWN']);
  const groups = await read(t.stub, [{ packetReplicationEngineEntry: { multicastGroupEntry: {} } }]);
  expect(
    groups.entities.map((e) => [
      e.packetReplicationEngineEntry?.multicastGroupEntry?.multicastGroupId,
      e.packetReplicationEngineEntry?.multicastGroupEntry?.replicas?.length,
    ]),
  ).toEqual([
    [1, 4000],
    [2, 96],
  ]);
});
