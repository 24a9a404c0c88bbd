// Entities other than table entries, over real gRPC against the compiled server_all program:
// action profile members/groups (manual and one-shot), indexed counters and meters, registers,
// value sets, multicast groups, clone sessions and digest configuration.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { READ_CHUNK_ENTITIES } from '../../../src/switch/index.js';
import {
  bytes,
  ethernet,
  hex,
  type Ids,
  mac,
  type p4,
  parseProbe,
  probe,
  probeFrame,
  read,
  type TestTarget,
  toNumber,
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

async function ok(type: p4.v1.Update.Type, ...entities: p4.v1.IEntity[]): Promise<void> {
  const r = await writeUpdates(t.stub, type, entities);
  expect(r.errors.map((e) => e.message).filter(Boolean)).toEqual([]);
  expect(r.code).toBe(grpc.status.OK);
}

async function refused(
  type: p4.v1.Update.Type,
  entity: p4.v1.IEntity,
  code: grpc.status,
  ...fragments: (string | RegExp)[]
): Promise<void> {
  const r = await writeUpdates(t.stub, type, [entity]);
  expect(r.code).toBe(grpc.status.UNKNOWN);
  expect(grpc.status[r.errors[0]?.canonicalCode]).toBe(grpc.status[code]);
  for (const f of fragments) expect(r.errors[0].message).toMatch(f);
}

function send(dst: bigint, fields: Parameters<typeof probeFrame>[1] = {}, port = 1) {
  return t.target.dataplane.process(port, probeFrame(dst, fields));
}

/** exact_t entry sending `dst` through `action` with `params`. */
function exactEntry(dst: bigint, action: string, params: number[]): p4.v1.IEntity {
  return {
    tableEntry: {
      tableId: ids.table('exact_t'),
      match: [{ fieldId: 1, exact: { value: bytes(dst) } }],
      action: {
        action: {
          actionId: ids.action(action),
          params: params.map((v, i) => ({ paramId: i + 1, value: bytes(v) })),
        },
      },
    },
  };
}

describe('action profile members and groups', () => {
  const member = (id: number, value: number, action = 'set_profile'): p4.v1.IEntity => ({
    actionProfileMember: {
      actionProfileId: ids.actionProfile('profile'),
      memberId: id,
      action: { actionId: ids.action(action), params: [{ paramId: 1, value: bytes(value) }] },
    },
  });
  const selectorMember = (id: number, port: number): p4.v1.IEntity => ({
    actionProfileMember: {
      actionProfileId: ids.actionProfile('port_selector'),
      memberId: id,
      action: { actionId: ids.action('select_port'), params: [{ paramId: 1, value: bytes(port) }] },
    },
  });
  const group = (id: number, members: [number, number][], maxSize = 0): p4.v1.IEntity => ({
    actionProfileGroup: {
      actionProfileId: ids.actionProfile('port_selector'),
      groupId: id,
      maxSize,
      members: members.map(([memberId, weight]) => ({ memberId, weight })),
    },
  });
  const profileEntry = (k8: number, action: p4.v1.ITableAction): p4.v1.IEntity => ({
    tableEntry: {
      tableId: ids.table('profile_t'),
      match: [{ fieldId: 1, exact: { value: bytes(k8) } }],
      action,
    },
  });
  const selectorEntry = (k16: number, action: p4.v1.ITableAction): p4.v1.IEntity => ({
    tableEntry: {
      tableId: ids.table('selector_t'),
      match: [{ fieldId: 1, exact: { value: bytes(k16) } }],
      action,
    },
  });

  it('members: insert, use from a table, read, modify, refusals', async () => {
    await ok(UpdateType.INSERT, member(1, 11), member(2, 22), exactEntry(mac(1), 'forward', [2]));
    await ok(UpdateType.INSERT, profileEntry(5, { actionProfileMemberId: 2 }));
    expect(parseProbe(send(mac(1), { k8: 5 })[0].frame).profile_v).toBe(22);
    const members = await read(t.stub, [
      { actionProfileMember: { actionProfileId: ids.actionProfile('profile') } },
    ]);
    expect(
      members.entities.map((e) => [
        e.actionProfileMember?.memberId,
        hex(e.actionProfileMember?.action?.params?.[0].value),
      ]),
    ).toEqual([
      [1, '0b'],
      [2, '16'],
    ]);
    const entry = await read(t.stub, [{ tableEntry: { tableId: ids.table('profile_t') } }]);
    expect(entry.entities[0].tableEntry?.action?.actionProfileMemberId).toBe(2);
    await ok(UpdateType.MODIFY, member(2, 33));
    expect(parseProbe(send(mac(1), { k8: 5 })[0].frame).profile_v).toBe(33);

    await refused(
      UpdateType.INSERT,
      member(1, 1),
      grpc.status.ALREADY_EXISTS,
      /^Duplicate member id: 1/,
      /'MyIngress\.profile'/,
    );
    await refused(UpdateType.MODIFY, member(9, 1), grpc.status.NOT_FOUND, /^Member id does not exist: 9/);
    await refused(
      UpdateType.INSERT,
      member(3, 1, 'set_lpm'),
      grpc.status.INVALID_ARGUMENT,
      /^Invalid action for action profile/,
      /set_lpm/,
    );
    await refused(
      UpdateType.INSERT,
      profileEntry(6, { actionProfileMemberId: 99 }),
      grpc.status.INVALID_ARGUMENT,
      /^Invalid member \/ group id/,
    );
    await refused(
      UpdateType.INSERT,
      profileEntry(6, {
        action: { actionId: ids.action('set_profile'), params: [{ paramId: 1, value: bytes(1) }] },
      }),
      grpc.status.INVALID_ARGUMENT,
      /^Cannot provide direct action for indirect table/,
    );
    // A member used by a table entry cannot go (bmv2 refuses; PI reports UNKNOWN).
    await refused(
      UpdateType.DELETE,
      member(2, 0),
      grpc.status.UNKNOWN,
      /^Error when deleting member on target/,
    );
    await ok(UpdateType.DELETE, member(1, 0));
    expect(
      (await read(t.stub, [{ actionProfileMember: { actionProfileId: ids.actionProfile('profile') } }]))
        .entities,
    ).toHaveLength(1);
  });

  it('weighted groups: spread traffic over their members, read back sorted with weights', async () => {
    await ok(
      UpdateType.INSERT,
      exactEntry(mac(1), 'forward', [2]),
      selectorMember(1, 4),
      selectorMember(2, 5),
    );
    await ok(
      UpdateType.INSERT,
      group(10, [
        [2, 3],
        [1, 1],
      ]),
    );
    await ok(UpdateType.INSERT, selectorEntry(0x77, { actionProfileGroupId: 10 }));
    const ports = new Map<number, number>();
    for (let i = 0; i < 128; i++) {
      // Spread the selector input over all 32 bits (CRC16 of small consecutive values is biased).
      const k32 = Math.imul(i + 1, 0x9e3779b1) >>> 0;
      const [out] = send(mac(1), { k16: 0x77, k32 });
      ports.set(out.port, (ports.get(out.port) ?? 0) + 1);
    }
    expect([...ports.keys()].sort()).toEqual([4, 5]);
    expect(ports.get(5)!).toBeGreaterThan(ports.get(4)!);
    const g = (
      await read(t.stub, [
        { actionProfileGroup: { actionProfileId: ids.actionProfile('port_selector'), groupId: 10 } },
      ])
    ).entities[0].actionProfileGroup!;
    expect(g.members?.map((m) => [m.memberId, m.weight])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    // Shrinking the group moves all traffic to the remaining member.
    await ok(UpdateType.MODIFY, group(10, [[1, 2]]));
    expect(new Set(Array.from({ length: 16 }, (_, k32) => send(mac(1), { k16: 0x77, k32 })[0].port))).toEqual(
      new Set([4]),
    );
    expect(
      (await read(t.stub, [{ tableEntry: { tableId: ids.table('selector_t') } }])).entities[0].tableEntry
        ?.action?.actionProfileGroupId,
    ).toBe(10);
  });

  it('group refusals', async () => {
    await ok(UpdateType.INSERT, selectorMember(1, 4), selectorMember(2, 5), group(10, [[1, 1]], 4));
    await refused(
      UpdateType.INSERT,
      group(10, [[1, 1]]),
      grpc.status.ALREADY_EXISTS,
      /^Duplicate group id: 10/,
    );
    await refused(
      UpdateType.MODIFY,
      group(11, [[1, 1]]),
      grpc.status.NOT_FOUND,
      /^Group id does not exist: 11/,
    );
    await refused(
      UpdateType.INSERT,
      group(12, [[99, 1]]),
      grpc.status.NOT_FOUND,
      /^Member id does not exist: 99/,
    );
    await refused(
      UpdateType.INSERT,
      group(13, [[1, 0]]),
      grpc.status.INVALID_ARGUMENT,
      /^Member weight must be a positive integer value/,
    );
    await refused(
      UpdateType.INSERT,
      group(14, [
        [1, 1],
        [1, 2],
      ]),
      grpc.status.INVALID_ARGUMENT,
      /^Duplicate member id 1 for group 14, use weights instead/,
    );
    await refused(
      UpdateType.MODIFY,
      group(
        10,
        [
          [1, 3],
          [2, 2],
        ],
        4,
      ),
      grpc.status.RESOURCE_EXHAUSTED,
      /^Sum of member weights exceeds maximum group size/,
    );
    await refused(
      UpdateType.MODIFY,
      group(10, [[1, 1]], 8),
      grpc.status.INVALID_ARGUMENT,
      /^Cannot change group max_size after group creation/,
    );
    await refused(
      UpdateType.INSERT,
      group(15, [], -1),
      grpc.status.INVALID_ARGUMENT,
      /^Group max_size cannot be less than 0/,
    );
    // Like bmv2, a group whose member list was refused at INSERT exists, empty.
    const left = await read(t.stub, [
      { actionProfileGroup: { actionProfileId: ids.actionProfile('port_selector') } },
    ]);
    expect(
      left.entities.map((e) => [e.actionProfileGroup?.groupId, e.actionProfileGroup?.members?.length ?? 0]),
    ).toEqual([
      [10, 1],
      [12, 0],
      [13, 0],
      [14, 0],
    ]);
    await refused(
      UpdateType.INSERT,
      group(12, [[1, 1]]),
      grpc.status.ALREADY_EXISTS,
      /^Duplicate group id: 12/,
    );
  });

  it('one-shot action sets: create hidden groups, read back as written, and cannot be mixed with members', async () => {
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'forward', [2]));
    const set = (ports: number[]): p4.v1.ITableAction => ({
      actionProfileActionSet: {
        actionProfileActions: ports.map((port) => ({
          action: { actionId: ids.action('select_port'), params: [{ paramId: 1, value: bytes(port) }] },
          weight: 1,
        })),
      },
    });
    await ok(UpdateType.INSERT, selectorEntry(0x10, set([6, 7])));
    const seen = new Set(Array.from({ length: 32 }, (_, k32) => send(mac(1), { k16: 0x10, k32 })[0].port));
    expect(seen).toEqual(new Set([6, 7]));
    const back = (await read(t.stub, [{ tableEntry: { tableId: ids.table('selector_t') } }])).entities[0]
      .tableEntry?.action?.actionProfileActionSet;
    expect(back?.actionProfileActions?.map((a) => hex(a.action?.params?.[0].value))).toEqual(['06', '07']);
    await refused(
      UpdateType.INSERT,
      selectorMember(1, 4),
      grpc.status.INVALID_ARGUMENT,
      /^Invalid attempt to mix action selector programming modes/,
    );
    await ok(UpdateType.MODIFY, selectorEntry(0x10, set([3])));
    expect(send(mac(1), { k16: 0x10, k32: 5 })[0].port).toBe(3);
    await ok(UpdateType.DELETE, selectorEntry(0x10, {}));
    // Once empty, the profile may be programmed with members again.
    await ok(UpdateType.INSERT, selectorMember(1, 4));
    await refused(
      UpdateType.INSERT,
      selectorEntry(0x11, { actionProfileActionSet: { actionProfileActions: [] } }),
      grpc.status.INVALID_ARGUMENT,
      /mix/,
    );
  });
});

