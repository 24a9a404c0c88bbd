// Table entries over real gRPC against the compiled server_all program: writes and reads of every
// match kind, default entries, direct resources, idle timeout metadata, and each refusal with its
// canonical code and a message naming the table, field and value.
import * as grpc from '@grpc/grpc-js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  bytes,
  hex,
  type Ids,
  mac,
  p4,
  parseProbe,
  probeFrame,
  read,
  type TestTarget,
  toNumber,
  UpdateType,
  useFixtureTarget,
  write,
  writeUpdates,
} from './helpers.js';

let t: TestTarget;
let ids: Ids;
useFixtureTarget('server_all', (target, fixtureIds) => {
  t = target;
  ids = fixtureIds;
});

const exactKey = (dst: bigint | Uint8Array): p4.v1.IFieldMatch[] => [
  { fieldId: 1, exact: { value: dst instanceof Uint8Array ? dst : bytes(dst) } },
];
const forward = (port: number | Uint8Array): p4.v1.ITableAction => ({
  action: {
    actionId: ids.action('forward'),
    params: [{ paramId: 1, value: port instanceof Uint8Array ? port : bytes(port) }],
  },
});
const exactEntry = (dst: bigint, port: number, extra: Partial<p4.v1.ITableEntry> = {}): p4.v1.IEntity => ({
  tableEntry: { tableId: ids.table('exact_t'), match: exactKey(dst), action: forward(port), ...extra },
});

async function expectError(
  type: p4.v1.Update.Type,
  entity: p4.v1.IEntity,
  code: grpc.status,
  ...fragments: (string | RegExp)[]
): Promise<void> {
  const r = await writeUpdates(t.stub, type, [entity]);
  expect(r.code).toBe(grpc.status.UNKNOWN);
  expect(r.errors).toHaveLength(1);
  const e = r.errors[0];
  expect(grpc.status[e.canonicalCode]).toBe(grpc.status[code]);
  for (const f of fragments) expect(e.message).toMatch(f);
  expect(e.space).toBe('ALL-sswitch-p4org');
}

function send(dst: bigint, fields: Parameters<typeof probeFrame>[1] = {}, src?: bigint) {
  return t.target.dataplane.process(1, probeFrame(dst, fields, src));
}

describe('exact table entries', () => {
  it('inserts, forwards, reads back canonically with its metadata, modifies and deletes', async () => {
    const inserted = await writeUpdates(t.stub, UpdateType.INSERT, [
      exactEntry(mac(1), 3, { controllerMetadata: 77, metadata: new Uint8Array([1, 2, 3]) }),
    ]);
    expect(inserted.code).toBe(grpc.status.OK);
    expect(send(mac(1)).map((o) => o.port)).toEqual([3]);

    const r = await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }]);
    expect(r.entities).toHaveLength(1);
    const e = r.entities[0].tableEntry!;
    expect(hex(e.match?.[0].exact?.value)).toBe('020000000001');
    expect(e.action?.action?.actionId).toBe(ids.action('forward'));
    expect(hex(e.action?.action?.params?.[0].value)).toBe('03');
    expect(toNumber(e.controllerMetadata)).toBe(77);
    expect(hex(e.metadata)).toBe('010203');
    expect(e.priority).toBe(0);

    expect((await writeUpdates(t.stub, UpdateType.MODIFY, [exactEntry(mac(1), 6)])).code).toBe(
      grpc.status.OK,
    );
    expect(send(mac(1)).map((o) => o.port)).toEqual([6]);
    expect(
      (
        await writeUpdates(t.stub, UpdateType.DELETE, [
          { tableEntry: { tableId: ids.table('exact_t'), match: exactKey(mac(1)) } },
        ])
      ).code,
    ).toBe(grpc.status.OK);
    expect(send(mac(1))).toEqual([]);
    expect((await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities).toHaveLength(
      0,
    );
  });

  it('accepts non-canonical bytestrings that fit (leading zeros, short values) and reads them back canonical', async () => {
    const padded = new Uint8Array([0, 0, ...bytes(mac(9), 6)]);
    const r = await writeUpdates(t.stub, UpdateType.INSERT, [
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: exactKey(padded),
          action: forward(new Uint8Array([0, 0, 0, 2])),
        },
      },
    ]);
    expect(r.code).toBe(grpc.status.OK);
    const e = (await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities[0]
      .tableEntry!;
    expect(hex(e.match?.[0].exact?.value)).toBe('020000000009');
    expect(hex(e.action?.action?.params?.[0].value)).toBe('02');
    // The same key written canonically is the same entry.
    await expectError(UpdateType.INSERT, exactEntry(mac(9), 2), grpc.status.ALREADY_EXISTS);
  });

  it('reads one entry by key, all tables with table_id 0, and nothing for an absent key', async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 1), exactEntry(mac(2), 2)]);
    const one = await read(t.stub, [
      { tableEntry: { tableId: ids.table('exact_t'), match: exactKey(mac(2)) } },
    ]);
    expect(one.entities.map((e) => hex(e.tableEntry?.action?.action?.params?.[0].value))).toEqual(['02']);
    const all = await read(t.stub, [{ tableEntry: {} }]);
    // Both entries written, plus the two const entries of const_entries_t.
    expect(all.entities.filter((e) => !e.tableEntry?.isConst)).toHaveLength(2);
    expect(all.entities).toHaveLength(4);
    const none = await read(t.stub, [
      { tableEntry: { tableId: ids.table('exact_t'), match: exactKey(mac(3)) } },
    ]);
    expect(none.code).toBe(grpc.status.OK);
    expect(none.entities).toHaveLength(0);
  });

  it('reports every update of a batch in order, applying those that succeed', async () => {
    const r = await writeUpdates(t.stub, UpdateType.INSERT, [
      exactEntry(mac(1), 1),
      exactEntry(mac(1), 2),
      exactEntry(mac(2), 2),
    ]);
    expect(r.code).toBe(grpc.status.UNKNOWN);
    expect(r.errors.map((e) => e.canonicalCode)).toEqual([
      grpc.status.OK,
      grpc.status.ALREADY_EXISTS,
      grpc.status.OK,
    ]);
    expect(r.errors[1].message).toContain("table 'MyIngress.exact_t'");
    expect((await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities).toHaveLength(
      2,
    );
  });
});

