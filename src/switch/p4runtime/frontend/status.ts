/**
 * Errors raised while serving P4Runtime. Each carries the google.rpc canonical code that PI's
 * P4Runtime server (the one inside bmv2's simple_switch_grpc) returns for the same situation,
 * and a message that starts with PI's wording and then names the offending entity.
 */
import { status as Code } from '@grpc/grpc-js';
import { deviceErrorCode } from '../device/device.js';

export { Code };

/** A request (or one update of a Write batch) was refused with `code`. */
export class P4RuntimeStatusError extends Error {
  override readonly name = 'P4RuntimeStatusError';
  constructor(
    readonly code: Code,
    message: string,
    /** When the device refused: its reason, as a canonical code (see {@link toStatusError}). */
    readonly targetCode?: Code,
  ) {
    super(message);
  }
}

/** Throws-friendly constructor: `throw statusError(Code.NOT_FOUND, 'Cannot find match entry', ...)`. */
export function statusError(code: Code, message: string, detail?: string): P4RuntimeStatusError {
  // PI's text comes first; a trailing period would read badly before the detail.
  return new P4RuntimeStatusError(code, detail ? `${message.replace(/\.$/, '')}: ${detail}` : message);
}

export const invalidArgument = (message: string, detail?: string): P4RuntimeStatusError =>
  statusError(Code.INVALID_ARGUMENT, message, detail);
export const notFound = (message: string, detail?: string): P4RuntimeStatusError =>
  statusError(Code.NOT_FOUND, message, detail);
export const alreadyExists = (message: string, detail?: string): P4RuntimeStatusError =>
  statusError(Code.ALREADY_EXISTS, message, detail);
export const unimplemented = (message: string, detail?: string): P4RuntimeStatusError =>
  statusError(Code.UNIMPLEMENTED, message, detail);
export const unknownError = (message: string, detail?: string): P4RuntimeStatusError =>
  statusError(Code.UNKNOWN, message, detail);
export const internalError = (message: string, detail?: string): P4RuntimeStatusError =>
  statusError(Code.INTERNAL, message, detail);

/** Canonical code name, e.g. 6 -> `ALREADY_EXISTS`. */
export function codeName(code: number): string {
  return Code[code] ?? `CODE_${code}`;
}

/**
 * Converts anything thrown while handling a request into a status error, the way PI reports a
 * failure of the target: UNKNOWN, whatever the target's reason (PI's device_mgr.cpp: "We don't yet
 * have a mapping from PI error codes to ::google::rpc::Code values, so for now we almost always
 * return UNKNOWN"), with `targetContext` (PI's message, e.g. "Error when adding match entry to
 * target") in front of the device's message. A device's refusal carries a code
 * ({@link deviceErrorCode}); it is kept as `targetCode`, which a Write reports in the update's
 * `p4.v1.Error.code` (space `ALL-sswitch-p4org`, where PI leaves 0). Anything else thrown (a fault
 * of the server itself) has no target code.
 */
export function toStatusError(error: unknown, targetContext: string): P4RuntimeStatusError {
  if (error instanceof P4RuntimeStatusError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const reason = deviceErrorCode(error);
  return new P4RuntimeStatusError(
    Code.UNKNOWN,
    `${targetContext}: ${detail}`,
    reason === undefined ? undefined : Code[reason],
  );
}

/** Runs `operation` against the device; any non-status error becomes UNKNOWN `targetContext: ...`. */
export function onTarget<T>(targetContext: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toStatusError(error, targetContext);
  }
}
