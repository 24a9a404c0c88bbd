// The BlueField profile over real gRPC: the embedded target refuses what NVIDIA's DPL P4Runtime
// server documents as unsupported (DPL release notes, DOCA 3.0-3.2) and still serves the rest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { parseP4Info } from 'p4runtime-ts-grpc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutputFrame } from '../../../src/switch/index.js';
import {
  bytes,
  capabilities,
  ethernet,
  fixtureDeviceConfig,
  fixtureP4Info,
  hex,
  Ids,
  mac,
  p4,
  read,
  Stream,
  setPipeline,
  startTarget,
  type TestTarget,
  UpdateType,
  uint128,
  write,
  writeUpdates,
} from './helpers.js';

const S = grpc.status;
const VERIFY_AND_COMMIT = p4.v1.SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT;
const REPO = join(import.meta.dirname, '..', '..', '..');

let t: TestTarget;
let ids: Ids;

async function push(p4info: p4.config.v1.IP4Info, deviceConfig: Uint8Array, electionId?: p4.v1.IUint128) {
  return setPipeline(t.stub, {
    electionId,
    action: VERIFY_AND_COMMIT,
    config: { p4info, p4DeviceConfig: deviceConfig },
  });
}

beforeEach(async () => {
  t = await startTarget({ profile: 'bluefield' });
  const p4info = fixtureP4Info('server_all');
  const r = await push(p4info, fixtureDeviceConfig('server_all'));
  expect(r.code).toBe(S.OK);
  ids = new Ids(p4info);
});
afterEach(async () => {
  await t.stop();
});

/** An exact_t entry (size 64 in the P4Info) for destination MAC `n`, sending to the CPU with `reason`. */
function exactEntry(n: number, reason = 5): p4.v1.IEntity {
  return {
    tableEntry: {
      tableId: ids.table('exact_t'),
      match: [{ fieldId: 1, exact: { value: bytes(mac(n)) } }],
      action: {
        action: { actionId: ids.action('send_to_cpu'), params: [{ paramId: 1, value: bytes(reason) }] },
      },
    },
  };
}

function codes(r: { errors: p4.v1.Error[] }): string[] {
  return r.errors.map((e) => S[e.canonicalCode]);
}

describe('RPCs the DPL server does not offer', () => {
  it('answers Capabilities with UNIMPLEMENTED', async () => {
    const r = await capabilities(t.stub);
    expect(r.code).toBe(S.UNIMPLEMENTED);
    expect(r.message).toMatch(/Capabilities/);
  });
});

describe('SetForwardingPipelineConfig', () => {
  it('accepts the VTEP pipeline (every size a power of two) without election id', async () => {
    const p4info = parseP4Info(
      readFileSync(join(REPO, 'bmv2', 'geneve_vtep.p4info.json'), 'utf8'),
      'json',
      'vtep',
    );
    const r = await push(p4info, new Uint8Array(readFileSync(join(REPO, 'bmv2', 'geneve_vtep.json'))));
    expect(r.code).toBe(S.OK);
  });

  it('ignores an election id (there is no arbitration to compare it with)', async () => {
    const r = await push(fixtureP4Info('server_all'), fixtureDeviceConfig('server_all'), uint128(7n));
    expect(r.code).toBe(S.OK);
  });

  it('refuses a table size that is not a power of two, naming the table and size', async () => {
    const p4info = fixtureP4Info('server_all');
    p4info.tables[0].size = 1000;
    const r = await push(p4info, fixtureDeviceConfig('server_all'));
    expect(r.code).toBe(S.INVALID_ARGUMENT);
    expect(r.message).toMatch(/table 'MyIngress.exact_t' has size 1000/);
  });

  it('refuses a counter of size 2^23 (sizes must be smaller)', async () => {
    const p4info = fixtureP4Info('server_all');
    p4info.counters[0].size = 2 ** 23;
    const r = await push(p4info, fixtureDeviceConfig('server_all'));
    expect(r.code).toBe(S.INVALID_ARGUMENT);
    expect(r.message).toMatch(/counter 'MyIngress.port_counter' has size 8388608/);
  });
});

