/**
 * `genevectl mcast|clone list|add|modify|delete`: the packet replication engine (multicast
 * groups and clone sessions). Replicas are written `PORT` or `PORT:INSTANCE`, as in
 * simple_switch_CLI's mc_node_create.
 */
import type { Command } from 'commander';
import { decodePreEntry, type p4, type ReplicaData, type ReplicaSpec } from 'p4runtime-ts-grpc';
import { addDeviceOptions, type Device, type DeviceFlags } from '../connection.js';
import { usageError } from '../errors.js';
import { renderTable, say, toJson } from '../output.js';
import { explainWrite, withDevice } from './table.js';

function whole(what: string, value: string, max = 2 ** 32 - 1): number {
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw usageError(`${what} must be a whole number 0..${max}, got '${value}'`);
  return Number(value);
}

/** `3` or `3:1` (port, replica instance). */
export function parseReplica(text: string): ReplicaSpec {
  const [port, instance, ...rest] = text.split(':');
  if (rest.length > 0 || port === '') throw usageError(`replica '${text}': expected PORT or PORT:INSTANCE`);
  return {
    port: whole(`replica '${text}' port`, port),
    instance: instance === undefined ? 0 : whole(`replica '${text}' instance`, instance, 0xffff),
  };
}

/** Replicas in port order (a server may return them in any order). */
function formatReplicas(replicas: readonly ReplicaData[]): string {
  const port = (r: ReplicaData) => Number(r.port ?? r.egressPort ?? 0);
  return [...replicas]
    .sort((a, b) => port(a) - port(b) || a.instance - b.instance)
    .map((r) => `${r.port ?? r.egressPort}${r.instance ? `:${r.instance}` : ''}`)
    .join(' ');
}

async function readPre(device: Device, entity: p4.v1.IEntity, what: string) {
  const out: p4.v1.IEntity[] = [];
  await device.call(`${what} (Read)`, async (ms) => {
    for await (const e of device.client.readRaw(entity, { timeoutMs: ms })) out.push(e);
  });
  return out;
}

async function writePre(
  device: Device,
  kind: 'insert' | 'modify' | 'delete',
  entity: p4.v1.IEntity,
  what: string,
) {
  // The replication engine needs no P4Info; with one bound, refusals name the entity plainly.
  await device.p4info().catch(() => undefined);
  await device
    .call(`${what} (${kind.toUpperCase()})`, (ms) => device.client[kind]([entity], { timeoutMs: ms }))
    .catch((e: unknown) => {
      throw explainWrite(e, device);
    });
}

