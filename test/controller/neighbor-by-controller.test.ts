// Rule 15a: a device whose program has no neighbor lookup (the Tofino builds, NEIGHBOR_SUPPRESSION 0)
// punts every ARP request and Neighbor Solicitation it would flood (packet-in reason NEIGHBOR); the
// controller answers a known (tenant, IP) and delivers the rest as the data plane would have without
// suppression. Which of the two answers is read from the device's P4Info (device-profile.ts).

import type { P4Value } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import {
  deriveFabric,
  type Fabric,
  type FabricIntent,
  type NeighborAnswerer,
  neighborAnswerer,
  PUNT_REASONS,
  PuntHandler,
  vtepProgram,
} from '../../src/controller/index.js';
import { p4infoIndexOf } from '../../src/controller/program-check.js';
import { buildFrame, type Layer, parseFrame } from '../../src/packet/index.js';
import { copyFabric, exampleFabric } from './helpers.js';

const BLUE_WEB = '02:00:00:00:0a:01';

/** vtep-a of the example (blue floods; blue-db has an IPv6 address too). */
function vtepA(change: (f: Fabric) => void = () => {}): FabricIntent {
  const fabric = copyFabric(exampleFabric());
  fabric.workloads.find((w) => w.name === 'blue-db')!.ipv6 = 'fd00:10::2';
  change(fabric);
  return deriveFabric(fabric).devices[0].intent;
}

interface Sent {
  port: P4Value;
  bytes: Uint8Array;
}

/** A punt handler for a device whose neighbor answers are `answerer`'s; packet-ins of reason NEIGHBOR. */
function device(intent: FabricIntent, answerer: NeighborAnswerer) {
  const sent: Sent[] = [];
  const h = new PuntHandler(intent, (bytes, m) => sent.push({ port: m.egress_port, bytes }), {
    bumRate: 1,
    bumBurst: 100,
    now: () => 0,
    neighborAnswerer: answerer,
  });
  const punt = (port: number, frame: Uint8Array) =>
    h.handle({ payload: frame, metadata: { reason: PUNT_REASONS.NEIGHBOR, ingress_port: port }, raw: {} });
  return { h, sent, punt, bum: h.counts.bum };
}

const arp = (senderIp: string, targetIp: string, dst = 'ff:ff:ff:ff:ff:ff'): Uint8Array =>
  buildFrame([
    { kind: 'ethernet', dst, src: BLUE_WEB },
    { kind: 'arp', operation: 1, senderMac: BLUE_WEB, senderIp, targetMac: '00:00:00:00:00:00', targetIp },
  ]);

function solicitation(src: string): Uint8Array {
  // RFC 4861 4.3: after the ICMPv6 header's 4 reserved bytes, the target (fd00:10::2), the option.
  const body = new Uint8Array(24);
  body.set([0xfd, 0, 0, 0x10, ...new Array(11).fill(0), 0x02], 0);
  body.set([1, 1, 0x02, 0, 0, 0, 0x0a, 0x01], 16);
  const layers: Layer[] = [
    { kind: 'ethernet', dst: '33:33:ff:00:00:02', src: BLUE_WEB },
    { kind: 'ipv6', src, dst: 'ff02::1:ff00:2', hopLimit: 255 },
    { kind: 'icmpv6', type: 135 },
    { kind: 'payload', data: body },
  ];
  return buildFrame(layers);
}

describe('who answers ARP and Neighbor Solicitations, read from the P4Info', () => {
  it('is the data plane with the neighbor lookup, the controller without it', async () => {
    const program = await vtepProgram();
    const index = p4infoIndexOf(program.p4info);
    expect(neighborAnswerer(index)).toBe('data-plane');
    const without = {
      ...program.p4info,
      tables: program.p4info.tables?.filter(
        (t) => !/\.(arp_answer|nd_answer|unknown_neighbor)$/.test(t.preamble?.name ?? ''),
      ),
    };
    expect(neighborAnswerer(p4infoIndexOf(without))).toBe('controller');
  });
});

describe('rule 15a: the controller answers what a program without the neighbor lookup punts', () => {
  it('answers a known (tenant, IP) out of the port it came in on, ARP and ND alike', () => {
    const { sent, punt, bum } = device(vtepA(), 'controller');
    punt(1, arp('192.168.10.1', '192.168.10.2'));
    punt(1, solicitation('fd00:10::1'));
    expect(sent.map((s) => s.port)).toEqual([1, 1]);
    expect([bum.arpAnswered, bum.ndAnswered]).toEqual([1, 1]);
    const reply = parseFrame(sent[0].bytes).layers.find((l) => l.kind === 'arp');
    expect(reply).toMatchObject({ operation: 2, senderIp: '192.168.10.2', targetIp: '192.168.10.1' });
  });

  it('floods a request for an unknown target, gratuitous ARP and DAD (blue floods): one copy to the remote VTEP', () => {
    const { sent, punt, bum } = device(vtepA(), 'controller');
    punt(1, arp('192.168.10.1', '192.168.10.9'));
    punt(1, arp('192.168.10.1', '192.168.10.1'));
    punt(1, solicitation('::'));
    expect(bum.arpAnswered + bum.ndAnswered).toBe(0);
    expect([bum.copied, bum.copiesRemote]).toEqual([3, 3]);
    expect(sent.map((s) => s.port)).toEqual([5, 5, 5]);
  });

  it('drops an unknown target of a tenant that drops those, and anything of a tenant that floods nothing', () => {
    const drops = device(
      vtepA((f) => {
        f.tenants.find((t) => t.name === 'blue')!.unknownNeighbor = 'drop';
      }),
      'controller',
    );
    drops.punt(1, arp('192.168.10.1', '192.168.10.9'));
    // Gratuitous ARP is no request to answer: flooded as any broadcast, whatever unknownNeighbor says.
    drops.punt(1, arp('192.168.10.1', '192.168.10.1'));
    expect(drops.bum.notHandled['neighbor-not-answered']).toBe(1);
    expect(drops.sent.map((s) => s.port)).toEqual([5]);

    const noFlood = device(
      vtepA((f) => {
        f.tenants.find((t) => t.name === 'blue')!.flood = false;
      }),
      'controller',
    );
    noFlood.punt(1, arp('192.168.10.1', '192.168.10.9'));
    noFlood.punt(1, arp('192.168.10.1', '192.168.10.2'));
    expect(noFlood.bum.notHandled['neighbor-not-answered']).toBe(1);
    expect(noFlood.sent.map((s) => s.port)).toEqual([1]);
    expect(noFlood.bum.arpAnswered).toBe(1);
  });

  it('with the neighbor lookup in the data plane (DPL), counts what it cannot answer and copies nothing', () => {
    const { sent, punt, bum } = device(vtepA(), 'data-plane');
    punt(1, arp('192.168.10.1', '192.168.10.9'));
    punt(1, arp('192.168.10.1', '192.168.10.2'));
    expect(sent.map((s) => s.port)).toEqual([1]);
    expect(bum.notHandled['neighbor-not-answered']).toBe(1);
    expect(bum.copied).toBe(0);
  });
});
