import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DropReason, PUNT_REASONS } from '../../src/controller/reasons.js';
import { buildFrame, type Layer, parseIp } from '../../src/packet/index.js';
import { buildNeighborProfile, P4C } from '../helpers/neighbor-profile-build.js';
import { useVtep } from './harness/fabric.js';
import { fromRemoteVtep } from './harness/frames.js';
import { applyIntent } from './harness/intent.js';
import { type FabricIntent, type ModelOutput, VtepModel } from './harness/model.js';
import { PORTS, UNDERLAY } from './harness/vtep.js';

it('finds p4c-bm2-ss where CI installs it', () => {
  if (process.env.P4_TOOLCHAIN_REQUIRED === '1') expect(P4C, 'p4c-bm2-ss not found').toBeDefined();
});

const BLUE = 5000;
const GREEN = 6000;
const W1 = { port: PORTS.access1, mac: '02:00:00:00:0a:01', vlan: 0, vport: 1, vni: BLUE, securityId: 100 };
const W2 = { port: PORTS.access2, mac: '02:00:00:00:0a:02', vlan: 0, vport: 2, vni: BLUE, securityId: 200 };
const G1 = { port: PORTS.access3, mac: '02:00:00:00:0a:01', vlan: 30, vport: 3, vni: GREEN, securityId: 100 };
const G2 = { port: PORTS.access4, mac: '02:00:00:00:0b:02', vlan: 0, vport: 4, vni: GREEN, securityId: 300 };
const REMOTE = { mac: '02:00:00:00:0a:11', address: '10.0.0.2' };
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/**
 * Blue floods its BUM (a flood group with both local vports and the remote VTEP) and holds
 * bindings for the controller; green floods nothing (no flood group) and drops requests for
 * unknown targets, which is the controller's to do here (the program has no such table).
 */
function intent(o: { ingressPuntBurst?: number } = {}): FabricIntent {
  return {
    accessPorts: [PORTS.access1, PORTS.access2, PORTS.access3, PORTS.access4],
    uplinks: [PORTS.uplink1],
    localVteps: [UNDERLAY.localVtep4],
    vports: [W1, W2, G1, G2],
    remoteVteps: [{ address: REMOTE.address, port: PORTS.uplink1, tunnelId: 1 }],
    tenants: [
      {
        vni: BLUE,
        slot: 1,
        unknownId: 7,
        members: [{ address: REMOTE.address, trusted: true }],
        remoteMacs: [{ mac: REMOTE.mac, address: REMOTE.address }],
        floodGroup: 1,
        neighbors: [
          { ip: '192.168.10.1', mac: W1.mac },
          { ip: '192.168.10.2', mac: W2.mac },
          { ip: 'fd10::2', mac: W2.mac },
        ],
      },
      {
        vni: GREEN,
        slot: 2,
        unknownId: 8,
        members: [],
        remoteMacs: [],
        neighbors: [{ ip: '192.168.10.2', mac: G2.mac }],
        unknownNeighbor: 'drop',
      },
    ],
    policies: [
      { vni: BLUE, allow: true, priority: 1 },
      { vni: GREEN, allow: true, priority: 1 },
    ],
    option: { critical: false },
    neighborSuppression: 'controller',
    ...(o.ingressPuntBurst !== undefined ? { ingressPuntBurst: o.ingressPuntBurst } : {}),
  };
}

function arp(o: {
  src: string;
  senderIp: string;
  targetIp: string;
  dst?: string;
  vlan?: number;
  operation?: number;
  hardwareType?: number;
}): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst: o.dst ?? BROADCAST, src: o.src }];
  if (o.vlan) layers.push({ kind: 'vlan', vid: o.vlan });
  layers.push({
    kind: 'arp',
    operation: o.operation ?? 1,
    ...(o.hardwareType !== undefined ? { hardwareType: o.hardwareType } : {}),
    senderMac: o.src,
    senderIp: o.senderIp,
    targetMac: '00:00:00:00:00:00',
    targetIp: o.targetIp,
  });
  // Ethernet padding to 60 bytes: it is part of the frame the controller receives.
  layers.push({ kind: 'payload', data: new Uint8Array(o.vlan ? 14 : 18) });
  return buildFrame(layers);
}

/** A Neighbor Solicitation to the target's solicited-node group (RFC 4861 4.3). */
function solicitation(o: {
  src: string;
  srcIp: string;
  target: string;
  vlan?: number;
  hopLimit?: number;
  code?: number;
  sourceOption?: boolean;
}): Uint8Array {
  const target = parseIp(o.target).bytes;
  const body = new Uint8Array(o.sourceOption === false ? 16 : 24);
  body.set(target, 0);
  if (o.sourceOption !== false) {
    body.set([1, 1], 16);
    body.set(
      o.src.split(':').map((x) => Number.parseInt(x, 16)),
      18,
    );
  }
  const hex = (i: number) => target[i].toString(16).padStart(2, '0');
  const layers: Layer[] = [
    { kind: 'ethernet', dst: `33:33:ff:${hex(13)}:${hex(14)}:${hex(15)}`, src: o.src },
  ];
  if (o.vlan) layers.push({ kind: 'vlan', vid: o.vlan });
  layers.push(
    {
      kind: 'ipv6',
      src: o.srcIp,
      dst: `ff02::1:ff${hex(13)}:${hex(14)}${hex(15)}`,
      hopLimit: o.hopLimit ?? 255,
    },
    { kind: 'icmpv6', type: 135, code: o.code ?? 0, restOfHeader: 0 },
    { kind: 'payload', data: body },
  );
  return buildFrame(layers);
}

