// `genevectl target serve` runs its server in a node started with the heap size it needs
// (src/cli/serve-heap.ts): the node arguments chosen, and the two processes as an operator sees
// them (one server, with the size; signals passed on; nothing left behind when the first dies).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { SERVE_OLD_SPACE_MB, serveHeapArgs, serveHeapArgsOf } from '../../src/cli/serve-heap.js';
import { CLI } from './helpers.js';

describe('serveHeapArgs', () => {
  it('starts the server again with the old generation size, keeping the node arguments given', () => {
    expect(serveHeapArgs(SERVE_OLD_SPACE_MB, ['--import', 'tsx'], {})).toEqual([
      '--import',
      'tsx',
      `--initial-old-space-size=${SERVE_OLD_SPACE_MB}`,
    ]);
    expect(serveHeapArgs(64, [], {})).toEqual(['--initial-old-space-size=64']);
  });

  it('serves in this process when node has a size, 0 asks for none, or it was started for it', () => {
    expect(serveHeapArgs(160, ['--initial-old-space-size=32'], {})).toBeUndefined();
    expect(serveHeapArgs(160, ['--initial_old_space_size=32'], {})).toBeUndefined();
    expect(
      serveHeapArgs(160, [], { NODE_OPTIONS: '--max-old-space-size=4096 --initial-old-space-size=96' }),
    ).toBeUndefined();
    expect(serveHeapArgs(0, [], {})).toBeUndefined();
    expect(serveHeapArgs(160, [], { GENEVECTL_SERVE_HEAP: '1' })).toBeUndefined();
    expect(serveHeapArgs(160, ['--inspect=9229'], {})).toBeUndefined();
    expect(serveHeapArgs(160, ['--inspect-brk'], {})).toBeUndefined();
    // Other heap flags are the operator's too, and kept.
    expect(serveHeapArgs(160, ['--max-old-space-size=4096'], { NODE_OPTIONS: '--trace-gc' })).toEqual([
      '--max-old-space-size=4096',
      '--initial-old-space-size=160',
    ]);
  });
});

describe('serveHeapArgsOf (genevectl arguments, read before the CLI is loaded)', () => {
  it('starts a new node for target serve only, with its --old-space', () => {
    const of = (...argv: string[]) => serveHeapArgsOf(argv, [], {});
    expect(of('target', 'serve', '--grpc', '127.0.0.1:9559')).toEqual([
      `--initial-old-space-size=${SERVE_OLD_SPACE_MB}`,
    ]);
    expect(of('--debug', 'target', 'serve')).toEqual([`--initial-old-space-size=${SERVE_OLD_SPACE_MB}`]);
    expect(of('target', 'serve', '--old-space', '64')).toEqual(['--initial-old-space-size=64']);
    expect(of('target', 'serve', '--old-space=96', '--cpu-port', '255')).toEqual([
      '--initial-old-space-size=96',
    ]);
    expect(of('target', 'serve', '--old-space', '0')).toBeUndefined();
    expect(of('apply', 'examples/fabric.yaml')).toBeUndefined();
    expect(of('target')).toBeUndefined();
    expect(of('controller', 'run', '-f', 'fabric.yaml')).toBeUndefined();
    // Left to the parser: help, and a value it refuses by name.
    expect(of('target', 'serve', '--help')).toBeUndefined();
    expect(of('target', 'serve', '--old-space', 'big')).toBeUndefined();
    expect(serveHeapArgsOf(['target', 'serve'], ['--initial-old-space-size=32'], {})).toBeUndefined();
  });
});

const children = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
const commandLine = (pid: number): string[] =>
  readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

/** `target serve` started as an operator starts it, resolved once it waits for a controller. */
async function serve(extra: readonly string[] = []): Promise<{ first: ChildProcess; closed: Promise<void> }> {
  const first = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'target', 'serve', '--grpc', '127.0.0.1:0', ...extra],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // The output pipe closes when every process holding it (the first one and the server) is gone.
  const closed = new Promise<void>((resolve) => first.stdout?.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    first.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('waiting for a controller')) resolve();
    });
    first.once('exit', (code) => reject(new Error(`target serve exited with ${code}: ${out}`)));
  });
  return { first, closed };
}

describe('target serve and its heap (Linux /proc)', () => {
  it('serves in one child node given the size; SIGTERM to the first stops both, exit 0', async () => {
    const { first, closed } = await serve();
    const [server, ...more] = children(first.pid!);
    expect(more).toEqual([]);
    expect(commandLine(server)).toContain(`--initial-old-space-size=${SERVE_OLD_SPACE_MB}`);
    expect(commandLine(server)).toEqual(expect.arrayContaining(['target', 'serve', '--grpc', '127.0.0.1:0']));
    expect(children(server)).toEqual([]);
    const exit = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    expect(await exit).toBe(0);
    await closed;
  });

  it('leaves no server behind when the first process is killed', async () => {
    const { first, closed } = await serve();
    expect(children(first.pid!)).toHaveLength(1);
    first.kill('SIGKILL');
    // Resolves only once the server, which holds the same output pipe, has ended too.
    await closed;
  });

  it('--old-space 0 serves in the process started', async () => {
    const { first, closed } = await serve(['--old-space', '0']);
    expect(children(first.pid!)).toEqual([]);
    expect(commandLine(first.pid!)).not.toContain(`--initial-old-space-size=${SERVE_OLD_SPACE_MB}`);
    first.kill('SIGINT');
    await closed;
  });
});
