/** The P4RuntimeWriteError a write rejects with; anything else (or success) fails the test. */
import { P4RuntimeWriteError } from '../../packages/p4runtime-ts-grpc/src/errors.js';

export async function writeError(promise: Promise<void>): Promise<P4RuntimeWriteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof P4RuntimeWriteError))
    throw new Error(`expected a P4RuntimeWriteError, got ${error}`);
  return error;
}
