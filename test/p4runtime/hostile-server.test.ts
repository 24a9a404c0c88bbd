/**
 * The client against servers that misbehave or fail: one that never answers arbitration, one that
 * answers batches out of order or dies mid-write, one whose error details exceed what HTTP/2
 * headers carry, and lists of entities larger than any argument list.
 */
import * as grpc from '@grpc/grpc-js';
import { google, P4RuntimeService, type p4, writeErrorStatus } from 'p4runtime-ts-grpc/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { P4RuntimeClient } from '../../packages/p4runtime-ts-grpc/src/client.js';
import { P4RuntimeRpcError } from '../../packages/p4runtime-ts-grpc/src/errors.js';
import { writeError } from '../helpers/write-error.js';

type WriteCall = grpc.ServerUnaryCall<p4.v1.WriteRequest, p4.v1.IWriteResponse>;
type WriteHandler = (call: WriteCall, callback: grpc.sendUnaryData<p4.v1.IWriteResponse>) => void;

interface TestServer {
  readonly server: grpc.Server;
  readonly address: string;
}

const servers: grpc.Server[] = [];
const clients: P4RuntimeClient[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) s.forceShutdown();
});

/**
 * A P4Runtime server on loopback with the given Write handler; its StreamChannel makes every
 * controller primary, unless `silentStream` (then it accepts the stream and never answers).
 */
