/**
 * A minimal in-process P4Runtime server for transport tests: real gRPC on 127.0.0.1 with
 * arbitration (primary = highest election id per role, updates pushed to every stream),
 * an in-memory table-entry store with per-update errors, chunked streaming reads, pipeline
 * storage, packet-out capture, digest lists and stream errors on demand. It does not execute
 * any P4 program.
 */
import * as grpc from '@grpc/grpc-js';
import {
  fromLong,
  fromUint128,
  google,
  type P4RuntimeServer,
  P4RuntimeService,
  p4,
  richStatus,
  toUint128,
  writeErrorStatus,
} from 'p4runtime-ts-grpc/wire';

type Stream = grpc.ServerDuplexStream<p4.v1.StreamMessageRequest, p4.v1.IStreamMessageResponse>;

interface Controller {
  readonly stream: Stream;
  electionId: bigint;
  readonly role: string;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Key of a table entry: table, match and priority (what identifies it in P4Runtime). */
function entryKey(e: p4.v1.ITableEntry): string {
  return hex(p4.v1.TableEntry.encode({ tableId: e.tableId, match: e.match, priority: e.priority }).finish());
}

export class FakeP4RuntimeServer {
  readonly server = new grpc.Server();
  port = 0;
  readonly deviceId: bigint;
  /** Entries per key. */
  readonly entries = new Map<string, p4.v1.ITableEntry>();
  readonly packetsOut: p4.v1.IPacketOut[] = [];
  readonly digestAcks: { digestId: number; listId: bigint }[] = [];
  readonly writeRequests: p4.v1.WriteRequest[] = [];
  pipeline: p4.v1.IForwardingPipelineConfig | undefined;
  /** Entities per ReadResponse, to force multi-message reads. */
  readChunk = 3;
  private controllers: Controller[] = [];

  constructor(deviceId = 1n) {
    this.deviceId = deviceId;
    const impl: P4RuntimeServer = {
      capabilities: (_call, callback) => callback(null, { p4runtimeApiVersion: '1.5.0' }),
      setForwardingPipelineConfig: (call, callback) => {
        const denied = this.checkPrimary(call.request.electionId, call.request.role);
        if (denied) return callback(denied, null);
        this.pipeline = call.request.config ?? undefined;
        callback(null, {});
      },
      getForwardingPipelineConfig: (call, callback) => {
        const type = call.request.responseType;
        const c = this.pipeline ?? {};
        const config: p4.v1.IForwardingPipelineConfig = { cookie: c.cookie };
        if (
          type === p4.v1.GetForwardingPipelineConfigRequest.ResponseType.ALL ||
          type === p4.v1.GetForwardingPipelineConfigRequest.ResponseType.P4INFO_AND_COOKIE
        )
          config.p4info = c.p4info;
        if (
          type === p4.v1.GetForwardingPipelineConfigRequest.ResponseType.ALL ||
          type === p4.v1.GetForwardingPipelineConfigRequest.ResponseType.DEVICE_CONFIG_AND_COOKIE
        )
          config.p4DeviceConfig = c.p4DeviceConfig;
        callback(null, { config });
      },
      write: (call, callback) => {
        this.writeRequests.push(call.request);
        const denied = this.checkPrimary(call.request.electionId, call.request.role);
        if (denied) return callback(denied, null);
        const errors = call.request.updates.map((u) => this.apply(u));
        if (errors.every((e) => !e.canonicalCode)) return callback(null, {});
        callback(writeErrorStatus(errors) as grpc.ServiceError, null);
      },
      read: (call) => {
        const out: p4.v1.IEntity[] = [];
        for (const wanted of call.request.entities) {
          const te = wanted.tableEntry;
          if (!te) continue;
          for (const entry of this.entries.values()) {
            if (te.tableId && te.tableId !== entry.tableId) continue;
            if ((te.match ?? []).length > 0 && entryKey(te) !== entryKey(entry)) continue;
            out.push({ tableEntry: entry });
          }
        }
        for (let i = 0; i < out.length; i += this.readChunk)
          call.write({ entities: out.slice(i, i + this.readChunk) });
        call.end();
      },
      streamChannel: (stream) => this.handleStream(stream),
    };
    this.server.addService(P4RuntimeService, impl);
  }

  /** Listens on loopback (an ephemeral port unless given); returns `127.0.0.1:<port>`. */
  async start(credentials = grpc.ServerCredentials.createInsecure(), port = 0): Promise<string> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, credentials, (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return `127.0.0.1:${this.port}`;
  }

  stop(): void {
    this.server.forceShutdown();
  }

  /** Primary election id of a role, if any controller is connected. */
  primaryOf(role = ''): bigint | undefined {
    let primary: bigint | undefined;
    for (const c of this.controllers)
      if (c.role === role && (primary === undefined || c.electionId > primary)) primary = c.electionId;
    return primary;
  }

