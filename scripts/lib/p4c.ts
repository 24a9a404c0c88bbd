// Running p4c's bmv2 backend for the build scripts (p4:compile, compile-fixtures). p4c is not in any
// package registry: these scripts explain what to install when it is missing.
import { spawnSync } from 'node:child_process';

export interface P4Compiler {
  /** Binary run (P4C, or p4c-bm2-ss on PATH). */
  command: string;
  /** `p4c-bm2-ss Version 1.2.4.10 (SHA: ...)`, without the binary's directory. */
  version: string;
}

/** Finds p4c-bm2-ss or exits with a message saying what to install, on behalf of `purpose`. */
export function requireP4c(purpose: string): P4Compiler {
  const command = process.env.P4C ?? 'p4c-bm2-ss';
  const run = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    console.error(
      `${purpose} needs p4c's bmv2 backend (${command}) on PATH, and it was not found.\n` +
        'Install p4c (https://github.com/p4lang/p4c, release 1.2.4.x or later, with the bmv2 backend),\n' +
        'or point the P4C environment variable at a p4c-bm2-ss binary.',
    );
    process.exit(2);
  }
  // p4c prints "<binary>\nVersion x (SHA: ...)" on stderr.
  const version = `${run.stdout}${run.stderr}`
    .trim()
    .split('\n')
    .join(' ')
    .replace(/^\S*\//, '');
  return { command, version };
}

export interface V1ModelCompile {
  /** Working directory; the other paths are relative to it so that no machine path lands in the JSON. */
  cwd: string;
  source: string;
  includeDirs?: string[];
  /** Preprocessor definitions, `NAME=VALUE` (a wrapper's feature constants). */
  defines?: string[];
  json: string;
  p4infoJson: string;
  p4infoText: string;
}

/** Compiles one v1model program; returns p4c's exit status and what it printed. */
export function compileV1model(p4c: P4Compiler, c: V1ModelCompile): { ok: boolean; output: string } {
  const args = [
    '--arch',
    'v1model',
    '--std',
    'p4-16',
    ...(c.includeDirs ?? []).flatMap((d) => ['-I', d]),
    ...(c.defines ?? []).map((d) => `-D${d}`),
    '--p4runtime-files',
    `${c.p4infoJson},${c.p4infoText}`,
    '-o',
    c.json,
    c.source,
  ];
  const run = spawnSync(p4c.command, args, { cwd: c.cwd, encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}`.trim() };
}