describe('refusals of table writes', () => {
  it('duplicate INSERT: ALREADY_EXISTS; MODIFY/DELETE of a missing entry: NOT_FOUND', async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 1)]);
    await expectError(
      UpdateType.INSERT,
      exactEntry(mac(1), 1),
      grpc.status.ALREADY_EXISTS,
      /^Match entry exists, use MODIFY/,
      /exact_t/,
    );
    await expectError(
      UpdateType.MODIFY,
      exactEntry(mac(5), 1),
      grpc.status.NOT_FOUND,
      /^Cannot find match entry/,
      /exact_t/,
    );
    await expectError(
      UpdateType.DELETE,
      exactEntry(mac(5), 1),
      grpc.status.NOT_FOUND,
      /^Cannot find match entry/,
    );
  });

  it('values wider than their field or parameter: INVALID_ARGUMENT naming it and the value', async () => {
    await expectError(
      UpdateType.INSERT,
      exactEntry(mac(1), 0x200),
      grpc.status.INVALID_ARGUMENT,
      /^Bytestring provided does not fit within 9 bits/,
      /parameter 'port'/,
      /0x0200/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: exactKey(new Uint8Array([1, 0, 0, 0, 0, 0, 1])),
          action: forward(1),
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /does not fit within 48 bits/,
      /match field 'hdr\.ethernet\.dstAddr'/,
      /table 'MyIngress\.exact_t'/,
    );
  });

  it('unknown ids, wrong actions and malformed keys: INVALID_ARGUMENT', async () => {
    await expectError(
      UpdateType.INSERT,
      { tableEntry: { tableId: 0x02ffffff, match: exactKey(1n), action: forward(1) } },
      grpc.status.INVALID_ARGUMENT,
      /^Invalid P4 id/,
    );
    await expectError(
      UpdateType.INSERT,
      { tableEntry: { tableId: ids.action('forward'), match: exactKey(1n), action: forward(1) } },
      grpc.status.INVALID_ARGUMENT,
      /^Invalid P4 id/,
      /'MyIngress\.forward'/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: exactKey(1n),
          action: { action: { actionId: ids.action('set_lpm'), params: [{ paramId: 1, value: bytes(1) }] } },
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Invalid action for table/,
      /set_lpm/,
    );
    await expectError(
      UpdateType.INSERT,
      { tableEntry: { tableId: ids.table('exact_t'), match: [], action: forward(1) } },
      grpc.status.INVALID_ARGUMENT,
      /^Missing non-ternary field in match key/,
      /dstAddr/,
    );
    // PI checks the table's own fields first: a lone unknown field shows up as the missing one.
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [{ fieldId: 9, exact: { value: bytes(1) } }],
          action: forward(1),
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Missing non-ternary field in match key/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [...exactKey(1n), { fieldId: 9, exact: { value: bytes(1) } }],
          action: forward(1),
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Too many fields in match key/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('mixed_t'),
          priority: 1,
          match: [
            { fieldId: 1, ternary: { value: bytes(1), mask: bytes(1) } },
            { fieldId: 9, exact: { value: bytes(1) } },
          ],
          action: {
            action: { actionId: ids.action('set_mixed'), params: [{ paramId: 1, value: bytes(1) }] },
          },
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Unknown field in match key: table 'MyIngress\.mixed_t': there is no match field with id 9/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [{ fieldId: 1, lpm: { value: bytes(1), prefixLen: 8 } }],
          action: forward(1),
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Invalid match type/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: exactKey(1n),
          action: { action: { actionId: ids.action('forward') } },
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Unexpected number of action parameters/,
    );
    await expectError(
      UpdateType.INSERT,
      { tableEntry: { tableId: ids.table('exact_t'), match: exactKey(1n) } },
      grpc.status.INVALID_ARGUMENT,
      /^'action' field must be set/,
    );
    await expectError(
      UpdateType.UNSPECIFIED,
      exactEntry(mac(1), 1),
      grpc.status.INVALID_ARGUMENT,
      /^Update type is not set/,
    );
    await expectError(
      UpdateType.INSERT,
      exactEntry(mac(1), 1, { timeSinceLastHit: {} }),
      grpc.status.INVALID_ARGUMENT,
      /^has_time_since_last_hit must not be set/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('lpm_t'),
          match: [{ fieldId: 1, lpm: { value: bytes(0x0a000000), prefixLen: 8 } }],
          action: { action: { actionId: ids.action('set_lpm'), params: [{ paramId: 1, value: bytes(1) }] } },
          counterData: {},
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Table has no direct counters/,
    );
  });

  it('priorities: required with ternary/range/optional fields, refused without', async () => {
    const mixed = (priority: number, match: p4.v1.IFieldMatch[]): p4.v1.IEntity => ({
      tableEntry: {
        tableId: ids.table('mixed_t'),
        priority,
        match,
        action: { action: { actionId: ids.action('set_mixed'), params: [{ paramId: 1, value: bytes(1) }] } },
      },
    });
    await expectError(
      UpdateType.INSERT,
      mixed(0, [{ fieldId: 1, ternary: { value: bytes(1), mask: bytes(0xff) } }]),
      grpc.status.INVALID_ARGUMENT,
      /^Zero priority for ternary match/,
    );
    await expectError(
      UpdateType.INSERT,
      exactEntry(mac(1), 1, { priority: 5 }),
      grpc.status.INVALID_ARGUMENT,
      /^Non-zero priority for non-ternary match/,
      /exact_t/,
    );
    await expectError(
      UpdateType.INSERT,
      mixed(1, [{ fieldId: 1, ternary: { value: bytes(0x0f), mask: bytes(0x0e) } }]),
      grpc.status.INVALID_ARGUMENT,
      /^Invalid ternary value, make sure value & mask == value/,
      /hdr\.probe\.k16/,
    );
    await expectError(
      UpdateType.INSERT,
      mixed(1, [{ fieldId: 1, ternary: { value: bytes(0), mask: bytes(0) } }]),
      grpc.status.INVALID_ARGUMENT,
      /don't care' ternary match/,
    );
    await expectError(
      UpdateType.INSERT,
      mixed(1, [{ fieldId: 2, range: { low: bytes(9), high: bytes(3) } }]),
      grpc.status.INVALID_ARGUMENT,
      /^Invalid range value, make sure low <= high/,
    );
    await expectError(
      UpdateType.INSERT,
      mixed(1, [{ fieldId: 2, range: { low: bytes(0), high: bytes(255) } }]),
      grpc.status.INVALID_ARGUMENT,
      /don't care' range match/,
    );
  });

  it('LPM: prefix length bounds and trailing zeros', async () => {
    const lpm = (value: number, prefixLen: number): p4.v1.IEntity => ({
      tableEntry: {
        tableId: ids.table('lpm_t'),
        match: [{ fieldId: 1, lpm: { value: bytes(value), prefixLen } }],
        action: { action: { actionId: ids.action('set_lpm'), params: [{ paramId: 1, value: bytes(1) }] } },
      },
    });
    await expectError(
      UpdateType.INSERT,
      lpm(0x0a000001, 24),
      grpc.status.INVALID_ARGUMENT,
      /^Invalid LPM value, incorrect number of trailing zeros/,
      /0x0a000001\/24/,
    );
    await expectError(UpdateType.INSERT, lpm(0, 0), grpc.status.INVALID_ARGUMENT, /don't care' LPM match/);
    await expectError(
      UpdateType.INSERT,
      lpm(0x0a000000, 33),
      grpc.status.INVALID_ARGUMENT,
      /^Prefix length cannot be > bitwidth/,
    );
    await expectError(
      UpdateType.INSERT,
      lpm(0x0a000000, -1),
      grpc.status.INVALID_ARGUMENT,
      /^Prefix length cannot be < 0/,
    );
  });

  it('default entries: INSERT and DELETE refused, const default PERMISSION_DENIED, DEFAULT_ONLY actions enforced', async () => {
    const def = (tableName: string, action?: p4.v1.ITableAction): p4.v1.IEntity => ({
      tableEntry: { tableId: ids.table(tableName), isDefaultAction: true, action },
    });
    await expectError(
      UpdateType.INSERT,
      def('exact_t', forward(1)),
      grpc.status.INVALID_ARGUMENT,
      /^Cannot use INSERT for default entry/,
    );
    await expectError(
      UpdateType.DELETE,
      def('exact_t'),
      grpc.status.INVALID_ARGUMENT,
      /^Cannot use DELETE for default entry/,
    );
    await expectError(
      UpdateType.MODIFY,
      def('const_default_t', {
        action: { actionId: ids.action('set_const'), params: [{ paramId: 1, value: bytes(9) }] },
      }),
      grpc.status.PERMISSION_DENIED,
      /const default action/,
      /const_default_t/,
    );
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('mixed_t'),
          priority: 1,
          match: [{ fieldId: 1, ternary: { value: bytes(1), mask: bytes(1) } }],
          action: { action: { actionId: ids.action('mixed_default') } },
        },
      },
      grpc.status.PERMISSION_DENIED,
      /^Cannot use DEFAULT_ONLY action in table entry/,
    );
    await expectError(
      UpdateType.MODIFY,
      def('profile_t', { actionProfileMemberId: 1 }),
      grpc.status.INVALID_ARGUMENT,
      /^Cannot set \/ reset default action for indirect table/,
    );
  });

  it('refuses atomic batches (UNIMPLEMENTED) and empty entities (UNKNOWN)', async () => {
    const atomic = await write(t.stub, {
      atomicity: p4.v1.WriteRequest.Atomicity.ROLLBACK_ON_ERROR,
      updates: [{ type: UpdateType.INSERT, entity: exactEntry(mac(1), 1) }],
    });
    expect(atomic.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(atomic.message).toContain('atomic write modes');
    await expectError(UpdateType.INSERT, {}, grpc.status.UNKNOWN, /^Incorrect entity type/);
  });
});

