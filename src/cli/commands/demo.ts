/**
 * `genevectl demo` (what `npm start` runs): a whole overlay on this machine. One embedded target
 * per device of the fabric file (examples/overlay.yaml: two VTEPs, two tenants whose MAC and IP
 * spaces overlap), joined by an underlay link inside the process (what leaves one's uplink enters
 * the VTEP its outer destination address names), configured by the controller over P4Runtime.
 * Frames chosen from the fabric show encapsulation (VNI and security ID decoded), decapsulation and
 * delivery, a flow the policy denies, a cross-tenant attempt dropped, and a too-large frame
 * answered with ICMP "fragmentation needed" that the sender receives. Every label comes from the
 * fabric file; a pcap of the underlay link and of each workload port is written.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { PACKAGE_ROOT } from '../../artifacts/program.js';
import {
  type Derivation,
  type DeviceTarget,
  deriveFabric,
  deviceTargets,
  type Fabric,
  IntentError,
  loadFabric,
  neighborAnswerer,
  PuntHandler,
  reconcileFabric,
  VtepController,
  type WorkloadSpec,
} from '../../controller/index.js';
import {
  buildFrame,
  formatFrame,
  type GeneveOption,
  type Layer,
  parseFrame,
  parseIp,
  readSecurityId,
  writePcapFile,
} from '../../packet/index.js';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../switch/index.js';

/** The option the fabric's VTEPs carry the security ID in (docs/FABRIC.md, `securityOption`). */
const securityOptionOf = (fabric: Fabric) =>
  fabric.securityOption && fabric.securityOption !== 'omit'
    ? fabric.securityOption
    : { optionClass: 0xfff0, type: 0x01 };

interface Device {
  name: string;
  target: EmbeddedTarget;
  controller: VtepController;
  punts: PuntHandler;
  uplinks: Set<number>;
  accessPorts: Set<number>;
}

interface Flow {
  what: string;
  from: WorkloadSpec;
  to: { mac: string; ipv4?: string; name: string };
  protocol: 'tcp' | 'udp';
  port: number;
  payload: number;
  expect: string;
}

function tenantFrame(f: Flow): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst: f.to.mac, src: f.from.mac }];
  if (f.from.vlan) layers.push({ kind: 'vlan', vid: f.from.vlan });
  layers.push({
    kind: 'ipv4',
    src: f.from.ipv4 ?? '192.0.2.1',
    dst: f.to.ipv4 ?? '192.0.2.2',
    dontFragment: true,
  });
  layers.push(
    f.protocol === 'tcp'
      ? { kind: 'tcp', srcPort: 40000, dstPort: f.port }
      : { kind: 'udp', srcPort: 40000, dstPort: f.port },
  );
  layers.push({ kind: 'payload', data: new Uint8Array(f.payload).fill(0x42) });
  return buildFrame(layers);
}

const short = (text: string, indent: string) =>
  text
    .split('\n')
    .map((l) => `${indent}${l.length > 100 ? `${l.slice(0, 97)}...` : l}`)
    .join('\n');

/** The first policy (highest priority) that matches a flow, as the data plane evaluates it. */
function verdict(
  fabric: Fabric,
  tenant: string,
  from: WorkloadSpec,
  to: WorkloadSpec,
  protocol: string,
  port: number,
) {
  const t = fabric.tenants.find((x) => x.name === tenant);
  const rules = [...(t?.policies ?? [])].sort((a, b) => b.priority - a.priority);
  return rules.find(
    (p) =>
      (p.from === undefined || p.from === from.identity) &&
      (p.to === undefined || p.to === to.identity) &&
      (p.protocol === undefined || p.protocol === protocol) &&
      (p.ports === undefined ||
        (Array.isArray(p.ports) ? port >= p.ports[0] && port <= p.ports[1] : port === p.ports)),
  );
}

