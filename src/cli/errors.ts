/**
 * Exit codes and one-line failure messages of genevectl. Every expected failure (bad input,
 * a device that refuses, a device that cannot be reached) becomes `genevectl: <what>` on stderr
 * and a documented exit code; a stack trace is printed only with --debug.
 */
import { statSync } from 'node:fs';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommanderError } from 'commander';
import {
  EntityError,
  NotPrimaryError,
  P4InfoLookupError,
  P4InfoParseError,
  P4RuntimeError,
  P4RuntimeRpcError,
  P4RuntimeWriteError,
  ValueError,
} from 'p4runtime-ts-grpc';
import { IntentError } from '../controller/index.js';
import { ListenAddressError } from '../switch/index.js';

/** Exit codes (docs/CLI.md). */
export const EXIT = {
  OK: 0,
  /** The device refused the operation (write failed, not primary, no pipeline, unsupported). */
  REFUSED: 1,
  /** Bad usage or input: unknown option, bad value, unreadable or invalid file. */
  USAGE: 2,
  /** Cannot connect, timed out, or cannot listen. */
  UNREACHABLE: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure with its message and exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.USAGE);
export const refusedError = (message: string): CliError => new CliError(message, EXIT.REFUSED);
export const unreachableError = (message: string): CliError => new CliError(message, EXIT.UNREACHABLE);

const SYSTEM_ERRORS: Record<string, [string, ExitCode]> = {
  ENOENT: ['no such file or directory', EXIT.USAGE],
  EISDIR: ['is a directory, not a file', EXIT.USAGE],
  ENOTDIR: ['a part of the path is not a directory', EXIT.USAGE],
  EACCES: ['permission denied', EXIT.USAGE],
  EPERM: ['operation not permitted', EXIT.USAGE],
  EADDRINUSE: ['address already in use (another server is listening there)', EXIT.UNREACHABLE],
  EADDRNOTAVAIL: ['address not available on this machine', EXIT.USAGE],
  ECONNREFUSED: ['connection refused', EXIT.UNREACHABLE],
};

interface SystemError extends Error {
  code?: string;
  path?: string;
  address?: string;
  port?: number;
}

/** The message and exit code for any error thrown by a command. */
export function describeFailure(error: unknown): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof IntentError || error instanceof ListenAddressError)
    return { message: error.message, exitCode: EXIT.USAGE };
  if (
    error instanceof EntityError ||
    error instanceof ValueError ||
    error instanceof P4InfoLookupError ||
    error instanceof P4InfoParseError
  )
    return { message: error.message, exitCode: EXIT.USAGE };
  if (error instanceof P4RuntimeWriteError) return { message: error.message, exitCode: EXIT.REFUSED };
  if (error instanceof P4RuntimeRpcError) {
    if (error.code === GrpcStatus.UNAVAILABLE || error.code === GrpcStatus.DEADLINE_EXCEEDED)
      return { message: error.message, exitCode: EXIT.UNREACHABLE };
    return { message: error.message, exitCode: EXIT.REFUSED };
  }
  if (error instanceof NotPrimaryError || error instanceof P4RuntimeError)
    return { message: error.message, exitCode: EXIT.REFUSED };
  const sys = error as SystemError;
  if (sys && typeof sys.code === 'string' && SYSTEM_ERRORS[sys.code]) {
    const [text, exitCode] = SYSTEM_ERRORS[sys.code];
    const where = sys.path ?? (sys.address ? `${sys.address}${sys.port ? `:${sys.port}` : ''}` : undefined);
    return { message: where ? `${where}: ${text}` : `${text} (${sys.message})`, exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  // grpc-js reports a failed bind as a plain Error listing the listen errors.
  const bind = /listen (EADDRINUSE|EADDRNOTAVAIL|EACCES)[^\d[]*(\S+?)\]?$/.exec(message);
  if (bind) {
    const [text, exitCode] = SYSTEM_ERRORS[bind[1]];
    return { message: `cannot listen on ${bind[2]}: ${text}`, exitCode };
  }
  return { message: `${message} (unexpected; run with --debug for details)`, exitCode: EXIT.REFUSED };
}

/** Prints the one-line message (stack with --debug) and returns the exit code. */
export function reportFailure(error: unknown, debug: boolean): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  const { message, exitCode } = describeFailure(error);
  process.stderr.write(`genevectl: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return exitCode;
}

/**
 * Checks that a file an operator named exists and is a file (for commands that hand the path
 * to a library whose errors would not name it).
 */
export function checkInputFile(file: string, what: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch (error) {
    const code = (error as SystemError).code ?? '';
    throw usageError(`cannot read ${what} ${file}: ${SYSTEM_ERRORS[code]?.[0] ?? (error as Error).message}`);
  }
  if (isDirectory) throw usageError(`cannot read ${what} ${file}: is a directory, not a file`);
}

/**
 * Reading a file an operator named: a missing file, a directory or an unreadable file become
 * one-line messages naming the file and what it was for.
 */
export async function readInputFile(file: string, what: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as SystemError).code ?? '';
    const text = SYSTEM_ERRORS[code]?.[0] ?? (error as Error).message;
    throw usageError(`cannot read ${what} ${file}: ${text}`);
  }
}
