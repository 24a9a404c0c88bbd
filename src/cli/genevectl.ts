/** genevectl's commands, parsed and run (main.ts loads this unless it starts `target serve` in a new node). */
import { logVerbosity, setLogVerbosity } from '@grpc/grpc-js';
import { reportFailure } from './errors.js';
import { exitQuietlyOnClosedPipe } from './output.js';
import { buildProgram } from './program.js';

exitQuietlyOnClosedPipe();
const debug = process.argv.includes('--debug') || process.env.GENEVECTL_DEBUG === '1';
// grpc-js logs failures on its own; genevectl reports them once, in its own words.
if (!debug) setLogVerbosity(logVerbosity.NONE);
// Node's deprecation notices (e.g. grpc-js naming an IP address as TLS server name) are not the
// operator's business; --debug shows them.
if (!debug) process.noDeprecation = true;
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error, debug);
}