describe('indexed counters', () => {
  const counter = (name: string, index?: number, data?: p4.v1.ICounterData): p4.v1.IEntity => ({
    counterEntry: { counterId: ids.counter(name), index: index === undefined ? undefined : { index }, data },
  });

  it('count packets per ingress port, read one or all cells, write and reset', async () => {
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'forward', [2]));
    send(mac(1), {}, 3);
    send(mac(1), {}, 3);
    const one = await read(t.stub, [counter('port_counter', 3)]);
    expect(toNumber(one.entities[0].counterEntry?.data?.packetCount)).toBe(2);
    expect(toNumber(one.entities[0].counterEntry?.data?.byteCount)).toBe(2 * probeFrame(mac(1), {}).length);
    const all = await read(t.stub, [counter('port_counter')]);
    expect(all.entities.map((e) => toNumber(e.counterEntry?.index?.index))).toEqual([...Array(16).keys()]);
    await ok(UpdateType.MODIFY, counter('port_counter', 3, { packetCount: 1000, byteCount: 64000 }));
    expect(
      toNumber(
        (await read(t.stub, [counter('port_counter', 3)])).entities[0].counterEntry?.data?.packetCount,
      ),
    ).toBe(1000);
    await ok(UpdateType.DELETE, counter('port_counter', 3));
    expect(
      toNumber((await read(t.stub, [counter('port_counter', 3)])).entities[0].counterEntry?.data?.byteCount),
    ).toBe(0);
  });

  it('writes only the count of the counter unit (bytes-only counters keep their packet count)', async () => {
    send(mac(1));
    await ok(UpdateType.MODIFY, counter('byte_counter', 0, { packetCount: 500, byteCount: 7 }));
    const d = (await read(t.stub, [counter('byte_counter', 0)])).entities[0].counterEntry?.data;
    expect(toNumber(d?.byteCount)).toBe(7);
    expect(toNumber(d?.packetCount)).toBe(1);
  });

  it('refusals', async () => {
    await refused(
      UpdateType.INSERT,
      counter('port_counter', 1, {}),
      grpc.status.INVALID_ARGUMENT,
      /^INSERT update type not supported for counters/,
    );
    await refused(
      UpdateType.MODIFY,
      counter('port_counter', undefined, {}),
      grpc.status.UNIMPLEMENTED,
      /^Wildcard write is not supported for indirect counters yet/,
    );
    await refused(
      UpdateType.MODIFY,
      counter('port_counter', -1, {}),
      grpc.status.INVALID_ARGUMENT,
      /^A negative number is not a valid index value/,
    );
    await refused(
      UpdateType.MODIFY,
      counter('port_counter', 16, {}),
      grpc.status.UNKNOWN,
      /^Error when writing to counter/,
      /index 16/,
    );
    await refused(
      UpdateType.MODIFY,
      { counterEntry: { counterId: ids.directCounter('exact_counter'), index: { index: 0 } } },
      grpc.status.INVALID_ARGUMENT,
      /^Invalid P4 id/,
    );
    const r = await read(t.stub, [counter('port_counter', 99)]);
    expect(r.code).toBe(grpc.status.UNKNOWN);
  });

  it('splits large reads over several ReadResponse messages', async () => {
    const many = Array.from({ length: Math.ceil((READ_CHUNK_ENTITIES + 1) / 16) }, () =>
      counter('port_counter'),
    );
    const r = await read(t.stub, many);
    expect(r.entities.length).toBe(many.length * 16);
    expect(r.responses).toBe(Math.ceil(r.entities.length / READ_CHUNK_ENTITIES));
    expect(r.responses).toBeGreaterThan(1);
  });
});

