// docs/DATAPLANE.md rule 15: ARP and Neighbor Discovery suppression. Every output is compared with
// the reference model (harness/model.ts), and the replies are checked field by field as well.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFrame, findLayer, type Layer, parseFrame, writePcap } from '../../src/packet/index.js';
import { useVtep } from './harness/fabric.js';
import { fromRemoteVtep } from './harness/frames.js';
import { applyIntent } from './harness/intent.js';
import { type FabricIntent, type ModelOutput, VtepModel } from './harness/model.js';
import { PORTS, UNDERLAY } from './harness/vtep.js';

const session = useVtep();

const BLUE = 5000;
const GREEN = 6000;
const W1 = { port: PORTS.access1, mac: '02:00:00:00:0a:01', vlan: 0, vport: 1, vni: BLUE, securityId: 100 };
const W2 = { port: PORTS.access2, mac: '02:00:00:00:0a:02', vlan: 0, vport: 2, vni: BLUE, securityId: 200 };
const G1 = { port: PORTS.access3, mac: '02:00:00:00:0a:01', vlan: 30, vport: 3, vni: GREEN, securityId: 100 };
const G2 = { port: PORTS.access4, mac: '02:00:00:00:0b:02', vlan: 0, vport: 4, vni: GREEN, securityId: 300 };
const REMOTE = { mac: '02:00:00:00:0a:11', address: '10.0.0.2' };

/** Two tenants whose addresses overlap; blue has a workload behind a remote VTEP. */
function intent(o: { unknownNeighbor?: 'drop' } = {}): FabricIntent {
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
          { ip: '192.168.10.11', mac: REMOTE.mac },
          { ip: 'fd10::2', mac: W2.mac },
        ],
        ...(o.unknownNeighbor ? { unknownNeighbor: o.unknownNeighbor } : {}),
      },
      {
        vni: GREEN,
        slot: 2,
        unknownId: 8,
        members: [],
        remoteMacs: [],
        floodGroup: 2,
        neighbors: [
          { ip: '192.168.10.1', mac: G1.mac },
          { ip: '192.168.10.2', mac: G2.mac },
        ],
      },
    ],
    policies: [
      { vni: BLUE, allow: true, priority: 1 },
      { vni: GREEN, allow: true, priority: 1 },
    ],
    option: { critical: false },
  };
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';

function arpRequest(o: { src: string; senderIp: string; targetIp: string; vlan?: number }): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst: BROADCAST, src: o.src }];
  if (o.vlan) layers.push({ kind: 'vlan', vid: o.vlan });
  layers.push({
    kind: 'arp',
    operation: 1,
    senderMac: o.src,
    senderIp: o.senderIp,
    targetMac: '00:00:00:00:00:00',
    targetIp: o.targetIp,
  });
  // Ethernet padding to 60 bytes stays with the frame.
  layers.push({ kind: 'payload', data: new Uint8Array(o.vlan ? 14 : 18) });
  return buildFrame(layers);
}

/** A Neighbor Solicitation to the target's solicited-node address, with a source link-layer option. */
function solicitation(o: { src: string; srcIp: string; target: string; sourceOption?: boolean }): Uint8Array {
  const target = parseFrameTarget(o.target);
  const body = new Uint8Array(o.sourceOption === false ? 16 : 24);
  body.set(target, 0);
  if (o.sourceOption !== false) {
    body.set([1, 1], 16);
    body.set(
      o.src.split(':').map((x) => Number.parseInt(x, 16)),
      18,
    );
  }
  const group = `ff02::1:ff${target[13].toString(16).padStart(2, '0')}:${((target[14] << 8) | target[15]).toString(16)}`;
  return buildFrame([
    {
      kind: 'ethernet',
      dst: `33:33:ff:${[13, 14, 15].map((i) => target[i].toString(16).padStart(2, '0')).join(':')}`,
      src: o.src,
    },
    { kind: 'ipv6', src: o.srcIp, dst: group, hopLimit: 255 },
    { kind: 'icmpv6', type: 135, code: 0, restOfHeader: 0 },
    { kind: 'payload', data: body },
  ]);
}

function parseFrameTarget(address: string): Uint8Array {
  // The packet library parses addresses; an IPv6 layer round trip keeps this file free of a parser.
  const frame = buildFrame([
    { kind: 'ethernet', dst: BROADCAST, src: BROADCAST },
    { kind: 'ipv6', src: address, dst: address, nextHeader: 59 },
  ]);
  return frame.slice(14 + 8, 14 + 24);
}

