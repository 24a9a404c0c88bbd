// planned-key.ts keys a planned entity without encoding it; its key and value must be exactly those
// of the encoded entity (else a no-op apply would rewrite entries): checked on every entity planned
// for the example fabrics and for a generated one with VLANs, IPv6 VTEPs and policies.
import { describe, expect, it } from 'vitest';
import { overlayFabric } from '../../bench/lib/overlay-fabric.js';
import {
  deviceTargets,
  entitiesForProgram,
  entityKey,
  entityValue,
  fabricSchema,
  loadFabric,
  planFabric,
  vtepProgram,
} from '../../src/controller/index.js';
import { encodePlanned } from '../../src/controller/planned-key.js';
import { encodePlan } from '../../src/controller/reconcile.js';
import { OVERLAY_EXAMPLE, startLab } from './helpers.js';

describe('keys of planned entities', () => {
  it('are those of their encodings, for every entity of three fabrics', async () => {
    const lab = await startLab(2);
    try {
      await lab.withClient(0, async (client) => {
        client.bindP4Info((await vtepProgram()).p4info);
        const generated = overlayFabric(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], {
          devices: 3,
          tenants: 20,
          workloads: 300,
          policies: 40,
          identities: 7,
        });
        // vtep-2 speaks IPv6 only, so its peers tunnel to it over IPv6.
        generated.devices[2].vteps = { ipv6: 'fd00::3' };
        generated.devices[2].routes = [{ prefix: 'fd00::/64', uplink: 5, nextHopMac: '02:bb:00:00:00:06' }];
        for (const d of generated.devices.slice(0, 2)) {
          d.vteps = { ...d.vteps, ipv6: `fd00::${d.name.slice(-1)}1` };
          d.routes?.push({ prefix: 'fd00::/64', uplink: 5, nextHopMac: '02:bb:00:00:00:06' });
        }
        const loaded = loadFabric(OVERLAY_EXAMPLE);
        const fabrics = [
          loaded,
          { format: 'fabric' as const, file: 'x', fabric: fabricSchema.parse(generated), where: () => '' },
        ];
        let checked = 0;
        for (const f of fabrics)
          for (const t of deviceTargets(f)) {
            const entities = entitiesForProgram(client.p4info, planFabric(t.intent).entities);
            const desired = encodePlan(client, entities);
            desired.forEach((d, i) => {
              const encoded = encodePlanned(client, entities[i]);
              expect([d.key, d.value]).toEqual([entityKey(encoded), entityValue(encoded)]);
              expect(d.entity).toEqual(encoded);
            });
            checked += desired.length;
          }
        expect(checked).toBeGreaterThan(1000);
      });
    } finally {
      await lab.stop();
    }
  });
});
