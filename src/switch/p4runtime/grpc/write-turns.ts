/**
 * Writes applied one at a time, in the order they arrived, each in a turn of the event loop of its
 * own.
 *
 * Why a turn each: Node's HTTP/2 session sends what a turn wrote once that turn ends, and a client
 * that pipelines Writes (the project's client keeps four in flight) has them arrive in one read.
 * Applied in that one turn, all their responses left together, when the last was done, and the
 * client encoded its next requests while this server idled: the two took turns instead of working
 * at once. Answered as each is applied, the first response is on its way while the next Write is
 * applied.
 *
 * Why one at a time: a large Write yields between slices of its updates (device-manager.ts
 * `writeInSlices`), and a second Write must not be applied between them (P4Runtime applies a
 * client's Writes in order; PI serialises them).
 */
export class WriteTurns {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = false;

  /** Runs `apply` after every Write queued before it has finished, in a later turn (it must not reject). */
  enqueue(apply: () => Promise<void>): void {
    this.waiting.push(apply);
    if (this.running) return;
    this.running = true;
    this.next();
  }

  private next(): void {
    const apply = this.waiting.shift();
    if (apply === undefined) {
      this.running = false;
      return;
    }
    // setImmediate: after the I/O of this turn, so the previous response is sent first.
    const after = () => setImmediate(() => this.next());
    apply().then(after, after);
  }
}
