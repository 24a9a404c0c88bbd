import { describe, expect, it } from 'vitest';
import { WriteTurns } from '../../../src/switch/p4runtime/grpc/write-turns.js';

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('WriteTurns', () => {
  it('starts the first at once, and each next only after the one before has finished', async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    const first = deferred();
    const done = deferred();
    turns.enqueue(async () => {
      log.push('a starts');
      await first.promise;
      log.push('a ends');
    });
    turns.enqueue(async () => {
      log.push('b starts');
    });
    turns.enqueue(async () => {
      log.push('c starts');
      done.resolve();
    });
    expect(log).toEqual(['a starts']);
    first.resolve();
    await done.promise;
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'c starts']);
  });

  it('runs the next in a later turn of the event loop, after the I/O of the one before', async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    const done = deferred();
    turns.enqueue(async () => {
      log.push('a');
      // What a response sent by `a` waits for: the end of this turn.
      setImmediate(() => log.push('after a'));
    });
    turns.enqueue(async () => {
      log.push('b');
      done.resolve();
    });
    await done.promise;
    expect(log).toEqual(['a', 'after a', 'b']);
  });

  it('goes on after one that rejected, and starts at once again when idle', async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    const done = deferred();
    turns.enqueue(() => Promise.reject(new Error('refused')));
    turns.enqueue(async () => {
      log.push('b');
      done.resolve();
    });
    await done.promise;
    // Idle once the turn after the last one has passed (b's own continuation runs first).
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    turns.enqueue(async () => {
      log.push('c');
    });
    expect(log).toEqual(['b', 'c']);
  });
});
