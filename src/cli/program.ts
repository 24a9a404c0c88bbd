/**
 * The genevectl command tree, built fresh for each parse (the shell parses one line at a time
 * with the same commands). Usage errors exit with status 2 and one `genevectl: ...` line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { PACKAGE_ROOT } from '../artifacts/program.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerControllerCommands } from './commands/controller.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEntityCommands } from './commands/entities.js';
import { registerFabricCommands } from './commands/fabric.js';
import { registerP4Commands } from './commands/p4.js';
import { registerPacketCommands } from './commands/packet.js';
import { registerPreCommands } from './commands/pre.js';
import { registerShellCommand } from './commands/shell.js';
import { registerTableCommands } from './commands/table.js';
import { registerTargetCommands } from './commands/target.js';
import { EXIT } from './errors.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Options every command inherits. */
export function applyConventions(cmd: Command): Command {
  return cmd
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(
          `genevectl: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see --help)\n`,
        ),
    })
    .showSuggestionAfterError();
}

export function buildProgram(options: { inShell?: boolean } = {}): Command {
  const program = applyConventions(new Command('genevectl'))
    .description(
      'Geneve overlay VTEP and any P4Runtime device: tables, counters, packets, pipelines; the embedded target',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of failures')
    .addHelpText(
      'after',
      `
Exit status: ${EXIT.OK} ok, ${EXIT.REFUSED} the device refused, ${EXIT.USAGE} bad usage or input, ${EXIT.UNREACHABLE} cannot connect or timed out.
Connection: --grpc or GENEVECTL_GRPC, --device-id, --election-id, TLS flags, or a config file (docs/CLI.md).`,
    );
  registerP4Commands(program);
  registerTableCommands(program);
  registerEntityCommands(program);
  registerPreCommands(program);
  registerPacketCommands(program);
  registerFabricCommands(program);
  if (!options.inShell) {
    registerDemoCommand(program);
    registerTargetCommands(program);
    registerControllerCommands(program);
    registerShellCommand(program);
    registerCompletionCommand(program);
  }
  return program;
}
