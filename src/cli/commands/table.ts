/**
 * `genevectl table list|dump|add|modify|delete|default|clear|count|load`: match-action tables of
 * any program, by the names in the device's P4Info, with values in the forms operators type.
 */
import type { Command } from 'commander';
import {
  type BitField,
  type P4InfoIndex,
  P4RuntimeWriteError,
  type p4,
  type TableEntryData,
  type TableEntrySpec,
  type TableInfo,
} from 'p4runtime-ts-grpc';
import { addDeviceOptions, type Device, type DeviceFlags, openDevice } from '../connection.js';
import { loadEntryFile } from '../entry-file.js';
import { refusedError, usageError } from '../errors.js';
import { note, renderTable, say, toJson } from '../output.js';
import {
  collect,
  decodeOptionsFor,
  type EntryRecord,
  entryKey,
  entryRecord,
  formatAssignments,
  parseAssignments,
  parseMatch,
} from '../values.js';

interface EntryFlags extends DeviceFlags {
  match?: string[];
  action?: string;
  param?: string[];
  priority?: string;
  ttl?: string;
  member?: string;
  group?: string;
  json?: boolean;
}

/** Runs `work` with a connected device and closes it afterwards. */
export async function withDevice<T>(
  flags: DeviceFlags,
  mode: { write?: boolean; stream?: boolean },
  work: (device: Device) => Promise<T>,
): Promise<T> {
  const device = await openDevice(flags, mode);
  try {
    return await work(device);
  } finally {
    device.close();
  }
}

function wholeNumber(name: string, value: string | undefined, max = 2 ** 31 - 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw usageError(`${name} must be a whole number 0..${max}, got '${value}'`);
  return Number(value);
}

/** Decode options rendering a table's addresses as addresses. */
export function tableDecodeOptions(table: TableInfo) {
  const fields: BitField[] = [...table.matchFields];
  for (const a of table.actions) fields.push(...a.params);
  return decodeOptionsFor(fields);
}

/** Builds the client's entry description from a printed/loadable record. */
export function specFromRecord(table: TableInfo, record: Omit<EntryRecord, 'table'>): TableEntrySpec {
  const match = parseMatch(
    table,
    Object.entries(record.match ?? {}).map(([k, v]) => `${k}=${v}`),
  );
  return {
    match,
    ...(record.action !== undefined ? { action: record.action, params: record.params ?? {} } : {}),
    ...(record.member !== undefined ? { member: record.member } : {}),
    ...(record.group !== undefined ? { group: record.group } : {}),
    ...(record.priority !== undefined ? { priority: record.priority } : {}),
    ...(record.ttl !== undefined ? { idleTimeoutNs: BigInt(record.ttl) * 1_000_000n } : {}),
  };
}

function recordFromFlags(table: TableInfo, o: EntryFlags, needAction: boolean): Omit<EntryRecord, 'table'> {
  const params = parseAssignments(o.param, `action ${o.action ?? ''} param`);
  if (needAction && o.action === undefined && o.member === undefined && o.group === undefined)
    throw usageError(
      `table ${table.name}: give --action NAME (one of ${[...table.actions].map((a) => a.name).join(', ')})`,
    );
  if (o.action === undefined && o.param !== undefined) throw usageError('--param given without --action');
  return {
    match: parseAssignments(o.match, `table ${table.name} match`),
    ...(o.action !== undefined ? { action: o.action, params } : {}),
    ...(o.member !== undefined ? { member: wholeNumber('--member', o.member) } : {}),
    ...(o.group !== undefined ? { group: wholeNumber('--group', o.group) } : {}),
    ...(o.priority !== undefined ? { priority: wholeNumber('--priority', o.priority) } : {}),
    ...(o.ttl !== undefined ? { ttl: wholeNumber('--ttl', o.ttl, 2 ** 52) } : {}),
  };
}

