/**
 * The BlueField profile of the embedded target: P4Runtime handlers that refuse what NVIDIA's DPL
 * P4Runtime server refuses (see bluefield-rules.ts for the rules and their source) and otherwise
 * delegate to the bmv2-like handlers. The server behaviour it stands for:
 * - one controller at a time, and no MasterArbitrationUpdate: the StreamChannel carries packet-in/out
 *   and idle-timeout notifications without election; a second StreamChannel is refused;
 * - Write: CONTINUE_ON_ERROR only, MODIFY only on default entries, a table of size N holds N-1
 *   regular entries; no replication, registers, action profiles, value sets, digests, externs;
 * - no Capabilities RPC; table and counter sizes powers of two below 2^23.
 * Election ids are ignored: with no arbitration there is no primary to compare them with.
 */
import type * as grpc from '@grpc/grpc-js';
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { Arbitration } from '../frontend/arbitration.js';
import {
  checkAtomicity,
  checkP4InfoSizes,
  checkReadEntity,
  checkRole,
  checkStreamRequest,
  checkUpdate,
  regularCapacity,
} from '../frontend/bluefield-rules.js';
import {
  type DeviceManager,
  ERROR_SPACE,
  PipelineAction,
  PipelineResponseType,
} from '../frontend/device-manager.js';
import { toBigInt } from '../frontend/pipeline.js';
import { arbitrationKey } from '../frontend/roles.js';
import { Code, P4RuntimeStatusError, statusError } from '../frontend/status.js';
import { plainStatus, statusOf, writeStatus } from './grpc-status.js';
import { MalformedRequest, type P4RuntimeHandlers } from './p4runtime-service.js';

/** Which P4Runtime server the embedded target behaves like. */
export type TargetProfile = 'bmv2' | 'bluefield';
export const TARGET_PROFILES: readonly TargetProfile[] = ['bmv2', 'bluefield'];

export interface BlueFieldProfileContext {
  readonly deviceId: bigint;
  readonly manager: DeviceManager;
  /** The map the device manager reaches the controller through (sendToPrimary). */
  readonly arbitrations: Map<string, Arbitration>;
}

type Send = (message: p4.v1.IStreamMessageResponse) => void;

/**
 * Stands in for PI's arbitration: the one open StreamChannel receives what the device manager sends
 * to "the primary", except digest lists, which the DPL server does not support.
 */
class SingleController extends Arbitration {
  private controller: Send | undefined;

  get connected(): boolean {
    return this.controller !== undefined;
  }

  attach(send: Send): void {
    this.controller = send;
  }

  detach(send: Send): void {
    if (this.controller === send) this.controller = undefined;
  }

  override sendToPrimary(message: p4.v1.IStreamMessageResponse): void {
    if (message.digest) return;
    this.controller?.(message);
  }
}

function asStatus(error: unknown): grpc.ServerErrorResponse {
  if (error instanceof P4RuntimeStatusError) return statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return statusOf(statusError(Code.INTERNAL, 'Internal error', message));
}

const errorOf = (e: P4RuntimeStatusError): p4.v1.IError => ({
  canonicalCode: e.code,
  message: e.message,
  space: ERROR_SPACE,
});

const UPDATE_INSERT = 1;
const UPDATE_DELETE = 3;

