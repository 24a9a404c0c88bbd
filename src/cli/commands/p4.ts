/**
 * `genevectl p4 info` and `genevectl pipeline show|push|verify`: what program a device runs,
 * described from its P4Info (any P4 program), and installing or checking one.
 */
import type { Command } from 'commander';
import { loadDeviceConfig, loadP4Info, P4InfoIndex, type p4 } from 'p4runtime-ts-grpc';
import { programArtifactPath } from '../../artifacts/program.js';
import { addDeviceOptions, type DeviceFlags, openDevice } from '../connection.js';
import { checkInputFile, refusedError, usageError } from '../errors.js';
import { renderTable, say, toJson } from '../output.js';

interface JsonFlag {
  json?: boolean;
}

function kindName(t: P4InfoIndex['tables'] extends Iterable<infer T> ? T : never): string {
  return t.matchFields.list.map((f) => `${f.name}:${f.matchKind}/${f.bitwidth}`).join(' ');
}

/** A JSON summary of everything in a P4Info, by name. */
export function describeP4Info(index: P4InfoIndex): Record<string, unknown> {
  const pkg = index.p4info.pkgInfo;
  return {
    program: pkg?.name ?? '',
    arch: pkg?.arch ?? '',
    tables: [...index.tables].map((t) => ({
      name: t.name,
      size: t.size,
      match: t.matchFields.list.map((f) => ({ name: f.name, kind: f.matchKind, bitwidth: f.bitwidth })),
      actions: [...t.actions].map((a) => a.name),
      ...(t.implementation ? { implementation: t.implementation.name } : {}),
      ...(t.directCounter ? { directCounter: t.directCounter.name } : {}),
      ...(t.directMeter ? { directMeter: t.directMeter.name } : {}),
      ...(t.supportsIdleTimeout ? { idleTimeout: true } : {}),
      ...(t.isConst ? { const: true } : {}),
    })),
    actions: [...index.actions].map((a) => ({
      name: a.name,
      params: a.params.list.map((p) => ({ name: p.name, bitwidth: p.bitwidth })),
    })),
    actionProfiles: [...index.actionProfiles].map((p) => ({
      name: p.name,
      size: p.size,
      selector: p.withSelector,
    })),
    counters: [...index.counters].map((c) => ({ name: c.name, size: c.size, unit: c.unit })),
    directCounters: [...index.directCounters].map((c) => ({
      name: c.name,
      table: index.tables.find(c.tableId)?.name ?? '',
      unit: c.unit,
    })),
    meters: [...index.meters].map((m) => ({ name: m.name, size: m.size, unit: m.unit })),
    directMeters: [...index.directMeters].map((m) => ({
      name: m.name,
      table: index.tables.find(m.tableId)?.name ?? '',
      unit: m.unit,
    })),
    registers: [...index.registers].map((r) => ({ name: r.name, size: r.size })),
    digests: [...index.digests].map((d) => ({ name: d.name })),
    valueSets: [...index.valueSets].map((v) => ({ name: v.name, size: v.size })),
    packetMetadata: [...index.controllerHeaders].map((h) => ({
      name: h.name,
      fields: h.metadata.list.map((f) => ({ name: f.name, bitwidth: f.bitwidth })),
    })),
  };
}

