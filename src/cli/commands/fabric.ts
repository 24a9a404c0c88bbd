/** `genevectl push|apply|counters`: drive a VTEP (bmv2 or the embedded target) over P4Runtime. */

import type { Command } from 'commander';
import { loadFabricIntent, planFabric, VtepController } from '../../controller/index.js';
import { P4InfoLookupError } from '../../p4runtime/index.js';
import { addDeviceOptions, type DeviceFlags, openDevice, resolveConnection } from '../connection.js';
import { checkInputFile, refusedError } from '../errors.js';
import { PlainTable as Table } from '../output.js';

type ConnectOptions = DeviceFlags;

/** Connection options, environment and config file, as every genevectl command (docs/CLI.md). */
async function connect(
  o: ConnectOptions,
  mode: { write?: boolean } = { write: true },
): Promise<VtepController> {
  return new VtepController((await openDevice(o, mode)).client);
}

function withConnection(cmd: Command): Command {
  return addDeviceOptions(cmd);
}

export function registerFabricCommands(program: Command): void {
  withConnection(program.command('push'))
    .description('install the VTEP program (bmv2/geneve_vtep.json and its P4Info) on a P4Runtime target')
    .action(async (o: ConnectOptions) => {
      const controller = await connect(o);
      try {
        await controller.pushProgram();
        console.log(`pushed the Geneve VTEP program to ${resolveConnection(o).address}`);
      } finally {
        controller.client.close();
      }
    });

  withConnection(program.command('apply <fabric>'))
    .description('push the VTEP program and write the fabric intent (YAML) into it')
    .option('--dry-run', 'check and plan the intent, print the table entries, write nothing')
    .action(async (file: string, o: ConnectOptions & { dryRun?: boolean }) => {
      checkInputFile(file, 'fabric file');
      const intent = loadFabricIntent(file);
      const plan = planFabric(intent);
      const summary = new Map<string, number>();
      for (const e of plan.entities) {
        const key = e.kind === 'table' ? e.table : e.kind;
        summary.set(key, (summary.get(key) ?? 0) + 1);
      }
      const table = new Table({ head: ['table / object', 'entries'] });
      for (const [k, n] of summary) table.push([k, n]);
      if (o.dryRun) {
        console.log(table.toString());
        console.log(`plan for ${plan.tenants.length} tenant(s) is valid; nothing written (--dry-run)`);
        return;
      }
      const controller = await connect(o);
      try {
        await controller.pushProgram();
        await controller.apply(intent);
        console.log(table.toString());
        console.log(`applied ${file}: ${plan.entities.length} entities for ${plan.tenants.length} tenant(s)`);
      } finally {
        controller.client.close();
      }
    });

  withConnection(program.command('counters'))
    .description('drop counters by reason, and tunnelled traffic per tenant of a fabric file')
    .option('--fabric <file>', 'fabric intent whose tenants to report')
    .action(async (o: ConnectOptions & { fabric?: string }) => {
      // Counters are reads: no arbitration, no disturbing the controller in charge.
      const device = await openDevice(o);
      const controller = new VtepController(device.client);
      try {
        // Names come from the P4Info of the program the target runs.
        await device.p4info();
        const drops = new Table({ head: ['drop reason', 'packets', 'bytes'] });
        for (const [reason, c] of Object.entries(await controller.dropCounters())) {
          drops.push([reason, c.packets.toString(), c.bytes.toString()]);
        }
        console.log(drops.length > 0 ? drops.toString() : 'no drops');
        if (o.fabric) {
          checkInputFile(o.fabric, 'fabric file');
          const plan = planFabric(loadFabricIntent(o.fabric));
          const tenants = new Table({
            head: ['tenant', 'VNI', 'from network (pkts/bytes)', 'to network (pkts/bytes)'],
          });
          for (const t of await controller.tenantTraffic(plan)) {
            tenants.push([
              t.name,
              t.vni,
              `${t.fromNetwork.packets} / ${t.fromNetwork.bytes}`,
              `${t.toNetwork.packets} / ${t.toNetwork.bytes}`,
            ]);
          }
          console.log(tenants.toString());
        }
      } catch (error) {
        if (error instanceof P4InfoLookupError)
          throw refusedError(`${device.where} runs another program than the Geneve VTEP: ${error.message}`);
        throw error;
      } finally {
        controller.client.close();
      }
    });
}
