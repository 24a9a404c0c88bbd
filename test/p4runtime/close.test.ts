/**
 * `P4RuntimeClient.close()` against an in-test server that ends each StreamChannel only when the
 * test says so: close half-closes the stream and resolves once the server has ended it (the point
 * at which a P4Runtime server has released the election id), never cancels a stream the server
 * ends, and cancels one the server never ends once its safety bound has passed.
 */
import * as grpc from '@grpc/grpc-js';
import { type P4RuntimeServer, P4RuntimeService, type p4 } from 'p4runtime-ts-grpc/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { P4RuntimeClient } from '../../packages/p4runtime-ts-grpc/src/client.js';

type Stream = grpc.ServerDuplexStream<p4.v1.StreamMessageRequest, p4.v1.IStreamMessageResponse>;

/** What the server saw of one stream, in order, and a way to end it. */
interface SeenStream {
  events: string[];
  halfClosed: Promise<void>;
  cancelled: Promise<void>;
  end(): void;
}

let server: grpc.Server;
let address: string;
let streams: SeenStream[];
let nextStream: ((s: SeenStream) => void) | undefined;

/** Resolves with the next stream the server accepts. */
const acceptedStream = (): Promise<SeenStream> => new Promise((resolve) => (nextStream = resolve));

beforeEach(async () => {
  streams = [];
  server = new grpc.Server();
  const impl: Partial<P4RuntimeServer> = {
    streamChannel(call: Stream) {
      let onHalfClose = () => {};
      let onCancel = () => {};
      const seen: SeenStream = {
        events: [],
        halfClosed: new Promise((r) => (onHalfClose = r)),
        cancelled: new Promise((r) => (onCancel = r)),
        end: () => {
          seen.events.push('server ended');
          call.end();
        },
      };
      streams.push(seen);
      call.on('data', (m: p4.v1.StreamMessageRequest) => {
        if (!m.arbitration) return;
        // Primary, as a server answers the only controller of a device.
        call.write({
          arbitration: { deviceId: m.arbitration.deviceId, electionId: m.arbitration.electionId, status: {} },
        });
        nextStream?.(seen);
      });
      call.on('end', () => {
        seen.events.push('half-closed');
        onHalfClose();
      });
      call.on('cancelled', () => {
        seen.events.push('cancelled');
        onCancel();
      });
    },
  };
  server.addService(P4RuntimeService, impl as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  address = `127.0.0.1:${port}`;
});

afterEach(() => {
  server.forceShutdown();
});

const connect = async (): Promise<{ client: P4RuntimeClient; stream: SeenStream }> => {
  const accepted = acceptedStream();
  const client = await P4RuntimeClient.connect({ address, deviceId: 1, electionId: 1n, reconnect: false });
  return { client, stream: await accepted };
};

describe('P4RuntimeClient.close', () => {
  it('half-closes the stream and resolves only after the server has ended it', async () => {
    const { client, stream } = await connect();
    let resolved = false;
    const closing = client.close().then(() => {
      resolved = true;
      stream.events.push('close resolved');
    });
    await stream.halfClosed;
    // The server has the half-close and has not answered it: close is still waiting.
    expect(resolved).toBe(false);
    stream.end();
    await closing;
    // Nothing cancelled the stream before the server ended it (grpc-js reports 'cancelled' for
    // every server call once its HTTP/2 stream is gone, so one may follow).
    expect(stream.events.filter((e) => e !== 'cancelled')).toEqual([
      'half-closed',
      'server ended',
      'close resolved',
    ]);
    expect(stream.events.slice(0, 2)).toEqual(['half-closed', 'server ended']);
    // Closed for good: the stream is not reopened, and a second close has nothing left to wait for.
    await client.close();
    expect(streams).toHaveLength(1);
  });

  it('cancels a stream the server never ends once its safety bound has passed', async () => {
    const { client, stream } = await connect();
    await client.close({ timeoutMs: 100 });
    await stream.cancelled;
    expect(stream.events).toEqual(['half-closed', 'cancelled']);
  });
});
