// `genevectl shell` driven through a pseudo-terminal (util-linux `script`), as a person types:
// Tab completion of commands, tables, fields, actions and parameters from the device's P4Info,
// the same commands as the command line, and a history kept between sessions.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { CLI, cleanEnv, type ServedTarget, serveFixture } from './helpers.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** A shell session on a pseudo-terminal; each step is written once the shell answered the last. */
async function session(address: string, history: string, steps: readonly string[]): Promise<string> {
  const child = spawn(
    'script',
    ['-qfec', `"${process.execPath}" --import tsx "${CLI}" shell --grpc ${address}`, '/dev/null'],
    {
      cwd: PACKAGE_ROOT,
      env: cleanEnv({ GENEVECTL_HISTORY: history, TERM: 'xterm' }),
    },
  );
  let out = '';
  const waiting: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiting.splice(0)) w();
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const until = async (test: () => boolean) => {
    while (!test()) await new Promise<void>((r) => waiting.push(r));
  };
  const prompts = () => out.replace(ANSI, '').split('genevectl> ').length - 1;
  await until(() => prompts() >= 1);
  // readline completes only a Tab that arrives on its own (a chunk of several keys is a paste).
  const keys = steps.flatMap((step) => step.split(/(\t)/).filter(Boolean));
  for (const step of keys) {
    const seen = prompts();
    const length = out.length;
    child.stdin.write(step);
    // A line ends with a new prompt, a Tab with its completion drawn, typed text once echoed whole
    // (echoes come in pieces; keys sent before readline drew the last ones would merge with them).
    const shown = () => out.replace(ANSI, '');
    if (step.endsWith('\n')) await until(() => prompts() > seen || step === 'exit\n');
    else if (step === '\t' || step.startsWith('\u001b')) await until(() => out.length > length);
    else await until(() => shown().endsWith(step));
  }
  child.stdin.end();
  await closed;
  return out.replace(ANSI, '').replace(/\r/g, '');
}

describe('genevectl shell', { timeout: 120_000 }, () => {
  let target: ServedTarget;
  const history = join(mkdtempSync(join(tmpdir(), 'genevectl-shell-')), 'history');
  beforeAll(async () => {
    target = await serveFixture();
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('completes names from the P4Info and runs the same commands', async () => {
    const out = await session(target.address, history, [
      'tab\t',
      ' li\t',
      '\n',
      'table add exa\t',
      ' --match hdr.eth\t',
      '02:00:00:00:00:01 --action forw\t',
      ' --param po\t',
      '7\n',
      'table dump exact_t\n',
      'table add nope --action x\n',
      'exit\n',
    ]);
    expect(out).toContain('genevectl> table list\n');
    expect(out).toMatch(/MyIngress\.exact_t\s+hdr\.ethernet\.dstAddr:exact\s+0\s+64/);
    expect(out).toContain(
      'genevectl> table add exact_t --match hdr.ethernet.dstAddr=02:00:00:00:00:01 --action forward --param port=7\n',
    );
    expect(out).toContain('added MyIngress.exact_t hdr.ethernet.dstAddr=02:00:00:00:00:01');
    expect(out).toMatch(/hdr\.ethernet\.dstAddr=02:00:00:00:00:01\s+forward\(port=7\)/);
    // A failing command prints its one line and the shell goes on.
    expect(out).toContain("genevectl: unknown table 'nope'");
    expect(readFileSync(history, 'utf8').split('\n')).toEqual([
      'table list',
      'table add exact_t --match hdr.ethernet.dstAddr=02:00:00:00:00:01 --action forward --param port=7',
      'table dump exact_t',
      'table add nope --action x',
      '',
    ]);
  });

  it('recalls the history of the previous session', async () => {
    // Up arrow twice: the second-to-last command of the last session (table dump exact_t).
    const out = await session(target.address, history, ['\u001b[A', '\u001b[A', '\n', 'exit\n']);
    expect(out).toMatch(/genevectl> .*table dump exact_t\n/);
    expect(out).toMatch(/hdr\.ethernet\.dstAddr=02:00:00:00:00:01\s+forward\(port=7\)/);
  });
});