/** One line per failed update, for single-entry commands. */
export function explainWrite(error: unknown, device: Device): unknown {
  if (!(error instanceof P4RuntimeWriteError)) return error;
  const f = error.failures[0];
  const batch = error.batchErrors[0];
  if (f) {
    const hint =
      f.codeName === 'ALREADY_EXISTS'
        ? " (use 'table modify' to change it)"
        : f.codeName === 'NOT_FOUND' && f.entity.startsWith('table ')
          ? " (no such entry: 'table dump' lists them)"
          : '';
    const more = error.failures.length > 1 ? `; and ${error.failures.length - 1} more failed` : '';
    return refusedError(
      `${device.where} refused ${f.type} ${f.entity}: ${f.codeName}: ${f.message}${hint}${more}`,
    );
  }
  if (batch) return refusedError(`${device.where} refused the write: ${batch.message}`);
  return refusedError(error.message.split('\n')[0]);
}

/** Reads a table's entries (or all tables'), decoded for printing. */
export async function readEntries(
  device: Device,
  index: P4InfoIndex,
  table: TableInfo | undefined,
  spec: TableEntrySpec | undefined,
  withCounters = false,
): Promise<EntryRecord[]> {
  const tables = table ? [table] : [...index.tables];
  const out: EntryRecord[] = [];
  for (const t of tables) {
    const filter = device.client.tableEntry(
      t.id,
      spec?.match ? { match: spec.match, ...(spec.priority ? { priority: spec.priority } : {}) } : undefined,
    );
    if (withCounters && t.directCounter) (filter.tableEntry as p4.v1.ITableEntry).counterData = {};
    const decode = tableDecodeOptions(t);
    await device.call(`the entries of table ${t.name} (Read)`, async (ms) => {
      for await (const e of device.client.read(filter, { timeoutMs: ms, ...decode }))
        if (e.kind === 'tableEntry' && !e.isDefaultAction) out.push(entryRecord(t, e as TableEntryData));
    });
  }
  return out;
}

function entryRows(records: readonly EntryRecord[], showTable: boolean, counters: boolean): string[][] {
  return records.map((r) => [
    ...(showTable ? [r.table] : []),
    formatAssignments(r.match) || '(all)',
    r.action !== undefined
      ? `${r.action.replace(/^.*\./, '')}(${formatAssignments(r.params).replaceAll(' ', ', ')})`
      : r.member !== undefined
        ? `member ${r.member}`
        : `group ${r.group}`,
    r.priority !== undefined ? String(r.priority) : '',
    ...(counters ? [r.counter ? `${r.counter.packets} / ${r.counter.bytes}` : ''] : []),
  ]);
}

function registerEntryCommand(
  table: Command,
  name: string,
  description: string,
  write: 'insert' | 'modify',
): void {
  addDeviceOptions(
    table
      .command(`${name} <table>`)
      .description(description)
      .option('--match <field=value>', "key field value (repeat, or a=1,b=2); * for don't care", collect)
      .option('--action <name>', 'action to run on a hit')
      .option('--param <name=value>', 'action parameter (repeat)', collect)
      .option('--member <id>', 'action profile member (tables with an action profile)')
      .option('--group <id>', 'action profile group (tables with an action selector)')
      .option('--priority <n>', 'priority (tables with ternary, range or optional keys; higher wins)')
      .option('--ttl <ms>', 'idle timeout in ms (tables with support_timeout)'),
  ).action(async (tableName: string, o: EntryFlags) =>
    withDevice(o, { write: true }, async (device) => {
      const index = await device.p4info();
      const t = index.tables.get(tableName);
      const record = recordFromFlags(t, o, true);
      const entity = device.client.tableEntry(t.id, specFromRecord(t, record));
      await device
        .call(`the ${write === 'insert' ? 'INSERT' : 'MODIFY'} of an entry of table ${t.name}`, (ms) =>
          device.client[write]([entity], { timeoutMs: ms }),
        )
        .catch((e: unknown) => {
          throw explainWrite(e, device);
        });
      say(`${write === 'insert' ? 'added' : 'modified'} ${t.name} ${formatAssignments(record.match)}`);
    }),
  );
}

