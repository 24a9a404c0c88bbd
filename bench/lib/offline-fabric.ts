// The benchmark fabric (overlay-fabric.ts, its shape knobs) as the controller sees it without
// devices: each device's target and a P4Runtime client that is never connected, bound to the
// VTEP program's P4Info, to encode plans with. Shared by the scripts that measure the controller's
// own CPU (first-apply-cpu.ts, encode-cpu.ts).
import { type ConnectOptions, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { type DeviceTarget, deviceTargets, fabricSchema, vtepProgram } from '../../src/controller/index.js';
import { overlayFabric, SHAPE } from './overlay-fabric.js';

export async function offlineFabric(): Promise<{ client: P4RuntimeClient; targets: DeviceTarget[] }> {
  const program = await vtepProgram();
  // No RPC is made: the client only encodes.
  const Client = P4RuntimeClient as unknown as new (o: ConnectOptions) => P4RuntimeClient;
  const client = new Client({ address: '127.0.0.1:1' });
  client.bindP4Info(program.p4info);
  const addresses = Array.from({ length: SHAPE.devices }, (_, i) => `127.0.0.1:${50000 + i}`);
  const base = fabricSchema.parse(overlayFabric(addresses));
  const targets = deviceTargets({ format: 'fabric', file: 'bench', fabric: base, where: () => '' });
  return { client, targets };
}
