// The service collects the garbage of its start once primed (src/collect-garbage.ts): the collection
// must be a full one, done at once, with or without --expose-gc.
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/collect-garbage.js';

describe('a garbage collection asked for', () => {
  it('collects at once what nothing holds', async () => {
    // Made in a job of its own: a WeakRef holds its target until the job that made it ends.
    const ref = await new Promise<WeakRef<object>>((resolve) =>
      setImmediate(() => resolve(new WeakRef({ payload: new Uint8Array(1 << 20) }))),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(collectGarbage()).toBe(true);
    expect(ref.deref()).toBeUndefined();
  });
});