describe('indexed meters', () => {
  const meter = (index?: number, config?: p4.v1.IMeterConfig): p4.v1.IEntity => ({
    meterEntry: {
      meterId: ids.meter('probe_meter'),
      index: index === undefined ? undefined : { index },
      config,
    },
  });

  it('configures a cell, colors packets, reads the config, resets', async () => {
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'forward', [2]));
    await ok(UpdateType.MODIFY, meter(4, { cir: 0, cburst: 2, pir: 0, pburst: 2 }));
    const colors = Array.from({ length: 4 }, () => parseProbe(send(mac(1), { k8: 4 })[0].frame).meter_color);
    expect(colors).toEqual([0, 0, 2, 2]);
    const c = (await read(t.stub, [meter(4)])).entities[0].meterEntry?.config;
    expect([c?.cir, c?.cburst, c?.pir, c?.pburst].map((v) => toNumber(v as number))).toEqual([0, 2, 0, 2]);
    expect((await read(t.stub, [meter(5)])).entities[0].meterEntry?.config).toBeNull();
    await ok(UpdateType.MODIFY, meter(4));
    expect(parseProbe(send(mac(1), { k8: 4 })[0].frame).meter_color).toBe(0);
    expect((await read(t.stub, [meter()])).entities).toHaveLength(8);
  });

  it('refusals', async () => {
    await refused(
      UpdateType.INSERT,
      meter(0, {}),
      grpc.status.INVALID_ARGUMENT,
      /^INSERT update type not supported for meters/,
    );
    await refused(
      UpdateType.MODIFY,
      meter(undefined, {}),
      grpc.status.UNIMPLEMENTED,
      /^Wildcard write is not supported for indirect meters yet/,
    );
    await refused(
      UpdateType.MODIFY,
      meter(0, { cburst: 2 ** 33 }),
      grpc.status.UNIMPLEMENTED,
      /^CBurst too large/,
    );
    await refused(
      UpdateType.MODIFY,
      meter(0, { pburst: -2 }),
      grpc.status.INVALID_ARGUMENT,
      /^Negative meter PBurst/,
    );
    await refused(
      UpdateType.MODIFY,
      meter(0, { cir: 10, pir: 5, cburst: 1, pburst: 1 }),
      grpc.status.UNKNOWN,
      /^Error when writing meter spec/,
    );
  });
});

