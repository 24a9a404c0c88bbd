/**
 * The overlay controller across devices: loads a fabric, derives each device's view, and for each
 * device (in parallel) reads it, plans with the identifiers it already uses, checks capacity, and
 * writes the difference. `diff` is the same without the writes.
 */

import { readFileSync } from 'node:fs';
import { type ConnectOptions, type P4InfoIndex, P4RuntimeClient, P4RuntimeRpcError } from 'p4runtime-ts-grpc';
import { deriveFabric } from './derive.js';
import {
  connectOptionsForKind,
  type DeviceKind,
  entitiesForProfile,
  entitiesForProgram,
  intentForProfile,
  PROFILES,
  probeDeviceKind,
} from './device-profile.js';
import { entityKey, type ObservedEntity } from './device-state.js';
import {
  diffFromPrevious,
  type EncodedPlan,
  type EncodingMemo,
  encodePlanWithMemo,
} from './encoding-memo.js';
import type { DeviceSpec } from './fabric-schema.js';
import type { FabricIntent } from './intent.js';
import { type KeyedLookup, KeyedMap, type KeyedStore } from './keyed-map.js';
import type { LoadedFabric } from './load-fabric.js';
import { type Allocations, IntentError, type Plan, planFabric } from './plan.js';
import {
  foreignProgramMessage,
  p4infoIndexOf,
  programKey,
  programMismatch,
  readRunningProgram,
} from './program-check.js';
import { planPuntMeters } from './punt-meters.js';
import { WireObserved, WireSnapshot } from './read-wire.js';
import {
  type ApplyOptions,
  allocationsOf,
  allocationsOfWire,
  applyChanges,
  type Change,
  capacityProblems,
  type Diff,
  diffDevice,
  ForeignProgramError,
  observedOfWritten,
  type PipelineOutcome,
  pushProgram,
  readDeviceWire,
  vtepProgram,
} from './reconcile.js';
import { Turns } from './turns.js';
import { diffWireInSlices } from './wire-diff.js';

/** One device to reconcile: how to reach it and what it should hold. */
export interface DeviceTarget {
  name: string;
  connect: ConnectOptions;
  intent: FabricIntent;
  /**
   * Where the device is declared (`file:line: devices[i]: `), to prefix what the planner finds:
   * asked only then (a line of a large file read as fast data is found by reading it again with
   * positions, load-fabric.ts `lazyWhere`, and that document is kept for later messages).
   */
  where?: () => string;
  /** The P4Runtime server's kind (device-profile.ts); read from the device when omitted. */
  kind?: DeviceKind;
}

/**
 * The kind of a target's device: as the fabric file says, else what the program it runs says
 * (asked without arbitrating), else `bmv2`. An unreachable device fails here, as a connect would.
 */
export async function resolveDeviceKind(target: DeviceTarget): Promise<DeviceKind> {
  return target.kind ?? (await probeDeviceKind((o) => P4RuntimeClient.connect(o), target.connect)) ?? 'bmv2';
}

const UNIMPLEMENTED = 12; // google.rpc.Code
const INVALID_ARGUMENT = 3;

/**
 * The one line for a device that turned our stream away because another live stream holds our
 * election id (PI's DeviceState::add_connection: INVALID_ARGUMENT "Election id already exists").
 */
function electionIdInUse(connect: ConnectOptions, error: P4RuntimeRpcError): P4RuntimeRpcError {
  return new P4RuntimeRpcError(
    error.rpc,
    error.code,
    `election id ${connect.electionId ?? 1} is already in use on device ${connect.deviceId ?? 0} at ${connect.address} (another controller of the device has it, or a connection of ours the device has not ended yet): give this controller another electionId`,
  );
}

/**
 * HTTP/2 flow-control window of a device's channel: 16 MiB rather than 64 KiB, so that while the
 * controller plans one device (hundreds of milliseconds without reading a socket) the others go on
 * streaming their Read (about 10 MiB for 145,000 entries) instead of waiting for window updates.
 */
const READ_WINDOW = { 'grpc-node.flow_control_window': 16 * 2 ** 20 };

