// docs/DATAPLANE.md rule 9: identity-based policy with priorities, protocols and port ranges.
import { describe, expect, it } from 'vitest';
import { A1, A2, installFabric, TENANT_A, useVtep } from './harness/fabric.js';
import { tenantFrame } from './harness/frames.js';

const session = useVtep();

const to = (dstPort: number, protocol: 'tcp' | 'udp' = 'tcp') =>
  tenantFrame({
    dst: A2.mac,
    src: A1.mac,
    ip: { src: '192.168.1.1', dst: '192.168.1.2' },
    l4: { protocol, srcPort: 33000, dstPort },
  });

describe('policy', () => {
  it('default deny, then allow by (source ID, destination ID, protocol, port range)', async () => {
    const s = session();
    await s.reset('policy: ranges and protocols');
    await installFabric(s, { allowAll: false });
    expect(await s.send(A1.port, to(80), 'no rule')).toEqual([]);
    await s.policy({
      vni: TENANT_A.vni,
      src: A1.securityId,
      dst: A2.securityId,
      protocol: 6,
      ports: [80, 89],
      allow: true,
      priority: 10,
    });
    for (const port of [80, 85, 89]) expect(await s.send(A1.port, to(port), `tcp ${port}`)).toHaveLength(1);
    for (const port of [79, 90]) expect(await s.send(A1.port, to(port), `tcp ${port}`)).toEqual([]);
    expect(await s.send(A1.port, to(80, 'udp'), 'udp 80')).toEqual([]);
    // The rule is directional: A2 -> A1 is still denied.
    const reverse = tenantFrame({
      dst: A1.mac,
      src: A2.mac,
      ip: { src: '192.168.1.2', dst: '192.168.1.1' },
      l4: { protocol: 'tcp', srcPort: 80, dstPort: 80 },
    });
    expect(await s.send(A2.port, reverse, 'reverse direction')).toEqual([]);
  });

  it('higher priority wins; rules count their hits', async () => {
    const s = session();
    await s.reset('policy: priorities');
    await installFabric(s, { allowAll: false });
    await s.policy({ vni: TENANT_A.vni, allow: true, priority: 10 });
    await s.policy({
      vni: TENANT_A.vni,
      dst: A2.securityId,
      protocol: 6,
      ports: [22, 22],
      allow: false,
      priority: 20,
    });
    expect(await s.send(A1.port, to(22), 'ssh denied by the higher rule')).toEqual([]);
    expect(await s.send(A1.port, to(443), 'https allowed by the lower rule')).toHaveLength(1);
    await s.policy({
      vni: TENANT_A.vni,
      src: A1.securityId,
      protocol: 6,
      ports: [22, 22],
      allow: true,
      priority: 30,
    });
    expect(await s.send(A1.port, to(22), 'ssh allowed for A1 by an even higher rule')).toHaveLength(1);

    const hits = new Map<number, bigint>();
    const rules = await s.client.readAll(
      s.client.tableEntry('policy_rules', { counterData: { packets: 0n, bytes: 0n } }),
    );
    for (const r of rules)
      if (r.kind === 'tableEntry') hits.set(r.priority ?? 0, r.counterData?.packets ?? -1n);
    expect(Object.fromEntries(hits)).toEqual({ 10: 1n, 20: 1n, 30: 1n });
    expect(await s.dropCount('POLICY_DENY')).toBe(1n);
  });
});
