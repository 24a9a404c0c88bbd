// `genevectl target serve` as a separate process, the way an operator runs the embedded target: the
// benchmarks start theirs here and wait for its "waiting for a controller" line.
import { type ChildProcess, spawn } from 'node:child_process';

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