describe('default entries', () => {
  it('modifies, reads and resets the default action', async () => {
    const readDefault = async () =>
      (await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true } }]))
        .entities[0].tableEntry!;
    expect((await readDefault()).action?.action?.actionId).toBe(ids.action('drop'));
    expect(send(mac(4))).toEqual([]);
    const set = await writeUpdates(t.stub, UpdateType.MODIFY, [
      { tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true, action: forward(7) } },
    ]);
    expect(set.code).toBe(grpc.status.OK);
    expect(send(mac(4)).map((o) => o.port)).toEqual([7]);
    const d = await readDefault();
    expect(d.isDefaultAction).toBe(true);
    expect(d.action?.action?.actionId).toBe(ids.action('forward'));
    expect(hex(d.action?.action?.params?.[0].value)).toBe('07');
    await writeUpdates(t.stub, UpdateType.MODIFY, [
      { tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true } },
    ]);
    expect((await readDefault()).action?.action?.actionId).toBe(ids.action('drop'));
    expect(send(mac(4))).toEqual([]);
  });

  it('applies the const default action of the program', async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 2)]);
    const [out] = send(mac(1), { k8: 1 });
    expect(parseProbe(out.frame).const_v).toBe(7);
  });
});

describe('match kinds on the data plane', () => {
  beforeEach(async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 2)]);
  });

  it('LPM: longest prefix wins; reads return value and prefix length', async () => {
    const lpm = (value: number, prefixLen: number, v: number): p4.v1.IEntity => ({
      tableEntry: {
        tableId: ids.table('lpm_t'),
        match: [{ fieldId: 1, lpm: { value: bytes(value), prefixLen } }],
        action: { action: { actionId: ids.action('set_lpm'), params: [{ paramId: 1, value: bytes(v) }] } },
      },
    });
    expect(
      (await writeUpdates(t.stub, UpdateType.INSERT, [lpm(0x0a000000, 8, 1), lpm(0x0a010000, 16, 2)])).code,
    ).toBe(grpc.status.OK);
    expect(parseProbe(send(mac(1), { k32: 0x0a010203 })[0].frame).lpm_v).toBe(2);
    expect(parseProbe(send(mac(1), { k32: 0x0a020203 })[0].frame).lpm_v).toBe(1);
    expect(parseProbe(send(mac(1), { k32: 0x0b000000 })[0].frame).lpm_v).toBe(0);
    const r = await read(t.stub, [{ tableEntry: { tableId: ids.table('lpm_t') } }]);
    const prefixes = r.entities.map(
      (e) => `${hex(e.tableEntry?.match?.[0].lpm?.value)}/${e.tableEntry?.match?.[0].lpm?.prefixLen}`,
    );
    expect(prefixes.sort()).toEqual(['0a000000/8', '0a010000/16']);
  });

  it('ternary + range + optional: priority decides, omitted fields are wildcards and stay omitted on read', async () => {
    const entry = (priority: number, match: p4.v1.IFieldMatch[], v: number): p4.v1.IEntity => ({
      tableEntry: {
        tableId: ids.table('mixed_t'),
        priority,
        match,
        action: { action: { actionId: ids.action('set_mixed'), params: [{ paramId: 1, value: bytes(v) }] } },
      },
    });
    const r = await writeUpdates(t.stub, UpdateType.INSERT, [
      entry(10, [{ fieldId: 1, ternary: { value: bytes(0x1200), mask: bytes(0xff00) } }], 1),
      entry(20, [{ fieldId: 2, range: { low: bytes(10), high: bytes(20) } }], 2),
      entry(30, [{ fieldId: 3, optional: { value: bytes(mac(0xbb)) } }], 3),
    ]);
    expect(r.code).toBe(grpc.status.OK);
    expect(parseProbe(send(mac(1), { k16: 0x1234, k8: 1 })[0].frame).mixed_v).toBe(1);
    expect(parseProbe(send(mac(1), { k16: 0x1234, k8: 15 })[0].frame).mixed_v).toBe(2);
    expect(parseProbe(send(mac(1), { k16: 0x1234, k8: 15 }, mac(0xbb))[0].frame).mixed_v).toBe(3);
    expect(parseProbe(send(mac(1), { k16: 0x5555, k8: 1 })[0].frame).mixed_v).toBe(0xdefa);
    const entries = (await read(t.stub, [{ tableEntry: { tableId: ids.table('mixed_t') } }])).entities.map(
      (e) => e.tableEntry!,
    );
    const byPriority = new Map(entries.map((e) => [e.priority, e]));
    expect(byPriority.get(10)?.match?.map((m) => m.fieldId)).toEqual([1]);
    expect(hex(byPriority.get(10)?.match?.[0].ternary?.mask)).toBe('ff00');
    expect(byPriority.get(20)?.match?.map((m) => [m.fieldId, hex(m.range?.low), hex(m.range?.high)])).toEqual(
      [[2, '0a', '14']],
    );
    expect(byPriority.get(30)?.match?.map((m) => [m.fieldId, hex(m.optional?.value)])).toEqual([
      [3, '0200000000bb'],
    ]);
  });
});

