// Keys are validated once on the P4Runtime write path: the frontend checks each key against the
// P4Info (buildMatchKey, PI's construct_match_key) and the engine trusts it (as bmv2's runtime
// trusts PI), while a caller of the engine itself still gets the engine's own check. Both checks
// are counted with spies.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TableState } from '../../../src/switch/core/tables.js';
import * as matchKeys from '../../../src/switch/p4runtime/frontend/match-key.js';
import { fixtureEngine } from '../helpers/fixtures.js';
import {
  bytes,
  type Ids,
  mac,
  type p4,
  read,
  type TestTarget,
  UpdateType,
  useFixtureTarget,
  writeUpdates,
} from './helpers.js';

// The frontend's key builder, wrapped so that its calls are counted (the module is replaced for
// every importer, the frontend's tables.ts included).
vi.mock('../../../src/switch/p4runtime/frontend/match-key.js', async (importOriginal) => {
  const original =
    await importOriginal<typeof import('../../../src/switch/p4runtime/frontend/match-key.js')>();
  return { ...original, buildMatchKey: vi.fn(original.buildMatchKey) };
});

let t: TestTarget;
let ids: Ids;
useFixtureTarget('server_all', (target, fixtureIds) => {
  t = target;
  ids = fixtureIds;
});

afterEach(() => {
  vi.restoreAllMocks();
});

const exactEntry = (dst: bigint, port: number): p4.v1.IEntity => ({
  tableEntry: {
    tableId: ids.table('exact_t'),
    match: [{ fieldId: 1, exact: { value: bytes(dst) } }],
    action: { action: { actionId: ids.action('forward'), params: [{ paramId: 1, value: bytes(port) }] } },
  },
});
const lpmEntry = (value: number, prefixLen: number): p4.v1.IEntity => ({
  tableEntry: {
    tableId: ids.table('lpm_t'),
    match: [{ fieldId: 1, lpm: { value: bytes(value), prefixLen } }],
    action: { action: { actionId: ids.action('set_lpm'), params: [{ paramId: 1, value: bytes(1) }] } },
  },
});
const mixedEntry = (k16: number, priority: number): p4.v1.IEntity => ({
  tableEntry: {
    tableId: ids.table('mixed_t'),
    priority,
    match: [{ fieldId: 1, ternary: { value: bytes(k16), mask: bytes(0xffff) } }],
    action: { action: { actionId: ids.action('set_mixed'), params: [{ paramId: 1, value: bytes(1) }] } },
  },
});

describe('match keys are validated once', () => {
  it('a P4Runtime INSERT and a read by key: the frontend checks each key, the engine none', async () => {
    const buildMatchKey = vi.mocked(matchKeys.buildMatchKey);
    buildMatchKey.mockClear();
    const engineChecks = vi.spyOn(TableState.prototype, 'validateKey');
    const entities = [
      exactEntry(mac(1), 1),
      exactEntry(mac(2), 2),
      exactEntry(mac(3), 3),
      lpmEntry(0x0a000000, 8),
      lpmEntry(0x0a010000, 16),
      mixedEntry(7, 1),
      mixedEntry(8, 2),
    ];
    const written = await writeUpdates(t.stub, UpdateType.INSERT, entities);
    expect(written.code).toBe(grpc.status.OK);
    // The three exact-table INSERTs take the common path (tables.ts insertCommonWrite), which checks
    // their keys itself; the others are built by buildMatchKey.
    expect(buildMatchKey).toHaveBeenCalledTimes(entities.length - 3);
    expect(engineChecks).not.toHaveBeenCalled();

    // Installed where the keys say: one read by key per table finds its entry.
    const r = await read(t.stub, [exactEntry(mac(2), 2), lpmEntry(0x0a010000, 16), mixedEntry(8, 2)]);
    expect(r.entities.map((e) => e.tableEntry?.tableId)).toEqual([
      ids.table('exact_t'),
      ids.table('lpm_t'),
      ids.table('mixed_t'),
    ]);
    expect(buildMatchKey).toHaveBeenCalledTimes(entities.length);
    expect(engineChecks).not.toHaveBeenCalled();
  });

  it('a key the frontend refuses never reaches the engine', async () => {
    const buildMatchKey = vi.mocked(matchKeys.buildMatchKey);
    buildMatchKey.mockClear();
    const engineChecks = vi.spyOn(TableState.prototype, 'validateKey');
    // 0x0a010000/8 has bits set past the prefix.
    const r = await writeUpdates(t.stub, UpdateType.INSERT, [lpmEntry(0x0a010000, 8)]);
    expect(r.errors.map((e) => grpc.status[e.canonicalCode])).toEqual(['INVALID_ARGUMENT']);
    expect(buildMatchKey).toHaveBeenCalledTimes(1);
    expect(engineChecks).not.toHaveBeenCalled();
    // An exact key too wide for its field: the common path leaves it to buildMatchKey, which refuses it.
    const wide = await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(1n << 48n, 1)]);
    expect(wide.errors.map((e) => [grpc.status[e.canonicalCode], e.message])).toEqual([
      ['INVALID_ARGUMENT', expect.stringMatching(/does not fit within 48 bits/)],
    ]);
    expect(buildMatchKey).toHaveBeenCalledTimes(2);
    expect(engineChecks).not.toHaveBeenCalled();
  });

  it("the engine's own entry points check each key once", () => {
    const engine = fixtureEngine('server_all');
    const engineChecks = vi.spyOn(TableState.prototype, 'validateKey');
    const forward = { type: 'action', name: 'MyIngress.forward', params: [1n] } as const;
    const handle = engine.addTableEntry('MyIngress.exact_t', {
      match: [{ kind: 'exact', value: mac(1) }],
      action: forward,
    });
    expect(engineChecks).toHaveBeenCalledTimes(1);
    expect(engine.findTableEntry('MyIngress.exact_t', [{ kind: 'exact', value: mac(1) }])).toBe(handle);
    expect(engineChecks).toHaveBeenCalledTimes(2);
    expect(() =>
      engine.addTableEntry('MyIngress.exact_t', {
        match: [{ kind: 'exact', value: 1n << 48n }],
        action: forward,
      }),
    ).toThrow(/does not fit|48 bits/);
    expect(engineChecks).toHaveBeenCalledTimes(3);
    // The trusted path skips the check, and installs the same entry.
    const trusted = engine.addValidatedTableEntry('MyIngress.exact_t', {
      match: [{ kind: 'exact', value: mac(2) }],
      action: forward,
    });
    expect(engineChecks).toHaveBeenCalledTimes(3);
    expect(engine.findTableEntry('MyIngress.exact_t', [{ kind: 'exact', value: mac(2) }])).toBe(trusted);
  });
});
