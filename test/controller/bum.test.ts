// The controller's handling of punted BUM frames (bum.ts, neighbor.ts, tenant-policy.ts), without a
// device: what it sends for each frame (recorded packet-outs), what it counts, and what it does not
// answer. The end-to-end test on two BlueField profile targets is bum-bluefield.test.ts.

import type { P4Value } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import {
  BumHandler,
  deriveFabric,
  type Fabric,
  type FabricIntent,
  frameFacts,
  neighborRequest,
  PUNT_REASONS,
  PuntHandler,
  policyAllows,
} from '../../src/controller/index.js';
import { buildFrame, type Layer } from '../../src/packet/index.js';
import { copyFabric, exampleFabric } from './helpers.js';

const BLUE_WEB = '02:00:00:00:0a:01';

/** vtep-a of the example with blue's BUM to the controller and blue-db's IPv6 address. */
function vtepA(change: (f: Fabric) => void = () => {}): FabricIntent {
  const fabric = copyFabric(exampleFabric());
  fabric.tenants.find((t) => t.name === 'blue')!.bumPolicy = 'controller';
  fabric.workloads.find((w) => w.name === 'blue-db')!.ipv6 = 'fd00:10::2';
  change(fabric);
  return deriveFabric(fabric).devices[0].intent;
}

interface Sent {
  port: P4Value;
  bytes: Uint8Array;
}
function handler(intent: FabricIntent, options: { burst?: number; now?: () => number } = {}) {
  const sent: Sent[] = [];
  const log: string[] = [];
  const h = new BumHandler(intent, (bytes, m) => sent.push({ port: m.egress_port, bytes }), undefined, {
    rate: 1,
    burst: options.burst ?? 100,
    now: options.now ?? (() => 0),
    log: (l) => log.push(l),
  });
  return { h, sent, log };
}

const arp = (senderIp: string, targetIp: string, src = BLUE_WEB): Uint8Array =>
  buildFrame([
    { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src },
    { kind: 'arp', operation: 1, senderMac: src, senderIp, targetMac: '00:00:00:00:00:00', targetIp },
  ]);

function solicitation(src: string, target: string, option = true): Uint8Array {
  // RFC 4861 4.3: after the ICMPv6 header's 4 reserved bytes, the target, then the option.
  const body = new Uint8Array(16 + (option ? 8 : 0));
  body.set([0xfd, 0, 0, 0x10, ...new Array(11).fill(0), 0x02], 0); // fd00:10::2
  if (option) body.set([1, 1, 0x02, 0, 0, 0, 0x0a, 0x01], 16);
  const layers: Layer[] = [
    { kind: 'ethernet', dst: '33:33:ff:00:00:02', src: BLUE_WEB },
    { kind: 'ipv6', src, dst: 'ff02::1:ff00:2', hopLimit: 255 },
    { kind: 'icmpv6', type: 135 },
    { kind: 'payload', data: body },
  ];
  expect(target).toBe('fd00:10::2');
  return buildFrame(layers);
}

