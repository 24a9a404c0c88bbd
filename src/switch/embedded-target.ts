/**
 * The embedded target as a process would run it (`genevectl target serve`): a P4Runtime server and,
 * optionally, bmv2's dataplane service, in front of a device (the embedded engine by default), with
 * an in-process API for tests and optional pcap files per port.
 */
import { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import { isIPv4, isIPv6 } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { p4 } from 'p4runtime-ts-grpc/wire';
import type { Device } from './p4runtime/device/device.js';
import { EngineDevice } from './p4runtime/device/engine-device.js';
import type { Arbitration } from './p4runtime/frontend/arbitration.js';
import { DeviceManager, type StreamErrorReporting } from './p4runtime/frontend/device-manager.js';
import { blueFieldHandlers, type TargetProfile } from './p4runtime/grpc/bluefield-profile.js';
import {
  createP4RuntimeHandlers,
  p4RuntimeServerDefinition,
  sendToPrimaries,
} from './p4runtime/grpc/p4runtime-service.js';
import { decodeWriteRequest } from './p4runtime/grpc/write-request.js';
import { PcapPorts } from './packet-io/pcap-ports.js';
import { Dataplane } from './packet-io/ports.js';
import { createDataplaneHandlers, dataplaneServerDefinition } from './packet-io/service.js';

export interface EmbeddedTargetOptions {
  /** P4Runtime listen address, `host:port` (port 0 picks a free one). Default `127.0.0.1:9559`. */
  readonly grpcAddress?: string;
  /** Address of bmv2's dataplane service (`--dp-grpc-server-addr`); not served when omitted. */
  readonly dataplaneAddress?: string;
  /** Port connected to the controller (packet-in/out); 0 disables it. Default 255. */
  readonly cpuPort?: number;
  /** Number of data ports (0..ports-1) given pcap files. Default 8. */
  readonly ports?: number;
  /** Device id answered for (bmv2 `--device-id`). Default 1. */
  readonly deviceId?: number | bigint;
  /** Directory of `port<N>_in.pcap` inputs and `port<N>_out.pcap` outputs (bmv2's `--use-files`). */
  readonly pcapDir?: string;
  /**
   * With `pcapDir`: replay the inputs this long after the first pipeline commit, leaving time to
   * write entries (like bmv2's `--use-files <wait>`). Default 1000; a negative value replays only on
   * {@link EmbeddedTarget.replayPcaps}.
   */
  readonly pcapReplayDelayMs?: number;
  /** Listen on non-loopback addresses (refused unless set, and then only with `tls`). */
  readonly allowNonLoopback?: boolean;
  /** Serve P4Runtime and the dataplane service over TLS (mutual TLS with `clientCa`). */
  readonly tls?: ServerTls;
  /**
   * HTTP/2 receive window of each P4Runtime connection and stream, bytes. Default
   * {@link RECEIVE_WINDOW_BYTES}; 65,535 (HTTP/2's initial window) or less leaves grpc-js's default.
   */
  readonly receiveWindowBytes?: number;
  /** Where non-fatal problems go (a pcap input skipped...). Default `console.warn`. */
  readonly onWarning?: (message: string) => void;
  /** Device to serve (default: a new {@link EngineDevice}). */
  readonly device?: Device;
  /** Idle-timeout sweep period in ms (bmv2 default 1000). */
  readonly ageingSweepMs?: number;
  /** PacketOut error reporting on the stream (PI default: disabled). */
  readonly streamErrorReporting?: StreamErrorReporting;
  /** P4Runtime server to behave like: bmv2's (default) or the BlueField DPL runtime's. */
  readonly profile?: TargetProfile;
  /**
   * Table INSERTs exercised on a scratch copy of each program installed, so that the first real
   * writes run compiled code (see `WarmUp` in frontend/device-manager.ts). Default 0 (none).
   */
  readonly warmUpWrites?: number;
  /**
   * A program (P4Info and bmv2 JSON) and a number of INSERTs to warm the write path with when the
   * target starts, on a scratch instance of it that nothing sees (see `DeviceManager.warmUpOn`):
   * the first real writes then run compiled code, and neither a pipeline push nor a write waits
   * for it. Default: none.
   */
  readonly warmUpAtStart?: { readonly config: p4.v1.IForwardingPipelineConfig; readonly updates: number };
  /**
   * A full garbage collection at the end of each pipeline load (see `collectGarbageOnLoad` in
   * frontend/device-manager.ts). Default false (`genevectl target serve --collect-at-load`).
   */
  readonly collectGarbageOnLoad?: boolean;
}

/**
 * {@link EmbeddedTargetOptions.warmUpWrites} of `genevectl target serve`: none. The warm-up makes
 * SetForwardingPipelineConfig slower than bmv2's and does not shorten push-then-write, so it is
 * asked for (`--warm-up-writes 10000`: enough calls for V8 to optimize the write path; 3,000 left
 * a third of the compilations to the first real writes). docs/ARCHITECTURE.md has the figures.
 */
export const DEFAULT_WARM_UP_WRITES = 0;

/** Updates per WriteRequest of the warm-up (the client's default batch). */
const WARM_UP_BATCH = 250;

/** TLS of the target's gRPC services, PEM-encoded. */
export interface ServerTls {
  /** Server certificate chain. */
  readonly cert: Buffer;
  readonly key: Buffer;
  /** CA that client certificates must chain to; when set, clients without one are refused (mTLS). */
  readonly clientCa?: Buffer;
}

/** What the target dropped to protect itself. */
export interface TargetStats {
  /** Packet-ins dropped because the primary controller did not read its stream fast enough. */
  readonly packetInsDropped: number;
}

/** A running embedded target. */
export interface EmbeddedTarget {
  /** Bound P4Runtime address, e.g. `127.0.0.1:41234`. */
  readonly grpcAddress: string;
  readonly grpcPort: number;
  /** Bound dataplane service address, when served. */
  readonly dataplaneAddress: string | undefined;
  readonly dataplanePort: number | undefined;
  readonly deviceId: bigint;
  readonly cpuPort: number;
  /** In-process packet I/O: inject frames, observe outputs. */
  readonly dataplane: Dataplane;
  /** P4Runtime state (for tools and tests: forced ageing sweeps, ...). */
  readonly manager: DeviceManager;
  readonly device: Device;
  /** Counters of what the target dropped to protect itself. */
  readonly stats: TargetStats;
  /** Device ids with arbitration state (those with a StreamChannel open). */
  arbitratedDeviceIds(): bigint[];
  /** Replays the pcap input files now; returns how many frames were injected. */
  replayPcaps(): number;
  /** Stops the servers and timers. */
  stop(): Promise<void>;
}

/** Time between the first commit and the pcap replay when none is given. */
const DEFAULT_PCAP_REPLAY_DELAY_MS = 1000;

/** PI's receive limit: pipelines and large writes exceed gRPC's 4 MB default. */
const MAX_RECEIVE_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Host part of `host:port` (IPv6 in brackets). */
function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(address);
  if (bracketed) return bracketed[1];
  const i = address.lastIndexOf(':');
  if (i <= 0 || !/^\d+$/.test(address.slice(i + 1))) throw new Error(`address '${address}' is not host:port`);
  return address.slice(0, i);
}

