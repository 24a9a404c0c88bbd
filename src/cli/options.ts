/** Parsers for command-line option values that fail with the option and value named. */
import { InvalidArgumentError } from 'commander';

export function integerOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number ${min}..${max}, got '${value}'`);
    }
    return n;
  };
}

export function addressOption(value: string): string {
  if (!/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(value)) {
    throw new InvalidArgumentError(`expected host:port, got '${value}'`);
  }
  return value;
}

/** A host:port to listen on: loopback only (the embedded target's P4Runtime is unauthenticated). */
export function loopbackAddressOption(value: string): string {
  addressOption(value);
  const host = value.slice(0, value.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  if (host !== 'localhost' && host !== '::1' && !/^127\.\d+\.\d+\.\d+$/.test(host))
    throw new InvalidArgumentError(
      `'${value}' is not a loopback address: the embedded target listens on 127.0.0.1 or ::1 only`,
    );
  return value;
}
