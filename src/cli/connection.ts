/**
 * Where and how genevectl reaches a device: options from flags, then environment variables
 * (GENEVECTL_GRPC...), then a config file, then defaults; TLS and mutual TLS; a timeout on every
 * device operation with messages that name what timed out. Reads connect without arbitration
 * (P4Runtime serves Read and GetForwardingPipelineConfig to any client); writes arbitrate and say
 * who is primary when they are not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Command } from 'commander';
import {
  type ChannelSecurity,
  type P4InfoIndex,
  P4RuntimeClient,
  P4RuntimeRpcError,
} from 'p4runtime-ts-grpc';
import { parse as parseYaml } from 'yaml';
import { refusedError, unreachableError, usageError } from './errors.js';
import { addressOption } from './options.js';
import { note } from './output.js';

/** Connection flags as commander hands them over (all optional: env and config fill the gaps). */
export interface DeviceFlags {
  grpc?: string;
  deviceId?: string;
  electionId?: string;
  role?: string;
  tls?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  timeout?: string;
  config?: string;
}

/** A complete connection description. */
export interface ResolvedConnection {
  readonly address: string;
  readonly deviceId: bigint;
  readonly electionId: bigint;
  readonly role: string | undefined;
  readonly security: ChannelSecurity;
  /** Timeout of each device operation, ms. */
  readonly timeoutMs: number;
}

export const DEFAULTS = { grpc: '127.0.0.1:9559', deviceId: '1', electionId: '1', timeout: '10' } as const;

/** Adds the connection options to a command that talks to a device. */
export function addDeviceOptions(cmd: Command): Command {
  // Listed under their own heading in --help, after the command's own options.
  return cmd
    .optionsGroup('Connection options (docs/CLI.md):')
    .option('--grpc <addr>', `P4Runtime server host:port [env GENEVECTL_GRPC, default ${DEFAULTS.grpc}]`)
    .option('--device-id <n>', `P4Runtime device id [env GENEVECTL_DEVICE_ID, default ${DEFAULTS.deviceId}]`)
    .option(
      '--election-id <n>',
      `election id for writes; the highest is primary [env GENEVECTL_ELECTION_ID, default ${DEFAULTS.electionId}]`,
    )
    .option('--role <name>', 'P4Runtime role (default: the default role) [env GENEVECTL_ROLE]')
    .option('--tls', 'use TLS (server certificate checked against --ca or the system roots)')
    .option('--ca <file>', 'CA certificate (PEM) for the server [env GENEVECTL_CA]')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS [env GENEVECTL_CERT]')
    .option('--key <file>', 'client private key (PEM) for mutual TLS [env GENEVECTL_KEY]')
    .option('--server-name <name>', 'expected server name in its certificate (TLS)')
    .option(
      '--timeout <seconds>',
      `limit for each device operation [env GENEVECTL_TIMEOUT, default ${DEFAULTS.timeout}]`,
    )
    .option(
      '--config <file>',
      'config file (YAML) [env GENEVECTL_CONFIG, default ~/.config/genevectl/config.yaml]',
    )
    .optionsGroup('Options:');
}

interface ConfigFile {
  grpc?: string;
  deviceId?: number | string;
  electionId?: number | string;
  role?: string;
  timeout?: number | string;
  tls?: { ca?: string; cert?: string; key?: string; serverName?: string } | boolean;
}

function defaultConfigPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'genevectl', 'config.yaml');
}

function loadConfig(explicit: string | undefined): { config: ConfigFile; dir: string } {
  const file = explicit ?? process.env.GENEVECTL_CONFIG;
  const path = file ?? defaultConfigPath();
  if (!file && !existsSync(path)) return { config: {}, dir: process.cwd() };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read config file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`,
    );
  }
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (error) {
    throw usageError(`config file ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (config === null || config === undefined) return { config: {}, dir: dirname(resolve(path)) };
  if (typeof config !== 'object' || Array.isArray(config))
    throw usageError(`config file ${path}: expected a mapping of settings (grpc, deviceId, ...)`);
  const known = new Set(['grpc', 'deviceId', 'electionId', 'role', 'timeout', 'tls']);
  for (const key of Object.keys(config))
    if (!known.has(key))
      throw usageError(`config file ${path}: unknown setting '${key}' (known: ${[...known].join(', ')})`);
  return { config: config as ConfigFile, dir: dirname(resolve(path)) };
}

function whole(name: string, value: string, min: bigint, max: bigint): bigint {
  if (!/^\d+$/.test(value.trim())) throw usageError(`${name} must be a whole number, got '${value}'`);
  const n = BigInt(value.trim());
  if (n < min || n > max) throw usageError(`${name} must be ${min}..${max}, got '${value}'`);
  return n;
}

