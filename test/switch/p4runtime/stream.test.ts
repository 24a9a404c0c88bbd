// StreamChannel traffic over real gRPC with the compiled server_all program: packet-out through the
// packet_out header, packet-in with decoded metadata, digest lists and acks, idle-timeout
// notifications, and stream error reporting.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutputFrame } from '../../../src/switch/index.js';
import {
  bytes,
  connect,
  ethernet,
  hex,
  type Ids,
  mac,
  type p4,
  probeFrame,
  pushFixture,
  type Stream,
  startTarget,
  type TestTarget,
  TYPE_LEARN,
  toNumber,
  UpdateType,
  uint128,
  writeUpdates,
} from './helpers.js';

let t: TestTarget | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.stop();
  t = undefined;
});

/**
 * Hands the target's timers and ageing clock to the test (vitest fake timers, installed once the
 * target is up and the controller connected): what a digest timeout, an ageing sweep or PI's
 * buffering delay does then depends only on the time the test advances with
 * `vi.advanceTimersByTime`, never on when the machine gets to run a timer.
 */
function takeTheClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
}

/**
 * The messages matching `predicate` that the server has sent on `stream` so far (not yet consumed),
 * all of them: the server answers a packet-out with an unknown metadata id with a StreamError
 * (detailed reporting), on the same stream, after them. So a message absent from this list was
 * never sent: no quiet period.
 */
async function sentSoFar(
  stream: Stream,
  predicate: (m: p4.v1.StreamMessageResponse) => boolean,
): Promise<p4.v1.StreamMessageResponse[]> {
  stream.send({
    packet: { payload: new Uint8Array([0x3c]), metadata: [{ metadataId: 9, value: bytes(1) }] },
  });
  const marker = await stream.next((m) => m.error != null);
  expect(marker?.error?.message).toMatch(/^Unknown metadata id in PacketOut message/);
  return stream.pending().filter(predicate);
}

/** A target with server_all pushed by a primary controller (election id 10). */
async function setup(
  options: Parameters<typeof startTarget>[0] = {},
): Promise<{ t: TestTarget; ids: Ids; primary: Stream }> {
  t = await startTarget(options);
  const { stream } = await connect(t.stub, 10n);
  const ids = await pushFixture(t.stub, 'server_all', uint128(10n));
  return { t, ids, primary: stream };
}

async function write(
  target: TestTarget,
  type: p4.v1.Update.Type,
  ...entities: p4.v1.IEntity[]
): Promise<void> {
  const r = await writeUpdates(target.stub, type, entities, uint128(10n));
  expect(r.errors.map((e) => e.message).filter(Boolean)).toEqual([]);
  expect(r.code).toBe(grpc.status.OK);
}

function collectOutputs(target: TestTarget): OutputFrame[] {
  const outputs: OutputFrame[] = [];
  target.target.dataplane.onOutput((o) => outputs.push(o));
  return outputs;
}

