/**
 * Write batching and error attribution. Large update lists are split into batches sent with
 * several requests in flight; per-update failures are decoded from the google.rpc.Status in
 * the `grpc-status-details-bin` trailer and attributed to the entity they concern.
 */
import type * as grpc from '@grpc/grpc-js';
import { grpcCodeName, P4RuntimeRpcError, P4RuntimeWriteError, type UpdateFailure } from './errors.js';
import { p4 } from './generated/p4runtime.js';
import { p4ErrorsFromStatus, statusFromMetadata } from './rpc-status.js';
import type { P4RuntimeStub } from './service.js';

/** Atomicity of a Write batch. */
export type Atomicity = 'CONTINUE_ON_ERROR' | 'ROLLBACK_ON_ERROR' | 'DATAPLANE_ATOMIC';

/** Options of a write. */
export interface WriteOptions {
  /** Default CONTINUE_ON_ERROR. Atomic modes are never split: the updates go in one request. */
  readonly atomicity?: Atomicity;
  /** Updates per request when splitting (CONTINUE_ON_ERROR only). Default 1000. */
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

/** The update type as it appears in messages. */
const TYPE_NAMES: Record<number, string> = { 0: 'UNSPECIFIED', 1: 'INSERT', 2: 'MODIFY', 3: 'DELETE' };

/** Builds INSERT updates. */
export function insert(...entities: p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return entities.map((entity) => ({ type: p4.v1.Update.Type.INSERT, entity }));
}

/** Builds MODIFY updates. */
export function modify(...entities: p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return entities.map((entity) => ({ type: p4.v1.Update.Type.MODIFY, entity }));
}

/** Builds DELETE updates. */
export function remove(...entities: p4.v1.IEntity[]): p4.v1.IUpdate[] {
  return entities.map((entity) => ({ type: p4.v1.Update.Type.DELETE, entity }));
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
  updates: p4.v1.IUpdate[],
  atomicity: Atomicity,
  timeoutMs: number,
): Promise<grpc.ServiceError | undefined> {
  const request: p4.v1.IWriteRequest = {
    ...ctx.base,
    updates,
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
  updates: readonly p4.v1.IUpdate[],
  options: WriteOptions = {},
): Promise<void> {
  const atomicity = options.atomicity ?? 'CONTINUE_ON_ERROR';
  const batchSize =
    atomicity === 'CONTINUE_ON_ERROR' ? Math.max(1, options.batchSize ?? 1000) : Math.max(1, updates.length);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (updates.length === 0) return;

  const failures: UpdateFailure[] = [];
  const batchErrors: P4RuntimeRpcError[] = [];
  let next = 0;

  const describeUpdate = (i: number) => {
    const u = updates[i];
    let entity: string;
    try {
      entity = ctx.describe(u.entity ?? {});
    } catch {
      entity = 'entity';
    }
    return { type: TYPE_NAMES[u.type ?? 0] ?? String(u.type), entity };
  };

  const worker = async (): Promise<void> => {
    while (next < updates.length) {
      const start = next;
      next = Math.min(updates.length, start + batchSize);
      const batch = updates.slice(start, next);
      const error = await sendBatch(ctx, batch, atomicity, timeoutMs);
      if (!error) continue;
      const status = statusFromMetadata(error.metadata);
      const errors = status ? p4ErrorsFromStatus(status) : [];
      if (errors.length === 0) {
        batchErrors.push(
          new P4RuntimeRpcError(`Write (updates ${start}..${next - 1})`, error.code, error.details),
        );
        for (let i = start; i < next; i++) {
          failures.push({
            index: i,
            ...describeUpdate(i),
            code: error.code,
            codeName: grpcCodeName(error.code),
            message: error.details,
            space: '',
            targetCode: 0,
          });
        }
        continue;
      }
      const before = failures.length;
      errors.forEach((e, j) => {
        const code = e.canonicalCode ?? 0;
        if (code === 0 || start + j >= next) return;
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
          new P4RuntimeRpcError(`Write (updates ${start}..${next - 1})`, error.code, error.details),
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
