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
