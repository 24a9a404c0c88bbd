/**
 * The P4Runtime state of one device (PI's DeviceMgr): the forwarding pipeline config and every
 * entity written through Write, served against a {@link Device}. Arbitration is not handled here
 * (see arbitration.ts); this class trusts its caller to have checked who may write.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { collectGarbage } from '../../../collect-garbage.js';
import type { Device, DeviceConfig } from '../device/device.js';
import { ActionProfileManager } from './action-profiles.js';
import { BindingError, checkBinding } from './binding.js';
import { CommonTableWrite } from './common-write.js';
import { buildPacketOut, parsePacketIn } from './controller-packets.js';
import { CounterMeterManager } from './counters-meters.js';
import { DigestManager } from './digests.js';
import { IdleTimeoutMonitor } from './idle-timeout.js';
import { emptyObjectList } from './object-list.js';
import { P4InfoModel, P4InfoModelError } from './p4info-model.js';
import { type PipelineContext, UpdateType } from './pipeline.js';
import { PreManager } from './pre.js';
import { ReadResponseWriter } from './read-encoder.js';
import { RegisterManager } from './registers.js';
import {
  Code,
  P4RuntimeStatusError,
  statusError,
  toStatusError,
  unimplemented,
  unknownError,
} from './status.js';
import { TableManager } from './tables.js';
import { ValueSetManager } from './value-sets.js';
import { warmUpWrites } from './warm-up.js';

/** p4.v1.SetForwardingPipelineConfigRequest.Action */
export const PipelineAction = {
  UNSPECIFIED: 0,
  VERIFY: 1,
  VERIFY_AND_SAVE: 2,
  VERIFY_AND_COMMIT: 3,
  COMMIT: 4,
  RECONCILE_AND_COMMIT: 5,
} as const;

/** p4.v1.GetForwardingPipelineConfigRequest.ResponseType */
export const PipelineResponseType = {
  ALL: 0,
  COOKIE_ONLY: 1,
  P4INFO_AND_COOKIE: 2,
  DEVICE_CONFIG_AND_COOKIE: 3,
} as const;

/** How PacketOut failures are reported back on the stream (PI's server config; off by default). */
export type StreamErrorReporting = 'disabled' | 'enabled' | 'detailed';

/** Updates applied between two yields to the event loop (see {@link DeviceManager.writeInSlices}). */
export const WRITE_SLICE_UPDATES = 1000;

/** The result of every applied update: one shared, read-only record rather than one per update. */
const UPDATE_OK: p4.v1.IError = Object.freeze({ canonicalCode: Code.OK });

/** Error space PI puts in p4.v1.Error and StreamError. */
export const ERROR_SPACE = 'ALL-sswitch-p4org';

export interface DeviceManagerOptions {
  readonly device: Device;
  /** Port connected to the controller (0 disables packet I/O, as bmv2's `--cpu-port 0`). */
  readonly cpuPort: number;
  /** Delivers a stream message to the primary controller (dropped when there is none). */
  readonly sendToPrimary: (message: p4.v1.IStreamMessageResponse) => void;
  /** Injects a packet-out frame on the CPU port of the data plane. */
  readonly injectOnCpuPort: (frame: Uint8Array) => void;
  /** Ageing sweep period (bmv2 default 1000 ms). */
  readonly ageingSweepMs?: number;
  readonly streamErrorReporting?: StreamErrorReporting;
  /** Called each time a pipeline starts processing packets (commit). */
  readonly onActivated?: () => void;
  /** Table writes to exercise on a scratch copy of every program installed (see {@link WarmUp}). */
  readonly warmUp?: WarmUp;
  /**
   * INSERTs of the common kind take their own path (tables.ts `insertCommonWrite`, of what the Write decoder gives as common-write.ts CommonTableWrite; the default). False:
   * every INSERT takes the general one (the tests compare the two).
   */
  readonly commonInsert?: boolean;
  /**
   * Collect garbage (a full collection) at the end of each SetForwardingPipelineConfig that
   * installs a program, so that the major collection the load's heap growth would start is paid by
   * the load rather than by the first writes (src/collect-garbage.ts). Default false.
   */
  readonly collectGarbageOnLoad?: boolean;
}

