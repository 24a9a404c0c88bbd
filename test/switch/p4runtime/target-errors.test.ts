// How a device's refusal becomes a P4Runtime status: PI's canonical code and message (UNKNOWN, what
// the server was doing, then the device's message), with the device's reason kept as a code.
import { status as Code } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/switch/core/errors.js';
import { DeviceError, deviceErrorCode } from '../../../src/switch/p4runtime/device/device.js';
import { P4RuntimeStatusError, toStatusError } from '../../../src/switch/p4runtime/frontend/status.js';

const ADD = 'Error when adding match entry to target';

describe('device errors to P4Runtime statuses', () => {
  it.each([
    ['INVALID_ARGUMENT', Code.INVALID_ARGUMENT],
    ['NOT_FOUND', Code.NOT_FOUND],
    ['ALREADY_EXISTS', Code.ALREADY_EXISTS],
    ['RESOURCE_EXHAUSTED', Code.RESOURCE_EXHAUSTED],
    ['FAILED_PRECONDITION', Code.FAILED_PRECONDITION],
    ['PERMISSION_DENIED', Code.PERMISSION_DENIED],
    ['OUT_OF_RANGE', Code.OUT_OF_RANGE],
    ['UNIMPLEMENTED', Code.UNIMPLEMENTED],
  ] as const)('%s: UNKNOWN as PI reports it, the reason kept as the target code', (reason, code) => {
    const e = toStatusError(new DeviceError(reason, "table 'fwd' is full"), ADD);
    expect(e).toBeInstanceOf(P4RuntimeStatusError);
    expect(e.code).toBe(Code.UNKNOWN);
    expect(e.message).toBe(`${ADD}: table 'fwd' is full`);
    expect(e.targetCode).toBe(code);
  });

  it("takes the engine's own errors as device errors (same codes)", () => {
    const engine = new EngineError('RESOURCE_EXHAUSTED', "table 'MyIngress.fwd' is full (64 entries)");
    expect(deviceErrorCode(engine)).toBe('RESOURCE_EXHAUSTED');
    const e = toStatusError(engine, ADD);
    expect([e.code, e.targetCode, e.message]).toEqual([
      Code.UNKNOWN,
      Code.RESOURCE_EXHAUSTED,
      `${ADD}: table 'MyIngress.fwd' is full (64 entries)`,
    ]);
  });

  it('gives a fault of the server itself no target code', () => {
    const e = toStatusError(new TypeError('x is undefined'), ADD);
    expect([e.code, e.targetCode, e.message]).toEqual([Code.UNKNOWN, undefined, `${ADD}: x is undefined`]);
    expect(deviceErrorCode(Object.assign(new Error('odd'), { code: 'ENOENT' }))).toBeUndefined();
    expect(deviceErrorCode('RESOURCE_EXHAUSTED')).toBeUndefined();
  });

  it('passes statuses the server decided itself through unchanged', () => {
    const own = new P4RuntimeStatusError(Code.NOT_FOUND, 'Cannot find match entry');
    expect(toStatusError(own, ADD)).toBe(own);
  });
});
