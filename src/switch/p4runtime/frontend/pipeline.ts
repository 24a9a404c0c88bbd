/**
 * What every entity manager works with once a pipeline is installed: the P4Info model, the device
 * program's description and its control plane.
 */
import type Long from 'long';
import protobuf from 'protobufjs/minimal.js';
import type { DeviceControl, DeviceProgramInfo } from '../device/device.js';
import type { P4InfoModel } from './p4info-model.js';
import { Code, P4RuntimeStatusError } from './status.js';

export interface PipelineContext {
  readonly model: P4InfoModel;
  readonly info: DeviceProgramInfo;
  readonly control: DeviceControl;
}

/** p4.v1.Update.Type values. */
export const UpdateType = { UNSPECIFIED: 0, INSERT: 1, MODIFY: 2, DELETE: 3 } as const;

export type UpdateKind = 'INSERT' | 'MODIFY' | 'DELETE';

/**
 * Validates an update type the way every PI entity writer does: UNSPECIFIED is "Update type is not
 * set", anything unknown is "Invalid update type" (both INVALID_ARGUMENT).
 */
export function updateKind(type: number | null | undefined): UpdateKind {
  switch (type ?? 0) {
    case UpdateType.INSERT:
      return 'INSERT';
    case UpdateType.MODIFY:
      return 'MODIFY';
    case UpdateType.DELETE:
      return 'DELETE';
    case UpdateType.UNSPECIFIED:
      throw new UpdateTypeError('Update type is not set');
    default:
      throw new UpdateTypeError(`Invalid update type: ${type}`);
  }
}

class UpdateTypeError extends P4RuntimeStatusError {
  constructor(message: string) {
    super(Code.INVALID_ARGUMENT, message);
  }
}

/** Converts a protobuf 64-bit field (number, Long or string) to bigint. */
export function toBigInt(value: number | string | { toString(): string } | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  // A Long (every 64-bit field of a decoded message): from its two halves, not through a string.
  const long = value as { low?: unknown; high?: unknown; unsigned?: unknown };
  if (typeof long.low === 'number' && typeof long.high === 'number') {
    if (long.high === 0 && long.low >= 0) return long.low === 0 ? 0n : BigInt(long.low);
    const bits = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
    return long.unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return BigInt(value.toString());
}

const LongImpl = protobuf.util.Long as unknown as typeof Long;

/** A 64-bit protobuf field value from a bigint: a plain number when exactly representable. */
export function longField(value: bigint, unsigned = false): number | Long {
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(value);
  return LongImpl.fromString(value.toString(), unsigned);
}