/** Wraps the bmv2-like handlers so that the target answers like the DPL P4Runtime server. */
export function blueFieldHandlers(
  base: P4RuntimeHandlers,
  context: BlueFieldProfileContext,
): P4RuntimeHandlers {
  const { deviceId, manager, arbitrations } = context;
  const single = new SingleController(deviceId);
  arbitrations.set(arbitrationKey(deviceId, ''), single);

  const noPipeline = (): grpc.ServerErrorResponse =>
    plainStatus(Code.FAILED_PRECONDITION, 'No forwarding pipeline config set for this device');

  const tableSizes = (): Map<number, number> => {
    const p4info = manager.getPipelineConfig(PipelineResponseType.P4INFO_AND_COOKIE).p4info;
    return new Map(
      (p4info?.tables ?? []).map((t) => [t.preamble?.id ?? 0, Number(toBigInt(t.size as number | null))]),
    );
  };

  const entriesIn = (tableId: number): number => {
    const { entities, error } = manager.read({ entities: [{ tableEntry: { tableId } }] });
    if (error) throw error;
    return entities.length;
  };

  /** Applies updates one by one (as CONTINUE_ON_ERROR does), holding each table to N-1 entries. */
  const applyUpdates = (updates: readonly p4.v1.IUpdate[]): p4.v1.IError[] => {
    const sizes = tableSizes();
    const counts = new Map<number, number>();
    const count = (id: number): number => {
      const known = counts.get(id);
      if (known !== undefined) return known;
      const n = entriesIn(id);
      counts.set(id, n);
      return n;
    };
    return updates.map((update) => {
      const refused = checkUpdate(update);
      if (refused) return errorOf(refused);
      const table = update.entity?.tableEntry;
      const id = table?.tableId ?? 0;
      const regular = table !== undefined && table !== null && !table.isDefaultAction && sizes.has(id);
      // Counted before the update applies, so that the count describes the table it meets.
      const before = regular ? count(id) : 0;
      if (regular && update.type === UPDATE_INSERT && before >= regularCapacity(sizes.get(id) ?? 0)) {
        return errorOf(
          statusError(
            Code.RESOURCE_EXHAUSTED,
            'Table is full',
            `table id ${id} of size ${sizes.get(id)} holds ${regularCapacity(sizes.get(id) ?? 0)} regular entries`,
          ),
        );
      }
      const [result] = manager.write({ updates: [update] });
      if (regular && (result.canonicalCode ?? 0) === Code.OK) {
        if (update.type === UPDATE_INSERT) counts.set(id, before + 1);
        else if (update.type === UPDATE_DELETE) counts.set(id, before - 1);
      }
      return result;
    });
  };

  return {
    ...base,

    write(call, callback) {
      const request = call.request;
      if (request instanceof MalformedRequest) return callback(request.status());
      if (toBigInt(request.deviceId) !== deviceId || !manager.hasPipeline) return callback(noPipeline());
      const refused = checkRole(request) ?? checkAtomicity(request);
      if (refused) return callback(statusOf(refused));
      try {
        const errors = applyUpdates(request.updates ?? []);
        if (errors.every((e) => (e.canonicalCode ?? 0) === Code.OK)) callback(null, {});
        else callback(writeStatus(errors));
      } catch (error) {
        callback(asStatus(error));
      }
    },

    read(call) {
      const request = call.request;
      if (!(request instanceof MalformedRequest)) {
        for (const entity of request.entities ?? []) {
          const refused = checkReadEntity(entity);
          if (refused) return void call.emit('error', statusOf(refused));
        }
      }
      base.read(call);
    },

    setForwardingPipelineConfig(call, callback) {
      const request = call.request;
      if (!(request instanceof MalformedRequest)) {
        if ((request.action ?? 0) !== PipelineAction.COMMIT) {
          const refused = checkP4InfoSizes(request.config?.p4info);
          if (refused) return callback(statusOf(refused));
        }
        request.electionId = null;
      }
      base.setForwardingPipelineConfig(call, callback);
    },

    capabilities(_call, callback) {
      callback(plainStatus(Code.UNIMPLEMENTED, 'Capabilities is not supported by the DPL P4Runtime server'));
    },

    streamChannel(call) {
      if (single.connected) {
        call.emit(
          'error',
          plainStatus(
            Code.RESOURCE_EXHAUSTED,
            'Only one P4 controller can be connected to the DPL runtime at a time',
          ),
        );
        return;
      }
      let closed = false;
      const send: Send = (message) => {
        if (!closed && call.writable) call.write(message);
      };
      const release = (): void => {
        closed = true;
        single.detach(send);
      };
      single.attach(send);
      call.on('data', (request: p4.v1.StreamMessageRequest | MalformedRequest) => {
        if (closed) return;
        const refused =
          request instanceof MalformedRequest
            ? request.status()
            : ((e) => (e ? plainStatus(e.code, e.message) : undefined))(checkStreamRequest(request));
        if (refused) {
          release();
          return void call.emit('error', refused);
        }
        if (request instanceof MalformedRequest) return;
        if (request.packet && manager.hasPipeline) manager.packetOut(request.packet);
      });
      call.on('end', () => {
        if (!closed) call.end();
        release();
      });
      call.on('error', release);
      call.on('cancelled', release);
    },
  };
}