/** The flows worth showing, picked from the fabric so that the labels are true. */
function chooseFlows(fabric: Fabric, d: Derivation): Flow[] {
  const allowed: Flow[] = [];
  const flows: Flow[] = [];
  for (const t of fabric.tenants) {
    const members = fabric.workloads.filter((w) => w.tenant === t.name);
    pairs: for (const from of members) {
      for (const to of members) {
        if (to.device === from.device) continue;
        for (const p of t.policies.filter((x) => x.action === 'allow')) {
          const protocol = p.protocol === 'udp' ? 'udp' : 'tcp';
          const port = p.ports === undefined ? 80 : Array.isArray(p.ports) ? p.ports[0] : p.ports;
          if (verdict(fabric, t.name, from, to, protocol, port)?.action !== 'allow') continue;
          allowed.push({
            from,
            to,
            protocol,
            port,
            payload: 64,
            what: `${from.name} -> ${to.name}, ${protocol}/${port} (tenant ${t.name}, allowed: ${p.from ?? 'any'} -> ${p.to ?? 'any'})`,
            expect: `delivered to ${to.name}${to.vlan ? ` on VLAN ${to.vlan}` : ''}`,
          });
          break pairs;
        }
      }
    }
  }
  flows.push(...allowed);
  const denied = allowed.find(
    (f) => verdict(fabric, f.from.tenant, f.from, f.to as WorkloadSpec, 'tcp', 22)?.action !== 'allow',
  );
  if (denied)
    flows.push({
      ...denied,
      protocol: 'tcp',
      port: 22,
      what: `${denied.from.name} -> ${denied.to.name}, tcp/22 (tenant ${denied.from.tenant}, no policy allows it)`,
      expect: 'dropped by the receiving VTEP (POLICY_DENY)',
    });
  for (const from of fabric.workloads) {
    const target = fabric.workloads.find(
      (w) =>
        w.tenant !== from.tenant &&
        !fabric.workloads.some((x) => x.tenant === from.tenant && x.mac === w.mac),
    );
    if (!target) continue;
    flows.push({
      from,
      to: target,
      protocol: 'tcp',
      port: 80,
      payload: 64,
      what: `${from.name} (tenant ${from.tenant}) -> ${target.mac}, which only ${target.name} of tenant ${target.tenant} has`,
      expect: 'dropped: that MAC does not exist in the sender’s tenant (UNKNOWN_DESTINATION)',
    });
    break;
  }
  const big = allowed[0];
  if (big) {
    const sender = d.devices.find((v) => v.device.name === big.from.device);
    const mtu = Math.min(...(sender?.device.uplinks.map((u) => u.mtu ?? 9000) ?? [1500]));
    flows.push({
      ...big,
      payload: mtu - 20 - (big.protocol === 'tcp' ? 20 : 8), // an IP packet the size of the uplink MTU
      what: `${big.from.name} -> ${big.to.name}, ${big.protocol}/${big.port}: a ${mtu}-byte IP packet with DF, over a ${mtu}-byte uplink`,
      expect: 'punted; the controller answers the sender with ICMP fragmentation needed',
    });
  }
  return flows;
}

/**
 * An ARP request a workload broadcasts for a workload of its tenant behind another VTEP, which
 * its own VTEP answers from the controller's bindings (neighbor suppression); undefined when the
 * fabric has no such pair of addresses.
 */
function chooseArp(fabric: Fabric): { from: WorkloadSpec; to: WorkloadSpec; frame: Uint8Array } | undefined {
  for (const from of fabric.workloads) {
    const to = fabric.workloads.find(
      (w) => w.tenant === from.tenant && w.device !== from.device && w.ipv4 !== undefined,
    );
    if (!from.ipv4 || !to?.ipv4) continue;
    const layers: Layer[] = [{ kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: from.mac }];
    if (from.vlan) layers.push({ kind: 'vlan', vid: from.vlan });
    layers.push({
      kind: 'arp',
      operation: 1,
      senderMac: from.mac,
      senderIp: from.ipv4,
      targetMac: '00:00:00:00:00:00',
      targetIp: to.ipv4,
    });
    return { from, to, frame: buildFrame(layers) };
  }
  return undefined;
}

