// The role config scheme: the client's encoder, the target's decoder and the .proto file agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import {
  decodeRoleConfig,
  encodeRoleConfig,
  P4RoleConfigType,
  RoleConfigError,
} from '../../src/role-config.js';

describe('role config', () => {
  it('has the fields of proto/geneve_offload/v1/role_config.proto', () => {
    const file = join(PACKAGE_ROOT, 'proto', 'geneve_offload', 'v1', 'role_config.proto');
    const type = protobuf
      .parse(readFileSync(file, 'utf8'), { keepCase: true })
      .root.lookupType('geneve_offload.v1.P4RoleConfig');
    const shape = (t: protobuf.Type) =>
      t.fieldsArray
        .map((f) => [f.name, f.id, f.type, f.repeated])
        .sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(shape(P4RoleConfigType)).toEqual(shape(type));
  });

  it('round-trips, and refuses another scheme or bad bytes by name', () => {
    const config = { p4Ids: [1, 2, 0x02000001], receivesPacketIns: true };
    const any = encodeRoleConfig(config);
    expect(any.type_url).toBe('type.googleapis.com/geneve_offload.v1.P4RoleConfig');
    expect(decodeRoleConfig(any)).toEqual({
      p4Ids: [1, 2, 0x02000001],
      packetReplication: false,
      receivesPacketIns: true,
      sendsPacketOuts: false,
      canPushPipeline: false,
    });
    expect(() => decodeRoleConfig({ type_url: 'x/other.Config', value: new Uint8Array(0) })).toThrow(
      new RoleConfigError(
        "role config of type 'other.Config' is not understood; expected geneve_offload.v1.P4RoleConfig",
      ),
    );
    expect(() => decodeRoleConfig({ ...any, value: new Uint8Array([0x0a, 0x05, 0x01]) })).toThrow(
      /^role config is not a valid geneve_offload.v1.P4RoleConfig: /,
    );
  });
});