/**
 * Table INSERTs ({@link warmUpWrites}) applied, when a program is installed, to a private copy of
 * it on the device ({@link Device.scratchControl}) and dropped: nothing of them is visible, and the
 * first real writes find the write path compiled by V8. The cost is part of
 * SetForwardingPipelineConfig's time.
 */
export interface WarmUp {
  /** How many INSERTs (0: none). */
  readonly updates: number;
  /** WriteRequest batch size (as clients send them). */
  readonly perRequest: number;
  /**
   * What the request goes through before it is applied: the gRPC layer encodes and decodes it, so
   * that its decoder is exercised too.
   */
  readonly roundTrip: (request: p4.v1.IWriteRequest) => p4.v1.IWriteRequest;
}

/** Everything tied to one installed P4Info + device config. */
class InstalledPipeline {
  readonly tables: TableManager;
  readonly profiles: ActionProfileManager;
  readonly resources: CounterMeterManager;
  readonly pre: PreManager;
  readonly registers: RegisterManager;
  readonly valueSets: ValueSetManager;
  readonly digests: DigestManager;
  readonly idle: IdleTimeoutMonitor;

  constructor(
    readonly ctx: PipelineContext,
    readonly p4info: p4.config.v1.IP4Info,
    readonly deviceConfig: Uint8Array,
    readonly cookie: p4.v1.ForwardingPipelineConfig.ICookie | undefined,
    send: (message: p4.v1.IStreamMessageResponse) => void,
    ageingSweepMs: number,
    commonInsert: boolean,
  ) {
    this.profiles = new ActionProfileManager(ctx);
    this.tables = new TableManager(ctx, this.profiles, commonInsert);
    this.resources = new CounterMeterManager(ctx, this.tables);
    this.pre = new PreManager(ctx);
    this.registers = new RegisterManager(ctx);
    this.valueSets = new ValueSetManager(ctx);
    this.digests = new DigestManager(ctx, send);
    this.idle = new IdleTimeoutMonitor(this.tables, send, ageingSweepMs);
  }

  close(): void {
    this.digests.close();
    this.idle.close();
  }
}

/** Result of a Read: the entities gathered before an error, and the error if any. */
export interface ReadResult {
  readonly entities: p4.v1.IEntity[];
  readonly error: P4RuntimeStatusError | undefined;
}

/** A Read's answer as ReadResponse bytes ({@link DeviceManager.readEncoded}). */
export interface EncodedReadResult {
  readonly responses: Buffer[];
  readonly error: P4RuntimeStatusError | undefined;
}

export class DeviceManager {
  private pipeline: InstalledPipeline | undefined;
  /** True once a SetForwardingPipelineConfig was received (PI then answers Get with an empty config). */
  private configRequested = false;
  private readonly ageingSweepMs: number;
  private readonly streamErrorReporting: StreamErrorReporting;

  constructor(private readonly options: DeviceManagerOptions) {
    this.ageingSweepMs = options.ageingSweepMs ?? 1000;
    this.streamErrorReporting = options.streamErrorReporting ?? 'disabled';
  }

  /** True when a pipeline is installed (Write/Read/PacketOut need one). */
  get hasPipeline(): boolean {
    return this.pipeline !== undefined;
  }

  /** True once any SetForwardingPipelineConfig was received. */
  get hasConfigState(): boolean {
    return this.configRequested;
  }

  close(): void {
    this.pipeline?.close();
  }

  // ---------------------------------------------------------------- pipeline config

