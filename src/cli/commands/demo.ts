/**
 * `genevectl demo` (what `npm start` runs): the whole stack on this machine. It starts the
 * embedded target, pushes the compiled VTEP program over P4Runtime, applies the example fabric
 * through the controller, sends real frames through the pipeline over the dataplane service, and
 * shows what came out, the drop counters and a pcap of everything for Wireshark.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../../artifacts/program.js';
import { loadFabricIntent, PUNT_REASONS, puntReasonName, VtepController } from '../../controller/index.js';
import { DataplaneClient } from '../../dataplane/client.js';
import { P4RuntimeClient, type PacketIn } from '../../p4runtime/index.js';
import {
  buildFrame,
  encapsulate,
  formatFrame,
  type GeneveOption,
  type Layer,
  parseFrame,
  securityIdOption,
  writePcapFile,
} from '../../packet/index.js';
import { startEmbeddedTarget } from '../../target/index.js';

const UPLINK4 = { port: 5, mac: '02:aa:00:00:00:05', nextHop: '02:bb:00:00:00:05' };
const BLUE_WEB = { port: 1, mac: '02:00:00:00:0a:01' };
const BLUE_DB = '02:00:00:00:0a:02';
const GREEN_APP = { port: 3, mac: '02:00:00:00:0a:01' };

function frame(
  dst: string,
  src: string,
  l3?: { src: string; dst: string; dstPort: number },
  payload = 40,
): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst, src }];
  if (l3) {
    layers.push({ kind: 'ipv4', src: l3.src, dst: l3.dst });
    layers.push({ kind: 'tcp', srcPort: 40000, dstPort: l3.dstPort });
  } else {
    (layers[0] as { etherType?: number }).etherType = 0x88b5;
  }
  layers.push({ kind: 'payload', data: new Uint8Array(payload).fill(0x42) });
  return buildFrame(layers);
}

function fromUnderlay(inner: Uint8Array, srcIp: string, options: GeneveOption[]): Uint8Array {
  return encapsulate(inner, {
    vni: 5000,
    outer: { srcMac: UPLINK4.nextHop, dstMac: UPLINK4.mac, srcIp, dstIp: '10.0.0.1' },
    options,
  });
}

const blueOption = (id: number) => securityIdOption({ optionClass: 0xfff0, type: 0x01, critical: false, id });

interface DemoFrame {
  what: string;
  port: number;
  bytes: Uint8Array;
  /**
   * Copies of the frame the pipeline finishes (default 1): each leaves a port, reaches the
   * controller or is counted as a drop. A flooded frame has one per replica not pruned; an MTU punt
   * has two, the counted drop and the packet-in of its clone.
   */
  copies?: number;
}

function demoFrames(): DemoFrame[] {
  const web = (dstPort: number) => ({ src: '192.168.10.1', dst: '192.168.10.2', dstPort });
  return [
    {
      what: 'blue-web -> blue-db, tcp/5432 (allowed, VLAN 20 added)',
      port: 1,
      bytes: frame(BLUE_DB, BLUE_WEB.mac, web(5432)),
    },
    {
      what: 'blue-web -> blue-db, tcp/22 (no rule: denied)',
      port: 1,
      bytes: frame(BLUE_DB, BLUE_WEB.mac, web(22)),
    },
    {
      what: 'blue-web -> remote endpoint behind 10.0.0.2 (Geneve over IPv4)',
      port: 1,
      bytes: frame('02:00:00:00:0a:11', BLUE_WEB.mac, {
        src: '192.168.10.1',
        dst: '192.168.10.11',
        dstPort: 443,
      }),
    },
    {
      what: 'blue-web -> remote endpoint behind fd00::2 (Geneve over IPv6)',
      port: 1,
      bytes: frame('02:00:00:00:0a:12', BLUE_WEB.mac, {
        src: '192.168.10.1',
        dst: '192.168.10.12',
        dstPort: 443,
      }),
    },
    {
      what: '10.0.0.2 -> blue-web, tcp/443 from security ID 900 (decapsulated)',
      port: UPLINK4.port,
      bytes: fromUnderlay(
        frame(BLUE_WEB.mac, '02:00:00:00:0a:11', { src: '192.168.10.11', dst: '192.168.10.1', dstPort: 443 }),
        '10.0.0.2',
        [blueOption(900)],
      ),
    },
    {
      what: 'green-app broadcast (flooded in green only)',
      port: GREEN_APP.port,
      bytes: frame('ff:ff:ff:ff:ff:ff', GREEN_APP.mac),
      // Green's group has green-app and green-cache; the copy back to green-app is pruned.
      copies: 1,
    },
    { what: 'spoofed source MAC on port 1', port: 1, bytes: frame(BLUE_DB, '02:66:66:66:66:66') },
    {
      what: '10.0.0.9 (not a member of VNI 5000) -> blue-web',
      port: UPLINK4.port,
      bytes: fromUnderlay(frame(BLUE_WEB.mac, '02:00:00:00:0a:11'), '10.0.0.9', [blueOption(900)]),
    },
    {
      what: '10.0.0.2 -> blue-web with an unknown critical option',
      port: UPLINK4.port,
      bytes: fromUnderlay(frame(BLUE_WEB.mac, '02:00:00:00:0a:11'), '10.0.0.2', [
        { optionClass: 0x0102, type: 0x05, critical: true, data: new Uint8Array(4) },
        blueOption(900),
      ]),
    },
    {
      what: 'blue-web -> 10.0.0.2, 1490-byte frame over a 1500 MTU uplink',
      port: 1,
      bytes: frame(
        '02:00:00:00:0a:11',
        BLUE_WEB.mac,
        { src: '192.168.10.1', dst: '192.168.10.11', dstPort: 443 },
        1436,
      ),
      // Dropped as MTU_EXCEEDED (counted) and punted to the controller (a packet-in).
      copies: 2,
    },
  ];
}

