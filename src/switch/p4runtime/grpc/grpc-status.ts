/**
 * gRPC statuses the way PI's server sends them: errors coming from the device manager carry a
 * serialized google.rpc.Status in the `grpc-status-details-bin` trailer; a failed Write puts one
 * packed p4.v1.Error per update in that Status's details (top-level code UNKNOWN).
 */
import * as grpc from '@grpc/grpc-js';
import { google, p4 } from 'p4runtime-ts-grpc/wire';
import { Code, type P4RuntimeStatusError } from '../frontend/status.js';

/** Trailer carrying the serialized google.rpc.Status. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** Type URL of packed p4.v1.Error messages. */
export const P4_ERROR_TYPE_URL = 'type.googleapis.com/p4.v1.Error';

/**
 * Most bytes of the serialized google.rpc.Status trailer. It travels base64-encoded in one HTTP/2
 * header, and nghttp2 (under Node) cannot read a header over 64 KiB: a bigger one leaves the
 * client's connection stalled without an answer. 45,000 bytes are 60,000 in base64.
 */
export const MAX_STATUS_DETAILS_BYTES = 45_000;
/** Most characters of one error message (a message may quote a value the client sent). */
export const MAX_ERROR_MESSAGE_CHARS = 512;
/** Failures whose messages are kept in full when the details must be summarised. */
const DETAILED_FAILURES = 20;

/** `text` cut to `max` characters, saying how much was left out. */
export function capMessage(text: string, max = MAX_ERROR_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/** A status with a google.rpc.Status trailer (code, message, details). */
export function detailedStatus(
  code: grpc.status,
  rawMessage: string,
  details: google.protobuf.IAny[] = [],
): grpc.ServerErrorResponse {
  const message = capMessage(rawMessage);
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
export function plainStatus(code: grpc.status, rawMessage: string): grpc.ServerErrorResponse {
  const message = capMessage(rawMessage);
  return Object.assign(new Error(message), { code, details: message });
}

function packErrors(errors: readonly p4.v1.IError[]): google.protobuf.IAny[] {
  return errors.map((e) => ({ type_url: P4_ERROR_TYPE_URL, value: p4.v1.Error.encode(e).finish() }));
}

function encodedSize(details: readonly google.protobuf.IAny[]): number {
  // Each detail: its bytes plus a tag and a length prefix of at most 3 bytes.
  let n = 0;
  for (const d of details) n += (d.type_url?.length ?? 0) + (d.value?.length ?? 0) + 8;
  return n;
}

/**
 * Per-update details within {@link MAX_STATUS_DETAILS_BYTES}: messages capped; if still too big,
 * only the first failures keep a message (the others keep their code); if even that does not fit
 * (a batch of thousands of updates), none, and the status message says so.
 */
function boundedDetails(errors: readonly p4.v1.IError[]): {
  details: google.protobuf.IAny[];
  note: string;
} {
  const capped = errors.map((e) => (e.message ? { ...e, message: capMessage(e.message) } : e));
  let details = packErrors(capped);
  if (encodedSize(details) <= MAX_STATUS_DETAILS_BYTES) return { details, note: '' };
  let kept = 0;
  const summarised = capped.map((e) => {
    if ((e.canonicalCode ?? 0) === Code.OK) return e;
    kept++;
    return kept <= DETAILED_FAILURES ? e : { canonicalCode: e.canonicalCode };
  });
  details = packErrors(summarised);
  if (encodedSize(details) <= MAX_STATUS_DETAILS_BYTES)
    return { details, note: `; messages of failures after the first ${DETAILED_FAILURES} left out` };
  return {
    details: [],
    note:
      `; per-update details left out: ${errors.length} updates exceed what a status trailer carries ` +
      `(${MAX_STATUS_DETAILS_BYTES} bytes), send smaller batches`,
  };
}

/**
 * Status of a Write batch with failures: UNKNOWN, one p4.v1.Error per update in the details, in
 * order, kept within what an HTTP/2 header carries (see {@link boundedDetails}).
 */
export function writeStatus(errors: readonly p4.v1.IError[]): grpc.ServerErrorResponse {
  const failed = errors.filter((e) => (e.canonicalCode ?? 0) !== Code.OK);
  const { details, note } = boundedDetails(errors);
  const first = failed[0]?.message ? `; first: ${capMessage(failed[0].message, 200)}` : '';
  const message = `${failed.length} of ${errors.length} update(s) failed${first}${note}`;
  return detailedStatus(Code.UNKNOWN, message, details);
}