describe('registers (served although bmv2 answers UNIMPLEMENTED)', () => {
  const reg = (index?: number, value?: number): p4.v1.IEntity => ({
    registerEntry: {
      registerId: ids.register('last_k32'),
      index: index === undefined ? undefined : { index },
      data: value === undefined ? undefined : { bitstring: bytes(value) },
    },
  });

  it('reads what the data plane wrote, writes one cell or all of them', async () => {
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'forward', [2]));
    send(mac(1), { k8: 2, k32: 0x1234 });
    expect(hex((await read(t.stub, [reg(2)])).entities[0].registerEntry?.data?.bitstring)).toBe('1234');
    await ok(UpdateType.MODIFY, reg(3, 0xdeadbeef));
    expect(hex((await read(t.stub, [reg(3)])).entities[0].registerEntry?.data?.bitstring)).toBe('deadbeef');
    await ok(UpdateType.MODIFY, reg(undefined, 5));
    const all = await read(t.stub, [reg()]);
    expect(all.entities.map((e) => hex(e.registerEntry?.data?.bitstring))).toEqual(Array(8).fill('05'));
  });

  it('refusals', async () => {
    await refused(
      UpdateType.INSERT,
      reg(0, 1),
      grpc.status.INVALID_ARGUMENT,
      /^INSERT update type not supported for registers/,
    );
    await refused(UpdateType.MODIFY, reg(0), grpc.status.INVALID_ARGUMENT, /P4Data bitstring/, /last_k32/);
    await refused(
      UpdateType.MODIFY,
      reg(0, 2 ** 40),
      grpc.status.INVALID_ARGUMENT,
      /does not fit within 32 bits/,
    );
    await refused(UpdateType.MODIFY, reg(8, 1), grpc.status.OUT_OF_RANGE, /has 8 cells/);
  });
});

