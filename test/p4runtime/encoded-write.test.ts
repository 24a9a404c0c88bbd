// The client writes updates whose entity is already encoded (EncodedUpdate): the WriteRequest it
// sends must be the one it would send for the same updates built as messages, field for field,
// with role and election id, mixed with updates built as messages, or given as ranges of one
// shared buffer; a failure names the entity.
import * as grpc from '@grpc/grpc-js';
import { p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { P4RuntimeWriteError } from '../../packages/p4runtime-ts-grpc/src/errors.js';
import type { P4RuntimeStub } from '../../packages/p4runtime-ts-grpc/src/wire/p4runtime-service.js';
import { type WriteUpdate, writeUpdates } from '../../packages/p4runtime-ts-grpc/src/write.js';

const entity = (i: number): p4.v1.IEntity => ({
  tableEntry: {
    tableId: 33_554_433,
    match: [{ fieldId: 1, exact: { value: new Uint8Array([i >> 8, i & 0xff]) } }],
    action: { action: { actionId: 16_777_217, params: [{ paramId: 1, value: new Uint8Array([i & 0x7f]) }] } },
    metadata: new TextEncoder().encode('x'.repeat(i % 200)),
  },
});

/** A stub that keeps the requests as the server would decode them and fails update `failAt`. */
function recorder(failAt?: number) {
  const requests: p4.v1.WriteRequest[] = [];
  const stub = {
    write(request: p4.v1.IWriteRequest | Uint8Array, _md: unknown, _o: unknown, cb: (e: unknown) => void) {
      const bytes = request instanceof Uint8Array ? request : p4.v1.WriteRequest.encode(request).finish();
      const decoded = p4.v1.WriteRequest.decode(bytes);
      requests.push(decoded);
      if (failAt === undefined || decoded.updates.length <= failAt) return cb(null);
      const metadata = new grpc.Metadata();
      cb(Object.assign(new Error('boom'), { code: grpc.status.UNKNOWN, details: 'boom', metadata }));
    },
  } as unknown as P4RuntimeStub;
  return { requests, stub };
}

describe('writes of encoded entities', () => {
  it('send the WriteRequest of the same updates built as messages', async () => {
    const base = { deviceId: 7, electionId: { high: 0, low: 3 }, role: 'sdn' };
    const plain: WriteUpdate[] = [];
    const encoded: WriteUpdate[] = [];
    for (let i = 0; i < 600; i++) {
      const type = (1 + (i % 3)) as p4.v1.Update.Type;
      plain.push({ type, entity: entity(i) });
      // Every fifth one as a message, among encoded ones.
      encoded.push(
        i % 5 === 0
          ? { type, entity: entity(i) }
          : { type, encodedEntity: p4.v1.Entity.encode(entity(i)).finish() },
      );
    }
    const a = recorder();
    const b = recorder();
    const ctx = (stub: P4RuntimeStub) => ({
      stub,
      base,
      metadata: () => new grpc.Metadata(),
      describe: () => 'an entity',
    });
    await writeUpdates(ctx(a.stub), plain, { maxInFlight: 1 });
    await writeUpdates(ctx(b.stub), encoded, { maxInFlight: 1 });
    expect(b.requests.length).toBe(3);
    expect(b.requests.map((r) => r.toJSON())).toEqual(a.requests.map((r) => r.toJSON()));
  });

  it('send the same WriteRequest for entities given as ranges of one shared buffer', async () => {
    const base = { deviceId: 7, electionId: { high: 0, low: 3 } };
    const plain: WriteUpdate[] = [];
    const ranged: WriteUpdate[] = [];
    // Every entity after the last in one buffer (some longer than the byte-by-byte copy's 128).
    const parts = Array.from({ length: 300 }, (_, i) => p4.v1.Entity.encode(entity(i)).finish());
    const shared = new Uint8Array(parts.reduce((n, b) => n + b.length, 3));
    let at = 3; // (not at the buffer's start)
    parts.forEach((bytes, i) => {
      shared.set(bytes, at);
      const type = (1 + (i % 3)) as p4.v1.Update.Type;
      plain.push({ type, entity: entity(i) });
      ranged.push({ type, encodedEntity: shared, entityStart: at, entityEnd: at + bytes.length });
      at += bytes.length;
    });
    expect(parts.some((b) => b.length > 128)).toBe(true);
    const a = recorder();
    const b = recorder();
    const ctx = (stub: P4RuntimeStub) => ({
      stub,
      base,
      metadata: () => new grpc.Metadata(),
      describe: () => 'an entity',
    });
    await writeUpdates(ctx(a.stub), plain, { maxInFlight: 1 });
    await writeUpdates(ctx(b.stub), ranged, { maxInFlight: 1 });
    expect(b.requests.length).toBe(2);
    expect(b.requests.map((r) => r.toJSON())).toEqual(a.requests.map((r) => r.toJSON()));
  });

  it('refuse a range outside its buffer', async () => {
    const r = recorder();
    const ctx = {
      stub: r.stub,
      base: { deviceId: 1 },
      metadata: () => new grpc.Metadata(),
      describe: () => '',
    };
    await expect(
      writeUpdates(ctx, [{ type: 1, encodedEntity: new Uint8Array(4), entityStart: 2, entityEnd: 9 }]),
    ).rejects.toThrow('update 0: entity range 2..9 is outside its buffer');
    expect(r.requests.length).toBe(0);
  });

  it('name the entity of a failed update given as a range, decoded from its bytes', async () => {
    const r = recorder(0);
    const bytes = p4.v1.Entity.encode(entity(7)).finish();
    const shared = new Uint8Array(bytes.length + 10);
    shared.set(bytes, 5);
    const error = await writeUpdates(
      {
        stub: r.stub,
        base: { deviceId: 1 },
        metadata: () => new grpc.Metadata(),
        describe: (e) =>
          `table ${e.tableEntry?.tableId} match ${e.tableEntry?.match?.[0]?.exact?.value?.[1]}`,
      },
      [{ type: 1, encodedEntity: shared, entityStart: 5, entityEnd: 5 + bytes.length }],
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    expect((error as P4RuntimeWriteError).failures[0].entity).toBe('table 33554433 match 7');
  });

  it('name the entity of a failed update, decoded from its bytes', async () => {
    const r = recorder(0);
    const described: p4.v1.IEntity[] = [];
    const error = await writeUpdates(
      {
        stub: r.stub,
        base: { deviceId: 1 },
        metadata: () => new grpc.Metadata(),
        describe: (e) => {
          described.push(e);
          return `table ${e.tableEntry?.tableId}`;
        },
      },
      [{ type: 1, encodedEntity: p4.v1.Entity.encode(entity(5)).finish() }],
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    expect((error as P4RuntimeWriteError).failures[0].entity).toBe('table 33554433');
    expect(p4.v1.Entity.encode(described[0]).finish()).toEqual(p4.v1.Entity.encode(entity(5)).finish());
  });
});