  setPipelineConfig(action: number, config: p4.v1.IForwardingPipelineConfig | null | undefined): void {
    this.configRequested = true;
    if (action === PipelineAction.UNSPECIFIED)
      throw statusError(Code.INVALID_ARGUMENT, 'Invalid SetForwardingPipeline action');
    if (action === PipelineAction.COMMIT) {
      if (!this.options.device.activate()) {
        throw unknownError(
          'Error in second phase of device update',
          'no config was saved with VERIFY_AND_SAVE',
        );
      }
      this.options.onActivated?.();
      return;
    }
    if (
      action !== PipelineAction.VERIFY &&
      action !== PipelineAction.VERIFY_AND_SAVE &&
      action !== PipelineAction.VERIFY_AND_COMMIT &&
      action !== PipelineAction.RECONCILE_AND_COMMIT
    ) {
      throw statusError(Code.INVALID_ARGUMENT, 'Invalid SetForwardingPipeline action', `${action}`);
    }
    const p4info = config?.p4info ?? {};
    let model: P4InfoModel;
    try {
      model = new P4InfoModel(p4info);
    } catch (error) {
      if (error instanceof P4InfoModelError || error instanceof P4RuntimeStatusError) {
        throw unknownError('Error when importing p4info', error.message);
      }
      throw error;
    }
    const deviceBytes = config?.p4DeviceConfig ?? new Uint8Array(0);
    let deviceConfig: DeviceConfig;
    try {
      deviceConfig = this.options.device.parseConfig(deviceBytes);
    } catch (error) {
      throw unknownError(
        'Error in first phase of device update',
        error instanceof Error ? error.message : String(error),
      );
    }
    try {
      checkBinding(model, deviceConfig.info);
    } catch (error) {
      if (error instanceof BindingError)
        throw statusError(Code.INVALID_ARGUMENT, 'P4Info does not match the device config', error.message);
      throw error;
    }
    if (action === PipelineAction.VERIFY) return;
    if (this.options.device.hasStagedConfig) {
      throw unknownError(
        'Error in first phase of device update',
        'a config saved with VERIFY_AND_SAVE is waiting for COMMIT',
      );
    }
    const saved = action === PipelineAction.RECONCILE_AND_COMMIT ? this.forwardingState() : [];
    const activate = action !== PipelineAction.VERIFY_AND_SAVE;
    // Before the real instance is made: its objects then start with the shapes V8 settled on.
    this.warmUp(model, deviceConfig);
    try {
      this.options.device.install(deviceConfig, activate);
    } catch (error) {
      // The device kept its previous program, and so does the server.
      throw unknownError(
        'Error in first phase of device update',
        error instanceof Error ? error.message : String(error),
      );
    }
    const control = this.options.device.control;
    if (!control) throw statusError(Code.INTERNAL, 'Device has no control plane after install');
    this.pipeline?.close();
    this.pipeline = new InstalledPipeline(
      { model, info: deviceConfig.info, control },
      p4info,
      Uint8Array.from(deviceBytes),
      config?.cookie ?? undefined,
      (message) => this.options.sendToPrimary(message),
      this.ageingSweepMs,
      this.options.commonInsert ?? true,
    );
    if (saved.length > 0) {
      const failed = this.writeUpdates(saved).find((e) => (e.canonicalCode ?? 0) !== Code.OK);
      if (failed) throw unknownError('Error when reconciling config', failed.message ?? '');
    }
    if (this.options.collectGarbageOnLoad) collectGarbage();
    if (activate) this.options.onActivated?.();
  }

  /**
   * `updates` warm-up INSERTs ({@link WarmUp}) on a scratch instance of `config`, which is neither
   * installed nor visible: for a server to warm its write path when it starts, on a program of its
   * own, before any controller pushes one (the compiled code serves every program's writes; what a
   * program's own key widths need is compiled at its first writes). Throws what
   * SetForwardingPipelineConfig would refuse the config with.
   */
  warmUpOn(config: p4.v1.IForwardingPipelineConfig, updates: number): void {
    const model = new P4InfoModel(config.p4info ?? {});
    const deviceConfig = this.options.device.parseConfig(config.p4DeviceConfig ?? new Uint8Array(0));
    checkBinding(model, deviceConfig.info);
    this.warmUp(model, deviceConfig, updates);
  }

  /** Applies {@link DeviceManagerOptions.warmUp} to a scratch copy of the program just installed. */
  private warmUp(
    model: P4InfoModel,
    deviceConfig: DeviceConfig,
    count = this.options.warmUp?.updates ?? 0,
  ): void {
    const options = this.options.warmUp;
    const device = this.options.device;
    if (!options || count <= 0 || !device.scratchControl) return;
    const scratchPipeline = (): InstalledPipeline =>
      new InstalledPipeline(
        { model, info: deviceConfig.info, control: device.scratchControl!(deviceConfig) },
        model.p4info,
        new Uint8Array(0),
        undefined,
        () => {},
        this.ageingSweepMs,
        this.options.commonInsert ?? true,
      );
    const writes = warmUpWrites(model, count, options.perRequest);
    // The last quarter goes to a second fresh instance: the compiled code then meets a new
    // instance's objects (as the real one's will be) while warming up, not at the first real write.
    const second = Math.ceil((writes.updates * 3) / 4);
    let applied = 0;
    let switched = false;
    let scratch = scratchPipeline();
    try {
      for (const request of writes.requests) {
        if (applied >= second && !switched) {
          scratch.close();
          scratch = scratchPipeline();
          switched = true;
        }
        const updates = options.roundTrip(request).updates ?? [];
        for (const update of updates) this.writeUpdate(scratch, update);
        // Deleted again: the scratch instance stays small (no collector work for entries nobody
        // will read), and the DELETE path is warmed too.
        for (const update of updates)
          this.writeUpdate(scratch, { type: UpdateType.DELETE, entity: update.entity });
        applied += updates.length;
      }
    } finally {
      scratch.close();
    }
  }

