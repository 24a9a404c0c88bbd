// Operator intent end to end: the example fabric (examples/fabric.yaml) applied by the controller,
// then frames between every pair of endpoints, from both sides, checked against the reference model.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { loadFabricIntent, VtepController } from '../../src/controller/index.js';
import { buildFrame, type Layer } from '../../src/packet/index.js';
import { useVtep } from './harness/fabric.js';
import { fromRemoteVtep } from './harness/frames.js';
import { type ModelOutput, securityIdOption, VtepModel } from './harness/model.js';
import { modelOfFabric } from './harness/model-of-fabric.js';

const session = useVtep();
const key = (o: ModelOutput) => `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;

function frame(dst: string, src: string, vlan: number, dstPort: number): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst, src }];
  if (vlan !== 0) layers.push({ kind: 'vlan', vid: vlan });
  layers.push({ kind: 'ipv4', src: '192.168.10.1', dst: '192.168.10.2' });
  layers.push({ kind: 'tcp', srcPort: 40000 + dstPort, dstPort });
  layers.push({ kind: 'payload', data: new Uint8Array(24).fill(dstPort & 0xff) });
  return buildFrame(layers);
}

describe('operator intent (examples/fabric.yaml through the controller)', () => {
  it('forwards, encapsulates, decapsulates, floods and drops exactly as the contract says', async () => {
    const s = session();
    await s.reset('intent: example fabric');
    const intent = loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml'));
    await new VtepController(s.client).apply(intent);
    const model = new VtepModel(modelOfFabric(intent));

    const macs = [
      ...intent.tenants.flatMap((t) => [
        ...t.vports.map((v) => v.mac),
        ...(t.remoteEndpoints ?? []).map((e) => e.mac),
      ]),
      'ff:ff:ff:ff:ff:ff',
      '02:00:00:00:ee:ee',
    ];
    const inputs: Array<{ port: number; bytes: Uint8Array }> = [];
    for (const t of intent.tenants) {
      for (const v of t.vports) {
        for (const dst of macs)
          for (const port of [22, 80, 443, 5432])
            inputs.push({ port: v.port, bytes: frame(dst, v.mac, v.vlan ?? 0, port) });
      }
      for (const m of t.members ?? []) {
        for (const dst of macs) {
          for (const id of [100, 200, 900]) {
            const uplink = m.vtep.includes(':') ? 6 : 5;
            const inner = frame(dst, (t.remoteEndpoints ?? [])[0]?.mac ?? '02:00:00:00:0f:01', 0, 443);
            inputs.push({
              port: uplink,
              bytes: fromRemoteVtep(inner, {
                vni: t.vni,
                from: m.vtep,
                options: [securityIdOption(id, false)],
              }),
            });
          }
        }
      }
    }
    const outputs = await s.sendMany(
      inputs.map((f) => ({ ...f, copies: model.fate(f.port, f.bytes).copies })),
    );
    const mismatches: string[] = [];
    let delivered = 0;
    inputs.forEach((input, i) => {
      const actual = outputs[i].map(key).sort();
      const expected = model.process(input.port, input.bytes).map(key).sort();
      delivered += actual.length;
      if (actual.join() !== expected.join() && mismatches.length < 5) {
        mismatches.push(
          `frame ${i} on port ${input.port}: expected ${expected.length}, got ${actual.length}`,
        );
      }
    });
    expect(mismatches).toEqual([]);
    expect(delivered).toBeGreaterThan(inputs.length / 4);
  });
});
