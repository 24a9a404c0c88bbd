// docs/DATAPLANE.md rule 16: underlay ECMP. A route's next hops are the members of a group of the
// route table's action selector, picked by the flow hash: one flow keeps one path, flows spread.
import { describe, expect, it } from 'vitest';
import { useVtep } from './harness/fabric.js';
import { tenantFrame } from './harness/frames.js';
import { applyIntent } from './harness/intent.js';
import { type FabricIntent, type ModelOutput, VtepModel } from './harness/model.js';
import { prng } from './harness/random-fabric.js';
import { PORTS, UNDERLAY } from './harness/vtep.js';

const session = useVtep();

const VNI = 5000;
const W1 = { port: PORTS.access1, mac: '02:00:00:00:0a:01', vlan: 0, vport: 1, vni: VNI, securityId: 100 };
const REMOTE = { mac: '02:00:00:00:0a:11', address: '10.0.0.2' };
/** Four equal-cost paths: two uplinks, two next-hop routers behind each. */
const PATHS = [
  { port: PORTS.uplink1, srcMac: '02:aa:00:00:00:05', nextHopMac: '02:bb:00:00:05:01' },
  { port: PORTS.uplink1, srcMac: '02:aa:00:00:00:05', nextHopMac: '02:bb:00:00:05:02' },
  { port: PORTS.uplink2, srcMac: '02:aa:00:00:00:06', nextHopMac: '02:bb:00:00:06:01' },
  { port: PORTS.uplink2, srcMac: '02:aa:00:00:00:06', nextHopMac: '02:bb:00:00:06:02' },
];
const FLOWS = 400;

function intent(nextHops: typeof PATHS): FabricIntent {
  return {
    accessPorts: [PORTS.access1],
    uplinks: [PORTS.uplink1, PORTS.uplink2],
    localVteps: [UNDERLAY.localVtep4],
    vports: [W1],
    remoteVteps: [{ address: REMOTE.address, port: nextHops[0].port, tunnelId: 1, nextHops }],
    tenants: [
      {
        vni: VNI,
        slot: 1,
        unknownId: 7,
        members: [{ address: REMOTE.address, trusted: true }],
        remoteMacs: [{ mac: REMOTE.mac, address: REMOTE.address }],
      },
    ],
    policies: [],
    option: { critical: false },
  };
}

/** Seeded flows from W1 to the remote workload: TCP or UDP, addresses and ports drawn at random. */
const rng = prng(14);
const FLOW_SPECS = Array.from({ length: FLOWS }, () => ({
  protocol: rng.pick(['udp', 'tcp'] as const),
  src: `192.168.${rng.int(0, 255)}.${rng.int(1, 254)}`,
  dst: `192.168.${rng.int(0, 255)}.${rng.int(1, 254)}`,
  srcPort: rng.int(1024, 65535),
  dstPort: rng.pick([53, 80, 443, 5432, 8080]),
}));
const flow = (i: number) =>
  tenantFrame({
    dst: REMOTE.mac,
    src: W1.mac,
    ip: { src: FLOW_SPECS[i].src, dst: FLOW_SPECS[i].dst },
    l4: { protocol: FLOW_SPECS[i].protocol, srcPort: FLOW_SPECS[i].srcPort, dstPort: FLOW_SPECS[i].dstPort },
  });

const pathOf = (o: ModelOutput) => {
  const nextHop = Array.from(o.bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
  return PATHS.findIndex((p) => p.port === o.port && p.nextHopMac === nextHop);
};
const key = (o: ModelOutput) => `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;

describe('underlay ECMP', () => {
  it(`keeps each flow on one path and spreads ${FLOWS} flows evenly over 4 next hops`, async () => {
    const s = session();
    await s.reset('ecmp: spread');
    const fabric = intent(PATHS);
    await applyIntent(s, fabric);
    const model = new VtepModel(fabric);
    const frames = Array.from({ length: FLOWS }, (_, i) => flow(i));
    const outs = await s.sendMany(frames.map((bytes, i) => ({ port: W1.port, bytes, label: `flow ${i}` })));
    const perPath = [0, 0, 0, 0];
    outs.forEach((out, i) => {
      // Exactly the packet the contract predicts, on the path the flow hash picks.
      expect(out.map(key), `flow ${i}`).toEqual(model.process(W1.port, frames[i]).map(key));
      perPath[pathOf(out[0])]++;
    });
    // The same flows again take the same paths.
    const again = await s.sendMany(frames.slice(0, 50).map((bytes) => ({ port: W1.port, bytes })));
    again.forEach((out, i) => {
      expect(pathOf(out[0])).toBe(pathOf(outs[i][0]));
    });

    const expected = FLOWS / PATHS.length;
    const chiSquare = perPath.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    const ratio = Math.max(...perPath) / Math.min(...perPath);
    console.log(
      `ecmp: ${FLOWS} flows over ${PATHS.length} paths: ${perPath.join(' / ')}, chi-square ${chiSquare.toFixed(2)} (3 degrees of freedom), max/min ${ratio.toFixed(2)}`,
    );
    // 16.27 is the chi-square critical value for 3 degrees of freedom at p = 0.001: a uniform
    // spread exceeds it once in a thousand flow sets. The flows are fixed, so the figure is too.
    expect(chiSquare).toBeLessThan(16.27);
    expect(ratio).toBeLessThan(1.5);
  });

  it('sends no flow to next hops taken out of the group; the rest follow the flow hash', async () => {
    const s = session();
    await s.reset('ecmp: member removed');
    await applyIntent(s, intent(PATHS));
    const frames = Array.from({ length: 100 }, (_, i) => flow(i));
    const before = await s.sendMany(frames.map((bytes) => ({ port: W1.port, bytes })));
    // The group written by applyIntent is group 1 with members 1-4 (harness ecmpRoute): drop the
    // second uplink's two next hops, as the controller does for an uplink marked down.
    await s.client.modify([
      s.client.actionProfileGroup('underlay_ecmp_ipv4', { groupId: 1, members: [1, 2], maxSize: 16 }),
    ]);
    const model = new VtepModel(intent(PATHS.slice(0, 2)));
    const after = await s.sendMany(frames.map((bytes) => ({ port: W1.port, bytes })));
    after.forEach((out, i) => {
      expect(out.map(key)).toEqual(model.process(W1.port, frames[i]).map(key));
      expect(out[0].port).toBe(PORTS.uplink1);
    });
    expect(before.some((out) => out[0].port === PORTS.uplink2)).toBe(true);
  });
});