function pem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`,
    );
  }
}

/** Resolves flags, environment and config file into one connection description. */
export function resolveConnection(flags: DeviceFlags): ResolvedConnection {
  const { config, dir } = loadConfig(flags.config);
  const env = process.env;
  const pick = (flag: string | undefined, envName: string, fromConfig: unknown, fallback?: string) => {
    if (flag !== undefined) return flag;
    if (env[envName]) return env[envName];
    if (fromConfig !== undefined && fromConfig !== null) return String(fromConfig);
    return fallback;
  };
  const address = pick(flags.grpc, 'GENEVECTL_GRPC', config.grpc, DEFAULTS.grpc)!;
  try {
    addressOption(address);
  } catch {
    throw usageError(`bad P4Runtime address '${address}': expected host:port, e.g. 127.0.0.1:9559`);
  }
  const tlsConfig = typeof config.tls === 'object' ? config.tls : {};
  const inConfigDir = (p: string | undefined) => (p ? resolve(dir, p) : undefined);
  const ca = flags.ca ?? env.GENEVECTL_CA ?? inConfigDir(tlsConfig.ca);
  const cert = flags.cert ?? env.GENEVECTL_CERT ?? inConfigDir(tlsConfig.cert);
  const key = flags.key ?? env.GENEVECTL_KEY ?? inConfigDir(tlsConfig.key);
  const serverName = flags.serverName ?? tlsConfig.serverName;
  const tls = flags.tls === true || config.tls === true || ca !== undefined || cert !== undefined;
  if ((cert === undefined) !== (key === undefined))
    throw usageError('mutual TLS needs both --cert and --key');
  let security: ChannelSecurity = { type: 'insecure' };
  if (cert !== undefined && key !== undefined) {
    if (ca === undefined)
      throw usageError('mutual TLS needs --ca (the CA that signed the server certificate)');
    security = {
      type: 'mtls',
      rootCerts: pem(ca, 'CA certificate'),
      certChain: pem(cert, 'client certificate'),
      privateKey: pem(key, 'client key'),
      ...(serverName ? { serverNameOverride: serverName } : {}),
    };
  } else if (tls) {
    security = {
      type: 'tls',
      ...(ca ? { rootCerts: pem(ca, 'CA certificate') } : {}),
      ...(serverName ? { serverNameOverride: serverName } : {}),
    };
  }
  const timeout = pick(flags.timeout, 'GENEVECTL_TIMEOUT', config.timeout, DEFAULTS.timeout)!;
  const seconds = Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw usageError(`--timeout must be a number of seconds above 0, got '${timeout}'`);
  return {
    address,
    deviceId: whole(
      '--device-id',
      pick(flags.deviceId, 'GENEVECTL_DEVICE_ID', config.deviceId, DEFAULTS.deviceId)!,
      0n,
      2n ** 64n - 1n,
    ),
    electionId: whole(
      '--election-id',
      pick(flags.electionId, 'GENEVECTL_ELECTION_ID', config.electionId, DEFAULTS.electionId)!,
      1n,
      2n ** 128n - 1n,
    ),
    role: pick(flags.role, 'GENEVECTL_ROLE', config.role),
    security,
    timeoutMs: Math.round(seconds * 1000),
  };
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** A connected device, with the operations' timeout and error wording. */
export class Device {
  private index: P4InfoIndex | undefined;
  constructor(
    readonly client: P4RuntimeClient,
    readonly conn: ResolvedConnection,
    /** False for a device shared by the shell (closing it is the shell's job). */
    private readonly owned = true,
  ) {}

  /** `device 1 at 127.0.0.1:9559` */
  get where(): string {
    return `device ${this.conn.deviceId} at ${this.conn.address}`;
  }

  /**
   * Runs one device operation, turning deadline and transport failures into messages that
   * say what timed out or could not be reached.
   */
  async call<T>(what: string, operation: (timeoutMs: number) => Promise<T>): Promise<T> {
    try {
      return await operation(this.conn.timeoutMs);
    } catch (error) {
      throw explainRpcError(error, what, this.conn, this.where);
    }
  }

  /** The P4Info of the program the device runs (fetched once), bound to the client. */
  async p4info(): Promise<P4InfoIndex> {
    if (this.index) return this.index;
    const pipeline = await this.call('the forwarding pipeline (GetForwardingPipelineConfig)', (ms) =>
      this.client.getPipeline('P4INFO_AND_COOKIE', ms),
    ).catch((error: unknown) => {
      throw noPipelineError(error, this.where);
    });
    const p4info = pipeline.p4info;
    if (!p4info || (p4info.tables.length === 0 && p4info.actions.length === 0))
      throw refusedError(noPipelineText(this.where));
    this.index = this.client.bindP4Info(p4info);
    return this.index;
  }

  close(): void {
    if (this.owned) this.client.close();
  }
}

function noPipelineText(where: string): string {
  return `${where} has no P4 program: push one with 'genevectl pipeline push PROGRAM.json PROGRAM.p4info.txtpb' (or check --device-id)`;
}

function noPipelineError(error: unknown, where: string): unknown {
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof P4RuntimeRpcError && cause.code === GrpcStatus.FAILED_PRECONDITION)
    return refusedError(noPipelineText(where));
  return error;
}

/** Maps client errors to one-line messages with exit codes. */
export function explainRpcError(
  error: unknown,
  what: string,
  conn: ResolvedConnection,
  where: string,
): unknown {
  if (!(error instanceof P4RuntimeRpcError)) return error;
  let result: Error;
  switch (error.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      result = unreachableError(
        `timed out after ${seconds(conn.timeoutMs)} waiting for ${what} from ${where} (--timeout to wait longer)`,
      );
      break;
    case GrpcStatus.UNAVAILABLE:
      result = unreachableError(
        `cannot reach a P4Runtime server at ${conn.address} (${error.details}); is the switch running? (--grpc, GENEVECTL_GRPC)`,
      );
      break;
    case GrpcStatus.UNIMPLEMENTED:
      result = refusedError(`${where} does not implement ${what}: ${error.details}`);
      break;
    case GrpcStatus.PERMISSION_DENIED:
      result = refusedError(
        `${where} refused ${what}: ${error.details} (writes need the primary role: --election-id higher than the primary's)`,
      );
      break;
    default:
      result = refusedError(`${where} refused ${what}: ${error.message}`);
  }
  (result as { cause?: unknown }).cause = error;
  return result;
}

