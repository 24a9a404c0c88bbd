// BUM on BlueField devices, end to end: `genevectl controller run` (FabricService) against two
// embedded targets with the DPU profile (the v1model program inside, bum_flood -> bum_to_controller
// for tenant blue, whose `bumPolicy` is `controller`). Frames go in over bmv2's dataplane service;
// what the controller answers or copies comes back out of the ports by packet-out. Every frame is
// accounted for: each one sent causes exactly the packet-outs the service counts (read from its
// /metrics text), or one drop counter (tenant green, `bumPolicy: drop`). Replies are compared byte
// for byte with frames built here by the packet model, and decoded by tshark when it is installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { derivedSecurityId, type Fabric, FabricService } from '../../src/controller/index.js';
import { buildFrame, encapsulate, securityIdOption, writePcap } from '../../src/packet/index.js';
import { DataplaneClient, type EmittedFrame } from '../../src/packet-io/client.js';
import { copyFabric, type Lab, startConverged, startLab } from './helpers.js';

const BLUE_WEB = '02:00:00:00:0a:01';
const BLUE_DB = '02:00:00:00:0a:02';
const BLUE_WEB_2 = '02:00:00:00:0a:03';
const VLAN_WEB_2 = 40;
const UPLINK = 5;

/** The example fabric with blue's BUM to the controller, IPv6 addresses, and blue-web-2 on VLAN 40. */
function bumFabric(lab: Lab): Fabric {
  const fabric = copyFabric(lab.fabric);
  const blue = fabric.tenants.find((t) => t.name === 'blue')!;
  blue.bumPolicy = 'controller';
  // web may reach web (any protocol): what lets a broadcast of one web workload reach the other.
  blue.policies.push({ from: 'web', to: 'web', action: 'allow', priority: 5 });
  const w = (name: string) => fabric.workloads.find((x) => x.name === name)!;
  w('blue-web').ipv6 = 'fd00:10::1';
  w('blue-db').ipv6 = 'fd00:10::2';
  fabric.workloads.push({
    name: 'blue-web-2',
    tenant: 'blue',
    identity: 'web',
    mac: BLUE_WEB_2,
    ipv4: '192.168.10.4',
    vlan: VLAN_WEB_2,
    device: 'vtep-a',
    port: 3,
  });
  return fabric;
}

let lab: Lab;
let service: FabricService;
let dp: DataplaneClient[];
const log: string[] = [];
const logWaiters: Array<() => void> = [];
const logLine = (line: string) => {
  log.push(line);
  for (const wake of logWaiters.splice(0)) wake();
};

/** Resolves when the service logs a line matching `pattern` (from now on). */
function nextLogLine(pattern: RegExp): Promise<void> {
  const seen = log.length;
  return new Promise((resolve) => {
    const check = () => {
      if (log.slice(seen).some((l) => pattern.test(l))) resolve();
      else logWaiters.push(check);
    };
    check();
  });
}

beforeAll(async () => {
  lab = await startLab(2, { profile: 'bluefield' });
  const file = join(mkdtempSync(join(tmpdir(), 'bum-bf-')), 'fabric.yaml');
  writeFileSync(file, stringify(bumFabric(lab)));
  service = new FabricService(file, { resyncMs: 0, log: logLine });
  await startConverged(service, 2);
  dp = await Promise.all(
    lab.targets.map((t) => DataplaneClient.connect({ address: t.dataplaneAddress, deviceId: t.deviceId })),
  );
}, 60_000);

afterAll(async () => {
  for (const d of dp ?? []) d.close();
  await service?.stop();
  await lab?.stop();
});

/** The service's punt metrics of `device`, by outcome, and its BUM copies, from /metrics text. */
async function metrics(device: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await service.scrape()).matchAll(
    /^genevectl_(punts|bum_copies|dropped_packets)\{device="([\w-]+)",(?:outcome|copy|reason)="([\w-]+)"\} (\d+)$/gm,
  ))
    if (m[2] === device) out[`${m[1]}:${m[3]}`] = Number(m[4]);
  return out;
}

