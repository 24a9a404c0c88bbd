// The embedded target's HTTP/2 receive window (embedded-target.ts RECEIVE_WINDOW_BYTES): each
// P4Runtime connection it accepts gets the larger window, as its server's channelz reports it
// (the server's socket: local_flow_control_window), and a pipeline larger than HTTP/2's default
// window of 65,535 bytes is pushed through it. Decided from channelz's state, not from time.
import { getChannelzHandlers, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { loadDeviceConfig, loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddedTarget, RECEIVE_WINDOW_BYTES, startEmbeddedTarget } from '../../src/switch/index.js';

type Handler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
const channelz = getChannelzHandlers() as unknown as Record<string, Handler>;
const ask = <T>(method: string, request: object): Promise<T> =>
  new Promise((resolve, reject) =>
    channelz[method]({ request } as ServerUnaryCall<unknown, unknown>, (error, value) =>
      error ? reject(error) : resolve(value as T),
    ),
  );

interface SocketMessage {
  local?: { tcpip_address?: { port: number } };
  data: { local_flow_control_window?: { value: number } | null };
}

/** The receive windows of the server sockets (accepted connections) whose local port is `port`. */
async function receiveWindows(port: number): Promise<number[]> {
  const windows: number[] = [];
  const { server } = await ask<{ server: { ref: { server_id: number } }[] }>('GetServers', {
    start_server_id: 0,
  });
  for (const s of server) {
    const { socket_ref } = await ask<{ socket_ref: { socket_id: number }[] }>('GetServerSockets', {
      server_id: s.ref.server_id,
      start_socket_id: 0,
    });
    for (const ref of socket_ref) {
      const { socket } = await ask<{ socket: SocketMessage }>('GetSocket', { socket_id: ref.socket_id });
      if (socket.local?.tcpip_address?.port === port)
        windows.push(socket.data.local_flow_control_window?.value ?? 0);
    }
  }
  return windows;
}

describe('the embedded target HTTP/2 receive window', () => {
  let target: EmbeddedTarget | undefined;
  let client: P4RuntimeClient | undefined;
  afterEach(async () => {
    client?.close();
    await target?.stop();
    client = undefined;
    target = undefined;
  });

  const connect = async (t: EmbeddedTarget) =>
    P4RuntimeClient.connect({ address: t.grpcAddress, deviceId: 1, electionId: 1n, waitForPrimary: true });

  it('is RECEIVE_WINDOW_BYTES on each connection, and takes a pipeline larger than the default window', async () => {
    target = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0' });
    client = await connect(target);
    const deviceConfig = await loadDeviceConfig('bmv2/geneve_vtep.json');
    expect(deviceConfig.length).toBeGreaterThan(65_535);
    await client.setPipeline({ p4info: await loadP4Info('bmv2/geneve_vtep.p4info.json'), deviceConfig });
    const windows = await receiveWindows(target.grpcPort);
    expect(windows).toHaveLength(1);
    // What the push used has been given back (WINDOW_UPDATE as the target reads), or most of it.
    expect(RECEIVE_WINDOW_BYTES).toBeGreaterThan(deviceConfig.length);
    expect(windows[0]).toBeGreaterThan(RECEIVE_WINDOW_BYTES / 2);
    expect(windows[0]).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES);
  });

  it('keeps the HTTP/2 default window when told to', async () => {
    target = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', receiveWindowBytes: 65_535 });
    client = await connect(target);
    const windows = await receiveWindows(target.grpcPort);
    expect(windows).toHaveLength(1);
    expect(windows[0]).toBeLessThanOrEqual(65_535);
  });
});
