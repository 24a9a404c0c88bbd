// What the service keeps of a device is filed by a hash of each entity's key, with no key text kept
// (keyed-map.ts), each entity as its bytes (read-wire.ts WireObserved). Held here to the string
// keys of device-state.ts on random entities built by code: an entity is found under a key exactly
// when its own key text is that key, through any sequence of sets and deletes, with the real hash
// and with one that makes most keys collide.
import { p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { entityKey, entityValue, OWNER_METADATA } from '../../src/controller/device-state.js';
import { hashKey, KeyedMap } from '../../src/controller/keyed-map.js';
import { type WireObserved, WireSnapshot } from '../../src/controller/read-wire.js';
import { type Change, observedOfWritten } from '../../src/controller/reconcile.js';

/** A small deterministic generator (LCG), so that a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) & 0x7fffffff;
    return s;
  };
  return {
    int: (n: number) => next() % n,
    bytes: (max: number) => Uint8Array.from({ length: 1 + (next() % max) }, () => next() % 4),
  };
}

/**
 * A random entity from a small space (few tables, fields and values), so that many share a key
 * and differ in their action: table entries with exact, ternary, LPM, range and optional keys,
 * priorities, actions, metadata, default entries; multicast groups and clone sessions.
 */
function randomEntity(r: ReturnType<typeof random>): p4.v1.IEntity {
  const kind = r.int(10);
  if (kind === 0)
    return {
      packetReplicationEngineEntry: {
        multicastGroupEntry: {
          multicastGroupId: 1 + r.int(3),
          replicas: Array.from({ length: r.int(3) }, () => ({ egressPort: r.int(4), instance: r.int(3) })),
        },
      },
    };
  if (kind === 1)
    return {
      packetReplicationEngineEntry: {
        cloneSessionEntry: { sessionId: 1 + r.int(2), replicas: [{ egressPort: r.int(4), instance: 0 }] },
      },
    };
  const tableId = 33_554_433 + r.int(3);
  const action = { action: { actionId: 1 + r.int(2), params: [{ paramId: 1, value: r.bytes(2) }] } };
  if (kind === 2) return { tableEntry: { tableId, isDefaultAction: true, action } };
  const match: p4.v1.IFieldMatch[] = [];
  for (let fieldId = 1; fieldId <= 2; fieldId++) {
    const m = r.int(5);
    if (m === 0) match.push({ fieldId, exact: { value: r.bytes(2) } });
    else if (m === 1) match.push({ fieldId, ternary: { value: r.bytes(1), mask: r.bytes(1) } });
    else if (m === 2) match.push({ fieldId, lpm: { value: r.bytes(2), prefixLen: r.int(3) } });
    else if (m === 3) match.push({ fieldId, range: { low: r.bytes(1), high: r.bytes(1) } });
    else match.push({ fieldId, optional: { value: r.bytes(1) } });
  }
  if (r.int(2) === 0) match.reverse(); // (keys sort fields by id)
  return {
    tableEntry: {
      tableId,
      match,
      action,
      ...(r.int(2) === 0 ? { priority: 1 + r.int(2) } : {}),
      ...(r.int(2) === 0 ? { metadata: OWNER_METADATA } : {}),
    },
  };
}

/** Each entity as the device's bytes, kept as the service keeps them. */
function observedOf(entities: readonly p4.v1.IEntity[]): WireObserved[] {
  const snapshot = new WireSnapshot();
  snapshot.add(p4.v1.ReadResponse.encode({ entities: [...entities] }).finish());
  return entities.map((_, i) => snapshot.observed(i));
}

describe('entities kept by a hash of their key', () => {
  it('keep the key and value of device-state.ts, made again from their bytes', () => {
    const r = random(11);
    const entities = Array.from({ length: 2_000 }, () => randomEntity(r));
    const observed = observedOf(entities);
    const decoded = entities.map((e) => p4.v1.Entity.decode(p4.v1.Entity.encode(e).finish()));
    expect(observed.map((o) => o.key)).toEqual(decoded.map(entityKey));
    expect(observed.map((o) => o.value)).toEqual(decoded.map(entityValue));
    // Many share a key (so that equal keys are tried), fewer their value too.
    const keys = new Set(decoded.map(entityKey));
    expect(keys.size).toBeGreaterThan(100);
    expect(keys.size).toBeLessThan(1_500);
  });

  for (const [name, hash] of [
    ['its hash', hashKey],
    ['a hash under which most keys collide', (key: string) => key.length & 3],
  ] as const)
    it(`find an entity under a key exactly when its key text is that key (${name})`, () => {
      const r = random(name.length);
      const entities = Array.from({ length: 3_000 }, () => randomEntity(r));
      const observed = observedOf(entities);
      const byText = new Map<string, WireObserved>(); // the former representation
      const byHash = new KeyedMap<WireObserved>(hash);
      const check = () => {
        expect(byHash.size).toBe(byText.size);
        expect(new Set(byHash.values())).toEqual(new Set(byText.values()));
        expect(new Map(byHash)).toEqual(byText);
      };
      for (let step = 0; step < observed.length; step++) {
        const o = observed[step];
        const key = o.key;
        // Set (replacing an entity of the same key) or delete, then look up some random keys.
        if (r.int(4) === 0) expect(byHash.delete(key)).toBe(byText.delete(key));
        else {
          byHash.set(key, o);
          byText.set(key, o);
        }
        for (let k = 0; k < 4; k++) {
          const probe = observed[r.int(observed.length)].key;
          expect(byHash.get(probe)).toBe(byText.get(probe));
          expect(byHash.has(probe)).toBe(byText.has(probe));
        }
        if (step % 500 === 0) check();
      }
      check();
      // Every key found under itself, each entity's value that of the last set.
      for (const [key, o] of byText) expect(byHash.get(key)?.value).toBe(o.value);
      for (const key of [...byText.keys()]) expect(byHash.delete(key)).toBe(true);
      expect(byHash.size).toBe(0);
      expect([...byHash.values()]).toEqual([]);
    });

  it('keep what a written change puts on the device as its bytes, with its key and value', () => {
    const r = random(5);
    for (let i = 0; i < 300; i++) {
      const entity = randomEntity(r);
      const decoded = p4.v1.Entity.decode(p4.v1.Entity.encode(entity).finish());
      const change: Change = {
        kind: 'insert',
        table: 't',
        owner: 'o',
        entity: decoded,
        rank: 0,
        key: entityKey(decoded),
        value: entityValue(decoded),
      };
      // As an entity, and as an update written from a buffer it shares (wire-diff.ts).
      const bytes = p4.v1.Entity.encode(decoded).finish();
      const shared = new Uint8Array(bytes.length + 7);
      shared.set(bytes, 3);
      const update = { type: 1, encodedEntity: shared, entityStart: 3, entityEnd: 3 + bytes.length };
      for (const written of [observedOfWritten(change), observedOfWritten({ ...change, update })]) {
        expect([written.key, written.value]).toEqual([change.key, change.value]);
        expect(written.tableId).toBe(decoded.tableEntry?.tableId ?? undefined);
        expect(written.isDefault).toBe(decoded.tableEntry?.isDefaultAction === true);
        expect(p4.v1.Entity.encode(written.raw).finish()).toEqual(bytes);
      }
    }
  });
});
