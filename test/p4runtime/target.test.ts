// The P4Runtime client against a real P4Runtime server: the embedded target in CI, real bmv2
// simple_switch_grpc with P4_TARGET=bmv2. Pipeline push, writes of each kind, read-back in the
// builders' shape, per-update errors, arbitration and packet I/O, with the project's VTEP program.
import { readFileSync } from 'node:fs';
import { loadP4Info, P4RuntimeClient, P4RuntimeWriteError, type TableEntryData } from 'p4runtime-ts-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { DataplaneClient } from '../../src/packet-io/client.js';
import { type RunningTarget, startTarget } from '../scenarios/harness/target.js';

let target: RunningTarget;
let client: P4RuntimeClient;

beforeAll(async () => {
  target = await startTarget();
  client = await P4RuntimeClient.connect({
    address: target.p4runtimeAddress,
    deviceId: target.deviceId,
    electionId: 10n,
    waitForPrimary: true,
  });
  await client.setPipeline({
    p4info: await loadP4Info(programArtifactPath('p4infoJson')),
    deviceConfig: readFileSync(programArtifactPath('bmv2Json')),
    cookie: 42n,
  });
});

afterAll(async () => {
  client?.close();
  await target?.stop();
});

describe(`P4Runtime client against the ${process.env.P4_TARGET ?? 'embedded'} target`, () => {
  it('reads back the pipeline it pushed', async () => {
    const pipeline = await client.getPipeline('P4INFO_AND_COOKIE');
    expect(pipeline.cookie).toBe(42n);
    expect(pipeline.p4info?.tables?.map((t) => t.preamble?.name)).toContain(
      'VtepIngress.overlay_forwarding.overlay_mac',
    );
    expect((await client.capabilities()).apiVersion).toMatch(/^1\./);
  });

  it('writes exact, LPM, ternary/range and default-action entries and reads them back', async () => {
    await client.insert([
      client.tableEntry('overlay_mac', {
        match: { vni: 5000, dst_mac: '02:00:00:00:00:01' },
        action: 'to_local_vport',
        params: { port: 1, vport: 7, vlan_id: 20, security_id: 100 },
      }),
      // Route tables have an action selector (underlay ECMP): one-shot action sets.
      client.tableEntry('underlay_route_ipv4', {
        match: { remote_vtep: { value: '10.1.0.0', prefixLen: 16 } },
        actionSet: [
          {
            action: 'route_via',
            params: { port: 5, src_mac: '02:aa:00:00:00:01', next_hop_mac: '02:bb:00:00:00:01' },
          },
        ],
      }),
      client.tableEntry('underlay_route_ipv6', {
        match: { remote_vtep: { value: 'fd00::', prefixLen: 64 } },
        actionSet: [
          {
            action: 'route_via',
            params: { port: 6, src_mac: '02:aa:00:00:00:02', next_hop_mac: '02:bb:00:00:00:02' },
          },
        ],
      }),
      client.tableEntry('policy_rules', {
        match: {
          vni: 5000,
          src_security_id: { value: 100, mask: 0xffffffff },
          ip_protocol: { value: 6, mask: 0xff },
          l4_dst_port: { low: 80, high: 443 },
        },
        action: 'allow',
        priority: 7,
      }),
    ]);
    await client.modify([
      client.tableEntry('security_option_format', {
        isDefaultAction: true,
        action: 'insert_security_option',
        params: { option_class: 0xfff0, option_type: 1, critical: 1 },
      }),
    ]);

    const [mac] = await collect(client.readTable('overlay_mac'));
    expect(mac.match).toEqual({ vni: 5000, dst_mac: 0x020000000001 });
    expect(mac.action).toBe('VtepIngress.overlay_forwarding.to_local_vport');
    expect(mac.params).toEqual({ port: 1, vport: 7, vlan_id: 20, security_id: 100 });

    const [route] = await collect(client.readTable('underlay_route_ipv4'));
    expect(route.match.remote_vtep).toEqual({ value: 0x0a010000, prefixLen: 16 });
    const [route6] = await collect(
      client.readTable('underlay_route_ipv6', undefined, { fieldFormats: { remote_vtep: 'ipv6' } }),
    );
    expect(route6.match.remote_vtep).toEqual({ value: 'fd00::', prefixLen: 64 });

    const [rule] = await collect(client.readTable('policy_rules'));
    expect(rule.priority).toBe(7);
    expect(rule.match.l4_dst_port).toEqual({ low: 80, high: 443 });
    expect(rule.match.src_security_id).toEqual({ value: 100, mask: 0xffffffff });
    expect(rule.match.dst_security_id).toBeUndefined();

    const defaults = await collect(client.readTable('security_option_format', { isDefaultAction: true }));
    expect(defaults[0].params).toEqual({ option_class: 0xfff0, option_type: 1, critical: 1 });
  });

  it('reports each failed update with its code and the entity named', async () => {
    const duplicate = client.tableEntry('port_role', { match: { port: 3 }, action: 'set_access_port' });
    await client.insert([duplicate]);
    const missing = client.tableEntry('port_role', { match: { port: 4 }, action: 'set_access_port' });
    const error = await client.insert([duplicate]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    const failure = (error as P4RuntimeWriteError).failures[0];
    expect(failure.codeName).toBe('ALREADY_EXISTS');
    expect(failure.entity).toContain('port_role');
    const gone = await client.delete([missing]).catch((e: unknown) => e);
    expect((gone as P4RuntimeWriteError).failures[0].codeName).toBe('NOT_FOUND');
  });

  it('attributes every failure of 1,000 failing updates, and of a 16 KiB value, without hanging', async () => {
    // bmv2 sends its error details uncapped: past about 550 failures in one request they exceed
    // what an HTTP/2 header carries. The client's default batch size stays below that.
    const entries = Array.from({ length: 1000 }, (_, i) =>
      client.tableEntry('overlay_mac', {
        match: { vni: 7100, dst_mac: 0x020000010000n + BigInt(i) },
        action: 'to_remote_vtep',
        params: { tunnel_id: 3 },
      }),
    );
    await client.insert(entries);
    const error = await client.insert(entries, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    const { failures, batchErrors } = error as P4RuntimeWriteError;
    expect(batchErrors).toEqual([]);
    expect(failures.map((f) => f.index)).toEqual(entries.map((_, i) => i));
    expect(failures.every((f) => f.codeName === 'ALREADY_EXISTS')).toBe(true);
    const huge = client.tableEntry('overlay_mac', {
      match: { vni: 7101, dst_mac: '02:00:00:00:00:01' },
      action: 'to_remote_vtep',
      params: { tunnel_id: 3 },
    });
    const exact = huge.tableEntry?.match?.[1]?.exact;
    if (!exact) throw new Error('overlay_mac has no exact dst_mac');
    exact.value = new Uint8Array(16 * 1024).fill(0xab);
    const one = await client.insert([huge], { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(P4RuntimeWriteError);
    expect((one as P4RuntimeWriteError).failures.map((f) => f.codeName)).toEqual(['INVALID_ARGUMENT']);
    await client.delete(entries);
  });

  it('writes and reads multicast groups, clone sessions and counters', async () => {
    await client.insert([
      client.multicastGroup({
        groupId: 3,
        replicas: [
          { port: 1, instance: 11 },
          { port: 2, instance: 12 },
        ],
      }),
      client.cloneSession({ sessionId: 1, replicas: [{ port: target.cpuPort, instance: 0 }] }),
    ]);
    const pre = await client.readAll([
      client.multicastGroup({ groupId: 3 }),
      client.cloneSession({ sessionId: 1 }),
    ]);
    const group = pre.find((e) => e.kind === 'multicastGroupEntry');
    expect(
      group && 'replicas' in group
        ? group.replicas.map((r) => [Number(r.port ?? r.egressPort), r.instance]).sort()
        : [],
    ).toEqual([
      [1, 11],
      [2, 12],
    ]);
    expect(pre.some((e) => e.kind === 'cloneSessionEntry')).toBe(true);
    const cells = await client.readAll(client.counterEntry('VtepIngress.ingress_drops'));
    expect(cells).toHaveLength(32);
  });

  it('a backup controller may read but not write', async () => {
    const backup = await P4RuntimeClient.connect({
      address: target.p4runtimeAddress,
      deviceId: target.deviceId,
      electionId: 5n,
      p4info: await loadP4Info(programArtifactPath('p4infoJson')),
    });
    try {
      expect(backup.isPrimary).toBe(false);
      expect(client.isPrimary).toBe(true);
      const error = await backup
        .insert([
          backup.tableEntry('port_role', {
            match: { port: 8 },
            action: 'set_uplink_port',
            params: { uplink_mac: '02:aa:00:00:00:08' },
          }),
        ])
        .catch((e: unknown) => e);
      expect(String(error)).toMatch(/PERMISSION_DENIED|not primary/i);
      expect((await backup.readAll(backup.tableEntry('port_role'))).length).toBeGreaterThan(0);
    } finally {
      backup.close();
    }
  });

  it('sends packet-out frames to the chosen port', async () => {
    const dataplane = await DataplaneClient.connect({
      address: target.dataplaneAddress,
      deviceId: target.deviceId,
    });
    try {
      // A packet-out leaves only through a configured port (docs/DATAPLANE.md rule 14).
      await client.insert([
        client.tableEntry('port_role', { match: { port: 2 }, action: 'set_access_port' }),
      ]);
      const frame = Uint8Array.from({ length: 64 }, (_, i) => i);
      client.packetOut(frame, { egress_port: 2, pad: 0 });
      // One frame, one fate: it leaves a port or the program counts its drop (docs/DATAPLANE.md).
      await dataplane.waitUntil(async () => dataplane.unattributedCount + (await dropTotal()) >= 1, {
        missing: () => 'the packet-out neither left a port nor was counted as a drop',
      });
      expect(await dropTotal()).toBe(0);
      expect(dataplane.takeUnattributed()).toEqual([{ port: 2, bytes: frame }]);
    } finally {
      dataplane.close();
    }
  });
});

/** Packets counted by every drop reason. */
async function dropTotal(): Promise<number> {
  let total = 0;
  for (const name of ['VtepIngress.ingress_drops', 'VtepEgress.egress_drops'])
    for (const cell of await client.readAll(client.counterEntry(name)))
      if (cell.kind === 'counterEntry') total += Number(cell.data.packets);
  return total;
}

async function collect(it: AsyncIterable<TableEntryData>): Promise<TableEntryData[]> {
  const out: TableEntryData[] = [];
  for await (const e of it) out.push(e);
  return out;
}