function printP4Info(index: P4InfoIndex): void {
  const pkg = index.p4info.pkgInfo;
  if (pkg?.name || pkg?.arch) say(`program ${pkg?.name || '(unnamed)'} (${pkg?.arch || 'unknown arch'})\n`);
  say(
    renderTable(
      ['table', 'size', 'key (field:kind/bits)', 'actions'],
      [...index.tables].map((t) => [
        t.name,
        String(t.size),
        kindName(t),
        [...t.actions].map((a) => a.name.replace(/^.*\./, '')).join(' '),
      ]),
    ),
  );
  say('');
  say(
    renderTable(
      ['action', 'parameters (name/bits)'],
      [...index.actions].map((a) => [a.name, a.params.list.map((p) => `${p.name}/${p.bitwidth}`).join(' ')]),
    ),
  );
  const others: string[][] = [];
  for (const p of index.actionProfiles)
    others.push([p.withSelector ? 'action selector' : 'action profile', p.name, `size ${p.size}`]);
  for (const c of index.counters) others.push(['counter', c.name, `size ${c.size}, ${c.unit.toLowerCase()}`]);
  for (const c of index.directCounters)
    others.push(['direct counter', c.name, `table ${index.tables.find(c.tableId)?.name ?? '?'}`]);
  for (const m of index.meters) others.push(['meter', m.name, `size ${m.size}, ${m.unit.toLowerCase()}`]);
  for (const m of index.directMeters)
    others.push(['direct meter', m.name, `table ${index.tables.find(m.tableId)?.name ?? '?'}`]);
  for (const r of index.registers) others.push(['register', r.name, `size ${r.size}`]);
  for (const d of index.digests) others.push(['digest', d.name, '']);
  for (const v of index.valueSets) others.push(['value set', v.name, `size ${v.size}`]);
  for (const h of index.controllerHeaders)
    others.push(['packet metadata', h.name, h.metadata.list.map((f) => `${f.name}/${f.bitwidth}`).join(' ')]);
  if (others.length > 0) {
    say('');
    say(renderTable(['kind', 'name', 'details'], others));
  }
}

/** The program files of `pipeline push|verify` (default: the Geneve VTEP). */
async function programFiles(
  json: string | undefined,
  p4infoFile: string | undefined,
): Promise<{ p4info: p4.config.v1.P4Info; deviceConfig: Uint8Array; names: string }> {
  const configPath = json ?? programArtifactPath('bmv2Json');
  const infoPath = p4infoFile ?? programArtifactPath('p4infoText');
  if (json && !p4infoFile)
    throw usageError('give both the device config (bmv2 JSON) and the P4Info file, or neither for the VTEP');
  checkInputFile(configPath, 'device config');
  checkInputFile(infoPath, 'P4Info file');
  return {
    p4info: await loadP4Info(infoPath),
    deviceConfig: await loadDeviceConfig(configPath),
    names: `${configPath} and ${infoPath}`,
  };
}

/** Differences between two P4Infos, by object name (empty when the programs match). */
export function p4infoDifferences(device: P4InfoIndex, file: P4InfoIndex): string[] {
  const out: string[] = [];
  const names = (r: Iterable<{ name: string }>) => new Set([...r].map((x) => x.name));
  for (const [kind, a, b] of [
    ['table', names(device.tables), names(file.tables)],
    ['action', names(device.actions), names(file.actions)],
    ['counter', names(device.counters), names(file.counters)],
  ] as const) {
    for (const n of b) if (!a.has(n)) out.push(`${kind} ${n} is not on the device`);
    for (const n of a) if (!b.has(n)) out.push(`${kind} ${n} is on the device but not in the file`);
  }
  for (const t of file.tables) {
    const d = device.tables.find(t.name);
    if (d && kindName(d) !== kindName(t)) out.push(`table ${t.name} has key ${kindName(d)} on the device`);
  }
  return out;
}

