#!/usr/bin/env node
/** genevectl: the operator's command line for the Geneve VTEP. */
import { Command } from 'commander';
import { IntentError } from '../controller/index.js';
import { P4RuntimeError } from '../p4runtime/index.js';
import { registerControllerCommands } from './commands/controller.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerFabricCommands } from './commands/fabric.js';
import { registerTargetCommands } from './commands/target.js';

const program = new Command('genevectl')
  .description('Geneve overlay VTEP on P4 targets: program it over P4Runtime, run the embedded target')
  .showHelpAfterError();

registerDemoCommand(program);
registerFabricCommands(program);
registerTargetCommands(program);
registerControllerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof IntentError || error instanceof P4RuntimeError) {
    console.error(`genevectl: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