export function registerPreCommands(program: Command): void {
  const mcast = program.command('mcast').description('multicast groups of the packet replication engine');
  addDeviceOptions(
    mcast.command('list [group]').description('groups and their replicas').option('--json', 'print JSON'),
  ).action(async (group: string | undefined, o: DeviceFlags & { json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const groupId = group === undefined ? 0 : whole('group', group);
      const rows = (await readPre(device, device.client.multicastGroup({ groupId }), 'multicast groups'))
        .map((e) => decodePreEntry(e.packetReplicationEngineEntry ?? {}))
        .filter((e) => e.kind === 'multicastGroupEntry')
        .map((e) => ({
          group: e.groupId,
          replicas: e.replicas.map((r) => ({ port: r.port ?? r.egressPort, instance: r.instance })),
        }));
      rows.sort((a, b) => a.group - b.group);
      if (o.json) say(toJson(rows));
      else if (rows.length === 0) say('no multicast groups');
      else
        say(
          renderTable(
            ['group', 'replicas (port:instance)'],
            rows.map((r) => [String(r.group), formatReplicas(r.replicas as ReplicaData[])]),
          ),
        );
    }),
  );
  for (const [verb, kind] of [
    ['add', 'insert'],
    ['modify', 'modify'],
  ] as const)
    addDeviceOptions(
      mcast
        .command(`${verb} <group> <replicas...>`)
        .description(
          `${verb === 'add' ? 'create' : 'replace the replicas of'} a group: replicas PORT or PORT:INSTANCE`,
        ),
    ).action(async (group: string, replicas: string[], o: DeviceFlags) =>
      withDevice(o, { write: true }, async (device) => {
        const groupId = whole('group', group, 0xffff);
        if (groupId === 0) throw usageError('group 0 is not a multicast group (ids start at 1)');
        const parsed = replicas.map(parseReplica);
        await writePre(
          device,
          kind,
          device.client.multicastGroup({ groupId, replicas: parsed }),
          `multicast group ${groupId}`,
        );
        say(`multicast group ${groupId}: ${replicas.join(' ')}`);
      }),
    );
  addDeviceOptions(mcast.command('delete <group>').description('delete a group')).action(
    async (group: string, o: DeviceFlags) =>
      withDevice(o, { write: true }, async (device) => {
        const groupId = whole('group', group, 0xffff);
        await writePre(
          device,
          'delete',
          device.client.multicastGroup({ groupId }),
          `multicast group ${groupId}`,
        );
        say(`deleted multicast group ${groupId}`);
      }),
  );

  const clone = program
    .command('clone')
    .description('clone (mirror) sessions of the packet replication engine');
  addDeviceOptions(
    clone.command('list [session]').description('sessions and their replicas').option('--json', 'print JSON'),
  ).action(async (session: string | undefined, o: DeviceFlags & { json?: boolean }) =>
    withDevice(o, {}, async (device) => {
      const sessionId = session === undefined ? 0 : whole('session', session);
      const rows = (await readPre(device, device.client.cloneSession({ sessionId }), 'clone sessions'))
        .map((e) => decodePreEntry(e.packetReplicationEngineEntry ?? {}))
        .filter((e) => e.kind === 'cloneSessionEntry')
        .map((e) => ({
          session: e.sessionId,
          replicas: e.replicas.map((r) => ({ port: r.port ?? r.egressPort, instance: r.instance })),
          classOfService: e.classOfService,
          truncate: e.packetLengthBytes,
        }));
      rows.sort((a, b) => a.session - b.session);
      if (o.json) say(toJson(rows));
      else if (rows.length === 0) say('no clone sessions');
      else
        say(
          renderTable(
            ['session', 'replicas (port:instance)', 'class of service', 'truncate to (bytes)'],
            rows.map((r) => [
              String(r.session),
              formatReplicas(r.replicas as ReplicaData[]),
              String(r.classOfService),
              r.truncate ? String(r.truncate) : 'no',
            ]),
          ),
        );
    }),
  );
  for (const [verb, kind] of [
    ['add', 'insert'],
    ['modify', 'modify'],
  ] as const)
    addDeviceOptions(
      clone
        .command(`${verb} <session> <replicas...>`)
        .description(`${verb === 'add' ? 'create' : 'change'} a session: replicas PORT or PORT:INSTANCE`)
        .option('--cos <n>', 'class of service (not supported by bmv2)')
        .option('--truncate <bytes>', 'clone only the first BYTES of each packet'),
    ).action(
      async (session: string, replicas: string[], o: DeviceFlags & { cos?: string; truncate?: string }) =>
        withDevice(o, { write: true }, async (device) => {
          const sessionId = whole('session', session);
          if (sessionId === 0) throw usageError('session 0 is not a clone session (ids start at 1)');
          const entity = device.client.cloneSession({
            sessionId,
            replicas: replicas.map(parseReplica),
            ...(o.cos !== undefined ? { classOfService: whole('--cos', o.cos) } : {}),
            ...(o.truncate !== undefined ? { packetLengthBytes: whole('--truncate', o.truncate) } : {}),
          });
          await writePre(device, kind, entity, `clone session ${sessionId}`);
          say(`clone session ${sessionId}: ${replicas.join(' ')}`);
        }),
    );
  addDeviceOptions(clone.command('delete <session>').description('delete a session')).action(
    async (session: string, o: DeviceFlags) =>
      withDevice(o, { write: true }, async (device) => {
        const sessionId = whole('session', session);
        await writePre(
          device,
          'delete',
          device.client.cloneSession({ sessionId }),
          `clone session ${sessionId}`,
        );
        say(`deleted clone session ${sessionId}`);
      }),
  );
}
