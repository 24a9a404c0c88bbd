/**
 * Mutable run-time state of one engine instance: table contents, action profiles, externs and the
 * architecture settings compiled closures need (drop port, clock, random generator). A compiled
 * {@link Program} is immutable and can back several runtimes.
 */
import type { HashAlgorithm } from './hash.js';
import type { ActionProfileState } from './profiles.js';
import type { Rng } from './rng.js';
import type { PacketRuntime } from './state.js';
import type { CounterArrayState, MeterArrayState, RegisterArrayState } from './stateful.js';
import type { TableState } from './tables.js';
import type { ValueSetState } from './value-sets.js';

/** The full runtime; compiled closures see it through its narrower {@link PacketRuntime} view. */
export interface Runtime extends PacketRuntime {
  readonly tables: TableState[];
  readonly profiles: ActionProfileState[];
  /** Indirect counter arrays, by program index. */
  readonly counters: CounterArrayState[];
  /** All meter arrays (direct meter arrays keep their configuration per table entry instead). */
  readonly meters: MeterArrayState[];
  readonly registers: RegisterArrayState[];
  readonly valueSets: ValueSetState[];
  /** One hash instance per calculation (some algorithms, like round_robin, are stateful). */
  readonly hashes: HashAlgorithm[];
  readonly rng: Rng;
  /** Current time in microseconds since the engine started. */
  readonly now: () => number;
  /** The architecture's drop port (the output port value meaning "drop"). */
  readonly dropPort: number;
}
