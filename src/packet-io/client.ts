/**
 * Packet I/O with a switch over bmv2's gRPC dataplane service: inject frames on ports and
 * collect the frames that leave, grouped by the id of the frame that caused them.
 * Works against real simple_switch_grpc (--dp-grpc-server-addr) and the embedded target.
 */
import * as grpc from '@grpc/grpc-js';
import {
  type DataplanePacket,
  dataplaneServiceDefinition,
  type PortOperStatus,
} from 'p4runtime-ts-grpc/wire';

/** A frame that left the switch. */
export interface EmittedFrame {
  port: number;
  bytes: Uint8Array;
}

export interface DataplaneClientOptions {
  address: string;
  deviceId?: bigint | number;
  /** Channel credentials (TLS, mutual TLS); default plaintext. */
  credentials?: grpc.ChannelCredentials;
}

/** How `collect` and `waitUntil` wait. */
export interface CollectOptions {
  /** Upper bound before failing loudly (default 60 s): generous, only a broken switch reaches it. */
  timeoutMs?: number;
  /** How often the condition is asked again without a new frame (default 5 ms). */
  pollMs?: number;
  /** What is still missing, for the error thrown past `timeoutMs`. */
  missing?: () => string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_MS = 5;

const DataplaneStub = grpc.makeGenericClientConstructor(dataplaneServiceDefinition, 'DataplaneInterface');

/**
 * One open PacketStream. The switch accepts a single stream at a time, so a harness keeps one
 * client for its whole run.
 */
export class DataplaneClient {
  private readonly stub: grpc.Client;
  private readonly stream: grpc.ClientDuplexStream<DataplanePacket, DataplanePacket>;
  private readonly deviceId: bigint;
  private nextId = 1n;
  private readonly byId = new Map<bigint, EmittedFrame[]>();
  private readonly unattributed: EmittedFrame[] = [];
  private streamError: Error | undefined;
  private waiters: Array<() => void> = [];