describe('packet-out', () => {
  it('prepends the packet_out header built from the metadata (9-bit egress_port) and injects on the CPU port', async () => {
    const { t, primary } = await setup();
    const outputs = collectOutputs(t);
    const payload = ethernet(mac(1), mac(2), 0x0800, new Uint8Array([1, 2, 3]));
    primary.send({
      packet: {
        payload,
        metadata: [
          { metadataId: 1, value: bytes(300) },
          { metadataId: 4, value: bytes(0xab) },
        ],
      },
    });
    await expect.poll(() => outputs.length).toBe(1);
    expect(outputs[0].port).toBe(300);
    expect(hex(outputs[0].frame)).toBe(hex(payload));
  });

  it('ignores packet-outs from backups and before arbitration', async () => {
    const { t, primary } = await setup();
    const outputs = collectOutputs(t);
    const { stream: backup } = await connect(t.stub, 5n);
    backup.send({
      packet: { payload: ethernet(mac(1), mac(2), 0x0800), metadata: [{ metadataId: 1, value: bytes(3) }] },
    });
    // Then the primary's packet-out, over the same connection: the server handles the two in the
    // order they arrived, so once the primary's frame is out, the backup's was already refused.
    primary.send({
      packet: { payload: ethernet(mac(3), mac(2), 0x0800), metadata: [{ metadataId: 1, value: bytes(4) }] },
    });
    await expect.poll(() => outputs.length).toBeGreaterThan(0);
    expect(outputs.map((o) => o.port)).toEqual([4]);
  });

  it('drops a packet-out with an unknown metadata id, reporting a StreamError when enabled', async () => {
    const { t, primary } = await setup({ streamErrorReporting: 'detailed' });
    const outputs = collectOutputs(t);
    const bad = { payload: new Uint8Array([1]), metadata: [{ metadataId: 9, value: bytes(1) }] };
    primary.send({ packet: bad });
    const error = (await primary.next((m) => m.error != null))?.error;
    expect(error?.canonicalCode).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.message).toMatch(/^Unknown metadata id in PacketOut message/);
    expect(hex(error?.packetOut?.packetOut?.payload)).toBe('01');
    const tooWide = { payload: new Uint8Array([1]), metadata: [{ metadataId: 1, value: bytes(0x200) }] };
    primary.send({ packet: tooWide });
    const error2 = (await primary.next((m) => m.error != null))?.error;
    expect(error2?.message).toMatch(/does not fit within 9 bits.*egress_port/);
    expect(outputs).toHaveLength(0);
  });

  it('stays silent about bad packet-outs by default (PI reports stream errors only when enabled)', async () => {
    const { primary } = await setup();
    primary.send({
      packet: { payload: new Uint8Array([1]), metadata: [{ metadataId: 9, value: bytes(1) }] },
    });
    // The answer to an arbitration sent after it (a higher election id, so that the server answers)
    // comes after any error the server would have sent for it, on the same stream.
    primary.arbitrate(11n);
    expect(await primary.arbitration()).toBeDefined();
    expect(primary.pending().filter((m) => m.error != null)).toEqual([]);
  });
});

describe('packet-in', () => {
  it('strips the packet_in header and sends its fields as metadata to the primary only', async () => {
    const { t, ids, primary } = await setup();
    const { stream: backup } = await connect(t.stub, 5n);
    await write(t, UpdateType.INSERT, {
      tableEntry: {
        tableId: ids.table('exact_t'),
        match: [{ fieldId: 1, exact: { value: bytes(mac(7)) } }],
        action: {
          action: { actionId: ids.action('send_to_cpu'), params: [{ paramId: 1, value: bytes(5) }] },
        },
      },
    });
    const frame = ethernet(mac(7), mac(8), 0x0800, new Uint8Array([9, 9]));
    t.target.dataplane.inject(260, frame);
    const packet = (await primary.next((m) => m.packet != null))?.packet;
    expect(hex(packet?.payload)).toBe(hex(frame));
    const metadata = new Map(packet?.metadata?.map((m) => [m.metadataId, hex(m.value)]));
    expect(metadata.get(1)).toBe('0104');
    expect(metadata.get(2)).toBe('05');
    // The packet-in went out as the frame was processed: a copy for the backup would precede the
    // answer to an arbitration the backup sends now (a new election id, still below the primary's).
    backup.arbitrate(6n);
    expect(await backup.arbitration()).toBeDefined();
    expect(backup.pending().filter((m) => m.packet != null)).toEqual([]);
  });
});

