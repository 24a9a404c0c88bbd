// Runs genevectl as an operator would: a separate process per command, talking gRPC to a target
// started as its own process (`genevectl target serve`) or to bmv2 (P4_TARGET=bmv2).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { startTarget } from '../scenarios/harness/target.js';

export const CLI = join(PACKAGE_ROOT, 'src', 'cli', 'main.ts');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Environment without anything that would change genevectl's output or target. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('GENEVECTL_')) delete env[key];
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  env.XDG_CONFIG_HOME = join(PACKAGE_ROOT, 'test', 'cli', 'no-config-here');
  return { ...env, ...extra };
}

/** Runs genevectl to completion; `input` is written to its stdin. */
export function genevectl(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: options.cwd ?? PACKAGE_ROOT,
      env: cleanEnv(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.stdin.end(options.input ?? '');
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs genevectl to completion, blocking (for tests that keep a served target in another process). */
export function genevectlSync(...args: string[]): Run {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: PACKAGE_ROOT,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `table add` arguments for the fixture's exact_t: frames to `dst` are forwarded to `port`. */
export const exactForward = (port: number, dst = '02:00:00:00:00:01'): string[] => [
  'exact_t',
  '--match',
  `hdr.ethernet.dstAddr=${dst}`,
  '--action',
  'forward',
  '--param',
  `port=${port}`,
];

/**
 * `genevectl target serve --grpc <address> ...extra` as a separate process, added to `children` (for
 * the caller to stop), resolved once it waits for a controller.
 */
export async function serveOn(
  address: string,
  extra: readonly string[],
  children: ChildProcess[],
): Promise<ChildProcess> {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'target', 'serve', '--grpc', address, ...extra],
    {
      cwd: PACKAGE_ROOT,
    },
  );
  children.push(server);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('waiting for a controller')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`target serve exited with ${code}: ${out}`)));
  });
  return server;
}

export interface ServedTarget {
  readonly address: string;
  /** bmv2's dataplane packet service, when served. */
  readonly dataplane?: string;
  readonly kind: 'embedded' | 'bmv2';
  stop(): Promise<void>;
}

/** `genevectl target serve` on a free loopback port, as a separate process. */
export async function serveEmbedded(extra: readonly string[] = []): Promise<ServedTarget> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'target', 'serve', '--grpc', '127.0.0.1:0', ...extra],
    { cwd: PACKAGE_ROOT, env: cleanEnv() },
  );
  let dataplane: string | undefined;
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /P4Runtime on (\S+),/.exec(out);
      dataplane = /dataplane packet I\/O on (\S+)/.exec(out)?.[1];
      if (m && out.includes('waiting for a controller')) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`target serve exited with ${code}: ${out}`)));
  });
  return {
    address,
    ...(dataplane ? { dataplane } : {}),
    kind: 'embedded',
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The target chosen by P4_TARGET: the embedded one served by genevectl, or bmv2. */
export async function serveSelected(): Promise<ServedTarget> {
  if ((process.env.P4_TARGET ?? 'embedded') !== 'bmv2') return serveEmbedded(['--dataplane', '127.0.0.1:0']);
  const running = await startTarget('bmv2');
  return {
    address: running.p4runtimeAddress,
    dataplane: running.dataplaneAddress,
    kind: 'bmv2',
    stop: () => running.stop(),
  };
}

/** The server_all fixture: one object of each kind P4Runtime manages. */
export const FIXTURE = {
  json: join('test', 'fixtures', 'p4', 'server_all.json'),
  p4info: join('test', 'fixtures', 'p4', 'server_all.p4info.txtpb'),
};

/** The embedded target served by genevectl, running the server_all fixture (pushed as an operator would). */
export async function serveFixture(): Promise<ServedTarget> {
  const target = await serveEmbedded();
  const push = await genevectl(['pipeline', 'push', FIXTURE.json, FIXTURE.p4info, '--grpc', target.address]);
  if (push.status !== 0) {
    await target.stop();
    throw new Error(`pipeline push of the fixture failed (${push.status}): ${push.stderr}`);
  }
  return target;
}

/** A long-running genevectl (watch commands): wait for a line on stderr, then for its end. */
export function startGenevectl(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: PACKAGE_ROOT,
    env: cleanEnv(),
  });
  let stdout = '';
  let stderr = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners.splice(0)) l();
  });
  const ended = new Promise<Run>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout, stderr })),
  );
  return {
    child,
    /** Resolves once stderr contains `text` (or the process ended). */
    async stderrContains(text: string): Promise<void> {
      let done = false;
      void ended.then(() => {
        done = true;
        for (const l of listeners.splice(0)) l();
      });
      while (!stderr.includes(text) && !done) await new Promise<void>((r) => listeners.push(r));
      if (!stderr.includes(text)) throw new Error(`genevectl ended without printing '${text}': ${stderr}`);
    },
    ended,
  };
}
