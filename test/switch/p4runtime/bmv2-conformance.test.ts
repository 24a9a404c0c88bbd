// Differential test against real bmv2: the same P4Runtime session (server_all program) is played
// against simple_switch_grpc and against the embedded target, and every outcome is compared: status
// codes, per-update canonical codes, messages (ours must start with PI's text), read results, and
// what the stream and the dataplane deliver. Runs when simple_switch_grpc is on PATH.
import { spawnSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import {
  createP4RuntimeStub,
  type P4RuntimeStub,
  p4ErrorsFromStatus,
  statusFromMetadata,
} from 'p4runtime-ts-grpc/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataplaneClient } from '../../../src/packet-io/client.js';
import { type RunningTarget, startTarget } from '../../scenarios/harness/target.js';
import {
  bytes,
  ethernet,
  fixtureDeviceConfig,
  fixtureP4Info,
  Ids,
  mac,
  p4,
  probeFrame,
  TYPE_LEARN,
  uint128,
} from './helpers.js';

const HAVE_BMV2 = spawnSync('sh', ['-c', 'command -v simple_switch_grpc'], { encoding: 'utf8' }).status === 0;

/** One observed outcome: a status (code + message) and, for reads, the entities as protobuf JSON. */
interface Outcome {
  readonly code: string;
  readonly message: string;
  readonly updates?: readonly { code: string; message: string }[];
  readonly data?: unknown;
}

type Step = (s: Session) => Promise<Outcome>;

class Session {
  readonly stub: P4RuntimeStub;
  readonly ids: Ids;
  readonly p4info = fixtureP4Info('server_all');
  readonly received: p4.v1.StreamMessageResponse[] = [];
  private stream:
    | grpc.ClientDuplexStream<p4.v1.IStreamMessageRequest, p4.v1.StreamMessageResponse>
    | undefined;
  dataplane: DataplaneClient | undefined;

  constructor(readonly target: RunningTarget) {
    this.stub = createP4RuntimeStub(target.p4runtimeAddress, grpc.credentials.createInsecure());
    this.ids = new Ids(this.p4info);
  }

  /** Opens the primary's StreamChannel (once the server answers) and waits for the arbitration reply. */
  async becomePrimary(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stub.waitForReady(Date.now() + 20_000, (e) => (e ? reject(e) : resolve())),
    );
    this.stream = this.stub.streamChannel(new grpc.Metadata());
    this.stream.on('data', (m: p4.v1.StreamMessageResponse) => this.received.push(m));
    this.stream.on('error', () => {});
    this.stream.write({ arbitration: { deviceId: 1, electionId: uint128(10n) } });
    await until(() => this.received.some((m) => m.arbitration), 'the arbitration reply', [this.stream]);
  }

  get primary(): grpc.ClientDuplexStream<p4.v1.IStreamMessageRequest, p4.v1.StreamMessageResponse> {
    if (!this.stream) throw new Error('no stream: call becomePrimary first');
    return this.stream;
  }

  unary<T>(fn: (cb: grpc.requestCallback<T>) => void): Promise<Outcome> {
    return new Promise((resolve) =>
      fn((error) => {
        if (!error) return resolve({ code: 'OK', message: '' });
        const status = statusFromMetadata(error.metadata);
        const updates = status
          ? p4ErrorsFromStatus(status).map((e) => ({
              code: grpc.status[e.canonicalCode],
              message: e.message,
            }))
          : undefined;
        resolve({ code: grpc.status[error.code], message: error.details, updates });
      }),
    );
  }

  write(type: p4.v1.Update.Type, ...entities: p4.v1.IEntity[]): Promise<Outcome> {
    const request = {
      deviceId: 1,
      electionId: uint128(10n),
      updates: entities.map((entity) => ({ type, entity })),
    };
    return this.unary((cb) => this.stub.write(request, new grpc.Metadata(), {}, cb));
  }

  read(...entities: p4.v1.IEntity[]): Promise<Outcome> {
    return new Promise((resolve) => {
      const data: unknown[] = [];
      const call = this.stub.read({ deviceId: 1, entities }, new grpc.Metadata());
      call.on('data', (r: p4.v1.ReadResponse) => {
        for (const e of r.entities)
          data.push(normalizeEntity(p4.v1.Entity.toObject(p4.v1.Entity.fromObject(e), JSON_OPTIONS)));
      });
      call.on('error', (e: grpc.ServiceError) =>
        resolve({ code: grpc.status[e.code], message: e.details, data }),
      );
      call.on('end', () => resolve({ code: 'OK', message: '', data }));
    });
  }

  /**
   * Another controller joins with `electionId`: what it and the first controller are told. The
   * joiner always gets one arbitration reply; the first controller gets `toFirst` messages (P4Runtime
   * 1.3 section 5: every controller is told when the primary changes, only the joiner otherwise).
   */
  async join(electionId: bigint, toFirst: number): Promise<Outcome> {
    const other = this.stub.streamChannel(new grpc.Metadata());
    const got: p4.v1.StreamMessageResponse[] = [];
    other.on('data', (m: p4.v1.StreamMessageResponse) => got.push(m));
    other.on('error', () => {});
    other.write({ arbitration: { deviceId: 1, electionId: uint128(electionId) } });
    await until(
      () => got.length >= 1 && this.received.length >= toFirst,
      `the joiner's reply and ${toFirst} message(s) to the first controller`,
      [other, this.primary],
    );
    const json = (m: p4.v1.StreamMessageResponse) => p4.v1.StreamMessageResponse.toObject(m, JSON_OPTIONS);
    const data = { joiner: got.map(json), first: this.drain() };
    this.others.push(other);
    return { code: 'OK', message: '', data };
  }

  private readonly others: grpc.ClientDuplexStream<
    p4.v1.IStreamMessageRequest,
    p4.v1.StreamMessageResponse
  >[] = [];

  /** Stream messages received so far (timestamps removed), then forgotten. */
  drain(): unknown[] {
    return this.received.splice(0).map((m) => {
      const o = p4.v1.StreamMessageResponse.toObject(m, JSON_OPTIONS) as Record<
        string,
        Record<string, unknown>
      >;
      if (o.digest) delete o.digest.timestamp;
      if (o.idleTimeoutNotification) delete o.idleTimeoutNotification.timestamp;
      return o;
    });
  }

  async close(): Promise<void> {
    this.dataplane?.close();
    for (const o of this.others) o.end();
    this.stream?.end();
    this.stub.close();
    await this.target.stop();
  }
}