  getPipelineConfig(responseType: number): p4.v1.IForwardingPipelineConfig {
    const p = this.pipeline;
    if (!p) return {};
    const out: p4.v1.IForwardingPipelineConfig = {};
    switch (responseType) {
      case PipelineResponseType.ALL:
        out.p4info = p.p4info;
        out.p4DeviceConfig = p.deviceConfig;
        break;
      case PipelineResponseType.COOKIE_ONLY:
        break;
      case PipelineResponseType.P4INFO_AND_COOKIE:
        out.p4info = p.p4info;
        break;
      case PipelineResponseType.DEVICE_CONFIG_AND_COOKIE:
        out.p4DeviceConfig = p.deviceConfig;
        break;
      default:
        throw statusError(
          Code.INVALID_ARGUMENT,
          'Invalid response_type in GetForwardingPipelineConfigRequest',
          `${responseType}`,
        );
    }
    if (p.cookie) out.cookie = p.cookie;
    return out;
  }

  /** The state RECONCILE_AND_COMMIT replays, as Write updates, dependencies first. */
  private forwardingState(): p4.v1.IUpdate[] {
    const p = this.pipeline;
    if (!p) return [];
    const INSERT = 1;
    const MODIFY = 2;
    const updates: p4.v1.IUpdate[] = [];
    const read = (
      entity: p4.v1.IEntity,
      type: number,
      keep: (e: p4.v1.IEntity) => boolean = () => true,
    ): void => {
      const { entities, error } = this.read({ entities: [entity] });
      if (error) throw unknownError('Error when reconciling config', error.message);
      for (const e of entities) if (keep(e)) updates.push({ type, entity: e });
    };
    read({ actionProfileMember: {} }, INSERT);
    read({ actionProfileGroup: {} }, INSERT);
    for (const tableEntry of p.tables.snapshot()) updates.push({ type: INSERT, entity: { tableEntry } });
    read({ meterEntry: {} }, MODIFY, (e) => e.meterEntry?.config != null);
    read({ counterEntry: {} }, MODIFY);
    read({ packetReplicationEngineEntry: { multicastGroupEntry: {} } }, INSERT);
    read({ packetReplicationEngineEntry: { cloneSessionEntry: {} } }, INSERT);
    read({ registerEntry: {} }, MODIFY);
    read({ valueSetEntry: {} }, MODIFY);
    for (const model of p.ctx.model.digests.values()) {
      const { entities } = this.read({ entities: [{ digestEntry: { digestId: model.id } }] });
      for (const e of entities) updates.push({ type: INSERT, entity: e });
    }
    return updates;
  }

  // ---------------------------------------------------------------- write

  /**
   * Applies a Write batch. Throws for request-level errors; otherwise returns one p4.v1.Error per
   * update (canonical code OK for those applied).
   */
  write(request: p4.v1.IWriteRequest): p4.v1.IError[] {
    if ((request.atomicity ?? 0) !== 0) {
      throw unimplemented(
        'Support for atomic write modes has not been implemented yet',
        `atomicity ${request.atomicity}`,
      );
    }
    return this.writeUpdates(request.updates ?? []);
  }

