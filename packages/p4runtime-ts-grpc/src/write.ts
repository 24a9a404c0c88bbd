/**
 * Write batching and error attribution. Large update lists are split into batches sent with
 * several requests in flight; per-update failures are decoded from the google.rpc.Status in
 * the `grpc-status-details-bin` trailer and attributed to the entity they concern.
 */
import type * as grpc from '@grpc/grpc-js';
import { grpcCodeName, P4RuntimeRpcError, P4RuntimeWriteError, type UpdateFailure } from './errors.js';
import { p4 } from './wire/generated/p4runtime.js';
import type { P4RuntimeStub } from './wire/p4runtime-service.js';
import { p4ErrorsFromStatus, statusFromMetadata } from './wire/rpc-status.js';

/** Atomicity of a Write batch. */
export type Atomicity = 'CONTINUE_ON_ERROR' | 'ROLLBACK_ON_ERROR' | 'DATAPLANE_ATOMIC';

/** Options of a write. */
export interface WriteOptions {
  /** Default CONTINUE_ON_ERROR. Atomic modes are never split: the updates go in one request. */
  readonly atomicity?: Atomicity;
  /**
   * Updates per request when splitting (CONTINUE_ON_ERROR only). Default 250: small enough that
   * the error details of a batch whose every update fails fit in one HTTP/2 header even from a
   * server that sends them uncapped (bmv2 stalls the connection past about 550 failures).
   */
  readonly batchSize?: number;
  /**
   * Requests in flight at once. Default 4. Batches in flight may be applied in any order, so
   * updates that depend on each other (member before group, group before entry) belong in
   * separate `write` calls, or set this to 1.
   */
  readonly maxInFlight?: number;
  /** Deadline per request, ms. Default 30000. */
  readonly timeoutMs?: number;
}

/**
 * Codes of a batch that got no answer: the connection broke or stalled. One known cause is a
 * server whose error details exceed what one HTTP/2 header carries (64 KiB after HPACK, the limit
 * of nghttp2 under Node): the client cannot read the trailer and the connection stalls until the
 * write channel's keepalive gives up on it.
 */
