// `genevectl target serve` as a separate process, the way an operator runs the embedded target: the
// benchmarks start theirs here and wait for its "waiting for a controller" line.
import { type ChildProcess, spawn } from 'node:child_process';
import { childPids } from './process-cpu.js';

export interface ServeOptions {
  /** Options of `target serve` after `--grpc`. */
  readonly args?: readonly string[];
  /** Options of node itself (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** Copy what the server prints to stderr. */
  readonly log?: boolean;
}

export async function serveEmbeddedTarget(port: number, options: ServeOptions = {}): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      'src/cli/main.ts',
      'target',
      'serve',
      '--grpc',
      `127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (options.log) process.stderr.write(d);
      if (d.toString().includes('waiting for a controller')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`genevectl target serve exited with ${code}`)));
  });
  return child;
}

/**
 * The process that serves: `target serve` starts itself again in a node with its heap size
 * (src/cli/serve-heap.ts) unless node was given one, so the process started is then only the
 * first one, and the server is its child. For figures of the server's own threads.
 */
export function servingPid(child: ChildProcess): number | undefined {
  if (child.pid === undefined) return undefined;
  return childPids(child.pid)[0] ?? child.pid;
}

/** Starts one target per port; if one fails to start, stops those that did, then fails. */
export async function serveAll(
  ports: readonly number[],
  start: (port: number, index: number) => Promise<ChildProcess>,
): Promise<ChildProcess[]> {
  const started = await Promise.allSettled(ports.map(start));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed === undefined) return started.map((r) => (r as PromiseFulfilledResult<ChildProcess>).value);
  for (const r of started) if (r.status === 'fulfilled') r.value.kill('SIGTERM');
  throw failed.reason;
}
