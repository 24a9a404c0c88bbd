// The embedded target under hostile requests and load, over real gRPC: error details larger than
// HTTP/2 headers carry, a huge Write beside another client, bad or planted pcap files, requests for
// device ids that do not exist, and a primary that stops reading its packet-ins.
import { linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { createP4RuntimeStub } from 'p4runtime-ts-grpc/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import { writePcap } from '../../../src/packet/pcap.js';
import { type EmbeddedTarget, PcapPathError, startEmbeddedTarget } from '../../../src/switch/index.js';
import { writeError } from '../../helpers/write-error.js';
import {
  bytes,
  capabilities,
  connect,
  ethernet,
  mac,
  pushFixture,
  startTarget,
  type TestTarget,
  UpdateType,
  uint128,
  write,
  writeUpdates,
} from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function target(options: Parameters<typeof startTarget>[0] = {}): Promise<TestTarget> {
  const t = await startTarget(options);
  cleanups.push(() => t.stop());
  return t;
}

/** The VTEP program on a fresh target, with a primary client. */
async function vtep(): Promise<{ target: EmbeddedTarget; client: P4RuntimeClient }> {
  const t = await target();
  const client = await P4RuntimeClient.connect({
    address: t.target.grpcAddress,
    deviceId: 1,
    electionId: 10n,
    waitForPrimary: true,
  });
  cleanups.push(() => client.close());
  await client.setPipeline({
    p4info: await loadP4Info(programArtifactPath('p4infoJson')),
    deviceConfig: readFileSync(programArtifactPath('bmv2Json')),
  });
  return { target: t.target, client };
}

function macEntries(client: P4RuntimeClient, n: number) {
  return Array.from({ length: n }, (_, i) =>
    client.tableEntry('overlay_mac', {
      match: { vni: 5000, dst_mac: 0x020000000000n + BigInt(i) },
      action: 'to_remote_vtep',
      params: { tunnel_id: 7 },
    }),
  );
}

describe('error details', () => {
  it('answers a batch of 1,000 failing updates with every failure attributed', async () => {
    const { client } = await vtep();
    const entries = macEntries(client, 1000);
    await client.insert(entries);
    const error = await writeError(client.insert(entries, { timeoutMs: 20_000 }));
    expect(error.batchErrors).toEqual([]);
    expect(error.failures.map((f) => f.index)).toEqual(entries.map((_, i) => i));
    expect(error.failures.every((f) => f.codeName === 'ALREADY_EXISTS')).toBe(true);
    // The first failures keep their message; the trailer stays within what HTTP/2 carries.
    expect(error.failures[0].message).toMatch(/^Match entry exists/);
  });

  it('never echoes a 16 KiB value back in full', async () => {
    const { client } = await vtep();
    const entry = macEntries(client, 1)[0];
    const match = entry.tableEntry?.match?.[1];
    if (!match?.exact) throw new Error('overlay_mac has no exact dst_mac');
    match.exact.value = new Uint8Array(16 * 1024).fill(0xab);
    const error = await writeError(client.insert([entry], { timeoutMs: 20_000 }));
    expect(error.failures).toHaveLength(1);
    expect(error.failures[0].codeName).toBe('INVALID_ARGUMENT');
    expect(error.failures[0].message.length).toBeLessThan(700);
    expect(error.failures[0].message).toMatch(/more characters\)$/);
  });
});

describe('a huge Write', () => {
  it('does not hold other clients until it is applied', async () => {
    const { target: t, client } = await vtep();
    const n = 40_000;
    const entries = macEntries(client, n);
    const tableId = entries[0].tableEntry?.tableId ?? 0;
    const count = () => t.manager.read({ entities: [{ tableEntry: { tableId } }] }).entities.length;
    const other = createP4RuntimeStub(t.grpcAddress, grpc.credentials.createInsecure());
    cleanups.push(() => other.close());
    let done = false;
    const big = client.insert(entries, { batchSize: n, timeoutMs: 60_000 }).finally(() => {
      done = true;
    });
    // Once the target has started applying the batch, another client's call is answered while
    // the batch is still being applied.
    while (count() === 0 && !done) await new Promise((resolve) => setImmediate(resolve));
    const answer = await capabilities(other);
    const seen = count();
    await big;
    expect(answer.code).toBe(grpc.status.OK);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(n);
    expect(count()).toBe(n);
  });
});