  /** Sends a message to every connected stream (or those of one role). */
  broadcast(message: p4.v1.IStreamMessageResponse): void {
    for (const c of this.controllers) c.stream.write(message);
  }

  /** Breaks every stream with UNAVAILABLE (simulates a server-side restart of the session). */
  dropStreams(): void {
    const streams = this.controllers.map((c) => c.stream);
    this.controllers = [];
    for (const s of streams)
      s.emit('error', Object.assign(new Error('dropped by test'), { code: grpc.status.UNAVAILABLE }));
  }

  private checkPrimary(
    electionId: p4.v1.IUint128 | null | undefined,
    role: string | null | undefined,
  ): grpc.ServiceError | null {
    const primary = this.primaryOf(role ?? '');
    const id = fromUint128(electionId);
    if (primary === undefined || primary !== id) {
      const status = richStatus(grpc.status.PERMISSION_DENIED, `election id ${id} is not primary`);
      return status as grpc.ServiceError;
    }
    return null;
  }

  private apply(update: p4.v1.IUpdate): p4.v1.IError {
    const entry = update.entity?.tableEntry;
    if (!entry)
      return {
        canonicalCode: google.rpc.Code.UNIMPLEMENTED,
        message: 'fake server stores table entries only',
      };
    const key = entryKey(entry);
    switch (update.type) {
      case p4.v1.Update.Type.INSERT:
        if (this.entries.has(key))
          return { canonicalCode: google.rpc.Code.ALREADY_EXISTS, message: 'entry already exists' };
        this.entries.set(key, entry);
        return { canonicalCode: google.rpc.Code.OK };
      case p4.v1.Update.Type.MODIFY:
        if (!this.entries.has(key))
          return { canonicalCode: google.rpc.Code.NOT_FOUND, message: 'no such entry' };
        this.entries.set(key, entry);
        return { canonicalCode: google.rpc.Code.OK };
      case p4.v1.Update.Type.DELETE:
        if (!this.entries.delete(key))
          return { canonicalCode: google.rpc.Code.NOT_FOUND, message: 'no such entry' };
        return { canonicalCode: google.rpc.Code.OK };
      default:
        return { canonicalCode: google.rpc.Code.INVALID_ARGUMENT, message: 'update type unspecified' };
    }
  }

  private notifyRole(role: string): void {
    const primary = this.primaryOf(role);
    for (const c of this.controllers.filter((x) => x.role === role)) {
      const isPrimary = c.electionId === primary;
      c.stream.write({
        arbitration: {
          deviceId: Number(this.deviceId),
          role: role ? { name: role } : undefined,
          electionId: primary === undefined ? undefined : toUint128(primary),
          status: isPrimary
            ? { code: google.rpc.Code.OK, message: 'primary' }
            : { code: google.rpc.Code.ALREADY_EXISTS, message: 'backup' },
        },
      });
    }
  }

  private handleStream(stream: Stream): void {
    let me: Controller | undefined;
    const leave = () => {
      if (!me) return;
      const role = me.role;
      this.controllers = this.controllers.filter((c) => c !== me);
      me = undefined;
      this.notifyRole(role);
    };
    stream.on('data', (message: p4.v1.StreamMessageRequest) => {
      if (message.arbitration) {
        const a = message.arbitration;
        if (fromLong(a.deviceId) !== this.deviceId) {
          stream.emit(
            'error',
            Object.assign(new Error(`unknown device id ${fromLong(a.deviceId)}`), {
              code: grpc.status.NOT_FOUND,
            }),
          );
          return;
        }
        const role = a.role?.name ?? '';
        const electionId = fromUint128(a.electionId);
        if (this.controllers.some((c) => c !== me && c.role === role && c.electionId === electionId)) {
          stream.emit(
            'error',
            Object.assign(new Error(`election id ${electionId} already in use`), {
              code: grpc.status.INVALID_ARGUMENT,
            }),
          );
          return;
        }
        if (me) me.electionId = electionId;
        else {
          me = { stream, electionId, role };
          this.controllers.push(me);
        }
        this.notifyRole(role);
      } else if (message.packet) {
        this.packetsOut.push(message.packet);
        // Packets with empty payload are rejected asynchronously, as a StreamError.
        if (!message.packet.payload || message.packet.payload.length === 0)
          stream.write({
            error: {
              canonicalCode: google.rpc.Code.INVALID_ARGUMENT,
              message: 'empty payload',
              packetOut: { packetOut: message.packet },
            },
          });
      } else if (message.digestAck) {
        this.digestAcks.push({
          digestId: message.digestAck.digestId ?? 0,
          listId: fromLong(message.digestAck.listId),
        });
      }
    });
    stream.on('end', () => {
      leave();
      stream.end();
    });
    stream.on('error', leave);
    stream.on('cancelled', leave);
  }
}