describe('value sets (served although bmv2 answers UNIMPLEMENTED)', () => {
  const vs = (values: number[]): p4.v1.IEntity => ({
    valueSetEntry: {
      valueSetId: ids.valueSet('probe_types'),
      members: values.map((v) => ({ match: [{ fieldId: 1, exact: { value: bytes(v) } }] })),
    },
  });

  it('replaces the members with MODIFY; the parser follows them', async () => {
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'forward', [2]));
    const frame = ethernet(mac(1), mac(2), 0x9000, probe({ k8: 1 }));
    expect(parseProbe(t.target.dataplane.process(1, frame)[0].frame).const_v).toBe(0);
    await ok(UpdateType.MODIFY, vs([0x9000, 0x9001]));
    expect(parseProbe(t.target.dataplane.process(1, frame)[0].frame).const_v).toBe(7);
    const back = (await read(t.stub, [{ valueSetEntry: { valueSetId: ids.valueSet('probe_types') } }]))
      .entities[0].valueSetEntry;
    expect(back?.members?.map((m) => hex(m.match?.[0].exact?.value))).toEqual(['9000', '9001']);
    await ok(UpdateType.MODIFY, vs([]));
    expect(parseProbe(t.target.dataplane.process(1, frame)[0].frame).const_v).toBe(0);
  });

  it('refusals', async () => {
    await refused(
      UpdateType.INSERT,
      vs([1]),
      grpc.status.INVALID_ARGUMENT,
      /^INSERT update type not supported for value sets/,
    );
    await refused(UpdateType.MODIFY, vs([1, 2, 3, 4, 5]), grpc.status.RESOURCE_EXHAUSTED, /holds at most 4/);
  });
});

