/**
 * Digests, in two stages like simple_switch_grpc:
 * 1. bmv2's learn engine buffers the samples of a learn list (dropping a sample already in the
 *    buffer) and emits the buffer when it holds `max_list_size` samples (1024 when 0) or, with a
 *    non-zero `max_timeout_ns`, that long after its first sample.
 * 2. PI's digest manager turns each emitted buffer into a DigestList: with `ack_timeout_ns` > 0 it
 *    suppresses samples sent in a list not yet acknowledged (until acked or the timeout sweeps them);
 *    lists go out at once when `max_timeout_ns` is 0, otherwise from a periodic sweep.
 * Lists go to the primary controller only; DigestListAck clears the suppression of its samples.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { hex, toCanonical } from './bytestrings.js';
import type { DigestModel } from './p4info-model.js';
import { longField, type PipelineContext, toBigInt, updateKind } from './pipeline.js';
import { alreadyExists, invalidArgument, notFound, unimplemented } from './status.js';

/** Shortest sweep period PI uses for both timeouts. */
const MIN_SWEEP_NS = 100_000_000n;
const DEFAULT_MAX_SAMPLES = 1024;

interface SentList {
  readonly cacheKeys: string[];
  timeoutBit: boolean;
}

class DigestState {
  config: p4.v1.IDigestEntry | undefined;
  // bmv2 learn engine stage.
  learnBuffer: Uint8Array[] = [];
  learnFilter = new Set<string>();
  learnTimer: NodeJS.Timeout | undefined;
  // PI stage.
  readonly cache = new Set<string>();
  current: { samples: Uint8Array[]; cacheKeys: string[] } = { samples: [], cacheKeys: [] };
  readonly sent = new Map<bigint, SentList>();
  nextListId = 1n;
  timeoutBit = false;
  maxTimeoutSweep: NodeJS.Timeout | undefined;
  ackTimeoutSweep: NodeJS.Timeout | undefined;

  constructor(readonly model: DigestModel) {}

  get maxListSize(): number {
    return this.config?.config?.maxListSize ?? 0;
  }
  get maxTimeoutNs(): bigint {
    return toBigInt(this.config?.config?.maxTimeoutNs);
  }
  get ackTimeoutNs(): bigint {
    return toBigInt(this.config?.config?.ackTimeoutNs);
  }

  stopTimers(): void {
    clearTimeout(this.learnTimer);
    clearInterval(this.maxTimeoutSweep);
    clearInterval(this.ackTimeoutSweep);
    this.learnTimer = undefined;
    this.maxTimeoutSweep = undefined;
    this.ackTimeoutSweep = undefined;
  }
}

function sweepPeriodMs(ns: bigint): number {
  return Number((ns < MIN_SWEEP_NS ? MIN_SWEEP_NS : ns) / 1_000_000n);
}

export class DigestManager {
  private readonly digests = new Map<number, DigestState>();
  private readonly byName = new Map<string, DigestState>();

  constructor(
    ctx: PipelineContext,
    /** Delivers a stream message to the primary controller (dropped when there is none). */
    private readonly send: (message: p4.v1.IStreamMessageResponse) => void,
  ) {
    for (const model of ctx.model.digests.values()) {
      const state = new DigestState(model);
      this.digests.set(model.id, state);
      this.byName.set(model.name, state);
    }
  }

  /** Stops every timer (pipeline replaced or server stopping). */
  close(): void {
    for (const state of this.digests.values()) state.stopTimers();
  }

  private state(id: number | null | undefined): DigestState {
    const state = this.digests.get(id ?? 0);
    if (!state) throw notFound(`${id ?? 0} is not a valid digest id`);
    if (state.model.unsupportedReason)
      throw notFound(`${id ?? 0} is not a valid digest id`, state.model.unsupportedReason);
    return state;
  }

  write(type: number | null | undefined, entry: p4.v1.IDigestEntry): void {
    const state = this.state(entry.digestId);
    let kind: ReturnType<typeof updateKind>;
    try {
      kind = updateKind(type);
    } catch {
      throw invalidArgument('Invalid update type for DigestEntry', `digest '${state.model.name}'`);
    }
    const id = state.model.id;
    if (kind === 'INSERT') {
      if (state.config)
        throw alreadyExists(`Digest ${id} already configured`, `digest '${state.model.name}'`);
      this.configure(state, entry);
    } else if (kind === 'MODIFY') {
      if (!state.config) throw notFound(`Digest ${id} not configured`, `digest '${state.model.name}'`);
      this.configure(state, entry);
    } else {
      if (!state.config) throw notFound(`Digest ${id} not configured`, `digest '${state.model.name}'`);
      this.reset(state);
    }
  }

  read(request: p4.v1.IDigestEntry, out: p4.v1.IEntity[]): void {
    if (!request.digestId) throw unimplemented('digest_id must be set when reading DigestEntry');
    const state = this.state(request.digestId);
    if (!state.config)
      throw notFound(`Digest ${state.model.id} not configured`, `digest '${state.model.name}'`);
    out.push({ digestEntry: state.config });
  }

