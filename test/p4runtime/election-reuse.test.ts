// One election id, used again and again: a controller that runs, closes and runs again (the
// reconciler after a test's helper client, `genevectl apply` twice) must never be turned away
// because its previous stream is still alive on the server. Against the embedded target, and real
// bmv2 simple_switch_grpc with P4_TARGET=bmv2 (PI's server): both refuse a second live stream with
// the same election id with INVALID_ARGUMENT "Election id already exists", and both accept it once
// the first one's close has resolved. The embedded target's BlueField profile, which takes one
// controller at a time and no arbitration, takes the next one as soon as the last one's close resolved.
import { P4RuntimeClient, P4RuntimeRpcError } from 'p4runtime-ts-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTarget, startTarget } from '../scenarios/harness/target.js';

const INVALID_ARGUMENT = 3; // google.rpc.Code
const ROUNDS = 50;

let target: RunningTarget;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
});

const connect = (electionId: bigint) =>
  P4RuntimeClient.connect({
    address: target.p4runtimeAddress,
    deviceId: target.deviceId,
    electionId,
    reconnect: false,
    waitForPrimary: true,
  });

describe(`one election id, connection after connection, on the ${process.env.P4_TARGET ?? 'embedded'} target`, () => {
  it('refuses a second live stream with the same election id, as PI does', async () => {
    const first = await connect(7n);
    try {
      const refused = await connect(7n).then(
        async (c) => {
          await c.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(P4RuntimeRpcError);
      expect(refused).toMatchObject({ rpc: 'StreamChannel', code: INVALID_ARGUMENT });
      expect((refused as Error).message).toContain('Election id already exists');
      // The refusal did not disturb the live one.
      expect(first.isPrimary).toBe(true);
    } finally {
      await first.close();
    }
  });

  it(`connects, closes and connects again ${ROUNDS} times without a clash`, async () => {
    let primaries = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const client = await connect(1n);
      if (client.isPrimary) primaries++;
      await client.close();
    }
    expect(primaries).toBe(ROUNDS);
  });
});

describe('one controller after another on the embedded BlueField profile', () => {
  it(`connects, closes and connects again ${ROUNDS} times, never finding the last one still there`, async () => {
    const { startEmbeddedTarget } = await import('../../src/switch/index.js');
    const dpu = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', deviceId: 1, profile: 'bluefield' });
    const connect = () =>
      P4RuntimeClient.connect({
        address: dpu.grpcAddress,
        deviceId: 1,
        arbitrate: false,
        stream: true,
        reconnect: false,
      });
    // A refused stream ends at once, ahead of the answer to a pipeline read sent after it.
    const firstWord = (client: P4RuntimeClient): Promise<string> =>
      Promise.race([
        new Promise<string>((resolve) => client.once('disconnect', ({ error }) => resolve(error.message))),
        client.getPipeline('COOKIE_ONLY').then(
          () => 'answered',
          () => 'answered',
        ),
      ]);
    try {
      // While one controller's stream lives, the next is refused (and sees it first).
      const holder = await connect();
      const second = await connect();
      expect(await firstWord(second)).toMatch(/RESOURCE_EXHAUSTED: Only one P4 controller/);
      await second.close();
      await holder.close();

      let streams = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const client = await connect();
        if ((await firstWord(client)) === 'answered') streams++;
        await client.close();
      }
      expect(streams).toBe(ROUNDS);
    } finally {
      await dpu.stop();
    }
  });
});
