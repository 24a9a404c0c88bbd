import { describe, expect, it } from 'vitest';
import {
  type FabricIntent,
  IntentError,
  type PlannedTableEntry,
  planFabric,
} from '../../src/controller/index.js';

const base = (): FabricIntent => ({
  accessPorts: [1, 2],
  uplinks: [
    { port: 5, mac: '02:aa:00:00:00:05', mtu: 9000 },
    { port: 6, mac: '02:aa:00:00:00:06' },
  ],
  localVteps: ['10.0.0.1', 'fd00::1'],
  routes: [
    { prefix: '10.0.0.0/24', uplink: 5, nextHopMac: '02:bb:00:00:00:05' },
    { prefix: '10.0.0.128/25', uplink: 6, nextHopMac: '02:bb:00:00:00:06' },
    { prefix: 'fd00::/64', uplink: 6, nextHopMac: '02:bb:00:00:00:06' },
  ],
  tenants: [
    {
      vni: 5000,
      name: 'blue',
      unknownSecurityId: 1,
      vports: [
        { name: 'web', port: 1, mac: '02:00:00:00:00:01', securityId: 100 },
        { name: 'db', port: 2, mac: '02:00:00:00:00:02', vlan: 20, securityId: 200 },
      ],
      members: [
        { vtep: '10.0.0.2', trusted: true },
        { vtep: '10.0.0.200', trusted: false },
      ],
      remoteEndpoints: [{ mac: '02:00:00:00:01:01', vtep: '10.0.0.2' }],
      policies: [{ src: 100, dst: 200, protocol: 'tcp', ports: 5432, action: 'allow', priority: 10 }],
    },
  ],
});

const tables = (plan: ReturnType<typeof planFabric>, name: string) =>
  plan.entities.filter((e): e is PlannedTableEntry => e.kind === 'table' && e.table === name);

