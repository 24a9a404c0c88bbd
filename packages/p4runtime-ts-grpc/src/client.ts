/**
 * The P4Runtime client: connection and arbitration, pipeline configuration, entity builders
 * by name, batched writes with per-update errors, streaming reads, and packet/digest I/O.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { P4Value } from './codec.js';
import type { ActionProfileGroupSpec, ActionProfileMemberSpec } from './entities/action-profile.js';
import type { CounterData, MeterConfig } from './entities/common.js';
import type { CounterEntrySpec, MeterEntrySpec } from './entities/counters.js';
import { type DecodedEntity, EntityCodec } from './entities/index.js';
import {
  type CloneSessionSpec,
  encodeCloneSession,
  encodeMulticastGroup,
  type MulticastGroupSpec,
} from './entities/pre.js';
import type { DigestConfig, RegisterEntrySpec, ValueSetSpec } from './entities/registers.js';
import type { TableEntryData, TableEntrySpec } from './entities/table.js';
import { EntityError, NotPrimaryError, P4RuntimeError, P4RuntimeRpcError } from './errors.js';
import { type DecodeOptions, P4InfoIndex, type P4InfoIndexOptions } from './p4info/index.js';
import {
  type DigestList,
  decodeDigestList,
  decodeIdleTimeout,
  decodePacketIn,
  decodeStreamError,
  encodePacketOut,
  type IdleTimeoutNotification,
  type PacketIn,
  type StreamErrorEvent,
} from './packet-io.js';
import { type ReadOptions, readEntities, readResponseBytes } from './read.js';
import {
  type ArbitrationState,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type ReconnectPolicy,
  StreamSession,
} from './stream.js';
import { google, p4 } from './wire/generated/p4runtime.js';
import { fromLong, toLong, toUint128 } from './wire/long.js';
import { createP4RuntimeStub, type P4RuntimeStub } from './wire/p4runtime-service.js';
import { type EncodedUpdate, updatesOf, type WriteOptions, type WriteUpdate, writeUpdates } from './write.js';

/** Channel security. */
export type ChannelSecurity =
  | { readonly type: 'insecure' }
  /** Server-authenticated TLS; `rootCerts` defaults to the system roots. */
  | { readonly type: 'tls'; readonly rootCerts?: Buffer; readonly serverNameOverride?: string }
  /** Mutual TLS: the client also presents a certificate. */
  | {
      readonly type: 'mtls';
      readonly rootCerts: Buffer;
      readonly privateKey: Buffer;
      readonly certChain: Buffer;
      readonly serverNameOverride?: string;
    };

/** Options of {@link P4RuntimeClient.connect}. */
export interface ConnectOptions {
  /** `host:port` of the P4Runtime server, e.g. `127.0.0.1:9559`. */
  readonly address: string;
  /** Device id (bmv2's `--device-id`, default 0). */
  readonly deviceId?: bigint | number;
  /** 128-bit election id; the highest connected one is primary. Default 1. */
  readonly electionId?: bigint | number;
  /** Role name; omitted means the default role (full access). */
  readonly role?: string;
  /** Role configuration (target-specific Any), sent with arbitration. */
  readonly roleConfig?: google.protobuf.IAny;
  /** Default insecure (plaintext). */
  readonly security?: ChannelSecurity;
  /** Extra grpc-js channel options (e.g. message size limits). */
  readonly channelOptions?: grpc.ChannelOptions;
  /**
   * Options of the separate channel Writes go on (over `channelOptions` and the defaults: its own
   * connection, keepalive ping every 10 s with a 10 s timeout while writes are in flight). A Write
   * whose answer cannot be read (error details beyond what HTTP/2 headers carry) stalls its
   * connection; the keepalive then fails the batch with UNAVAILABLE, and the stream channel,
   * on its own connection, is not affected.
   */
  readonly writeChannelOptions?: grpc.ChannelOptions;
  /** P4Info to build/decode entities with before (or without) pushing a pipeline. */
  readonly p4info?: p4.config.v1.IP4Info | P4InfoIndex;
  /** Value encoding options for the P4Info index. */
  readonly indexOptions?: P4InfoIndexOptions;
  /** Default rendering of decoded values (reads, packet-in, digests). */
  readonly decode?: DecodeOptions;
  /** Stream reconnection with backoff; `false` disables it. Default enabled. */
  readonly reconnect?: ReconnectPolicy | false;
  /** How long `connect` waits for the server and the first arbitration, ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Also wait until this client is primary (rejects at timeout). Default false. */
  readonly waitForPrimary?: boolean;
  /**
   * Open the stream channel and arbitrate (default true). `false` connects for reads and
   * pipeline queries only: P4Runtime serves Read and GetForwardingPipelineConfig to any
   * client, so a read-only tool need not take part in (or disturb) mastership.
   */
  readonly arbitrate?: boolean;
  /**
   * With `arbitrate: false`: still open the StreamChannel (packet-in/out), without
   * MasterArbitrationUpdate, for a server that has no arbitration (NVIDIA's DPL runtime on a
   * BlueField DPU). Writes then carry no election id unless `electionId` is given.
   */
  readonly stream?: boolean;
}

