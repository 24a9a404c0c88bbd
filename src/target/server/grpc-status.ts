/**
 * gRPC statuses the way PI's server sends them: errors coming from the device manager carry a
 * serialized google.rpc.Status in the `grpc-status-details-bin` trailer; a failed Write puts one
 * packed p4.v1.Error per update in that Status's details (top-level code UNKNOWN).
 */
import * as grpc from '@grpc/grpc-js';
import { google, p4 } from '../../p4runtime/generated/p4runtime.js';
import { Code, type P4RuntimeStatusError } from './status.js';

/** Trailer carrying the serialized google.rpc.Status. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** Type URL of packed p4.v1.Error messages. */
export const P4_ERROR_TYPE_URL = 'type.googleapis.com/p4.v1.Error';

/** A status with a google.rpc.Status trailer (code, message, details). */
export function detailedStatus(
  code: grpc.status,
  message: string,
  details: google.protobuf.IAny[] = [],
): grpc.ServerErrorResponse {
  const metadata = new grpc.Metadata();
  metadata.set(
    STATUS_DETAILS_KEY,
    Buffer.from(google.rpc.Status.encode({ code, message, details }).finish()),
  );
  return Object.assign(new Error(message), { code, details: message, metadata });
}

/** Status of a device-manager error (with the details trailer, as PI's `to_grpc_status`). */
export function statusOf(error: P4RuntimeStatusError): grpc.ServerErrorResponse {
  return detailedStatus(error.code, error.message);
}

/** A plain status without details trailer (PI's server-level errors: not primary, no pipeline). */
export function plainStatus(code: grpc.status, message: string): grpc.ServerErrorResponse {
  return Object.assign(new Error(message), { code, details: message });
}

/** Status of a Write batch with failures: UNKNOWN, one p4.v1.Error per update in the details. */
export function writeStatus(errors: readonly p4.v1.IError[]): grpc.ServerErrorResponse {
  const failed = errors.filter((e) => (e.canonicalCode ?? 0) !== Code.OK);
  const details = errors.map((e) => ({ type_url: P4_ERROR_TYPE_URL, value: p4.v1.Error.encode(e).finish() }));
  const first = failed[0]?.message ?? '';
  const message = `${failed.length} of ${errors.length} update(s) failed${first ? `; first: ${first}` : ''}`;
  return detailedStatus(Code.UNKNOWN, message, details);
}
