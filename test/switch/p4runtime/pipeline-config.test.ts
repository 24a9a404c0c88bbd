// SetForwardingPipelineConfig / GetForwardingPipelineConfig over real gRPC, with the p4c-compiled
// server_all program: every action, every response type, and the refusals.
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bytes,
  connect,
  DEVICE_ID,
  fixtureDeviceConfig,
  fixtureP4Info,
  getPipeline,
  type Ids,
  mac,
  p4,
  probeFrame,
  pushFixture,
  read,
  setPipeline,
  startTarget,
  type TestTarget,
  toNumber,
  UpdateType,
  uint128,
  writeUpdates,
} from './helpers.js';

const Action = p4.v1.SetForwardingPipelineConfigRequest.Action;
const ResponseType = p4.v1.GetForwardingPipelineConfigRequest.ResponseType;
const PROGRAM = 'server_all';

let t: TestTarget;
beforeEach(async () => {
  t = await startTarget();
});
afterEach(async () => {
  await t.stop();
});

function config(cookie?: number): p4.v1.IForwardingPipelineConfig {
  return {
    p4info: fixtureP4Info(PROGRAM),
    p4DeviceConfig: fixtureDeviceConfig(PROGRAM),
    cookie: cookie === undefined ? undefined : { cookie },
  };
}

/** exact_t entry forwarding `dst` to `port`. */
function forwardEntry(ids: Ids, dst: bigint, port: number): p4.v1.IEntity {
  return {
    tableEntry: {
      tableId: ids.table('exact_t'),
      match: [{ fieldId: 1, exact: { value: bytes(dst) } }],
      action: { action: { actionId: ids.action('forward'), params: [{ paramId: 1, value: bytes(port) }] } },
    },
  };
}

function outputsFor(dst: bigint): number[] {
  return t.target.dataplane.process(1, probeFrame(dst, { k8: 1 })).map((o) => o.port);
}