describe('pcap files', () => {
  it('skips a malformed input file with a warning naming it, and keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcap-bad-'));
    writeFileSync(join(dir, 'port0_in.pcap'), new Uint8Array(10).fill(0x41));
    writeFileSync(join(dir, 'port1_in.pcap'), writePcap([{ data: ethernet(mac(1), mac(2), 0x0800) }]));
    const warnings: string[] = [];
    let warned: () => void = () => {};
    const firstWarning = new Promise<void>((resolve) => {
      warned = resolve;
    });
    const t = await target({
      pcapDir: dir,
      pcapReplayDelayMs: 0,
      onWarning: (m) => {
        warnings.push(m);
        warned();
      },
    });
    // The pipeline commit starts the replay timer: its warning, not a crash.
    await pushFixture(t.stub, 'server_all');
    await firstWarning;
    expect(warnings[0]).toMatch(/port0_in\.pcap skipped: pcap file header needs 24 bytes, got 10$/);
    expect(t.target.replayPcaps()).toBe(1);
    expect(warnings).toHaveLength(2);
    expect((await capabilities(t.stub)).code).toBe(grpc.status.OK);
  });

  it('refuses an output path that is a symbolic or hard link, leaving its target alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcap-link-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'port0_out.pcap'));
    await expect(startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', pcapDir: dir })).rejects.toThrow(
      new PcapPathError(
        `pcap output ${join(dir, 'port0_out.pcap')} is a symbolic link; refusing to write through it`,
      ),
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious');

    const dir2 = mkdtempSync(join(tmpdir(), 'pcap-link-'));
    linkSync(victim, join(dir2, 'port3_out.pcap'));
    await expect(startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', pcapDir: dir2 })).rejects.toThrow(
      /port3_out\.pcap is a file with other hard links; refusing to write it/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });
});

describe('device ids', () => {
  it('keeps no state for device ids nobody has a stream for', async () => {
    const t = await target();
    await pushFixture(t.stub, 'server_all');
    for (let id = 100; id < 1100; id++) {
      const r = await write(t.stub, { deviceId: id, electionId: uint128(BigInt(id)), updates: [] });
      expect(r.code).toBe(grpc.status.PERMISSION_DENIED);
      const plain = await write(t.stub, { deviceId: id, updates: [] });
      expect(plain.code).toBe(grpc.status.FAILED_PRECONDITION);
    }
    expect(t.target.arbitratedDeviceIds()).toEqual([]);
    // A stream for an unknown device id holds state only while it is open.
    const { stream } = await connect(t.stub, 5n);
    expect(t.target.arbitratedDeviceIds()).toEqual([1n]);
    stream.end();
    await stream.closed();
    expect(t.target.arbitratedDeviceIds()).toEqual([]);
  });
});

describe('packet-ins for a primary that stops reading', () => {
  it('are dropped past a bounded queue and counted; every frame is accounted for', async () => {
    const t = await target();
    const { stream: primary } = await connect(t.stub, 10n);
    const ids = await pushFixture(t.stub, 'server_all', uint128(10n));
    const r = await writeUpdates(
      t.stub,
      UpdateType.INSERT,
      [
        {
          tableEntry: {
            tableId: ids.table('exact_t'),
            match: [{ fieldId: 1, exact: { value: bytes(mac(7)) } }],
            action: {
              action: { actionId: ids.action('send_to_cpu'), params: [{ paramId: 1, value: bytes(5) }] },
            },
          },
        },
      ],
      uint128(10n),
    );
    expect(r.code).toBe(grpc.status.OK);
    primary.call.pause();
    const sent = 20_000;
    const frame = ethernet(mac(7), mac(8), 0x0800, new Uint8Array(1000));
    for (let i = 0; i < sent; i++) t.target.dataplane.inject(1, frame);
    const dropped = t.target.stats.packetInsDropped;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(sent);
    primary.call.resume();
    let received = 0;
    while (received < sent - dropped) {
      const m = await primary.next((x) => x.packet != null, 10_000);
      if (!m) break;
      received++;
    }
    expect(received).toBe(sent - dropped);
    expect(t.target.stats.packetInsDropped).toBe(dropped);
    primary.end();
  });
});