function describeGeneve(bytes: Uint8Array, fabric: Fabric, d: Derivation): string {
  const layers = parseFrame(bytes).layers;
  const g = layers.find((l) => l.kind === 'geneve');
  const outer = layers.find((l) => l.kind === 'ipv4' || l.kind === 'ipv6') as
    | { src: string; dst: string }
    | undefined;
  if (g?.kind !== 'geneve') return 'not Geneve';
  const tenant = fabric.tenants.find((t) => t.vni === g.vni)?.name ?? '?';
  const id = readSecurityId((g.options ?? []) as GeneveOption[], securityOptionOf(fabric));
  const identity = [...d.identities].find(([, v]) => v === id)?.[0] ?? '?';
  return `Geneve ${outer?.src} -> ${outer?.dst}, VNI ${g.vni} (tenant ${tenant}), security ID ${id} (identity ${identity})`;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run a two-VTEP overlay on embedded targets, configured from one fabric file, and show frames',
    )
    .option('--fabric <file>', 'fabric file', join(PACKAGE_ROOT, 'examples', 'overlay.yaml'))
    .option('--out <dir>', 'directory for the pcap files (default: a new temporary directory)')
    .action(async (o: { fabric: string; out?: string }) => {
      const loaded = loadFabric(o.fabric);
      if (loaded.format !== 'fabric')
        throw new IntentError([`${o.fabric}: the demo needs a fabric file with devices (docs/FABRIC.md)`]);
      const fabric = structuredClone(loaded.fabric);
      const derivation = deriveFabric(fabric, loaded.where);
      const out = o.out ?? mkdtempSync(join(tmpdir(), 'genevectl-demo-'));
      mkdirSync(out, { recursive: true });

      const devices: Device[] = [];
      const pcaps = new Map<string, { data: Uint8Array; seconds: number; nanoseconds: number }[]>();
      let clock = 0;
      const record = (file: string, data: Uint8Array) => {
        const list = pcaps.get(file) ?? [];
        pcaps.set(file, list);
        clock++;
        list.push({ data, seconds: Math.floor(clock / 1000), nanoseconds: (clock % 1000) * 1_000_000 });
      };
      try {
        for (const d of fabric.devices) {
          const target = await startEmbeddedTarget({
            grpcAddress: '127.0.0.1:0',
            cpuPort: d.cpuPort,
            ports: 8,
            deviceId: d.deviceId,
          });
          d.address = target.grpcAddress;
          devices.push({
            name: d.name,
            target,
            controller: undefined as unknown as VtepController,
            punts: undefined as unknown as PuntHandler,
            uplinks: new Set(d.uplinks.map((u) => u.port)),
            accessPorts: new Set(d.accessPorts),
          });
        }
        console.log(
          `${devices.length} embedded targets: ${fabric.devices.map((d) => `${d.name} on ${d.address}`).join(', ')}`,
        );
        const targets: DeviceTarget[] = deviceTargets({ ...loaded, fabric, format: 'fabric' });
        for (const r of await reconcileFabric(targets)) {
          if (!r.ok) throw r.error;
          console.log(
            `${r.device}: program ${r.report.pipeline}, ${r.report.written} entries written (${r.report.plan.tenants.map((t) => t.name).join(', ')})`,
          );
        }
        console.log(`identities: ${[...derivation.identities].map(([n, id]) => `${n}=${id}`).join(', ')}\n`);

        // The controller's own session per device: packet-ins (MTU punts answered with ICMP).
        for (const [i, d] of fabric.devices.entries()) {
          const client = await P4RuntimeClient.connect({
            address: d.address,
            deviceId: d.deviceId,
            electionId: BigInt(d.electionId),
            waitForPrimary: true,
          });
          await client.loadPipelineFromDevice();
          const dev = devices[i];
          dev.controller = new VtepController(client);
          dev.punts = new PuntHandler(
            targets[i].intent,
            (frame, metadata) => client.packetOut(frame, metadata),
            {
              log: (line) => console.log(`  controller (${d.name}): ${line}`),
              neighborAnswerer: neighborAnswerer(client.p4info),
            },
          );
          client.on('packetIn', (p) => dev.punts.handle(p));
          // Every frame a workload port emits goes into that port's pcap (packet-outs included).
          dev.target.dataplane.onOutput((x) => {
            if (dev.accessPorts.has(x.port)) record(`${d.name}-port${x.port}.pcap`, x.frame);
          });
        }

        const vtepOf = (bytes: Uint8Array): number => {
          const ip = parseFrame(bytes).layers.find((l) => l.kind === 'ipv4' || l.kind === 'ipv6') as
            | { dst: string }
            | undefined;
          if (!ip) return -1;
          const key = parseIp(ip.dst).bytes.join('.');
          return fabric.devices.findIndex((d) =>
            [d.vteps.ipv4, d.vteps.ipv6].some((a) => a !== undefined && parseIp(a).bytes.join('.') === key),
          );
        };

        for (const flow of chooseFlows(fabric, derivation)) {
          console.log(`${flow.what}\n  expected: ${flow.expect}`);
          const a = fabric.devices.findIndex((d) => d.name === flow.from.device);
          const src = devices[a];
          const frame = tenantFrame(flow);
          record(`${src.name}-port${flow.from.port}.pcap`, frame);
          const dropsBefore = await Promise.all(devices.map((d) => d.controller.dropCounters()));
          const answered = src.punts.counts.mtuAnswered;
          const answer = new Promise<Uint8Array | undefined>((resolve) => {
            const off = src.target.dataplane.onOutput((x) => {
              if (x.port === flow.from.port && parseFrame(x.frame).layers.some((l) => l.kind === 'icmpv4')) {
                off();
                resolve(x.frame);
              }
            });
            // Only a bound for a controller that never answers: the answer resolves as soon as it leaves.
            setTimeout(() => {
              off();
              resolve(undefined);
            }, 30_000).unref();
          });
          let delivered = 0;
          for (const x of src.target.dataplane.process(flow.from.port, frame)) {
            if (!src.uplinks.has(x.port)) {
              console.log(`  ${src.name} port ${x.port}: delivered locally`);
              delivered++;
              continue;
            }
            record('underlay.pcap', x.frame);
            console.log(
              `  ${src.name} uplink ${x.port} -> underlay: ${describeGeneve(x.frame, fabric, derivation)}`,
            );
            console.log(short(formatFrame(parseFrame(x.frame)), '    '));
            const b = vtepOf(x.frame);
            if (b < 0) continue;
            const dst = devices[b];
            const port = fabric.devices[b].uplinks[0].port;
            for (const y of dst.target.dataplane.process(port, x.frame)) {
              delivered++;
              console.log(`  underlay -> ${dst.name} uplink ${port}, decapsulated, out of port ${y.port}:`);
              console.log(short(formatFrame(parseFrame(y.frame)), '    '));
            }
          }
          if (flow.payload > 1000) {
            const icmp = await answer;
            if (icmp && src.punts.counts.mtuAnswered > answered) {
              console.log(
                `  ${flow.from.name} receives on port ${flow.from.port} (packet-out from the controller):`,
              );
              console.log(short(formatFrame(parseFrame(icmp)), '    '));
            } else console.log('  no ICMP answer came back');
          }
          const dropsAfter = await Promise.all(devices.map((d) => d.controller.dropCounters()));
          devices.forEach((d, i) => {
            for (const [reason, c] of Object.entries(dropsAfter[i])) {
              const before = dropsBefore[i][reason as keyof (typeof dropsBefore)[number]]?.packets ?? 0n;
              if (c.packets > before) console.log(`  dropped at ${d.name}: ${reason}`);
            }
          });
          if (delivered === 0 && flow.payload <= 1000) console.log('  not delivered');
          console.log('');
        }

        const arp = chooseArp(fabric);
        if (arp) {
          const { from, to, frame } = arp;
          console.log(
            `${from.name} broadcasts ARP: who has ${to.ipv4}? (${to.name}, behind ${to.device}; tenant ${from.tenant})`,
          );
          console.log(
            `  expected: answered by ${from.device} itself (neighbor suppression), nothing flooded`,
          );
          const a = fabric.devices.findIndex((d) => d.name === from.device);
          record(`${devices[a].name}-port${from.port}.pcap`, frame);
          const outputs = devices[a].target.dataplane.process(from.port, frame);
          for (const x of outputs) {
            const where = x.port === from.port ? `back to ${from.name}` : 'elsewhere';
            console.log(`  ${devices[a].name} port ${x.port} (${where}), built by the VTEP:`);
            console.log(short(formatFrame(parseFrame(x.frame)), '    '));
          }
          const answers = await devices[a].controller.client.readAll(
            devices[a].controller.client.counterEntry('tenant_neighbor_answers'),
          );
          const answered = answers.reduce(
            (n, c) => n + (c.kind === 'counterEntry' ? Number(c.data.packets) : 0),
            0,
          );
          console.log(
            `  ${devices[a].name} answered ${answered} neighbor request(s); ${outputs.length - 1} copies flooded\n`,
          );
        }

        for (const d of devices) {
          const names = new Map(fabric.tenants.map((t) => [t.vni, t.name]));
          const tenants = await d.controller.tenantTrafficOnDevice(names);
          console.log(
            `${d.name} tunnelled traffic: ${tenants.map((t) => `${t.name} in ${t.fromNetwork.packets} / out ${t.toNetwork.packets} pkts`).join('; ')}`,
          );
        }
        for (const [file, packets] of pcaps) await writePcapFile(join(out, file), packets);
        console.log(
          `pcaps in ${out}: ${[...pcaps.keys()].sort().join(', ')} (open them in Wireshark, or: tshark -r ${join(out, 'underlay.pcap')} -O geneve)`,
        );
      } finally {
        for (const d of devices) d.controller?.client.close();
        for (const d of devices) await d.target.stop();
      }
    });
}
