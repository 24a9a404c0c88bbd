/**
 * A full garbage collection, at once, for the switch's own process. `genevectl target serve
 * --collect-at-load` asks for one at the end of SetForwardingPipelineConfig (DeviceManager
 * `collectGarbageOnLoad`; off by default: it adds some 25 ms to the load for no clear gain in the
 * first writes, docs/ARCHITECTURE.md): parsing
 * the bmv2 JSON and the P4Info and building the program leave garbage and grow the heap, and the
 * major collection that growth starts otherwise lands in the first table writes after the push,
 * whose marking they then pay (docs/ARCHITECTURE.md, "Speed against bmv2"). Collected here, it is
 * part of the pipeline load's time, as bmv2's own parsing is.
 * V8 offers the collection to a context made after `--expose-gc` is set (node:vm), so the process's
 * global object is not changed; a runtime that refuses it collects nothing. (The controller has its
 * own, src/controller/collect-garbage.ts: the switch does not import from the controller.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Collects garbage now; false when the runtime offers no way to. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    const own = (globalThis as { gc?: unknown }).gc;
    if (typeof own === 'function') gc = own as () => void;
    else
      try {
        setFlagsFromString('--expose-gc');
        const made: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
        gc = typeof made === 'function' ? (made as () => void) : null;
      } catch {
        gc = null;
      }
  }
  if (!gc) return false;
  gc();
  return true;
}
