// The service (`genevectl controller run -f FILE`) at full size, one workload changed at a time:
// started on the fabric's file (13.7 MB of YAML) with the devices already holding the fabric, it
// connects and reconciles each device (nothing to write), then keeps a session per device, what it
// wrote and its plan by tenant. Measured: (a) the service given a fabric in memory with one more
// workload, (b) the file edited, a workload in its middle given a new MAC; each RUNS times, every
// run printed (the first edits after the start are the ones a lazy or JIT-cold path shows in).
// Used by bench/controller.bench.ts and, alone, by bench/lib/service-bench.ts.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type DeviceReport, type Fabric, FabricService, workloadSchema } from '../../src/controller/index.js';
import { overlayFabric, SHAPE, workload, workloadMac } from './overlay-fabric.js';

const ms = (t: number) => `${t.toFixed(0)} ms`;

export interface ServiceChangeOptions {
  /** The devices' P4Runtime addresses (they hold the fabric of `overlayFabric(addresses)`). */
  addresses: readonly string[];
  /** That fabric, as the schema gives it. */
  base: Fabric;
  runs?: number;
  /** Prints a figure with its target (controller.bench.ts `figure`). */
  figure?: (what: string, value: number, unit: string, target: number, better: 'lower' | 'higher') => void;
  /** Called around each measured change (e.g. to profile it): `start` before, `stop` after. */
  around?: { start(what: string): Promise<void>; stop(what: string): Promise<void> };
  /** The service's log lines. */
  log?: (line: string) => void;
  /** Called once the service is ready for local changes (e.g. to write a heap snapshot). */
  onReady?: () => void;
  /** The service's resync period, ms (default 0: none, so that no resync lands on a change). */
  resyncMs?: number;
}

export interface ServiceChangeFigures {
  /** Time from the service's start to every device converged. */
  startMs: number;
  inMemory: number[];
  file: number[];
}

export async function serviceChange(options: ServiceChangeOptions): Promise<ServiceChangeFigures> {
  const { addresses, base } = options;
  const RUNS = options.runs ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'controller-bench-'));
  const file = join(dir, 'fabric.yaml');
  const text = stringify(overlayFabric(addresses));
  writeFileSync(file, text);
  const service = new FabricService(file, {
    resyncMs: options.resyncMs ?? 0,
    watchIntervalMs: 60_000,
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const started = performance.now();
    const ready = Promise.all(
      base.devices.map(
        (d) =>
          new Promise<void>((resolve) =>
            service.on('converged', ({ device }) => device === d.name && resolve()),
          ),
      ),
    );
    // Ready for local changes: converged, and what they look up built (the service's `primed`).
    const primed = new Promise<{ workloads: number; reread: boolean; differing: string[] }>((resolve) =>
      service.once('primed', resolve),
    );
    await service.start();
    await ready;
    const convergedMs = performance.now() - started;
    const ready2 = await primed;
    const startMs = performance.now() - started;
    options.onReady?.();
    console.log(
      `service started and converged on ${base.devices.length} devices in ${ms(convergedMs)}, primed for local changes ${ms(startMs - convergedMs)} later ` +
        `(${ready2.workloads} workloads indexed, item-wise reading ${ready2.reread ? 'agrees' : 'DIFFERS'}, ` +
        `${ready2.differing.length === 0 ? 'every kept plan holds' : `kept plan differs on ${ready2.differing.join(', ')}`})`,
    );
    /** Runs `change`, then waits for the devices it names to report their writes done. */
    const measured = async (what: string, change: () => Promise<string[]> | string[]) => {
      const reports = new Map<string, DeviceReport>();
      const done = new Map<string, () => void>();
      const onConverged = ({ device, report }: { device: string; report: DeviceReport }) => {
        reports.set(device, report);
        done.get(device)?.();
      };
      service.on('converged', onConverged);
      await options.around?.start(what);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const devices = await change();
      await Promise.all(
        devices.map((d) =>
          reports.has(d) ? undefined : new Promise<void>((resolve) => done.set(d, resolve)),
        ),
      );
      const elapsed = performance.now() - started;
      const used = process.cpuUsage(cpu);
      await options.around?.stop(what);
      service.off('converged', onConverged);
      const written = [...reports.values()].reduce((n, r) => n + r.written, 0);
      console.log(
        `${what}: ${written} writes (${[...reports].map(([d, r]) => `${d} ${r.written}`).join(', ')}) in ${ms(elapsed)}, ` +
          `controller CPU ${ms((used.user + used.system) / 1000)}`,
      );
      return elapsed;
    };

    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');

    // (a) From a fabric held in memory: one workload added, RUNS times (a new one each time).
    let inMemory = base;
    const a: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const next = {
        ...inMemory,
        workloads: [...inMemory.workloads, workloadSchema.parse(workload(SHAPE.workloads + i))],
      };
      a.push(
        await measured(`one-workload change, in memory (the service given the fabric), run ${i + 1}`, () => {
          const r = service.applyFabric({ format: 'fabric', file, fabric: next, where: () => '' });
          if (!r.incremental) throw new Error('the change was not planned as a local one');
          return r.devices;
        }),
      );
      inMemory = next;
    }
    console.log(`one-workload change, in memory, runs: ${runs(a)} ms`);
    options.figure?.(
      `one-workload change, in memory (controller run; median of ${RUNS})`,
      median(a),
      'ms',
      100,
      'lower',
    );

    // The file now says the same (its own reload finds nothing to write): the new workloads
    // appended as items of `workloads`, written beside the file and renamed over it, as editors do.
    const item = (w: unknown) =>
      stringify([w])
        .split('\n')
        .map((l) => (l === '' ? l : `  ${l}`))
        .join('\n');
    // Written beside the file first; the change is the rename.
    const replace = (next: string) => {
      writeFileSync(`${file}.tmp`, next);
      return () => renameSync(`${file}.tmp`, file);
    };
    let current = text;
    for (let i = 0; i < RUNS; i++) current += item(workload(SHAPE.workloads + i));
    const synced = new Promise<void>((resolve) => service.once('reload', () => resolve()));
    replace(current)();
    await synced;

    // (b) The file: a workload in the middle of the file gets a new MAC, RUNS times (the next
    // workload each time). From the rename to the writes done: the change seen (inotify), the file
    // read and compared with the last version, the workload's item parsed and checked, its tenant
    // planned on each device, the devices written.
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const middle = Math.floor(SHAPE.workloads / 2) + i;
      const before = item(workload(middle));
      const after = item({ ...workload(middle), mac: workloadMac(SHAPE.workloads + 1000 + i) });
      if (!current.includes(before)) throw new Error(`workload ${middle} not found in the file`);
      current = current.replace(before, after);
      const rename = replace(current);
      let reloadLog = '';
      b.push(
        await measured(
          `one-workload change, file edited (the service watching it), run ${i + 1}`,
          async () => {
            const reloaded = new Promise<string[]>((resolve, reject) =>
              service.once('reload', ({ ok, error, incremental, devices }) => {
                reloadLog = `reload: ${incremental ? 'local' : 'whole fabric'}, devices ${devices?.join(', ')}`;
                if (ok) resolve(devices ?? []);
                else reject(error);
              }),
            );
            rename();
            return reloaded;
          },
        ),
      );
      console.log(`  ${reloadLog}`);
    }
    console.log(`one-workload change, file edited, runs: ${runs(b)} ms`);
    options.figure?.(
      `one-workload change, file edited (controller run -f; median of ${RUNS})`,
      median(b),
      'ms',
      100,
      'lower',
    );
    return { startMs, inMemory: a, file: b };
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
