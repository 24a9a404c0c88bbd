/**
 * The StreamChannel session: opens the bidirectional stream, performs (and re-performs)
 * mastership arbitration, tracks whether this client is primary, and reopens the stream with
 * exponential backoff when it breaks.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { P4RuntimeError, P4RuntimeRpcError } from './errors.js';
import { google, type p4 } from './wire/generated/p4runtime.js';
import { fromUint128, toLong, toUint128 } from './wire/long.js';
import type { P4RuntimeStub } from './wire/p4runtime-service.js';

/** Result of an arbitration round, as last reported by the server. */
export interface ArbitrationState {
  /** True when the server granted this client the primary role for its role. */
  readonly isPrimary: boolean;
  /** This client's election id. */
  readonly electionId: bigint;
  /** Election id of the current primary (highest known), when the server reported one. */
  readonly primaryElectionId: bigint | undefined;
  /** Status code of the update: OK (primary), ALREADY_EXISTS (backup), NOT_FOUND (no primary). */
  readonly code: number;
  readonly message: string;
  readonly role: string;
}

/** Exponential backoff for re-opening the stream. */
export interface ReconnectPolicy {
  /** First delay, ms (default 250). */
  readonly initialDelayMs?: number;
  /** Cap on the delay, ms (default 10000). */
  readonly maxDelayMs?: number;
  /** Growth factor per attempt (default 2). */
  readonly multiplier?: number;
  /** Give up after this many consecutive failed attempts (default unlimited). */
  readonly maxAttempts?: number;
}

/** Events of a {@link StreamSession}. */
export interface StreamSessionEvents {
  arbitration: [ArbitrationState];
  message: [p4.v1.StreamMessageResponse];
  /** The stream broke; `willRetry` tells whether a reconnect is scheduled. */
  disconnect: [{ readonly error: P4RuntimeRpcError; readonly willRetry: boolean }];
  /** The stream was re-opened and arbitration re-done. */
  reconnect: [{ readonly attempts: number; readonly state: ArbitrationState }];
}

/** What a {@link StreamSession} needs: the stub and the identity it arbitrates with. */
export interface StreamSessionOptions {
  readonly stub: P4RuntimeStub;
  readonly deviceId: bigint;
  readonly electionId: bigint;
  readonly role?: string;
  readonly roleConfig?: google.protobuf.IAny;
  readonly metadata: () => grpc.Metadata;
  readonly reconnect: ReconnectPolicy | false;
  /**
   * Send MasterArbitrationUpdate (default true). `false` for servers without arbitration (NVIDIA's
   * DPL runtime on BlueField): the stream is ready once opened, and the one controller is primary.
   */
  readonly arbitrate?: boolean;
}

// Codes after which re-opening the stream cannot help (bad device id, election id in use...).
const FATAL_CODES = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNIMPLEMENTED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.UNAUTHENTICATED,
  grpc.status.ALREADY_EXISTS,
  grpc.status.OUT_OF_RANGE,
]);