describe('ARP and Neighbor Solicitations', () => {
  it('recognises requests, and not gratuitous ARP, probes, DAD or a solicitation without its option', () => {
    expect(neighborRequest(arp('192.168.10.1', '192.168.10.2'))).toEqual({
      kind: 'arp',
      senderMac: BLUE_WEB,
      senderIp: '192.168.10.1',
      targetIp: '192.168.10.2',
    });
    expect(neighborRequest(arp('192.168.10.1', '192.168.10.1'))).toBe('gratuitous-or-probe');
    expect(neighborRequest(arp('0.0.0.0', '192.168.10.2'))).toBe('gratuitous-or-probe');
    expect(neighborRequest(solicitation('fd00:10::1', 'fd00:10::2'))).toMatchObject({
      kind: 'ns',
      targetIp: 'fd00:10::2',
    });
    expect(neighborRequest(solicitation('::', 'fd00:10::2'))).toBe('duplicate-address-detection');
    expect(neighborRequest(solicitation('fd00:10::1', 'fd00:10::2', false))).toBe('invalid');
  });

  it('answers only a known (tenant, IP): the tenant is the sender’s, not any tenant with that address', () => {
    // green-app-a (vtep-a port 2) shares blue-web's MAC and IP; its tenant drops BUM.
    const { h, sent } = handler(vtepA());
    h.handle(1, arp('192.168.10.1', '192.168.10.2'));
    expect(sent.map((s) => s.port)).toEqual([1]);
    expect(h.counts.arpAnswered).toBe(1);
    // 192.168.10.9 is nobody's: delivered as other BUM (blue has no other local workload, and one
    // remote VTEP): one encapsulated copy out of uplink 5.
    h.handle(1, arp('192.168.10.1', '192.168.10.9'));
    expect(sent.map((s) => s.port)).toEqual([1, 5]);
    expect([h.counts.copied, h.counts.copiesRemote]).toEqual([1, 1]);
    // The same request from green's port: green drops BUM, so the controller does nothing.
    h.handle(2, arp('192.168.10.1', '192.168.10.2'));
    expect(sent.length).toBe(2);
    expect(h.counts.notHandled['tenant-drops-bum']).toBe(1);
  });

  it('delivers gratuitous ARP and DAD as other BUM, never answers them', () => {
    const { h, sent } = handler(vtepA());
    h.handle(1, arp('192.168.10.1', '192.168.10.1'));
    h.handle(1, solicitation('::', 'fd00:10::2'));
    expect(h.counts.arpAnswered + h.counts.ndAnswered).toBe(0);
    expect(h.counts.copied).toBe(2);
    expect(sent.map((s) => s.port)).toEqual([5, 5]);
  });
});

describe('BUM frames the controller does not serve', () => {
  it('counts unknown and ambiguous senders, unicast destinations and short frames, and logs 1, 2, 4...', () => {
    const intent = vtepA((f) => {
      // A workload of a third tenant with blue-web's MAC on the same port, on VLAN 7: an untagged
      // frame from that MAC on port 1 could be either.
      f.tenants.push({
        name: 'red',
        vni: 7000,
        unknownSecurityId: 0,
        flood: true,
        bumPolicy: 'drop',
        unknownNeighbor: 'flood',
        policies: [],
      });
      f.workloads.push({
        name: 'red-web',
        tenant: 'red',
        identity: 'app',
        mac: BLUE_WEB,
        vlan: 7,
        device: 'vtep-a',
        port: 1,
      });
    });
    const { h, sent, log } = handler(intent);
    h.handle(1, arp('192.168.10.1', '192.168.10.2')); // port 1, 0a:01, untagged: two workloads
    h.handle(1, arp('192.168.10.1', '192.168.10.2', '02:00:00:00:0e:0e')); // nobody
    h.handle(9, arp('192.168.10.1', '192.168.10.2')); // not a port of the fabric
    h.handle(1, new Uint8Array(10));
    const unicast = arp('192.168.10.1', '192.168.10.2');
    unicast[0] = 0x02;
    for (let i = 0; i < 3; i++) h.handle(1, unicast);
    expect(sent).toEqual([]);
    expect(h.counts.notHandled).toMatchObject({
      'ambiguous-sender': 1,
      'unknown-sender': 2,
      malformed: 1,
      'not-group-destination': 3,
    });
    expect(
      log.filter((l) => l.includes('not-group-destination')).map((l) => /\((\d+) so far\)/.exec(l)?.[1]),
    ).toEqual(['1', '2']);
    // With its tag, the frame names its attachment: red-web, whose tenant drops BUM.
    const tagged = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB },
      { kind: 'vlan', vid: 7 },
      { kind: 'ipv4', src: '10.9.9.9', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
    ]);
    h.handle(1, tagged);
    expect(h.counts.notHandled['tenant-drops-bum']).toBe(1);
  });

  it('rate-limits: a burst, then one frame per second', () => {
    let t = 0;
    const { h, sent } = handler(vtepA(), { burst: 2, now: () => t });
    for (let i = 0; i < 3; i++) h.handle(1, arp('192.168.10.1', '192.168.10.2'));
    expect([sent.length, h.counts.notHandled['rate-limited']]).toEqual([2, 1]);
    t = 1000;
    h.handle(1, arp('192.168.10.1', '192.168.10.2'));
    expect([sent.length, h.counts.arpAnswered]).toEqual([3, 3]);
  });

  it('sends no remote copy without a route or above the uplink MTU, and says so', () => {
    const big = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB },
      { kind: 'ipv4', src: '192.168.10.1', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 1, dstPort: 2 },
      { kind: 'payload', data: new Uint8Array(1450) },
    ]);
    const { h, sent } = handler(vtepA());
    h.handle(1, big); // 1492 bytes: over 1500 once encapsulated (20 + 8 + 8 + 8 + 1492 = 1536)
    expect([sent.length, h.counts.copiesTooLarge, h.counts.copied]).toEqual([0, 1, 1]);
    const noRoute = handler(vtepA((f) => (f.devices[0].routes = [])));
    noRoute.h.handle(1, big.subarray(0, 60));
    expect([noRoute.sent.length, noRoute.h.counts.copiesNoRoute]).toEqual([0, 1]);
  });
});

