/**
 * A typed Geneve option carrying a 32-bit security identifier (e.g. a source group/label used by
 * policy): option data is exactly 4 bytes, the identifier in network byte order.
 */
import type { GeneveOption } from './types.js';

/** Which option (class and 7-bit type) carries the security ID. */
export interface SecurityIdOptionKey {
  /** Option Class, 16 bits. */
  optionClass: number;
  /** Low 7 bits of the option Type. */
  type: number;
  /** When given, only an option with this critical bit matches. */
  critical?: boolean;
}

/** Fields of a security-ID option. */
export interface SecurityIdOptionSpec {
  optionClass: number;
  type: number;
  /** High bit of the Type field, default false. */
  critical?: boolean;
  /** The 32-bit identifier. */
  id: number;
}

function checkUint(value: number, bits: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    throw new RangeError(`security ID option ${field} ${value} is not an integer in 0..${2 ** bits - 1}`);
  }
}

/** Builds a Geneve option whose 4 data bytes hold `id` (big-endian). */
export function securityIdOption(spec: SecurityIdOptionSpec): GeneveOption {
  checkUint(spec.optionClass, 16, 'optionClass');
  checkUint(spec.type, 7, 'type');
  checkUint(spec.id, 32, 'id');
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, spec.id);
  return { optionClass: spec.optionClass, type: spec.type, critical: spec.critical ?? false, data };
}

/**
 * The security ID in the first option matching `key`, or undefined when no option matches. Throws
 * a RangeError when the matching option does not hold exactly 4 data bytes.
 */
export function readSecurityId(
  options: readonly GeneveOption[],
  key: SecurityIdOptionKey,
): number | undefined {
  for (const opt of options) {
    if (opt.optionClass !== key.optionClass || opt.type !== key.type) continue;
    if (key.critical !== undefined && opt.critical !== key.critical) continue;
    if (opt.data.length !== 4) {
      throw new RangeError(
        `security ID option (class 0x${key.optionClass.toString(16).padStart(4, '0')}, type ${key.type}) has ${opt.data.length} data bytes, expected 4`,
      );
    }
    return new DataView(opt.data.buffer, opt.data.byteOffset, 4).getUint32(0);
  }
  return undefined;
}