describe('packet replication engine', () => {
  const group = (id: number, replicas: p4.v1.IReplica[]): p4.v1.IEntity => ({
    packetReplicationEngineEntry: { multicastGroupEntry: { multicastGroupId: id, replicas } },
  });
  const session = (
    id: number,
    replicas: p4.v1.IReplica[],
    extra: Partial<p4.v1.ICloneSessionEntry> = {},
  ): p4.v1.IEntity => ({
    packetReplicationEngineEntry: { cloneSessionEntry: { sessionId: id, replicas, ...extra } },
  });

  it('multicast groups: replicate, read back, modify, delete', async () => {
    await ok(
      UpdateType.INSERT,
      group(1, [
        { egressPort: 3, instance: 0 },
        { port: bytes(2), instance: 1 },
      ]),
    );
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'flood', [1]));
    expect(
      send(mac(1))
        .map((o) => o.port)
        .sort(),
    ).toEqual([2, 3]);
    const back = (await read(t.stub, [{ packetReplicationEngineEntry: { multicastGroupEntry: {} } }]))
      .entities;
    expect(back).toHaveLength(1);
    const replicas = back[0].packetReplicationEngineEntry?.multicastGroupEntry?.replicas ?? [];
    expect(replicas.map((r) => [r.instance, r.egressPort ?? null, r.port ? hex(r.port) : null])).toEqual([
      [0, 3, null],
      [1, null, '02'],
    ]);
    await ok(UpdateType.MODIFY, group(1, [{ egressPort: 6, instance: 0 }]));
    expect(send(mac(1)).map((o) => o.port)).toEqual([6]);
    await ok(UpdateType.DELETE, group(1, []));
    expect(send(mac(1))).toEqual([]);
  });

  it('multicast refusals', async () => {
    await ok(UpdateType.INSERT, group(1, [{ egressPort: 3 }]));
    await refused(
      UpdateType.INSERT,
      group(1, []),
      grpc.status.ALREADY_EXISTS,
      /^Multicast group already exists/,
    );
    await refused(UpdateType.MODIFY, group(2, []), grpc.status.NOT_FOUND, /^Multicast group does not exist/);
    await refused(
      UpdateType.INSERT,
      group(0, []),
      grpc.status.INVALID_ARGUMENT,
      /^0 is not a valid group id/,
    );
    await refused(
      UpdateType.INSERT,
      group(40000, []),
      grpc.status.OUT_OF_RANGE,
      /^Group id value is too high/,
    );
    await refused(
      UpdateType.INSERT,
      group(3, [{ instance: 1 }]),
      grpc.status.INVALID_ARGUMENT,
      /^Missing port in multicast group replica/,
    );
    await refused(
      UpdateType.INSERT,
      group(3, [{ port: new Uint8Array(0) }]),
      grpc.status.INVALID_ARGUMENT,
      /^Port must not be the empty string/,
    );
    await refused(
      UpdateType.INSERT,
      group(3, [{ egressPort: 3 }, { egressPort: 3 }]),
      grpc.status.INVALID_ARGUMENT,
      /^Duplicate replica/,
    );
    // Duplicates are told apart by rid, port form and port, in short lists (scanned) and long ones.
    const many = Array.from({ length: 20 }, (_, i) => ({ egressPort: 1 + i, instance: i % 3 }));
    await refused(
      UpdateType.INSERT,
      group(3, [...many, { egressPort: 19, instance: 0 }]),
      grpc.status.INVALID_ARGUMENT,
      /^Duplicate replica/,
    );
    await refused(
      UpdateType.INSERT,
      group(3, [
        { port: Uint8Array.of(3), instance: 2 },
        { egressPort: 4 },
        { port: Uint8Array.of(3), instance: 2 },
      ]),
      grpc.status.INVALID_ARGUMENT,
      /^Duplicate replica/,
    );
    await ok(UpdateType.INSERT, group(4, [{ egressPort: 3 }, { port: Uint8Array.of(3), instance: 1 }]));
    await ok(UpdateType.INSERT, group(5, [...many, { egressPort: 19, instance: 1 }]));
    await ok(UpdateType.DELETE, group(4, []));
    await ok(UpdateType.DELETE, group(5, []));
    const r = await read(t.stub, [
      { packetReplicationEngineEntry: { multicastGroupEntry: { multicastGroupId: 9 } } },
    ]);
    expect(r.code).toBe(grpc.status.NOT_FOUND);
  });

  it('clone sessions: clone I2E, read back, hidden from multicast reads, refusals', async () => {
    await ok(UpdateType.INSERT, session(5, [{ egressPort: 6 }]));
    await ok(UpdateType.INSERT, exactEntry(mac(1), 'forward_and_clone', [2, 5]));
    expect(
      send(mac(1))
        .map((o) => o.port)
        .sort(),
    ).toEqual([2, 6]);
    const back = (await read(t.stub, [{ packetReplicationEngineEntry: { cloneSessionEntry: {} } }])).entities;
    expect(
      back.map((e) => [
        e.packetReplicationEngineEntry?.cloneSessionEntry?.sessionId,
        e.packetReplicationEngineEntry?.cloneSessionEntry?.replicas?.[0].egressPort,
      ]),
    ).toEqual([[5, 6]]);
    expect(
      (await read(t.stub, [{ packetReplicationEngineEntry: { multicastGroupEntry: {} } }])).entities,
    ).toHaveLength(0);
    await refused(
      UpdateType.INSERT,
      session(5, []),
      grpc.status.ALREADY_EXISTS,
      /^Clone session id already exists/,
    );
    await refused(
      UpdateType.INSERT,
      session(0, []),
      grpc.status.INVALID_ARGUMENT,
      /^0 is not a valid session id/,
    );
    await refused(
      UpdateType.INSERT,
      session(40000, []),
      grpc.status.INVALID_ARGUMENT,
      /^Clone session id out-of-range/,
    );
    await refused(
      UpdateType.INSERT,
      session(6, [], { classOfService: 1 }),
      grpc.status.UNIMPLEMENTED,
      /^COS for clone sessions not supported yet/,
    );
    await refused(
      UpdateType.INSERT,
      session(6, [], { packetLengthBytes: 100 }),
      grpc.status.UNKNOWN,
      /^Error when creating clone session in target/,
    );
    await ok(UpdateType.DELETE, session(5, []));
    expect(send(mac(1)).map((o) => o.port)).toEqual([2]);
    await refused(
      UpdateType.DELETE,
      session(5, []),
      grpc.status.NOT_FOUND,
      /^Clone session id does not exist/,
    );
  });
});