/** SetForwardingPipelineConfig actions. */
export type PipelineAction =
  | 'VERIFY'
  | 'VERIFY_AND_SAVE'
  | 'VERIFY_AND_COMMIT'
  | 'COMMIT'
  | 'RECONCILE_AND_COMMIT';

/** A forwarding pipeline: P4Info plus the target's device config (e.g. bmv2 JSON bytes). */
export interface PipelineConfig {
  readonly p4info?: p4.config.v1.IP4Info;
  readonly deviceConfig?: Uint8Array;
  readonly cookie?: bigint | number;
}

/** A pipeline as read from the device. */
export interface PipelineInfo {
  readonly p4info?: p4.config.v1.P4Info;
  readonly deviceConfig?: Uint8Array;
  readonly cookie?: bigint;
}

/** What GetForwardingPipelineConfig should return. */
export type PipelineResponseType = 'ALL' | 'COOKIE_ONLY' | 'P4INFO_AND_COOKIE' | 'DEVICE_CONFIG_AND_COOKIE';

/** Events of a {@link P4RuntimeClient}. */
export interface P4RuntimeClientEvents {
  /** Every arbitration update from the server (primary changes included). */
  arbitration: [ArbitrationState];
  packetIn: [PacketIn];
  digest: [DigestList];
  idleTimeout: [IdleTimeoutNotification];
  streamError: [StreamErrorEvent];
  /** Any stream message, raw (including `other` extensions). */
  streamMessage: [p4.v1.StreamMessageResponse];
  disconnect: [{ readonly error: P4RuntimeRpcError; readonly willRetry: boolean }];
  reconnect: [{ readonly attempts: number; readonly state: ArbitrationState }];
}

function channelCredentials(security: ChannelSecurity | undefined): grpc.ChannelCredentials {
  if (!security || security.type === 'insecure') return grpc.credentials.createInsecure();
  if (security.type === 'tls') return grpc.credentials.createSsl(security.rootCerts ?? null);
  return grpc.credentials.createSsl(security.rootCerts, security.privateKey, security.certChain);
}

/** Defaults of the Write channel (see {@link ConnectOptions.writeChannelOptions}). */
const WRITE_CHANNEL_DEFAULTS: grpc.ChannelOptions = {
  'grpc.use_local_subchannel_pool': 1,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 10_000,
};

function rpcError(rpc: string, error: grpc.ServiceError): P4RuntimeRpcError {
  return new P4RuntimeRpcError(rpc, error.code, error.details);
}

/**
 * A connection to one P4Runtime device (one device id, one role, one election id).
 *
 * @example
 * ```ts
 * const client = await P4RuntimeClient.connect({ address: '127.0.0.1:9559', deviceId: 0, electionId: 1n });
 * await client.setPipeline({ p4info: await loadP4Info('prog.p4info.txtpb'), deviceConfig: await loadDeviceConfig('prog.json') });
 * await client.insert([client.tableEntry('ingress.l2_fwd', { match: { vni: 5000, dst_mac: '02:00:00:00:00:01' }, action: 'to_remote', params: { tunnel_id: 7 } })]);
 * for await (const e of client.readTable('ingress.l2_fwd')) console.log(e.match, e.action, e.params);
 * ```
 */
export class P4RuntimeClient extends EventEmitter<P4RuntimeClientEvents> {
  /** The raw grpc-js stub, for calls this class does not wrap. */
  readonly stub: P4RuntimeStub;
  /** The stub Writes use: its own connection, with keepalive (see `writeChannelOptions`). */
  private readonly writeStub: P4RuntimeStub;
  readonly deviceId: bigint;
  readonly role: string | undefined;
  private readonly session: StreamSession;
  private electionIdValue: bigint;
  /** False for a client that does not arbitrate and was given no election id. */
  private readonly sendsElectionId: boolean;
  private codec: EntityCodec | undefined;
  private readonly decodeOptions: DecodeOptions | undefined;
  private readonly indexOptions: P4InfoIndexOptions | undefined;