describe('digests', () => {
  const config = (
    ids: Ids,
    maxListSize: number,
    maxTimeoutNs: number,
    ackTimeoutNs: number,
    type = UpdateType.INSERT,
  ) =>
    write(t!, type, {
      digestEntry: {
        digestId: ids.digest('mac_learn_t'),
        config: { maxListSize, maxTimeoutNs, ackTimeoutNs },
      },
    });
  const learn = (src: bigint, port = 2): void => {
    t!.target.dataplane.inject(port, ethernet(mac(1), src, TYPE_LEARN));
  };
  const nextDigest = async (stream: Stream) => (await stream.next((m) => m.digest != null))?.digest;
  const isDigest = (m: p4.v1.StreamMessageResponse) => m.digest != null;
  /** Longer than any digest timer these tests set: whatever was due has been sent after it. */
  const ALL_TIMERS_MS = 60_000;
  const detailed = { streamErrorReporting: 'detailed' as const };

  it('sends one DigestList per sample with max_list_size 1, members canonical', async () => {
    const { ids, primary } = await setup(detailed);
    takeTheClock();
    // Not configured yet: PI drops the sample, now and later.
    learn(mac(0x33), 2);
    vi.advanceTimersByTime(ALL_TIMERS_MS);
    expect(await sentSoFar(primary, isDigest)).toEqual([]);
    await config(ids, 1, 0, 0);
    learn(mac(0x33), 2);
    const d = await nextDigest(primary);
    expect(d?.digestId).toBe(ids.digest('mac_learn_t'));
    expect(toNumber(d?.listId)).toBe(1);
    expect(d?.data?.map((x) => x.struct?.members?.map((m) => hex(m.bitstring)))).toEqual([
      ['020000000033', '02'],
    ]);
    expect(toNumber(d?.timestamp)).toBeGreaterThan(0);
    learn(mac(0x34), 3);
    expect(toNumber((await nextDigest(primary))?.listId)).toBe(2);
  });

  it('suppresses samples of unacknowledged lists until acked (ack_timeout_ns > 0)', async () => {
    const { ids, primary } = await setup(detailed);
    takeTheClock();
    await config(ids, 1, 0, 10_000_000_000);
    learn(mac(0x44));
    const first = await nextDigest(primary);
    expect(first).toBeDefined();
    learn(mac(0x44));
    // Short of the ack timeout: the sample stays suppressed.
    vi.advanceTimersByTime(5_000);
    expect(await sentSoFar(primary, isDigest)).toEqual([]);
    primary.send({ digestAck: { digestId: first!.digestId, listId: first!.listId } });
    // The server handles a stream's messages in order: the answer to an arbitration sent after the
    // ack (a higher election id, so that the server answers) means the ack was processed.
    primary.arbitrate(11n);
    expect(await primary.arbitration()).toBeDefined();
    learn(mac(0x44));
    expect(await nextDigest(primary)).toBeDefined();
  });

  it('buffers until max_list_size samples, or until max_timeout_ns', async () => {
    const { ids, primary } = await setup(detailed);
    takeTheClock();
    await config(ids, 3, 0, 0);
    learn(mac(1));
    learn(mac(2));
    vi.advanceTimersByTime(ALL_TIMERS_MS);
    expect(await sentSoFar(primary, isDigest)).toEqual([]);
    learn(mac(3));
    expect((await nextDigest(primary))?.data).toHaveLength(3);
    await config(ids, 100, 100_000_000, 0, UpdateType.MODIFY);
    learn(mac(4));
    learn(mac(5));
    // Held for max_timeout_ns (100 ms): nothing 1 ms short of it, then both samples in one list.
    vi.advanceTimersByTime(99);
    expect(await sentSoFar(primary, isDigest)).toEqual([]);
    vi.advanceTimersByTime(ALL_TIMERS_MS);
    const d = await nextDigest(primary);
    expect(d?.data).toHaveLength(2);
  });

  it('stops sending once the digest config is deleted', async () => {
    const { ids, primary } = await setup(detailed);
    takeTheClock();
    await config(ids, 1, 0, 0);
    learn(mac(0x55));
    expect(await nextDigest(primary)).toBeDefined();
    await write(t!, UpdateType.DELETE, { digestEntry: { digestId: ids.digest('mac_learn_t') } });
    learn(mac(0x55));
    vi.advanceTimersByTime(ALL_TIMERS_MS);
    expect(await sentSoFar(primary, isDigest)).toEqual([]);
  });
});