describe('digest configuration', () => {
  const digest = (config?: p4.v1.DigestEntry.IConfig, id = ids.digest('mac_learn_t')): p4.v1.IEntity => ({
    digestEntry: { digestId: id, config },
  });

  it('inserts, reads, modifies and deletes a digest config', async () => {
    await ok(UpdateType.INSERT, digest({ maxListSize: 5, maxTimeoutNs: 1000, ackTimeoutNs: 2000 }));
    const back = (await read(t.stub, [digest()])).entities[0].digestEntry;
    expect(back?.config?.maxListSize).toBe(5);
    expect(toNumber(back?.config?.ackTimeoutNs)).toBe(2000);
    await ok(UpdateType.MODIFY, digest({ maxListSize: 1 }));
    expect((await read(t.stub, [digest()])).entities[0].digestEntry?.config?.maxListSize).toBe(1);
    await ok(UpdateType.DELETE, digest());
    const gone = await read(t.stub, [digest()]);
    expect(gone.code).toBe(grpc.status.NOT_FOUND);
    expect(gone.message).toMatch(/not configured/);
  });

  it('refusals', async () => {
    await ok(UpdateType.INSERT, digest({}));
    await refused(UpdateType.INSERT, digest({}), grpc.status.ALREADY_EXISTS, /already configured/);
    await refused(
      UpdateType.INSERT,
      digest({}, 0x17000001),
      grpc.status.NOT_FOUND,
      /is not a valid digest id/,
    );
    expect((await read(t.stub, [{ digestEntry: {} }])).code).toBe(grpc.status.UNIMPLEMENTED);
  });
});
