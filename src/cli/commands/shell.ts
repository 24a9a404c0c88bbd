/**
 * `genevectl shell`: the same commands, typed at a prompt against one device, with completion
 * of command, option, table, action, field and parameter names (from the device's P4Info) and
 * a history kept between sessions: what p4runtime-shell gives Python users.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Command } from 'commander';
import type { P4InfoIndex, TableInfo } from 'p4runtime-ts-grpc';
import { parseArgsStringToArgv } from 'string-argv';
import { addDeviceOptions, type DeviceFlags, openDevice, shareConnections } from '../connection.js';
import { reportFailure } from '../errors.js';
import { colors } from '../output.js';

function historyFile(): string {
  if (process.env.GENEVECTL_HISTORY) return process.env.GENEVECTL_HISTORY;
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'genevectl', 'history');
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000);
  } catch {
    return [];
  }
}

function saveHistory(file: string, line: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`);
  } catch {
    // History is a convenience; a read-only home must not stop the shell.
  }
}

/** Names a completer offers, found from the command tree and the device's P4Info. */
export class ShellCompleter {
  constructor(
    private readonly root: Command,
    private readonly p4info: () => P4InfoIndex | undefined,
  ) {}

  private tableOf(words: readonly string[]): TableInfo | undefined {
    const index = this.p4info();
    if (!index) return undefined;
    for (const w of words) {
      const t = index.tables.find(w);
      if (t) return t;
    }
    return undefined;
  }

  /** Candidates for the last word of `line`. */
  complete(line: string): [string[], string] {
    const words = line.split(/\s+/);
    const current = words.pop() ?? '';
    const before = words.filter(Boolean);
    let cmd = this.root;
    const positional: string[] = [];
    for (const w of before) {
      const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
      if (sub && positional.length === 0) cmd = sub;
      else if (!w.startsWith('-')) positional.push(w);
    }
    const previous = before[before.length - 1];
    const candidates = this.candidates(cmd, before, current, previous, positional);
    const hits = candidates.filter((c) => c.startsWith(current));
    return [hits.length > 0 ? [...new Set(hits)].sort() : [], current];
  }

  private candidates(
    cmd: Command,
    before: readonly string[],
    current: string,
    previous: string | undefined,
    positional: readonly string[],
  ): string[] {
    const index = this.p4info();
    const table = this.tableOf(before);
    if (previous === '--action') {
      const actions = table ? [...table.actions] : index ? [...index.actions] : [];
      return actions.flatMap((a) => [a.name, a.name.replace(/^.*\./, '')]);
    }
    if (previous === '--match' && table) {
      const prefix = current.includes(',') ? current.slice(0, current.lastIndexOf(',') + 1) : '';
      return table.matchFields.list.map((f) => `${prefix}${f.name}=`);
    }
    if (previous === '--param' && index) {
      const at = before.lastIndexOf('--action');
      const name = at >= 0 ? before[at + 1] : undefined;
      const action = name ? (table?.actions.find(name) ?? index.actions.find(name)) : undefined;
      return action ? action.params.list.map((p) => `${p.name}=`) : [];
    }
    if (current.startsWith('-')) return cmd.options.map((o) => o.long ?? '').filter(Boolean);
    if (cmd.commands.length > 0 && positional.length === 0)
      return cmd.commands.map((c) => c.name()).concat(cmd === this.root ? ['exit', 'help'] : []);
    if (!index || positional.length > 0) return [];
    const group = cmd.parent?.name();
    const names = (r: Iterable<{ name: string; alias: string }>) => [...r].flatMap((x) => [x.name, x.alias]);
    switch (group) {
      case 'table':
        return names(index.tables);
      case 'counter':
        return [...names(index.counters), ...names([...index.tables].filter((t) => t.directCounter))];
      case 'meter':
        return [...names(index.meters), ...names([...index.tables].filter((t) => t.directMeter))];
      case 'register':
        return names(index.registers);
      case 'profile':
        return names(index.actionProfiles);
      case 'digest':
        return names(index.digests);
      default:
        return [];
    }
  }
}

/** Runs one typed line through a fresh command tree; never exits the process. */
async function runLine(line: string, build: () => Command): Promise<void> {
  let args: string[];
  try {
    args = parseArgsStringToArgv(line);
  } catch {
    process.stderr.write('genevectl: could not split the line into words (unbalanced quotes?)\n');
    return;
  }
  if (args.length === 0) return;
  if (args[0] === 'help') args = [...args.slice(1), '--help'];
  try {
    await build().parseAsync(args, { from: 'user' });
  } catch (error) {
    reportFailure(error, args.includes('--debug'));
  }
}

export function registerShellCommand(program: Command): void {
  addDeviceOptions(
    program
      .command('shell')
      .description(
        'interactive shell: the same commands with completion of table, action, field and parameter names',
      ),
  ).action(async (o: DeviceFlags) => {
    const { buildProgram } = await import('../program.js');
    shareConnections(o);
    let index: P4InfoIndex | undefined;
    const refresh = async () => {
      try {
        const device = await openDevice({});
        index = await device.p4info();
      } catch {
        index = undefined; // no pipeline yet: complete commands only
      }
    };
    await refresh();
    const completer = new ShellCompleter(buildProgram({ inShell: true }), () => index);
    const file = historyFile();
    const rl: Interface = createInterface({
      input: process.stdin,
      output: process.stdout,
      completer: (line: string) => completer.complete(line),
      history: loadHistory(file),
      historySize: 1000,
      prompt: `${colors.bold('genevectl')}> `,
    });
    let running = false;
    rl.on('SIGINT', () => {
      // Ctrl-C stops a running watch; at the prompt it clears the line, as in bash.
      if (running) process.emit('SIGINT');
      else {
        rl.write(null, { ctrl: true, name: 'u' });
        process.stdout.write('\n(exit or Ctrl-D leaves the shell)\n');
        rl.prompt();
      }
    });
    process.stdout.write(
      `genevectl shell on ${index ? 'a device running a program' : 'a device without a program yet'}; Tab completes, 'help' lists commands, 'exit' leaves\n`,
    );
    rl.prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === 'exit' || line === 'quit') break;
      if (line) {
        saveHistory(file, line);
        running = true;
        await runLine(line, () => buildProgram({ inShell: true }));
        running = false;
        if (/^pipeline\s+push\b/.test(line) || !index) await refresh();
      }
      rl.prompt();
    }
    rl.close();
    shareConnections(undefined);
    // On a terminal the stdin handle outlives readline and keeps the process alive: the session
    // is over and its output written (terminal writes are synchronous), so leave now.
    if (process.stdin.isTTY) process.exit(0);
  });
}