/**
 * First octet of an IPv4 address in any form inet_aton accepts with decimal parts (`127.1` is
 * 127.0.0.1, `2130706433` too); undefined when `host` is not one.
 */
function firstIPv4Octet(host: string): number | undefined {
  if (!/^\d+(\.\d+){0,3}$/.test(host)) return undefined;
  const parts = host.split('.').map(Number);
  // The last part fills the remaining bytes: a.b.c.d, a.b.c (16 bits), a.b (24 bits), a (32 bits).
  const lastBits = 8 * (5 - parts.length);
  if (parts.slice(0, -1).some((p) => p > 255) || parts[parts.length - 1] >= 2 ** lastBits) return undefined;
  return parts.length === 1 ? Math.floor(parts[0] / 2 ** 24) : parts[0];
}

/** True for `localhost`, 127.0.0.0/8 in any inet_aton form, `::1` and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIPv6(host)) {
    const lower = host.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped !== null && isIPv4(mapped[1]) && firstIPv4Octet(mapped[1]) === 127;
  }
  return firstIPv4Octet(host) === 127;
}

/** A listening address the target refuses (not loopback, or not loopback without TLS). */
export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

function checkAddress(address: string, what: string, allowNonLoopback: boolean, tls: boolean): void {
  const host = hostOf(address);
  if (isLoopbackHost(host)) return;
  if (!allowNonLoopback)
    throw new ListenAddressError(
      `${what} address '${address}' is not a loopback address; listening on '${host}' needs allowNonLoopback (--allow-non-loopback) and TLS`,
    );
  if (!tls)
    throw new ListenAddressError(
      `${what} address '${address}' is not a loopback address; listening on '${host}' needs TLS (--tls-cert and --tls-key)`,
    );
}

function serverCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ private_key: tls.key, cert_chain: tls.cert }],
    tls.clientCa !== undefined,
  );
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

function boundAddress(address: string, port: number): string {
  const host = hostOf(address);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Lets in-flight calls finish briefly; long-lived streams are then cancelled. */
const SHUTDOWN_GRACE_MS = 100;

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The HTTP/2 receive window of each P4Runtime connection (and of each stream on it), bytes:
 * larger than the 1 MiB pipeline a controller pushes, so that a push and the Writes in flight
 * reach the target without waiting for WINDOW_UPDATEs, i.e. for turns of the controller's event
 * loop (RFC 9113 6.9; grpc-js's server keeps nghttp2's 65,535 and has no option for it). What a
 * client may send unread is bounded by this per connection.
 */
export const RECEIVE_WINDOW_BYTES = 4 * 2 ** 20;
/** HTTP/2's initial window (RFC 9113 6.9.2), which nghttp2 keeps unless told otherwise. */
const DEFAULT_WINDOW_BYTES = 65_535;

/** The HTTP/2 servers of a grpc-js Server (private to grpc-js: `http2Servers`, keyed by server). */
function http2ServersOf(server: grpc.Server): EventEmitter[] {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return [];
  return [...servers.keys()].filter((s): s is EventEmitter => s instanceof EventEmitter);
}

/**
 * Gives every connection `server` accepts from now on a receive window of `bytes` (connection:
 * nghttp2_session_set_local_window_size; streams: SETTINGS_INITIAL_WINDOW_SIZE). False, and
 * the default window kept, when grpc-js's HTTP/2 servers are not where this looks for them
 * (test/switch/receive-window.test.ts checks they are, from channelz).
 */
function widenReceiveWindows(server: grpc.Server, bytes: number): boolean {
  const servers = http2ServersOf(server);
  for (const h of servers)
    h.on('session', (session: Http2Session) => {
      if (session.destroyed) return;
      try {
        session.setLocalWindowSize(bytes);
        session.settings({ initialWindowSize: bytes });
      } catch {
        // (A session closing meanwhile: it keeps the default window.)
      }
    });
  return servers.length > 0;
}

/** Starts the embedded target; resolves once the servers listen. */
export async function startEmbeddedTarget(options: EmbeddedTargetOptions = {}): Promise<EmbeddedTarget> {
  const grpcAddress = options.grpcAddress ?? '127.0.0.1:9559';
  const allow = options.allowNonLoopback ?? false;
  checkAddress(grpcAddress, 'P4Runtime', allow, options.tls !== undefined);
  if (options.dataplaneAddress)
    checkAddress(options.dataplaneAddress, 'dataplane', allow, options.tls !== undefined);
  const credentials = serverCredentials(options.tls);
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const deviceId = BigInt(options.deviceId ?? 1);
  const cpuPort = options.cpuPort ?? 255;
  const ports = options.ports ?? 8;
  if (!Number.isInteger(cpuPort) || cpuPort < 0 || cpuPort > 511)
    throw new Error(`cpuPort ${cpuPort} must be an integer in 0..511`);
  if (!Number.isInteger(ports) || ports < 0 || ports > 512)
    throw new Error(`ports ${ports} must be an integer in 0..512`);

  const device = options.device ?? new EngineDevice();
  const arbitrations = new Map<string, Arbitration>();
  let pcap: PcapPorts | undefined;
  let replayTimer: NodeJS.Timeout | undefined;
  let replayScheduled = false;
  const replayDelayMs = options.pcapReplayDelayMs ?? DEFAULT_PCAP_REPLAY_DELAY_MS;
  const scheduleReplay = (): void => {
    if (replayScheduled || !pcap || replayDelayMs < 0) return;
    replayScheduled = true;
    replayTimer = setTimeout(() => {
      try {
        pcap?.replay();
      } catch (error) {
        warn(`pcap replay failed: ${(error as Error).message}`);
      }
    }, replayDelayMs);
  };
  const managerRef: { current?: DeviceManager } = {};
  const dataplane = new Dataplane({
    device,
    cpuPort,
    toController: (frame) => managerRef.current?.packetIn(frame),
  });
  const manager = new DeviceManager({
    device,
    cpuPort,
    sendToPrimary: (message) => sendToPrimaries(arbitrations, deviceId, message),
    injectOnCpuPort: (frame) => dataplane.inject(cpuPort, frame),
    ageingSweepMs: options.ageingSweepMs,
    streamErrorReporting: options.streamErrorReporting,
    onActivated: scheduleReplay,
    collectGarbageOnLoad: options.collectGarbageOnLoad ?? false,
    warmUp: {
      updates: options.warmUpWrites ?? 0,
      perRequest: WARM_UP_BATCH,
      // Through the same bytes a client would send, decoded as the Write handler's requests are.
      roundTrip: (request) => decodeWriteRequest(p4.v1.WriteRequest.encode(request).finish()),
    },
  });
  managerRef.current = manager;
  if (options.warmUpAtStart) manager.warmUpOn(options.warmUpAtStart.config, options.warmUpAtStart.updates);
  device.setListener({
    transmit: (port, frame, packetId) => dataplane.deliver(port, frame, packetId),
    learn: (list, sample) => manager.learn(list, sample),
  });
  if (options.pcapDir) pcap = new PcapPorts(dataplane, options.pcapDir, ports, warn);

  const stats = { packetInsDropped: 0 };
  const serverOptions = { 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES };
  const p4rtServer = new grpc.Server(serverOptions);
  const handlers = createP4RuntimeHandlers({
    deviceId,
    manager,
    arbitrations,
    onPacketInDropped: () => {
      stats.packetInsDropped++;
    },
  });
  p4rtServer.addService(
    p4RuntimeServerDefinition,
    options.profile === 'bluefield'
      ? blueFieldHandlers(handlers, { deviceId, manager, arbitrations })
      : handlers,
  );
  let grpcPort: number;
  try {
    grpcPort = await bind(p4rtServer, grpcAddress, credentials);
    const receiveWindow = options.receiveWindowBytes ?? RECEIVE_WINDOW_BYTES;
    if (receiveWindow > DEFAULT_WINDOW_BYTES && !widenReceiveWindows(p4rtServer, receiveWindow))
      warn(
        `P4Runtime: the HTTP/2 receive window stays at ${DEFAULT_WINDOW_BYTES} bytes (grpc-js's servers not found)`,
      );
  } catch (error) {
    pcap?.close();
    p4rtServer.forceShutdown();
    throw error;
  }

  let dpServer: grpc.Server | undefined;
  let dataplanePort: number | undefined;
  if (options.dataplaneAddress) {
    dpServer = new grpc.Server(serverOptions);
    dpServer.addService(dataplaneServerDefinition, createDataplaneHandlers({ deviceId, dataplane }));
    try {
      dataplanePort = await bind(dpServer, options.dataplaneAddress, credentials);
    } catch (error) {
      pcap?.close();
      p4rtServer.forceShutdown();
      throw error;
    }
  }

  return {
    grpcAddress: boundAddress(grpcAddress, grpcPort),
    grpcPort,
    dataplaneAddress:
      options.dataplaneAddress && dataplanePort !== undefined
        ? boundAddress(options.dataplaneAddress, dataplanePort)
        : undefined,
    dataplanePort,
    deviceId,
    cpuPort,
    dataplane,
    manager,
    device,
    stats,
    arbitratedDeviceIds: () => [...new Set([...arbitrations.values()].map((a) => a.deviceId))],
    replayPcaps: () => pcap?.replay() ?? 0,
    async stop() {
      clearTimeout(replayTimer);
      manager.close();
      pcap?.close();
      await Promise.all([shutdown(p4rtServer), dpServer ? shutdown(dpServer) : Promise.resolve()]);
    },
  };
}