  /**
   * {@link write} in slices of `sliceSize` updates, yielding to the event loop between slices so
   * that a batch of 100,000 updates does not hold every other client (PI serves requests on a
   * thread pool). Updates after a pipeline change in the middle fail with ABORTED.
   */
  async writeInSlices(
    request: p4.v1.IWriteRequest,
    sliceSize = WRITE_SLICE_UPDATES,
  ): Promise<p4.v1.IError[]> {
    if ((request.atomicity ?? 0) !== 0) return this.write(request);
    const updates = request.updates ?? [];
    const p = this.requirePipeline();
    const errors = emptyObjectList<p4.v1.IError>();
    for (let start = 0; start < updates.length; start += sliceSize) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(updates.length, start + sliceSize);
      if (this.pipeline !== p) {
        for (let i = start; i < end; i++)
          errors.push({
            canonicalCode: Code.ABORTED,
            message: 'The forwarding pipeline changed while this Write was applied',
            space: ERROR_SPACE,
          });
        continue;
      }
      this.writeSlice(p, updates, start, end, errors);
    }
    return errors;
  }

  /**
   * Applies `updates[start..end)`, their results pushed to `errors`. A plain function of its own:
   * as the loop of the async {@link writeInSlices}, it made V8 compile that whole async function
   * (on-stack replacement) in the first writes after a pipeline load.
   */
  private writeSlice(
    p: InstalledPipeline,
    updates: readonly p4.v1.IUpdate[],
    start: number,
    end: number,
    errors: p4.v1.IError[],
  ): void {
    for (let i = start; i < end; i++) errors.push(this.writeUpdate(p, updates[i]));
  }

  private writeUpdates(updates: readonly p4.v1.IUpdate[]): p4.v1.IError[] {
    const p = this.requirePipeline();
    return updates.map((update) => this.writeUpdate(p, update));
  }

  private writeUpdate(p: InstalledPipeline, update: p4.v1.IUpdate): p4.v1.IError {
    try {
      this.writeOne(p, update);
      return UPDATE_OK;
    } catch (error) {
      const e = toStatusError(error, 'Error when applying update');
      const detail: p4.v1.IError = { canonicalCode: e.code, message: e.message, space: ERROR_SPACE };
      if (e.targetCode !== undefined) detail.code = e.targetCode;
      return detail;
    }
  }

  private writeOne(p: InstalledPipeline, update: p4.v1.IUpdate): void {
    // A common INSERT as the Write decoder leaves it (common-write.ts): no messages asked of it.
    if (update instanceof CommonTableWrite) {
      p.tables.writeCommon(update);
      return;
    }
    const e = update.entity;
    const type = update.type;
    if (!e) throw unknownError('Incorrect entity type', 'the update has no entity');
    if (e.tableEntry) p.tables.write(type, e.tableEntry);
    else if (e.actionProfileMember) p.profiles.writeMember(type, e.actionProfileMember);
    else if (e.actionProfileGroup) p.profiles.writeGroup(type, e.actionProfileGroup);
    else if (e.meterEntry) p.resources.writeMeter(type, e.meterEntry);
    else if (e.directMeterEntry) p.resources.writeDirectMeter(type, e.directMeterEntry);
    else if (e.counterEntry) p.resources.writeCounter(type, e.counterEntry);
    else if (e.directCounterEntry) p.resources.writeDirectCounter(type, e.directCounterEntry);
    else if (e.packetReplicationEngineEntry) p.pre.write(type, e.packetReplicationEngineEntry);
    else if (e.valueSetEntry) p.valueSets.write(type, e.valueSetEntry);
    else if (e.registerEntry) p.registers.write(type, e.registerEntry);
    else if (e.digestEntry) p.digests.write(type, e.digestEntry);
    else if (e.externEntry)
      throw unimplemented('No extern support yet', `extern type ${e.externEntry.externTypeId ?? 0}`);
    else throw unknownError('Incorrect entity type', 'the entity is empty');
  }

  // ---------------------------------------------------------------- read

  /** Reads entities in order; stops at the first error (entities gathered so far are kept). */
  read(request: p4.v1.IReadRequest): ReadResult {
    this.requirePipeline();
    const entities: p4.v1.IEntity[] = [];
    const error = this.readEntities(request.entities ?? [], {
      entities: (e, kind) => kind.read(e, entities),
      other: (read) => read(entities),
    });
    return { entities, error };
  }

  /**
   * {@link read} as the ReadResponse messages' bytes, at most `chunkEntities` entities each (the
   * same entities in the same order; table entries encoded without building their messages).
   */
  readEncoded(request: p4.v1.IReadRequest, chunkEntities: number): EncodedReadResult {
    this.requirePipeline();
    const writer = new ReadResponseWriter(chunkEntities);
    const error = this.readEntities(request.entities ?? [], {
      entities: (e, kind) => kind.readEncoded(e, writer),
      other: (read) => {
        const entities: p4.v1.IEntity[] = [];
        try {
          read(entities);
        } finally {
          // Entities gathered before an error are answered, as by read().
          for (const e of entities) writer.entity(e);
        }
      },
    });
    return { responses: writer.finish(), error };
  }

  private readEntities(
    requests: readonly p4.v1.IEntity[],
    into: {
      entities(request: p4.v1.ITableEntry, tables: TableManager): void;
      other(read: (out: p4.v1.IEntity[]) => void): void;
    },
  ): P4RuntimeStatusError | undefined {
    const p = this.requirePipeline();
    for (const e of requests) {
      try {
        if (e.tableEntry) into.entities(e.tableEntry, p.tables);
        else
          into.other((entities) => {
            if (e.actionProfileMember) p.profiles.readMembers(e.actionProfileMember, entities);
            else if (e.actionProfileGroup) p.profiles.readGroups(e.actionProfileGroup, entities);
            else if (e.meterEntry) p.resources.readMeters(e.meterEntry, entities);
            else if (e.directMeterEntry) p.resources.readDirectMeters(e.directMeterEntry, entities);
            else if (e.counterEntry) p.resources.readCounters(e.counterEntry, entities);
            else if (e.directCounterEntry) p.resources.readDirectCounters(e.directCounterEntry, entities);
            else if (e.packetReplicationEngineEntry) p.pre.read(e.packetReplicationEngineEntry, entities);
            else if (e.valueSetEntry) p.valueSets.read(e.valueSetEntry, entities);
            else if (e.registerEntry) p.registers.read(e.registerEntry, entities);
            else if (e.digestEntry) p.digests.read(e.digestEntry, entities);
            else if (e.externEntry)
              throw unknownError('Incorrect entity type', 'extern entries cannot be read');
            else throw unknownError('Incorrect entity type', 'the entity is empty');
          });
      } catch (error) {
        return toStatusError(error, 'Error when reading from target');
      }
    }
    return undefined;
  }

  private requirePipeline(): InstalledPipeline {
    if (!this.pipeline)
      throw statusError(Code.FAILED_PRECONDITION, 'No forwarding pipeline config set for this device');
    return this.pipeline;
  }

  // ---------------------------------------------------------------- stream

  /** PacketOut from the primary: injected on the CPU port with the packet_out header in front. */
  packetOut(packet: p4.v1.IPacketOut): void {
    const p = this.pipeline;
    if (!p) return;
    let frame: Uint8Array;
    try {
      frame = buildPacketOut(p.ctx.model.controllerHeaders.get('packet_out'), packet);
      if (this.options.cpuPort === 0)
        throw unknownError('Unknown error when target sending packet-out', 'no CPU port is configured');
    } catch (error) {
      this.reportStreamError(toStatusError(error, 'Unknown error when target sending packet-out'), packet);
      return;
    }
    this.options.injectOnCpuPort(frame);
  }

  private reportStreamError(error: P4RuntimeStatusError, packet: p4.v1.IPacketOut): void {
    if (this.streamErrorReporting === 'disabled') return;
    this.options.sendToPrimary({
      error: {
        canonicalCode: error.code,
        message: error.message,
        space: ERROR_SPACE,
        packetOut: this.streamErrorReporting === 'detailed' ? { packetOut: packet } : {},
      },
    });
  }

  /** A frame the device sent to the CPU port: becomes a PacketIn for the primary. */
  packetIn(frame: Uint8Array): void {
    const p = this.pipeline;
    if (!p) return;
    const packet = parsePacketIn(p.ctx.model.controllerHeaders.get('packet_in'), frame);
    if (packet) this.options.sendToPrimary({ packet });
  }

  digestAck(ack: p4.v1.IDigestListAck): void {
    this.pipeline?.digests.ack(ack);
  }

  /** A digest sample from the data plane. */
  learn(list: string, sample: Uint8Array): void {
    this.pipeline?.digests.learn(list, sample);
  }

  /** Forces an ageing sweep now (tests, tools). */
  sweepIdleEntries(): void {
    this.pipeline?.idle.sweep();
  }
}