/** How long {@link StreamSession.close} lets the server take to end the stream, ms. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** One controller's StreamChannel, kept open and arbitrated. */
export class StreamSession extends EventEmitter<StreamSessionEvents> {
  private call: grpc.ClientDuplexStream<p4.v1.IStreamMessageRequest, p4.v1.StreamMessageResponse> | undefined;
  private electionId: bigint;
  private closed = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private current: ArbitrationState | undefined;
  private arbitrated = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: StreamSessionOptions) {
    super();
    this.electionId = options.electionId;
  }

  /** Last arbitration result, undefined before the first one. */
  get state(): ArbitrationState | undefined {
    return this.current;
  }

  /** True while the stream is open and arbitrated. */
  get connected(): boolean {
    return this.call !== undefined && this.arbitrated;
  }

  /**
   * Opens the stream and resolves with the first arbitration result. Retries transient
   * failures (server not up yet) until `timeoutMs`; fatal statuses reject at once.
   */
  start(timeoutMs: number): Promise<ArbitrationState> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      let delay = this.options.reconnect === false ? 250 : (this.options.reconnect.initialDelayMs ?? 250);
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadlineTimer);
        outcome();
      };
      // The deadline covers the whole exchange: a server that accepts the stream and never answers
      // the arbitration must not hold `connect` forever.
      const deadlineTimer = setTimeout(() => {
        settle(() => {
          clearTimeout(this.retryTimer);
          const call = this.call;
          this.call = undefined;
          call?.cancel();
          reject(
            new P4RuntimeRpcError(
              'StreamChannel',
              grpc.status.DEADLINE_EXCEEDED,
              `no arbitration answer from the server within ${timeoutMs} ms`,
            ),
          );
        });
      }, timeoutMs);
      const attempt = () => {
        if (settled) return;
        if (this.closed) return settle(() => reject(new P4RuntimeError('client closed while connecting')));
        this.open(
          (state) => settle(() => resolve(state)),
          (error) => {
            if (settled) return;
            if (FATAL_CODES.has(error.code) || Date.now() + delay > deadline || this.closed)
              return settle(() => reject(error));
            this.retryTimer = setTimeout(attempt, delay);
            delay = Math.min(delay * 2, 5000);
          },
        );
      };
      attempt();
    });
  }

  /** Sends a stream message; throws when the stream is not open. */
  send(message: p4.v1.IStreamMessageRequest): void {
    if (!this.call || this.closed) throw new P4RuntimeError('stream channel is not connected');
    this.call.write(message);
  }

  /** Re-arbitrates with a new election id on the open stream (e.g. to take over as primary). */
  setElectionId(electionId: bigint): void {
    this.electionId = electionId;
    if (this.call && this.options.arbitrate !== false) this.call.write(this.arbitrationRequest());
  }

  /**
   * Closes the stream for good (no reconnect): half-closes it and resolves once the server has
   * ended it (its final status). A server releases the stream's election id before that status:
   * PI's StreamChannel handler drops the connection when its read loop ends, before it returns
   * (proto/server/pi_server.cpp, ConnectionStatus), so a new stream with the same election id is
   * accepted once this resolves. Cancelling instead would end the call on our side only, and a new
   * stream could reach the server before it noticed ("Election id already exists"). A server that
   * does not end the stream within `timeoutMs` (a safety net, not a wait) gets it cancelled.
   */
  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.closing) return this.closing;
    const call = this.call;
    this.call = undefined;
    if (!call) return Promise.resolve();
    this.closing = new Promise<void>((resolve) => {
      const timer = setTimeout(() => call.cancel(), timeoutMs);
      call.once('status', () => {
        clearTimeout(timer);
        resolve();
      });
      call.end();
    });
    return this.closing;
  }

  private arbitrationRequest(): p4.v1.IStreamMessageRequest {
    const { deviceId, role, roleConfig } = this.options;
    const arbitration: p4.v1.IMasterArbitrationUpdate = {
      deviceId: toLong(deviceId, true, 'device id'),
      electionId: toUint128(this.electionId),
    };
    if (role !== undefined || roleConfig !== undefined)
      arbitration.role = { name: role ?? '', ...(roleConfig ? { config: roleConfig } : {}) };
    return { arbitration };
  }

  /**
   * Opens one stream call. `onFirstArbitration` fires once the server answered the
   * arbitration; `onEarlyFailure` when the call ends before that.
   */
  private open(
    onFirstArbitration: (state: ArbitrationState) => void,
    onEarlyFailure: (error: P4RuntimeRpcError) => void,
  ): void {
    const call = this.options.stub.streamChannel(this.options.metadata());
    this.call = call;
    this.arbitrated = false;
    let answered = false;
    call.on('data', (message: p4.v1.StreamMessageResponse) => {
      if (message.arbitration) {
        const state = this.toState(message.arbitration);
        this.current = state;
        this.arbitrated = true;
        if (!answered) {
          answered = true;
          onFirstArbitration(state);
        }
        this.emit('arbitration', state);
      }
      this.emit('message', message);
    });
    // 'error' precedes 'status' for failed calls; handled via 'status' so it is never unhandled.
    call.on('error', () => {});
    call.on('status', (status: grpc.StatusObject) => {
      if (this.call === call) this.call = undefined;
      this.arbitrated = false;
      if (this.closed) return;
      const code = status.code === grpc.status.OK ? grpc.status.UNAVAILABLE : status.code;
      const error = new P4RuntimeRpcError(
        'StreamChannel',
        code,
        status.code === grpc.status.OK ? 'server closed the stream' : status.details,
      );
      if (!answered) {
        answered = true;
        onEarlyFailure(error);
        return;
      }
      this.scheduleReconnect(error);
    });
    if (this.options.arbitrate !== false) {
      call.write(this.arbitrationRequest());
      return;
    }
    // No arbitration: nothing answers, so the stream counts as ready (and us as the primary) at
    // once; a refusal (e.g. a second controller) arrives as a 'disconnect'.
    const state: ArbitrationState = {
      isPrimary: true,
      electionId: this.electionId,
      primaryElectionId: undefined,
      code: google.rpc.Code.OK,
      message: 'no arbitration',
      role: '',
    };
    this.current = state;
    this.arbitrated = true;
    answered = true;
    onFirstArbitration(state);
  }

  private scheduleReconnect(error: P4RuntimeRpcError): void {
    const policy = this.options.reconnect;
    const willRetry =
      policy !== false &&
      !FATAL_CODES.has(error.code) &&
      (policy.maxAttempts === undefined || this.attempts < policy.maxAttempts);
    this.emit('disconnect', { error, willRetry });
    if (!willRetry || !policy) return;
    const initial = policy.initialDelayMs ?? 250;
    const delay = Math.min(policy.maxDelayMs ?? 10_000, initial * (policy.multiplier ?? 2) ** this.attempts);
    // Jitter (+-20%) keeps a fleet of controllers from reconnecting in lock-step.
    const jittered = delay * (0.8 + Math.random() * 0.4);
    this.attempts++;
    this.retryTimer = setTimeout(() => {
      if (this.closed) return;
      this.open(
        (state) => {
          const attempts = this.attempts;
          this.attempts = 0;
          this.emit('reconnect', { attempts, state });
        },
        (failure) => this.scheduleReconnect(failure),
      );
    }, jittered);
  }

  private toState(update: p4.v1.IMasterArbitrationUpdate): ArbitrationState {
    const code = update.status?.code ?? google.rpc.Code.OK;
    return {
      isPrimary: code === google.rpc.Code.OK,
      electionId: this.electionId,
      primaryElectionId: update.electionId ? fromUint128(update.electionId) : undefined,
      code,
      message: update.status?.message ?? '',
      role: update.role?.name ?? '',
    };
  }
}
