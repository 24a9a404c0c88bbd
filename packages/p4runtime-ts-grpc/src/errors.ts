/**
 * Error classes raised by the P4Runtime client. Every error names what was wrong (object,
 * field, value, width) so that a failing call can be fixed without reading the source.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

/** Base class of every error thrown by this package. */
export class P4RuntimeError extends Error {
  override name = 'P4RuntimeError';
}

/** A value could not be encoded for, or decoded from, a P4 field of a given bit width. */
export class ValueError extends P4RuntimeError {
  override name = 'ValueError';
  constructor(
    /** What the value was for, e.g. `table ingress.fwd, match field dst_mac`. */
    readonly field: string,
    /** The offending value, rendered for humans. */
    readonly value: string,
    readonly bitwidth: number,
    reason: string,
  ) {
    super(`${field}: ${reason} (value ${value}, bit width ${bitwidth})`);
  }
}

/** A name or id is not in the P4Info; `suggestions` holds the closest known names. */
export class P4InfoLookupError extends P4RuntimeError {
  override name = 'P4InfoLookupError';
  constructor(
    /** Kind of object looked up, e.g. `table`, `action`, `match field of table ingress.fwd`. */
    readonly kind: string,
    readonly key: string | number,
    readonly suggestions: readonly string[],
  ) {
    const hint =
      suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?` : '';
    super(`unknown ${kind} ${typeof key === 'number' ? `id ${key}` : `'${key}'`}${hint}`);
  }
}

/** Malformed P4Info input (JSON, text or binary). */
export class P4InfoParseError extends P4RuntimeError {
  override name = 'P4InfoParseError';
}

/** An entity description is inconsistent with the P4Info (missing key, wrong action, ...). */
export class EntityError extends P4RuntimeError {
  override name = 'EntityError';
}

/** Readable name of a gRPC status code (e.g. 6 -> `ALREADY_EXISTS`). */
export function grpcCodeName(code: number): string {
  return GrpcStatus[code] ?? `CODE_${code}`;
}

/** A gRPC call failed (transport or server error that is not a per-update Write error). */
export class P4RuntimeRpcError extends P4RuntimeError {
  override name = 'P4RuntimeRpcError';
  constructor(
    readonly rpc: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`${rpc} failed: ${grpcCodeName(code)}: ${details}`);
  }
}

/** One failed update of a Write batch, attributed to the entity it was about. */
export interface UpdateFailure {
  /** Position of the update in the list given to `write` (across all batches). */
  readonly index: number;
  /** `INSERT`, `MODIFY` or `DELETE`. */
  readonly type: string;
  /** Human description of the entity, e.g. `table ingress.fwd {dst_mac=0x20000000001}`. */
  readonly entity: string;
  /** google.rpc.Code of the failure. */
  readonly code: number;
  readonly codeName: string;
  readonly message: string;
  /** Target-specific error space and code, when the server set them. */
  readonly space: string;
  readonly targetCode: number;
}

/**
 * A Write (possibly split into several batches) had failing updates. `failures` lists each
 * failed update with its index and entity; `batchErrors` holds batches that failed as a whole
 * without per-update details (e.g. PERMISSION_DENIED when not primary).
 */
export class P4RuntimeWriteError extends P4RuntimeError {
  override name = 'P4RuntimeWriteError';
  constructor(
    readonly failures: readonly UpdateFailure[],
    readonly batchErrors: readonly P4RuntimeRpcError[],
    readonly totalUpdates: number,
  ) {
    const shown = failures
      .slice(0, 5)
      .map((f) => `#${f.index} ${f.type} ${f.entity}: ${f.codeName}: ${f.message}`);
    const more = failures.length > 5 ? [`... and ${failures.length - 5} more`] : [];
    const batch = batchErrors.map((e) => e.message);
    super(
      `${failures.length} of ${totalUpdates} update(s) failed` +
        (batchErrors.length > 0 ? ` (${batchErrors.length} batch(es) rejected as a whole)` : '') +
        `\n  ${[...shown, ...more, ...batch].join('\n  ')}`,
    );
  }
}

/** An operation needs the primary role but this client is a backup. */
export class NotPrimaryError extends P4RuntimeError {
  override name = 'NotPrimaryError';
}
