// planned-wire.ts writes a plan's Entity bytes without the client's encoder; they must be exactly
// the encoder's bytes (what is written, and what a no-op apply compares with the device's), for
// every entity planned for the example fabric and a generated one with VLANs, IPv6 VTEPs and
// policies; an entity the fast path cannot write still gets the encoder's error.
import { p4 } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import {
  deviceTargets,
  entitiesForProgram,
  loadFabric,
  planFabric,
  vtepProgram,
} from '../../src/controller/index.js';
import type { PlannedEntity } from '../../src/controller/plan.js';
import { encodePlanned } from '../../src/controller/planned-key.js';
import { encodePlanWire } from '../../src/controller/planned-wire.js';
import { mixedFamilyFabric, OVERLAY_EXAMPLE, startLab } from './helpers.js';

describe('wire bytes of planned entities', () => {
  it('are those of the client encoder, for every entity of two fabrics', async () => {
    const lab = await startLab(2);
    try {
      await lab.withClient(0, async (client) => {
        client.bindP4Info((await vtepProgram()).p4info);
        const generated = mixedFamilyFabric({ tenants: 20, workloads: 300, policies: 40, identities: 7 });
        const fabrics = [
          loadFabric(OVERLAY_EXAMPLE),
          { format: 'fabric' as const, file: 'x', fabric: generated, where: () => '' },
        ];
        let checked = 0;
        for (const f of fabrics)
          for (const t of deviceTargets(f)) {
            const entities = entitiesForProgram(client.p4info, planFabric(t.intent).entities);
            const wire = encodePlanWire(client, entities);
            expect(wire.size).toBe(entities.length);
            entities.forEach((e, i) => {
              const expected = p4.v1.Entity.encode(encodePlanned(client, e)).finish();
              expect(Buffer.from(wire.bytes(i)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
            });
            checked += entities.length;
          }
        expect(checked).toBeGreaterThan(1000);
        // Policy keys of every shape: any (left out), a ternary value under a partial mask, a
        // range, the whole range (left out), a zero mask (left out); MACs with leading zero bytes.
        const odd: PlannedEntity[] = [
          [null, null, null, null],
          [
            { value: 0x1234_5678, mask: 0xffff_0000 },
            { value: 7, mask: 0 },
            { value: 6, mask: 0xff },
            { low: 0, high: 0xffff },
          ],
          [{ value: 1, mask: 0xffff_ffff }, null, null, { low: 80, high: 443 }],
          [null, { value: 0, mask: 0xffff_ffff }, { value: 17, mask: 0xff }, { low: 0, high: 0 }],
        ].map(([src, dst, proto, ports], i) => ({
          kind: 'table',
          table: 'policy_rules',
          match: {
            vni: 5000 + i,
            src_security_id: src,
            dst_security_id: dst,
            ip_protocol: proto,
            l4_dst_port: ports,
          },
          action: i % 2 ? 'allow' : 'deny',
          params: {},
          priority: 1 + i * 1000,
        }));
        for (const mac of ['00:00:00:00:00:00', '00:00:00:00:01:02', 'AA:bb:CC:00:00:01'])
          odd.push({
            kind: 'table',
            table: 'overlay_mac',
            match: { vni: 0, dst_mac: mac },
            action: 'to_remote_vtep',
            params: { tunnel_id: 0 },
          });
        const wire = encodePlanWire(client, odd);
        odd.forEach((e, i) => {
          expect(Buffer.from(wire.bytes(i)).toString('hex')).toBe(
            Buffer.from(p4.v1.Entity.encode(encodePlanned(client, e)).finish()).toString('hex'),
          );
        });
        // A value that does not fit: the encoder's own error, not a wrong entry.
        expect(() =>
          encodePlanWire(client, [
            {
              kind: 'table',
              table: 'tenant_by_vni',
              match: { vni: 2 ** 24 },
              action: 'set_tenant',
              params: { tenant_slot: 1, unknown_security_id: 0 },
            },
          ]),
        ).toThrow(/vni.*24 bit/);
        // A workload's entries, whose fields are checked once per table and action: a value
        // missing or too wide in a later one still gets the encoder's error.
        const [target] = deviceTargets(fabrics[0]);
        const tenants = target.intent.tenants.map((t, i) =>
          i === 0
            ? {
                ...t,
                vports: [
                  ...t.vports,
                  {
                    ...t.vports[0],
                    name: 'extra',
                    mac: '02:00:00:00:99:01',
                    ipv4: undefined,
                    ipv6: undefined,
                    securityId: undefined as unknown as number,
                  },
                ],
              }
            : t,
        );
        const bad = planFabric({ ...target.intent, tenants }).entities;
        expect(() => encodePlanWire(client, bad)).toThrow(/security_id/);
        const wide = planFabric({
          ...target.intent,
          tenants: tenants.map((t, i) =>
            i === 0
              ? {
                  ...t,
                  vports: [
                    ...t.vports.slice(0, -1),
                    {
                      ...t.vports[0],
                      name: 'extra',
                      mac: '02:00:00:00:99:02',
                      ipv4: undefined,
                      ipv6: undefined,
                      securityId: 2 ** 33,
                    },
                  ],
                }
              : t,
          ),
        }).entities;
        expect(() => encodePlanWire(client, wide)).toThrow(/security_id/);
      });
    } finally {
      await lab.stop();
    }
  });
});
