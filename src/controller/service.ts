/**
 * The controller as a service: keeps every device of a fabric file converged. Per device, a
 * supervisor connects (with exponential backoff), reconciles, answers packet-ins, and starts over
 * when the stream is lost (a restarted device comes back without its program: the reconcile pushes
 * it and writes everything again). A change of the file is reconciled on every device; a file with
 * mistakes is reported and the last good one kept. Prometheus metrics (prom-client) and a health
 * endpoint are served over HTTP.
 */
import { EventEmitter } from 'node:events';
import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, dirname } from 'node:path';
import type { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectGarbage } from '../collect-garbage.js';
import { VtepController } from './controller.js';
import { type DeviceKind, neighborAnswerer, PROFILES } from './device-profile.js';
import { entityKey } from './device-state.js';
import {
  connectDevice,
  type DeviceCache,
  type DeviceReport,
  type DeviceTarget,
  deviceTargets,
  reconcileDevice,
} from './fabric-controller.js';
import { deriveChanged, fabricDelta, patchIntent } from './fabric-delta.js';
import { FabricFile } from './fabric-file.js';
import type { Fabric } from './fabric-schema.js';
import { DevicePlan, type PlanStep } from './incremental-plan.js';
import type { FabricIntent } from './intent.js';
import type { LoadedFabric } from './load-fabric.js';
import { emptyPuntCounts, type PuntCounts, PuntHandler } from './punts.js';
import { applyChanges, observedOfWritten } from './reconcile.js';
import { WorkloadIndex } from './workload-index.js';

export interface ServiceOptions {
  /** HTTP address for /metrics and /healthz, `host:port`; none when omitted. */
  listen?: string;
  /** Reconnect backoff: first delay and cap, ms (default 250 and 10,000). */
  backoffMs?: { initial: number; max: number };
  /**
   * How often the file is also polled for changes, ms (default 500): changes are seen at once by
   * a watch of its directory (inotify), where the file system has one.
   */
  watchIntervalMs?: number;
  log?: (line: string) => void;
  /** Replace another program on a device (wipes it). */
  force?: boolean;
  /** Delete drift too. */
  prune?: boolean;
  /**
   * How often each device is read in full and reconciled again, ms (default 60,000; 0 = never):
   * catches what the stream does not tell, e.g. another controller pushing a program or writing.
   */
  resyncMs?: number;
}

export interface ServiceEvents {
  /** A device was reconciled. */
  converged: [{ device: string; report: DeviceReport }];
  /** A device could not be reached or reconciled; it is retried after `retryMs`. */
  deviceError: [{ device: string; error: Error; retryMs: number }];
  /**
   * The file changed and was loaded (or refused: `error`). `devices`: those now reconciled because
   * of it (each reports `converged` when done); `incremental`: only the changed tenants were planned.
   */
  reload: [{ ok: boolean; error?: Error; incremental?: boolean; devices?: string[] }];
  /**
   * Every device converged on the fabric, and what local changes look up was built (see
   * `prime`): `reread`, the file's item-wise reading agreed with the whole one; `differing`, the
   * devices whose plan kept by tenant did not hold what they hold (their next change is planned whole).
   */
  primed: [{ workloads: number; reread: boolean; differing: string[] }];
}

interface DeviceState {
  target: DeviceTarget;
  /** The device's kind as found on connecting (the file's, or read from its program). */
  kind?: DeviceKind;
  client?: P4RuntimeClient;
  controller?: VtepController;
  /** The packet-in handler, made when first needed (see `punts()`), and what it answers from. */
  punts?: PuntHandler;
  puntIntent?: FabricIntent;
  puntCounts: PuntCounts;
  connected: boolean;
  converged: boolean;
  /** A reconcile is wanted (new intent) while one runs. */
  dirty: boolean;
  running: boolean;
  attempts: number;
  timer?: NodeJS.Timeout;
  lastError?: string;
  /** What the device holds since our last apply; cleared on reconnect. */
  cache?: DeviceCache;
  /** The dropped client's close: the next connection, with the same election id, waits for it. */
  closing?: Promise<void>;
  /** The plan the device holds, by tenant, for planning a local change alone (with `cache`). */
  plan?: DevicePlan;
}