  /** DigestListAck from the primary: the list's samples may be sent again. */
  ack(ack: p4.v1.IDigestListAck): void {
    const state = this.digests.get(ack.digestId ?? 0);
    const listId = toBigInt(ack.listId);
    const list = state?.sent.get(listId);
    if (!state || !list) return;
    for (const key of list.cacheKeys) state.cache.delete(key);
    state.sent.delete(listId);
  }

  /** A sample from the data plane (learn list named like the digest). */
  learn(listName: string, sample: Uint8Array): void {
    const state = this.byName.get(listName);
    // Until a DigestEntry configures the digest, PI drops whatever the learn engine emits.
    if (!state?.config || !state.model.layout) return;
    const key = hex(sample);
    if (state.learnFilter.has(key)) return;
    state.learnFilter.add(key);
    state.learnBuffer.push(Uint8Array.from(sample));
    const maxSamples = state.maxListSize === 0 ? DEFAULT_MAX_SAMPLES : state.maxListSize;
    const timeoutMs = Number(state.maxTimeoutNs / 1_000_000n);
    if (state.learnBuffer.length >= maxSamples) this.flushLearnBuffer(state);
    else if (state.learnBuffer.length === 1 && timeoutMs > 0) {
      state.learnTimer = setTimeout(() => this.flushLearnBuffer(state), timeoutMs);
      state.learnTimer.unref();
    }
  }

  private configure(state: DigestState, entry: p4.v1.IDigestEntry): void {
    state.config = { digestId: state.model.id, config: { ...(entry.config ?? {}) } };
    clearInterval(state.maxTimeoutSweep);
    clearInterval(state.ackTimeoutSweep);
    state.maxTimeoutSweep = undefined;
    state.ackTimeoutSweep = undefined;
    if (state.maxTimeoutNs > 0n) {
      state.maxTimeoutSweep = setInterval(() => this.sendIfNeeded(state), sweepPeriodMs(state.maxTimeoutNs));
      state.maxTimeoutSweep.unref();
    }
    if (state.ackTimeoutNs > 0n) {
      state.ackTimeoutSweep = setInterval(() => this.expireUnacked(state), sweepPeriodMs(state.ackTimeoutNs));
      state.ackTimeoutSweep.unref();
    }
  }

  private reset(state: DigestState): void {
    state.stopTimers();
    state.config = undefined;
    state.learnBuffer = [];
    state.learnFilter.clear();
    state.cache.clear();
    state.sent.clear();
    state.current = { samples: [], cacheKeys: [] };
    state.timeoutBit = false;
  }

  /** bmv2 learn engine emits its buffer; PI's digest manager takes it (PI's `learn`). */
  private flushLearnBuffer(state: DigestState): void {
    clearTimeout(state.learnTimer);
    state.learnTimer = undefined;
    const samples = state.learnBuffer;
    state.learnBuffer = [];
    state.learnFilter.clear();
    if (!state.config) return;
    let added = false;
    for (const sample of samples) {
      if (state.ackTimeoutNs > 0n) {
        const key = hex(sample);
        if (state.cache.has(key)) continue;
        state.cache.add(key);
        state.current.cacheKeys.push(key);
      }
      state.current.samples.push(sample);
      added = true;
    }
    if (!added) return;
    const listFull = state.maxListSize !== 0 && state.current.cacheKeys.length >= state.maxListSize;
    if (listFull || state.maxTimeoutNs === 0n) this.sendList(state);
  }

  private sendIfNeeded(state: DigestState): void {
    if (state.current.samples.length === 0) return;
    if (!state.timeoutBit) {
      state.timeoutBit = true;
      return;
    }
    this.sendList(state);
  }

  private expireUnacked(state: DigestState): void {
    for (const [listId, list] of state.sent) {
      if (!list.timeoutBit) {
        list.timeoutBit = true;
        continue;
      }
      for (const key of list.cacheKeys) state.cache.delete(key);
      state.sent.delete(listId);
    }
  }

  private sendList(state: DigestState): void {
    const listId = state.nextListId++;
    const data = state.current.samples.map((s) => this.p4DataOf(state.model, s));
    if (state.current.cacheKeys.length > 0)
      state.sent.set(listId, { cacheKeys: state.current.cacheKeys, timeoutBit: false });
    state.current = { samples: [], cacheKeys: [] };
    state.timeoutBit = false;
    this.send({
      digest: {
        digestId: state.model.id,
        listId: longField(listId, true),
        data,
        timestamp: longField(process.hrtime.bigint()),
      },
    });
  }

  /** PI's type-spec converters: members take whole bytes each, values are sent canonical. */
  private p4DataOf(model: DigestModel, sample: Uint8Array): p4.v1.IP4Data {
    const layout = model.layout!;
    const members: Uint8Array[] = [];
    let offset = 0;
    for (const width of layout.widths) {
      const n = (width + 7) >> 3;
      members.push(toCanonical(sample.subarray(offset, offset + n)));
      offset += n;
    }
    if (layout.kind === 'bitstring') return { bitstring: members[0] };
    const structLike = { members: members.map((bitstring) => ({ bitstring })) };
    return layout.kind === 'struct' ? { struct: structLike } : { tuple: structLike };
  }
}
