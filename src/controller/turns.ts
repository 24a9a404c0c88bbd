/**
 * Turns taken one at a time, in the order asked: an apply's devices plan and compare one after
 * another (the diff giving the event loop turns, wire-diff.ts `diffWireInSlices`), so that the
 * first device's pipeline and writes go out while the next is planned, instead of the next
 * device's plan cutting into the first one's diff.
 */
export class Turns {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for the turns asked before this one to end; resolves with the function that ends it. */
  take(): Promise<() => void> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const before = this.tail;
    this.tail = before.then(() => ended);
    return before.then(() => end);
  }
}
