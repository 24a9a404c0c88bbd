// The client writes updates whose entity is already encoded (EncodedUpdate): the WriteRequest it
// sends must be the one it would send for the same updates built as messages, field for field,
// with role and election id, mixed with updates built as messages; a failure names the entity.
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