/** Connects to a target's device the way its kind requires (no arbitration on a BlueField DPU). */
export async function connectDevice(
  target: DeviceTarget,
  extra: Partial<ConnectOptions> = {},
): Promise<{ client: P4RuntimeClient; target: DeviceTarget & { kind: DeviceKind } }> {
  const kind = await resolveDeviceKind({ ...target, connect: { ...target.connect, ...extra } });
  try {
    const client = await P4RuntimeClient.connect(
      connectOptionsForKind(kind, {
        ...target.connect,
        ...extra,
        channelOptions: { ...READ_WINDOW, ...target.connect.channelOptions, ...extra.channelOptions },
      }),
    );
    return { client, target: { ...target, kind } };
  } catch (error) {
    if (
      error instanceof P4RuntimeRpcError &&
      error.rpc === 'StreamChannel' &&
      error.code === INVALID_ARGUMENT &&
      /election id already exists/i.test(error.details)
    )
      throw electionIdInUse({ ...target.connect, ...extra }, error);
    // A server without arbitration ends the stream UNIMPLEMENTED; the program did not say it is a
    // DPU (the emulation runs the bmv2 program, a fresh DPU none), so the file has to.
    if (
      kind === 'bmv2' &&
      error instanceof P4RuntimeRpcError &&
      error.rpc === 'StreamChannel' &&
      error.code === UNIMPLEMENTED
    )
      throw new P4RuntimeRpcError(
        error.rpc,
        error.code,
        `${error.details} (a server without arbitration, like a BlueField DPU's? declare the device \`kind: bluefield\`)`,
      );
    throw error;
  }
}

/** Connection of a fabric device, from its entry in the file. */
export function connectOptionsOf(d: DeviceSpec): ConnectOptions {
  const tls = d.tls;
  return {
    address: d.address,
    deviceId: d.deviceId,
    electionId: BigInt(d.electionId),
    ...(d.role !== undefined ? { role: d.role } : {}),
    ...(tls
      ? {
          security:
            tls.cert && tls.key
              ? {
                  type: 'mtls' as const,
                  rootCerts: readFileSync(tls.ca),
                  certChain: readFileSync(tls.cert),
                  privateKey: readFileSync(tls.key),
                }
              : { type: 'tls' as const, rootCerts: readFileSync(tls.ca) },
        }
      : {}),
    waitForPrimary: true,
  };
}

/**
 * The devices of a loaded fabric file. A single-VTEP file is one device reached with `fallback`
 * (the command line's --grpc, --device-id, --election-id).
 */
export function deviceTargets(loaded: LoadedFabric, fallback?: ConnectOptions): DeviceTarget[] {
  if (loaded.format === 'single-vtep') {
    if (!fallback) throw new IntentError([`${loaded.file}: a single-VTEP file needs the device's address`]);
    return [{ name: fallback.address, connect: fallback, intent: loaded.intent }];
  }
  const derivation = deriveFabric(loaded.fabric, loaded.where);
  return derivation.devices.map((v, i) => ({
    name: v.device.name,
    connect: connectOptionsOf(v.device),
    intent: v.intent,
    where: () => loaded.where(['devices', i]),
    ...(v.device.kind !== undefined ? { kind: v.device.kind } : {}),
  }));
}

export interface ReconcileOptions extends ApplyOptions {
  /** Plan and compare only. */
  dryRun?: boolean;
  /** Delete entries the intent does not own. */
  prune?: boolean;
  /** Replace another program (wipes the device). */
  force?: boolean;
  /** The device's state after the previous apply by this controller (skips reading it). */
  cache?: DeviceCache;
  /** Progress of one device's writes. */
  onDeviceProgress?: (device: string, done: number, total: number) => void;
  /**
   * Build the report's {@link DeviceCache} when it is first used rather than at once (a service
   * wants it at once: it is the next change's starting point; a one-off apply seldom uses it).
   */
  lazyCache?: boolean;
  /** Each step of a device's reconcile as it begins or ends (for timelines: bench/lib/apply-timeline.ts). */
  onStep?: (device: string, step: ReconcileStep) => void;
  /** Devices reconciled together plan one at a time, in these turns (see turns.ts). */
  planTurns?: Turns;
  /** Longest a diff runs without a turn of the event loop, ms (slices.ts `SLICE_MS`). */
  sliceMs?: number;
}

/** The steps {@link ReconcileOptions.onStep} reports, in the order a first apply passes them. */
export type ReconcileStep =
  | 'read'
  | 'plan'
  | 'planned'
  | 'push'
  | 'diffed'
  | 'pushed'
  | 'writing'
  | 'written';