  private constructor(options: ConnectOptions) {
    super();
    const channelOptions: grpc.ChannelOptions = { ...options.channelOptions };
    const security = options.security;
    if (security && security.type !== 'insecure' && security.serverNameOverride)
      channelOptions['grpc.ssl_target_name_override'] = security.serverNameOverride;
    const credentials = channelCredentials(security);
    this.stub = createP4RuntimeStub(options.address, credentials, channelOptions);
    this.writeStub = createP4RuntimeStub(options.address, credentials, {
      ...WRITE_CHANNEL_DEFAULTS,
      ...channelOptions,
      ...options.writeChannelOptions,
    });
    this.deviceId = BigInt(options.deviceId ?? 0);
    this.electionIdValue = BigInt(options.electionId ?? 1);
    this.role = options.role;
    this.decodeOptions = options.decode;
    this.indexOptions = options.indexOptions;
    if (options.p4info) this.bindP4Info(options.p4info);
    this.session = new StreamSession({
      stub: this.stub,
      deviceId: this.deviceId,
      electionId: this.electionIdValue,
      role: options.role,
      roleConfig: options.roleConfig,
      metadata: () => new grpc.Metadata(),
      reconnect: options.reconnect ?? {},
      arbitrate: options.arbitrate !== false,
    });
    this.sendsElectionId = options.arbitrate !== false || options.electionId !== undefined;
    this.session.on('arbitration', (state) => this.emit('arbitration', state));
    this.session.on('disconnect', (event) => this.emit('disconnect', event));
    this.session.on('reconnect', (event) => this.emit('reconnect', event));
    this.session.on('message', (message) => this.dispatch(message));
  }

  /**
   * Connects, opens the stream channel and performs arbitration. Resolves once the server
   * answered (as primary or backup; see `waitForPrimary`).
   */
  static async connect(options: ConnectOptions): Promise<P4RuntimeClient> {
    const client = new P4RuntimeClient(options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const started = Date.now();
    try {
      if (options.arbitrate === false) {
        await client.waitForChannel(timeoutMs);
        if (options.stream) await client.session.start(timeoutMs);
        return client;
      }
      // The session's own deadline covers a server that accepts the stream and never answers.
      await client.session.start(timeoutMs);
      if (options.waitForPrimary)
        await client.waitForPrimary(Math.max(0, timeoutMs - (Date.now() - started)));
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  // ------------------------------------------------------------------ arbitration

  /** True when the server last reported this client as primary. */
  get isPrimary(): boolean {
    return this.session.state?.isPrimary ?? false;
  }

  /** Last arbitration result. */
  get arbitration(): ArbitrationState | undefined {
    return this.session.state;
  }

  /** This client's election id. */
  get electionId(): bigint {
    return this.electionIdValue;
  }

  /** Changes the election id and re-arbitrates (e.g. a backup taking over). */
  setElectionId(electionId: bigint): void {
    this.electionIdValue = electionId;
    this.session.setElectionId(electionId);
  }

  /** Resolves when this client is primary; rejects after `timeoutMs`. */
  waitForPrimary(timeoutMs = 10_000): Promise<void> {
    if (this.isPrimary) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onUpdate = (state: ArbitrationState) => {
        if (!state.isPrimary) return;
        clearTimeout(timer);
        this.off('arbitration', onUpdate);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('arbitration', onUpdate);
        const state = this.session.state;
        reject(
          new NotPrimaryError(
            `not primary after ${timeoutMs} ms (primary election id ${state?.primaryElectionId ?? 'unknown'}, ours ${this.electionIdValue})`,
          ),
        );
      }, timeoutMs);
      this.on('arbitration', onUpdate);
    });
  }