class Metrics {
  readonly registry = new Registry();
  readonly reconcileSeconds = new Histogram({
    name: 'genevectl_reconcile_duration_seconds',
    help: 'Time to read, diff and write one device',
    labelNames: ['device'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  readonly writes = new Counter({
    name: 'genevectl_reconcile_writes_total',
    help: 'Entries written by reconciliation, by kind (insert, modify, delete)',
    labelNames: ['device', 'kind'],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'genevectl_reconcile_errors_total',
    help: 'Failed connections or reconciliations',
    labelNames: ['device'],
    registers: [this.registry],
  });
  readonly up = new Gauge({
    name: 'genevectl_device_converged',
    help: '1 when the device is connected and holds what the fabric says',
    labelNames: ['device'],
    registers: [this.registry],
  });
  readonly drift = new Gauge({
    name: 'genevectl_drift_entries',
    help: 'Entries on the device that the fabric does not own',
    labelNames: ['device'],
    registers: [this.registry],
  });
  readonly punts = new Gauge({
    name: 'genevectl_punts',
    help: 'Packet-ins handled, by outcome',
    labelNames: ['device', 'outcome'],
    registers: [this.registry],
  });
  readonly bumCopies = new Gauge({
    name: 'genevectl_bum_copies',
    help: 'Copies of punted BUM frames (no replication): sent to local attachments or remote VTEPs, or not sent and why',
    labelNames: ['device', 'copy'],
    registers: [this.registry],
  });
  readonly tenantPackets = new Gauge({
    name: 'genevectl_tenant_tunnelled_packets',
    help: 'Tunnelled packets per tenant and direction (the device counters, cell from its own VNI table)',
    labelNames: ['device', 'tenant', 'vni', 'direction'],
    registers: [this.registry],
  });
  readonly drops = new Gauge({
    name: 'genevectl_dropped_packets',
    help: 'Packets dropped by the data plane, by reason',
    labelNames: ['device', 'reason'],
    registers: [this.registry],
  });
}

export class FabricService extends EventEmitter<ServiceEvents> {
  private readonly devices = new Map<string, DeviceState>();
  private readonly metrics = new Metrics();
  private server?: Server;
  private resync?: NodeJS.Timeout;
  private stopped = false;
  private names = new Map<number, string>();
  /** The fabric the devices are given (a file in the fabric format). */
  private fabric?: Fabric;
  /**
   * The workloads of `fabric` by name, wire and tenant, for local changes: built once every device
   * has converged on it ({@link prime}), then brought along by each local change.
   */
  private index?: WorkloadIndex;
  /** A {@link prime} is scheduled. */
  private priming?: NodeJS.Immediate;
  /** A collection of a whole reconcile's garbage is scheduled ({@link collectAfterWhole}). */
  private collecting?: NodeJS.Immediate;
  private readonly reader: FabricFile;
  private watcher?: FSWatcher;
  private pendingReload?: NodeJS.Immediate;

  constructor(
    private readonly file: string,
    private readonly options: ServiceOptions = {},
  ) {
    super();
    this.reader = new FabricFile(file);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Loads the file (throws when it has mistakes), starts every device and the HTTP endpoint. */
  async start(): Promise<void> {
    this.load();
    if (this.options.listen) await this.listen(this.options.listen);
    const resyncMs = this.options.resyncMs ?? 60_000;
    if (resyncMs > 0) {
      this.resync = setInterval(() => {
        for (const state of this.devices.values()) {
          if (!state.client || state.running) continue;
          state.cache = undefined; // read the device, not what we think it holds
          state.plan = undefined;
          this.reconcile(state);
        }
      }, resyncMs);
      this.resync.unref();
    }
    watchFile(this.file, { interval: this.options.watchIntervalMs ?? 500 }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.scheduleReload();
    });
    try {
      // The directory, not the file: an editor (or `mv`) replaces the file by another.
      const name = basename(this.file);
      this.watcher = watch(dirname(this.file), (_, changed) => {
        if (changed === name) this.scheduleReload();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No watch on this file system: the polling above sees changes.
    }
  }

  /** One reload for the events of one change (a write can raise several). */
  private scheduleReload(): void {
    if (this.pendingReload || this.stopped) return;
    this.pendingReload = setImmediate(() => {
      this.pendingReload = undefined;
      this.reload();
    });
  }

  /** Address the HTTP endpoint listens on, once started. */
  get httpAddress(): string | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? `${a.address}:${a.port}` : undefined;
  }

  private load(): string[] {
    const read = this.reader.read();
    if (!read) throw new Error(`${this.file}: read twice`); // the first read always answers
    return this.apply(read.loaded);
  }

  /** Gives every device its part of `loaded`; returns the devices reconciled for it. */
  private apply(loaded: LoadedFabric): string[] {
    const targets = deviceTargets(loaded);
    this.fabric = loaded.format === 'fabric' ? loaded.fabric : undefined;
    this.index = undefined;
    if (loaded.format === 'fabric') this.names = new Map(loaded.fabric.tenants.map((t) => [t.vni, t.name]));
    const wanted = new Set(targets.map((t) => t.name));
    for (const [name, state] of this.devices) {
      if (wanted.has(name)) continue;
      this.drop(state);
      this.devices.delete(name);
      this.log(`${name}: no longer in the fabric; left as it is`);
    }
    for (const target of targets) {
      const state = this.devices.get(target.name);
      if (!state) {
        const fresh: DeviceState = {
          target,
          connected: false,
          converged: false,
          dirty: false,
          running: false,
          attempts: 0,
          puntCounts: emptyPuntCounts(),
        };
        this.devices.set(target.name, fresh);
        this.connect(fresh);
      } else {
        const same = (x: unknown, y: unknown) =>
          JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) ===
          JSON.stringify(y, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
        const moved = !same(state.target.connect, target.connect) || state.target.kind !== target.kind;
        state.target = target;
        if (moved) {
          this.drop(state);
          this.connect(state);
        } else this.reconcile(state);
      }
    }
    return targets.map((t) => t.name);
  }

  /**
   * A local change of `loaded` (a few tenants or workloads) planned for what changed alone and
   * written on the devices concerned; undefined when the whole fabric is to be planned (a global
   * change, a mistake to report, a device not converged or busy).
   */
  private applyLocal(loaded: LoadedFabric): string[] | undefined {
    if (loaded.format !== 'fabric' || !this.fabric) return undefined;
    const states = [...this.devices.values()];
    if (!states.every((s) => s.client && s.converged && !s.running && !s.dirty && s.plan && s.cache))
      return undefined;
    const delta = fabricDelta(this.fabric, loaded.fabric);
    const derived = delta && deriveChanged(loaded.fabric, delta, this.index);
    if (!delta || !derived) return undefined;
    const order = new Map(loaded.fabric.tenants.map((t, i) => [t.name, i]));
    const steps: Array<{ state: DeviceState; step: PlanStep; intent: FabricIntent }> = [];
    for (const view of derived.devices) {
      const state = this.devices.get(view.device.name);
      if (!state?.plan || !state.cache || !state.client) return undefined;
      const intent = patchIntent(state.plan.planned, delta.tenants, view.intent.tenants, order);
      if (intent === state.plan.planned) continue; // none of the changed tenants is on it
      const profile = PROFILES[state.kind ?? 'bmv2'];
      if (!profile.replication) return undefined; // the DPU's plan is reshaped (device-profile.ts)
      const step = state.plan.prepare(state.client, delta.tenants, intent, {
        observed: state.cache.observed,
        drift: state.cache.drift ?? [],
        capacity: profile.capacity,
      });
      if (!step) return undefined;
      steps.push({ state, step, intent });
    }
    this.fabric = loaded.fabric;
    this.index?.update(loaded.fabric.workloads, delta.workloads);
    this.names = new Map(loaded.fabric.tenants.map((t) => [t.vni, t.name]));
    for (const { state, step, intent } of steps) {
      state.target = { ...state.target, intent };
      this.write(state, step);
    }
    return steps.map(({ state }) => state.target.name);
  }

  /** Writes a local change on one device (see {@link applyLocal}). */
  private write(state: DeviceState, step: PlanStep): void {
    const client = state.client!;
    const cache = state.cache!;
    const plan = state.plan!;
    const name = state.target.name;
    const profile = PROFILES[state.kind ?? 'bmv2'];
    state.running = true;
    state.dirty = false;
    const started = performance.now();
    const end = this.metrics.reconcileSeconds.startTimer({ device: name });
    const changes = this.options.prune ? [...step.diff.changes, ...step.diff.drift] : step.diff.changes;
    const written =
      changes.length === 0
        ? Promise.resolve(0)
        : applyChanges(
            client,
            name,
            changes,
            profile.modifiesRegularEntries ? {} : { replaceRegularEntries: true },
          );
    written
      .then((n) => {
        end();
        state.running = false;
        if (state.client !== client) return;
        for (const c of changes) {
          const key = c.key ?? entityKey(c.entity);
          if (c.kind === 'delete') cache.observed.delete(key);
          else cache.observed.set(key, observedOfWritten(c));
        }
        step.commit();
        cache.allocations = plan.allocations;
        cache.encoded = undefined; // made from the plan when a whole reconcile wants it
        cache.drift = this.options.prune ? [] : step.diff.drift;
        const report: DeviceReport = {
          device: name,
          pipeline: 'kept',
          get plan() {
            return plan.plan();
          },
          diff: step.diff,
          changes,
          written: n,
          ms: performance.now() - started,
          cache,
        };
        this.settled(state, report);
      })
      .catch((error: Error) => this.failed(state, client, error, end));
  }

  /**
   * Gives the devices `loaded` (what the file would say; `reload` passes what it read): a local
   * change is planned for what changed alone and written on the devices concerned, anything else
   * planned in full on every device. Returns the devices reconciled for it (each reports
   * `converged`). Throws {@link IntentError} for a fabric with mistakes (nothing is written).
   */
  applyFabric(loaded: LoadedFabric): { incremental: boolean; devices: string[] } {
    const local = this.applyLocal(loaded);
    return { incremental: local !== undefined, devices: local ?? this.apply(loaded) };
  }

  /** Loads the file again; a file with mistakes is reported and the running intent kept. */
  reload(): void {
    try {
      const read = this.reader.read();
      if (!read) return; // the same bytes as the version last read
      const { incremental, devices } = this.applyFabric(read.loaded);
      const reread = read.reread ? `, ${read.reread.items} item(s) of ${read.reread.list} read again` : '';
      this.log(
        `${this.file}: reloaded${reread}${incremental ? `, ${devices.length} device(s) concerned` : ''}`,
      );
      this.emit('reload', { ok: true, incremental, devices });
    } catch (error) {
      this.log(`${this.file}: not applied, the running fabric is kept:\n  ${(error as Error).message}`);
      this.emit('reload', { ok: false, error: error as Error });
    }
  }

  private drop(state: DeviceState): void {
    clearTimeout(state.timer);
    state.client?.removeAllListeners();
    if (state.client) state.closing = state.client.close();
    state.client = undefined;
    state.controller = undefined;
    state.kind = undefined;
    state.connected = false;
    state.converged = false;
    state.cache = undefined;
    state.plan = undefined;
    this.metrics.up.set({ device: state.target.name }, 0);
  }

  private retry(state: DeviceState, error: Error): void {
    if (this.stopped) return;
    const { initial, max } = this.options.backoffMs ?? { initial: 250, max: 10_000 };
    const retryMs = Math.min(max, initial * 2 ** Math.min(state.attempts, 20));
    state.attempts++;
    state.lastError = error.message;
    this.metrics.errors.inc({ device: state.target.name });
    this.log(`${state.target.name}: ${error.message.split('\n')[0]}; retrying in ${retryMs} ms`);
    this.emit('deviceError', { device: state.target.name, error, retryMs });
    this.drop(state);
    if (!this.stopped) state.timer = setTimeout(() => this.connect(state), retryMs);
  }

  private connect(state: DeviceState): void {
    if (this.stopped) return;
    // stream: a device without arbitration (BlueField) still gets the one stream, for packet-ins.
    // After the previous client's stream has ended: until then the device holds its election id.
    (state.closing ?? Promise.resolve())
      .then(() => connectDevice(state.target, { reconnect: false, connectTimeoutMs: 5_000, stream: true }))
      .then(({ client, target }) => {
        if (this.stopped) {
          client.close();
          return;
        }
        state.kind = target.kind;
        state.client = client;
        state.controller = new VtepController(client);
        state.connected = true;
        client.on('disconnect', ({ error }) => {
          if (state.client === client) this.retry(state, new Error(`stream lost: ${error.message}`));
        });
        state.punts = undefined;
        state.puntIntent = state.target.intent;
        client.on('packetIn', (p) => this.punts(state, client).handle(p));
        this.reconcile(state);
      })
      .catch((error: Error) => this.retry(state, error));
  }

  private reconcile(state: DeviceState): void {
    if (!state.client) return;
    if (state.running) {
      state.dirty = true;
      return;
    }
    state.running = true;
    state.dirty = false;
    const client = state.client;
    const name = state.target.name;
    const end = this.metrics.reconcileSeconds.startTimer({ device: name });
    const target = { ...state.target, ...(state.kind ? { kind: state.kind } : {}) };
    // After local changes, the cache's memo of encodings is made from the plan kept by tenant.
    if (state.cache && !state.cache.encoded && state.plan) state.cache.encoded = state.plan.memo();
    reconcileDevice(client, target, {
      force: this.options.force,
      prune: this.options.prune,
      ...(state.cache ? { cache: state.cache } : {}),
    })
      .then((report) => {
        end();
        state.running = false;
        if (state.client !== client) return;
        const encoded = report.cache?.encoded;
        state.plan =
          PROFILES[target.kind ?? 'bmv2'].replication && encoded && encoded.entities === report.plan.entities
            ? DevicePlan.of(target.intent, report.plan, encoded.encoded)
            : undefined;
        this.settled(state, report);
        this.collectAfterWhole();
      })
      .catch((error: Error) => this.failed(state, client, error, end));
  }

  /**
   * After a whole reconcile of a device (a resync, a reconnect, a global change), once every device
   * is converged and idle: its garbage (the device read again, the plan made again, the state they
   * replace) collected at once, as {@link prime} does after a start, rather than by a major
   * collection that the next edits would pay. Not after local changes (they leave little).
   */
  private collectAfterWhole(): void {
    if (this.collecting || this.priming || !this.index) return; // (prime collects when it runs)
    this.collecting = setImmediate(() => {
      this.collecting = undefined;
      const states = [...this.devices.values()];
      if (this.stopped || !states.every((s) => s.converged && !s.running && !s.dirty)) return;
      collectGarbage();
    });
  }

  /**
   * The packet-in handler of a device, for the intent it holds: made at the first packet-in after
   * a change (indexing every workload of a large fabric takes tens of ms, not to be spent on every
   * change of one). Counting goes on across changes, program pushes, reconciles and reconnects.
   */
  private punts(state: DeviceState, client: P4RuntimeClient): PuntHandler {
    state.punts ??= new PuntHandler(
      state.puntIntent ?? state.target.intent,
      (frame, metadata) => client.packetOut(frame, metadata),
      {
        log: (line) => this.log(`${state.target.name}: ${line}`),
        counts: state.puntCounts,
        neighborAnswerer: neighborAnswerer(client.p4info),
      },
    );
    return state.punts;
  }

  /** A device holds what it was given: metrics, log, event, and the packet-in handler for it. */
  private settled(state: DeviceState, report: DeviceReport): void {
    const name = state.target.name;
    state.cache = report.cache;
    // Packet-ins are answered from the intent the device now holds.
    state.punts = undefined;
    state.puntIntent = state.target.intent;
    for (const c of report.changes) this.metrics.writes.inc({ device: name, kind: c.kind });
    this.metrics.drift.set({ device: name }, report.diff.drift.length);
    this.metrics.up.set({ device: name }, 1);
    state.converged = true;
    state.attempts = 0;
    state.lastError = undefined;
    this.log(
      `${name}: program ${report.pipeline}, ${report.written} written, ${report.diff.unchanged} unchanged` +
        (report.diff.drift.length > 0 ? `, ${report.diff.drift.length} drift` : ''),
    );
    this.emit('converged', { device: name, report });
    if (state.dirty) this.reconcile(state);
    else if (!this.index && !this.priming) this.priming = setImmediate(() => this.prime());
  }

  /**
   * Once every device has converged on a fabric: builds what a local change looks up (the index
   * of workloads) and tries the local path on what the devices hold, so the first edit after a
   * start or a whole reconcile does only its own work. The file's first items are read again item
   * by item (fabric-file.ts `prime`), and on each device one tenant is derived and planned alone
   * as a local change would, unchanged: its step must write nothing (else the device's kept plan
   * is dropped and its next change planned whole). This also compiles the code of that path
   * before an edit waits for it. Before all that, the garbage of the start (or of the whole
   * reconcile) is collected (src/collect-garbage.ts), so that no major collection of it lands on the
   * first edits.
   */
  private prime(): void {
    this.priming = undefined;
    const fabric = this.fabric;
    const states = [...this.devices.values()];
    if (this.stopped || !fabric || this.index) return;
    if (!states.every((s) => s.client && s.converged && !s.running && !s.dirty)) return;
    // First, so that what follows runs while the collector's threads finish sweeping.
    collectGarbage();
    const index = WorkloadIndex.of(fabric.workloads);
    const reread = this.reader.prime();
    if (!reread) this.log(`${this.file}: item-wise reading differs; the file is read whole`);
    const differing: string[] = [];
    const tenant = fabric.tenants[0];
    if (tenant) {
      const delta = {
        tenants: new Set([tenant.name]),
        added: [],
        workloads: { head: 0, removed: [], placed: [] },
      };
      const derived = deriveChanged(fabric, delta, index);
      const order = new Map(fabric.tenants.map((t, i) => [t.name, i]));
      for (const view of derived?.devices ?? []) {
        const state = this.devices.get(view.device.name);
        if (!state?.plan || !state.cache || !state.client) continue;
        const intent = patchIntent(state.plan.planned, delta.tenants, view.intent.tenants, order);
        const step = state.plan.prepare(state.client, delta.tenants, intent, {
          observed: state.cache.observed,
          drift: state.cache.drift ?? [],
          capacity: PROFILES[state.kind ?? 'bmv2'].capacity,
        });
        if (step && step.diff.changes.length > 0) {
          this.log(
            `${view.device.name}: the plan kept by tenant differs from the device; its next change is planned whole`,
          );
          state.plan = undefined;
          differing.push(view.device.name);
        }
      }
    }
    this.index = index;
    this.emit('primed', { workloads: index.size, reread, differing });
  }

  private failed(state: DeviceState, client: P4RuntimeClient, error: Error, end: () => void): void {
    end();
    state.running = false;
    state.cache = undefined; // part-way: read the device next time
    state.plan = undefined;
    if (state.client === client) this.retry(state, error);
  }

  /** Each device: connected, converged, last error. */
  health(): {
    ok: boolean;
    devices: Record<string, { connected: boolean; converged: boolean; error?: string }>;
  } {
    const devices: Record<string, { connected: boolean; converged: boolean; error?: string }> = {};
    for (const [name, s] of this.devices)
      devices[name] = {
        connected: s.connected,
        converged: s.converged,
        ...(s.lastError ? { error: s.lastError } : {}),
      };
    return { ok: [...this.devices.values()].every((s) => s.converged), devices };
  }

  /** Metrics in Prometheus text format; device counters are read at scrape time. */
  async scrape(): Promise<string> {
    for (const [name, s] of this.devices) {
      const p = s.puntCounts;
      if (p) {
        this.metrics.punts.set({ device: name, outcome: 'mtu_answered' }, p.mtuAnswered);
        for (const [why, n] of Object.entries(p.mtuNotAnswered))
          this.metrics.punts.set({ device: name, outcome: `mtu_not_answered_${why}` }, n);
        this.metrics.punts.set({ device: name, outcome: 'geneve_oam' }, p.oam);
        this.metrics.punts.set({ device: name, outcome: 'bum_arp_answered' }, p.bum.arpAnswered);
        this.metrics.punts.set({ device: name, outcome: 'bum_nd_answered' }, p.bum.ndAnswered);
        this.metrics.punts.set({ device: name, outcome: 'bum_copied' }, p.bum.copied);
        for (const [why, n] of Object.entries(p.bum.notHandled))
          this.metrics.punts.set({ device: name, outcome: `bum_not_served_${why}` }, n);
        this.metrics.punts.set({ device: name, outcome: 'other' }, p.other);
        const copies = {
          local: p.bum.copiesLocal,
          remote: p.bum.copiesRemote,
          denied_by_policy: p.bum.copiesDenied,
          no_route: p.bum.copiesNoRoute,
          too_large: p.bum.copiesTooLarge,
        };
        for (const [copy, n] of Object.entries(copies)) this.metrics.bumCopies.set({ device: name, copy }, n);
      }
      if (!s.controller || !s.converged) continue;
      try {
        for (const t of await s.controller.tenantTrafficOnDevice(this.names)) {
          const labels = { device: name, tenant: t.name, vni: String(t.vni) };
          this.metrics.tenantPackets.set(
            { ...labels, direction: 'from_network' },
            Number(t.fromNetwork.packets),
          );
          this.metrics.tenantPackets.set({ ...labels, direction: 'to_network' }, Number(t.toNetwork.packets));
        }
        for (const [reason, c] of Object.entries(await s.controller.dropCounters()))
          this.metrics.drops.set({ device: name, reason }, Number(c.packets));
      } catch (error) {
        this.log(`${name}: counters not read: ${(error as Error).message}`);
      }
    }
    return this.metrics.registry.metrics();
  }

  private listen(address: string): Promise<void> {
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(i + 1));
    this.server = createServer((req, res) => {
      if (req.url === '/metrics') {
        this.scrape().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
            res.end(text);
          },
          (error: Error) => {
            res.writeHead(500);
            res.end(error.message);
          },
        );
      } else if (req.url === '/healthz') {
        const h = this.health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(h)}\n`);
      } else {
        res.writeHead(404);
        res.end('try /metrics or /healthz\n');
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    clearImmediate(this.pendingReload);
    clearImmediate(this.priming);
    clearImmediate(this.collecting);
    unwatchFile(this.file);
    this.watcher?.close();
    for (const s of this.devices.values()) this.drop(s);
    await Promise.all([...this.devices.values()].map((s) => s.closing));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
