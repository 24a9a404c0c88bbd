/** `genevectl push|apply|counters`: drive a VTEP (bmv2 or the embedded target) over P4Runtime. */

import { readFileSync } from 'node:fs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { loadFabricIntent, planFabric, VtepController } from '../../controller/index.js';
import { loadP4Info, P4RuntimeClient } from '../../p4runtime/index.js';
import { addressOption, integerOption } from '../options.js';

interface ConnectOptions {
  grpc: string;
  deviceId: number;
  electionId: number;
}

async function connect(o: ConnectOptions): Promise<VtepController> {
  const client = await P4RuntimeClient.connect({
    address: o.grpc,
    deviceId: o.deviceId,
    electionId: BigInt(o.electionId),
    waitForPrimary: true,
  });
  return new VtepController(client);
}

function withConnection(cmd: Command): Command {
  return cmd
    .option('--grpc <addr>', 'P4Runtime server', addressOption, '127.0.0.1:9559')
    .option('--device-id <n>', 'P4Runtime device id', integerOption('--device-id', 0, 2 ** 32 - 1), 1)
    .option(
      '--election-id <n>',
      'election id (the highest is primary)',
      integerOption('--election-id', 1, 2 ** 53),
      1,
    );
}

export function registerFabricCommands(program: Command): void {
  withConnection(program.command('push'))
    .description(
      'install the VTEP program on a P4Runtime target: bmv2/geneve_vtep.json and its P4Info, or a ' +
        'compiled build given by --p4info and --device-config (Tofino: docs/TOFINO.md)',
    )
    .option(
      '--p4info <file>',
      'P4Info of the build to push (text or JSON), e.g. tofino/tna/geneve_vtep.p4info.txtpb',
    )
    .option(
      '--device-config <file>',
      "the target's device config for that build, e.g. Stratum's BfPipelineConfig",
    )
    .action(async (o: ConnectOptions & { p4info?: string; deviceConfig?: string }) => {
      if ((o.p4info === undefined) !== (o.deviceConfig === undefined))
        throw new Error('push: --p4info and --device-config go together');
      const controller = await connect(o);
      try {
        if (o.p4info !== undefined && o.deviceConfig !== undefined) {
          await controller.client.setPipeline({
            p4info: await loadP4Info(o.p4info),
            deviceConfig: readFileSync(o.deviceConfig),
          });
          console.log(`pushed ${o.p4info} and ${o.deviceConfig} to ${o.grpc}`);
        } else {
          await controller.pushProgram();
          console.log(`pushed the Geneve VTEP program to ${o.grpc}`);
        }
      } finally {
        controller.client.close();
      }
    });

  withConnection(program.command('apply <fabric>'))
    .description('push the VTEP program and write the fabric intent (YAML) into it')
    .option('--dry-run', 'check and plan the intent, print the table entries, write nothing')
    .option(
      '--no-push',
      'write into the program already on the target (e.g. a Tofino build pushed with push)',
    )
    .action(async (file: string, o: ConnectOptions & { dryRun?: boolean; push: boolean }) => {
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
        if (o.push) await controller.pushProgram();
        else await controller.client.loadPipelineFromDevice();
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
      const controller = await connect(o);
      try {
        // Names come from the P4Info of the program the target runs.
        await controller.client.loadPipelineFromDevice();
        const drops = new Table({ head: ['drop reason', 'packets', 'bytes'] });
        for (const [reason, c] of Object.entries(await controller.dropCounters())) {
          drops.push([reason, c.packets.toString(), c.bytes.toString()]);
        }
        console.log(drops.length > 0 ? drops.toString() : 'no drops');
        if (o.fabric) {
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
      } finally {
        controller.client.close();
      }
    });
}