  /** Resolves once the gRPC channel is connected; rejects (UNAVAILABLE) after `timeoutMs`. */
  waitForChannel(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stub.waitForReady(Date.now() + timeoutMs, (error) => {
        if (error)
          reject(
            new P4RuntimeRpcError('connect', grpc.status.UNAVAILABLE, `no connection after ${timeoutMs} ms`),
          );
        else resolve();
      });
    });
  }

  /**
   * Closes the stream, then the channels. Resolves once the server has ended the stream, so that
   * this client's election id is free again: a client connecting next with the same one (the
   * next run of a controller) is not turned away with "Election id already exists". `timeoutMs`
   * bounds the wait for a server that never ends the stream (the stream is then cancelled).
   */
  async close({ timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.session.close(timeoutMs);
    } finally {
      this.stub.close();
      this.writeStub.close();
    }
  }

  // ------------------------------------------------------------------ P4Info and builders

  /** Uses `p4info` for builders and decoding (done automatically by `setPipeline`). */
  bindP4Info(p4info: p4.config.v1.IP4Info | P4InfoIndex): P4InfoIndex {
    const index = p4info instanceof P4InfoIndex ? p4info : new P4InfoIndex(p4info, this.indexOptions);
    this.codec = new EntityCodec(index);
    return index;
  }

  /** The P4Info index in use; throws if none is bound yet. */
  get p4info(): P4InfoIndex {
    return this.entities.index;
  }

  /** Entity builders/decoders for the bound P4Info. */
  get entities(): EntityCodec {
    if (!this.codec)
      throw new EntityError(
        'no P4Info bound: call setPipeline(), loadPipelineFromDevice() or pass p4info to connect()',
      );
    return this.codec;
  }

  /** See {@link EntityCodec.tableEntry}. */
  tableEntry(table: string | number, spec?: TableEntrySpec): p4.v1.IEntity {
    return this.entities.tableEntry(table, spec);
  }
  /** See {@link EntityCodec.defaultEntry}. */
  defaultEntry(
    table: string | number,
    action?: string,
    params?: Readonly<Record<string, P4Value>>,
  ): p4.v1.IEntity {
    return this.entities.defaultEntry(table, action, params);
  }
  actionProfileMember(profile: string | number, spec?: ActionProfileMemberSpec): p4.v1.IEntity {
    return this.entities.actionProfileMember(profile, spec);
  }
  actionProfileGroup(profile: string | number, spec?: ActionProfileGroupSpec): p4.v1.IEntity {
    return this.entities.actionProfileGroup(profile, spec);
  }
  counterEntry(counter: string | number, spec?: CounterEntrySpec): p4.v1.IEntity {
    return this.entities.counterEntry(counter, spec);
  }
  directCounterEntry(table: string | number, entry?: TableEntrySpec, data?: CounterData): p4.v1.IEntity {
    return this.entities.directCounterEntry(table, entry, data);
  }
  meterEntry(meter: string | number, spec?: MeterEntrySpec): p4.v1.IEntity {
    return this.entities.meterEntry(meter, spec);
  }
  directMeterEntry(table: string | number, entry?: TableEntrySpec, config?: MeterConfig): p4.v1.IEntity {
    return this.entities.directMeterEntry(table, entry, config);
  }
  registerEntry(register: string | number, spec?: RegisterEntrySpec): p4.v1.IEntity {
    return this.entities.registerEntry(register, spec);
  }
  valueSetEntry(valueSet: string | number, spec?: ValueSetSpec): p4.v1.IEntity {
    return this.entities.valueSetEntry(valueSet, spec);
  }
  digestEntry(digest: string | number, config?: DigestConfig): p4.v1.IEntity {
    return this.entities.digestEntry(digest, config);
  }
  /** A multicast group (needs no P4Info). */
  multicastGroup(spec: MulticastGroupSpec): p4.v1.IEntity {
    return { packetReplicationEngineEntry: encodeMulticastGroup(spec) };
  }
  /** A clone session (needs no P4Info). */
  cloneSession(spec: CloneSessionSpec): p4.v1.IEntity {
    return { packetReplicationEngineEntry: encodeCloneSession(spec) };
  }

  // ------------------------------------------------------------------ capabilities and pipeline

  /** The server's P4Runtime API version (Capabilities RPC). */
  capabilities(timeoutMs = 10_000): Promise<{ apiVersion: string }> {
    return new Promise((resolve, reject) => {
      this.stub.capabilities(
        { deviceId: toLong(this.deviceId, true) },
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          if (error) reject(rpcError('Capabilities', error));
          else resolve({ apiVersion: response?.p4runtimeApiVersion ?? '' });
        },
      );
    });
  }

  /**
   * Installs (or verifies) a forwarding pipeline. Default action VERIFY_AND_COMMIT. When the
   * action commits and `p4info` is given, it becomes the P4Info used by the builders.
   */
  async setPipeline(
    config: PipelineConfig,
    action: PipelineAction = 'VERIFY_AND_COMMIT',
    timeoutMs = 60_000,
  ): Promise<void> {
    const request: p4.v1.ISetForwardingPipelineConfigRequest = {
      deviceId: toLong(this.deviceId, true),
      ...(this.sendsElectionId ? { electionId: toUint128(this.electionIdValue) } : {}),
      action: p4.v1.SetForwardingPipelineConfigRequest.Action[action],
      config: {
        ...(config.p4info ? { p4info: config.p4info } : {}),
        ...(config.deviceConfig ? { p4DeviceConfig: config.deviceConfig } : {}),
        ...(config.cookie !== undefined ? { cookie: { cookie: toLong(config.cookie, true, 'cookie') } } : {}),
      },
    };
    if (this.role !== undefined) request.role = this.role;
    await new Promise<void>((resolve, reject) => {
      this.stub.setForwardingPipelineConfig(
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error) => {
          if (error) reject(rpcError(`SetForwardingPipelineConfig(${action})`, error));
          else resolve();
        },
      );
    });
    if (
      config.p4info &&
      (action === 'VERIFY_AND_COMMIT' || action === 'COMMIT' || action === 'RECONCILE_AND_COMMIT')
    )
      this.bindP4Info(config.p4info);
  }

  /** Reads the installed pipeline. */
  getPipeline(responseType: PipelineResponseType = 'ALL', timeoutMs = 60_000): Promise<PipelineInfo> {
    const request: p4.v1.IGetForwardingPipelineConfigRequest = {
      deviceId: toLong(this.deviceId, true),
      responseType: p4.v1.GetForwardingPipelineConfigRequest.ResponseType[responseType],
    };
    return new Promise((resolve, reject) => {
      this.stub.getForwardingPipelineConfig(
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          if (error) return reject(rpcError('GetForwardingPipelineConfig', error));
          const c = response?.config;
          resolve({
            ...(c?.p4info ? { p4info: c.p4info as p4.config.v1.P4Info } : {}),
            ...(c?.p4DeviceConfig && c.p4DeviceConfig.length > 0 ? { deviceConfig: c.p4DeviceConfig } : {}),
            ...(c?.cookie ? { cookie: fromLong(c.cookie.cookie) } : {}),
          });
        },
      );
    });
  }

  /** Fetches the device's P4Info and binds it (to control a device configured by someone else). */
  async loadPipelineFromDevice(): Promise<P4InfoIndex> {
    const { p4info } = await this.getPipeline('P4INFO_AND_COOKIE');
    if (!p4info || (p4info.tables.length === 0 && p4info.actions.length === 0))
      throw new P4RuntimeError('device has no forwarding pipeline configured');
    return this.bindP4Info(p4info);
  }

  // ------------------------------------------------------------------ write

  /**
   * Sends updates (build them with {@link insert}/{@link modify}/{@link remove}). Large lists
   * are split and pipelined; failures throw a P4RuntimeWriteError naming each failed entity.
   * An update may carry its entity already encoded ({@link EncodedUpdate}).
   */
  write(updates: readonly WriteUpdate[], options?: WriteOptions): Promise<void> {
    const base: p4.v1.IWriteRequest = {
      deviceId: toLong(this.deviceId, true),
      ...(this.sendsElectionId ? { electionId: toUint128(this.electionIdValue) } : {}),
    };
    if (this.role !== undefined) base.role = this.role;
    return writeUpdates(
      {
        stub: this.writeStub,
        base,
        metadata: () => new grpc.Metadata(),
        describe: (e) => (this.codec ? this.codec.describe(e) : JSON.stringify(e)),
      },
      updates,
      options,
    );
  }

  /** INSERTs entities. */
  insert(entities: readonly p4.v1.IEntity[], options?: WriteOptions): Promise<void> {
    return this.write(updatesOf(p4.v1.Update.Type.INSERT, entities), options);
  }

  /** MODIFYs entities. */
  modify(entities: readonly p4.v1.IEntity[], options?: WriteOptions): Promise<void> {
    return this.write(updatesOf(p4.v1.Update.Type.MODIFY, entities), options);
  }

  /** DELETEs entities. */
  delete(entities: readonly p4.v1.IEntity[], options?: WriteOptions): Promise<void> {
    return this.write(updatesOf(p4.v1.Update.Type.DELETE, entities), options);
  }

  // ------------------------------------------------------------------ read

  /** Reads raw entities matching the given (possibly wildcard) entities. */
  readRaw(
    entities: p4.v1.IEntity | readonly p4.v1.IEntity[],
    options?: ReadOptions,
  ): AsyncGenerator<p4.v1.IEntity, void, undefined> {
    const request: p4.v1.IReadRequest = {
      deviceId: toLong(this.deviceId, true),
      entities: Array.isArray(entities) ? [...entities] : [entities as p4.v1.IEntity],
    };
    if (this.role !== undefined) request.role = this.role;
    return readEntities(this.stub, request, new grpc.Metadata(), options);
  }

  /**
   * Reads like {@link readRaw} but yields each ReadResponse as the bytes the server sent, for
   * callers that parse only what they need of a large read (p4.v1.ReadResponse.decode gives the rest).
   */
  readResponseBytes(
    entities: p4.v1.IEntity | readonly p4.v1.IEntity[],
    options?: ReadOptions,
  ): AsyncGenerator<Buffer, void, undefined> {
    const request: p4.v1.IReadRequest = {
      deviceId: toLong(this.deviceId, true),
      entities: Array.isArray(entities) ? [...entities] : [entities as p4.v1.IEntity],
    };
    if (this.role !== undefined) request.role = this.role;
    return readResponseBytes(this.stub, request, new grpc.Metadata(), options);
  }

  /**
   * Reads and decodes entities. Pass builder results as filters: e.g.
   * `client.tableEntry('ingress.fwd')` reads the whole table, `client.counterEntry('c')` every
   * cell of a counter, `{ tableEntry: {} }` every entry of every table.
   */
  async *read(
    entities: p4.v1.IEntity | readonly p4.v1.IEntity[],
    options?: ReadOptions & DecodeOptions,
  ): AsyncGenerator<DecodedEntity, void, undefined> {
    const codec = this.entities;
    const decode = { ...this.decodeOptions, ...options };
    for await (const entity of this.readRaw(entities, options)) yield codec.decode(entity, decode);
  }

  /** Reads entries of one table (all, or the one matching `spec.match`). */
  async *readTable(
    table: string | number,
    spec?: TableEntrySpec,
    options?: ReadOptions & DecodeOptions,
  ): AsyncGenerator<TableEntryData, void, undefined> {
    for await (const entity of this.read(this.tableEntry(table, spec), options))
      if (entity.kind === 'tableEntry') yield entity;
  }

  /** Collects a read into an array. */
  async readAll(
    entities: p4.v1.IEntity | readonly p4.v1.IEntity[],
    options?: ReadOptions & DecodeOptions,
  ): Promise<DecodedEntity[]> {
    const out: DecodedEntity[] = [];
    for await (const entity of this.read(entities, options)) out.push(entity);
    return out;
  }

  // ------------------------------------------------------------------ stream I/O

  /**
   * Sends a packet to the data plane; `metadata` fields are the `packet_out` controller
   * header's, by name (all of them required).
   */
  packetOut(payload: Uint8Array, metadata?: Readonly<Record<string, P4Value>>): void {
    this.session.send({ packet: encodePacketOut(this.codec?.index, payload, metadata) });
  }

  /** Acknowledges a digest list (also available as `list.ack()`). */
  ackDigest(digestId: number, listId: bigint): void {
    this.session.send({ digestAck: { digestId, listId: toLong(listId, true, 'digest list id') } });
  }

  /** Sends any stream message (e.g. an `other` extension). */
  sendStreamMessage(message: p4.v1.IStreamMessageRequest): void {
    this.session.send(message);
  }

  private dispatch(message: p4.v1.StreamMessageResponse): void {
    const index = this.codec?.index;
    try {
      if (message.packet) this.emit('packetIn', decodePacketIn(index, message.packet, this.decodeOptions));
      else if (message.digest) {
        const { digestId, listId } = message.digest;
        this.emit(
          'digest',
          decodeDigestList(
            index,
            message.digest,
            () => this.ackDigest(digestId ?? 0, fromLong(listId)),
            this.decodeOptions,
          ),
        );
      } else if (message.idleTimeoutNotification)
        this.emit(
          'idleTimeout',
          decodeIdleTimeout(index, message.idleTimeoutNotification, this.decodeOptions),
        );
      else if (message.error) this.emit('streamError', decodeStreamError(message.error));
    } catch (error) {
      // A message we cannot decode is reported like a stream error rather than crashing the session.
      this.emit('streamError', {
        code: google.rpc.Code.INTERNAL,
        codeName: 'INTERNAL',
        message: `could not decode stream message: ${(error as Error).message}`,
        space: 'client',
        targetCode: 0,
      });
    }
    this.emit('streamMessage', message);
  }
}