const JSON_OPTIONS = { bytes: String, longs: String, enums: String };

/** Removes what the P4Runtime spec lets servers order or mark differently (replica order, is_const). */
function normalizeEntity(e: Record<string, unknown>): unknown {
  const json = JSON.parse(JSON.stringify(e)) as Record<string, Record<string, Record<string, unknown>>>;
  delete json.tableEntry?.isConst;
  const group = json.packetReplicationEngineEntry?.multicastGroupEntry as
    | { replicas?: unknown[] }
    | undefined;
  group?.replicas?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return json;
}

/**
 * Waits until `condition` holds, asked again whenever one of `streams` delivers a message (nothing
 * else changes what it looks at). Fails at once when one of them fails, and after a generous
 * minute (a safety net only a silent target reaches), naming what never came.
 */
function until(
  condition: () => boolean,
  what: string,
  streams: readonly NodeJS.EventEmitter[],
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      clearTimeout(bound);
      for (const s of streams) {
        s.off('data', check);
        s.off('error', failed);
      }
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (condition()) finish();
    };
    const failed = (e: Error) => finish(new Error(`${what} did not come: the stream failed: ${e.message}`));
    const bound = setTimeout(
      () => finish(new Error(`${what} did not come within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // Added after the listeners that record messages, so a message is recorded before it is checked.
    for (const s of streams) {
      s.on('data', check);
      s.on('error', failed);
    }
    check();
  });
}

/** The session both targets go through, step by step. */
function steps(): [string, Step][] {
  const te = (s: Session, table: string, x: Partial<p4.v1.ITableEntry>): p4.v1.IEntity => ({
    tableEntry: { tableId: s.ids.table(table), ...x },
  });
  const act = (s: Session, action: string, ...params: (number | bigint)[]): p4.v1.ITableAction => ({
    action: {
      actionId: s.ids.action(action),
      params: params.map((v, i) => ({ paramId: i + 1, value: bytes(v) })),
    },
  });
  const exact = (dst: bigint | Uint8Array): p4.v1.IFieldMatch[] => [
    { fieldId: 1, exact: { value: dst instanceof Uint8Array ? dst : bytes(dst) } },
  ];
  const lpm = (value: number, prefixLen: number): p4.v1.IFieldMatch[] => [
    { fieldId: 1, lpm: { value: bytes(value), prefixLen } },
  ];
  const member = (s: Session, id: number, port: number): p4.v1.IEntity => ({
    actionProfileMember: {
      actionProfileId: s.ids.actionProfile('port_selector'),
      memberId: id,
      action: act(s, 'select_port', port).action,
    },
  });
  const group = (s: Session, id: number, members: [number, number][], maxSize = 0): p4.v1.IEntity => ({
    actionProfileGroup: {
      actionProfileId: s.ids.actionProfile('port_selector'),
      groupId: id,
      maxSize,
      members: members.map(([memberId, weight]) => ({ memberId, weight })),
    },
  });
  const meter = (s: Session, index: number, config?: p4.v1.IMeterConfig): p4.v1.IEntity => ({
    meterEntry: { meterId: s.ids.meter('probe_meter'), index: { index }, config },
  });
  const { INSERT, MODIFY, DELETE, UNSPECIFIED } = p4.v1.Update.Type;
  return [
    [
      'exact insert',
      (s) =>
        s.write(
          INSERT,
          te(s, 'exact_t', {
            match: exact(mac(1)),
            action: act(s, 'forward', 2),
            idleTimeoutNs: 60e9,
            controllerMetadata: 5,
            metadata: new Uint8Array([7]),
          }),
        ),
    ],
    [
      'to CPU',
      (s) => s.write(INSERT, te(s, 'exact_t', { match: exact(mac(7)), action: act(s, 'send_to_cpu', 5) })),
    ],
    [
      'duplicate',
      (s) => s.write(INSERT, te(s, 'exact_t', { match: exact(mac(1)), action: act(s, 'forward', 2) })),
    ],
    [
      'modify missing',
      (s) => s.write(MODIFY, te(s, 'exact_t', { match: exact(mac(5)), action: act(s, 'forward', 2) })),
    ],
    ['delete missing', (s) => s.write(DELETE, te(s, 'exact_t', { match: exact(mac(5)) }))],
    [
      'param too wide',
      (s) => s.write(INSERT, te(s, 'exact_t', { match: exact(mac(2)), action: act(s, 'forward', 0x200) })),
    ],
    [
      'key too wide',
      (s) =>
        s.write(
          INSERT,
          te(s, 'exact_t', {
            match: exact(new Uint8Array([1, 0, 0, 0, 0, 0, 1])),
            action: act(s, 'forward', 1),
          }),
        ),
    ],
    [
      'padded key',
      (s) =>
        s.write(
          INSERT,
          te(s, 'exact_t', {
            match: exact(new Uint8Array([0, 0, ...bytes(mac(9), 6)])),
            action: act(s, 'forward', 3),
          }),
        ),
    ],
    [
      'bad table id',
      (s) =>
        s.write(INSERT, {
          tableEntry: { tableId: 0x02ffffff, match: exact(1n), action: act(s, 'forward', 1) },
        }),
    ],
    ['missing exact', (s) => s.write(INSERT, te(s, 'exact_t', { action: act(s, 'forward', 1) }))],
    [
      'unknown field',
      (s) =>
        s.write(
          INSERT,
          te(s, 'exact_t', {
            match: [{ fieldId: 9, exact: { value: bytes(1) } }],
            action: act(s, 'forward', 1),
          }),
        ),
    ],
    [
      'wrong match type',
      (s) => s.write(INSERT, te(s, 'exact_t', { match: lpm(1, 8), action: act(s, 'forward', 1) })),
    ],
    ['no action', (s) => s.write(INSERT, te(s, 'exact_t', { match: exact(mac(3)) }))],
    [
      'unspecified',
      (s) => s.write(UNSPECIFIED, te(s, 'exact_t', { match: exact(mac(3)), action: act(s, 'forward', 1) })),
    ],
    [
      'priority on exact',
      (s) =>
        s.write(
          INSERT,
          te(s, 'exact_t', { match: exact(mac(3)), action: act(s, 'forward', 1), priority: 3 }),
        ),
    ],
    [
      'lpm trailing bits',
      (s) => s.write(INSERT, te(s, 'lpm_t', { match: lpm(0x0a000001, 24), action: act(s, 'lpm_miss') })),
    ],
    [
      'lpm with meter',
      (s) =>
        s.write(
          INSERT,
          te(s, 'lpm_t', {
            match: lpm(0x0a000000, 8),
            action: act(s, 'set_lpm', 1),
            meterConfig: { cir: 0, cburst: 1, pir: 0, pburst: 1 },
          }),
        ),
    ],
    [
      'zero priority',
      (s) =>
        s.write(
          INSERT,
          te(s, 'mixed_t', {
            match: [{ fieldId: 1, ternary: { value: bytes(1), mask: bytes(0xff) } }],
            action: act(s, 'set_mixed', 1),
          }),
        ),
    ],
    [
      'mixed insert',
      (s) =>
        s.write(
          INSERT,
          te(s, 'mixed_t', {
            priority: 9,
            match: [
              { fieldId: 2, range: { low: bytes(10), high: bytes(20) } },
              { fieldId: 3, optional: { value: bytes(mac(0xbb)) } },
            ],
            action: act(s, 'set_mixed', 2),
          }),
        ),
    ],
    [
      'default-only in entry',
      (s) =>
        s.write(
          INSERT,
          te(s, 'mixed_t', {
            priority: 1,
            match: [{ fieldId: 1, ternary: { value: bytes(1), mask: bytes(1) } }],
            action: act(s, 'mixed_default'),
          }),
        ),
    ],
    [
      'const default',
      (s) =>
        s.write(MODIFY, te(s, 'const_default_t', { isDefaultAction: true, action: act(s, 'set_const', 9) })),
    ],
    [
      'default modify',
      (s) => s.write(MODIFY, te(s, 'exact_t', { isDefaultAction: true, action: act(s, 'forward', 6) })),
    ],
    [
      'idle on wrong table',
      (s) =>
        s.write(
          INSERT,
          te(s, 'lpm_t', { match: lpm(0x0b000000, 8), action: act(s, 'lpm_miss'), idleTimeoutNs: 1000 }),
        ),
    ],
    [
      'const entries insert',
      (s) =>
        s.write(
          INSERT,
          te(s, 'const_entries_t', {
            priority: 1,
            match: [{ fieldId: 1, ternary: { value: bytes(0x20), mask: bytes(0xff) } }],
            action: act(s, 'set_const_entry', 3),
          }),
        ),
    ],
    ['members', (s) => s.write(INSERT, member(s, 1, 4), member(s, 2, 5))],
    ['member duplicate', (s) => s.write(INSERT, member(s, 1, 4))],
    [
      'group',
      (s) =>
        s.write(
          INSERT,
          group(s, 10, [
            [2, 3],
            [1, 1],
          ]),
        ),
    ],
    ['group too big', (s) => s.write(INSERT, group(s, 11, [[1, 3]], 2))],
    ['group max_size change', (s) => s.write(MODIFY, group(s, 10, [[1, 1]], 8))],
    ['member in group delete', (s) => s.write(DELETE, member(s, 1, 4))],
    [
      'selector entry',
      (s) =>
        s.write(INSERT, te(s, 'selector_t', { match: exact(0x77n), action: { actionProfileGroupId: 10 } })),
    ],
    ['group in use delete', (s) => s.write(DELETE, group(s, 10, []))],
    [
      'one-shot mixed in',
      (s) =>
        s.write(
          INSERT,
          te(s, 'selector_t', {
            match: exact(0x78n),
            action: {
              actionProfileActionSet: {
                actionProfileActions: [{ action: act(s, 'select_port', 6).action, weight: 1 }],
              },
            },
          }),
        ),
    ],
    [
      'meters',
      (s) =>
        s.write(
          MODIFY,
          meter(s, 1, { cir: 1000, cburst: 100, pir: 2000, pburst: 200 }),
          meter(s, 3, { cir: -1, cburst: -1, pir: -1, pburst: -1 }),
          meter(s, 4, { cir: -1, cburst: 5, pir: -1, pburst: 6 }),
        ),
    ],
    ['meter cir > pir', (s) => s.write(MODIFY, meter(s, 0, { cir: 10, pir: 5, cburst: 1, pburst: 1 }))],
    [
      'counter out of range',
      (s) =>
        s.write(MODIFY, {
          counterEntry: { counterId: s.ids.counter('port_counter'), index: { index: 16 }, data: {} },
        }),
    ],
    [
      'counter wildcard write',
      (s) => s.write(MODIFY, { counterEntry: { counterId: s.ids.counter('port_counter'), data: {} } }),
    ],
    [
      'multicast',
      (s) =>
        s.write(INSERT, {
          packetReplicationEngineEntry: {
            multicastGroupEntry: {
              multicastGroupId: 1,
              replicas: [{ egressPort: 3 }, { port: bytes(2), instance: 1 }],
            },
          },
        }),
    ],
    [
      'multicast id 0',
      (s) =>
        s.write(INSERT, { packetReplicationEngineEntry: { multicastGroupEntry: { multicastGroupId: 0 } } }),
    ],
    [
      'multicast reserved id',
      (s) =>
        s.write(INSERT, {
          packetReplicationEngineEntry: { multicastGroupEntry: { multicastGroupId: 40000 } },
        }),
    ],
    [
      'clone session',
      (s) =>
        s.write(INSERT, {
          packetReplicationEngineEntry: {
            cloneSessionEntry: { sessionId: 5, replicas: [{ egressPort: 6 }] },
          },
        }),
    ],
    [
      'clone truncation',
      (s) =>
        s.write(INSERT, {
          packetReplicationEngineEntry: { cloneSessionEntry: { sessionId: 6, packetLengthBytes: 100 } },
        }),
    ],
    [
      'digest',
      (s) =>
        s.write(INSERT, {
          digestEntry: { digestId: s.ids.digest('mac_learn_t'), config: { maxListSize: 1 } },
        }),
    ],
    ['digest bad id', (s) => s.write(INSERT, { digestEntry: { digestId: 0x17000001, config: {} } })],
    ['empty entity', (s) => s.write(INSERT, {})],
    [
      'atomic batch',
      (s) =>
        s.unary((cb) =>
          s.stub.write({ deviceId: 1, electionId: uint128(10n), atomicity: 1 }, new grpc.Metadata(), {}, cb),
        ),
    ],
    [
      'not primary',
      (s) =>
        s.unary((cb) => s.stub.write({ deviceId: 1, electionId: uint128(9n) }, new grpc.Metadata(), {}, cb)),
    ],
    ['read tables', (s) => s.read({ tableEntry: { counterData: {}, meterConfig: {} } })],
    ['read default', (s) => s.read(te(s, 'exact_t', { isDefaultAction: true }))],
    ['read by key', (s) => s.read(te(s, 'exact_t', { match: exact(mac(9)) }))],
    ['read time since hit refused', (s) => s.read(te(s, 'lpm_t', { timeSinceLastHit: {} }))],
    [
      'read direct resources',
      (s) =>
        s.read(
          { directCounterEntry: { tableEntry: { tableId: s.ids.table('exact_t') } } },
          { directMeterEntry: { tableEntry: te(s, 'lpm_t', { match: lpm(0x0a000000, 8) }).tableEntry } },
        ),
    ],
    ['read groups', (s) => s.read({ actionProfileGroup: {} })],
    ['read meters', (s) => s.read(meter(s, 1), meter(s, 2), meter(s, 3), meter(s, 4))],
    [
      'read counter',
      (s) => s.read({ counterEntry: { counterId: s.ids.counter('port_counter'), index: { index: 1 } } }),
    ],
    [
      'read PRE',
      (s) =>
        s.read(
          { packetReplicationEngineEntry: { multicastGroupEntry: {} } },
          { packetReplicationEngineEntry: { cloneSessionEntry: {} } },
        ),
    ],
    ['read digest', (s) => s.read({ digestEntry: { digestId: s.ids.digest('mac_learn_t') } })],
    ['read digest without id', (s) => s.read({ digestEntry: {} })],
    [
      'read bad table after good',
      (s) => s.read(te(s, 'exact_t', {}), { tableEntry: { tableId: 0x02abcdef } }),
    ],
    [
      'get cookie only',
      (s) =>
        s.unary((cb) =>
          s.stub.getForwardingPipelineConfig({ deviceId: 1, responseType: 1 }, new grpc.Metadata(), {}, cb),
        ),
    ],
    [
      'commit without save',
      (s) =>
        s.unary((cb) =>
          s.stub.setForwardingPipelineConfig(
            { deviceId: 1, electionId: uint128(10n), action: 4 },
            new grpc.Metadata(),
            {},
            cb,
          ),
        ),
    ],
    [
      'unspecified action',
      (s) =>
        s.unary((cb) =>
          s.stub.setForwardingPipelineConfig(
            { deviceId: 1, electionId: uint128(10n), action: 0 },
            new grpc.Metadata(),
            {},
            cb,
          ),
        ),
    ],
    [
      'other device',
      (s) =>
        s.unary((cb) =>
          s.stub.setForwardingPipelineConfig(
            {
              deviceId: 7,
              action: 3,
              config: { p4info: s.p4info, p4DeviceConfig: fixtureDeviceConfig('server_all') },
            },
            new grpc.Metadata(),
            {},
            cb,
          ),
        ),
    ],
    [
      'traffic',
      // Every frame is waited for by what it must cause, never by a quiet period. Two are forwarded
      // by mac(1)'s entry (one output each); mac(0x42) misses exact_t and is dropped in ingress;
      // mac(7) goes to the CPU (a packet-in); the learn frame is forwarded and sends a digest
      // (max_list_size 1); the packet-out leaves port 4. The dropped frame has no output to wait
      // for: server_all drops only in ingress (its egress is empty), and both targets run ingress
      // one frame at a time in arrival order (bmv2's single ingress thread, the embedded engine's
      // synchronous processing), so once the packet-in of the frame sent after it has arrived, its
      // drop is final; its outputs (none) are taken last.
      async (s) => {
        const dp = s.dataplane!;
        const frames = [
          ...(await dp.exchange(1, probeFrame(mac(1), { k8: 4, k16: 0x77, k32: 12345 }), 1)),
          ...(await dp.exchange(1, probeFrame(mac(1), { k8: 15 }, mac(0xbb)), 1)),
        ];
        const dropped = dp.send(2, probeFrame(mac(0x42), {}));
        const messages = (kind: 'packet' | 'digest') => s.received.filter((m) => m[kind] != null).length;
        dp.send(3, ethernet(mac(7), mac(8), 0x0800, new Uint8Array([9])));
        await dp.waitUntil(() => messages('packet') >= 1, { missing: () => 'the packet-in of mac(7)' });
        await dp.exchange(2, ethernet(mac(1), mac(0x33), TYPE_LEARN), 1);
        await dp.waitUntil(() => messages('digest') >= 1, { missing: () => 'the digest of the learn frame' });
        s.primary.write({
          packet: {
            payload: ethernet(mac(1), mac(2), 0x0800, new Uint8Array([1, 2, 3])),
            metadata: [{ metadataId: 1, value: bytes(4) }],
          },
        });
        await dp.waitUntil(() => dp.unattributedCount >= 1, { missing: () => 'the packet-out on port 4' });
        const injected = dp.takeUnattributed();
        frames.push(...((await dp.collectCounts([dropped], 0)).get(dropped) ?? []));
        const data = {
          frames: frames.map((f) => [f.port, Buffer.from(f.bytes).toString('hex')]),
          packetOut: injected.map((f) => [f.port, Buffer.from(f.bytes).toString('hex')]),
          stream: s.drain(),
        };
        return { code: 'OK', message: '', data };
      },
    ],
    [
      'read counters after traffic',
      (s) =>
        s.read(
          { counterEntry: { counterId: s.ids.counter('port_counter'), index: { index: 2 } } },
          { tableEntry: { tableId: s.ids.table('exact_t'), counterData: {} } },
        ),
    ],
    [
      'save a new config',
      (s) =>
        s.unary((cb) =>
          s.stub.setForwardingPipelineConfig(
            {
              deviceId: 1,
              electionId: uint128(10n),
              action: 2,
              config: {
                p4info: s.p4info,
                p4DeviceConfig: fixtureDeviceConfig('server_all'),
                cookie: { cookie: 7 },
              },
            },
            new grpc.Metadata(),
            {},
            cb,
          ),
        ),
    ],
    ['read after save', (s) => s.read({ tableEntry: { tableId: s.ids.table('exact_t') } })],
    [
      'commit',
      (s) =>
        s.unary((cb) =>
          s.stub.setForwardingPipelineConfig(
            { deviceId: 1, electionId: uint128(10n), action: 4 },
            new grpc.Metadata(),
            {},
            cb,
          ),
        ),
    ],
    [
      'traffic after commit',
      // The committed pipeline starts with empty tables: exact_t's default drops the frame in
      // ingress, so there is no output to wait for. A second frame follows it on the same stream,
      // and port_counter (counted as ingress starts) reaching 2 on port 1 means the first frame has
      // left ingress on both targets (one frame at a time, in order): its drop is final.
      async (s) => {
        const dp = s.dataplane!;
        const first = dp.send(1, probeFrame(mac(1), {}));
        dp.send(1, probeFrame(mac(1), {}));
        await dp.waitUntil(async () => (await portCount(s, 1)) >= 2, {
          missing: () => 'port_counter[1] never counted both frames',
        });
        const frames = (await dp.collectCounts([first], 0)).get(first) ?? [];
        return { code: 'OK', message: '', data: frames.map((f) => f.port) };
      },
    ],
    ['backup joins', (s) => s.join(5n, 0)],
    ['backup takes over', (s) => s.join(20n, 1)],
  ];
}

/**
 * bmv2 starts its dataplane service only once the first pipeline is swapped in, a moment after the
 * SetForwardingPipelineConfig answer ("not ready" until then). The stream is proven served by a
 * frame on port 7: port_counter[7] counts it as it enters ingress (the same on both targets, and
 * no step reads that cell).
 */
async function connectDataplane(s: Session): Promise<DataplaneClient> {
  return DataplaneClient.connectServed({ address: s.target.dataplaneAddress, deviceId: 1 }, async (dp) => {
    dp.send(7, ethernet(mac(0x70), mac(0x71), 0x0800, new Uint8Array([7])));
    await dp.waitUntil(async () => (await portCount(s, 7)) >= 1, {
      missing: () => 'port_counter[7] never counted the probe frame',
    });
  });
}

/** Packets port_counter has counted on `port`. */
async function portCount(s: Session, port: number): Promise<number> {
  const r = await s.read({
    counterEntry: { counterId: s.ids.counter('port_counter'), index: { index: port } },
  });
  const cell = (r.data as { counterEntry?: { data?: { packetCount?: string } } }[] | undefined)?.[0];
  return Number(cell?.counterEntry?.data?.packetCount ?? 0);
}

async function play(target: RunningTarget): Promise<Map<string, Outcome>> {
  const s = new Session(target);
  try {
    await s.becomePrimary();
    const push = await s.unary((cb) =>
      s.stub.setForwardingPipelineConfig(
        {
          deviceId: 1,
          electionId: uint128(10n),
          action: 3,
          config: { p4info: s.p4info, p4DeviceConfig: fixtureDeviceConfig('server_all') },
        },
        new grpc.Metadata(),
        {},
        cb,
      ),
    );
    if (push.code !== 'OK') throw new Error(`push failed on ${target.kind}: ${push.code} ${push.message}`);
    s.dataplane = await connectDataplane(s);
    const out = new Map<string, Outcome>([
      ['push', push],
      ['arbitration', { code: 'OK', message: '', data: s.drain() }],
    ]);
    for (const [name, step] of steps()) out.set(name, await step(s));
    return out;
  } finally {
    await s.close();
  }
}

/** Ours must carry PI's message first (then our detail); PI's empty messages allow anything. */
function samePiMessage(ours: string, pi: string): boolean {
  const base = pi.replace(/\.$/, '');
  return base === '' || ours === pi || ours.startsWith(`${base}: `) || ours === base;
}

describe.runIf(HAVE_BMV2)(
  'conformance with bmv2 simple_switch_grpc (needs simple_switch_grpc on PATH)',
  () => {
    let bmv2: Map<string, Outcome>;
    let embedded: Map<string, Outcome>;
    beforeAll(async () => {
      bmv2 = await play(await startTarget('bmv2'));
      embedded = await play(await startTarget('embedded'));
    }, 120_000);
    afterAll(() => undefined);

    const names = ['push', 'arbitration', ...steps().map(([name]) => name)];
    it.each(names)('%s', (name) => {
      const pi = bmv2.get(name)!;
      const ours = embedded.get(name)!;
      expect(ours.code).toBe(pi.code);
      expect(samePiMessage(ours.message, pi.message), `message '${ours.message}' vs PI '${pi.message}'`).toBe(
        true,
      );
      expect(ours.updates?.map((u) => u.code)).toEqual(pi.updates?.map((u) => u.code));
      ours.updates?.forEach((u, i) => {
        const piMessage = pi.updates?.[i]?.message ?? '';
        expect(samePiMessage(u.message, piMessage), `update ${i}: '${u.message}' vs PI '${piMessage}'`).toBe(
          true,
        );
      });
      expect(ours.data).toEqual(pi.data);
    });
  },
);
