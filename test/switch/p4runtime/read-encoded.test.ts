// Reads answered as bytes (DeviceManager.readEncoded, what the gRPC service sends): the same
// ReadResponse bytes, split the same way, as the generated encoder gives for the messages of
// DeviceManager.read, for every match kind, action, priority, controller metadata and entity type.

import { P4RuntimeService } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import {
  bytes,
  type Ids,
  mac,
  type p4,
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

/** What the service sent before: read()'s entities, encoded by protobufjs in chunks. */
function expected(
  request: p4.v1.IReadRequest,
  chunk: number,
): { bytes: Buffer[]; error: string | undefined } {
  const { entities, error } = t.target.manager.read(request);
  const parts: Buffer[] = [];
  for (let i = 0; i === 0 || i < entities.length; i += chunk)
    parts.push(P4RuntimeService.read.responseSerialize({ entities: entities.slice(i, i + chunk) }));
  return { bytes: parts, error: error?.message };
}

function encoded(request: p4.v1.IReadRequest, chunk: number): { bytes: Buffer[]; error: string | undefined } {
  const { responses, error } = t.target.manager.readEncoded(request, chunk);
  return { bytes: responses, error: error?.message };
}

describe('Read answered as bytes', () => {
  it('gives the bytes of the generated encoder for every kind of entry', async () => {
    const entries: p4.v1.IEntity[] = [
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [{ fieldId: 1, exact: { value: bytes(0) } }],
          action: action('drop'),
        },
      },
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [{ fieldId: 1, exact: { value: bytes(mac(1)) } }],
          action: action('forward_and_clone', 0, 0xffffffffn),
          controllerMetadata: '18446744073709551615' as unknown as number,
          metadata: new Uint8Array(200).fill(7),
          idleTimeoutNs: 5_000_000_000,
        },
      },
      ...Array.from({ length: 40 }, (_, i) => ({
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [{ fieldId: 1, exact: { value: bytes(mac(100 + i)) } }],
          action: action('forward', i),
          controllerMetadata: i,
        },
      })),
      {
        tableEntry: {
          tableId: ids.table('lpm_t'),
          match: [{ fieldId: 1, lpm: { value: bytes(0x0a000000), prefixLen: 8 } }],
          action: action('set_lpm', 1),
        },
      },
      {
        tableEntry: {
          tableId: ids.table('lpm_t'),
          match: [{ fieldId: 1, lpm: { value: bytes(0x0a000001), prefixLen: 32 } }],
          action: action('lpm_miss'),
        },
      },
      {
        tableEntry: {
          tableId: ids.table('mixed_t'),
          priority: 1,
          match: [{ fieldId: 1, ternary: { value: bytes(0x100), mask: bytes(0xff00) } }],
          action: action('set_mixed', 1),
        },
      },
      {
        tableEntry: {
          tableId: ids.table('mixed_t'),
          priority: 0x7fffff,
          match: [
            { fieldId: 2, range: { low: bytes(3), high: bytes(9) } },
            { fieldId: 3, optional: { value: bytes(mac(5)) } },
          ],
          action: action('set_mixed', 0),
        },
      },
    ];
    const r = await writeUpdates(t.stub, UpdateType.INSERT, entries);
    expect(r.errors.filter((e) => e.canonicalCode !== 0).map((e) => e.message)).toEqual([]);
    expect(r.code).toBe(0);
    // (Not time_since_last_hit of exact_t: the idle time changes between two reads.)
    const requests: p4.v1.IReadRequest[] = [
      { entities: [{ tableEntry: {} }] },
      { entities: [{ tableEntry: { tableId: ids.table('exact_t') } }] },
      {
        entities: [
          {
            tableEntry: {
              tableId: ids.table('exact_t'),
              match: [{ fieldId: 1, exact: { value: bytes(mac(1)) } }],
            },
          },
        ],
      },
      { entities: [{ tableEntry: { counterData: {}, meterConfig: {} } }] },
      {
        entities: [
          { tableEntry: { tableId: ids.table('mixed_t'), isDefaultAction: true } },
          { tableEntry: { tableId: ids.table('const_entries_t') } },
        ],
      },
      {
        entities: [
          { counterEntry: {} },
          { tableEntry: { tableId: ids.table('lpm_t') } },
          { packetReplicationEngineEntry: { multicastGroupEntry: {} } },
        ],
      },
      // Stops at the error; what came before is answered.
      {
        entities: [
          { tableEntry: { tableId: ids.table('exact_t') } },
          { tableEntry: { tableId: ids.table('lpm_t'), timeSinceLastHit: {} } },
        ],
      },
      { entities: [{ tableEntry: { tableId: ids.table('lpm_t') } }, {}] },
    ];
    for (const [i, request] of requests.entries()) {
      for (const chunk of [1, 7, 1000]) {
        const want = expected(request, chunk);
        expect(Buffer.concat(want.bytes).length, `request ${i}`).toBeGreaterThan(0);
        expect(encoded(request, chunk), `request ${i}, ${chunk} per response`).toEqual(want);
      }
    }
    expect(expected(requests[6], 1000).error).toMatch(/time_since_last_hit/);
  });
});
