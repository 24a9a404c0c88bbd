// Arbitration over real gRPC: primary election by election id, notifications on changes, writes
// accepted only from the primary, stream-level refusals, and Capabilities.
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, P4RUNTIME_API_VERSION } from '../../../src/switch/index.js';
import {
  capabilities,
  connect,
  DEVICE_ID,
  p4,
  Stream,
  startTarget,
  type TestTarget,
  toNumber,
  uint128,
  write,
} from './helpers.js';

const OK = grpc.status.OK;
const ALREADY_EXISTS = grpc.status.ALREADY_EXISTS;

let t: TestTarget;
beforeEach(async () => {
  t = await startTarget();
});
afterEach(async () => {
  await t.stop();
});

function electionOf(u: p4.v1.IMasterArbitrationUpdate): number {
  return toNumber(u.electionId?.low as number);
}

describe('primary election', () => {
  it('makes the first controller primary and reports OK "Is primary" with its election id', async () => {
    const { stream, reply } = await connect(t.stub, 10n);
    expect(reply.status?.code).toBe(OK);
    expect(reply.status?.message).toBe('Is primary');
    expect(toNumber(reply.deviceId)).toBe(DEVICE_ID);
    expect(electionOf(reply)).toBe(10);
    stream.end();
  });

  it('reports a lower election id as backup (ALREADY_EXISTS) without notifying the primary', async () => {
    const a = await connect(t.stub, 10n);
    const b = await connect(t.stub, 5n);
    expect(b.reply.status?.code).toBe(ALREADY_EXISTS);
    expect(b.reply.status?.message).toBe('Is backup');
    expect(electionOf(b.reply)).toBe(10);
    // A notification to the primary would have gone out with b's reply, before the answer to a new
    // election id the primary sends now: the first arbitration message it gets must be that answer.
    a.stream.arbitrate(11n);
    const next = await a.stream.arbitration();
    expect(next?.status?.code).toBe(OK);
    expect(electionOf(next!)).toBe(11);
    a.stream.end();
    b.stream.end();
  });

  it('notifies every stream when a higher election id takes over', async () => {
    const a = await connect(t.stub, 10n);
    const b = await connect(t.stub, 20n);
    expect(b.reply.status?.code).toBe(OK);
    const toA = await a.stream.arbitration();
    expect(toA?.status?.code).toBe(ALREADY_EXISTS);
    expect(electionOf(toA!)).toBe(20);
    a.stream.end();
    b.stream.end();
  });

  it('promotes the next highest election id when the primary leaves', async () => {
    const a = await connect(t.stub, 30n);
    const b = await connect(t.stub, 20n);
    a.stream.end();
    const promoted = await b.stream.arbitration();
    expect(promoted?.status?.code).toBe(OK);
    expect(electionOf(promoted!)).toBe(20);
    b.stream.end();
  });

  it('re-elects when a stream changes its election id, and stays silent when it sends the same one', async () => {
    const a = await connect(t.stub, 10n);
    const b = await connect(t.stub, 5n);
    b.stream.arbitrate(5n);
    b.stream.arbitrate(15n);
    // The first answer b gets is the one to 15: the same id got none (it would have come first).
    const promoted = await b.stream.arbitration();
    expect(promoted?.status?.code).toBe(OK);
    expect(electionOf(promoted!)).toBe(15);
    const demoted = await a.stream.arbitration();
    expect(demoted?.status?.code).toBe(ALREADY_EXISTS);
    expect(electionOf(demoted!)).toBe(15);
    a.stream.end();
    b.stream.end();
  });

  it('ends a stream whose election id is already used (INVALID_ARGUMENT)', async () => {
    const a = await connect(t.stub, 7n);
    const dup = new Stream(t.stub);
    dup.arbitrate(7n);
    const status = await dup.closed();
    expect(status?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status?.message).toContain('Election id already exists');
    a.stream.end();
  });

  it('ends a stream that switches device id (FAILED_PRECONDITION "Invalid device id")', async () => {
    const a = await connect(t.stub, 7n);
    a.stream.send({ arbitration: { deviceId: DEVICE_ID + 1, electionId: uint128(7n) } });
    const status = await a.stream.closed();
    expect(status?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(status?.message).toBe('Invalid device id');
  });

  it('elects a primary per role: a named role does not compete with the default role', async () => {
    const main = await connect(t.stub, 10n);
    const s = new Stream(t.stub);
    s.arbitrate(3n, { role: { name: 'sdn-controller' } });
    const reply = await s.arbitration();
    expect(reply?.status?.code).toBe(OK);
    expect(reply?.role?.name).toBe('sdn-controller');
    expect(electionOf(reply!)).toBe(3);
    // Had the default role's primary been told of the new role's primary, that message would precede
    // the answer to the new election id it sends now.
    main.stream.arbitrate(11n);
    const next = await main.stream.arbitration();
    expect(next?.role?.name ?? '').toBe('');
    expect(electionOf(next!)).toBe(11);
    s.end();
    main.stream.end();
  });

  it('refuses a role id (deprecated) with UNIMPLEMENTED', async () => {
    const s = new Stream(t.stub);
    s.arbitrate(3n, { role: { id: 4 } });
    const status = await s.closed();
    expect(status?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(status?.message).toContain('role id 4');
  });

  it(`accepts at most ${MAX_CONNECTIONS} streams per device (RESOURCE_EXHAUSTED "Too many connections")`, async () => {
    const streams: Stream[] = [];
    for (let i = 1; i <= MAX_CONNECTIONS; i++) streams.push((await connect(t.stub, BigInt(i))).stream);
    const extra = new Stream(t.stub);
    extra.arbitrate(1000n);
    const status = await extra.closed();
    expect(status?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status?.message).toContain('Too many connections');
    for (const s of streams) s.end();
  });
});

describe('who may write', () => {
  const update = { type: p4.v1.Update.Type.INSERT, entity: { tableEntry: { tableId: 1 } } };

  it('without any stream, accepts a request without election id and refuses one with an election id', async () => {
    const withoutId = await write(t.stub, { updates: [update] });
    // Allowed to write, but there is no pipeline yet.
    expect(withoutId.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(withoutId.message).toBe('No forwarding pipeline config set for this device');
    const withId = await write(t.stub, { electionId: uint128(1n), updates: [update] });
    expect(withId.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(withId.message).toBe('Not primary');
  });

  it('accepts the primary election id only', async () => {
    const a = await connect(t.stub, 10n);
    const b = await connect(t.stub, 5n);
    expect((await write(t.stub, { electionId: uint128(5n), updates: [update] })).code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    expect((await write(t.stub, { updates: [update] })).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await write(t.stub, { electionId: uint128(10n), updates: [update] })).code).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    a.stream.end();
    b.stream.end();
  });

  it('refuses a Write for a role no controller arbitrated for (NOT_FOUND)', async () => {
    const r = await write(t.stub, { role: 'other', updates: [update] });
    expect(r.code).toBe(grpc.status.NOT_FOUND);
    expect(r.message).toBe("Role 'other' is not known for device 1");
  });
});

describe('Capabilities', () => {
  it('reports the P4Runtime API version', async () => {
    const r = await capabilities(t.stub);
    expect(r.code).toBe(OK);
    expect(r.value?.p4runtimeApiVersion).toBe(P4RUNTIME_API_VERSION);
    expect(P4RUNTIME_API_VERSION).toMatch(/^1\.4\.\d+$/);
  });
});