/** What happened (or would happen) on one device. */
export interface DeviceReport {
  device: string;
  pipeline: PipelineOutcome | 'would push' | 'would replace';
  /** Why the device's program is (or would be) replaced: the first thing it lacks (program-check.ts). */
  programMismatch?: string;
  plan: Plan;
  diff: Diff;
  /** Changes written (or, for a dry run, to write): the diff, plus drift deletes with prune. */
  changes: Change[];
  written: number;
  ms: number;
  /** What the device holds after this apply (for the next one, see {@link DeviceCache}). */
  cache?: DeviceCache;
}

/**
 * What a device held after the last successful apply, as the controller that wrote it knows it.
 * A service that is the device's only primary can pass it to the next reconcile instead of reading
 * the device again; it is dropped on reconnect, so a restarted device is always read.
 */
export interface DeviceCache {
  /** By key, without key texts (keyed-map.ts); each entity kept as its bytes (read-wire.ts). */
  observed: KeyedStore<ObservedEntity>;
  allocations: Allocations;
  /** The last plan's encodings, so the next plan encodes only what is new. */
  encoded?: EncodingMemo;
  /** Drift left on the device by the last apply (none after --prune). */
  drift?: Change[];
  /** The program it was made for ({@link programKey}); without one, the controller's own. */
  program?: string;
}

/** Plans one device; what the planner finds names the device and where the file declares it. */
export function planDevice(target: DeviceTarget, previous?: Parameters<typeof planFabric>[1]): Plan {
  try {
    return planFabric(target.intent, previous);
  } catch (e) {
    if (e instanceof IntentError)
      throw new IntentError(e.problems.map((p) => `${target.where?.() ?? ''}device ${target.name}: ${p}`));
    throw e;
  }
}