/** The connection the shell keeps open; commands run inside it reuse it. */
let shared: { reader?: Device; writer?: Device; flags: DeviceFlags } | undefined;

/** Makes later {@link openDevice} calls reuse connections (the interactive shell). */
export function shareConnections(flags: DeviceFlags | undefined): void {
  if (!flags) {
    shared?.reader?.client.close();
    shared?.writer?.client.close();
    shared = undefined;
  } else shared = { flags };
}

function hasConnectionFlags(flags: DeviceFlags): boolean {
  return (['grpc', 'deviceId', 'electionId', 'role', 'tls', 'ca', 'cert', 'key', 'config'] as const).some(
    (k) => flags[k] !== undefined,
  );
}

/**
 * Connects to the device. `write: false` connects without arbitration (reads, pipeline
 * queries); `write: true` arbitrates and fails, saying who is primary, unless this client is.
 * `stream: true` arbitrates without requiring the primary role (packet and digest watching).
 */
export async function openDevice(
  flags: DeviceFlags,
  mode: { write?: boolean; stream?: boolean } = {},
): Promise<Device> {
  const wantsStream = mode.write === true || mode.stream === true;
  if (shared && !hasConnectionFlags(flags)) {
    const merged = { ...shared.flags, ...(flags.timeout ? { timeout: flags.timeout } : {}) };
    const slot = wantsStream ? 'writer' : 'reader';
    const existing = shared[slot];
    if (existing) return existing;
    const device = await connectDevice(resolveConnection(merged), mode);
    const kept = new Device(device.client, device.conn, false);
    shared[slot] = kept;
    return kept;
  }
  return connectDevice(resolveConnection(flags), mode);
}

async function connectDevice(
  conn: ResolvedConnection,
  mode: { write?: boolean; stream?: boolean },
): Promise<Device> {
  const arbitrate = mode.write === true || mode.stream === true;
  const where = `device ${conn.deviceId} at ${conn.address}`;
  let client: P4RuntimeClient;
  try {
    client = await P4RuntimeClient.connect({
      address: conn.address,
      deviceId: conn.deviceId,
      electionId: conn.electionId,
      ...(conn.role !== undefined ? { role: conn.role } : {}),
      security: conn.security,
      reconnect: false,
      connectTimeoutMs: conn.timeoutMs,
      arbitrate,
    });
  } catch (error) {
    if (error instanceof P4RuntimeRpcError) {
      if (error.code === GrpcStatus.UNAVAILABLE || error.code === GrpcStatus.DEADLINE_EXCEEDED)
        throw unreachableError(
          `cannot connect to a P4Runtime server at ${conn.address} within ${seconds(conn.timeoutMs)}: ${error.details}; is the switch running there? (--grpc, GENEVECTL_GRPC, --timeout)`,
        );
      if (error.code === GrpcStatus.INVALID_ARGUMENT && /election id/i.test(error.details))
        throw refusedError(
          `election id ${conn.electionId} is already used by another client of ${where} (a controller, or a genevectl packet watch); choose another with --election-id`,
        );
      throw refusedError(`${where} refused the connection: ${error.message}`);
    }
    throw error;
  }
  const device = new Device(client, conn);
  if (mode.write) {
    const state = client.arbitration;
    if (!state?.isPrimary) {
      client.close();
      const primary = state?.primaryElectionId;
      throw refusedError(
        primary !== undefined
          ? `${where} is controlled by another client (primary election id ${primary}, ours ${conn.electionId}); writes need the primary role: to take over, run with --election-id ${primary + 1n} (that client becomes a backup)`
          : `${where} did not make this client primary (${state?.message ?? 'no arbitration answer'})`,
      );
    }
    if (conn.electionId > 1n)
      note(
        `genevectl: primary of ${where} with election id ${conn.electionId} (any client with a lower election id, such as a controller you took over from, is a backup now)`,
      );
  }
  return device;
}