/**
 * Sends `frame` into `port` of device `i` and returns the packet-outs it causes, once there are
 * `expected` of them (the frame itself causes none: it goes to the controller).
 */
async function sendPunted(
  i: number,
  port: number,
  frame: Uint8Array,
  expected: number,
): Promise<EmittedFrame[]> {
  const id = dp[i].send(port, frame);
  await dp[i].waitUntil(() => dp[i].unattributedCount >= expected, {
    missing: () => `${dp[i].unattributedCount} of ${expected} packet-out(s)`,
  });
  const direct = await dp[i].collectCounts([id], 0);
  expect(direct.get(id)).toEqual([]);
  return dp[i].takeUnattributed().sort((x, y) => x.port - y.port);
}

/** What changed in the metrics between two readings (zero changes left out). */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0),
  );
}

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = !tshark.error && tshark.status === 0;
if (!haveTshark)
  console.warn(
    'bum-bluefield.test: tshark is not installed (Debian package tshark); its decoding of the replies is skipped',
  );

/** tshark's reading of one frame: the given fields, by name. */
function tsharkFields(frame: Uint8Array, fields: string[]): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'bum-tshark-'));
  const file = join(dir, 'reply.pcap');
  writeFileSync(file, writePcap([{ data: frame }]));
  const run = spawnSync(
    'tshark',
    ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8' },
  );
  if (run.status !== 0)
    throw new Error(
      `tshark failed (status ${run.status}, ${run.signal ?? run.error?.message}): ${run.stderr}`,
    );
  const values = run.stdout.trim().split('|');
  return Object.fromEntries(fields.map((f, i) => [f, values[i]]));
}

/** A broadcast ARP request from (mac, ip) for `targetIp`, tagged when `vlan` is given. */
function arpRequest(mac: string, ip: string, targetIp: string, vlan?: number): Uint8Array {
  return buildFrame([
    { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: mac },
    ...(vlan !== undefined ? [{ kind: 'vlan' as const, vid: vlan }] : []),
    { kind: 'arp', operation: 1, senderMac: mac, senderIp: ip, targetMac: '00:00:00:00:00:00', targetIp },
  ]);
}

/** The ARP reply of (mac, ip) to (toMac, toIp), tagged when `vlan` is given. */
function arpReplyFrame(mac: string, ip: string, toMac: string, toIp: string, vlan?: number): Uint8Array {
  return buildFrame([
    vlan !== undefined
      ? { kind: 'ethernet', dst: toMac, src: mac }
      : { kind: 'ethernet', dst: toMac, src: mac, etherType: 0x0806 },
    ...(vlan !== undefined ? [{ kind: 'vlan' as const, vid: vlan, etherType: 0x0806 }] : []),
    { kind: 'arp', operation: 2, senderMac: mac, senderIp: ip, targetMac: toMac, targetIp: toIp },
  ]);
}

