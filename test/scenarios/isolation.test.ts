// Isolation property: random tenants with overlapping MACs, random endpoints and policies, random
// frames from both sides. No frame may reach a port of another VNI, and every frame that leaves
// must be exactly what the reference model of the contract predicts. Reproduce a failure with
// ISOLATION_SEED=<printed seed>; ISOLATION_FRAMES sets the count (default 10,000).
import { describe, expect, it } from 'vitest';
import { useVtep } from './harness/fabric.js';
import { applyIntent } from './harness/intent.js';
import { type FabricIntent, type ModelOutput, parseLikeVtep, VtepModel } from './harness/model.js';
import { prng, randomInput, randomIntent } from './harness/random-fabric.js';

const session = useVtep();
const SEED = Number(process.env.ISOLATION_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FRAMES = Number(process.env.ISOLATION_FRAMES ?? 10_000);
/**
 * Frames sent at once. bmv2 queues at most 64 packets per egress port; a burst whose flood copies
 * pile onto one port can overflow that queue, which the test would read as a missing frame.
 */
const BATCH = 200;

const key = (o: ModelOutput) => `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;

/** The VNI a frame travels in: its vport's, or its Geneve header's. */
function vniOfInput(intent: FabricIntent, input: { port: number; bytes: Uint8Array }): number | undefined {
  const p = parseLikeVtep(input.bytes);
  if (p.geneve) return p.geneve.vni;
  const eth = p.frame.ethernet;
  return intent.vports.find(
    (v) => v.port === input.port && v.mac === eth?.src && v.vlan === (p.frame.vlan?.vid ?? 0),
  )?.vni;
}

/** The VNIs an output can belong to: the vports attached at (port, VLAN), or the Geneve VNI. */
function vnisOfOutput(intent: FabricIntent, o: ModelOutput): number[] {
  const p = parseLikeVtep(o.bytes);
  if (intent.uplinks.includes(o.port)) return p.geneve ? [p.geneve.vni] : [];
  const vlan = p.frame.vlan?.vid ?? 0;
  return intent.vports.filter((v) => v.port === o.port && v.vlan === vlan).map((v) => v.vni);
}

describe('tenant isolation (property)', () => {
  it(`delivers only what the intent explains, never across VNIs (${FRAMES} frames, seed ${SEED})`, async () => {
    console.log(`isolation: seed ${SEED}, ${FRAMES} frames (ISOLATION_SEED=${SEED} reproduces this run)`);
    const rng = prng(SEED);
    const intent = randomIntent(rng);
    const model = new VtepModel(intent);
    const s = session();
    await s.reset('isolation: random tenants');
    await applyIntent(s, intent);

    const mismatches: string[] = [];
    let delivered = 0;
    let crossTenant = 0;
    for (let done = 0; done < FRAMES; done += BATCH) {
      const inputs = Array.from({ length: Math.min(BATCH, FRAMES - done) }, () => randomInput(rng, intent));
      const outputs = await s.sendMany(
        inputs.map((f) => ({ ...f, copies: model.fate(f.port, f.bytes).copies })),
      );
      inputs.forEach((input, i) => {
        const actual = outputs[i].map(key).sort();
        const expected = model.process(input.port, input.bytes).map(key).sort();
        delivered += actual.length;
        const vni = vniOfInput(intent, input);
        for (const o of outputs[i])
          if (vni === undefined || !vnisOfOutput(intent, o).includes(vni)) crossTenant++;
        if (actual.join() !== expected.join() && mismatches.length < 5) {
          mismatches.push(
            `frame ${done + i} on port ${input.port}: ${Buffer.from(input.bytes).toString('hex')}\n` +
              `  expected ${JSON.stringify(expected.map((k) => k.slice(0, 60)))}\n` +
              `  actual   ${JSON.stringify(actual.map((k) => k.slice(0, 60)))}`,
          );
        }
      });
    }
    console.log(`isolation: ${delivered} frames delivered`);
    expect(crossTenant, 'frames delivered outside their VNI').toBe(0);
    expect(mismatches, `seed ${SEED}`).toEqual([]);
    expect(delivered).toBeGreaterThan(FRAMES / 10);
  }, 600_000);
});