interface Case {
  label: string;
  port: number;
  bytes: Uint8Array;
  /** What the model does not name (it names rules 6-8, 11-13's drops), stated by the test. */
  drop?: DropReason;
}

/** The frames, built by code: every case rule 15a distinguishes. */
function cases(): Case[] {
  const blueRequest = (targetIp: string, extra: Partial<Parameters<typeof arp>[0]> = {}) =>
    arp({ src: W1.mac, senderIp: '192.168.10.1', targetIp, ...extra });
  return [
    // Blue (floods): a request is punted whatever its target; the controller tells them apart.
    { label: 'ARP request, known target', port: W1.port, bytes: blueRequest('192.168.10.2') },
    { label: 'ARP request, unknown target', port: W1.port, bytes: blueRequest('192.168.10.99') },
    {
      label: 'gratuitous ARP',
      port: W1.port,
      bytes: arp({ src: W1.mac, senderIp: '192.168.10.1', targetIp: '192.168.10.1' }),
    },
    {
      label: 'ARP probe',
      port: W1.port,
      bytes: arp({ src: W1.mac, senderIp: '0.0.0.0', targetIp: '192.168.10.5' }),
    },
    // Unicast: forwarded as any frame when its destination is known, punted when it is not.
    {
      label: 'ARP request unicast to a local workload',
      port: W1.port,
      bytes: blueRequest('192.168.10.2', { dst: W2.mac }),
    },
    {
      label: 'ARP request unicast to a remote workload',
      port: W1.port,
      bytes: blueRequest('192.168.10.11', { dst: REMOTE.mac }),
    },
    {
      label: 'ARP request unicast back to its sender',
      port: W1.port,
      bytes: blueRequest('192.168.10.2', { dst: W1.mac }),
      drop: 'HAIRPIN',
    },
    {
      label: 'ARP request unicast to an unknown MAC',
      port: W1.port,
      bytes: blueRequest('192.168.10.2', { dst: '02:00:00:00:0e:0e' }),
    },
    {
      // Nothing is extracted: 8 bytes of ARP are enough to mark a request.
      label: 'ARP request cut short after its operation',
      port: W1.port,
      bytes: buildFrame([
        { kind: 'ethernet', dst: BROADCAST, src: W1.mac, etherType: 0x0806 },
        { kind: 'payload', data: Uint8Array.of(0, 1, 8, 0, 6, 4, 0, 1) },
      ]),
    },
    // Not a request as the parser marks it: flooded as before.
    { label: 'ARP reply, broadcast', port: W1.port, bytes: blueRequest('192.168.10.2', { operation: 2 }) },
    {
      label: 'ARP request, hardware type 6',
      port: W1.port,
      bytes: blueRequest('192.168.10.2', { hardwareType: 6 }),
    },
    {
      label: 'Neighbor Solicitation, known target',
      port: W1.port,
      bytes: solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::2' }),
    },
    {
      label: 'Neighbor Solicitation, unknown target',
      port: W1.port,
      bytes: solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::99' }),
    },
    {
      // The code is the controller's to check.
      label: 'Neighbor Solicitation, code 1',
      port: W1.port,
      bytes: solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::2', code: 1 }),
    },
    {
      label: 'Neighbor Solicitation, hop limit 64',
      port: W1.port,
      bytes: solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::2', hopLimit: 64 }),
    },
    {
      label: 'Neighbor Solicitation without source option',
      port: W1.port,
      bytes: solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::2', sourceOption: false }),
    },
    {
      label: 'duplicate address detection',
      port: W1.port,
      bytes: solicitation({ src: W1.mac, srcIp: '::', target: 'fd10::1', sourceOption: false }),
    },
    // Green floods nothing: a request is punted (its delivery would be nothing), the access tag
    // of G1 is not in the punt; anything else is an unknown destination.
    {
      label: 'tagged ARP request, tenant without flooding',
      port: G1.port,
      bytes: arp({ src: G1.mac, senderIp: '192.168.10.1', targetIp: '192.168.10.2', vlan: G1.vlan }),
    },
    {
      label: 'tagged Neighbor Solicitation, tenant without flooding',
      port: G1.port,
      bytes: solicitation({ src: G1.mac, srcIp: 'fd10::1', target: 'fd10::2', vlan: G1.vlan }),
    },
    {
      label: 'untagged ARP request for an unknown target, tenant without flooding',
      port: G2.port,
      bytes: arp({ src: G2.mac, senderIp: '192.168.10.2', targetIp: '192.168.10.99' }),
    },
    {
      label: 'tagged ARP reply, tenant without flooding',
      port: G1.port,
      bytes: arp({
        src: G1.mac,
        senderIp: '192.168.10.1',
        targetIp: '192.168.10.2',
        vlan: G1.vlan,
        operation: 2,
      }),
      drop: 'UNKNOWN_DESTINATION',
    },
    {
      // Rule 1's anti-spoofing comes first: an unknown source is never punted.
      label: 'ARP request from an unknown source',
      port: G1.port,
      bytes: arp({ src: '02:00:00:00:0e:0f', senderIp: '192.168.10.9', targetIp: '192.168.10.2', vlan: 30 }),
      drop: 'UNKNOWN_SOURCE',
    },
    // Inside tunnels requests are not parsed: decapsulated and forwarded like any frame.
    {
      label: 'ARP request from the underlay, broadcast',
      port: PORTS.uplink1,
      bytes: fromRemoteVtep(arp({ src: REMOTE.mac, senderIp: '192.168.10.11', targetIp: '192.168.10.1' }), {
        vni: BLUE,
        from: REMOTE.address,
      }),
    },
    {
      label: 'Neighbor Solicitation from the underlay',
      port: PORTS.uplink1,
      bytes: fromRemoteVtep(solicitation({ src: REMOTE.mac, srcIp: 'fd10::11', target: 'fd10::2' }), {
        vni: BLUE,
        from: REMOTE.address,
      }),
    },
    {
      label: 'ARP request from the underlay, unicast to a local workload',
      port: PORTS.uplink1,
      bytes: fromRemoteVtep(
        arp({ src: REMOTE.mac, senderIp: '192.168.10.11', targetIp: '192.168.10.1', dst: W1.mac }),
        { vni: BLUE, from: REMOTE.address },
      ),
    },
  ];
}