describe('BUM on a DPU: answered or copied by the controller', () => {
  // ARP requests for a workload the fabric knows are answered by the data plane itself (neighbor
  // suppression, docs/DATAPLANE.md rule 15): the controller sees nothing of them.
  it('leaves an ARP request for a remote workload of the tenant to the data plane, which answers it byte for byte', async () => {
    const before = await metrics('vtep-a');
    const request = arpRequest(BLUE_WEB, '192.168.10.1', '192.168.10.2');
    const out = await dp[0].exchange(1, request, 1);
    const reply = arpReplyFrame(BLUE_DB, '192.168.10.2', BLUE_WEB, '192.168.10.1');
    expect(out).toEqual([{ port: 1, bytes: reply }]);
    expect(delta(before, await metrics('vtep-a'))).toEqual({});
    if (haveTshark)
      expect(
        tsharkFields(out[0].bytes, [
          'arp.opcode',
          'arp.src.hw_mac',
          'arp.src.proto_ipv4',
          'arp.dst.hw_mac',
          'arp.dst.proto_ipv4',
        ]),
      ).toEqual({
        'arp.opcode': '2',
        'arp.src.hw_mac': BLUE_DB,
        'arp.src.proto_ipv4': '192.168.10.2',
        'arp.dst.hw_mac': BLUE_WEB,
        'arp.dst.proto_ipv4': '192.168.10.1',
      });
  });

  // A well-formed solicitation for a known target is answered by the data plane too (rule 15).
  it('leaves a Neighbor Solicitation to the data plane, which answers with a Neighbor Advertisement, byte for byte', async () => {
    const before = await metrics('vtep-a');
    const target = 'fd00:10::2';
    // RFC 4861 4.3: after the ICMPv6 header's 4 reserved bytes, the target, then the option.
    const body = new Uint8Array(16 + 8);
    body.set([0xfd, 0x00, 0x00, 0x10, ...new Array(11).fill(0), 0x02], 0);
    body.set([1, 1, 0x02, 0, 0, 0, 0x0a, 0x01], 16); // source link-layer address option
    const solicitation = buildFrame([
      { kind: 'ethernet', dst: '33:33:ff:00:00:02', src: BLUE_WEB },
      { kind: 'ipv6', src: 'fd00:10::1', dst: 'ff02::1:ff00:2', hopLimit: 255 },
      { kind: 'icmpv6', type: 135, code: 0 },
      { kind: 'payload', data: body },
    ]);
    const out = await dp[0].exchange(1, solicitation, 1);
    const naBody = new Uint8Array(16 + 8);
    naBody.set(body.subarray(0, 16), 0);
    naBody.set([2, 1, 0x02, 0, 0, 0, 0x0a, 0x02], 16); // target link-layer address option
    const advertisement = buildFrame([
      { kind: 'ethernet', dst: BLUE_WEB, src: BLUE_DB },
      { kind: 'ipv6', src: target, dst: 'fd00:10::1', hopLimit: 255 },
      { kind: 'icmpv6', type: 136, code: 0, restOfHeader: 0x6000_0000 },
      { kind: 'payload', data: naBody },
    ]);
    expect(out).toEqual([{ port: 1, bytes: advertisement }]);
    expect(delta(before, await metrics('vtep-a'))).toEqual({});
    if (haveTshark) {
      // The solicitation itself is a well-formed one (the target where RFC 4861 puts it).
      expect(
        tsharkFields(solicitation, ['icmpv6.type', 'icmpv6.nd.ns.target_address', 'icmpv6.opt.linkaddr']),
      ).toEqual({
        'icmpv6.type': '135',
        'icmpv6.nd.ns.target_address': target,
        'icmpv6.opt.linkaddr': BLUE_WEB,
      });
      expect(
        tsharkFields(out[0].bytes, [
          'icmpv6.type',
          'icmpv6.checksum.status',
          'icmpv6.nd.na.flag.s',
          'icmpv6.nd.na.flag.o',
          'icmpv6.nd.na.target_address',
          'icmpv6.opt.linkaddr',
        ]),
      ).toEqual({
        'icmpv6.type': '136',
        'icmpv6.checksum.status': '1', // good
        'icmpv6.nd.na.flag.s': '1',
        'icmpv6.nd.na.flag.o': '1',
        'icmpv6.nd.na.target_address': target,
        'icmpv6.opt.linkaddr': BLUE_DB,
      });
    }
  });

  it('leaves a tagged requester to the data plane, which answers with its VLAN tag, for a local workload', async () => {
    const before = await metrics('vtep-a');
    const request = arpRequest(BLUE_WEB_2, '192.168.10.4', '192.168.10.1', VLAN_WEB_2);
    const out = await dp[0].exchange(3, request, 1);
    const reply = arpReplyFrame(BLUE_WEB, '192.168.10.1', BLUE_WEB_2, '192.168.10.4', VLAN_WEB_2);
    expect(out).toEqual([{ port: 3, bytes: reply }]);
    expect(delta(before, await metrics('vtep-a'))).toEqual({});
  });

  it('copies other broadcast to the local attachments policy allows and, encapsulated, to the remote VTEP; the remote DPU delivers it locally', async () => {
    const beforeA = await metrics('vtep-a');
    const beforeB = await metrics('vtep-b');
    const untagged = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB_2 },
      { kind: 'ipv4', src: '192.168.10.4', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 40000, dstPort: 11211 },
      { kind: 'payload', data: new Uint8Array(20).fill(9) },
    ]);
    const tagged = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB_2 },
      { kind: 'vlan', vid: VLAN_WEB_2 },
      { kind: 'ipv4', src: '192.168.10.4', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 40000, dstPort: 11211 },
      { kind: 'payload', data: new Uint8Array(20).fill(9) },
    ]);
    // vtep-a: to blue-web (port 1, web -> web allowed) and to vtep-b (10.0.0.2) out of uplink 5.
    const out = await sendPunted(0, 3, tagged, 2);
    const geneve = encapsulate(untagged, {
      vni: 5000,
      outer: {
        srcMac: '02:aa:00:00:00:05',
        dstMac: '02:bb:00:00:00:05',
        srcIp: '10.0.0.1',
        dstIp: '10.0.0.2',
      },
      options: [securityIdOption({ optionClass: 0xfff0, type: 1, id: derivedSecurityId('web') })],
    });
    expect(out).toEqual([
      { port: 1, bytes: untagged },
      { port: UPLINK, bytes: geneve },
    ]);
    expect(delta(beforeA, await metrics('vtep-a'))).toEqual({
      'punts:bum_copied': 1,
      'bum_copies:local': 1,
      'bum_copies:remote': 1,
    });

    // vtep-b receives the copy on its uplink: decapsulated, punted, delivered to blue-cache (port 3,
    // web -> cache udp 11211 allowed) and not to blue-db (web -> db allows tcp 5432 only); never
    // back into the underlay.
    const atB = await sendPunted(1, UPLINK, geneve, 1);
    expect(atB).toEqual([{ port: 3, bytes: untagged }]);
    expect(delta(beforeB, await metrics('vtep-b'))).toEqual({
      'punts:bum_copied': 1,
      'bum_copies:local': 1,
      'bum_copies:denied_by_policy': 1,
    });
  });

  it('does not serve a frame from the underlay whose sender MAC is a workload of two tenants', async () => {
    // blue-web and green-app-a share 02:00:00:00:0a:01: the decapsulated frame does not say which.
    const before = await metrics('vtep-b');
    const frame = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB },
      { kind: 'ipv4', src: '192.168.10.1', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 40000, dstPort: 11211 },
    ]);
    const geneve = encapsulate(frame, {
      vni: 5000,
      outer: {
        srcMac: '02:aa:00:00:00:05',
        dstMac: '02:bb:00:00:00:05',
        srcIp: '10.0.0.1',
        dstIp: '10.0.0.2',
      },
      options: [securityIdOption({ optionClass: 0xfff0, type: 1, id: derivedSecurityId('web') })],
    });
    const punted = nextLogLine(/not served: ambiguous-sender/);
    const id = dp[1].send(UPLINK, geneve);
    await punted;
    expect((await dp[1].collectCounts([id], 0)).get(id)).toEqual([]);
    expect(dp[1].unattributedCount).toBe(0);
    expect(delta(before, await metrics('vtep-b'))).toEqual({ 'punts:bum_not_served_ambiguous-sender': 1 });
  });

  it('leaves a tenant with `bumPolicy: drop` to the data plane, which drops and counts its BUM', async () => {
    const before = await metrics('vtep-a');
    const frame = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB }, // green-app-a's MAC too, on port 2
      { kind: 'ipv4', src: '192.168.10.1', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 40000, dstPort: 9 },
    ]);
    const id = dp[0].send(2, frame);
    const drops = async () => (await metrics('vtep-a'))['dropped_packets:UNKNOWN_DESTINATION'] ?? 0;
    const dropsBefore = before['dropped_packets:UNKNOWN_DESTINATION'] ?? 0;
    await dp[0].waitUntil(async () => (await drops()) > dropsBefore, { pollMs: 50 });
    expect((await dp[0].collectCounts([id], 0)).get(id)).toEqual([]);
    expect(delta(before, await metrics('vtep-a'))).toEqual({ 'dropped_packets:UNKNOWN_DESTINATION': 1 });
  });
});
