/**
 * Client transport behaviour over real gRPC on loopback against the in-test fake server:
 * arbitration, pipeline config, write batching and error attribution, streaming reads,
 * packet I/O, digests, idle timeouts, stream errors, reconnection and TLS.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { google, p4, toLong } from 'p4runtime-ts-grpc/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { P4RuntimeClient, type P4RuntimeClientEvents } from '../../packages/p4runtime-ts-grpc/src/client.js';
import {
  NotPrimaryError,
  P4RuntimeRpcError,
  P4RuntimeWriteError,
} from '../../packages/p4runtime-ts-grpc/src/errors.js';
import { insert } from '../../packages/p4runtime-ts-grpc/src/write.js';
import { makeCertificates } from '../helpers/certs.js';
import { IDS, makeP4Info } from './fixtures/p4info.js';
import { FakeP4RuntimeServer } from './helpers/fake-server.js';

/** Resolves with the first event (already emitted or future) satisfying `predicate`. */
function nextEvent<K extends keyof P4RuntimeClientEvents>(
  client: P4RuntimeClient,
  event: K,
  predicate: (...args: P4RuntimeClientEvents[K]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<P4RuntimeClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for '${String(event)}'`)), timeoutMs);
    const listener = (...args: P4RuntimeClientEvents[K]) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(event, listener as never);
      resolve(args);
    };
    client.on(event, listener as never);
  });
}

let server: FakeP4RuntimeServer;
let address: string;
const clients: P4RuntimeClient[] = [];

async function connect(
  electionId: bigint,
  extra: Partial<Parameters<typeof P4RuntimeClient.connect>[0]> = {},
): Promise<P4RuntimeClient> {
  const client = await P4RuntimeClient.connect({
    address,
    deviceId: 1,
    electionId,
    // A safety net, not a decision: only a server that never comes up reaches it.
    connectTimeoutMs: 30_000,
    ...extra,
  });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  server = new FakeP4RuntimeServer(1n);
  address = await server.start();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  server.stop();
});

describe('arbitration', () => {
  it('elects the highest election id and notifies every client of changes', async () => {
    const a = await connect(10n);
    expect(a.isPrimary).toBe(true);
    expect(a.arbitration?.primaryElectionId).toBe(10n);

    const demoted = nextEvent(a, 'arbitration', (s) => !s.isPrimary);
    const b = await connect(20n);
    expect(b.isPrimary).toBe(true);
    const [state] = await demoted;
    expect(state).toMatchObject({
      isPrimary: false,
      electionId: 10n,
      primaryElectionId: 20n,
      code: google.rpc.Code.ALREADY_EXISTS,
    });
    expect(a.isPrimary).toBe(false);

    // The primary leaving promotes the backup.
    const promoted = nextEvent(a, 'arbitration', (s) => s.isPrimary);
    b.close();
    await promoted;
    expect(a.isPrimary).toBe(true);
  });

  it('re-arbitrates on an election id change and can wait for primary', async () => {
    const a = await connect(10n);
    const b = await connect(20n);
    await expect(a.waitForPrimary(200)).rejects.toThrow(NotPrimaryError);
    const becomesPrimary = a.waitForPrimary(3000);
    a.setElectionId(30n);
    await becomesPrimary;
    expect(a.electionId).toBe(30n);
    await nextEvent(b, 'arbitration', (s) => !s.isPrimary);
    expect(b.arbitration?.primaryElectionId).toBe(30n);
  });

  it('keeps roles apart', async () => {
    const a = await connect(10n, { role: 'controller-a' });
    const b = await connect(5n, { role: 'controller-b' });
    expect(a.isPrimary).toBe(true);
    expect(b.isPrimary).toBe(true);
    expect(server.primaryOf('controller-a')).toBe(10n);
  });

  it('fails to connect with a clear error for a used election id or a wrong device', async () => {
    await connect(10n);
    await expect(connect(10n)).rejects.toThrow(
      /StreamChannel failed: INVALID_ARGUMENT: election id 10 already in use/,
    );
    await expect(connect(11n, { deviceId: 99 })).rejects.toThrow(/NOT_FOUND: unknown device id 99/);
    const noServer = P4RuntimeClient.connect({
      address: '127.0.0.1:1',
      connectTimeoutMs: 300,
      reconnect: false,
    });
    await expect(noServer).rejects.toBeInstanceOf(P4RuntimeRpcError);
  });

  it('reconnects with backoff after the stream breaks and arbitrates again', async () => {
    const a = await connect(10n, { reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const disconnected = nextEvent(a, 'disconnect');
    const reconnected = nextEvent(a, 'reconnect');
    server.dropStreams();
    const [{ error, willRetry }] = await disconnected;
    expect(willRetry).toBe(true);
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    const [{ state }] = await reconnected;
    expect(state.isPrimary).toBe(true);
    expect(server.primaryOf()).toBe(10n);
  });
});

describe('server restarts', () => {
  it('waits for a server that is not up yet, and survives a restart on the same port', async () => {
    const port = server.port;
    server.stop();
    // Connect first, while the port holds no P4Runtime server: a plain TCP listener that hangs up
    // on every connection. The server comes up on the same port once the client's first attempt has
    // been turned away (an event, not a delay).
    const refusing = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', resolve));
    const turnedAway = once(refusing, 'connection');
    // The connect bound is a safety net only: the client's first retry comes after grpc-js's backoff.
    const connecting = connect(10n, {
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      connectTimeoutMs: 30_000,
    });
    await turnedAway;
    await new Promise<void>((resolve, reject) => refusing.close((e) => (e ? reject(e) : resolve())));
    server = new FakeP4RuntimeServer(1n);
    await server.start(grpc.ServerCredentials.createInsecure(), port);
    const client = await connecting;
    expect(client.isPrimary).toBe(true);

    // The server goes away; it comes back only after a reconnection attempt has failed against the
    // empty port (a second 'disconnect'), so the reconnection that follows is a real retry.
    const disconnected = nextEvent(client, 'disconnect');
    let disconnects = 0;
    const retryFailed = nextEvent(client, 'disconnect', () => ++disconnects === 2);
    const reconnected = nextEvent(client, 'reconnect');
    server.stop();
    expect((await disconnected)[0].willRetry).toBe(true);
    await retryFailed;
    server = new FakeP4RuntimeServer(1n);
    await server.start(grpc.ServerCredentials.createInsecure(), port);
    const [{ attempts, state }] = await reconnected;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(state.isPrimary).toBe(true);
    expect(server.primaryOf()).toBe(10n);
  });
});

describe('unary RPCs', () => {
  it('reads capabilities and sets/gets the pipeline, binding its P4Info', async () => {
    const client = await connect(1n);
    expect(await client.capabilities()).toEqual({ apiVersion: '1.5.0' });
    const deviceConfig = new TextEncoder().encode('{"program": "bmv2 json"}');
    await client.setPipeline({ p4info: makeP4Info(), deviceConfig, cookie: 77n });
    expect(client.p4info.tables.get('l2_fwd').id).toBe(IDS.l2Fwd);
    const pipeline = await client.getPipeline();
    expect(Buffer.from(pipeline.deviceConfig!).toString()).toBe('{"program": "bmv2 json"}');
    expect(pipeline.cookie).toBe(77n);
    expect(pipeline.p4info?.tables).toHaveLength(4);
    const cookieOnly = await client.getPipeline('COOKIE_ONLY');
    expect(cookieOnly.p4info).toBeUndefined();

    const other = await connect(0n, { reconnect: false });
    await other.loadPipelineFromDevice();
    expect(other.p4info.actions.get('to_remote').params.size).toBe(2);
  });

  it('rejects pipeline changes from a backup', async () => {
    await connect(5n);
    const backup = await connect(1n);
    await expect(backup.setPipeline({ p4info: makeP4Info() })).rejects.toThrow(
      /PERMISSION_DENIED: election id 1 is not primary/,
    );
  });
});

describe('write and read', () => {
  const l2 = (client: P4RuntimeClient, i: number) =>
    client.tableEntry('ingress.l2_fwd', {
      match: { vni: 5000, dst_mac: i },
      action: 'to_remote',
      params: { tunnel_id: i & 0xffff, remote_vtep: '10.0.0.1' },
    });

  it('attributes per-update errors to the entities that failed', async () => {
    const client = await connect(1n, { p4info: makeP4Info() });
    await client.insert([l2(client, 1), l2(client, 2)]);
    const error = await client
      .insert([l2(client, 3), l2(client, 2), l2(client, 4), l2(client, 1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    const failures = (error as P4RuntimeWriteError).failures;
    expect(failures.map((f) => [f.index, f.type, f.codeName, f.message])).toEqual([
      [1, 'INSERT', 'ALREADY_EXISTS', 'entry already exists'],
      [3, 'INSERT', 'ALREADY_EXISTS', 'entry already exists'],
    ]);
    expect(failures[0].entity).toBe('table ingress.l2_fwd {vni=0x1388, dst_mac=0x02}');
    expect((error as Error).message).toContain('2 of 4 update(s) failed');
    expect((error as Error).message).toContain(
      '#1 INSERT table ingress.l2_fwd {vni=0x1388, dst_mac=0x02}: ALREADY_EXISTS: entry already exists',
    );
    // The other updates were applied (CONTINUE_ON_ERROR).
    expect(server.entries.size).toBe(4);
    await expect(client.delete([l2(client, 99)])).rejects.toThrow(
      '#0 DELETE table ingress.l2_fwd {vni=0x1388, dst_mac=0x63}: NOT_FOUND',
    );
  });

  it('reports a batch rejected as a whole (not primary)', async () => {
    await connect(9n);
    const backup = await connect(1n, { p4info: makeP4Info() });
    const error = (await backup
      .insert([l2(backup, 1), l2(backup, 2)])
      .catch((e: unknown) => e)) as P4RuntimeWriteError;
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    expect(error.batchErrors).toHaveLength(1);
    expect(error.batchErrors[0].code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.failures.map((f) => f.index)).toEqual([0, 1]);
  });

  it('splits large writes into pipelined batches and streams reads back', async () => {
    const client = await connect(1n, { p4info: makeP4Info() });
    const entities = Array.from({ length: 2500 }, (_, i) => l2(client, i + 1));
    await client.insert(entities, { batchSize: 1000, maxInFlight: 3 });
    expect(server.writeRequests.map((r) => r.updates.length).sort()).toEqual([1000, 1000, 500]);
    expect(
      server.writeRequests.every((r) => r.atomicity === p4.v1.WriteRequest.Atomicity.CONTINUE_ON_ERROR),
    ).toBe(true);

    server.readChunk = 7;
    const seen = new Set<number>();
    for await (const entry of client.readTable('l2_fwd')) {
      expect(entry.action).toBe('ingress.to_remote');
      seen.add(entry.match.dst_mac as number);
    }
    expect(seen.size).toBe(2500);

    const one = await client.readAll(client.tableEntry('l2_fwd', { match: { vni: 5000, dst_mac: 42 } }), {
      format: 'smart',
    });
    expect(one).toEqual([
      {
        kind: 'tableEntry',
        table: 'ingress.l2_fwd',
        match: { vni: 5000, dst_mac: '00:00:00:00:00:2a' },
        action: 'ingress.to_remote',
        params: { tunnel_id: 42, remote_vtep: '10.0.0.1' },
        priority: 0,
        isDefaultAction: false,
        isConst: false,
      },
    ]);

    // Leaving the loop early cancels the call cleanly.
    let count = 0;
    for await (const _ of client.read({ tableEntry: {} })) if (++count === 10) break;
    expect(count).toBe(10);

    // Atomic batches are sent whole.
    await client.delete(entities.slice(0, 1500), { atomicity: 'ROLLBACK_ON_ERROR', batchSize: 100 });
    const last = server.writeRequests[server.writeRequests.length - 1];
    expect(last.updates).toHaveLength(1500);
    expect(last.atomicity).toBe(p4.v1.WriteRequest.Atomicity.ROLLBACK_ON_ERROR);
    expect(server.entries.size).toBe(1000);
  });

  it('surfaces read failures as P4RuntimeRpcError', async () => {
    const client = await connect(1n, { p4info: makeP4Info() });
    const controller = new AbortController();
    const reading = client.readAll({ tableEntry: {} }, { signal: controller.signal, timeoutMs: 5000 });
    controller.abort();
    await expect(reading).rejects.toThrow(/Read failed: CANCELLED/);
  });
});

describe('stream channel I/O', () => {
  it('sends packet-out with metadata by name and receives decoded packet-in', async () => {
    const client = await connect(1n, { p4info: makeP4Info(), decode: { format: 'smart' } });
    client.packetOut(Uint8Array.from([0xde, 0xad]), { egress_port: 7, flags: 0 });
    await expect.poll(() => server.packetsOut.length).toBe(1);
    const sent = server.packetsOut[0];
    expect(Buffer.from(sent.payload ?? []).toString('hex')).toBe('dead');
    expect(sent.metadata?.map((m) => [m.metadataId, Buffer.from(m.value ?? []).toString('hex')])).toEqual([
      [1, '07'],
      [2, '00'],
    ]);

    const received = nextEvent(client, 'packetIn');
    server.broadcast({
      packet: {
        payload: Uint8Array.from([1, 2, 3]),
        metadata: [
          { metadataId: 1, value: Uint8Array.from([0x01, 0x02]) },
          { metadataId: 2, value: Uint8Array.from([3]) },
        ],
      },
    });
    const [packet] = await received;
    expect(Buffer.from(packet.payload).toString('hex')).toBe('010203');
    expect(packet.metadata).toEqual({ ingress_port: 0x102, reason: 3 });
  });

  it('surfaces stream errors as events', async () => {
    const client = await connect(1n, { p4info: makeP4Info() });
    const error = nextEvent(client, 'streamError');
    client.packetOut(new Uint8Array(0));
    const [event] = await error;
    expect(event).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      codeName: 'INVALID_ARGUMENT',
      message: 'empty payload',
    });
    expect(event.packetOut).toBeDefined();
  });

  it('delivers digest lists and sends acks', async () => {
    const client = await connect(1n, { p4info: makeP4Info(), decode: { format: 'smart' } });
    const digest = client.p4info.digests.get('learn_t').data;
    const received = nextEvent(client, 'digest');
    server.broadcast({
      digest: {
        digestId: IDS.learnDigest,
        listId: toLong(5n, true),
        timestamp: toLong(123n, false),
        data: [digest.encode({ src_mac: '02:00:00:00:00:09', vni: 5000, ingress_port: 3 })],
      },
    });
    const [list] = await received;
    expect(list).toMatchObject({
      digest: 'learn_t',
      listId: 5n,
      timestamp: 123n,
      data: [{ src_mac: '02:00:00:00:00:09', vni: 5000, ingress_port: 3 }],
    });
    list.ack();
    await expect.poll(() => server.digestAcks).toEqual([{ digestId: IDS.learnDigest, listId: 5n }]);
  });

  it('delivers idle-timeout notifications with decoded entries', async () => {
    const client = await connect(1n, { p4info: makeP4Info() });
    const received = nextEvent(client, 'idleTimeout');
    const entry = client.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 2 }, action: 'drop' }).tableEntry!;
    server.broadcast({ idleTimeoutNotification: { tableEntry: [entry], timestamp: 1000 } });
    const [notification] = await received;
    expect(notification.timestamp).toBe(1000n);
    expect(notification.entries[0]).toMatchObject({
      table: 'ingress.l2_fwd',
      match: { vni: 1, dst_mac: 2 },
      action: 'ingress.drop',
    });
  });

  it('sends updates through the raw write helper too', async () => {
    const client = await connect(1n, { p4info: makeP4Info() });
    await client.write(
      insert(client.tableEntry('l2_fwd', { match: { vni: 2, dst_mac: 3 }, action: 'drop' })),
    );
    expect(server.entries.size).toBe(1);
  });
});

describe('TLS', () => {
  const certs = makeCertificates();
  const file = (name: string) => readFileSync(certs.path(name));

  it('connects over server-authenticated TLS', async () => {
    server.stop();
    server = new FakeP4RuntimeServer(1n);
    address = await server.start(
      grpc.ServerCredentials.createSsl(null, [
        { private_key: file('server.key'), cert_chain: file('server.crt') },
      ]),
    );
    const client = await connect(1n, { security: { type: 'tls', rootCerts: file('ca.crt') } });
    expect(client.isPrimary).toBe(true);
    expect((await client.capabilities()).apiVersion).toBe('1.5.0');
  });

  it('connects over mutual TLS and is refused without a client certificate', async () => {
    server.stop();
    server = new FakeP4RuntimeServer(1n);
    address = await server.start(
      grpc.ServerCredentials.createSsl(
        file('ca.crt'),
        [{ private_key: file('server.key'), cert_chain: file('server.crt') }],
        true,
      ),
    );
    const client = await connect(1n, {
      security: {
        type: 'mtls',
        rootCerts: file('ca.crt'),
        privateKey: file('client.key'),
        certChain: file('client.crt'),
      },
    });
    expect(client.isPrimary).toBe(true);
    await expect(
      connect(2n, {
        security: { type: 'tls', rootCerts: file('ca.crt') },
        reconnect: false,
        connectTimeoutMs: 500,
      }),
    ).rejects.toBeInstanceOf(P4RuntimeRpcError);
  });
});
