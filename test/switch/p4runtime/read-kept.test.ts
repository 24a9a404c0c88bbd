// Wildcard reads answered from the encodings the server keeps (frontend/encoded-entries.ts): after
// every kind of change to a table (insert, modify, delete, a handle taken again by another key,
// counters and meters written or counted by packets, default actions, a change made to the engine
// behind the server's back), readEncoded's bytes are those the generated encoder gives for
// DeviceManager.read's messages, built afresh from the device.

import { P4RuntimeService } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import { EngineDevice } from '../../../src/switch/p4runtime/device/engine-device.js';
import {
  bytes,
  type Ids,
  mac,
  type p4,
  probeFrame,
  type TestTarget,
  UpdateType,
  useFixtureTarget,
  writeUpdates,
} from './helpers.js';

let t: TestTarget;
let ids: Ids;
useFixtureTarget('server_all', (target, fixtureIds) => {
  t = target;
  ids = fixtureIds;
});

const action = (name: string, ...params: (number | bigint)[]) => ids.tableAction(name, ...params);

const exact = (n: number, a: p4.v1.ITableAction, extra: p4.v1.ITableEntry = {}): p4.v1.IEntity => ({
  tableEntry: {
    tableId: ids.table('exact_t'),
    match: [{ fieldId: 1, exact: { value: bytes(mac(n)) } }],
    action: a,
    ...extra,
  },
});

const lpm = (value: number, prefixLen: number, a: p4.v1.ITableAction): p4.v1.IEntity => ({
  tableEntry: {
    tableId: ids.table('lpm_t'),
    match: [{ fieldId: 1, lpm: { value: bytes(value), prefixLen } }],
    action: a,
  },
});

const mixed = (priority: number, low: number, a: p4.v1.ITableAction): p4.v1.IEntity => ({
  tableEntry: {
    tableId: ids.table('mixed_t'),
    priority,
    match: [
      { fieldId: 1, ternary: { value: bytes(0x100), mask: bytes(0xff00) } },
      { fieldId: 2, range: { low: bytes(low), high: bytes(low + 9) } },
    ],
    action: a,
  },
});

async function apply(type: p4.v1.Update.Type, entities: p4.v1.IEntity[]): Promise<void> {
  const r = await writeUpdates(t.stub, type, entities);
  expect(r.errors.filter((e) => e.canonicalCode !== 0).map((e) => e.message)).toEqual([]);
  expect(r.code).toBe(0);
}

/** The generated encoder's ReadResponses for read()'s entities, `chunk` entities each. */
function fresh(request: p4.v1.IReadRequest, chunk: number): Buffer[] {
  const { entities, error } = t.target.manager.read(request);
  expect(error).toBeUndefined();
  const parts: Buffer[] = [];
  for (let i = 0; i === 0 || i < entities.length; i += chunk)
    parts.push(P4RuntimeService.read.responseSerialize({ entities: entities.slice(i, i + chunk) }));
  return parts;
}

/** Every read a controller makes of these tables, twice (the second from what the first kept). */
function expectFreshBytes(step: string): void {
  const requests: p4.v1.IReadRequest[] = [
    { entities: [{ tableEntry: {} }] },
    { entities: [{ tableEntry: { tableId: ids.table('exact_t') } }] },
    {
      entities: [
        { tableEntry: { tableId: ids.table('lpm_t') } },
        { tableEntry: { tableId: ids.table('mixed_t') } },
      ],
    },
    { entities: [{ tableEntry: { counterData: {} } }] },
    { entities: [{ tableEntry: { tableId: ids.table('lpm_t'), meterConfig: {} } }] },
    {
      entities: [
        { tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true } },
        { tableEntry: {} },
      ],
    },
    { entities: [{ tableEntry: exact(3, {}).tableEntry }] },
  ];
  for (const [i, request] of requests.entries()) {
    for (const chunk of [1, 7, 1000]) {
      const want = fresh(request, chunk);
      for (const round of [1, 2]) {
        const { responses, error } = t.target.manager.readEncoded(request, chunk);
        expect(error, `${step}: request ${i}`).toBeUndefined();
        expect(responses, `${step}: request ${i}, ${chunk} per response, read ${round}`).toEqual(want);
      }
    }
  }
}