describe('idle timeout notifications', () => {
  // Sweeps are forced by the test (the automatic ones are an hour apart) and the ageing clock is the
  // test's (takeTheClock), so what a sweep reports depends only on the time the test advanced.
  const NO_AUTOMATIC_SWEEP = 3_600_000;
  /** PI's buffering of idle-timeout reports (idle-timeout.ts): advancing by it sends what a sweep found. */
  const PI_BUFFERING_MS = 100;
  const idle = (m: p4.v1.StreamMessageResponse) => m.idleTimeoutNotification != null;
  const options = { ageingSweepMs: NO_AUTOMATIC_SWEEP, streamErrorReporting: 'detailed' as const };
  /** exact_t's entry for mac(1), forwarding to `port`, with a TTL. */
  const agingEntry = (ids: Ids, ttlMs: number, port: number, controllerMetadata?: number): p4.v1.IEntity => ({
    tableEntry: {
      tableId: ids.table('exact_t'),
      match: [{ fieldId: 1, exact: { value: bytes(mac(1)) } }],
      action: { action: { actionId: ids.action('forward'), params: [{ paramId: 1, value: bytes(port) }] } },
      idleTimeoutNs: ttlMs * 1_000_000,
      controllerMetadata,
    },
  });
  /** Runs `count` ageing sweeps, then lets PI's buffering send what they found. */
  const sweeps = (target: TestTarget, count: number) => {
    for (let i = 0; i < count; i++) target.target.manager.sweepIdleEntries();
    vi.advanceTimersByTime(PI_BUFFERING_MS);
  };

  it('reports an entry idle for its TTL with key, controller metadata and TTL, again every other sweep, not when hit', async () => {
    const { t, ids, primary } = await setup(options);
    takeTheClock();
    const ttlMs = 100;
    const entry = agingEntry(ids, ttlMs, 2, 99);
    await write(t, UpdateType.INSERT, entry);
    // A TTL passes before each hit, and the sweep comes at the hit: idle for no time, never reported.
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(ttlMs);
      t.target.dataplane.inject(1, probeFrame(mac(1), {}));
      t.target.manager.sweepIdleEntries();
    }
    // 1 ms short of the TTL since the last hit: not reported either.
    vi.advanceTimersByTime(ttlMs - 1);
    sweeps(t, 1);
    expect(await sentSoFar(primary, idle)).toEqual([]);
    // Now idle for more than its TTL.
    sweeps(t, 1);
    const n = (await primary.next(idle))?.idleTimeoutNotification;
    expect(n?.tableEntry).toHaveLength(1);
    const e = n!.tableEntry![0];
    expect(e.tableId).toBe(ids.table('exact_t'));
    expect(hex(e.match?.[0].exact?.value)).toBe('020000000001');
    expect(toNumber(e.controllerMetadata)).toBe(99);
    expect(toNumber(e.idleTimeoutNs)).toBe(ttlMs * 1_000_000);
    expect(toNumber(n?.timestamp)).toBeGreaterThan(0);
    // bmv2 reports a still-idle entry again, skipping one sweep: of the next two, one reports it.
    sweeps(t, 2);
    const again = await sentSoFar(primary, idle);
    expect(again.map((m) => m.idleTimeoutNotification?.tableEntry?.length)).toEqual([1]);
    expect(await primary.next(idle)).toBe(again[0]);
    // After the delete a sweep has nothing to report.
    await write(t, UpdateType.DELETE, entry);
    sweeps(t, 2);
    expect(await sentSoFar(primary, idle)).toEqual([]);
  });

  it('restarts the idle clock of an entry when a MODIFY sets its TTL again', async () => {
    const { t, ids, primary } = await setup(options);
    takeTheClock();
    const ttlMs = 2000;
    await write(t, UpdateType.INSERT, agingEntry(ids, ttlMs, 2));
    vi.advanceTimersByTime(ttlMs);
    sweeps(t, 1);
    expect(await primary.next(idle)).toBeDefined();
    await write(t, UpdateType.MODIFY, agingEntry(ids, ttlMs, 3));
    // Idle since the MODIFY only, 1 ms short of the TTL: not reported.
    vi.advanceTimersByTime(ttlMs - 1);
    sweeps(t, 2);
    expect(await sentSoFar(primary, idle)).toEqual([]);
    // A full TTL since the MODIFY: reported.
    sweeps(t, 1);
    expect(await primary.next(idle)).toBeDefined();
  });
});