describe('the punt handler', () => {
  it('passes BUM and NEIGHBOR punts on, and keeps its counts when built again', () => {
    const sent: Uint8Array[] = [];
    const send = (bytes: Uint8Array) => sent.push(bytes);
    const first = new PuntHandler(vtepA(), send);
    const punt = (reason: number, payload: Uint8Array) => ({
      payload,
      metadata: { ingress_port: 1, reason, pad: 0 },
      raw: {},
    });
    first.handle(punt(PUNT_REASONS.BUM, arp('192.168.10.1', '192.168.10.2')));
    // A solicitation the data plane knows but cannot answer (the DPL program): answered whatever
    // the tenant's BUM policy.
    const again = new PuntHandler(
      vtepA((f) => (f.tenants.find((t) => t.name === 'blue')!.bumPolicy = 'drop')),
      send,
      { counts: first.counts },
    );
    again.handle(punt(PUNT_REASONS.NEIGHBOR, solicitation('fd00:10::1', 'fd00:10::2')));
    again.handle(punt(PUNT_REASONS.NEIGHBOR, solicitation('fd00:10::1', 'fd00:10::2', false)));
    expect(again.counts.bum).toMatchObject({ arpAnswered: 1, ndAnswered: 1 });
    expect(again.counts.bum.notHandled['neighbor-not-answered']).toBe(1);
    expect(sent.length).toBe(2);
  });
});

describe('the policy check of copies', () => {
  it('takes protocol and port as the data plane does, highest priority wins, default deny', () => {
    const udp = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB },
      { kind: 'ipv4', src: '1.1.1.1', dst: '255.255.255.255' },
      { kind: 'udp', srcPort: 1, dstPort: 11211 },
    ]);
    const facts = frameFacts(udp);
    expect(facts).toEqual({ ipProtocol: 17, l4DstPort: 11211 });
    expect(frameFacts(arp('1.1.1.1', '1.1.1.2'))).toEqual({ ipProtocol: 0, l4DstPort: 0 });
    const rules = [
      {
        src: 1,
        dst: 2,
        protocol: 'udp' as const,
        ports: [11000, 12000] as [number, number],
        action: 'allow' as const,
        priority: 10,
      },
      { src: 1, action: 'deny' as const, priority: 20 },
    ];
    expect(policyAllows(rules.slice(0, 1), 1, 2, facts)).toBe(true);
    expect(policyAllows(rules, 1, 2, facts)).toBe(false);
    expect(policyAllows(rules.slice(0, 1), 1, 3, facts)).toBe(false);
    expect(policyAllows([], 1, 2, facts)).toBe(false);
  });
});