describe('Wildcard reads from kept encodings', () => {
  it('answer what a fresh encoding of the device gives, after every kind of change', async () => {
    await apply(UpdateType.INSERT, [
      ...Array.from({ length: 40 }, (_, i) =>
        exact(i, action('forward', i), i % 3 === 0 ? { controllerMetadata: i, metadata: bytes(i + 1) } : {}),
      ),
      exact(100, action('forward_and_clone', 0, 0xffffffffn), { idleTimeoutNs: 5_000_000_000 }),
      lpm(0x0a000000, 8, action('set_lpm', 1)),
      lpm(0x0a000001, 32, action('lpm_miss')),
      mixed(1, 3, action('set_mixed', 1)),
      mixed(0x7fffff, 20, action('set_mixed', 0)),
    ]);
    expectFreshBytes('after INSERT');

    // A new action; the same action with other parameters; only the controller's state changed.
    await apply(UpdateType.MODIFY, [
      exact(1, action('drop')),
      exact(2, action('forward', 300)),
      exact(4, action('forward', 4), { controllerMetadata: 77, metadata: bytes(0xabcdef) }),
      exact(3, action('forward', 3)),
      mixed(1, 3, action('set_mixed', 0xffffffff)),
    ]);
    expectFreshBytes('after MODIFY');

    // Deleted entries, then their handles taken by other keys (the lowest free handle is reused).
    await apply(UpdateType.DELETE, [exact(5, {}), exact(6, {}), exact(7, {}), lpm(0x0a000000, 8, {})]);
    expectFreshBytes('after DELETE');
    await apply(UpdateType.INSERT, [
      exact(200, action('forward', 9)),
      exact(201, action('send_to_cpu', 1), { controllerMetadata: 5 }),
      lpm(0x0b000000, 8, action('set_lpm', 2)),
    ]);
    expectFreshBytes('after INSERT into freed handles');

    // Counters and meters: written, and counted by packets.
    await apply(UpdateType.MODIFY, [
      {
        directCounterEntry: {
          tableEntry: exact(8, {}).tableEntry,
          data: { packetCount: 100, byteCount: 5000 },
        },
      },
      {
        directMeterEntry: {
          tableEntry: lpm(0x0a000001, 32, {}).tableEntry,
          config: { cir: 10, cburst: 20, pir: 30, pburst: 40 },
        },
      },
    ]);
    for (let i = 0; i < 3; i++) t.target.dataplane.process(1, probeFrame(mac(9), {}));
    expectFreshBytes('after counter and meter updates');

    // Default actions: set, then reset.
    await apply(UpdateType.MODIFY, [
      { tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true, action: action('forward', 2) } },
    ]);
    expectFreshBytes('after a default action change');
    await apply(UpdateType.MODIFY, [
      { tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true } },
    ]);
    expectFreshBytes('after a default action reset');

    // The engine changed without the server (as a tool holding the engine may): the device's
    // revision of the entry tells the server its encoding is old.
    const device = t.target.device;
    if (!(device instanceof EngineDevice) || !device.engine) throw new Error('not an engine device');
    const handle = device.control?.findEntry(
      'MyIngress.exact_t',
      [{ kind: 'exact', value: bytes(mac(10), 6) }],
      0,
    );
    expect(handle).toBeTypeOf('number');
    device.engine.modifyTableEntry('MyIngress.exact_t', handle as number, {
      type: 'action',
      name: 'MyIngress.forward',
      params: [511n],
    });
    expectFreshBytes('after a change to the engine behind the server');
  });

  it('keep each entry its own state when entries share one (an owner tag on every entry)', async () => {
    const owner = { metadata: bytes(0x67656e65) };
    await apply(UpdateType.INSERT, [
      ...Array.from({ length: 10 }, (_, i) => exact(i, action('forward', i), owner)),
      exact(10, action('forward', 10), { ...owner, controllerMetadata: 9 }),
      exact(11, action('forward', 11), owner),
      exact(12, action('forward', 12)),
      exact(13, action('forward', 13), owner),
    ]);
    expectFreshBytes('after INSERT');
    // One entry's tag changed with the same action, another's dropped, a third's set back.
    await apply(UpdateType.MODIFY, [
      exact(2, action('forward', 2), { metadata: bytes(0x0102) }),
      exact(3, action('forward', 3)),
      exact(10, action('forward', 10), owner),
      exact(12, action('forward', 12), owner),
    ]);
    expectFreshBytes('after MODIFY');
    const { entities } = t.target.manager.read({
      entities: [{ tableEntry: { tableId: ids.table('exact_t') } }],
    });
    const tags = entities.map((e) => Buffer.from(e.tableEntry?.metadata ?? []).toString('hex'));
    const tag = '67656e65';
    expect(tags).toEqual([tag, tag, '0102', '', ...Array(10).fill(tag)]);
  });
});
