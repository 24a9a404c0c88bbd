/**
 * google.rpc.Status and google.protobuf.Any helpers shared by P4Runtime clients and servers:
 * P4Runtime reports per-update Write failures as a google.rpc.Status whose `details` hold one
 * packed p4.v1.Error per update, carried in the `grpc-status-details-bin` trailer.
 */
import * as grpc from '@grpc/grpc-js';
import { google, p4 } from './generated/p4runtime.js';

/** Trailer key under which gRPC servers put a serialized google.rpc.Status. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Type URL of packed p4.v1.Error messages. */
export const P4_ERROR_TYPE_URL = `${TYPE_URL_PREFIX}p4.v1.Error`;

/** Packs an encoded message into an Any with the conventional type URL. */
export function packAny(fullName: string, encoded: Uint8Array): google.protobuf.IAny {
  return { type_url: TYPE_URL_PREFIX + fullName, value: encoded };
}

/** The message name of an Any's type URL (text after the last '/'). */
export function anyTypeName(any: google.protobuf.IAny): string {
  const url = any.type_url ?? '';
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * Builds the gRPC status a P4Runtime server returns when a Write batch has failures: the
 * top-level code is UNKNOWN per the spec, and every update gets a p4.v1.Error in order
 * (canonicalCode OK for those that succeeded).
 */
export function writeErrorStatus(
  errors: readonly p4.v1.IError[],
  message?: string,
): Partial<grpc.StatusObject> {
  const failed = errors.filter((e) => (e.canonicalCode ?? 0) !== 0).length;
  const details = errors.map((e) => packAny('p4.v1.Error', p4.v1.Error.encode(e).finish()));
  const text = message ?? `${failed} of ${errors.length} update(s) failed`;
  return richStatus(grpc.status.UNKNOWN, text, details);
}

/** A gRPC status with a google.rpc.Status (code, message, details) attached as trailer. */
export function richStatus(
  code: grpc.status,
  message: string,
  details: readonly google.protobuf.IAny[] = [],
): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  const encoded = google.rpc.Status.encode({ code, message, details: [...details] }).finish();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(encoded));
  return { code, details: message, metadata };
}

/** Decodes the google.rpc.Status from a call's trailing metadata, if the server sent one. */
export function statusFromMetadata(metadata: grpc.Metadata | undefined): google.rpc.Status | undefined {
  const values = metadata?.get(STATUS_DETAILS_KEY) ?? [];
  const raw = values[0];
  if (raw === undefined) return undefined;
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw;
  try {
    return google.rpc.Status.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Unpacks the p4.v1.Error entries of a google.rpc.Status (other detail types are skipped). */
export function p4ErrorsFromStatus(status: google.rpc.IStatus): p4.v1.Error[] {
  const out: p4.v1.Error[] = [];
  for (const detail of status.details ?? []) {
    if (anyTypeName(detail) === 'p4.v1.Error' && detail.value) out.push(p4.v1.Error.decode(detail.value));
  }
  return out;
}