const key = (o: ModelOutput) => `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe.skipIf(!P4C)('rule 15a: neighbor suppression by the controller, against the model', () => {
  const session = useVtep();
  let work: string;
  let program: { p4infoJson: string; bmv2Json: string };

  beforeAll(() => {
    const build = buildNeighborProfile(P4C!, 'neighbor-controller-');
    work = build.dir;
    expect(build.failure).toBeUndefined();
    program = { p4infoJson: build.p4infoJson, bmv2Json: build.bmv2Json };
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /**
   * Sends each case on its own and compares what the device did with the model's decision: the
   * outputs (as a set), the packet-ins in order (reason NEIGHBOR or GENEVE_OAM, the ingress port,
   * the bytes) and the drop counted. Returns how many cases the model punted.
   */
  async function compare(fabric: FabricIntent, all: Case[]): Promise<number> {
    const s = session();
    const model = new VtepModel(fabric);
    let punted = 0;
    for (const c of all) {
      const d = model.decide(c.port, c.bytes);
      const before = await s.dropCounts();
      const out = await s.send(c.port, c.bytes, c.label, d.copies);
      const punts = s.packetIns.splice(0);
      const after = await s.dropCounts();
      expect(out.map(key).sort(), c.label).toEqual(d.outputs.map(key).sort());
      expect(
        punts.map((p) => ({
          reason: Number(p.metadata.reason),
          port: Number(p.metadata.ingress_port),
          bytes: hex(p.payload),
        })),
        c.label,
      ).toEqual(d.punts.map((p) => ({ reason: PUNT_REASONS[p.reason], port: c.port, bytes: hex(p.bytes) })));
      const counted = Object.entries(after)
        .map(([r, n]) => [r, Number(n - (before[r as DropReason] ?? 0n))] as const)
        .filter(([, n]) => n > 0);
      const expectedDrops = [...d.drops, ...(c.drop ? [c.drop] : [])];
      expect(Object.fromEntries(counted), c.label).toEqual(
        Object.fromEntries(expectedDrops.map((r) => [r, expectedDrops.filter((x) => x === r).length])),
      );
      // Every copy is accounted for by the model: an output, a packet-in or a counted drop.
      expect(d.outputs.length + d.punts.length + expectedDrops.length, c.label).toBe(d.copies);
      punted += d.punts.length;
    }
    return punted;
  }

  it('punts the requests rule 15a names, without the access tag, and forwards everything else as before', async () => {
    const s = session();
    await s.reset('neighbor by the controller: every case', program);
    const fabric = intent();
    await applyIntent(s, fabric);
    const all = cases();
    const punted = await compare(fabric, all);
    // The model is not vacuous: the set covers punts, floods, unicast and drops.
    expect(punted).toBe(12);
  });

  it('sends the punts through the ingress punt meter of rule 13 (a burst of 3, no refill)', async () => {
    const s = session();
    await s.reset('neighbor by the controller: punt meter', program);
    const fabric = intent({ ingressPuntBurst: 3 });
    await applyIntent(s, fabric);
    await s.puntMeter('VtepEgress.oam_punt_meter', 0, 3);
    const all = cases();
    // The first three punts pass; the next ones are dropped and counted, OAM_PUNT_METER.
    expect(await compare(fabric, all)).toBe(3);
    expect((await s.dropCounts()).OAM_PUNT_METER).toBe(9n);
  });
});