export function registerP4Commands(program: Command): void {
  const p4cmd = program.command('p4').description('the P4 program: its tables, actions and externs');
  addDeviceOptions(
    p4cmd
      .command('info')
      .description(
        'tables (keys, sizes, actions), actions and parameters, counters, meters, registers, digests',
      )
      .option('--p4info <file>', 'describe this P4Info file instead of the device')
      .option('--json', 'print JSON'),
  ).action(async (o: DeviceFlags & JsonFlag & { p4info?: string }) => {
    let index: P4InfoIndex;
    if (o.p4info) {
      checkInputFile(o.p4info, 'P4Info file');
      index = new P4InfoIndex(await loadP4Info(o.p4info));
    } else {
      const device = await openDevice(o);
      try {
        index = await device.p4info();
      } finally {
        device.close();
      }
    }
    if (o.json) say(toJson(describeP4Info(index)));
    else printP4Info(index);
  });

  const pipeline = program.command('pipeline').description('the forwarding pipeline installed on a device');
  addDeviceOptions(
    pipeline.command('show').description('which program the device runs').option('--json', 'print JSON'),
  ).action(async (o: DeviceFlags & JsonFlag) => {
    const device = await openDevice(o);
    try {
      const index = await device.p4info();
      const { cookie } = await device.call('the pipeline cookie', (ms) =>
        device.client.getPipeline('COOKIE_ONLY', ms),
      );
      const summary = {
        device: device.where,
        program: index.p4info.pkgInfo?.name ?? '',
        arch: index.p4info.pkgInfo?.arch ?? '',
        ...(cookie !== undefined ? { cookie } : {}),
        tables: index.tables.size,
        actions: index.actions.size,
        counters: index.counters.size + index.directCounters.size,
        meters: index.meters.size + index.directMeters.size,
        registers: index.registers.size,
        digests: index.digests.size,
      };
      if (o.json) say(toJson(summary));
      else
        say(
          renderTable(
            ['property', 'value'],
            Object.entries(summary).map(([k, v]) => [k, String(v)]),
          ),
        );
    } finally {
      device.close();
    }
  });

  addDeviceOptions(
    pipeline
      .command('push [config] [p4info]')
      .description('install a program (bmv2 JSON and P4Info; default: the Geneve VTEP) and make it run')
      .option('--cookie <n>', 'cookie stored with the pipeline'),
  ).action(
    async (
      config: string | undefined,
      p4infoFile: string | undefined,
      o: DeviceFlags & { cookie?: string },
    ) => {
      const files = await programFiles(config, p4infoFile);
      if (o.cookie !== undefined && !/^\d+$/.test(o.cookie))
        throw usageError(`--cookie must be a whole number, got '${o.cookie}'`);
      const device = await openDevice(o, { write: true });
      try {
        await device.call('the pipeline install (SetForwardingPipelineConfig)', (ms) =>
          device.client.setPipeline(
            {
              p4info: files.p4info,
              deviceConfig: files.deviceConfig,
              ...(o.cookie !== undefined ? { cookie: BigInt(o.cookie) } : {}),
            },
            'VERIFY_AND_COMMIT',
            Math.max(ms, 30_000),
          ),
        );
        say(`pushed ${files.names} to ${device.where}`);
      } finally {
        device.close();
      }
    },
  );

  addDeviceOptions(
    pipeline
      .command('verify [config] [p4info]')
      .description(
        'ask the device whether it can run a program (nothing installed), and whether it runs it already',
      ),
  ).action(async (config: string | undefined, p4infoFile: string | undefined, o: DeviceFlags) => {
    const files = await programFiles(config, p4infoFile);
    const device = await openDevice(o, { write: true });
    try {
      await device.call('the pipeline check (SetForwardingPipelineConfig VERIFY)', (ms) =>
        device.client.setPipeline(
          { p4info: files.p4info, deviceConfig: files.deviceConfig },
          'VERIFY',
          Math.max(ms, 30_000),
        ),
      );
      say(`${device.where} accepts ${files.names}`);
      const running = await device.p4info().catch(() => undefined);
      if (!running) {
        say(`${device.where} runs no program yet`);
        return;
      }
      const differences = p4infoDifferences(running, new P4InfoIndex(files.p4info));
      if (differences.length === 0) say(`${device.where} runs this program`);
      else
        throw refusedError(
          `${device.where} runs another program (${running.p4info.pkgInfo?.name || 'unnamed'}): ${differences.slice(0, 3).join('; ')}${differences.length > 3 ? `; and ${differences.length - 3} more` : ''}`,
        );
    } finally {
      device.close();
    }
  });
}
