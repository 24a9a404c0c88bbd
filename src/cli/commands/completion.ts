/**
 * `genevectl completion bash|zsh|fish`: shell completion scripts. Each asks genevectl itself
 * (`genevectl __complete LINE`) for the candidates, so commands, options and, when a device is
 * reachable, its table, action, field and parameter names complete as in `genevectl shell`.
 */
import type { Command } from 'commander';
import type { P4InfoIndex } from 'p4runtime-ts-grpc';
import { openDevice } from '../connection.js';
import { usageError } from '../errors.js';
import { say } from '../output.js';
import { ShellCompleter } from './shell.js';

const SCRIPTS: Record<string, string> = {
  bash: `# genevectl bash completion: eval "$(genevectl completion bash)" (e.g. in ~/.bashrc)
_genevectl() {
  local IFS=$'\\n'
  COMPREPLY=($(genevectl __complete "\${COMP_LINE:0:$COMP_POINT}" 2>/dev/null))
}
complete -o nospace -o default -F _genevectl genevectl
`,
  zsh: `#compdef genevectl
# genevectl zsh completion: eval "$(genevectl completion zsh)" (e.g. in ~/.zshrc, after compinit)
_genevectl() {
  local -a candidates
  candidates=("\${(@f)$(genevectl __complete "\${(j: :)words[1,CURRENT]}" 2>/dev/null)}")
  compadd -S '' -- $candidates
}
compdef _genevectl genevectl
`,
  fish: `# genevectl fish completion: genevectl completion fish > ~/.config/fish/completions/genevectl.fish
complete -c genevectl -f -a '(genevectl __complete (commandline -cp))'
`,
};

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion <shell>')
    .description('print a completion script for bash, zsh or fish')
    .action((shell: string) => {
      const script = SCRIPTS[shell];
      if (!script) throw usageError(`no completion for '${shell}': choose bash, zsh or fish`);
      process.stdout.write(script);
    });

  // Called by the completion scripts; not for people.
  program.command('__complete <line>', { hidden: true }).action(async (line: string) => {
    const { buildProgram } = await import('../program.js');
    const words = line.replace(/^\S*genevectl\s*/, '');
    let index: P4InfoIndex | undefined;
    const completer = new ShellCompleter(buildProgram(), () => index);
    if (/^(table|counter|meter|register|profile|digest)\b/.test(words)) {
      try {
        const device = await openDevice({ timeout: process.env.GENEVECTL_TIMEOUT ?? '1' });
        index = await device.p4info();
        device.close();
      } catch {
        index = undefined; // no device within a second: complete commands and options only
      }
    }
    for (const candidate of completer.complete(words)[0]) say(candidate);
  });
}
