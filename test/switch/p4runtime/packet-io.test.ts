// bmv2's dataplane gRPC service (PacketStream ids, single client, SetPortOperStatus), pcap files per
// port, and robustness: random or truncated frames and undecodable requests never take the server down.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { dataplaneServiceDefinition } from 'p4runtime-ts-grpc/wire';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../src/artifacts/program.js';
import { readPcap, writePcap } from '../../../src/packet/pcap.js';
import { DataplaneClient } from '../../../src/packet-io/client.js';
import { inputPcapPath, outputPcapPath, startEmbeddedTarget } from '../../../src/switch/index.js';
import {
  bytes,
  capabilities,
  DEVICE_ID,
  type Ids,
  mac,
  type p4,
  parseProbe,
  probeFrame,
  pushFixture,
  read,
  startTarget,
  type TestTarget,
  UpdateType,
  writeUpdates,
} from './helpers.js';

let t: TestTarget | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await t?.stop();
  t = undefined;
});

async function setup(options: Parameters<typeof startTarget>[0] = {}): Promise<{ t: TestTarget; ids: Ids }> {
  t = await startTarget({ dataplaneAddress: '127.0.0.1:0', ...options });
  const ids = await pushFixture(t.stub, 'server_all');
  return { t, ids };
}

function forward(ids: Ids, dst: bigint, port: number): p4.v1.IEntity {
  return {
    tableEntry: {
      tableId: ids.table('exact_t'),
      match: [{ fieldId: 1, exact: { value: bytes(dst) } }],
      action: { action: { actionId: ids.action('forward'), params: [{ paramId: 1, value: bytes(port) }] } },
    },
  };
}

async function client(target: TestTarget): Promise<DataplaneClient> {
  const c = await DataplaneClient.connect({ address: target.target.dataplaneAddress!, deviceId: DEVICE_ID });
  cleanups.push(() => c.close());
  return c;
}

describe('PacketStream', () => {
  it('returns each output with the id of the frame that caused it (multicast copies included)', async () => {
    const { t, ids } = await setup();
    await writeUpdates(t.stub, UpdateType.INSERT, [
      forward(ids, mac(1), 4),
      {
        packetReplicationEngineEntry: {
          multicastGroupEntry: { multicastGroupId: 3, replicas: [{ egressPort: 5 }, { egressPort: 6 }] },
        },
      },
      {
        tableEntry: {
          tableId: ids.table('exact_t'),
          match: [{ fieldId: 1, exact: { value: bytes(mac(2)) } }],
          action: { action: { actionId: ids.action('flood'), params: [{ paramId: 1, value: bytes(3) }] } },
        },
      },
    ]);
    const dp = await client(t);
    const unicast = await dp.exchange(1, probeFrame(mac(1), { k8: 1 }), 1);
    expect(unicast.map((f) => f.port)).toEqual([4]);
    const fields = parseProbe(unicast[0].bytes);
    expect([fields.k8, fields.const_v, fields.mixed_v]).toEqual([1, 7, 0xdefa]);
    const flooded = await dp.exchange(1, probeFrame(mac(2), {}), 2);
    expect(flooded.map((f) => f.port).sort()).toEqual([5, 6]);
    // A dropped frame has no output to wait for. The embedded target processes frames one at a
    // time in arrival order and writes each one's outputs to the stream before the next is
    // processed, so once the output of a frame sent after it has arrived, it is done.
    const dropped = dp.send(1, probeFrame(mac(9), {}));
    await dp.exchange(1, probeFrame(mac(1), {}), 1);
    expect((await dp.collectCounts([dropped], 0)).get(dropped)).toEqual([]);
    expect(dp.takeUnattributed()).toEqual([]);
  });

  it('accepts a single client at a time (RESOURCE_EXHAUSTED for another)', async () => {
    const { t } = await setup();
    await client(t);
    const Stub = grpc.makeGenericClientConstructor(dataplaneServiceDefinition, 'DataplaneInterface');
    const stub = new Stub(t.target.dataplaneAddress!, grpc.credentials.createInsecure());
    cleanups.push(() => stub.close());
    const second = (
      stub as unknown as Record<string, () => grpc.ClientDuplexStream<unknown, unknown>>
    ).PacketStream.call(stub);
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      second.on('status', resolve);
      second.on('error', () => {});
      second.on('data', () => {});
    });
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status.details).toBe('only one client authorized at a time');
  });

  it('records port oper status; refuses another device id and invalid statuses', async () => {
    const { t } = await setup();
    const dp = await client(t);
    await dp.setPortStatus(3, 'down');
    expect(t.target.dataplane.isPortUp(3)).toBe(false);
    await dp.setPortStatus(3, 'up');
    expect(t.target.dataplane.isPortUp(3)).toBe(true);
    const raw = new grpc.Client(t.target.dataplaneAddress!, grpc.credentials.createInsecure());
    cleanups.push(() => raw.close());
    // Encoded by reflection so that values the typed client refuses (unknown statuses) can be sent.
    const Request = protobuf
      .parse(readFileSync(join(PACKAGE_ROOT, 'proto', 'p4', 'bm', 'dataplane_interface.proto'), 'utf8'), {
        keepCase: true,
      })
      .root.lookupType('p4.bm.SetPortOperStatusRequest');
    const call = (request: { device_id: number; port: number; oper_status: number }) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(
          '/p4.bm.DataplaneInterface/SetPortOperStatus',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(Request.encode(Request.create(request)).finish()),
          (error) => resolve(error),
        ),
      );
    const otherDevice = await call({ device_id: DEVICE_ID + 1, port: 1, oper_status: 1 });
    expect(otherDevice?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(otherDevice?.details).toBe('Invalid device id');
    expect(t.target.dataplane.isPortUp(1)).toBe(true);
    const invalid = await call({ device_id: DEVICE_ID, port: 2, oper_status: 7 });
    expect(invalid?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(invalid?.details).toBe('Invalid oper status');
  });
});