const STALL_CODES = new Set<number>([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

function stallMessage(error: grpc.ServiceError, size: number): string {
  return (
    `no answer to this batch of ${size} update(s) (${error.details}); the connection broke or stalled, ` +
    'which also happens when the server sends error details larger than HTTP/2 headers carry: ' +
    'retry with a smaller batchSize; the device state of this batch is unknown, read it back'
  );
}

/** Default updates per Write request (see {@link WriteOptions.batchSize}). */
export const DEFAULT_BATCH_SIZE = 250;

/** The update type as it appears in messages. */
const TYPE_NAMES: Record<number, string> = { 0: 'UNSPECIFIED', 1: 'INSERT', 2: 'MODIFY', 3: 'DELETE' };

/**
 * Updates of one type for a list of entities. Takes an array, never a spread: spreading a list as
 * arguments overflows the stack past about 120,000 entities, below what a device holds.
 */
export function updatesOf(type: p4.v1.Update.Type, entities: readonly p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return entities.map((entity) => ({ type, entity }));
}

/** Builds INSERT updates (for long lists use {@link updatesOf}, which takes an array). */
export function insert(...entities: p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return updatesOf(p4.v1.Update.Type.INSERT, entities);
}

/** Builds MODIFY updates (for long lists use {@link updatesOf}). */
export function modify(...entities: p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return updatesOf(p4.v1.Update.Type.MODIFY, entities);
}

/** Builds DELETE updates (for long lists use {@link updatesOf}). */
export function remove(...entities: p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return updatesOf(p4.v1.Update.Type.DELETE, entities);
}

/**
 * An update whose entity is already encoded: the bytes of a p4.v1.Entity message, as
 * `p4.v1.Entity.encode(entity).finish()` gives them. A caller that holds its entities as bytes
 * (a controller that compared them with a device's by bytes) writes them without building
 * entity objects for the encoder to walk.
 * The bytes may be a range of a buffer that holds many entities (`entityStart`, `entityEnd`):
 * then no view of its own is made per update (hundreds of thousands of them in a large write).
 */
export interface EncodedUpdate {
  readonly type: p4.v1.Update.Type;
  /** The entity's bytes, or a buffer holding them at [entityStart, entityEnd). */
  readonly encodedEntity: Uint8Array;
  /** Where the entity starts in `encodedEntity`. Default 0. */
  readonly entityStart?: number;
  /** Where it ends in `encodedEntity` (exclusive). Default its length. */
  readonly entityEnd?: number;
}

/** An update to write: built as a message, or with its entity already encoded. */
export type WriteUpdate = p4.v1.IUpdate | EncodedUpdate;

const isEncoded = (u: WriteUpdate): u is EncodedUpdate => (u as EncodedUpdate).encodedEntity !== undefined;

/** The bytes of an encoded update's entity (a view: for messages, not for the write path). */
const entityBytes = (u: EncodedUpdate): Uint8Array =>
  u.entityStart === undefined && u.entityEnd === undefined
    ? u.encodedEntity
    : u.encodedEntity.subarray(u.entityStart ?? 0, u.entityEnd ?? u.encodedEntity.length);

/** Bytes of a varint. */
function varintLength(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
function putVarint(buf: Buffer, at: number, v: number): number {
  while (v > 0x7f) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

/**
 * The WriteRequest bytes of `base`, `updates` and `atomicity`, fields in the order protobufjs
 * writes them (device_id, role_id, election_id, updates = 4, atomicity, role). Update: type = 1,
 * entity = 2 (p4runtime.proto).
 */
function writeRequestBytes(
  base: Omit<p4.v1.IWriteRequest, 'updates' | 'atomicity'>,
  updates: readonly WriteUpdate[],
  atomicity: p4.v1.WriteRequest.Atomicity,
): Buffer {
  const { role, ...head } = base;
  const first = p4.v1.WriteRequest.encode(head).finish();
  const last = p4.v1.WriteRequest.encode({ atomicity, ...(role !== undefined ? { role } : {}) }).finish();
  // Sizes first, then one buffer written in place (no buffer per update).
  const encoded: (Uint8Array | undefined)[] = new Array(updates.length);
  const bodies = new Int32Array(updates.length);
  let total = first.length + last.length;
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i];
    let body: number;
    if (isEncoded(u)) {
      const type = u.type ?? 0;
      const n = (u.entityEnd ?? u.encodedEntity.length) - (u.entityStart ?? 0);
      if (n < 0 || (u.entityStart ?? 0) < 0 || (u.entityEnd ?? 0) > u.encodedEntity.length)
        throw new RangeError(
          `update ${i}: entity range ${u.entityStart}..${u.entityEnd} is outside its buffer`,
        );
      body = (type === 0 ? 0 : 1 + varintLength(type)) + 1 + varintLength(n) + n;
    } else {
      const bytes = p4.v1.Update.encode(u).finish();
      encoded[i] = bytes;
      body = bytes.length;
    }
    bodies[i] = body;
    total += 1 + varintLength(body) + body;
  }
  const out = Buffer.allocUnsafe(total);
  out.set(first, 0);
  let at = first.length;
  for (let i = 0; i < updates.length; i++) {
    out[at++] = 0x22; // WriteRequest.updates
    at = putVarint(out, at, bodies[i]);
    const bytes = encoded[i];
    if (bytes) {
      out.set(bytes, at);
      at += bytes.length;
      continue;
    }
    const u = updates[i] as EncodedUpdate;
    const type = u.type ?? 0;
    if (type !== 0) {
      out[at++] = 0x08; // Update.type
      at = putVarint(out, at, type);
    }
    out[at++] = 0x12; // Update.entity
    const e = u.encodedEntity;
    const from = u.entityStart ?? 0;
    const to = u.entityEnd ?? e.length;
    at = putVarint(out, at, to - from);
    // A short entity is copied byte by byte: cheaper than a typed-array copy, which needs a view.
    if (to - from <= 128) for (let k = from; k < to; k++) out[at++] = e[k];
    else {
      out.set(e.subarray(from, to), at);
      at += to - from;
    }
  }
  out.set(last, at);
  return out;
}

/** What a write needs from its caller: identity fields and how to name entities. */
export interface WriteContext {
  readonly stub: P4RuntimeStub;
  readonly base: Omit<p4.v1.IWriteRequest, 'updates' | 'atomicity'>;
  readonly metadata: () => grpc.Metadata;
  readonly describe: (entity: p4.v1.IEntity) => string;
}

function sendBatch(
  ctx: WriteContext,
  updates: WriteUpdate[],
  atomicity: Atomicity,
  timeoutMs: number,
): Promise<grpc.ServiceError | undefined> {
  const request: p4.v1.IWriteRequest | Uint8Array = updates.some(isEncoded)
    ? writeRequestBytes(ctx.base, updates, p4.v1.WriteRequest.Atomicity[atomicity])
    : {
        ...ctx.base,
        updates: updates as p4.v1.IUpdate[],
        atomicity: p4.v1.WriteRequest.Atomicity[atomicity],
      };
  return new Promise((resolve) => {
    ctx.stub.write(request, ctx.metadata(), { deadline: Date.now() + timeoutMs }, (error) =>
      resolve(error ?? undefined),
    );
  });
}

/**
 * Sends `updates`, split and pipelined per `options`. Resolves when all succeeded; otherwise
 * rejects with a {@link P4RuntimeWriteError} listing every failed update.
 */
export async function writeUpdates(
  ctx: WriteContext,
  updates: readonly WriteUpdate[],
  options: WriteOptions = {},
): Promise<void> {
  const atomicity = options.atomicity ?? 'CONTINUE_ON_ERROR';
  const batchSize =
    atomicity === 'CONTINUE_ON_ERROR'
      ? Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
      : Math.max(1, updates.length);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (updates.length === 0) return;

  const failures: UpdateFailure[] = [];
  const batchErrors: P4RuntimeRpcError[] = [];
  let next = 0;
  // After a batch got no answer, the rest go in smaller batches (their error details are smaller).
  let size = batchSize;

  const describeUpdate = (i: number) => {
    const u = updates[i];
    let entity: string;
    try {
      entity = ctx.describe(isEncoded(u) ? p4.v1.Entity.decode(entityBytes(u)) : (u.entity ?? {}));
    } catch {
      entity = 'entity';
    }
    return { type: TYPE_NAMES[u.type ?? 0] ?? String(u.type), entity };
  };

  /** Every update of [start, end) failed with the call's status (no per-update details). */
  const failWhole = (start: number, end: number, code: number, message: string): void => {
    batchErrors.push(new P4RuntimeRpcError(`Write (updates ${start}..${end - 1})`, code, message));
    for (let i = start; i < end; i++) {
      failures.push({
        index: i,
        ...describeUpdate(i),
        code,
        codeName: grpcCodeName(code),
        message,
        space: '',
        targetCode: 0,
      });
    }
  };

  const worker = async (): Promise<void> => {
    while (next < updates.length) {
      // The batch bounds are this worker's own: `next` moves on while the request is in flight.
      const start = next;
      const end = Math.min(updates.length, start + size);
      next = end;
      const error = await sendBatch(ctx, updates.slice(start, end), atomicity, timeoutMs);
      if (!error) continue;
      if (STALL_CODES.has(error.code)) {
        failWhole(start, end, error.code, stallMessage(error, end - start));
        size = Math.max(1, Math.floor(size / 4));
        continue;
      }
      const status = statusFromMetadata(error.metadata);
      const errors = status ? p4ErrorsFromStatus(status) : [];
      if (errors.length === 0) {
        failWhole(start, end, error.code, error.details);
        continue;
      }
      const before = failures.length;
      errors.forEach((e, j) => {
        const code = e.canonicalCode ?? 0;
        if (code === 0 || start + j >= end) return;
        failures.push({
          index: start + j,
          ...describeUpdate(start + j),
          code,
          codeName: grpcCodeName(code),
          message: e.message ?? '',
          space: e.space ?? '',
          targetCode: e.code ?? 0,
        });
      });
      // A failed call whose details name no failed update still failed: report it for the batch.
      if (failures.length === before)
        batchErrors.push(
          new P4RuntimeRpcError(`Write (updates ${start}..${end - 1})`, error.code, error.details),
        );
    }
  };

  await Promise.all(
    Array.from({ length: Math.min(maxInFlight, Math.ceil(updates.length / batchSize)) }, worker),
  );
  if (failures.length > 0 || batchErrors.length > 0) {
    failures.sort((a, b) => a.index - b.index);
    throw new P4RuntimeWriteError(failures, batchErrors, updates.length);
  }
}
