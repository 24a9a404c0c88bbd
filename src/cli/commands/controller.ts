/** `genevectl controller run -f FABRIC`: keep every device of a fabric converged, as a service. */
import type { Command } from 'commander';
import { FabricService } from '../../controller/index.js';
import { addressOption, integerOption } from '../options.js';

export function registerControllerCommands(program: Command): void {
  const controller = program.command('controller').description('the overlay controller as a service');
  controller
    .command('run')
    .description(
      'keep every device of the fabric converged: reconnect with backoff, reconcile after a device restart, ' +
        'apply the file again when it changes, answer MTU punts with ICMP; serves /metrics and /healthz',
    )
    .requiredOption('-f, --file <fabric>', 'fabric file (YAML or JSON)')
    .option(
      '--listen <addr>',
      'HTTP address for /metrics (Prometheus) and /healthz',
      addressOption,
      '127.0.0.1:9464',
    )
    .option(
      '--resync <seconds>',
      'read every device in full and reconcile it this often',
      integerOption('--resync', 0, 86_400),
      60,
    )
    .option('--prune', 'also delete entries the fabric does not own (drift)')
    .option('--force', 'replace a program other than the VTEP (wipes that device)')
    .action(async (o: { file: string; listen: string; resync: number; prune?: boolean; force?: boolean }) => {
      const service = new FabricService(o.file, {
        listen: o.listen,
        resyncMs: o.resync * 1000,
        prune: o.prune === true,
        force: o.force === true,
        log: (line) => console.log(`${new Date().toISOString()} ${line}`),
      });
      await service.start();
      console.log(`controller running for ${o.file}; metrics and health on http://${service.httpAddress}/`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await service.stop();
      // A connection attempt still in flight would hold the process until its deadline.
      process.exit(0);
    });
}
