// The project's Geneve VTEP program on the embedded target and on real bmv2 simple_switch_grpc at the
// same time: one random fabric written to both over P4Runtime, the same random frames into both over
// the dataplane service, and every frame must leave both switches on the same ports with the same
// bytes. Run with P4_DIFF=1 (needs simple_switch_grpc on PATH); skipped otherwise, with a message.
// DIFF_SEED reproduces a run.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyIntent } from '../../scenarios/harness/intent.js';
import { VtepModel } from '../../scenarios/harness/model.js';
import { prng, randomInput, randomIntent } from '../../scenarios/harness/random-fabric.js';
import { type RunningTarget, startTarget } from '../../scenarios/harness/target.js';
import { VtepSession } from '../../scenarios/harness/vtep.js';

const wanted = process.env.P4_DIFF === '1';
const bmv2 = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
const enabled = wanted && !bmv2.error && bmv2.status === 0;
if (!enabled) {
  console.warn(
    wanted
      ? 'geneve-differential: simple_switch_grpc is not on PATH; skipped'
      : 'geneve-differential: set P4_DIFF=1 with bmv2 installed to compare the Geneve program on both targets',
  );
}
const SEED = Number(process.env.DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FRAMES = Number(process.env.DIFF_FRAMES ?? 3000);

describe.skipIf(!enabled)('Geneve program: embedded target vs bmv2 (P4_DIFF=1)', () => {
  const targets: RunningTarget[] = [];
  const sessions: VtepSession[] = [];

  beforeAll(async () => {
    for (const kind of ['embedded', 'bmv2'] as const) {
      const target = await startTarget(kind);
      targets.push(target);
      sessions.push(await VtepSession.open(target));
    }
  });

  afterAll(async () => {
    for (const s of sessions) s.close();
    for (const t of targets) await t.stop();
  });

  it(`gives the same ports and bytes for ${FRAMES} random frames (seed ${SEED})`, async () => {
    console.log(`geneve-differential: seed ${SEED} (DIFF_SEED=${SEED} reproduces this run)`);
    const rng = prng(SEED);
    const intent = randomIntent(rng);
    for (const s of sessions) {
      await s.reset('differential');
      await applyIntent(s, intent);
    }
    // The model says how many copies of each frame the pipelines finish (flooding), so that both
    // targets are waited for until every frame is accounted for (harness/vtep.ts, sendMany).
    const model = new VtepModel(intent);
    const inputs = Array.from({ length: FRAMES }, () => {
      const input = randomInput(rng, intent);
      return { ...input, copies: model.fate(input.port, input.bytes).copies };
    });
    const key = (o: { port: number; bytes: Uint8Array }) =>
      `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;
    const differences: string[] = [];
    let delivered = 0;
    for (let i = 0; i < inputs.length; i += 300) {
      const batch = inputs.slice(i, i + 300);
      const [embedded, real] = await Promise.all(sessions.map((s) => s.sendMany(batch)));
      batch.forEach((input, j) => {
        const a = embedded[j].map(key).sort();
        const b = real[j].map(key).sort();
        delivered += b.length;
        if (a.join() !== b.join() && differences.length < 5) {
          differences.push(
            `frame ${i + j} on port ${input.port}: embedded ${a.length} frame(s), bmv2 ${b.length}\n  ${Buffer.from(input.bytes).toString('hex')}`,
          );
        }
      });
    }
    expect(differences, `seed ${SEED}`).toEqual([]);
    expect(delivered).toBeGreaterThan(FRAMES / 10);
    // And every counter cell agrees, packets and bytes.
    const counters = [
      'VtepIngress.ingress_drops',
      'VtepEgress.egress_drops',
      'VtepIngress.tenant_from_network',
      'VtepEgress.tenant_to_network',
    ];
    const [cellsEmbedded, cellsBmv2] = await Promise.all(
      sessions.map(async (s) => {
        const cells: string[] = [];
        for (const c of counters) {
          for (const e of await s.client.readAll(s.client.counterEntry(c))) {
            if (e.kind === 'counterEntry' && e.data.packets > 0n)
              cells.push(`${c}[${e.index}] ${e.data.packets}/${e.data.bytes}`);
          }
        }
        return cells.sort();
      }),
    );
    expect(cellsEmbedded.length).toBeGreaterThan(3);
    expect(cellsEmbedded).toEqual(cellsBmv2);
  }, 300_000);
});
