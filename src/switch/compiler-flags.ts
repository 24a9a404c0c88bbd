/**
 * V8's optimizing compiler, tuned for the serving process (`genevectl target serve`). The write path
 * is a chain of small functions; with V8's default inlining budget
 * (`--max-inlined-bytecode-size-cumulative`, 920 bytes of bytecode), each is compiled alone and then
 * again inlined into every caller up the chain, which in the first writes after a pipeline load cost
 * more compile time on V8's background threads than the main thread spent writing. A smaller budget
 * compiles the same functions fewer times (docs/ARCHITECTURE.md, "Speed against bmv2", has the
 * figures: the cold first round cheaper, the warm rounds and packet forwarding no slower).
 * Compiler flags are read when a function is compiled, so setting them once the process runs (before
 * the target is started) applies to everything compiled afterwards.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * `target serve`'s inlining budget (bytes of bytecode inlined into one optimized function). 100
 * compiled less still but made every round's main thread slower; 300 did not.
 */
export const SERVE_INLINING_BUDGET = 300;

/**
 * Turns V8's allocation-site pretenuring on or off for this process. On (V8's default), V8 watches
 * how many of the objects made at each object or array literal survive a young-generation
 * collection and, once most do, makes them in the old generation directly; every optimized
 * function that made them young is then thrown away and compiled again ("code dependencies"). A
 * table write's entry, action and arguments all survive, so in the first writes after a pipeline
 * load the write path's optimized functions (the engine's `place`, `bindAction`, `checkParams`,
 * `actionWithData`) were compiled twice. Off, they are compiled once and those objects are copied
 * out of the young generation by the collector instead. The flag is read by the collector and at
 * each literal, so setting it as the process starts applies to everything after.
 */
export function setAllocationSitePretenuring(on: boolean): void {
  setFlagsFromString(on ? '--allocation-site-pretenuring' : '--no-allocation-site-pretenuring');
}

/** Sets V8's cumulative inlining budget for this process. */
export function setInliningBudget(bytes: number): void {
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${bytes}`);
}
