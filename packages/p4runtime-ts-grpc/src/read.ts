/** Read RPC as an async iterator over the entities of all streamed responses. */
import type * as grpc from '@grpc/grpc-js';
import { P4RuntimeRpcError } from './errors.js';
import type { p4 } from './wire/generated/p4runtime.js';
import { P4RuntimeService, type P4RuntimeStub } from './wire/p4runtime-service.js';

/** Options of a read. */
export interface ReadOptions {
  /** Deadline for the whole read, ms. Default 60000. */
  readonly timeoutMs?: number;
  /** Aborts the read (the iterator then throws). */
  readonly signal?: AbortSignal;
}

/**
 * Streams the entities matching `request`. Breaking out of the loop cancels the call.
 * gRPC failures surface as {@link P4RuntimeRpcError}.
 */
export async function* readEntities(
  stub: P4RuntimeStub,
  request: p4.v1.IReadRequest,
  metadata: grpc.Metadata,
  options: ReadOptions = {},
): AsyncGenerator<p4.v1.IEntity, void, undefined> {
  const call = stub.read(request, metadata, { deadline: deadlineOf(options) });
  for await (const response of drain<p4.v1.ReadResponse>(call, options))
    for (const entity of response.entities) yield entity;
}

/**
 * Streams the ReadResponse messages of `request` undecoded, as the bytes the server sent (for a
 * caller that parses only what it needs of a large read). Failures as in {@link readEntities}.
 */
export async function* readResponseBytes(
  stub: P4RuntimeStub,
  request: p4.v1.IReadRequest,
  metadata: grpc.Metadata,
  options: ReadOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const method = P4RuntimeService.read;
  const call = stub.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    (bytes: Buffer) => bytes,
    request,
    metadata,
    { deadline: deadlineOf(options) },
  );
  yield* drain<Buffer>(call, options);
}

const deadlineOf = (options: ReadOptions): number => Date.now() + (options.timeoutMs ?? 60_000);

/**
 * Yields what a Read call streams; an abort or an early break cancels the call, and gRPC failures
 * surface as {@link P4RuntimeRpcError}.
 */
async function* drain<T>(call: grpc.ClientReadableStream<unknown>, options: ReadOptions): AsyncGenerator<T> {
  const abort = () => call.cancel();
  options.signal?.addEventListener('abort', abort, { once: true });
  let finished = false;
  try {
    for await (const item of call as AsyncIterable<T>) yield item;
    finished = true;
  } catch (error) {
    const e = error as grpc.ServiceError;
    if (typeof e.code === 'number') throw new P4RuntimeRpcError('Read', e.code, e.details ?? e.message);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    if (!finished) call.cancel();
  }
}