describe('direct counters and meters through table entries', () => {
  it('counts hits, reads them with counter_data, writes and resets them', async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 2)]);
    send(mac(1));
    send(mac(1));
    const withCounters = await read(t.stub, [
      { tableEntry: { tableId: ids.table('exact_t'), counterData: {} } },
    ]);
    const data = withCounters.entities[0].tableEntry?.counterData;
    expect(toNumber(data?.packetCount)).toBe(2);
    expect(toNumber(data?.byteCount)).toBe(2 * probeFrame(mac(1), {}).length);
    const plain = await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }]);
    expect(plain.entities[0].tableEntry?.counterData).toBeNull();

    const directEntry = { tableId: ids.table('exact_t'), match: exactKey(mac(1)) };
    const set = await writeUpdates(t.stub, UpdateType.MODIFY, [
      { directCounterEntry: { tableEntry: directEntry, data: { packetCount: 100, byteCount: 5000 } } },
    ]);
    expect(set.code).toBe(grpc.status.OK);
    const direct = await read(t.stub, [{ directCounterEntry: { tableEntry: directEntry } }]);
    expect(toNumber(direct.entities[0].directCounterEntry?.data?.packetCount)).toBe(100);
    expect(toNumber(direct.entities[0].directCounterEntry?.data?.byteCount)).toBe(5000);
    const wildcard = await read(t.stub, [
      { directCounterEntry: { tableEntry: { tableId: ids.table('exact_t') } } },
    ]);
    expect(wildcard.entities).toHaveLength(1);
    expect(hex(wildcard.entities[0].directCounterEntry?.tableEntry?.match?.[0].exact?.value)).toBe(
      '020000000001',
    );
    await writeUpdates(t.stub, UpdateType.DELETE, [{ directCounterEntry: { tableEntry: directEntry } }]);
    const reset = await read(t.stub, [{ directCounterEntry: { tableEntry: directEntry } }]);
    expect(toNumber(reset.entities[0].directCounterEntry?.data?.packetCount)).toBe(0);

    await expectError(
      UpdateType.MODIFY,
      {
        directCounterEntry: {
          tableEntry: { tableId: ids.table('exact_t'), match: exactKey(mac(9)) },
          data: {},
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^Cannot map table entry to handle/,
    );
    await expectError(
      UpdateType.INSERT,
      { directCounterEntry: { tableEntry: directEntry, data: {} } },
      grpc.status.INVALID_ARGUMENT,
      /^INSERT update type not supported for counters/,
    );
    await expectError(
      UpdateType.MODIFY,
      {
        directCounterEntry: {
          tableEntry: { tableId: ids.table('exact_t'), isDefaultAction: true },
          data: {},
        },
      },
      grpc.status.UNKNOWN,
      /^Error when writing to direct counter/,
    );
    const all = await read(t.stub, [{ directCounterEntry: { tableEntry: {} } }]);
    expect(all.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('configures a direct meter with the entry and through DirectMeterEntry', async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 2)]);
    const key = {
      tableId: ids.table('lpm_t'),
      match: [{ fieldId: 1, lpm: { value: bytes(0x0a000000), prefixLen: 8 } }],
    };
    const setLpm = { action: { actionId: ids.action('set_lpm'), params: [{ paramId: 1, value: bytes(1) }] } };
    // cir 0 / pir 0 with bursts of 1 packet: the first packet is green, the next ones red.
    const config = { cir: 0, cburst: 1, pir: 0, pburst: 1 };
    const ins = await writeUpdates(t.stub, UpdateType.INSERT, [
      { tableEntry: { ...key, action: setLpm, meterConfig: config } },
    ]);
    expect(ins.code).toBe(grpc.status.OK);
    const colors = [0, 1, 2].map(() => parseProbe(send(mac(1), { k32: 0x0a000001 })[0].frame).lpm_color);
    expect(colors).toEqual([0, 2, 2]);
    const read1 = await read(t.stub, [{ directMeterEntry: { tableEntry: key } }]);
    expect(toNumber(read1.entities[0].directMeterEntry?.config?.cburst)).toBe(1);
    const withMeter = await read(t.stub, [{ tableEntry: { tableId: ids.table('lpm_t'), meterConfig: {} } }]);
    expect(toNumber(withMeter.entities[0].tableEntry?.meterConfig?.pburst)).toBe(1);
    // MODIFY without config resets the meter: everything green, config absent on read.
    await writeUpdates(t.stub, UpdateType.MODIFY, [{ directMeterEntry: { tableEntry: key } }]);
    expect(parseProbe(send(mac(1), { k32: 0x0a000001 })[0].frame).lpm_color).toBe(0);
    expect(
      (await read(t.stub, [{ directMeterEntry: { tableEntry: key } }])).entities[0].directMeterEntry?.config,
    ).toBeNull();
    await expectError(
      UpdateType.MODIFY,
      { directMeterEntry: { tableEntry: key, config: { cir: -5 } } },
      grpc.status.INVALID_ARGUMENT,
      /^Negative meter CIR/,
    );
    await expectError(
      UpdateType.DELETE,
      { directMeterEntry: { tableEntry: key } },
      grpc.status.INVALID_ARGUMENT,
      /^DELETE update type not supported for meters/,
    );
  });
});