/** Reconciles one device over an open client. */
export async function reconcileDevice(
  client: P4RuntimeClient,
  target: DeviceTarget,
  options: ReconcileOptions = {},
): Promise<DeviceReport> {
  const started = performance.now();
  const profile = PROFILES[target.kind ?? 'bmv2'];
  const program = await vtepProgram();
  const running = await readRunningProgram(client, program);
  // Another program is driven through its own P4Info if it takes the plan (checked below).
  client.bindP4Info(running.status === 'other' ? running.p4info : program.p4info);
  // What the device holds: the service's cache, else the Read's bytes (read-wire.ts).
  let observed: KeyedStore<ObservedEntity> | undefined;
  let snapshot: WireSnapshot | undefined;
  let previous: Allocations | undefined;
  // A cache is trusted for the program it was made for only (a compatible one: the same P4Info).
  const key = programKey(running);
  const cached =
    options.cache && (options.cache.program ?? (running.status === 'ours' ? key : undefined)) === key
      ? options.cache
      : undefined;
  if (cached) {
    observed = cached.observed;
    previous = cached.allocations;
  } else if (running.status !== 'none')
    snapshot = await readDeviceWire(client, { replication: profile.replication });
  else snapshot = new WireSnapshot();
  const step = (s: ReconcileStep) => options.onStep?.(target.name, s);
  step('read');

  const intent = intentForProfile(profile, target.intent);
  const planOn = (kept: Allocations | undefined): Plan => {
    const p = planDevice(
      { ...target, intent },
      {
        previous:
          kept ??
          (snapshot
            ? allocationsOfWire(client.p4info, snapshot)
            : allocationsOf(client.p4info, observed?.values() ?? [])),
      },
    );
    p.entities = entitiesForProgram(
      client.p4info,
      entitiesForProfile(profile, client.p4info, intent, p.entities),
    );
    // Rule 13: every punt path's meter, configured (a meter nobody configured lets all through).
    p.entities.push(...planPuntMeters(client.p4info, target.intent.puntLimits));
    return p;
  };
  // Devices reconciled together plan and compare one at a time (reconcileFabric; turns.ts), the
  // diff in slices: the first device's pipeline and writes go out while the next is planned.
  const endTurn = await options.planTurns?.take();
  let plan: Plan;
  let status: 'ours' | 'none' | 'compatible' | 'foreign';
  let mismatch: string | undefined;
  let pipeline: DeviceReport['pipeline'];
  let pushed: Promise<void> | undefined;
  let encoded: EncodedPlan | undefined;
  let diff: Diff;
  try {
    step('plan');
    plan = planOn(previous);
    status = running.status === 'other' ? 'compatible' : running.status;
    if (running.status === 'other') {
      mismatch = programMismatch(client.p4info, p4infoIndexOf(program.p4info), plan.entities);
      if (mismatch && options.force !== true && options.dryRun !== true)
        throw new ForeignProgramError(foreignProgramMessage(target.name, mismatch, running.cookie));
      if (mismatch) {
        // Replacing the program wipes the device: plan for ours, from nothing.
        status = 'foreign';
        client.bindP4Info(program.p4info);
        observed = undefined;
        snapshot = new WireSnapshot();
        plan = planOn(undefined);
      }
    }
    // Before anything is written to the device, its pipeline included.
    const capacity = capacityProblems(client.p4info, plan.entities, profile);
    if (capacity.length > 0)
      throw new IntentError(capacity.map((p) => `device ${target.name}: ${p}; nothing was written`));
    step('planned');

    pipeline = status === 'compatible' ? 'compatible' : 'kept';
    if (status === 'none') pipeline = options.dryRun ? 'would push' : 'pushed';
    if (status === 'foreign') pipeline = options.dryRun ? 'would replace' : 'replaced';
    if (!options.dryRun && (status === 'none' || status === 'foreign')) {
      step('push');
      // Sent before the diff is made, so that the device loads it meanwhile; awaited before any
      // write (its failure is the device's, as before: caught here only to be thrown there).
      pushed = pushProgram(client, program);
      pushed.catch(() => {});
    }
    // A trusted cache holds the previous plan and its drift: only what changed is compared. What
    // was read is compared by bytes (wire-diff.ts), the plan encoded once into what is written.
    const trusted = status === 'ours' || status === 'compatible' ? cached : undefined;
    if (snapshot)
      diff = await diffWireInSlices(client, client.p4info, plan.entities, snapshot, options.sliceMs);
    else {
      encoded = encodePlanWithMemo(client, plan.entities, trusted?.encoded);
      diff =
        trusted?.encoded && trusted.drift
          ? diffFromPrevious(client.p4info, encoded, observed!, trusted.drift)
          : diffDevice(client.p4info, encoded.desired, observed!);
    }
    step('diffed');
  } finally {
    endTurn?.();
  }
  if (pushed) {
    await pushed;
    step('pushed');
  }
  const changes = options.prune ? [...diff.changes, ...diff.drift] : diff.changes;
  let written = 0;
  if (!options.dryRun && changes.length > 0) {
    step('writing');
    written = await applyChanges(
      client,
      target.name,
      changes,
      {
        ...options,
        onProgress: (done, total) => options.onDeviceProgress?.(target.name, done, total),
        ...(profile.modifiesRegularEntries ? {} : { replaceRegularEntries: true }),
        // The DPU takes CONTINUE_ON_ERROR batches only (--atomic is the controller's own rollback).
        ...(profile.kind === 'bluefield'
          ? { write: { ...options.write, atomicity: 'CONTINUE_ON_ERROR' } }
          : {}),
      },
      // A device that holds nothing (a first apply) cannot overflow: every insert is of a planned
      // entry, and the plan was checked against the capacity above (no pass over the changes).
      holdsNothing(observed, snapshot)
        ? false
        : wouldOverflow(
            client.p4info,
            (ids) => heldPerTable(ids, observed, snapshot),
            changes,
            profile.capacity,
          ),
    );
    step('written');
  }
  let cache: DeviceCache | undefined;
  if (!options.dryRun) {
    const held = observed ?? snapshot;
    const heldAfter = () => {
      const after = held instanceof WireSnapshot ? held.toMap() : (held ?? new KeyedMap<ObservedEntity>());
      for (const c of changes) {
        const key = c.key ?? entityKey(c.entity);
        if (c.kind === 'delete') after.delete(key);
        else after.set(key, observedOfWritten(c));
      }
      return after;
    };
    const memo = () => (encoded ?? encodePlanWithMemo(client, plan.entities)).memo;
    const common = {
      allocations: plan.allocations,
      drift: options.prune ? [] : diff.drift,
      program:
        status === 'foreign' || status === 'none'
          ? programKey({ status: 'ours', cookie: program.cookie })
          : key,
    };
    if (options.lazyCache) {
      // Built when first used (an apply of the command line never uses it).
      let after: KeyedStore<ObservedEntity> | undefined;
      let plannedMemo: EncodingMemo | undefined;
      cache = {
        ...common,
        get observed() {
          after ??= heldAfter();
          return after;
        },
        get encoded() {
          plannedMemo ??= memo();
          return plannedMemo;
        },
      };
    } else cache = { ...common, observed: heldAfter(), encoded: memo() };
  }
  return {
    device: target.name,
    pipeline,
    ...(status === 'foreign' && mismatch ? { programMismatch: mismatch } : {}),
    plan,
    diff,
    changes,
    written,
    ms: performance.now() - started,
    cache,
  };
}

