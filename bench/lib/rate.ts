// Operations per second of a synchronous function on one core: a JIT warm-up, then five rounds of
// one second each, reporting the median round (robust against one round hit by the other core's load).

let sink = 0;

/** Median ops/s of `fn` over five one-second rounds; `fn`'s return value is kept alive in a sink. */
export function medianRate(fn: () => number, batch: number, warmupBatches = 5): number {
  for (let i = 0; i < batch * warmupBatches; i++) sink += fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    let ops = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < 1e9) {
      for (let i = 0; i < batch; i++) sink += fn();
      ops += batch;
      elapsed = Number(process.hrtime.bigint() - start);
    }
    rounds.push(ops / (elapsed / 1e9));
  }
  rounds.sort((a, b) => a - b);
  return rounds[2];
}

/** Read by benches after measuring, so that the work cannot be optimised away. */
export function sinkValue(): number {
  return sink;
}
