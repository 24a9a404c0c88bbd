/**
 * `genevectl push|apply|diff|counters`: drive the VTEPs of a fabric (bmv2 or the embedded target)
 * over P4Runtime. `apply` and `diff` read each device and write (or show) only the difference.
 */

import type { Command } from 'commander';
import { type ConnectOptions, P4InfoIndex, P4InfoLookupError } from 'p4runtime-ts-grpc';
import {
  type Change,
  capacityProblems,
  type DeviceOutcome,
  type DeviceReport,
  type DeviceTarget,
  deviceTargets,
  IntentError,
  type LoadedFabric,
  loadFabric,
  planDevice,
  pushProgram,
  reconcileFabric,
  VtepController,
  vtepProgram,
} from '../../controller/index.js';
import { addDeviceOptions, type DeviceFlags, openDevice, resolveConnection } from '../connection.js';
import { checkInputFile, EXIT, refusedError } from '../errors.js';
import { say, PlainTable as Table, toJson } from '../output.js';

type ConnectFlags = DeviceFlags;

interface FabricFlags extends ConnectFlags {
  file?: string;
  json?: boolean;
  prune?: boolean;
  atomic?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

/** The device of a single-VTEP file, from the connection flags, environment and config file. */
function connectOptions(o: ConnectFlags): ConnectOptions {
  const c = resolveConnection(o);
  return {
    address: c.address,
    deviceId: c.deviceId,
    electionId: c.electionId,
    ...(c.role !== undefined ? { role: c.role } : {}),
    security: c.security,
    connectTimeoutMs: c.timeoutMs,
    waitForPrimary: true,
  };
}

/** Connection options, environment and config file, as every genevectl command (docs/CLI.md). */
function withConnection(cmd: Command): Command {
  return addDeviceOptions(cmd);
}

function fabricFile(positional: string | undefined, o: FabricFlags): LoadedFabric {
  const file = o.file ?? positional;
  if (!file) throw new IntentError(['no fabric file: give it with -f FILE']);
  checkInputFile(file, 'fabric file');
  return loadFabric(file);
}

const SIGN: Record<Change['kind'], string> = { insert: '+', modify: '~', delete: '-' };

function changeJson(c: Change) {
  return { op: SIGN[c.kind], kind: c.kind, table: c.table, owner: c.owner };
}

function reportJson(o: DeviceOutcome) {
  if (!o.ok) return { device: o.device, ok: false, error: o.error.message };
  const r = o.report;
  return {
    device: r.device,
    ok: true,
    pipeline: r.pipeline,
    ...(r.programMismatch ? { programMismatch: r.programMismatch } : {}),
    unchanged: r.diff.unchanged,
    written: r.written,
    ms: Math.round(r.ms),
    changes: r.changes.map(changeJson),
    drift: r.diff.drift.map(changeJson),
  };
}

/** Per device: a table of +/~/- per table, then the first changes in the intent's terms. */
function printReport(r: DeviceReport, verb: string, shown = 20): void {
  const perTable = new Map<string, Record<string, number>>();
  const count = (c: Change, column: string) => {
    const row = perTable.get(c.table) ?? { '+': 0, '~': 0, '-': 0, drift: 0 };
    row[column]++;
    perTable.set(c.table, row);
  };
  for (const c of r.changes) count(c, SIGN[c.kind]);
  for (const c of r.diff.drift) if (!r.changes.includes(c)) count(c, 'drift');
  console.log(
    `${r.device}: program ${r.pipeline}${r.programMismatch ? ` (${r.programMismatch})` : ''}; ${r.diff.unchanged} unchanged, ${r.changes.length} change(s) ${verb}` +
      (r.diff.drift.length > 0 ? `, ${r.diff.drift.length} not in the intent (drift)` : ''),
  );
  if (perTable.size > 0) {
    const t = new Table({ head: ['table', '+', '~', '-', 'drift'] });
    for (const [table, row] of perTable) t.push([table, row['+'], row['~'], row['-'], row.drift]);
    console.log(t.toString());
  }
  const lines = [...r.changes, ...r.diff.drift.filter((c) => !r.changes.includes(c))];
  for (const c of lines.slice(0, shown))
    console.log(`  ${r.changes.includes(c) ? SIGN[c.kind] : '!'} ${c.table}: ${c.owner}`);
  if (lines.length > shown) console.log(`  ... and ${lines.length - shown} more (--json lists them all)`);
}

/** Plans every device offline (no connection): checks the intent and each table's capacity. */
async function offlinePlan(targets: DeviceTarget[]): Promise<void> {
  const index = new P4InfoIndex((await vtepProgram()).p4info);
  const problems: string[] = [];
  for (const t of targets) {
    const plan = planDevice(t);
    problems.push(...capacityProblems(index, plan.entities).map((p) => `device ${t.name}: ${p}`));
    const summary = new Map<string, number>();
    for (const e of plan.entities) {
      const key = e.kind === 'table' ? e.table : e.kind;
      summary.set(key, (summary.get(key) ?? 0) + 1);
    }
    const table = new Table({ head: ['table / object', 'entries'] });
    for (const [k, n] of summary) table.push([k, n]);
    if (targets.length > 1) console.log(`${t.name}:`);
    console.log(table.toString());
    console.log(`plan for ${plan.tenants.length} tenant(s) is valid; nothing written (--dry-run)`);
  }
  if (problems.length > 0) throw new IntentError(problems);
}

async function run(positional: string | undefined, o: FabricFlags, mode: 'apply' | 'diff'): Promise<void> {
  const loaded = fabricFile(positional, o);
  const targets = deviceTargets(loaded, connectOptions(o));
  if (mode === 'apply' && o.dryRun) return offlinePlan(targets);
  const progress = new Map<string, string>();
  const outcomes = await reconcileFabric(targets, {
    dryRun: mode === 'diff',
    prune: o.prune === true,
    atomic: o.atomic === true,
    force: o.force === true,
    onDeviceProgress: (device, done, total) => {
      const line = `${device}: ${done}/${total} writes`;
      // Only long applies report progress (a line per 10,000 writes).
      if (total > 10_000 && progress.get(device) !== line && !o.json) console.error(line);
      progress.set(device, line);
    },
  });
  if (o.json) console.log(JSON.stringify({ file: loaded.file, devices: outcomes.map(reportJson) }, null, 2));
  else {
    for (const out of outcomes) {
      if (out.ok) printReport(out.report, mode === 'diff' ? 'to write' : 'written');
      else console.error(`genevectl: ${out.device}: ${out.error.message}`);
    }
    if (mode === 'apply' && outcomes.every((x) => x.ok)) {
      const reports = outcomes.map((x) => (x as { report: DeviceReport }).report);
      const entities = reports.reduce((n, r) => n + r.plan.entities.length, 0);
      const tenants = new Set(reports.flatMap((r) => r.plan.tenants.map((t) => t.vni))).size;
      const written = reports.reduce((n, r) => n + r.written, 0);
      console.log(
        `applied ${loaded.file}: ${entities} entities for ${tenants} tenant(s) on ${reports.length} device(s), ${written} written`,
      );
    }
  }
  if (outcomes.some((x) => !x.ok)) process.exitCode = EXIT.REFUSED;
}

function fabricOptions(cmd: Command): Command {
  return withConnection(cmd)
    .option('-f, --file <fabric>', 'fabric file (YAML or JSON)')
    .option('--json', 'print the result as JSON')
    .option('--prune', 'also delete entries the intent does not own (drift)')
    .option('--force', 'replace a program other than the VTEP (wipes that device)');
}

export function registerFabricCommands(program: Command): void {
  withConnection(program.command('push'))
    .description('install the VTEP program (bmv2/geneve_vtep.json and its P4Info) on a P4Runtime target')
    .action(async (o: ConnectFlags) => {
      const device = await openDevice(o, { write: true });
      try {
        await pushProgram(device.client, await vtepProgram());
        console.log(`pushed the Geneve VTEP program to ${device.conn.address}`);
      } finally {
        device.client.close();
      }
    });

  fabricOptions(program.command('apply [fabric]'))
    .description('make every device of the fabric hold what the file says, writing only the difference')
    .option('--dry-run', 'check and plan the intent offline, print the entries per table, write nothing')
    .option('--atomic', 'put a device back as it was when a write fails')
    .action((file: string | undefined, o: FabricFlags) => run(file, o, 'apply'));

  fabricOptions(program.command('diff [fabric]'))
    .description(
      'show, per device and table, what apply would write (+ insert, ~ modify, - delete) and drift',
    )
    .action((file: string | undefined, o: FabricFlags) => run(file, o, 'diff'));

  withConnection(program.command('counters'))
    .description('drop counters by reason, and tunnelled traffic per tenant (slots read from the device)')
    .option('--fabric <file>', 'fabric file whose tenant names to show')
    .option('--json', 'print JSON: drops by reason, traffic per tenant')
    .action(async (o: ConnectFlags & { fabric?: string; json?: boolean }) => {
      if (o.fabric) checkInputFile(o.fabric, 'fabric file');
      // Counters are reads: no arbitration, no disturbing the controller in charge.
      const device = await openDevice(o);
      const controller = new VtepController(device.client);
      try {
        // Names come from the P4Info of the program the target runs.
        await device.p4info();
        const dropCounts = await controller.dropCounters();
        const names = new Map<number, string>();
        if (o.fabric) {
          const loaded = loadFabric(o.fabric);
          if (loaded.format === 'fabric') for (const t of loaded.fabric.tenants) names.set(t.vni, t.name);
          else for (const t of loaded.intent.tenants) names.set(t.vni, t.name ?? `VNI ${t.vni}`);
        }
        const traffic = await controller.tenantTrafficOnDevice(names);
        if (o.json) {
          say(toJson({ drops: dropCounts, tenants: traffic }));
          return;
        }
        const drops = new Table({ head: ['drop reason', 'packets', 'bytes'] });
        for (const [reason, c] of Object.entries(dropCounts)) {
          drops.push([reason, c.packets.toString(), c.bytes.toString()]);
        }
        console.log(drops.length > 0 ? drops.toString() : 'no drops');
        const tenants = new Table({
          head: [
            'tenant',
            'VNI',
            'slot',
            'from network (pkts/bytes)',
            'to network (pkts/bytes)',
            'ARP/ND answered',
          ],
        });
        for (const t of traffic) {
          tenants.push([
            t.name,
            t.vni,
            t.slot,
            `${t.fromNetwork.packets} / ${t.fromNetwork.bytes}`,
            `${t.toNetwork.packets} / ${t.toNetwork.bytes}`,
            t.neighborAnswers ? t.neighborAnswers.packets.toString() : '-',
          ]);
        }
        console.log(tenants.length > 0 ? tenants.toString() : 'no tenants on the device');
      } catch (error) {
        if (error instanceof P4InfoLookupError)
          throw refusedError(`${device.where} runs another program than the Geneve VTEP: ${error.message}`);
        throw error;
      } finally {
        controller.client.close();
      }
    });
}
