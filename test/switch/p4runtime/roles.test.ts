// P4Runtime roles end to end over gRPC, with the VTEP program: a role whose config
// (geneve_offload.v1.P4RoleConfig) names one table arbitrates on its own, may write and read that
// table only, is left out of other entities in wildcard reads, may not set the pipeline, and gets
// packet-ins only when its config says so.
import { readFileSync } from 'node:fs';
import {
  type ArbitrationState,
  type ConnectOptions,
  loadP4Info,
  P4RuntimeClient,
  P4RuntimeRpcError,
  P4RuntimeWriteError,
} from 'p4runtime-ts-grpc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import { encodeRoleConfig, type RoleConfig } from '../../../src/role-config.js';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../../src/switch/index.js';

let target: EmbeddedTarget;
let main: P4RuntimeClient;
const clients: P4RuntimeClient[] = [];

async function connect(options: Partial<ConnectOptions>): Promise<P4RuntimeClient> {
  const c = await P4RuntimeClient.connect({
    address: target.grpcAddress,
    deviceId: 1,
    electionId: 1n,
    connectTimeoutMs: 3000,
    reconnect: false,
    p4info: main?.p4info,
    ...options,
  });
  clients.push(c);
  return c;
}

function policyRule(client: P4RuntimeClient, vni: number) {
  return client.tableEntry('policy_rules', {
    match: { vni, src_security_id: { value: 100, mask: 0xffffffff } },
    priority: 10,
    action: 'allow',
  });
}

function macEntry(client: P4RuntimeClient, vni: number) {
  return client.tableEntry('overlay_mac', {
    match: { vni, dst_mac: '02:00:00:00:00:01' },
    action: 'to_remote_vtep',
    params: { tunnel_id: 7 },
  });
}

/** The policy role: the policy_rules table only. */
function policyConfig(extra: Partial<RoleConfig> = {}): RoleConfig {
  const tableId = policyRule(main, 1).tableEntry?.tableId ?? 0;
  return { p4Ids: [tableId], ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('resolved'),
    (e: unknown) => e as Error,
  );
}

beforeEach(async () => {
  target = await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', deviceId: 1 });
  main = await P4RuntimeClient.connect({
    address: target.grpcAddress,
    deviceId: 1,
    electionId: 10n,
    waitForPrimary: true,
  });
  clients.push(main);
  await main.setPipeline({
    p4info: await loadP4Info(programArtifactPath('p4infoJson')),
    deviceConfig: readFileSync(programArtifactPath('bmv2Json')),
  });
  await main.insert([macEntry(main, 5000), policyRule(main, 5000)]);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await target.stop();
});