describe('idle timeout metadata', () => {
  it('stores idle_timeout_ns, reports time_since_last_hit and refuses it on other tables', async () => {
    const ttl = 5_000_000_000;
    expect(
      (await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 2, { idleTimeoutNs: ttl })])).code,
    ).toBe(grpc.status.OK);
    const r = await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t'), timeSinceLastHit: {} } }]);
    const e = r.entities[0].tableEntry!;
    expect(toNumber(e.idleTimeoutNs)).toBe(ttl);
    const elapsed = toNumber(e.timeSinceLastHit?.elapsedNs);
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(elapsed).toBeLessThan(ttl);
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId: ids.table('lpm_t'),
          match: [{ fieldId: 1, lpm: { value: bytes(0x0a000000), prefixLen: 8 } }],
          action: { action: { actionId: ids.action('lpm_miss') } },
          idleTimeoutNs: 1000,
        },
      },
      grpc.status.INVALID_ARGUMENT,
      /^idle_timeout_ns must be set to 0 for tables which do not support idle timeout/,
    );
    const refused = await read(t.stub, [
      { tableEntry: { tableId: ids.table('lpm_t'), timeSinceLastHit: {} } },
    ]);
    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(refused.message).toContain('time_since_last_hit');
  });
});

describe('entries declared in the program (const entries)', () => {
  const key = (value: number, mask: number): p4.v1.IFieldMatch[] => [
    { fieldId: 1, ternary: { value: bytes(value), mask: bytes(mask) } },
  ];

  it('reads them (wildcard and by key) marked is_const, applies them, refuses writes', async () => {
    await writeUpdates(t.stub, UpdateType.INSERT, [exactEntry(mac(1), 2)]);
    const tableId = ids.table('const_entries_t');
    const all = await read(t.stub, [{ tableEntry: { tableId } }]);
    expect(all.entities).toHaveLength(2);
    expect(all.entities.every((e) => e.tableEntry?.isConst)).toBe(true);
    const masks = all.entities.map((e) => hex(e.tableEntry?.match?.[0].ternary?.mask));
    expect(masks.sort()).toEqual(['f0', 'ff']);
    const exactOne = all.entities.find((e) => hex(e.tableEntry?.match?.[0].ternary?.mask) === 'ff')!
      .tableEntry!;
    expect(exactOne.priority).toBeGreaterThan(0);
    const byKey = await read(t.stub, [
      { tableEntry: { tableId, match: key(0x12, 0xff), priority: exactOne.priority } },
    ]);
    expect(byKey.entities.map((e) => hex(e.tableEntry?.action?.action?.params?.[0].value))).toEqual(['02']);
    // Const entries are matched in program order: the first (0x12/0xff) has the highest priority.
    expect(parseProbe(send(mac(1), { k8: 0x12 })[0].frame).const_entry_v).toBe(2);
    expect(parseProbe(send(mac(1), { k8: 0x15 })[0].frame).const_entry_v).toBe(1);
    expect(parseProbe(send(mac(1), { k8: 0x25 })[0].frame).const_entry_v).toBe(0);
    await expectError(
      UpdateType.INSERT,
      {
        tableEntry: {
          tableId,
          priority: 1,
          match: key(0x20, 0xff),
          action: {
            action: { actionId: ids.action('set_const_entry'), params: [{ paramId: 1, value: bytes(3) }] },
          },
        },
      },
      grpc.status.UNKNOWN,
      /^Error when adding match entry to target/,
    );
  });
});

describe('read errors', () => {
  it('stops at the first bad entity with its status', async () => {
    const r = await read(t.stub, [
      { tableEntry: { tableId: ids.table('exact_t') } },
      { tableEntry: { tableId: 0x02abcdef } },
    ]);
    expect(r.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.message).toMatch(/^Invalid P4 id/);
  });
});
