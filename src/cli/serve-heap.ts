/**
 * The heap of the `genevectl target serve` process. A target holds every entry written to it for as
 * long as it runs, so its heap grows with each large write (some 400 bytes per entry kept: 60 MB for
 * the 145,000 entries of one device of the controller bench's fabric); each full collection while it
 * grows marks all that is kept so far, and V8, sizing the old generation from a young process's
 * small heap, makes three or four of them in such a load (1 to 2.5 µs of CPU per entry written,
 * mostly on its marking threads; docs/ARCHITECTURE.md). So the server runs with an old generation
 * of {@link SERVE_OLD_SPACE_MB} MB before its first full collection, as a server's heap is sized at
 * its start. V8 takes heap sizes only when the process starts (`--initial-old-space-size`; a flag set
 * by the running process changes nothing), so `genevectl target serve` starts itself again with it
 * (main.ts, before it loads the CLI), unless
 * node was already given a size (the operator's choice stands) or `--old-space 0` asks for V8's own.
 * The first process only passes signals on and exits as the server does.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Initial old generation of the serving process, MB (`target serve --old-space`). */
export const SERVE_OLD_SPACE_MB = 160;

/** Set in the started process's environment: it serves, never starts another. */
const STARTED = 'GENEVECTL_SERVE_HEAP';

const SIZE_FLAG = '--initial-old-space-size';

/** Whether node was started with an initial old generation size (here or in NODE_OPTIONS). */
function sized(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const given = (arg: string) =>
    arg === SIZE_FLAG || arg.startsWith(`${SIZE_FLAG}=`) || arg.startsWith('--initial_old_space_size');
  return execArgv.some(given) || (nodeOptions ?? '').split(/\s+/).some(given);
}

/**
 * The node arguments to start the server with for an old generation of `mb` MB, or undefined when
 * this process serves as it is: `mb` is 0, node was given a size or runs under the inspector, or it
 * was started here already.
 */
export function serveHeapArgs(
  mb: number,
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  if (mb === 0 || env[STARTED] === '1' || sized(execArgv, env.NODE_OPTIONS)) return undefined;
  // A node started under the inspector is being debugged: the server stays where the debugger is
  // (a second node would try to open the same inspector port).
  if (execArgv.some((a) => a.startsWith('--inspect'))) return undefined;
  return [...execArgv, `${SIZE_FLAG}=${mb}`];
}

/**
 * For `genevectl` arguments (after node and the script): when they run `target serve`, the node
 * arguments to serve in (its `--old-space`, {@link SERVE_OLD_SPACE_MB} when not given), else
 * undefined. Read before the command line is parsed, so that the first process loads nothing of
 * the CLI; anything unusual (help, a value that is not a number) is left to the parser.
 */
export function serveHeapArgsOf(
  argv: readonly string[],
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  // `--debug` is genevectl's only option before a command.
  const words = argv.filter((a) => a !== '--debug');
  if (words[0] !== 'target' || words[1] !== 'serve') return undefined;
  let mb = SERVE_OLD_SPACE_MB;
  for (let i = 2; i < words.length; i++) {
    const a = words[i];
    if (a === '--help' || a === '-h') return undefined;
    const value =
      a === '--old-space'
        ? words[i + 1]
        : a.startsWith('--old-space=')
          ? a.slice('--old-space='.length)
          : undefined;
    if (value === undefined) continue;
    if (!/^\d+$/.test(value)) return undefined;
    mb = Number(value);
  }
  return serveHeapArgs(mb, execArgv, env);
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs this same command again in a node started with `nodeArgs`, its output this process's, and
 * resolves with its exit code (128 + the signal's number when a signal ended it). Signals this
 * process gets are passed on; the started process stops when this one is gone (its IPC channel
 * closes), so a killed first process leaves no server behind.
 */
export function serveInNewProcess(nodeArgs: readonly string[]): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [STARTED]: '1' },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = FORWARDED.map((s) => [s, forward(s)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const [s, handler] of handlers) process.off(s, handler);
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};
const signalNumber = (signal: NodeJS.Signals): number => SIGNAL_NUMBERS[signal] ?? 0;

/**
 * In the started process: `stop` is called when the first process is gone (its IPC channel
 * closed). The channel itself does not keep this process running.
 */
export function stopWhenLauncherGone(stop: () => void): void {
  if (process.env[STARTED] !== '1' || !process.connected) return;
  process.once('disconnect', stop);
  process.channel?.unref();
}