function summarize(bytes: Uint8Array): string {
  const lines = formatFrame(parseFrame(bytes)).split('\n');
  return lines.map((l) => (l.length > 96 ? `${l.slice(0, 93)}...` : l)).join('\n');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the VTEP on the embedded target with the example fabric and show frames in and out')
    .option('--fabric <file>', 'fabric intent to apply', join(PACKAGE_ROOT, 'examples', 'fabric.yaml'))
    .action(async (o: { fabric: string }) => {
      const target = await startEmbeddedTarget({
        grpcAddress: '127.0.0.1:0',
        dataplaneAddress: '127.0.0.1:0',
        cpuPort: 255,
        ports: 8,
        deviceId: 1,
      });
      const client = await P4RuntimeClient.connect({
        address: target.grpcAddress,
        deviceId: 1,
        electionId: 1n,
        waitForPrimary: true,
      });
      const controller = new VtepController(client);
      const packetIns: PacketIn[] = [];
      client.on('packetIn', (p) => packetIns.push(p));
      let dataplane: DataplaneClient | undefined;
      try {
        console.log(`embedded target on ${target.grpcAddress}; pushing bmv2/geneve_vtep.json over P4Runtime`);
        await controller.pushProgram();
        const plan = await controller.apply(loadFabricIntent(o.fabric));
        console.log(
          `applied ${o.fabric}: ${plan.entities.length} table entries and groups for ${plan.tenants.length} tenants\n`,
        );
        dataplane = await DataplaneClient.connect({ address: target.dataplaneAddress!, deviceId: 1 });

        const capture: Uint8Array[] = [];
        const results = new Table({ head: ['frame', 'in', 'out'], colWidths: [40, 5, 100], wordWrap: true });
        // Every frame is accounted for before the next is sent: outputs + packet-ins + counted drops
        // = its copies (the program counts every drop, docs/DATAPLANE.md), never a quiet period.
        const dropped = async () =>
          Object.values(await controller.dropCounters()).reduce((n, c) => n + Number(c?.packets ?? 0n), 0);
        for (const f of demoFrames()) {
          const before = packetIns.length;
          const dropsBefore = await dropped();
          const copies = f.copies ?? 1;
          const id = dataplane.send(f.port, f.bytes);
          const outputs = await dataplane.collect(
            [id],
            async (o) => {
              const seen = (o.get(id)?.length ?? 0) + packetIns.length - before;
              return seen >= copies || seen + (await dropped()) - dropsBefore >= copies;
            },
            {
              missing: () => `'${f.what}': not every copy left a port, reached the controller or was counted`,
            },
          );
          const out = outputs.get(id) ?? [];
          capture.push(f.bytes, ...out.map((x) => x.bytes));
          const punted = packetIns.slice(before);
          const shown = [
            ...out.map((x) => `port ${x.port}:\n${summarize(x.bytes)}`),
            ...punted.map(
              (p) =>
                `to controller (packet-in, reason ${puntReasonName(Number(p.metadata.reason)) ?? p.metadata.reason}, ingress port ${p.metadata.ingress_port})`,
            ),
          ];
          results.push([f.what, String(f.port), shown.length > 0 ? shown.join('\n') : 'dropped']);
        }
        console.log(results.toString());

        const drops = new Table({ head: ['drop reason', 'packets'] });
        for (const [reason, c] of Object.entries(await controller.dropCounters()))
          drops.push([reason, c.packets.toString()]);
        console.log(drops.toString());
        const traffic = new Table({ head: ['tenant', 'VNI', 'tunnelled in (pkts)', 'tunnelled out (pkts)'] });
        for (const t of await controller.tenantTraffic(plan)) {
          traffic.push([t.name, t.vni, t.fromNetwork.packets.toString(), t.toNetwork.packets.toString()]);
        }
        console.log(traffic.toString());
        const pcap = join(mkdtempSync(join(tmpdir(), 'genevectl-demo-')), 'demo.pcap');
        writePcapFile(
          pcap,
          capture.map((data, i) => ({ data, seconds: i })),
        );
        console.log(
          `every frame in and out: ${pcap} (open it in Wireshark, or: tshark -r ${pcap} -O geneve)`,
        );
        if (packetIns.some((p) => Number(p.metadata.reason) === PUNT_REASONS.MTU_EXCEEDED)) {
          console.log(
            'the controller received the too-large frame as packet-in, to answer the sender with the path MTU',
          );
        }
      } finally {
        dataplane?.close();
        client.close();
        await target.stop();
      }
    });
}
