// The P4Runtime client on its own, end to end: start the embedded target (any P4Runtime server
// works the same: bmv2 simple_switch_grpc, Stratum...), push a compiled program, write a table
// entry by name, read it back, send a packet out of a port and watch it leave.
// Run: npx tsx examples/p4runtime-client.ts

import { loadDeviceConfig, loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { DataplaneClient } from '../src/packet-io/client.js';
import { startEmbeddedTarget } from '../src/switch/index.js';

const target = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', dataplaneAddress: '127.0.0.1:0' });
const client = await P4RuntimeClient.connect({
  address: target.grpcAddress,
  deviceId: 1,
  electionId: 1n,
  waitForPrimary: true,
});
try {
  await client.setPipeline({
    p4info: await loadP4Info('bmv2/geneve_vtep.p4info.txtpb'),
    deviceConfig: await loadDeviceConfig('bmv2/geneve_vtep.json'),
  });

  await client.insert([
    client.tableEntry('overlay_mac', {
      match: { vni: 5000, dst_mac: '02:00:00:00:0a:11' },
      action: 'to_remote_vtep',
      params: { tunnel_id: 7 },
    }),
  ]);
  for await (const entry of client.readTable('overlay_mac', undefined, {
    fieldFormats: { dst_mac: 'mac' },
  })) {
    console.log('read back:', entry.match, entry.action, entry.params);
  }

  // A packet-out leaves only through a port the device has configured (the VTEP's port_role).
  await client.insert([client.tableEntry('port_role', { match: { port: 3 }, action: 'set_access_port' })]);
  const dataplane = await DataplaneClient.connect({ address: target.dataplaneAddress!, deviceId: 1 });
  client.packetOut(new Uint8Array(64).fill(0xab), { egress_port: 3, pad: 0 });
  // A packet-out to a configured port bypasses the forwarding tables, so it leaves exactly that
  // port: wait for that one frame (waitUntil fails after a generous bound, naming what is
  // missing, if it never comes).
  await dataplane.waitUntil(() => dataplane.unattributedCount >= 1, { missing: () => 'the packet-out' });
  for (const frame of dataplane.takeUnattributed())
    console.log(`packet-out left port ${frame.port}: ${frame.bytes.length} bytes`);
  dataplane.close();
} finally {
  await client.close();
  await target.stop();
}