/**
 * True when inserting before deleting would overfill a table (what is there, plus the inserts);
 * then deletes go first, at the cost of a brief gap instead of make-before-break.
 */
function wouldOverflow(
  index: P4InfoIndex,
  heldOf: (tableIds: ReadonlySet<number>) => Map<number, number>,
  changes: readonly Change[],
  capacity: (size: number) => number,
): boolean {
  const inserts = new Map<string, number>();
  // Counted by runs of one table (changes come in the plan's order): a first apply's 145,000
  // inserts per device look up no map per change.
  let table: string | undefined;
  let run = 0;
  for (const c of changes) {
    if (c.kind !== 'insert') continue;
    const t = c.table;
    if (t === table) run++;
    else {
      if (table !== undefined) inserts.set(table, (inserts.get(table) ?? 0) + run);
      table = t;
      run = 1;
    }
  }
  if (table !== undefined) inserts.set(table, (inserts.get(table) ?? 0) + run);
  if (inserts.size === 0) return false;
  // Only the tables that get inserts can overflow; count what they hold by id (no names per entry).
  const ids = new Set<number>();
  for (const table of inserts.keys()) {
    const id = index.tables.find(table)?.id;
    if (id !== undefined) ids.add(id);
  }
  const held = heldOf(ids);
  for (const [table, n] of inserts) {
    const info = index.tables.find(table);
    if (info && info.size > 0 && n + (held.get(info.id) ?? 0) > capacity(info.size)) return true;
  }
  return false;
}

/** True when the device holds no entity at all (nothing read, or an empty cache). */
function holdsNothing(
  observed: KeyedLookup<ObservedEntity> | undefined,
  snapshot: WireSnapshot | undefined,
): boolean {
  if (snapshot) return snapshot.size === 0;
  return observed !== undefined && observed.size === 0;
}

/** Regular entries per table of `tableIds` on the device (its cached state, or what was read). */
function heldPerTable(
  tableIds: ReadonlySet<number>,
  observed: KeyedLookup<ObservedEntity> | undefined,
  snapshot: WireSnapshot | undefined,
): Map<number, number> {
  const held = new Map<number, number>();
  for (const id of tableIds) held.set(id, 0);
  const count = (id: number | null | undefined) => {
    const n = id === undefined || id === null ? undefined : held.get(id);
    if (n !== undefined) held.set(id!, n + 1);
  };
  if (snapshot) {
    for (let i = 0; i < snapshot.size; i++) if (!snapshot.isDefault(i)) count(snapshot.tableId(i));
  } else
    for (const o of observed?.values() ?? []) {
      // (An entity kept as bytes says so without its key text being made.)
      if (o instanceof WireObserved ? o.isDefault : o.key.endsWith('|default')) continue;
      count(o.tableId ?? o.raw.tableEntry?.tableId);
    }
  return held;
}

/** The outcome of one device in a fabric-wide run. */
export type DeviceOutcome =
  | { device: string; ok: true; report: DeviceReport }
  | { device: string; ok: false; error: Error };

/** Reconciles every device in parallel; one failing device does not stop the others. */
export async function reconcileFabric(
  targets: readonly DeviceTarget[],
  options: ReconcileOptions = {},
): Promise<DeviceOutcome[]> {
  const planTurns = options.planTurns ?? new Turns();
  return Promise.all(
    targets.map(async (target): Promise<DeviceOutcome> => {
      let client: P4RuntimeClient | undefined;
      try {
        const connected = await connectDevice(target, { reconnect: false });
        client = connected.client;
        return {
          device: target.name,
          ok: true,
          report: await reconcileDevice(client, connected.target, { lazyCache: true, ...options, planTurns }),
        };
      } catch (error) {
        return { device: target.name, ok: false, error: error as Error };
      } finally {
        // Awaited: the next run (same election id) is then sure to find the device free of us.
        await client?.close();
      }
    }),
  );
}

export { ForeignProgramError };