describe('Write', () => {
  it('accepts only CONTINUE_ON_ERROR batches', async () => {
    for (const atomicity of [1, 2]) {
      const r = await write(t.stub, {
        atomicity,
        updates: [{ type: UpdateType.INSERT, entity: exactEntry(1) }],
      });
      expect(r.code).toBe(S.UNIMPLEMENTED);
      expect(r.message).toMatch(/only CONTINUE_ON_ERROR/);
    }
    expect((await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities).toHaveLength(
      0,
    );
  });

  it('refuses a Write naming a role (roles need MasterArbitrationUpdate)', async () => {
    const r = await write(t.stub, {
      role: 'ops',
      updates: [{ type: UpdateType.INSERT, entity: exactEntry(1) }],
    });
    expect(r.code).toBe(S.UNIMPLEMENTED);
    expect(r.message).toMatch(/role 'ops'/);
  });

  it('refuses MODIFY of a regular entry but applies the rest of the batch; DELETE then INSERT changes it', async () => {
    expect((await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(1, 5)])).code).toBe(S.OK);
    const r = await write(t.stub, {
      updates: [
        { type: UpdateType.MODIFY, entity: exactEntry(1, 6) },
        { type: UpdateType.INSERT, entity: exactEntry(2, 6) },
      ],
    });
    expect(r.code).toBe(S.UNKNOWN);
    expect(codes(r)).toEqual(['UNIMPLEMENTED', 'OK']);
    expect(r.errors[0].message).toMatch(/MODIFY of a regular entry.*DELETE it and INSERT/);
    const change = await write(t.stub, {
      updates: [
        { type: UpdateType.DELETE, entity: exactEntry(1, 5) },
        { type: UpdateType.INSERT, entity: exactEntry(1, 6) },
      ],
    });
    expect(change.code).toBe(S.OK);
    const entries = (await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities;
    expect(entries.map((e) => hex(e.tableEntry?.action?.action?.params?.[0]?.value)).sort()).toEqual([
      '06',
      '06',
    ]);
  });

  it('MODIFYs the default entry; INSERT of a default entry is refused', async () => {
    const tableId = ids.table('exact_t');
    const modify = await writeUpdates(t.stub, UpdateType.MODIFY, [
      {
        tableEntry: { tableId, isDefaultAction: true, action: { action: { actionId: ids.action('drop') } } },
      },
    ]);
    expect(modify.code).toBe(S.OK);
    const insert = await writeUpdates(t.stub, UpdateType.INSERT, [
      {
        tableEntry: { tableId, isDefaultAction: true, action: { action: { actionId: ids.action('drop') } } },
      },
    ]);
    expect(codes(insert)).toEqual(['INVALID_ARGUMENT']);
  });

  it('holds a table of size 64 to 63 regular entries, within one batch and across batches', async () => {
    const batch = Array.from({ length: 64 }, (_, i) => ({
      type: UpdateType.INSERT,
      entity: exactEntry(i + 1),
    }));
    const r = await write(t.stub, { updates: batch });
    expect(codes(r)).toEqual([...Array(63).fill('OK'), 'RESOURCE_EXHAUSTED']);
    expect(r.errors[63].message).toMatch(/Table is full.*size 64 holds 63 regular entries/);
    expect(
      (await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(100)])).errors.map(
        (e) => S[e.canonicalCode],
      ),
    ).toEqual(['RESOURCE_EXHAUSTED']);
    const swap = await write(t.stub, {
      updates: [
        { type: UpdateType.DELETE, entity: exactEntry(1) },
        { type: UpdateType.INSERT, entity: exactEntry(100) },
        { type: UpdateType.INSERT, entity: exactEntry(101) },
      ],
    });
    expect(codes(swap)).toEqual(['OK', 'OK', 'RESOURCE_EXHAUSTED']);
    expect((await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities).toHaveLength(
      63,
    );
  });

  it('refuses every entity kind outside TableEntry, counters and meters, update by update', async () => {
    const r = await write(t.stub, {
      updates: [
        {
          type: UpdateType.MODIFY,
          entity: {
            registerEntry: {
              registerId: ids.register('last_k32'),
              index: { index: 0 },
              data: { bitstring: bytes(1) },
            },
          },
        },
        {
          type: UpdateType.INSERT,
          entity: {
            actionProfileMember: {
              actionProfileId: ids.actionProfile('profile'),
              memberId: 1,
              action: { actionId: ids.action('set_profile') },
            },
          },
        },
        {
          type: UpdateType.INSERT,
          entity: {
            packetReplicationEngineEntry: {
              multicastGroupEntry: { multicastGroupId: 1, replicas: [{ port: bytes(1), instance: 0 }] },
            },
          },
        },
        {
          type: UpdateType.INSERT,
          entity: {
            packetReplicationEngineEntry: {
              cloneSessionEntry: { sessionId: 1, replicas: [{ port: bytes(255), instance: 0 }] },
            },
          },
        },
        {
          type: UpdateType.MODIFY,
          entity: { valueSetEntry: { valueSetId: ids.valueSet('probe_types'), members: [] } },
        },
        {
          type: UpdateType.INSERT,
          entity: { digestEntry: { digestId: ids.digest('mac_learn_t'), config: { maxListSize: 1 } } },
        },
        { type: UpdateType.INSERT, entity: { externEntry: { externTypeId: 1, externId: 1 } } },
        { type: UpdateType.INSERT, entity: exactEntry(1) },
      ],
    });
    expect(codes(r)).toEqual([...Array(7).fill('UNIMPLEMENTED'), 'OK']);
    expect(r.errors.slice(0, 7).map((e) => /(\w+) in Write$/.exec(e.message)?.[1])).toEqual([
      'RegisterEntry',
      'ActionProfileMember',
      'PacketReplicationEngineEntry',
      'PacketReplicationEngineEntry',
      'ValueSetEntry',
      'DigestEntry',
      'ExternEntry',
    ]);
  });

  it('MODIFYs indirect counters', async () => {
    const counterId = ids.counter('port_counter');
    const r = await writeUpdates(t.stub, UpdateType.MODIFY, [
      { counterEntry: { counterId, index: { index: 3 }, data: { packetCount: 7, byteCount: 70 } } },
    ]);
    expect(r.code).toBe(S.OK);
    const got = await read(t.stub, [{ counterEntry: { counterId, index: { index: 3 } } }]);
    expect(Number(got.entities[0].counterEntry?.data?.packetCount)).toBe(7);
  });
});

