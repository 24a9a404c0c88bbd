// read-wire.ts gives every entity of a ReadResponse the key and value that device-state.ts gives the
// decoded entity, without decoding it; the entity itself decodes to what was sent.

import { p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { entityKey, entityValue } from '../../src/controller/index.js';
import { LazyWireEntity, WireSnapshot, wireGroup, wireRow } from '../../src/controller/read-wire.js';

const b = (...bytes: number[]) => new Uint8Array(bytes);

const entities: p4.v1.IEntity[] = [
  {
    tableEntry: {
      tableId: 33_554_433,
      match: [
        { fieldId: 2, exact: { value: b(0x02, 0, 0, 0, 0x0a, 1) } },
        { fieldId: 1, exact: { value: b(0x13, 0x88) } },
      ],
      action: { action: { actionId: 16_777_217, params: [{ paramId: 1, value: b(7) }] } },
      metadata: new TextEncoder().encode('genevectl'),
    },
  },
  {
    tableEntry: {
      tableId: 33_554_434,
      match: [
        { fieldId: 1, exact: { value: b(0x13, 0x88) } },
        { fieldId: 2, ternary: { value: b(0, 0, 0, 100), mask: b(0xff, 0xff, 0xff, 0xff) } },
        { fieldId: 5, range: { low: b(0x01, 0xbb), high: b(0x01, 0xbb) } },
        { fieldId: 6, optional: { value: b(1) } },
      ],
      action: {
        action: {
          actionId: 9,
          params: [
            { paramId: 3, value: b(1, 2) },
            { paramId: 1, value: b(0) },
          ],
        },
      },
      priority: 2_000_000_000,
    },
  },
  {
    tableEntry: {
      tableId: 33_554_435,
      match: [{ fieldId: 1, lpm: { value: b(10, 0, 0, 0), prefixLen: 24 } }],
      action: { action: { actionId: 4 } },
      counterData: { byteCount: 1_000, packetCount: 3 },
    },
  },
  { tableEntry: { tableId: 33_554_436, isDefaultAction: true, action: { action: { actionId: 5 } } } },
  // A field skipped (counter data) before one that is read (metadata).
  {
    tableEntry: {
      tableId: 33_554_437,
      match: [{ fieldId: 1, exact: { value: b(9) } }],
      action: { action: { actionId: 6, params: [{ paramId: 1, value: b(0x0a, 0x0b) }] } },
      counterData: { byteCount: 70_000, packetCount: 9 },
      metadata: new TextEncoder().encode('genevectl'),
    },
  },
  // An ECMP route: a one-shot action set (two next hops), decoded as usual.
  {
    tableEntry: {
      tableId: 33_554_438,
      match: [{ fieldId: 1, lpm: { value: b(10, 0, 0, 2), prefixLen: 32 } }],
      action: {
        actionProfileActionSet: {
          actionProfileActions: [
            { action: { actionId: 6, params: [{ paramId: 1, value: b(5) }] }, weight: 1 },
            { action: { actionId: 6, params: [{ paramId: 1, value: b(6) }] }, weight: 1 },
          ],
        },
      },
      metadata: new TextEncoder().encode('genevectl'),
    },
  },
  {
    packetReplicationEngineEntry: {
      multicastGroupEntry: {
        multicastGroupId: 7,
        replicas: [
          { port: b(3), instance: 2 },
          { egressPort: 1, instance: 1 },
        ],
      },
    },
  },
  {
    packetReplicationEngineEntry: {
      cloneSessionEntry: { sessionId: 1, replicas: [{ port: b(0xff), instance: 0 }] },
    },
  },
];

describe('observed entities from ReadResponse bytes', () => {
  it('keys and values each entity as device-state.ts does the decoded one', () => {
    const bytes = p4.v1.ReadResponse.encode({ entities }).finish();
    const snapshot = new WireSnapshot();
    snapshot.add(bytes);
    const out = snapshot.toMap();
    const decoded = p4.v1.ReadResponse.decode(bytes).entities;
    expect([...out.keys()]).toEqual(decoded.map(entityKey));
    expect([...out.values()].map((o) => o.value)).toEqual(decoded.map(entityValue));
    expect([...out.values()].map((o) => o.tableId)).toEqual([
      33_554_433,
      33_554_434,
      33_554_435,
      33_554_436,
      33_554_437,
      33_554_438,
      undefined,
      undefined,
    ]);
    expect([...out.values()].map((o) => p4.v1.Entity.encode(o.raw).finish())).toEqual(
      decoded.map((e) => p4.v1.Entity.encode(e).finish()),
    );
  });

  it('keeps a Read as bytes: the same entities, keys, values and rows, computed when asked', () => {
    const bytes = p4.v1.ReadResponse.encode({ entities }).finish();
    const snapshot = new WireSnapshot();
    snapshot.add(bytes.subarray(0, 0));
    snapshot.add(bytes);
    const decoded = p4.v1.ReadResponse.decode(bytes).entities;
    expect(snapshot.size).toBe(decoded.length);
    const lazy = decoded.map((_, i) => snapshot.lazy(i));
    expect(lazy.every((l) => l instanceof LazyWireEntity)).toBe(true);
    expect(lazy.map((l) => l.key)).toEqual(decoded.map(entityKey));
    expect(lazy.map((l) => l.value)).toEqual(decoded.map(entityValue));
    expect([...snapshot.toMap().keys()]).toEqual(decoded.map(entityKey));
    expect(decoded.map((_, i) => snapshot.tableId(i))).toEqual([
      33_554_433, 33_554_434, 33_554_435, 33_554_436, 33_554_437, 33_554_438, 0, 0,
    ]);
    // The row of a table entry, read past the counter data it skips.
    const entity = p4.v1.Entity.encode(entities[4]).finish();
    const row = wireRow(entity, 0, entity.length);
    expect(row?.tableId).toBe(33_554_437);
    expect(row?.actionId).toBe(6);
    const plain = (m: number[] | undefined) => {
      const out: [number, number[]][] = [];
      for (let i = 0; i < (m?.length ?? 0); i += 3)
        out.push([m![i], [...entity.subarray(m![i + 1], m![i + 2])]]);
      return out;
    };
    expect(plain(row?.match)).toEqual([[1, [9]]]);
    expect(plain(row?.params)).toEqual([[1, [0x0a, 0x0b]]]);
    const group = p4.v1.Entity.encode(entities[6]).finish();
    expect(wireRow(group, 0, group.length)).toBeUndefined();
    // A multicast group's identifiers from its bytes (in the snapshot, where the Read put it);
    // a table entry and a clone session are no group.
    expect(wireGroup(snapshot.bufferOf(6), snapshot.startOf(6), snapshot.endOf(6))).toEqual({
      multicastGroupId: 7,
      replicas: [{ instance: 2 }, { instance: 1 }],
    });
    expect(wireGroup(entity, 0, entity.length)).toBeUndefined();
    const clone = p4.v1.Entity.encode(entities[7]).finish();
    expect(wireGroup(clone, 0, clone.length)).toBeUndefined();
  });
});