export function registerTableCommands(program: Command): void {
  const table = program
    .command('table')
    .description('match-action tables of the running program (names from its P4Info)');

  addDeviceOptions(
    table
      .command('list')
      .description('tables with their keys, sizes and number of entries')
      .option('--json', 'print JSON'),
  ).action(async (o: DeviceFlags & { json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const index = await device.p4info();
      const counts = new Map<number, number>();
      await device.call('the entries of every table (Read)', async (ms) => {
        for await (const e of device.client.readRaw({ tableEntry: {} }, { timeoutMs: ms })) {
          const id = e.tableEntry?.tableId ?? 0;
          if (!e.tableEntry?.isDefaultAction) counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      });
      const rows = [...index.tables].map((t) => ({
        table: t.name,
        key: t.matchFields.list.map((f) => `${f.name}:${f.matchKind}`).join(' '),
        entries: counts.get(t.id) ?? 0,
        size: t.size,
      }));
      if (o.json) say(toJson(rows));
      else
        say(
          renderTable(
            ['table', 'key', 'entries', 'size'],
            rows.map((r) => [r.table, r.key, String(r.entries), String(r.size)]),
          ),
        );
    }),
  );

  addDeviceOptions(
    table
      .command('dump [table]')
      .description('entries of a table (or of every table), in the forms they are typed')
      .option('--match <field=value>', 'only the entry with this key (repeat)', collect)
      .option('--priority <n>', 'with --match: the entry of this priority')
      .option('--counters', 'include direct counter values')
      .option('--json', 'print JSON (what table load takes back)'),
  ).action(async (tableName: string | undefined, o: EntryFlags & { counters?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const index = await device.p4info();
      const t = tableName !== undefined ? index.tables.get(tableName) : undefined;
      if (!t && o.match) throw usageError('--match needs a table name');
      const spec =
        t && o.match
          ? {
              match: parseMatch(t, o.match),
              ...(o.priority ? { priority: wholeNumber('--priority', o.priority) } : {}),
            }
          : undefined;
      const records = await readEntries(device, index, t, spec, o.counters === true);
      if (o.json) {
        say(toJson(records));
        return;
      }
      if (records.length === 0) {
        say(t ? `table ${t.name} is empty` : 'every table is empty');
        return;
      }
      say(
        renderTable(
          [
            ...(t ? [] : ['table']),
            'match',
            'action',
            'priority',
            ...(o.counters ? ['packets / bytes'] : []),
          ],
          entryRows(records, !t, o.counters === true),
        ),
      );
    }),
  );

  registerEntryCommand(table, 'add', 'insert an entry', 'insert');
  registerEntryCommand(table, 'modify', "change an entry's action or parameters", 'modify');

  addDeviceOptions(
    table
      .command('delete <table>')
      .description('delete the entry with this key')
      .option('--match <field=value>', 'key field value (repeat)', collect)
      .option('--priority <n>', 'priority of the entry (ternary, range, optional keys)'),
  ).action(async (tableName: string, o: EntryFlags) =>
    withDevice(o, { write: true }, async (device) => {
      const index = await device.p4info();
      const t = index.tables.get(tableName);
      const record = recordFromFlags(t, { ...o, action: undefined, param: undefined }, false);
      const entity = device.client.tableEntry(t.id, specFromRecord(t, record));
      await device
        .call(`the DELETE of an entry of table ${t.name}`, (ms) =>
          device.client.delete([entity], { timeoutMs: ms }),
        )
        .catch((e: unknown) => {
          throw explainWrite(e, device);
        });
      say(`deleted ${t.name} ${formatAssignments(record.match)}`);
    }),
  );

  addDeviceOptions(
    table
      .command('default <table>')
      .description('show the default action (miss), or set it with --action')
      .option('--action <name>', 'new default action')
      .option('--param <name=value>', 'action parameter (repeat)', collect)
      .option('--json', 'print JSON'),
  ).action(async (tableName: string, o: EntryFlags) => {
    const write = o.action !== undefined;
    return withDevice(o, { write }, async (device) => {
      const index = await device.p4info();
      const t = index.tables.get(tableName);
      if (write) {
        const params = parseAssignments(o.param, `action ${o.action} param`);
        const entity = device.client.defaultEntry(t.id, o.action, params);
        await device
          .call(`the default action of table ${t.name} (MODIFY)`, (ms) =>
            device.client.modify([entity], { timeoutMs: ms }),
          )
          .catch((e: unknown) => {
            throw explainWrite(e, device);
          });
        say(`default action of ${t.name}: ${o.action}(${formatAssignments(params).replaceAll(' ', ', ')})`);
        return;
      }
      let shown: EntryRecord | undefined;
      await device.call(`the default action of table ${t.name} (Read)`, async (ms) => {
        for await (const e of device.client.read(device.client.defaultEntry(t.id), {
          timeoutMs: ms,
          ...tableDecodeOptions(t),
        }))
          if (e.kind === 'tableEntry') shown = entryRecord(t, e);
      });
      if (o.json) say(toJson(shown ?? null));
      else if (!shown?.action) say(`table ${t.name} has no default action set`);
      else
        say(
          `default action of ${t.name}: ${shown.action}(${formatAssignments(shown.params).replaceAll(' ', ', ')})`,
        );
    });
  });

  addDeviceOptions(
    table.command('clear <table>').description('delete every entry of a table (not const entries)'),
  ).action(async (tableName: string, o: DeviceFlags) =>
    withDevice(o, { write: true }, async (device) => {
      const index = await device.p4info();
      const t = index.tables.get(tableName);
      if (t.isConst) throw refusedError(`table ${t.name} is const: its entries are part of the program`);
      const entities: p4.v1.IEntity[] = [];
      await device.call(`the entries of table ${t.name} (Read)`, async (ms) => {
        for await (const e of device.client.readRaw(device.client.tableEntry(t.id), { timeoutMs: ms }))
          if (e.tableEntry && !e.tableEntry.isDefaultAction && !e.tableEntry.isConst)
            entities.push({
              tableEntry: {
                tableId: e.tableEntry.tableId,
                match: e.tableEntry.match,
                priority: e.tableEntry.priority,
              },
            });
      });
      await device
        .call(`the DELETE of the entries of table ${t.name}`, (ms) =>
          device.client.delete(entities, { timeoutMs: ms }),
        )
        .catch((e: unknown) => {
          throw explainWrite(e, device);
        });
      say(`deleted ${entities.length} entr${entities.length === 1 ? 'y' : 'ies'} of ${t.name}`);
    }),
  );

  addDeviceOptions(
    table.command('count <table>').description('number of entries of a table').option('--json', 'print JSON'),
  ).action(async (tableName: string, o: DeviceFlags & { json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const index = await device.p4info();
      const t = index.tables.get(tableName);
      let n = 0;
      await device.call(`the entries of table ${t.name} (Read)`, async (ms) => {
        for await (const e of device.client.readRaw(device.client.tableEntry(t.id), { timeoutMs: ms }))
          if (!e.tableEntry?.isDefaultAction) n++;
      });
      if (o.json) say(toJson({ table: t.name, entries: n, size: t.size }));
      else say(`${n} (of ${t.size})`);
    }),
  );

  addDeviceOptions(
    table
      .command('load <file>')
      .description(
        'make tables hold the entries of a file (YAML, JSON or CSV; `table dump --json` output works): inserts what is missing, modifies what differs',
      )
      .option('--table <name>', 'table of CSV rows without a table column')
      .option('--prune', 'also delete entries of the same tables that are not in the file')
      .option('--dry-run', 'check the file and show what would change; write nothing')
      .option('--batch <n>', 'updates per write request', '1000')
      .option('--json', 'print the summary as JSON'),
  ).action(
    async (
      file: string,
      o: DeviceFlags & { table?: string; prune?: boolean; dryRun?: boolean; batch: string; json?: boolean },
    ) => {
      const batch = wholeNumber('--batch', o.batch, 100_000)!;
      if (batch < 1) throw usageError('--batch must be at least 1');
      const wanted = await loadEntryFile(file, o.table);
      await withDevice(o, { write: !o.dryRun }, async (device) => {
        const index = await device.p4info();
        const plan = await planLoad(device, index, wanted, file, o.prune === true);
        const summary = {
          file,
          insert: plan.inserts.length,
          modify: plan.modifies.length,
          delete: plan.deletes.length,
          unchanged: plan.unchanged,
        };
        if (!o.dryRun) await applyLoad(device, plan, batch);
        if (o.json) say(toJson({ ...summary, dryRun: o.dryRun === true }));
        else
          say(
            `${o.dryRun ? 'would insert' : 'inserted'} ${summary.insert}, ${o.dryRun ? 'modify' : 'modified'} ${summary.modify}, ${o.dryRun ? 'delete' : 'deleted'} ${summary.delete}, ${summary.unchanged} already as in ${file}`,
          );
      });
    },
  );
}

interface LoadPlan {
  inserts: p4.v1.IEntity[];
  modifies: p4.v1.IEntity[];
  deletes: p4.v1.IEntity[];
  unchanged: number;
}

async function planLoad(
  device: Device,
  index: P4InfoIndex,
  wanted: readonly { record: EntryRecord; where: string }[],
  file: string,
  prune: boolean,
): Promise<LoadPlan> {
  const plan: LoadPlan = { inserts: [], modifies: [], deletes: [], unchanged: 0 };
  const byTable = new Map<
    TableInfo,
    { record: EntryRecord; entity: p4.v1.IEntity; key: string; where: string }[]
  >();
  for (const { record, where } of wanted) {
    // Const entries come with the program; a dump lists them, a load leaves them alone.
    if (record.isConst) continue;
    try {
      const t = index.tables.get(record.table);
      const entity = device.client.tableEntry(t.id, specFromRecord(t, record));
      // Key and contents in the printed form, so that file and device compare alike.
      const normal = entryRecord(
        t,
        device.client.entities.decode(entity, tableDecodeOptions(t)) as TableEntryData,
      );
      const list = byTable.get(t) ?? [];
      list.push({ record: normal, entity, key: entryKey(normal), where });
      byTable.set(t, list);
    } catch (error) {
      throw usageError(`${where}: ${(error as Error).message}`);
    }
  }
  for (const [t, entries] of byTable) {
    const existing = new Map<string, EntryRecord>();
    for (const r of await readEntries(device, index, t, undefined)) existing.set(entryKey(r), r);
    const seen = new Map<string, string>();
    for (const e of entries) {
      const previous = seen.get(e.key);
      if (previous) throw usageError(`${e.where}: same key as ${previous} in ${file}`);
      seen.set(e.key, e.where);
      const current = existing.get(e.key);
      if (!current) plan.inserts.push(e.entity);
      else if (sameContents(current, e.record)) plan.unchanged++;
      else plan.modifies.push(e.entity);
    }
    if (prune)
      for (const [key, r] of existing)
        if (!seen.has(key) && !r.isConst)
          plan.deletes.push(
            device.client.tableEntry(
              t.id,
              specFromRecord(t, { match: r.match, ...(r.priority ? { priority: r.priority } : {}) }),
            ),
          );
  }
  return plan;
}

function sameContents(a: EntryRecord, b: EntryRecord): boolean {
  const strip = (r: EntryRecord) =>
    toJson({ action: r.action, params: r.params, member: r.member, group: r.group, ttl: r.ttl });
  return strip(a) === strip(b);
}

async function applyLoad(device: Device, plan: LoadPlan, batch: number): Promise<void> {
  const total = plan.inserts.length + plan.modifies.length + plan.deletes.length;
  let done = 0;
  const progress = process.stderr.isTTY || process.env.GENEVECTL_PROGRESS === '1';
  for (const [kind, list] of [
    ['delete', plan.deletes],
    ['modify', plan.modifies],
    ['insert', plan.inserts],
  ] as const) {
    for (let i = 0; i < list.length; i += batch) {
      const chunk = list.slice(i, i + batch);
      await device
        .call(`a write of ${chunk.length} entries`, (ms) =>
          device.client[kind](chunk, { timeoutMs: ms, batchSize: batch }),
        )
        .catch((e: unknown) => {
          throw explainWrite(e, device);
        });
      done += chunk.length;
      if (progress) note(`genevectl: ${done}/${total} updates written`);
    }
  }
}
