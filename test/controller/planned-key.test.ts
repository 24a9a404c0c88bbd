// planned-key.ts keys a planned entity without encoding it; its key and value must be exactly those
// of the encoded entity (else a no-op apply would rewrite entries): checked on every entity planned
// for the example fabrics and for a generated one with VLANs, IPv6 VTEPs and policies.
import { describe, expect, it } from 'vitest';
import {
  deviceTargets,
  entitiesForProgram,
  entityKey,
  entityValue,
  loadFabric,
  planFabric,
  vtepProgram,
} from '../../src/controller/index.js';
import { encodePlanned } from '../../src/controller/planned-key.js';
import { encodePlan } from '../../src/controller/reconcile.js';
import { mixedFamilyFabric, OVERLAY_EXAMPLE, startLab } from './helpers.js';

describe('keys of planned entities', () => {
  it('are those of their encodings, for every entity of three fabrics', async () => {
    const lab = await startLab(2);
    try {
      await lab.withClient(0, async (client) => {
        client.bindP4Info((await vtepProgram()).p4info);
        const generated = mixedFamilyFabric({ tenants: 20, workloads: 300, policies: 40, identities: 7 });
        const loaded = loadFabric(OVERLAY_EXAMPLE);
        const fabrics = [
          loaded,
          { format: 'fabric' as const, file: 'x', fabric: generated, where: () => '' },
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
