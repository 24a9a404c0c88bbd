// Helpers of the P4Runtime server tests: a running embedded target on ephemeral loopback ports, raw
// grpc-js calls with the generated classes, and a StreamChannel wrapper that queues messages.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import type Long from 'long';
import {
  createP4RuntimeStub,
  type P4RuntimeStub,
  p4,
  p4ErrorsFromStatus,
  statusFromMetadata,
} from 'p4runtime-ts-grpc/wire';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parseP4Info } from '../../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import {
  type EmbeddedTarget,
  type EmbeddedTargetOptions,
  startEmbeddedTarget,
} from '../../../src/switch/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'p4');
export const DEVICE_ID = 1;
export const CPU_PORT = 255;

export function fixtureP4Info(name: string): p4.config.v1.P4Info {
  return parseP4Info(
    readFileSync(join(FIXTURES, `${name}.p4info.json`), 'utf8'),
    'json',
    `${name}.p4info.json`,
  );
}

export function fixtureDeviceConfig(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, `${name}.json`)));
}

/** Ids of a P4Info by object name (full name or alias). */
export class Ids {
  constructor(readonly p4info: p4.config.v1.IP4Info) {}

  private find(
    list: { preamble?: p4.config.v1.IPreamble | null }[] | null | undefined,
    name: string,
    what: string,
  ): number {
    const found = (list ?? []).find((o) => o.preamble?.name === name || o.preamble?.alias === name);
    if (!found?.preamble?.id) throw new Error(`no ${what} '${name}' in the P4Info`);
    return found.preamble.id;
  }
  table(name: string): number {
    return this.find(this.p4info.tables, name, 'table');
  }
  action(name: string): number {
    return this.find(this.p4info.actions, name, 'action');
  }
  actionProfile(name: string): number {
    return this.find(this.p4info.actionProfiles, name, 'action profile');
  }
  counter(name: string): number {
    return this.find(this.p4info.counters, name, 'counter');
  }
  directCounter(name: string): number {
    return this.find(this.p4info.directCounters, name, 'direct counter');
  }
  meter(name: string): number {
    return this.find(this.p4info.meters, name, 'meter');
  }
  directMeter(name: string): number {
    return this.find(this.p4info.directMeters, name, 'direct meter');
  }
  register(name: string): number {
    return this.find(this.p4info.registers, name, 'register');
  }
  digest(name: string): number {
    return this.find(this.p4info.digests, name, 'digest');
  }
  valueSet(name: string): number {
    return this.find(this.p4info.valueSets, name, 'value set');
  }
  /** A direct action of a table entry: the action by name, its parameters in order (ids 1, 2, ...). */
  tableAction(name: string, ...params: (number | bigint)[]): p4.v1.ITableAction {
    return {
      action: {
        actionId: this.action(name),
        params: params.map((v, i) => ({ paramId: i + 1, value: bytes(v) })),
      },
    };
  }
}

/** Big-endian bytes of a value, canonical (no leading zero byte) unless `width` bytes are asked. */
export function bytes(value: number | bigint, width?: number): Uint8Array {
  let v = BigInt(value);
  const out: number[] = [];
  while (v > 0n) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  if (out.length === 0) out.push(0);
  while (width !== undefined && out.length < width) out.unshift(0);
  return new Uint8Array(out);
}

