/**
 * Long synchronous work (a device's diff) written as a generator that yields between steps, run
 * either at once or in slices of a few milliseconds with a turn of the event loop between them: an
 * apply of several devices then goes on reading Write answers and sending the next requests (and
 * the device's own pipeline, which HTTP/2 flow control lets out 64 KiB per round trip) while one
 * device is compared, instead of leaving the devices idle until it ends. (Not the plan: made in
 * slices, its scavenges cost more than the writes gained, docs/FABRIC.md "Scale".)
 */

/** Steps of a computation that returns `T`. */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step now. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Default slice: short, since each HTTP/2 round trip of a request larger than the window waits for
 * one (a 1 MiB pipeline takes about 33); a turn of the loop costs microseconds.
 */
export const SLICE_MS = 4;

/** Runs the steps, giving the event loop a turn (setImmediate: after pending I/O) every `sliceMs`. */
export async function runStepsInSlices<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}
