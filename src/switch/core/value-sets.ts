/**
 * Parser value sets (`value_set<T>` in P4_16, `parse_vsets` in bmv2 JSON). Members are stored packed:
 * the select key fields concatenated without padding (bmv2's "compressed" form). Keys of up to 32 bits are
 * numbers, wider ones bigints, matching the parser's packed select key.
 */
import { maskBig } from './bits.js';
import { EngineError, invalidArgument } from './errors.js';

export interface ValueSetDef {
  readonly name: string;
  readonly jsonId: number;
  readonly index: number;
  /** Width of a member in bits (sum of the select key field widths). */
  readonly bitwidth: number;
  /** Widths of the select key fields, as used by the parser state(s) matching on the set. */
  readonly fieldWidths: readonly number[];
  /** Maximum number of members (from the JSON `max_size`, 0 when unknown). */
  readonly maxSize: number;
}

type Packed = number | bigint;

export class ValueSetState {
  private members: Packed[] = [];
  private set = new Set<Packed>();
  private readonly masked = new Map<Packed, Set<Packed>>();

  constructor(readonly def: ValueSetDef) {}

  private pack(v: bigint): Packed {
    return this.def.bitwidth <= 32 ? Number(v) : v;
  }

  /**
   * Replaces the members. Each member is given as one value per select-key field (or, for convenience,
   * a single already-packed value when the set has exactly one field).
   */
  setMembers(members: readonly (readonly bigint[])[]): void {
    const widths = this.def.fieldWidths;
    if (this.def.maxSize > 0 && members.length > this.def.maxSize) {
      throw new EngineError(
        'RESOURCE_EXHAUSTED',
        `value set '${this.def.name}' holds at most ${this.def.maxSize} members, got ${members.length}`,
      );
    }
    const packed: Packed[] = [];
    for (const [mi, m] of members.entries()) {
      if (m.length !== widths.length) {
        throw invalidArgument(
          `value set '${this.def.name}' member #${mi} has ${m.length} field(s), expected ${widths.length}`,
        );
      }
      let v = 0n;
      m.forEach((x, i) => {
        if (x < 0n || x > maskBig(widths[i])) {
          throw invalidArgument(
            `value set '${this.def.name}' member #${mi} field #${i} value ${x} does not fit in ${widths[i]} bits`,
          );
        }
        v = (v << BigInt(widths[i])) | x;
      });
      packed.push(this.pack(v));
    }
    this.members = packed;
    this.set = new Set(packed);
    this.masked.clear();
  }

  /** Current members, one value per field. */
  getMembers(): bigint[][] {
    const widths = this.def.fieldWidths;
    return this.members.map((p) => {
      let v = BigInt(p);
      const out: bigint[] = new Array(widths.length);
      for (let i = widths.length - 1; i >= 0; i--) {
        out[i] = v & maskBig(widths[i]);
        v >>= BigInt(widths[i]);
      }
      return out;
    });
  }

  contains(key: Packed): boolean {
    return this.set.has(key);
  }

  /** bmv2 masks both the stored members and the key with the transition's mask. */
  containsMasked(key: Packed, mask: bigint): boolean {
    const m = this.pack(mask);
    let s = this.masked.get(m);
    if (!s) {
      s = new Set(this.members.map((x) => andPacked(x, m)));
      this.masked.set(m, s);
    }
    return s.has(andPacked(key, m));
  }

  clear(): void {
    this.setMembers([]);
  }
}

function andPacked(a: Packed, b: Packed): Packed {
  if (typeof a === 'number' && typeof b === 'number') return (a & b) >>> 0;
  return BigInt(a) & BigInt(b);
}