  private constructor(options: DataplaneClientOptions) {
    this.deviceId = BigInt(options.deviceId ?? 1);
    this.stub = new DataplaneStub(options.address, options.credentials ?? grpc.credentials.createInsecure());
    const call = (
      this.stub as unknown as Record<string, () => grpc.ClientDuplexStream<DataplanePacket, DataplanePacket>>
    ).PacketStream;
    this.stream = call.call(this.stub);
    this.stream.on('data', (p: DataplanePacket) => {
      const frame = { port: p.port, bytes: p.packet };
      if (p.id !== 0n && this.byId.has(p.id)) this.byId.get(p.id)!.push(frame);
      else this.unattributed.push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.stream.on('error', (e: Error) => {
      this.streamError = e;
    });
  }

  /** Opens the packet stream; resolves once the server has accepted it. */
  static async connect(options: DataplaneClientOptions, timeoutMs = 5000): Promise<DataplaneClient> {
    const client = new DataplaneClient(options);
    await new Promise<void>((resolve, reject) => {
      client.stub.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
    return client;
  }

  /**
   * Connects and proves that the switch serves the stream: `probe` sends a frame through it and
   * waits for that frame's exact outcome. bmv2 refuses the stream ("not ready") until its first
   * pipeline is swapped in, a moment after SetForwardingPipelineConfig has answered, and says so
   * only with an error status on the stream; then the probe fails, and a new stream is opened
   * after `retryDelayMs` (the delay only paces the retries, it decides nothing), up to `attempts`.
   */
  static async connectServed(
    options: DataplaneClientOptions,
    probe: (client: DataplaneClient) => Promise<void>,
    attempts = 100,
    retryDelayMs = 100,
  ): Promise<DataplaneClient> {
    for (let attempt = 1; ; attempt++) {
      const client = await DataplaneClient.connect(options);
      try {
        await probe(client);
        return client;
      } catch (error) {
        client.close();
        if (client.streamError === undefined || attempt >= attempts) throw error;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }

  /** Injects a frame; returns the id its outputs will carry. */
  send(port: number, bytes: Uint8Array): bigint {
    if (this.streamError) throw new Error(`dataplane stream failed: ${this.streamError.message}`);
    const id = this.nextId++;
    this.byId.set(id, []);
    this.stream.write({ id, deviceId: this.deviceId, port, packet: bytes });
    return id;
  }

  /**
   * Waits until `settled` says that every frame of `ids` is accounted for, then returns and forgets
   * the outputs of each id. The switch says nothing when it drops a frame, so only the caller can
   * tell when a frame is done: from the number of outputs it must cause, or from outputs plus
   * packet-ins plus the program's drop counters (test/scenarios/harness/vtep.ts). `settled` is
   * asked again whenever a frame arrives and every `pollMs` (for conditions outside this stream,
   * like counters), so the time waited never decides anything. Past `timeoutMs`, a generous bound
   * only a broken switch reaches, it throws with `missing()`: what was still unaccounted for.
   */
  async collect(
    ids: readonly bigint[],
    settled: (outputs: ReadonlyMap<bigint, readonly EmittedFrame[]>) => boolean | Promise<boolean>,
    options: CollectOptions = {},
  ): Promise<Map<bigint, EmittedFrame[]>> {
    const outputs = new Map<bigint, readonly EmittedFrame[]>(ids.map((id) => [id, this.byId.get(id) ?? []]));
    await this.waitUntil(() => settled(outputs), options);
    return this.take(ids);
  }

  /**
   * Waits until the frames of `ids` have caused exactly `expected` outputs each (a number for all,
   * or one per id), for callers that know how many frames each must produce; throws past
   * `timeoutMs`, naming the frames still short.
   */
  async collectCounts(
    ids: readonly bigint[],
    expected: number | readonly number[],
    options: CollectOptions = {},
  ): Promise<Map<bigint, EmittedFrame[]>> {
    const want = (i: number) => (typeof expected === 'number' ? expected : expected[i]);
    const short = () =>
      ids
        .map((id, i) => ({ id, got: this.byId.get(id)?.length ?? 0, want: want(i) }))
        .filter((f) => f.got < f.want);
    return this.collect(ids, () => short().length === 0, {
      ...options,
      missing: () =>
        short()
          .slice(0, 10)
          .map((f) => `frame ${f.id}: ${f.got} of ${f.want} output(s)`)
          .join('; '),
    });
  }

  /**
   * Waits until `condition()` holds; re-checked on every arriving frame and every `pollMs`.
   * Throws past `timeoutMs` with `missing()`.
   */
  async waitUntil(condition: () => boolean | Promise<boolean>, options: CollectOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    const start = Date.now();
    for (;;) {
      if (this.streamError) throw new Error(`dataplane stream failed: ${this.streamError.message}`);
      if (await condition()) return;
      if (Date.now() - start > timeoutMs) {
        const detail = options.missing?.() ?? 'the condition never held';
        throw new Error(`dataplane: not every frame was accounted for after ${timeoutMs} ms: ${detail}`);
      }
      await this.nextArrival(pollMs);
    }
  }

  /** Resolves when a frame arrives or after `ms`, whichever comes first. */
  private nextArrival(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Removes and returns the outputs recorded for `ids`. */
  private take(ids: readonly bigint[]): Map<bigint, EmittedFrame[]> {
    const out = new Map<bigint, EmittedFrame[]>();
    for (const id of ids) {
      out.set(id, this.byId.get(id) ?? []);
      this.byId.delete(id);
    }
    return out;
  }

  /**
   * Waits until the frames of `ids` have produced `expected` outputs in all (or `maxWaitMs` has
   * passed), then returns and forgets them, however many came. For benchmarks, which measure a
   * switch that may lose frames under load rather than judge it.
   */
  async collectExactly(
    ids: readonly bigint[],
    expected: number,
    maxWaitMs = 30_000,
  ): Promise<Map<bigint, EmittedFrame[]>> {
    const start = Date.now();
    const count = () => ids.reduce((n, id) => n + (this.byId.get(id)?.length ?? 0), 0);
    while (count() < expected && Date.now() - start < maxWaitMs) {
      if (this.streamError) throw new Error(`dataplane stream failed: ${this.streamError.message}`);
      await this.nextArrival(50);
    }
    return this.take(ids);
  }

  /** Sends one frame that must cause `outputs` frames, and returns them once they all came. */
  async exchange(
    port: number,
    bytes: Uint8Array,
    outputs: number,
    options?: CollectOptions,
  ): Promise<EmittedFrame[]> {
    const id = this.send(port, bytes);
    return (await this.collectCounts([id], outputs, options)).get(id) ?? [];
  }

  /** Number of frames received that carried no id we sent (packet-outs, pcap replays), not yet taken. */
  get unattributedCount(): number {
    return this.unattributed.length;
  }

  /** Frames that carried no id we sent (e.g. from another source); drained on read. */
  takeUnattributed(): EmittedFrame[] {
    return this.unattributed.splice(0);
  }

  async setPortStatus(port: number, status: PortOperStatus): Promise<void> {
    const call = (
      this.stub as unknown as Record<string, grpc.requestCallback<unknown> & ((...a: unknown[]) => void)>
    ).SetPortOperStatus;
    await new Promise<void>((resolve, reject) => {
      call.call(this.stub, { deviceId: this.deviceId, port, status }, (err: grpc.ServiceError | null) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  close(): void {
    this.stream.end();
    this.stub.close();
  }
}
