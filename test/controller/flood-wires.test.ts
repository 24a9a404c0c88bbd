// Flooding is per wire: workloads behind one access port and VLAN (a hypervisor's vswitch, say)
// share that wire, so a broadcast goes onto it once, and never back onto the wire it came from.
// Planned entries, then real frames through a target configured by the controller over gRPC.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type PlannedMulticastGroup,
  type PlannedTableEntry,
  planFabric,
  reconcileFabric,
} from '../../src/controller/index.js';
import { buildFrame } from '../../src/packet/index.js';
import { DataplaneClient } from '../../src/packet-io/client.js';
import { copyFabric, greenWorkload, type Lab, reports, startLab } from './helpers.js';

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

/** The example fabric with two more green workloads behind vtep-a port 3 (untagged). */
function twoBehindOneWire() {
  const fabric = copyFabric(lab.fabric);
  fabric.workloads.push(greenWorkload(1), greenWorkload(2));
  return fabric;
}

const broadcastFrom = (src: string) =>
  buildFrame([
    { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src },
    { kind: 'ipv4', src: '192.168.10.9', dst: '192.168.10.255' },
    { kind: 'udp', srcPort: 5000, dstPort: 5000 },
    { kind: 'payload', data: new Uint8Array(16).fill(3) },
  ]);

const unicast = (src: string, dst: string) =>
  buildFrame([
    { kind: 'ethernet', dst, src },
    { kind: 'ipv4', src: '192.168.10.9', dst: '192.168.10.8' },
    { kind: 'udp', srcPort: 5000, dstPort: 5000 },
  ]);

describe('flooding per wire (access port, VLAN)', () => {
  it('plans one vport and one flood copy per wire, whatever the workloads behind it', () => {
    const [a] = lab.devices(twoBehindOneWire());
    const { entities } = planFabric(a.intent);
    const green = entities.filter(
      (e): e is PlannedTableEntry =>
        e.kind === 'table' && e.table === 'vport_classification' && e.params.vni === 6000,
    );
    expect(green.map((e) => [e.match.port, e.params.vport])).toEqual([
      [2, expect.any(Number)],
      [3, green[1].params.vport],
      [3, green[1].params.vport],
    ]);
    expect(green[0].params.vport).not.toBe(green[1].params.vport);
    const group = entities.find(
      (e): e is PlannedMulticastGroup => e.kind === 'multicastGroup' && e.owner === 'tenant green, flooding',
    );
    // Port 2 (green-app-a), port 3 (w1 and w2: one wire), uplink 5 (vtep-b).
    expect(group?.replicas.map((r) => r.port)).toEqual([2, 3, 5]);
  });

  it('sends a broadcast once onto a shared wire, and never back onto the wire it came from', async () => {
    reports(await reconcileFabric(lab.devices(twoBehindOneWire())));
    const dataplane = await DataplaneClient.connect({
      address: lab.targets[0].dataplaneAddress,
      deviceId: lab.targets[0].deviceId,
    });
    try {
      // From green-app-a (port 2): one copy on port 3 for w1 and w2, one Geneve copy to vtep-b.
      const fromPort2 = dataplane.send(2, broadcastFrom('02:00:00:00:0a:01'));
      // From w1 (port 3): one copy on port 2 and one to vtep-b; w2 on the same wire gets none from us.
      const fromWire = dataplane.send(3, broadcastFrom(greenWorkload(1).mac));
      const out = await dataplane.collectCounts([fromPort2, fromWire], 2);
      // A unicast frame sent after them (one output): a second copy of either broadcast would have
      // left before it, and is then taken here.
      const marker = dataplane.send(2, unicast('02:00:00:00:0a:01', greenWorkload(2).mac));
      await dataplane.collectCounts([marker], 1);
      const late = await dataplane.collect([fromPort2, fromWire], () => true);
      expect((out.get(fromPort2) ?? []).map((o) => o.port).sort()).toEqual([3, 5]);
      expect((out.get(fromWire) ?? []).map((o) => o.port).sort()).toEqual([2, 5]);
      expect([...late.values()].flat()).toEqual([]);
    } finally {
      dataplane.close();
    }
  });
});