export function toNumber(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function hex(b: Uint8Array | null | undefined): string {
  return Buffer.from(b ?? new Uint8Array(0)).toString('hex');
}

export interface TestTarget {
  readonly target: EmbeddedTarget;
  readonly stub: P4RuntimeStub;
  stop(): Promise<void>;
}

export async function startTarget(options: EmbeddedTargetOptions = {}): Promise<TestTarget> {
  const target = await startEmbeddedTarget({
    grpcAddress: '127.0.0.1:0',
    deviceId: DEVICE_ID,
    cpuPort: CPU_PORT,
    ports: 8,
    ...options,
  });
  const stub = createP4RuntimeStub(target.grpcAddress, grpc.credentials.createInsecure());
  return {
    target,
    stub,
    async stop() {
      stub.close();
      await target.stop();
    },
  };
}

/** Outcome of a unary call: OK, or the status with decoded p4.v1.Error details. */
export interface CallResult<T> {
  readonly code: grpc.status;
  readonly message: string;
  readonly value: T | undefined;
  /** Per-update errors of a failed Write (empty otherwise). */
  readonly errors: p4.v1.Error[];
  /** google.rpc.Status from the trailer, when the server sent one. */
  readonly rpcStatus: { code: number; message: string } | undefined;
}

function settle<T>(resolve: (r: CallResult<T>) => void): grpc.requestCallback<T> {
  return (error, value) => {
    if (!error)
      return resolve({ code: grpc.status.OK, message: '', value, errors: [], rpcStatus: undefined });
    const status = statusFromMetadata(error.metadata);
    resolve({
      code: error.code,
      message: error.details,
      value: undefined,
      errors: status ? p4ErrorsFromStatus(status) : [],
      rpcStatus: status ? { code: status.code, message: status.message } : undefined,
    });
  };
}

export function write(
  stub: P4RuntimeStub,
  request: p4.v1.IWriteRequest,
): Promise<CallResult<p4.v1.WriteResponse>> {
  return new Promise((resolve) =>
    stub.write({ deviceId: DEVICE_ID, ...request }, new grpc.Metadata(), {}, settle(resolve)),
  );
}

/** Writes updates of one type with the given election id. */
export function writeUpdates(
  stub: P4RuntimeStub,
  type: p4.v1.Update.Type,
  entities: p4.v1.IEntity[],
  electionId?: p4.v1.IUint128,
): Promise<CallResult<p4.v1.WriteResponse>> {
  return write(stub, { electionId, updates: entities.map((entity) => ({ type, entity })) });
}

export function setPipeline(
  stub: P4RuntimeStub,
  request: p4.v1.ISetForwardingPipelineConfigRequest,
): Promise<CallResult<p4.v1.SetForwardingPipelineConfigResponse>> {
  return new Promise((resolve) =>
    stub.setForwardingPipelineConfig(
      { deviceId: DEVICE_ID, ...request },
      new grpc.Metadata(),
      {},
      settle(resolve),
    ),
  );
}

export function getPipeline(
  stub: P4RuntimeStub,
  request: p4.v1.IGetForwardingPipelineConfigRequest,
): Promise<CallResult<p4.v1.GetForwardingPipelineConfigResponse>> {
  return new Promise((resolve) =>
    stub.getForwardingPipelineConfig(
      { deviceId: DEVICE_ID, ...request },
      new grpc.Metadata(),
      {},
      settle(resolve),
    ),
  );
}

export function capabilities(stub: P4RuntimeStub): Promise<CallResult<p4.v1.CapabilitiesResponse>> {
  return new Promise((resolve) => stub.capabilities({}, new grpc.Metadata(), {}, settle(resolve)));
}

/** Pushes a fixture pipeline with VERIFY_AND_COMMIT; throws on failure. */
export async function pushFixture(
  stub: P4RuntimeStub,
  name: string,
  electionId?: p4.v1.IUint128,
): Promise<Ids> {
  const p4info = fixtureP4Info(name);
  const r = await setPipeline(stub, {
    electionId,
    action: p4.v1.SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT,
    config: { p4info, p4DeviceConfig: fixtureDeviceConfig(name) },
  });
  if (r.code !== grpc.status.OK)
    throw new Error(`pushing ${name} failed: ${grpc.status[r.code]} ${r.message}`);
  return new Ids(p4info);
}

export interface ReadOutcome {
  readonly code: grpc.status;
  readonly message: string;
  /** Every entity of every ReadResponse. */
  readonly entities: p4.v1.Entity[];
  readonly responses: number;
}

export function read(stub: P4RuntimeStub, entities: p4.v1.IEntity[]): Promise<ReadOutcome> {
  return new Promise((resolve) => {
    const out: p4.v1.Entity[] = [];
    let responses = 0;
    const call = stub.read({ deviceId: DEVICE_ID, entities }, new grpc.Metadata());
    call.on('data', (r: p4.v1.ReadResponse) => {
      responses++;
      out.push(...r.entities.map((e) => p4.v1.Entity.fromObject(e)));
    });
    call.on('error', (e: grpc.ServiceError) =>
      resolve({ code: e.code, message: e.details, entities: out, responses }),
    );
    call.on('end', () => resolve({ code: grpc.status.OK, message: '', entities: out, responses }));
  });
}

/** A StreamChannel whose incoming messages are queued for `next`. */
/**
 * How long a message that must come is waited for: generous, so that only a server that never
 * sends it fails, however loaded the machine. Checks that a message does NOT come pass their own
 * short bound.
 */
export const PRESENCE_BOUND_MS = 30_000;

export class Stream {
  private readonly queue: p4.v1.StreamMessageResponse[] = [];
  private waiters: (() => void)[] = [];
  readonly call: grpc.ClientDuplexStream<p4.v1.IStreamMessageRequest, p4.v1.StreamMessageResponse>;
  /** Set when the server ended the stream. */
  status: { code: grpc.status; message: string } | undefined;

  constructor(stub: P4RuntimeStub) {
    this.call = stub.streamChannel(new grpc.Metadata());
    this.call.on('data', (m: p4.v1.StreamMessageResponse) => {
      this.queue.push(m);
      this.wake();
    });
    this.call.on('error', (e: grpc.ServiceError) => {
      this.status = { code: e.code, message: e.details };
      this.wake();
    });
    this.call.on('status', (s: grpc.StatusObject) => {
      this.status ??= { code: s.code, message: s.details };
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(message: p4.v1.IStreamMessageRequest): void {
    this.call.write(message);
  }

  arbitrate(electionId: bigint, extra: Partial<p4.v1.IMasterArbitrationUpdate> = {}): void {
    this.send({
      arbitration: {
        deviceId: DEVICE_ID,
        electionId: { high: Number(electionId >> 64n), low: Number(electionId & 0xffffffffffffffffn) },
        ...extra,
      },
    });
  }

  /**
   * Next message matching `predicate` (others stay queued); undefined after `timeoutMs`, by
   * default {@link PRESENCE_BOUND_MS}.
   */
  async next(
    predicate: (m: p4.v1.StreamMessageResponse) => boolean = () => true,
    timeoutMs = PRESENCE_BOUND_MS,
  ): Promise<p4.v1.StreamMessageResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex(predicate);
      if (i >= 0) return this.queue.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.status) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async arbitration(timeoutMs = PRESENCE_BOUND_MS): Promise<p4.v1.IMasterArbitrationUpdate | undefined> {
    return (await this.next((m) => m.arbitration != null, timeoutMs))?.arbitration ?? undefined;
  }

  /** Messages currently queued (not consumed). */
  pending(): readonly p4.v1.StreamMessageResponse[] {
    return this.queue;
  }

  /** Waits for the server to end the stream. */
  async closed(timeoutMs = PRESENCE_BOUND_MS): Promise<{ code: grpc.status; message: string } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.status && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.status;
  }

  end(): void {
    this.call.end();
  }
}

/** Opens a stream and becomes primary (or backup) with `electionId`; returns the first arbitration reply. */
export async function connect(
  stub: P4RuntimeStub,
  electionId: bigint,
): Promise<{ stream: Stream; reply: p4.v1.IMasterArbitrationUpdate }> {
  const stream = new Stream(stub);
  stream.arbitrate(electionId);
  const reply = await stream.arbitration();
  if (!reply) throw new Error(`no arbitration reply (stream status ${JSON.stringify(stream.status)})`);
  return { stream, reply };
}

export function uint128(value: bigint): p4.v1.IUint128 {
  return { high: Number(value >> 64n), low: Number(value & 0xffffffffffffffffn) };
}

export const UpdateType = p4.v1.Update.Type;
export { p4 };

// ---------------------------------------------------------------- frames of server_all.p4

export const TYPE_PROBE = 0x88b5;
export const TYPE_LEARN = 0x88cc;

/** Fields of probe_t in wire order with their widths. */
const PROBE_LAYOUT = [
  ['k8', 8],
  ['k16', 16],
  ['k32', 32],
  ['lpm_v', 32],
  ['mixed_v', 32],
  ['const_v', 32],
  ['profile_v', 32],
  ['lpm_color', 8],
  ['meter_color', 8],
  ['const_entry_v', 8],
] as const;

export type ProbeFields = { [K in (typeof PROBE_LAYOUT)[number][0]]: number };

export function mac(n: number): bigint {
  return 0x020000000000n + BigInt(n);
}

export function ethernet(
  dst: bigint,
  src: bigint,
  etherType: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return new Uint8Array([...bytes(dst, 6), ...bytes(src, 6), ...bytes(etherType, 2), ...payload]);
}

export function probe(fields: Partial<ProbeFields>): Uint8Array {
  const out: number[] = [];
  for (const [name, width] of PROBE_LAYOUT) out.push(...bytes(fields[name] ?? 0, width / 8));
  return new Uint8Array(out);
}

/** Decodes the probe header of a frame leaving the switch (after Ethernet). */
export function parseProbe(frame: Uint8Array, offset = 14): ProbeFields {
  const out: Partial<ProbeFields> = {};
  let o = offset;
  for (const [name, width] of PROBE_LAYOUT) {
    let v = 0;
    for (let i = 0; i < width / 8; i++) v = v * 256 + frame[o + i];
    out[name] = v;
    o += width / 8;
  }
  return out as ProbeFields;
}

/** A probe frame (EtherType 0x88b5) to `dst`. */
export function probeFrame(dst: bigint, fields: Partial<ProbeFields>, src = mac(0xaa)): Uint8Array {
  return ethernet(dst, src, TYPE_PROBE, probe(fields));
}

/**
 * One embedded target for a test file, with `fixture` pushed afresh before each test (so every test
 * starts from empty tables); `bind` receives the target and the fixture's ids each time.
 */
export function useFixtureTarget(fixture: string, bind: (t: TestTarget, ids: Ids) => void): void {
  let t: TestTarget | undefined;
  beforeAll(async () => {
    t = await startTarget();
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    if (!t) throw new Error('the embedded target did not start');
    bind(t, await pushFixture(t.stub, fixture));
  });
}
