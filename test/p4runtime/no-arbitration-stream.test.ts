// A client for a server without arbitration (NVIDIA's DPL runtime, as the embedded target's
// BlueField profile emulates it): `arbitrate: false, stream: true` opens one StreamChannel without
// MasterArbitrationUpdate (the profile would end it UNIMPLEMENTED), packet-out works on it, and a
// second such client is refused by the server and told so by a 'disconnect'.
import { readFileSync } from 'node:fs';
import { loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { DataplaneClient } from '../../src/packet-io/client.js';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../src/switch/index.js';

let target: EmbeddedTarget;
beforeAll(async () => {
  target = await startEmbeddedTarget({
    grpcAddress: '127.0.0.1:0',
    dataplaneAddress: '127.0.0.1:0',
    cpuPort: 255,
    ports: 8,
    deviceId: 1,
    profile: 'bluefield',
  });
});
afterAll(async () => {
  await target.stop();
});

const connect = () =>
  P4RuntimeClient.connect({
    address: target.grpcAddress,
    deviceId: 1,
    arbitrate: false,
    stream: true,
    reconnect: false,
  });

describe('P4RuntimeClient.connect({ arbitrate: false, stream: true })', () => {
  it('opens one stream without arbitration: pipeline, writes and packet-out work', async () => {
    const client = await connect();
    const dataplane = await DataplaneClient.connect({ address: target.dataplaneAddress!, deviceId: 1 });
    try {
      expect(client.isPrimary).toBe(true);
      await client.setPipeline({
        p4info: await loadP4Info(programArtifactPath('p4infoJson')),
        deviceConfig: readFileSync(programArtifactPath('bmv2Json')),
      });
      await client.insert([
        client.tableEntry('port_role', { match: { port: 1 }, action: 'set_access_port' }),
        // A packet-out leaves only through a configured port (docs/DATAPLANE.md rule 14).
        client.tableEntry('port_role', { match: { port: 2 }, action: 'set_access_port' }),
      ]);
      const frame = Uint8Array.from({ length: 64 }, (_, i) => i);
      client.packetOut(frame, { egress_port: 2, pad: 0 });
      await dataplane.waitUntil(() => dataplane.unattributedCount >= 1, {
        missing: () => 'the packet-out never left port 2',
      });
      expect(dataplane.takeUnattributed()).toEqual([{ port: 2, bytes: frame }]);

      // The DPU takes one controller: a second stream is refused, and its client hears of it.
      const second = await connect();
      try {
        const refused = await new Promise<{ error: Error; willRetry: boolean }>((resolve) =>
          second.once('disconnect', resolve),
        );
        expect(refused.willRetry).toBe(false);
        expect(refused.error.message).toContain('Only one P4 controller');
      } finally {
        second.close();
      }
    } finally {
      dataplane.close();
      client.close();
    }
  });
});
