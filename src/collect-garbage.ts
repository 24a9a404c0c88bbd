/**
 * A full garbage collection, at once, for the processes that run a long-lived service: the
 * controller's (service.ts `prime`: its start's or a whole reconcile's garbage, collected once
 * every device is converged, so that no major collection of it lands on the first edits of the
 * file; docs/FABRIC.md) and the embedded target's (`genevectl target serve --collect-at-load`:
 * the pipeline load's garbage, as part of the load; docs/ARCHITECTURE.md). Shared by both, as
 * role-config.ts is: neither imports from the other.
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