describe('before any pipeline', () => {
  it('answers Get and Read with FAILED_PRECONDITION', async () => {
    const g = await getPipeline(t.stub, {});
    expect(g.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(g.message).toBe('No forwarding pipeline config set for this device');
    const r = await read(t.stub, [{ tableEntry: {} }]);
    expect(r.code).toBe(grpc.status.FAILED_PRECONDITION);
  });
});

describe('VERIFY_AND_COMMIT and Get', () => {
  it('installs the pipeline and returns exactly what each response type asks for', async () => {
    const sent = config(42);
    expect((await setPipeline(t.stub, { action: Action.VERIFY_AND_COMMIT, config: sent })).code).toBe(
      grpc.status.OK,
    );
    const all = (await getPipeline(t.stub, { responseType: ResponseType.ALL })).value?.config;
    expect(all?.p4info?.tables?.length).toBe(sent.p4info?.tables?.length);
    expect(Buffer.from(all?.p4DeviceConfig ?? []).equals(Buffer.from(sent.p4DeviceConfig!))).toBe(true);
    expect(toNumber(all?.cookie?.cookie)).toBe(42);
    const cookieOnly = (await getPipeline(t.stub, { responseType: ResponseType.COOKIE_ONLY })).value?.config;
    expect(cookieOnly?.p4info).toBeNull();
    expect(cookieOnly?.p4DeviceConfig?.length ?? 0).toBe(0);
    expect(toNumber(cookieOnly?.cookie?.cookie)).toBe(42);
    const p4infoOnly = (await getPipeline(t.stub, { responseType: ResponseType.P4INFO_AND_COOKIE })).value
      ?.config;
    expect(p4infoOnly?.p4info?.actions?.length).toBe(sent.p4info?.actions?.length);
    expect(p4infoOnly?.p4DeviceConfig?.length ?? 0).toBe(0);
    const deviceOnly = (await getPipeline(t.stub, { responseType: ResponseType.DEVICE_CONFIG_AND_COOKIE }))
      .value?.config;
    expect(deviceOnly?.p4info).toBeNull();
    expect(deviceOnly?.p4DeviceConfig?.length).toBe(sent.p4DeviceConfig?.length);
    const bad = await getPipeline(t.stub, {
      responseType: 9 as p4.v1.GetForwardingPipelineConfigRequest.ResponseType,
    });
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.message).toContain('Invalid response_type');
  });

  it('omits the cookie when none was sent', async () => {
    await setPipeline(t.stub, { action: Action.VERIFY_AND_COMMIT, config: config() });
    const got = (await getPipeline(t.stub, { responseType: ResponseType.COOKIE_ONLY })).value?.config;
    expect(got?.cookie).toBeNull();
  });

  it('replaces the previous pipeline and its state', async () => {
    const ids = await pushFixture(t.stub, PROGRAM);
    expect((await writeUpdates(t.stub, UpdateType.INSERT, [forwardEntry(ids, mac(1), 3)])).code).toBe(
      grpc.status.OK,
    );
    expect(outputsFor(mac(1))).toEqual([3]);
    await pushFixture(t.stub, PROGRAM);
    expect((await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities).toHaveLength(
      0,
    );
    expect(outputsFor(mac(1))).toEqual([]);
  });
});

describe('refusals', () => {
  it('refuses UNSPECIFIED with INVALID_ARGUMENT', async () => {
    const r = await setPipeline(t.stub, { action: Action.UNSPECIFIED, config: config() });
    expect(r.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.message).toBe('Invalid SetForwardingPipeline action');
    // PI attaches the google.rpc.Status to device-manager errors.
    expect(r.rpcStatus?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('refuses a device config that is not bmv2 JSON (UNKNOWN, first phase)', async () => {
    const r = await setPipeline(t.stub, {
      action: Action.VERIFY_AND_COMMIT,
      config: { p4info: fixtureP4Info(PROGRAM), p4DeviceConfig: new TextEncoder().encode('{"not": "bmv2"') },
    });
    expect(r.code).toBe(grpc.status.UNKNOWN);
    expect(r.message).toMatch(/^Error in first phase of device update: /);
  });

  it('refuses a P4Info that does not describe the device config, naming the object', async () => {
    const p4info = fixtureP4Info(PROGRAM);
    const table = p4info.tables.find((x) => x.preamble?.name === 'MyIngress.exact_t')!;
    table.preamble!.name = 'MyIngress.renamed_t';
    const r = await setPipeline(t.stub, {
      action: Action.VERIFY_AND_COMMIT,
      config: { p4info, p4DeviceConfig: fixtureDeviceConfig(PROGRAM) },
    });
    expect(r.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.message).toContain("table 'MyIngress.renamed_t'");
  });

  it('refuses a malformed P4Info (UNKNOWN "Error when importing p4info") naming the clash', async () => {
    const p4info = fixtureP4Info(PROGRAM);
    p4info.actions[1].preamble!.id = p4info.actions[0].preamble!.id;
    const r = await setPipeline(t.stub, {
      action: Action.VERIFY,
      config: { p4info, p4DeviceConfig: fixtureDeviceConfig(PROGRAM) },
    });
    expect(r.code).toBe(grpc.status.UNKNOWN);
    expect(r.message).toMatch(/^Error when importing p4info: id 0x[0-9a-f]+ is used by both/);
  });

  it('refuses a pipeline for another device id', async () => {
    const r = await setPipeline(t.stub, {
      deviceId: DEVICE_ID + 5,
      action: Action.VERIFY_AND_COMMIT,
      config: config(),
    });
    expect(r.code).toBe(grpc.status.UNKNOWN);
    expect(r.message).toContain('Error when trying to assign device');
  });

  it('refuses a non-primary controller (PERMISSION_DENIED)', async () => {
    const a = await connect(t.stub, 10n);
    const r = await setPipeline(t.stub, {
      electionId: uint128(9n),
      action: Action.VERIFY_AND_COMMIT,
      config: config(),
    });
    expect(r.code).toBe(grpc.status.PERMISSION_DENIED);
    const ok = await setPipeline(t.stub, {
      electionId: uint128(10n),
      action: Action.VERIFY_AND_COMMIT,
      config: config(),
    });
    expect(ok.code).toBe(grpc.status.OK);
    a.stream.end();
  });
});

describe('VERIFY, VERIFY_AND_SAVE, COMMIT, RECONCILE_AND_COMMIT', () => {
  it('VERIFY checks without installing anything', async () => {
    expect((await setPipeline(t.stub, { action: Action.VERIFY, config: config() })).code).toBe(
      grpc.status.OK,
    );
    const g = await getPipeline(t.stub, {});
    expect(g.code).toBe(grpc.status.OK);
    expect(g.value?.config?.p4info).toBeNull();
    expect((await read(t.stub, [{ tableEntry: {} }])).code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('VERIFY_AND_SAVE stages: control plane on the new program, packets on the old one until COMMIT', async () => {
    const ids = await pushFixture(t.stub, PROGRAM);
    await writeUpdates(t.stub, UpdateType.INSERT, [forwardEntry(ids, mac(1), 3)]);
    expect((await setPipeline(t.stub, { action: Action.VERIFY_AND_SAVE, config: config(7) })).code).toBe(
      grpc.status.OK,
    );
    expect((await read(t.stub, [{ tableEntry: { tableId: ids.table('exact_t') } }])).entities).toHaveLength(
      0,
    );
    expect(outputsFor(mac(1))).toEqual([3]);
    const again = await setPipeline(t.stub, { action: Action.VERIFY_AND_SAVE, config: config(8) });
    expect(again.code).toBe(grpc.status.UNKNOWN);
    expect(again.message).toMatch(/^Error in first phase of device update/);
    await writeUpdates(t.stub, UpdateType.INSERT, [forwardEntry(ids, mac(1), 5)]);
    expect((await setPipeline(t.stub, { action: Action.COMMIT })).code).toBe(grpc.status.OK);
    expect(outputsFor(mac(1))).toEqual([5]);
    const cookie = (await getPipeline(t.stub, { responseType: ResponseType.COOKIE_ONLY })).value?.config
      ?.cookie;
    expect(toNumber(cookie?.cookie)).toBe(7);
  });

  it('COMMIT without a saved config fails (UNKNOWN, second phase)', async () => {
    await pushFixture(t.stub, PROGRAM);
    const r = await setPipeline(t.stub, { action: Action.COMMIT });
    expect(r.code).toBe(grpc.status.UNKNOWN);
    expect(r.message).toMatch(/^Error in second phase of device update/);
  });

  it('RECONCILE_AND_COMMIT keeps the forwarding state', async () => {
    const ids = await pushFixture(t.stub, PROGRAM);
    await writeUpdates(t.stub, UpdateType.INSERT, [
      forwardEntry(ids, mac(1), 3),
      forwardEntry(ids, mac(2), 4),
    ]);
    const before = await read(t.stub, [{ tableEntry: {} }]);
    expect((await setPipeline(t.stub, { action: Action.RECONCILE_AND_COMMIT, config: config() })).code).toBe(
      grpc.status.OK,
    );
    const after = await read(t.stub, [{ tableEntry: {} }]);
    expect(after.entities.map((e) => p4.v1.Entity.toObject(e))).toEqual(
      before.entities.map((e) => p4.v1.Entity.toObject(e)),
    );
    expect(outputsFor(mac(2))).toEqual([4]);
  });
});
