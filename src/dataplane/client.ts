/**
 * Packet I/O with a switch over bmv2's gRPC dataplane service: inject frames on ports and
 * collect the frames that leave, grouped by the id of the frame that caused them.
 * Works against real simple_switch_grpc (--dp-grpc-server-addr) and the embedded target.
 */
import * as grpc from '@grpc/grpc-js';
import { type DataplanePacket, dataplaneServiceDefinition, type PortOperStatus } from './service.js';

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
  private lastArrival = 0;
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
      this.lastArrival = Date.now();
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

  /** Injects a frame; returns the id its outputs will carry. */
  send(port: number, bytes: Uint8Array): bigint {
    if (this.streamError) throw new Error(`dataplane stream failed: ${this.streamError.message}`);
    const id = this.nextId++;
    this.byId.set(id, []);
    this.stream.write({ id, deviceId: this.deviceId, port, packet: bytes });
    return id;
  }

  /**
   * Waits until no frame has arrived for `quietMs` (the switch is asynchronous and says
   * nothing when a frame is dropped), then returns and forgets the outputs of each id.
   */
  async collect(
    ids: readonly bigint[],
    quietMs: number,
    maxWaitMs = 30_000,
  ): Promise<Map<bigint, EmittedFrame[]>> {
    const start = Date.now();
    this.lastArrival = Math.max(this.lastArrival, start);
    for (;;) {
      if (this.streamError) throw new Error(`dataplane stream failed: ${this.streamError.message}`);
      const idle = Date.now() - this.lastArrival;
      if (Date.now() - start > maxWaitMs) break;
      if (idle >= quietMs) {
        // After a stall the timer can fire before pending socket reads are handled: let the
        // event loop poll for I/O, and only call it quiet if nothing arrived meanwhile.
        const seen = this.lastArrival;
        await new Promise<void>((resolve) => setImmediate(resolve));
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.lastArrival === seen) break;
        continue;
      }
      await this.nextArrival(quietMs - idle);
    }
    return this.take(ids);
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
   * passed), then returns and forgets them. For callers that know how many frames must come out.
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

  /** Sends one frame and returns what left the switch because of it. */
  async exchange(port: number, bytes: Uint8Array, quietMs: number): Promise<EmittedFrame[]> {
    const id = this.send(port, bytes);
    return (await this.collect([id], quietMs)).get(id) ?? [];
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
