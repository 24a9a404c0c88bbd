/**
 * `genevectl counter|meter|register|profile`: indexed externs and action profiles of any
 * program, by the names in the device's P4Info.
 */
import type { Command } from 'commander';
import {
  type CounterValues,
  type MeterConfigValues,
  type P4DataValue,
  type P4InfoIndex,
  P4RuntimeWriteError,
  type p4,
  type TableEntryData,
  type TableInfo,
} from 'p4runtime-ts-grpc';
import { addDeviceOptions, type Device, type DeviceFlags } from '../connection.js';
import { refusedError, usageError } from '../errors.js';
import { renderTable, say, toJson } from '../output.js';
import { collect, entryRecord, formatAssignments, parseAssignments, parseMatch } from '../values.js';
import { explainWrite, tableDecodeOptions, withDevice } from './table.js';

function index(value: string | undefined, size: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) >= size)
    throw usageError(`${what}: index must be 0..${size - 1}, got '${value}'`);
  return Number(value);
}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${name} must be a whole number, got '${value}'`);
  return Number(value);
}

interface Sample {
  label: string;
  packets: bigint;
  bytes: bigint;
}

async function readCounter(device: Device, name: string, at: string | undefined): Promise<Sample[]> {
  const info = await device.p4info();
  const counter = info.counters.find(name);
  const out: Sample[] = [];
  if (counter) {
    const i = index(at, counter.size, `counter ${counter.name}`);
    await device.call(`counter ${counter.name} (Read)`, async (ms) => {
      for await (const e of device.client.read(
        device.client.counterEntry(counter.id, i !== undefined ? { index: i } : {}),
        { timeoutMs: ms },
      ))
        if (e.kind === 'counterEntry') out.push({ label: String(e.index), ...e.data });
    });
    return out.sort((a, b) => Number(a.label) - Number(b.label));
  }
  // A direct counter, named by itself or by its table: one cell per entry.
  const direct = info.directCounters.find(name) ?? info.tables.find(name)?.directCounter;
  if (!direct) info.counters.get(name); // throws: unknown counter, with suggestions
  const table = info.tables.get(direct!.tableId);
  await device.call(`direct counter ${direct!.name} (Read)`, async (ms) => {
    for await (const e of device.client.read(device.client.directCounterEntry(table.id), {
      timeoutMs: ms,
      ...tableDecodeOptions(table),
    }))
      if (e.kind === 'directCounterEntry')
        out.push({
          label: formatAssignments(entryRecord(table, e.tableEntry as TableEntryData).match) || '(default)',
          ...(e.data as CounterValues),
        });
  });
  return out;
}

/** The table of a direct meter named by itself or by its table. */
function directMeterTable(info: P4InfoIndex, name: string): TableInfo {
  const direct = info.directMeters.find(name);
  if (direct) return info.tables.get(direct.tableId);
  const table = info.tables.find(name);
  if (table?.directMeter) return table;
  if (table) throw usageError(`table ${table.name} has no direct meter`);
  info.meters.get(name); // throws: unknown meter, with suggestions
  throw usageError(`unknown meter '${name}'`);
}

function rate(now: bigint, before: bigint | undefined, seconds: number): string {
  if (before === undefined) return '';
  return (Number(now - before) / seconds).toFixed(1);
}

export function registerEntityCommands(program: Command): void {
  const counter = program.command('counter').description('indexed and direct counters');
  addDeviceOptions(
    counter
      .command('read <name>')
      .description('counter cells (name of a counter, a direct counter or its table); --watch adds rates')
      .option('--index <i>', 'one cell')
      .option('--watch <seconds>', 'read again every SECONDS, with packets/s and bytes/s')
      .option('--count <n>', 'with --watch: stop after N readings')
      .option('--nonzero', 'only cells that counted something')
      .option('--json', 'print JSON (one line per reading with --watch)'),
  ).action(
    async (
      name: string,
      o: DeviceFlags & { index?: string; watch?: string; count?: string; nonzero?: boolean; json?: boolean },
    ) => {
      const period = o.watch !== undefined ? Number(o.watch) : undefined;
      if (period !== undefined && !(period > 0))
        throw usageError(`--watch must be a number of seconds above 0, got '${o.watch}'`);
      const count = whole('--count', o.count) ?? (period === undefined ? 1 : Number.POSITIVE_INFINITY);
      await withDevice(o, {}, async (device) => {
        let previous: Map<string, Sample> | undefined;
        let last = 0;
        for (let n = 0; n < count; n++) {
          if (n > 0) await new Promise((r) => setTimeout(r, period! * 1000));
          const started = Date.now();
          const samples = (await readCounter(device, name, o.index)).filter(
            (s) => !o.nonzero || s.packets > 0n || s.bytes > 0n,
          );
          const elapsed = previous ? (started - last) / 1000 : 0;
          last = started;
          const rows = samples.map((s) => {
            const before = previous?.get(s.label);
            return {
              cell: s.label,
              packets: s.packets,
              bytes: s.bytes,
              ...(period !== undefined
                ? {
                    packetsPerSecond: rate(s.packets, before?.packets, elapsed),
                    bytesPerSecond: rate(s.bytes, before?.bytes, elapsed),
                  }
                : {}),
            };
          });
          previous = new Map(samples.map((s) => [s.label, s]));
          if (o.json)
            say(
              period !== undefined
                ? JSON.stringify(JSON.parse(toJson({ counter: name, cells: rows })))
                : toJson(rows),
            );
          else
            say(
              renderTable(
                ['cell', 'packets', 'bytes', ...(period !== undefined ? ['packets/s', 'bytes/s'] : [])],
                rows.map((r) => [
                  r.cell,
                  String(r.packets),
                  String(r.bytes),
                  ...(period !== undefined ? [r.packetsPerSecond ?? '', r.bytesPerSecond ?? ''] : []),
                ]),
              ) + (period !== undefined ? '\n' : ''),
            );
        }
      });
    },
  );

  addDeviceOptions(
    counter
      .command('reset <name>')
      .description('set counter cells to zero (a counter, a direct counter or its table)')
      .option('--index <i>', 'one cell'),
  ).action(async (name: string, o: DeviceFlags & { index?: string }) =>
    withDevice(o, { write: true }, async (device) => {
      const info = await device.p4info();
      const zero = { packets: 0, bytes: 0 };
      const indexed = info.counters.find(name);
      let entities: p4.v1.IEntity[];
      let what: string;
      if (indexed) {
        const i = index(o.index, indexed.size, `counter ${indexed.name}`);
        const cells = i !== undefined ? [i] : Array.from({ length: indexed.size }, (_, n) => n);
        entities = cells.map((n) => device.client.counterEntry(indexed.id, { index: n, data: zero }));
        what = `counter ${indexed.name}`;
      } else {
        const direct = info.directCounters.find(name) ?? info.tables.find(name)?.directCounter;
        if (!direct) info.counters.get(name); // throws: unknown counter, with suggestions
        if (o.index !== undefined)
          throw usageError('--index is for indexed counters; a direct counter has a cell per entry');
        const table = info.tables.get(direct!.tableId);
        entities = [];
        await device.call(`the entries of table ${table.name} (Read)`, async (ms) => {
          for await (const e of device.client.readRaw(device.client.tableEntry(table.id), { timeoutMs: ms }))
            if (e.tableEntry && !e.tableEntry.isDefaultAction)
              entities.push({
                directCounterEntry: {
                  tableEntry: {
                    tableId: table.id,
                    match: e.tableEntry.match,
                    priority: e.tableEntry.priority,
                  },
                  data: { packetCount: 0, byteCount: 0 },
                },
              });
        });
        what = `direct counter ${direct!.name}`;
      }
      await device
        .call(`the reset of ${what}`, (ms) => device.client.modify(entities, { timeoutMs: ms }))
        .catch((e: unknown) => {
          throw explainWrite(e, device);
        });
      say(`reset ${entities.length} cell(s) of ${what}`);
    }),
  );

  const meter = program
    .command('meter')
    .description('indexed and direct meters (rates in the meter unit per second)');
  addDeviceOptions(
    meter
      .command('read <name>')
      .description('meter configuration per cell (a meter, or a direct meter or its table: per entry)')
      .option('--index <i>', 'one cell of an indexed meter')
      .option('--json', 'print JSON'),
  ).action(async (name: string, o: DeviceFlags & { index?: string; json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const info = await device.p4info();
      const rows: { cell: string; cir?: bigint; cburst?: bigint; pir?: bigint; pburst?: bigint }[] = [];
      const config = (c: MeterConfigValues | undefined) =>
        c ? { cir: c.cir, cburst: c.cburst, pir: c.pir, pburst: c.pburst } : {};
      const indexed = info.meters.find(name);
      if (indexed) {
        const i = index(o.index, indexed.size, `meter ${indexed.name}`);
        await device.call(`meter ${indexed.name} (Read)`, async (ms) => {
          for await (const e of device.client.read(
            device.client.meterEntry(indexed.id, i !== undefined ? { index: i } : {}),
            { timeoutMs: ms },
          ))
            if (e.kind === 'meterEntry') rows.push({ cell: String(e.index), ...config(e.config) });
        });
        rows.sort((a, b) => Number(a.cell) - Number(b.cell));
      } else {
        const table = directMeterTable(info, name);
        await device.call(`direct meter of table ${table.name} (Read)`, async (ms) => {
          for await (const e of device.client.read(device.client.directMeterEntry(table.id), {
            timeoutMs: ms,
            ...tableDecodeOptions(table),
          }))
            if (e.kind === 'directMeterEntry')
              rows.push({
                cell: formatAssignments(entryRecord(table, e.tableEntry as TableEntryData).match),
                ...config(e.config),
              });
        });
      }
      if (o.json) say(toJson(rows));
      else
        say(
          renderTable(
            ['cell', 'cir', 'cburst', 'pir', 'pburst'],
            rows.map((r) =>
              r.cir === undefined
                ? [r.cell, 'unset (no limit)', '', '', '']
                : [r.cell, String(r.cir), String(r.cburst), String(r.pir), String(r.pburst)],
            ),
          ),
        );
    }),
  );
  addDeviceOptions(
    meter
      .command('set <name>')
      .description(
        'configure a meter cell (two-rate three-colour): --index for a meter, --match for the entry of a direct meter',
      )
      .option('--index <i>', 'cell of an indexed meter')
      .option('--match <field=value>', 'key of the entry (direct meters; repeat)', collect)
      .option('--priority <n>', 'priority of the entry (direct meters)')
      .requiredOption('--cir <rate>', 'committed rate (units/s)')
      .requiredOption('--cburst <size>', 'committed burst')
      .requiredOption('--pir <rate>', 'peak rate (units/s)')
      .requiredOption('--pburst <size>', 'peak burst'),
  ).action(
    async (
      name: string,
      o: DeviceFlags &
        Record<'cir' | 'cburst' | 'pir' | 'pburst', string> & {
          index?: string;
          match?: string[];
          priority?: string;
        },
    ) =>
      withDevice(o, { write: true }, async (device) => {
        const info = await device.p4info();
        const config = {
          cir: whole('--cir', o.cir)!,
          cburst: whole('--cburst', o.cburst)!,
          pir: whole('--pir', o.pir)!,
          pburst: whole('--pburst', o.pburst)!,
        };
        const indexed = info.meters.find(name);
        let entity: p4.v1.IEntity;
        let what: string;
        if (indexed) {
          if (o.index === undefined) throw usageError(`meter ${indexed.name}: give --index`);
          const i = index(o.index, indexed.size, `meter ${indexed.name}`)!;
          entity = device.client.meterEntry(indexed.id, { index: i, config });
          what = `meter ${indexed.name}[${i}]`;
        } else {
          const table = directMeterTable(info, name);
          if (o.match === undefined)
            throw usageError(`direct meter of table ${table.name}: give --match for the entry`);
          const priority = whole('--priority', o.priority);
          entity = device.client.directMeterEntry(
            table.id,
            { match: parseMatch(table, o.match), ...(priority !== undefined ? { priority } : {}) },
            config,
          );
          what = `direct meter of ${table.name} ${o.match.join(' ')}`;
        }
        await device
          .call(`${what} (MODIFY)`, (ms) => device.client.modify([entity], { timeoutMs: ms }))
          .catch((e: unknown) => {
            throw explainWrite(e, device);
          });
        say(`${what}: cir ${config.cir} cburst ${config.cburst} pir ${config.pir} pburst ${config.pburst}`);
      }),
  );

  const register = program
    .command('register')
    .description('register arrays (not served by bmv2 simple_switch_grpc)');
  const registerHint = (device: Device) => (error: unknown) => {
    // UNIMPLEMENTED (12), for the whole RPC or for each update of a write.
    const code = (error as { cause?: { code?: number } }).cause?.code;
    const perUpdate = error instanceof P4RuntimeWriteError && error.failures.some((f) => f.code === 12);
    if (code === 12 || perUpdate)
      throw refusedError(
        `${device.where} does not serve registers over P4Runtime (bmv2 simple_switch_grpc does not implement RegisterEntry); use its Thrift CLI: simple_switch_CLI register_read / register_write`,
      );
    throw error;
  };
  addDeviceOptions(
    register
      .command('read <name>')
      .description('register cells')
      .option('--index <i>', 'one cell')
      .option('--json', 'print JSON'),
  ).action(async (name: string, o: DeviceFlags & { index?: string; json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const info = (await device.p4info()).registers.get(name);
      const i = index(o.index, info.size, `register ${info.name}`);
      const rows: { index: number; value: P4DataValue | undefined }[] = [];
      await device
        .call(`register ${info.name} (Read)`, async (ms) => {
          for await (const e of device.client.read(
            device.client.registerEntry(info.id, i !== undefined ? { index: i } : {}),
            { timeoutMs: ms },
          ))
            if (e.kind === 'registerEntry') rows.push({ index: e.index, value: e.value });
        })
        .catch(registerHint(device));
      rows.sort((a, b) => a.index - b.index);
      if (o.json) say(toJson(rows));
      else
        say(
          renderTable(
            ['index', 'value'],
            rows.map((r) => [
              String(r.index),
              typeof r.value === 'object' && r.value !== null
                ? toJson(r.value).replace(/\s+/g, ' ')
                : String(r.value),
            ]),
          ),
        );
    }),
  );
  addDeviceOptions(
    register
      .command('write <name> <value>')
      .description('set a register cell (VALUE: a number, or JSON for structs)')
      .requiredOption('--index <i>', 'cell'),
  ).action(async (name: string, value: string, o: DeviceFlags & { index: string }) =>
    withDevice(o, { write: true }, async (device) => {
      const info = (await device.p4info()).registers.get(name);
      const i = index(o.index, info.size, `register ${info.name}`)!;
      let parsed: P4DataValue = value;
      if (/^[[{]/.test(value.trim())) {
        try {
          parsed = JSON.parse(value) as P4DataValue;
        } catch (error) {
          throw usageError(`register value '${value}': ${(error as Error).message}`);
        }
      }
      const entity = device.client.registerEntry(info.id, { index: i, value: parsed });
      await device
        .call(`register ${info.name} (MODIFY)`, (ms) => device.client.modify([entity], { timeoutMs: ms }))
        .catch(registerHint(device))
        .catch((e: unknown) => {
          throw explainWrite(e, device);
        });
      say(`register ${info.name}[${i}] = ${value}`);
    }),
  );

  registerProfileCommands(program);
}

function registerProfileCommands(program: Command): void {
  const profile = program
    .command('profile')
    .description('action profile members and groups (action selectors)');
  addDeviceOptions(
    profile
      .command('members <profile>')
      .description('members of an action profile')
      .option('--json', 'print JSON'),
  ).action(async (name: string, o: DeviceFlags & { json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const info = (await device.p4info()).actionProfiles.get(name);
      const rows: { member: number; action: string; params: Record<string, string> }[] = [];
      await device.call(`members of action profile ${info.name} (Read)`, async (ms) => {
        for await (const e of device.client.read(device.client.actionProfileMember(info.id), {
          timeoutMs: ms,
          format: 'smart',
        }))
          if (e.kind === 'actionProfileMember')
            rows.push({
              member: e.memberId,
              action: e.action ?? '',
              params: Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, String(v)])),
            });
      });
      rows.sort((a, b) => a.member - b.member);
      if (o.json) say(toJson(rows));
      else
        say(
          renderTable(
            ['member', 'action', 'params'],
            rows.map((r) => [String(r.member), r.action, formatAssignments(r.params)]),
          ),
        );
    }),
  );
  for (const [verb, write] of [
    ['add-member', 'insert'],
    ['modify-member', 'modify'],
  ] as const)
    addDeviceOptions(
      profile
        .command(`${verb} <profile> <member>`)
        .description(`${write === 'insert' ? 'add' : 'change'} a member: an action with its parameters`)
        .requiredOption('--action <name>', 'action')
        .option('--param <name=value>', 'action parameter (repeat)', collect),
    ).action(async (name: string, member: string, o: DeviceFlags & { action: string; param?: string[] }) =>
      withDevice(o, { write: true }, async (device) => {
        const info = (await device.p4info()).actionProfiles.get(name);
        const memberId = whole('member id', member)!;
        const params = parseAssignments(o.param, `action ${o.action} param`);
        const entity = device.client.actionProfileMember(info.id, { memberId, action: o.action, params });
        await device
          .call(`member ${memberId} of ${info.name}`, (ms) =>
            device.client[write]([entity], { timeoutMs: ms }),
          )
          .catch((e: unknown) => {
            throw explainWrite(e, device);
          });
        say(
          `member ${memberId} of ${info.name}: ${o.action}(${formatAssignments(params).replaceAll(' ', ', ')})`,
        );
      }),
    );
  addDeviceOptions(profile.command('delete-member <profile> <member>').description('delete a member')).action(
    async (name: string, member: string, o: DeviceFlags) =>
      withDevice(o, { write: true }, async (device) => {
        const info = (await device.p4info()).actionProfiles.get(name);
        const memberId = whole('member id', member)!;
        await device
          .call(`member ${memberId} of ${info.name} (DELETE)`, (ms) =>
            device.client.delete([device.client.actionProfileMember(info.id, { memberId })], {
              timeoutMs: ms,
            }),
          )
          .catch((e: unknown) => {
            throw explainWrite(e, device);
          });
        say(`deleted member ${memberId} of ${info.name}`);
      }),
  );
  addDeviceOptions(
    profile
      .command('groups <profile>')
      .description('groups of an action selector')
      .option('--json', 'print JSON'),
  ).action(async (name: string, o: DeviceFlags & { json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const info = (await device.p4info()).actionProfiles.get(name);
      const rows: { group: number; members: number[]; maxSize: number }[] = [];
      await device.call(`groups of action profile ${info.name} (Read)`, async (ms) => {
        for await (const e of device.client.read(device.client.actionProfileGroup(info.id), {
          timeoutMs: ms,
        }))
          if (e.kind === 'actionProfileGroup')
            rows.push({ group: e.groupId, members: e.members.map((m) => m.memberId), maxSize: e.maxSize });
      });
      rows.sort((a, b) => a.group - b.group);
      if (o.json) say(toJson(rows));
      else
        say(
          renderTable(
            ['group', 'members', 'max size'],
            rows.map((r) => [String(r.group), r.members.join(' '), String(r.maxSize)]),
          ),
        );
    }),
  );
  for (const [verb, write] of [
    ['add-group', 'insert'],
    ['modify-group', 'modify'],
  ] as const)
    addDeviceOptions(
      profile
        .command(`${verb} <profile> <group>`)
        .description(`${write === 'insert' ? 'add' : 'change'} a group of members`)
        .option('--member <id>', 'member (repeat, or 1,2,3)', collect)
        .option('--max-size <n>', 'largest number of members the group may get'),
    ).action(async (name: string, group: string, o: DeviceFlags & { member?: string[]; maxSize?: string }) =>
      withDevice(o, { write: true }, async (device) => {
        const info = (await device.p4info()).actionProfiles.get(name);
        const groupId = whole('group id', group)!;
        const members = (o.member ?? [])
          .flatMap((m) => m.split(','))
          .map((m) => whole('--member', m.trim())!);
        const maxSize = whole('--max-size', o.maxSize);
        const entity = device.client.actionProfileGroup(info.id, {
          groupId,
          members,
          ...(maxSize !== undefined ? { maxSize } : {}),
        });
        await device
          .call(`group ${groupId} of ${info.name}`, (ms) => device.client[write]([entity], { timeoutMs: ms }))
          .catch((e: unknown) => {
            throw explainWrite(e, device);
          });
        say(`group ${groupId} of ${info.name}: members ${members.join(' ') || '(none)'}`);
      }),
    );
  addDeviceOptions(profile.command('delete-group <profile> <group>').description('delete a group')).action(
    async (name: string, group: string, o: DeviceFlags) =>
      withDevice(o, { write: true }, async (device) => {
        const info = (await device.p4info()).actionProfiles.get(name);
        const groupId = whole('group id', group)!;
        await device
          .call(`group ${groupId} of ${info.name} (DELETE)`, (ms) =>
            device.client.delete([device.client.actionProfileGroup(info.id, { groupId })], { timeoutMs: ms }),
          )
          .catch((e: unknown) => {
            throw explainWrite(e, device);
          });
        say(`deleted group ${groupId} of ${info.name}`);
      }),
  );
}
