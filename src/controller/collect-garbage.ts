/**
 * A full garbage collection, at once. The service asks for one when it is primed (service.ts
 * `prime`: every device converged, nothing waits): what its start or a whole reconcile left as
 * garbage (reads, plans, key texts made once) is otherwise collected by the next major collection,
 * whose marking is paid by whatever runs then, the first edits of the file (a one-workload edit of
 * a few milliseconds took 100 ms with 187 ms of CPU when one landed on it; docs/FABRIC.md).
 * V8 offers the collection to a context made after `--expose-gc` is set (node:vm), so the
 * process's own global object is not changed; a runtime that refuses it collects nothing.
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