describe('planFabric', () => {
  it('turns tenants, vports, members and policies into the program tables', () => {
    const plan = planFabric(base());
    expect(plan.tenants).toEqual([{ vni: 5000, name: 'blue', slot: 1, floodGroup: 1 }]);
    expect(tables(plan, 'vport_classification').map((e) => e.match)).toEqual([
      { port: 1, src_mac: '02:00:00:00:00:01', vlan_id: 0 },
      { port: 2, src_mac: '02:00:00:00:00:02', vlan_id: 20 },
    ]);
    expect(tables(plan, 'tunnel').map((e) => e.params)).toEqual([
      { local_vtep: '10.0.0.1', remote_vtep: '10.0.0.2' },
      { local_vtep: '10.0.0.1', remote_vtep: '10.0.0.200' },
    ]);
    expect(tables(plan, 'policy_rules')[0]).toMatchObject({
      match: { vni: 5000, ip_protocol: { value: 6, mask: 0xff }, l4_dst_port: { low: 5432, high: 5432 } },
      action: 'allow',
      priority: 10,
    });
    expect(plan.entities.find((e) => e.kind === 'cloneSession')).toEqual({
      kind: 'cloneSession',
      id: 1,
      replicas: [{ port: 255, instance: 0 }],
    });
  });

  it('floods to every vport and every member, resolving each member by longest prefix', () => {
    const plan = planFabric(base());
    const group = plan.entities.find((e) => e.kind === 'multicastGroup');
    expect(group?.replicas.map((r) => r.port)).toEqual([1, 2, 5, 6]);
    const toTunnels = tables(plan, 'flood_replica').filter((e) => e.action === 'replica_to_tunnel_ipv4');
    expect(toTunnels.map((e) => [e.params.remote_vtep, e.params.next_hop_mac])).toEqual([
      ['10.0.0.2', '02:bb:00:00:00:05'],
      ['10.0.0.200', '02:bb:00:00:00:06'],
    ]);
  });

  it('names every problem of an inconsistent intent', () => {
    const bad = base();
    bad.tenants[0].vports.push({ name: 'dup', port: 1, mac: '02:00:00:00:00:01', securityId: 9 });
    bad.tenants[0].vports.push({ name: 'nowhere', port: 7, mac: '02:00:00:00:00:07', securityId: 9 });
    bad.tenants[0].remoteEndpoints!.push({ mac: '02:00:00:00:01:02', vtep: '192.0.2.1' });
    bad.tenants[0].members!.push({ vtep: '192.0.2.9', trusted: true });
    // Any class and type is the operator's choice now: not a problem.
    bad.securityOption = { optionClass: 0x0102, type: 5, critical: true };
    bad.tenants[0].vports[0].ipv4 = '192.168.1.1';
    bad.tenants[0].remoteEndpoints![0].ipv4 = '192.168.1.1';
    const error = (() => {
      try {
        planFabric(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(IntentError);
    const problems = (error as IntentError).problems.join('\n');
    expect(problems).toContain('blue: vport dup has the same (port, MAC, VLAN) as web (blue)');
    expect(problems).toContain('blue: MAC 02:00:00:00:00:01 used by both vport web and vport dup');
    expect(problems).toContain('blue: vport nowhere: port 7 is not an access port');
    expect(problems).toContain(
      'remote endpoint 02:00:00:00:01:02 is behind 192.0.2.1, which is not a member',
    );
    expect(problems).toContain('remote VTEP 192.0.2.9: no route to it');
    expect(problems).not.toContain('security option');
    expect(problems).toMatch(/blue: address 192\.168\.1\.1 used by both .*web.* and .*/);
  });

  it('plans an ECMP route as one action set of its live next hops; an uplink marked down leaves', () => {
    const intent = base();
    intent.routes[0] = {
      prefix: '10.0.0.0/24',
      uplink: 5,
      nextHopMac: '02:bb:00:00:00:05',
      nextHops: [
        { uplink: 5, nextHopMac: '02:bb:00:00:00:05' },
        { uplink: 6, nextHopMac: '02:bb:00:00:06:01' },
        { uplink: 6, nextHopMac: '02:bb:00:00:06:02' },
      ],
    };
    const [route] = tables(planFabric(intent), 'underlay_route_ipv4');
    expect(route.match).toEqual({ remote_vtep: { value: '10.0.0.0', prefixLen: 24 } });
    expect(
      route.actionSet?.map((c) => [c.params.port, c.params.src_mac, c.params.next_hop_mac, c.weight]),
    ).toEqual([
      [5, '02:aa:00:00:00:05', '02:bb:00:00:00:05', 1],
      [6, '02:aa:00:00:00:06', '02:bb:00:00:06:01', 1],
      [6, '02:aa:00:00:00:06', '02:bb:00:00:06:02', 1],
    ]);

    // Uplink 5 down: the group shrinks; flood copies to members behind the route take a live hop.
    intent.uplinks[0].down = true;
    const plan = planFabric(intent);
    const [shrunk] = tables(plan, 'underlay_route_ipv4');
    expect(shrunk.actionSet?.map((c) => c.params.next_hop_mac)).toEqual([
      '02:bb:00:00:06:01',
      '02:bb:00:00:06:02',
    ]);
    const toR2 = tables(plan, 'flood_replica').find((e) => e.params.remote_vtep === '10.0.0.2');
    expect(toR2?.params).toMatchObject({ src_mac: '02:aa:00:00:00:06', next_hop_mac: '02:bb:00:00:06:01' });
    // Every next hop down: the route is not written, and a member it served has no route.
    intent.uplinks[1].down = true;
    expect(() => planFabric(intent)).toThrow(/remote VTEP 10\.0\.0\.2: no route to it/);
  });

  it('writes neighbor bindings from workload addresses, per tenant, and the unknown-target choice', () => {
    const intent = base();
    const blue = intent.tenants[0];
    blue.unknownNeighbor = 'drop';
    blue.vports[0].ipv4 = '192.168.1.1';
    blue.vports[0].ipv6 = 'fd10::1';
    blue.remoteEndpoints![0].ipv4 = '192.168.1.11';
    const plan = planFabric(intent);
    expect(tables(plan, 'arp_answer').map((e) => [e.match, e.action, e.params])).toEqual([
      [{ vni: 5000, target_ipv4: '192.168.1.1' }, 'answer_arp', { mac: '02:00:00:00:00:01' }],
      [{ vni: 5000, target_ipv4: '192.168.1.11' }, 'answer_arp', { mac: '02:00:00:00:01:01' }],
    ]);
    expect(tables(plan, 'nd_answer').map((e) => [e.match, e.params])).toEqual([
      [{ vni: 5000, target_ipv6: 'fd10::1' }, { mac: '02:00:00:00:00:01' }],
    ]);
    expect(tables(plan, 'unknown_neighbor').map((e) => [e.match, e.action])).toEqual([
      [{ vni: 5000 }, 'drop_unknown_neighbor'],
    ]);
  });

  it('sets the security option for both directions from the intent, any class', () => {
    const intent = base();
    intent.securityOption = { optionClass: 0x0102, type: 0x01, critical: true };
    const plan = planFabric(intent);
    expect(tables(plan, 'security_option_format')[0]).toMatchObject({
      action: 'insert_security_option',
      params: { option_class: 0x0102, option_type: 1, critical: 1 },
      isDefaultAction: true,
    });
    expect(tables(plan, 'security_option_recognition')[0]).toMatchObject({
      action: 'recognize_security_option',
      params: { option_class: 0x0102, option_type: 1 },
      isDefaultAction: true,
    });
  });
});
