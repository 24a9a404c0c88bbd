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
  const call = stub.read(request, metadata, { deadline: Date.now() + (options.timeoutMs ?? 60_000) });
  const abort = () => call.cancel();
  options.signal?.addEventListener('abort', abort, { once: true });
  let finished = false;
  try {
    for await (const response of call as AsyncIterable<p4.v1.ReadResponse>) {
      for (const entity of response.entities) yield entity;
    }
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
    { deadline: Date.now() + (options.timeoutMs ?? 60_000) },
  );
  const abort = () => call.cancel();
  options.signal?.addEventListener('abort', abort, { once: true });
  let finished = false;
  try {
    for await (const bytes of call as AsyncIterable<Buffer>) yield bytes;
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