describe('pcap files per port', () => {
  it('replays port<N>_in.pcap and appends outputs to port<N>_out.pcap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geneve-pcap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const frames = [probeFrame(mac(1), { k8: 1 }), probeFrame(mac(1), { k8: 2 }), probeFrame(mac(3), {})];
    writeFileSync(inputPcapPath(dir, 1), writePcap(frames.map((data, i) => ({ data, seconds: 100 + i }))));
    const { t, ids } = await setup({ pcapDir: dir, pcapReplayDelayMs: -1 });
    await writeUpdates(t.stub, UpdateType.INSERT, [forward(ids, mac(1), 2)]);
    expect(t.target.replayPcaps()).toBe(3);
    const out = readPcap(new Uint8Array(readFileSync(outputPcapPath(dir, 2))));
    expect(out.packets).toHaveLength(2);
    expect(readPcap(new Uint8Array(readFileSync(outputPcapPath(dir, 3)))).packets).toHaveLength(0);
  });

  it('replays automatically after the first commit when a delay is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geneve-pcap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(inputPcapPath(dir, 0), writePcap([{ data: probeFrame(mac(1), {}) }]));
    const { t, ids } = await setup({ pcapDir: dir, pcapReplayDelayMs: 300 });
    await writeUpdates(t.stub, UpdateType.INSERT, [forward(ids, mac(1), 5)]);
    await expect
      .poll(() => readPcap(new Uint8Array(readFileSync(outputPcapPath(dir, 5)))).packets.length)
      .toBe(1);
  });
});

describe('listen addresses', () => {
  it('refuses non-loopback and malformed addresses unless allowed', async () => {
    await expect(startEmbeddedTarget({ grpcAddress: '0.0.0.0:0' })).rejects.toThrow(
      /not a loopback address.*allowNonLoopback/,
    );
    await expect(
      startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', dataplaneAddress: '10.1.2.3:0' }),
    ).rejects.toThrow(/dataplane address '10\.1\.2\.3:0' is not a loopback address/);
    await expect(startEmbeddedTarget({ grpcAddress: 'localhost' })).rejects.toThrow(/is not host:port/);
    const ipv6 = await startEmbeddedTarget({ grpcAddress: '[::1]:0' }).catch((e: Error) => e);
    // Loopback IPv6 is accepted (binding may still fail where IPv6 is disabled).
    if (!(ipv6 instanceof Error)) {
      expect(ipv6.grpcAddress).toMatch(/^\[::1\]:\d+$/);
      await ipv6.stop();
    } else {
      expect(ipv6.message).not.toMatch(/loopback/);
    }
  });
});

describe('hostile input', () => {
  it('survives random and truncated frames on any port, in process and over PacketStream', async () => {
    const { t, ids } = await setup();
    await writeUpdates(t.stub, UpdateType.INSERT, [forward(ids, mac(1), 2)]);
    const good = probeFrame(mac(1), { k8: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), fc.uint8Array({ maxLength: 80 }), (port, frame) => {
        t.target.dataplane.process(port, frame);
        t.target.dataplane.process(1, good.subarray(0, frame.length % good.length));
      }),
      { numRuns: 300, seed: 42 },
    );
    const dp = await client(t);
    for (let i = 0; i < 50; i++) dp.send(i % 8, good.subarray(0, i));
    // One frame at a time, in order: once the good frame's output is here, the 50 before it are done.
    const outputs = await dp.exchange(1, good, 1);
    expect(outputs.map((o) => o.port)).toEqual([2]);
    expect((await capabilities(t.stub)).code).toBe(grpc.status.OK);
  });

  it('answers undecodable requests with INVALID_ARGUMENT naming the message type', async () => {
    const { t } = await setup();
    const raw = new grpc.Client(t.target.grpcAddress, grpc.credentials.createInsecure());
    cleanups.push(() => raw.close());
    // Field 4 (updates) announcing a 4 GB message followed by one byte: not decodable.
    const garbage = Buffer.from([0x22, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        '/p4.v1.P4Runtime/Write',
        (b: Buffer) => b,
        (b: Buffer) => b,
        garbage,
        (e) => resolve(e),
      ),
    );
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^Malformed p4\.v1\.WriteRequest: /);
    // The server keeps serving.
    expect((await read(t.stub, [{ tableEntry: {} }])).code).toBe(grpc.status.OK);
  });
});
