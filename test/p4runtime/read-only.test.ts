// Connecting without arbitration (reads and pipeline queries only), and connect timeouts against
// a server that accepts the TCP connection and never answers.
import { createServer, type Server } from 'node:net';
import { status } from '@grpc/grpc-js';
import { loadDeviceConfig, loadP4Info, P4RuntimeClient, P4RuntimeRpcError } from 'p4runtime-ts-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../src/switch/index.js';

describe('P4RuntimeClient.connect({ arbitrate: false })', () => {
  let target: EmbeddedTarget;
  let primary: P4RuntimeClient;
  let silent: Server;
  let silentAddress: string;
  beforeAll(async () => {
    target = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0' });
    primary = await P4RuntimeClient.connect({
      address: target.grpcAddress,
      deviceId: 1,
      electionId: 5n,
      waitForPrimary: true,
    });
    await primary.setPipeline({
      p4info: await loadP4Info('test/fixtures/p4/server_all.p4info.txtpb'),
      deviceConfig: await loadDeviceConfig('test/fixtures/p4/server_all.json'),
    });
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentAddress = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    primary.close();
    silent.close();
    await target.stop();
  });

  it('reads and fetches the pipeline without taking part in arbitration', async () => {
    const reader = await P4RuntimeClient.connect({
      address: target.grpcAddress,
      deviceId: 1,
      electionId: 5n,
      arbitrate: false,
    });
    try {
      expect(reader.arbitration).toBeUndefined();
      expect(reader.isPrimary).toBe(false);
      await reader.loadPipelineFromDevice();
      const entries = await reader.readAll(reader.tableEntry('MyIngress.const_entries_t'));
      expect(entries).toHaveLength(2);
      // The same election id as the primary: no clash, since the reader never arbitrated.
      expect(primary.isPrimary).toBe(true);
      expect(() => reader.packetOut(new Uint8Array(14))).toThrow('stream channel is not connected');
    } finally {
      reader.close();
    }
  });

  it('gives up on a silent server within connectTimeoutMs, arbitrating or not', async () => {
    await expect(
      P4RuntimeClient.connect({ address: silentAddress, connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    const error = await P4RuntimeClient.connect({
      address: silentAddress,
      connectTimeoutMs: 300,
      arbitrate: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(P4RuntimeRpcError);
    expect((error as P4RuntimeRpcError).code).toBe(status.UNAVAILABLE);
  });
});