const key = (o: ModelOutput) => `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;

describe('ARP and Neighbor Discovery suppression', () => {
  it('answers an ARP request for a known (VNI, IP) out of the port it came in on, per tenant, counted', async () => {
    const s = session();
    await s.reset('neighbor: ARP answered');
    const fabric = intent();
    await applyIntent(s, fabric);
    const model = new VtepModel(fabric);

    const request = arpRequest({ src: W1.mac, senderIp: '192.168.10.1', targetIp: '192.168.10.2' });
    const out = await s.send(W1.port, request, 'W1 asks for 192.168.10.2');
    expect(out.map(key)).toEqual(model.process(W1.port, request).map(key));
    expect(out).toHaveLength(1);
    expect(out[0].port).toBe(W1.port);
    const arp = findLayer(parseFrame(out[0].bytes).layers, 'arp');
    expect(arp).toMatchObject({
      operation: 2,
      senderMac: W2.mac,
      senderIp: '192.168.10.2',
      targetMac: W1.mac,
      targetIp: '192.168.10.1',
    });
    expect(findLayer(parseFrame(out[0].bytes).layers, 'ethernet')).toMatchObject({
      dst: W1.mac,
      src: W2.mac,
    });

    // A remote workload's address is answered too; the same addresses in green give green's MACs,
    // and the reply keeps green's access VLAN.
    const forRemote = arpRequest({ src: W2.mac, senderIp: '192.168.10.2', targetIp: '192.168.10.11' });
    const green = arpRequest({
      src: G1.mac,
      senderIp: '192.168.10.1',
      targetIp: '192.168.10.2',
      vlan: G1.vlan,
    });
    const [remoteOut, greenOut] = await s.sendMany([
      { port: W2.port, bytes: forRemote, label: 'W2 asks for a remote workload' },
      { port: G1.port, bytes: green, label: 'G1 (VLAN 30) asks for 192.168.10.2' },
    ]);
    expect(remoteOut.map(key)).toEqual(model.process(W2.port, forRemote).map(key));
    expect(findLayer(parseFrame(remoteOut[0].bytes).layers, 'arp')?.senderMac).toBe(REMOTE.mac);
    expect(greenOut.map(key)).toEqual(model.process(G1.port, green).map(key));
    expect(findLayer(parseFrame(greenOut[0].bytes).layers, 'vlan')?.vid).toBe(G1.vlan);
    expect(findLayer(parseFrame(greenOut[0].bytes).layers, 'arp')?.senderMac).toBe(G2.mac);

    expect((await s.counter('tenant_neighbor_answers', 1)).packets).toBe(2n);
    expect((await s.counter('tenant_neighbor_answers', 2)).packets).toBe(1n);
    expect(await s.dropCounts()).toEqual({});
  });

  it('answers a Neighbor Solicitation with a Neighbor Advertisement whose ICMPv6 checksum is right', async () => {
    const s = session();
    await s.reset('neighbor: ND answered');
    const fabric = intent();
    await applyIntent(s, fabric);
    const model = new VtepModel(fabric);
    const ns = solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::2' });
    const out = await s.send(W1.port, ns, 'W1 solicits fd10::2');
    expect(out.map(key)).toEqual(model.process(W1.port, ns).map(key));
    const parsed = parseFrame(out[0].bytes, { verifyChecksums: true });
    expect(findLayer(parsed.layers, 'ipv6')).toMatchObject({ src: 'fd10::2', dst: 'fd10::1', hopLimit: 255 });
    expect(findLayer(parsed.layers, 'icmpv6')).toMatchObject({
      type: 136,
      code: 0,
      restOfHeader: 0x60000000,
    });
    // The packet model verifies the ICMPv6 checksum on parse: no issue may be reported.
    expect(parsed.issues).toEqual([]);

    const tshark = spawnSync('tshark', ['--version']);
    if (tshark.error || tshark.status !== 0) {
      console.warn(
        'neighbor.test: tshark is not installed; the Wireshark check of the advertisement is skipped',
      );
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'nd-'));
    const file = join(dir, 'na.pcap');
    writeFileSync(file, writePcap([{ data: out[0].bytes }]));
    const fields = ['icmpv6.type', 'icmpv6.checksum.status', 'icmpv6.nd.na.flag.s', 'icmpv6.opt.linkaddr'];
    const run = spawnSync(
      'tshark',
      ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const [type, status, solicited, linkaddr] = run.stdout.trim().split('|');
    expect(type).toBe('136');
    expect(status).toBe('1'); // Wireshark's PROTO_CHECKSUM_E_GOOD (ICMPv6 checksums are always verified)
    expect(solicited).toMatch(/^(1|True)$/);
    expect(linkaddr).toBe(W2.mac);
  });

  it('does not answer gratuitous ARP, ARP probes or duplicate address detection: they flood', async () => {
    const s = session();
    await s.reset('neighbor: not answered for others');
    const fabric = intent();
    await applyIntent(s, fabric);
    const model = new VtepModel(fabric);
    const frames = [
      {
        label: 'gratuitous ARP',
        bytes: arpRequest({ src: W1.mac, senderIp: '192.168.10.2', targetIp: '192.168.10.2' }),
      },
      {
        label: 'ARP probe',
        bytes: arpRequest({ src: W1.mac, senderIp: '0.0.0.0', targetIp: '192.168.10.2' }),
      },
      {
        label: 'DAD',
        bytes: solicitation({ src: W1.mac, srcIp: '::', target: 'fd10::2', sourceOption: false }),
      },
      {
        label: 'NS without source option',
        bytes: solicitation({ src: W1.mac, srcIp: 'fd10::1', target: 'fd10::2', sourceOption: false }),
      },
    ];
    const outs = await s.sendMany(
      frames.map((f) => ({
        port: W1.port,
        bytes: f.bytes,
        label: f.label,
        copies: model.fate(W1.port, f.bytes).copies,
      })),
    );
    frames.forEach((f, i) => {
      const expected = model.process(W1.port, f.bytes);
      // Flooded in blue: to W2 and the remote VTEP, never answered.
      expect(expected.map((o) => o.port).sort(), f.label).toEqual([W2.port, PORTS.uplink1].sort());
      expect(outs[i].map(key).sort(), f.label).toEqual(expected.map(key).sort());
    });
    expect((await s.counter('tenant_neighbor_answers', 1)).packets).toBe(0n);
  });

  it('floods a request for an unknown address by default, drops it when the tenant says so', async () => {
    const s = session();
    await s.reset('neighbor: unknown target');
    await applyIntent(s, intent());
    const unknown = arpRequest({ src: W1.mac, senderIp: '192.168.10.1', targetIp: '192.168.10.99' });
    const flooded = new VtepModel(intent()).fate(W1.port, unknown);
    expect(await s.send(W1.port, unknown, 'unknown target, flood', flooded.copies)).toHaveLength(2);

    await s.reset('neighbor: unknown target dropped');
    const dropping = intent({ unknownNeighbor: 'drop' });
    await applyIntent(s, dropping);
    expect(new VtepModel(dropping).process(W1.port, unknown)).toEqual([]);
    expect(await s.send(W1.port, unknown, 'unknown target, drop')).toEqual([]);
    expect(await s.dropCount('UNKNOWN_NEIGHBOR')).toBe(1n);
    // Green floods unknown targets still: the setting is per tenant.
    const green = arpRequest({ src: G2.mac, senderIp: '192.168.10.2', targetIp: '192.168.10.99' });
    const greenFate = new VtepModel(dropping).fate(G2.port, green);
    const out = await s.send(G2.port, green, 'green unknown target', greenFate.copies);
    expect(out.map(key).sort()).toEqual(new VtepModel(dropping).process(G2.port, green).map(key).sort());
    expect(out).toHaveLength(1);
  });

  it('answers a request from the underlay back through the tunnel it came from', async () => {
    const s = session();
    await s.reset('neighbor: remote requester');
    const fabric = intent();
    await applyIntent(s, fabric);
    const model = new VtepModel(fabric);
    const request = arpRequest({ src: REMOTE.mac, senderIp: '192.168.10.11', targetIp: '192.168.10.1' });
    const packet = fromRemoteVtep(request, { vni: BLUE, from: REMOTE.address });
    const out = await s.send(PORTS.uplink1, packet, 'remote workload asks for 192.168.10.1');
    expect(out.map(key)).toEqual(model.process(PORTS.uplink1, packet).map(key));
    expect(out[0].port).toBe(PORTS.uplink1);
    const layers = parseFrame(out[0].bytes).layers;
    expect(findLayer(layers, 'ipv4')).toMatchObject({ src: UNDERLAY.localVtep4, dst: REMOTE.address });
    expect(findLayer(layers, 'geneve')?.vni).toBe(BLUE);
    expect(findLayer(layers, 'arp')).toMatchObject({
      operation: 2,
      senderMac: W1.mac,
      targetMac: REMOTE.mac,
    });
    expect((await s.counter('tenant_neighbor_answers', 1)).packets).toBe(1n);
  });
});