describe('a role limited to one table', () => {
  it('is primary of its own role beside the default role, and writes only its table', async () => {
    const policy = await connect({ role: 'policy', roleConfig: encodeRoleConfig(policyConfig()) });
    expect(policy.isPrimary).toBe(true);
    expect(policy.arbitration?.role).toBe('policy');
    expect(main.isPrimary).toBe(true);

    await policy.insert([policyRule(policy, 6000)]);
    const error = await rejection(policy.insert([policyRule(policy, 7000), macEntry(policy, 7000)]));
    expect(error).toBeInstanceOf(P4RuntimeWriteError);
    const failures = (error as P4RuntimeWriteError).failures;
    expect(failures.map((f) => [f.index, f.codeName, f.message])).toEqual([
      [1, 'PERMISSION_DENIED', "The entity is outside role 'policy'"],
    ]);
    // The update inside the role went through; the one outside left nothing behind.
    const rules = await main.readAll(main.tableEntry('policy_rules'));
    expect(rules).toHaveLength(3);
    expect(await main.readAll(main.tableEntry('overlay_mac'))).toHaveLength(1);
  });

  it('reads its table, is refused another, and sees only its own in a wildcard read', async () => {
    const policy = await connect({ role: 'policy', roleConfig: encodeRoleConfig(policyConfig()) });
    expect(await policy.readAll(policy.tableEntry('policy_rules'))).toHaveLength(1);
    const refused = await rejection(policy.readAll(policy.tableEntry('overlay_mac')));
    expect(refused).toBeInstanceOf(P4RuntimeRpcError);
    expect(refused.message).toMatch(/PERMISSION_DENIED: Read of an entity outside role 'policy'/);
    const all = await policy.readAll({ tableEntry: {} });
    expect(all.map((e) => (e.kind === 'tableEntry' ? e.table : e.kind))).toEqual([
      'VtepEgress.policy.policy_rules',
    ]);
    // The default role sees everything.
    expect(await main.readAll({ tableEntry: {} })).toHaveLength(2);
  });

  it('may not set the pipeline unless its config allows it', async () => {
    const pipeline = {
      p4info: await loadP4Info(programArtifactPath('p4infoJson')),
      deviceConfig: readFileSync(programArtifactPath('bmv2Json')),
    };
    const policy = await connect({ role: 'policy', roleConfig: encodeRoleConfig(policyConfig()) });
    const refused = await rejection(policy.setPipeline(pipeline, 'VERIFY'));
    expect(refused.message).toBe(
      "SetForwardingPipelineConfig(VERIFY) failed: PERMISSION_DENIED: role 'policy' may not set the forwarding pipeline",
    );
    const admin = await connect({
      role: 'admin',
      roleConfig: encodeRoleConfig(policyConfig({ canPushPipeline: true })),
    });
    await admin.setPipeline(pipeline, 'VERIFY');
  });

  it('arbitrates per role: a higher election id takes the role over, the default role is untouched', async () => {
    const config = encodeRoleConfig(policyConfig());
    const first = await connect({ role: 'policy', roleConfig: config, electionId: 1n });
    const demoted = new Promise<ArbitrationState>((resolve) => first.once('arbitration', resolve));
    const second = await connect({ role: 'policy', roleConfig: config, electionId: 2n });
    expect(second.isPrimary).toBe(true);
    expect((await demoted).isPrimary).toBe(false);
    expect(main.isPrimary).toBe(true);
    // The demoted controller may no longer write for the role.
    const error = await rejection(first.insert([policyRule(first, 8000)]));
    expect(error.message).toMatch(/PERMISSION_DENIED: Not primary/);
    await second.insert([policyRule(second, 8000)]);
  });

  it('refuses a role config of another scheme, and a config on the default role', async () => {
    const other = await rejection(
      connect({
        role: 'policy',
        roleConfig: { type_url: 'type.googleapis.com/stratum.P4RoleConfig', value: new Uint8Array(0) },
      }),
    );
    expect(other.message).toMatch(
      /INVALID_ARGUMENT: role config of type 'stratum.P4RoleConfig' is not understood; expected geneve_offload.v1.P4RoleConfig/,
    );
    const onDefault = await rejection(connect({ role: '', roleConfig: encodeRoleConfig(policyConfig()) }));
    expect(onDefault.message).toMatch(/INVALID_ARGUMENT: The default role takes no role config/);
  });
});

describe('packet-ins and roles', () => {
  it('go to the default primary, and to a role primary only when its config asks for them', async () => {
    const quiet = await connect({ role: 'policy', roleConfig: encodeRoleConfig(policyConfig()) });
    const listening = await connect({
      role: 'punts',
      roleConfig: encodeRoleConfig(policyConfig({ receivesPacketIns: true })),
    });
    const counts = new Map<P4RuntimeClient, number>();
    for (const c of [main, quiet, listening]) c.on('packetIn', () => counts.set(c, (counts.get(c) ?? 0) + 1));
    const seen = new Promise<void>((resolve) => {
      let n = 0;
      const done = () => {
        if (++n === 2) resolve();
      };
      main.once('packetIn', done);
      listening.once('packetIn', done);
    });
    // A packet-in produced by the target's own device, as a punt from the pipeline would be.
    target.manager.packetIn(new Uint8Array([0x00, 0x01, 0x05, 0x00, ...new Uint8Array(60)]));
    await seen;
    // Messages on a stream keep their order: had the quiet role been sent the packet-in, it would
    // arrive before the arbitration update that a take-over of its role sends it now.
    const demoted = new Promise<void>((resolve) => quiet.once('arbitration', () => resolve()));
    await connect({ role: 'policy', roleConfig: encodeRoleConfig(policyConfig()), electionId: 5n });
    await demoted;
    expect(counts.get(main)).toBe(1);
    expect(counts.get(listening)).toBe(1);
    expect(counts.get(quiet)).toBeUndefined();
  });
});

describe('role config updates', () => {
  it('tells every controller of the role when its primary sends a new config', async () => {
    const primary = await connect({
      role: 'policy',
      roleConfig: encodeRoleConfig(policyConfig()),
      electionId: 2n,
    });
    const backup = await connect({
      role: 'policy',
      roleConfig: encodeRoleConfig(policyConfig()),
      electionId: 1n,
    });
    expect(backup.isPrimary).toBe(false);
    const heard = new Promise<void>((resolve) => backup.once('arbitration', () => resolve()));
    // The primary widens its role to overlay_mac as well, on the same stream and election id.
    const wider = encodeRoleConfig(
      policyConfig({ p4Ids: [...policyConfig().p4Ids, macEntry(main, 1).tableEntry?.tableId ?? 0] }),
    );
    primary.sendStreamMessage({
      arbitration: {
        deviceId: 1,
        electionId: { high: 0, low: 2 },
        role: { name: 'policy', config: wider },
      },
    });
    await heard;
    await primary.insert([macEntry(primary, 9000)]);
  });
});