describe('Read', () => {
  it('refuses unsupported entity kinds with UNIMPLEMENTED', async () => {
    const r = await read(t.stub, [{ registerEntry: { registerId: ids.register('last_k32') } }]);
    expect(r.code).toBe(S.UNIMPLEMENTED);
    expect(r.message).toMatch(/RegisterEntry in Read/);
    const pre = await read(t.stub, [{ packetReplicationEngineEntry: { multicastGroupEntry: {} } }]);
    expect(pre.code).toBe(S.UNIMPLEMENTED);
  });
});

describe('StreamChannel: one controller, no arbitration', () => {
  function outputsOf(target: TestTarget): OutputFrame[] {
    const outputs: OutputFrame[] = [];
    target.target.dataplane.onOutput((o) => outputs.push(o));
    return outputs;
  }

  /** Opens a stream and proves the server attached it: a packet-out to port 3 comes out. */
  async function controller(outputs: OutputFrame[]): Promise<Stream> {
    const stream = new Stream(t.stub);
    const payload = ethernet(mac(1), mac(2), 0x0800, new Uint8Array([outputs.length]));
    stream.send({ packet: { payload, metadata: [{ metadataId: 1, value: bytes(3) }] } });
    await expect.poll(() => outputs.some((o) => hex(o.frame) === hex(payload))).toBe(true);
    return stream;
  }

  it('serves packet-out and packet-in without any MasterArbitrationUpdate', async () => {
    const outputs = outputsOf(t);
    const stream = await controller(outputs);
    expect(outputs.map((o) => o.port)).toEqual([3]);
    expect((await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(7)])).code).toBe(S.OK);
    const frame = ethernet(mac(7), mac(8), 0x0800, new Uint8Array([9, 9]));
    t.target.dataplane.inject(4, frame);
    const packet = (await stream.next((m) => m.packet != null))?.packet;
    expect(hex(packet?.payload)).toBe(hex(frame));
    expect(stream.pending().filter((m) => m.arbitration != null)).toHaveLength(0);
    stream.end();
  });

  it('sends idle-timeout notifications to the one controller', async () => {
    const outputs = outputsOf(t);
    const stream = await controller(outputs);
    const entry = exactEntry(9);
    if (entry.tableEntry) entry.tableEntry.idleTimeoutNs = 1_000_000;
    expect((await writeUpdates(t.stub, UpdateType.INSERT, [entry])).code).toBe(S.OK);
    await expect
      .poll(() => {
        t.target.manager.sweepIdleEntries();
        return stream.pending().some((m) => m.idleTimeoutNotification != null);
      })
      .toBe(true);
    const n = (await stream.next((m) => m.idleTimeoutNotification != null))?.idleTimeoutNotification;
    expect(hex(n?.tableEntry?.[0]?.match?.[0]?.exact?.value)).toBe(hex(bytes(mac(9))));
    stream.end();
  });

  it('refuses a second controller while one is connected, and accepts one after it leaves', async () => {
    const outputs = outputsOf(t);
    const first = await controller(outputs);
    const second = new Stream(t.stub);
    expect(await second.closed()).toMatchObject({ code: S.RESOURCE_EXHAUSTED });
    expect(second.status?.message).toMatch(/Only one P4 controller/);
    first.end();
    expect((await first.closed())?.code).toBe(S.OK);
    const third = await controller(outputs);
    third.end();
  });

  it('ends a stream that sends a MasterArbitrationUpdate with UNIMPLEMENTED', async () => {
    const stream = new Stream(t.stub);
    stream.arbitrate(10n);
    expect(await stream.closed()).toMatchObject({ code: S.UNIMPLEMENTED });
    expect(stream.status?.message).toMatch(/MasterArbitrationUpdate/);
  });

  it('ends a stream that sends a DigestListAck with UNIMPLEMENTED', async () => {
    const stream = new Stream(t.stub);
    stream.send({ digestAck: { digestId: ids.digest('mac_learn_t'), listId: 1 } });
    expect(await stream.closed()).toMatchObject({ code: S.UNIMPLEMENTED });
  });
});
