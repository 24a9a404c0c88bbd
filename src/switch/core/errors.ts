/**
 * Error types of the embedded bmv2-compatible engine.
 *
 * Three families, so that callers can react precisely:
 * - {@link ConfigError}: the bmv2 JSON cannot be loaded (malformed, or uses a construct the engine does not
 *   implement). Thrown by `Pipeline.load`, always naming the construct and its JSON path.
 * - {@link EngineError}: a control-plane request was refused. Carries a code that maps 1:1 onto a gRPC
 *   status code (see {@link EngineErrorCode}), so a P4Runtime server can forward it unchanged.
 * - {@link PacketProcessingError}: processing one packet failed at run time (e.g. a P4 `assert` failed or a
 *   header-stack index was out of bounds). The engine catches it per packet and reports it in the result.
 */

/** Codes of refused control-plane requests; names equal the gRPC canonical status codes they map to. */
export type EngineErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED';

/** A control-plane request was refused; `code` says why in gRPC terms. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The bmv2 JSON could not be loaded. `path` locates the offending JSON node (e.g. `actions[3].primitives[0]`). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/** Processing of one packet failed; the packet produces no output. */
export class PacketProcessingError extends Error {
  override readonly name = 'PacketProcessingError';
}

/** Shorthand constructors keep call sites short and the codes consistent. */
export const invalidArgument = (message: string): EngineError => new EngineError('INVALID_ARGUMENT', message);
export const notFound = (message: string): EngineError => new EngineError('NOT_FOUND', message);
export const alreadyExists = (message: string): EngineError => new EngineError('ALREADY_EXISTS', message);
