// apply on a device that runs a build of the VTEP the controller did not push (P4_TARGET selects the
// target, embedded by default, bmv2 with P4_TARGET=bmv2): the same P4Info under another cookie is
// driven as it is, never pushed; a P4Info without a table the plan writes is refused with that table
// named, and replaced only with --force.

import { p4 } from 'p4runtime-ts-grpc/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectDevice, reconcileDevice, reconcileFabric, vtepProgram } from '../../src/controller/index.js';
import { type Lab, reports, startLab } from './helpers.js';

let lab: Lab;
beforeEach(async () => {
  lab = await startLab(2);
});
afterEach(async () => {
  await lab.stop();
});

const OTHER_COOKIE = 0x5eed_0000_0000_0017n;

/** Pushes the VTEP's bmv2 JSON with `p4info` and a cookie that is not the controller's. */
async function pushOtherBuild(i: number, p4info: p4.config.v1.IP4Info): Promise<void> {
  const program = await vtepProgram();
  await lab.withClient(i, (c) =>
    c.setPipeline({ p4info, deviceConfig: program.deviceConfig, cookie: OTHER_COOKIE }),
  );
}

const cookieOf = (i: number) => lab.withClient(i, async (c) => (await c.getPipeline('COOKIE_ONLY')).cookie);

describe('a device running another build of the VTEP', () => {
  it('is driven without pushing when its P4Info takes the plan: entries written, cookie kept, re-apply writes nothing', async () => {
    const program = await vtepProgram();
    for (const i of [0, 1]) await pushOtherBuild(i, program.p4info);
    const first = reports(await reconcileFabric(lab.devices()));
    expect(first.map((r) => r.pipeline)).toEqual(['compatible', 'compatible']);
    // Everything but the recognized security option (security_option_recognition's default
    // action), which the example fabric leaves at the program's own default: already there.
    for (const r of first) expect([r.written, r.diff.unchanged]).toEqual([r.plan.entities.length - 1, 1]);
    expect([await cookieOf(0), await cookieOf(1)]).toEqual([OTHER_COOKIE, OTHER_COOKIE]);

    const again = reports(await reconcileFabric(lab.devices()));
    expect(again.map((r) => [r.pipeline, r.written])).toEqual([
      ['compatible', 0],
      ['compatible', 0],
    ]);
  });

  it('trusts a cache made for that program (nothing read), not one made for another', async () => {
    const program = await vtepProgram();
    await pushOtherBuild(0, program.p4info);
    const { client, target } = await connectDevice(lab.devices()[0], { reconnect: false });
    try {
      const first = await reconcileDevice(client, target);
      expect(first.pipeline).toBe('compatible');
      expect(first.cache?.program).toMatch(/^p4info [0-9a-f]{64}$/);
      // The controller reads entries as response bytes (read-wire.ts) and other entities decoded.
      const raw = vi.spyOn(client, 'readRaw');
      const bytes = vi.spyOn(client, 'readResponseBytes');
      const reads = () => raw.mock.calls.length + bytes.mock.calls.length;
      const second = await reconcileDevice(client, target, { cache: first.cache });
      expect([second.pipeline, second.written, reads()]).toEqual(['compatible', 0, 0]);
      // A cache made for the controller's own program is not trusted for this one: the device is read.
      const ownCache = { ...first.cache!, program: `cookie ${program.cookie}` };
      const third = await reconcileDevice(client, target, { cache: ownCache });
      expect(third.written).toBe(0);
      expect(reads()).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it('is refused, naming the table, when its P4Info lacks one the plan writes; --force pushes the VTEP', async () => {
    const program = await vtepProgram();
    const lacking = p4.config.v1.P4Info.decode(p4.config.v1.P4Info.encode(program.p4info).finish());
    lacking.tables.splice(
      lacking.tables.findIndex((t) => t.preamble?.name === 'VtepEgress.mtu_check.uplink_mtu'),
      1,
    );
    await pushOtherBuild(0, lacking);

    // diff says so without writing.
    const [diff] = reports(await reconcileFabric(lab.devices().slice(0, 1), { dryRun: true }));
    expect([diff.pipeline, diff.programMismatch, diff.written]).toEqual([
      'would replace',
      "table VtepEgress.mtu_check.uplink_mtu: not in the device's program",
      0,
    ]);

    const [refused] = await reconcileFabric(lab.devices().slice(0, 1));
    expect(refused.ok).toBe(false);
    expect((refused as { error: Error }).error.message).toBe(
      `device vtep-a runs another program (cookie ${OTHER_COOKIE}): table VtepEgress.mtu_check.uplink_mtu: ` +
        "not in the device's program; refused: replacing it wipes every entry (--force to do it anyway)",
    );
    expect(await cookieOf(0)).toBe(OTHER_COOKIE);

    const [forced] = reports(await reconcileFabric(lab.devices().slice(0, 1), { force: true }));
    expect(forced.pipeline).toBe('replaced');
    expect(forced.written).toBe(forced.plan.entities.length);
    expect(await cookieOf(0)).toBe(program.cookie);
    const [after] = reports(await reconcileFabric(lab.devices().slice(0, 1)));
    expect([after.pipeline, after.written]).toEqual(['kept', 0]);
  });
});