async function startServer(write: WriteHandler, silentStream = false): Promise<TestServer> {
  const server = new grpc.Server();
  server.addService(P4RuntimeService, {
    write,
    capabilities: (_call: unknown, callback: grpc.sendUnaryData<p4.v1.ICapabilitiesResponse>) =>
      callback(null, { p4runtimeApiVersion: '1.4.1' }),
    streamChannel: (
      stream: grpc.ServerDuplexStream<p4.v1.StreamMessageRequest, p4.v1.IStreamMessageResponse>,
    ) => {
      stream.on('data', (m: p4.v1.StreamMessageRequest) => {
        if (!m.arbitration || silentStream) return;
        stream.write({
          arbitration: {
            deviceId: m.arbitration.deviceId,
            electionId: m.arbitration.electionId,
            status: { code: google.rpc.Code.OK, message: 'Is primary' },
          },
        });
      });
      stream.on('end', () => stream.end());
      stream.on('error', () => {});
    },
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  servers.push(server);
  return { server, address: `127.0.0.1:${port}` };
}

async function connect(
  address: string,
  extra: Partial<Parameters<typeof P4RuntimeClient.connect>[0]> = {},
): Promise<P4RuntimeClient> {
  const client = await P4RuntimeClient.connect({
    address,
    deviceId: 1,
    electionId: 1n,
    connectTimeoutMs: 5000,
    reconnect: false,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** Table entries told apart by table id (1-based), so a failure names which update it was. */
function entries(n: number): p4.v1.IEntity[] {
  return Array.from({ length: n }, (_, i) => ({ tableEntry: { tableId: i + 1 } }));
}

function tableIdOf(u: p4.v1.IUpdate): number {
  return u.entity?.tableEntry?.tableId ?? 0;
}

describe('connect', () => {
  it('gives up at connectTimeoutMs when the stream opens but arbitration is never answered', async () => {
    const { address } = await startServer((_c, cb) => cb(null, {}), true);
    const error = await connect(address, { connectTimeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(P4RuntimeRpcError);
    expect((error as P4RuntimeRpcError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect((error as Error).message).toMatch(/no arbitration answer from the server within 300 ms/);
  });
});

describe('write error attribution', () => {
  it('blames exactly the failed updates when batches in flight are answered out of order', async () => {
    const total = 1000;
    const pending: { call: WriteCall; callback: grpc.sendUnaryData<p4.v1.IWriteResponse> }[] = [];
    let received = 0;
    // Holds requests until four are in flight (or all arrived), then answers them newest first.
    // A batch starting at a multiple of 300 is refused as a whole (no details); in the others the
    // updates of even table ids fail, each error naming its table id.
    const { address } = await startServer((call, callback) => {
      pending.push({ call, callback });
      received += call.request.updates.length;
      if (pending.length < 4 && received < total) return;
      for (const { call: c, callback: cb } of pending.splice(0).reverse()) {
        const first = tableIdOf(c.request.updates[0]) - 1;
        if (first % 300 === 0) {
          cb({ code: grpc.status.RESOURCE_EXHAUSTED, details: `table full at ${first}` }, null);
          continue;
        }
        const errors = c.request.updates.map((u) =>
          tableIdOf(u) % 2 === 0
            ? { canonicalCode: google.rpc.Code.ALREADY_EXISTS, message: `table ${tableIdOf(u)}` }
            : { canonicalCode: google.rpc.Code.OK },
        );
        cb(writeErrorStatus(errors) as grpc.ServiceError, null);
      }
    });
    const client = await connect(address);
    const error = await writeError(client.insert(entries(total), { batchSize: 100, maxInFlight: 4 }));
    const wholeBatches = [0, 300, 600, 900];
    const expected: number[] = [];
    for (let i = 0; i < total; i++) {
      const batch = i - (i % 100);
      if (wholeBatches.includes(batch) || i % 2 === 1) expected.push(i);
    }
    expect(error.totalUpdates).toBe(total);
    expect(error.failures.map((f) => f.index)).toEqual(expected);
    expect(error.message).toMatch(new RegExp(`^${expected.length} of 1000 update\\(s\\) failed`));
    expect(error.batchErrors.map((e) => e.message).sort()).toEqual(
      wholeBatches.map(
        (b) => `Write (updates ${b}..${b + 99}) failed: RESOURCE_EXHAUSTED: table full at ${b}`,
      ),
    );
    for (const f of error.failures) {
      const batch = f.index - (f.index % 100);
      expect(f.message).toBe(
        wholeBatches.includes(batch) ? `table full at ${batch}` : `table ${f.index + 1}`,
      );
    }
  });

  it('still adds up when the server dies in the middle of a write', async () => {
    const total = 2000;
    let answered = 0;
    const applied = new Set<number>();
    const holder: { server?: grpc.Server } = {};
    // Applies and acknowledges the first five requests; the sixth kills the server.
    const { server, address } = await startServer((call, callback) => {
      if (answered >= 5) {
        holder.server?.forceShutdown();
        return;
      }
      answered++;
      for (const u of call.request.updates) applied.add(tableIdOf(u) - 1);
      callback(null, {});
    });
    holder.server = server;
    const client = await connect(address);
    const error = await writeError(
      client.insert(entries(total), { batchSize: 100, maxInFlight: 4, timeoutMs: 20_000 }),
    );
    const failed = error.failures.map((f) => f.index);
    // Each update is reported at most once, in range; every update not reported failed was applied
    // (a batch applied but whose answer was lost with the server counts as failed: its state is unknown).
    expect(new Set(failed).size).toBe(failed.length);
    expect(failed.every((i) => i >= 0 && i < total)).toBe(true);
    const reported = new Set(failed);
    for (let i = 0; i < total; i++) if (!reported.has(i)) expect(applied.has(i)).toBe(true);
    expect(failed.length).toBeGreaterThanOrEqual(total - applied.size);
    expect(error.message).toMatch(new RegExp(`^${failed.length} of ${total} update\\(s\\) failed`));
  });
});

describe('error details larger than HTTP/2 headers carry', () => {
  it('fails the batch with a clear error instead of hanging, and the client keeps working', async () => {
    let writes = 0;
    // The first Write is answered with a 100 KB status trailer (Node's HTTP/2 stack cannot read a
    // header over 64 KiB), later ones succeed.
    const { address } = await startServer((call, callback) => {
      writes++;
      if (writes > 1) return callback(null, {});
      const errors = call.request.updates.map(() => ({
        canonicalCode: google.rpc.Code.INVALID_ARGUMENT,
        message: 'x'.repeat(2000),
      }));
      callback(writeErrorStatus(errors) as grpc.ServiceError, null);
    });
    const client = await connect(address, {
      // Short keepalive: the stall is detected in seconds (a loaded machine only delays it).
      writeChannelOptions: { 'grpc.keepalive_time_ms': 500, 'grpc.keepalive_timeout_ms': 2000 },
    });
    const error = await writeError(client.insert(entries(50), { timeoutMs: 20_000 }));
    expect(error.failures).toHaveLength(50);
    expect(error.batchErrors).toHaveLength(1);
    expect(error.batchErrors[0].message).toMatch(/^Write \(updates 0\.\.49\) failed: UNAVAILABLE: /);
    expect(error.batchErrors[0].message).toMatch(/retry with a smaller batchSize/);
    // The stream channel is on its own connection: still arbitrated, and other calls still work.
    expect(client.isPrimary).toBe(true);
    expect((await client.capabilities(30_000)).apiVersion).toBe('1.4.1');
    await client.insert(entries(3), { timeoutMs: 30_000 });
    expect(writes).toBe(2);
  });
});

describe('entity lists', () => {
  it('inserts more entities than an argument list can hold', async () => {
    let updates = 0;
    const { address } = await startServer((call, callback) => {
      updates += call.request.updates.length;
      callback(null, {});
    });
    const client = await connect(address);
    const many = entries(200_000);
    await client.insert(many, { batchSize: 5000 });
    await client.modify(many, { batchSize: 5000 });
    await client.delete(many, { batchSize: 5000 });
    expect(updates).toBe(600_000);
  });
});
