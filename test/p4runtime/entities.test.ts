import { p4, toLong } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import { type DecodedEntity, EntityCodec } from '../../packages/p4runtime-ts-grpc/src/entities/index.js';
import { EntityError, P4InfoLookupError, ValueError } from '../../packages/p4runtime-ts-grpc/src/errors.js';
import { P4DataCodec, type P4DataValue } from '../../packages/p4runtime-ts-grpc/src/p4data.js';
import { P4InfoIndex } from '../../packages/p4runtime-ts-grpc/src/p4info/index.js';
import {
  decodeDigestList,
  decodePacketIn,
  encodePacketOut,
} from '../../packages/p4runtime-ts-grpc/src/packet-io.js';
import { insert } from '../../packages/p4runtime-ts-grpc/src/write.js';
import { IDS, makeP4InfoMessage } from './fixtures/p4info.js';

const index = new P4InfoIndex(makeP4InfoMessage());
const codec = new EntityCodec(index);
const hex = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('hex');

/** Encodes into a WriteRequest on the wire, decodes it back and returns the friendly form. */
function roundTrip(entity: p4.v1.IEntity, options?: Parameters<EntityCodec['decode']>[1]): DecodedEntity {
  const wire = p4.v1.WriteRequest.encode({ deviceId: 1, updates: insert(entity) }).finish();
  const decoded = p4.v1.WriteRequest.decode(wire);
  return codec.decode(decoded.updates[0].entity!, options);
}

describe('table entries', () => {
  it('builds exact entries by name and reads them back in the same shape', () => {
    const entity = codec.tableEntry('ingress.l2_fwd', {
      match: { vni: 5000, dst_mac: '02:00:00:00:00:01' },
      action: 'to_remote',
      params: { tunnel_id: 7, remote_vtep: '192.168.0.1' },
    });
    const te = entity.tableEntry!;
    expect(te.tableId).toBe(IDS.l2Fwd);
    expect(te.match!.map((m) => [m.fieldId, hex(m.exact?.value)])).toEqual([
      [1, '1388'],
      [2, '020000000001'],
    ]);
    expect(te.action?.action?.params?.map((p) => hex(p.value))).toEqual(['07', 'c0a80001']);
    expect(roundTrip(entity)).toEqual({
      kind: 'tableEntry',
      table: 'ingress.l2_fwd',
      match: { vni: 5000, dst_mac: 0x020000000001 },
      action: 'ingress.to_remote',
      params: { tunnel_id: 7, remote_vtep: 0xc0a80001 },
      priority: 0,
      isDefaultAction: false,
      isConst: false,
    });
    expect(roundTrip(entity, { format: 'smart' })).toMatchObject({
      match: { vni: 5000, dst_mac: '02:00:00:00:00:01' },
      params: { remote_vtep: '192.168.0.1' },
    });
    expect(roundTrip(entity, { fieldFormats: { vni: 'hex' } })).toMatchObject({ match: { vni: '0x1388' } });
  });

  it('re-encodes decoded entries identically (read-write symmetry)', () => {
    const specs = [
      codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: '00:00:00:00:00:00' }, action: 'drop' }),
      codec.tableEntry('routes', {
        match: { vrf: 3, dst_addr: '10.0.0.0/8' },
        action: 'set_nexthop',
        params: { nexthop_id: 9 },
      }),
      codec.tableEntry('acl', {
        match: {
          src_addr: { value: '2001:db8::', mask: 'ffff:ffff::' },
          l4_dst_port: '1000..2000',
          ip_proto: 17,
        },
        action: 'acl_deny',
        priority: 10,
      }),
    ];
    for (const entity of specs) {
      const data = roundTrip(entity);
      if (data.kind !== 'tableEntry') throw new Error('expected a table entry');
      const again = codec.tableEntry(data.table, {
        match: data.match,
        action: data.action,
        params: data.params,
        priority: data.priority || undefined,
      });
      expect(hex(p4.v1.Entity.encode(again).finish())).toBe(hex(p4.v1.Entity.encode(entity).finish()));
    }
  });

  it('encodes LPM with masking and omits zero-length prefixes', () => {
    const lpm = codec.tableEntry('routes', { match: { vrf: 1, dst_addr: '10.1.2.3/8' }, action: 'drop' })
      .tableEntry!.match![1].lpm!;
    expect([hex(lpm.value), lpm.prefixLen]).toEqual(['0a000000', 8]);
    const obj = codec.tableEntry('routes', {
      match: { vrf: 1, dst_addr: { value: 0x0a0a0a0a, prefixLen: 32 } },
      action: 'drop',
    }).tableEntry!;
    expect(hex(obj.match![1].lpm!.value)).toBe('0a0a0a0a');
    const bare = codec.tableEntry('routes', { match: { vrf: 1, dst_addr: '10.0.0.1' }, action: 'drop' })
      .tableEntry!;
    expect(bare.match![1].lpm!.prefixLen).toBe(32);
    const wildcard = codec.tableEntry('routes', { match: { vrf: 1, dst_addr: '0.0.0.0/0' }, action: 'drop' })
      .tableEntry!;
    expect(wildcard.match).toHaveLength(1);
    expect(() =>
      codec.tableEntry('routes', { match: { vrf: 1, dst_addr: '10.0.0.0/33' }, action: 'drop' }),
    ).toThrow('prefix length 33 outside 0..32');
    expect(
      roundTrip(codec.tableEntry('routes', { match: { vrf: 1, dst_addr: '10.1.0.0/16' }, action: 'drop' }), {
        format: 'smart',
      }),
    ).toMatchObject({
      match: { vrf: 1, dst_addr: { value: '10.1.0.0', prefixLen: 16 } },
    });
  });

  it('encodes ternary, range and optional matches with "don\'t care" omission', () => {
    const build = (match: Record<string, unknown>) =>
      codec.tableEntry('acl', { match: match as never, action: 'acl_deny', priority: 1 }).tableEntry!.match!;
    const t = build({ src_addr: '0x0f0f&&&0x00ff' })[0].ternary!;
    expect([hex(t.value), hex(t.mask)]).toEqual(['0f', 'ff']);
    const exactMask = build({ src_addr: 5 })[0].ternary!;
    expect(hex(exactMask.mask)).toBe('ff'.repeat(16));
    expect(build({ src_addr: { value: 5, mask: 0 } })).toHaveLength(0);
    expect(build({ l4_dst_port: { low: 0, high: 65535 } })).toHaveLength(0);
    const r = build({ l4_dst_port: { low: 80, high: 443 } })[0].range!;
    expect([hex(r.low), hex(r.high)]).toEqual(['50', '01bb']);
    expect(hex(build({ l4_dst_port: 53 })[0].range!.high)).toBe('35');
    expect(() => build({ l4_dst_port: '443..80' })).toThrow('range low 443 is above high 80');
    expect(hex(build({ ip_proto: 6 })[0].optional!.value)).toBe('06');
    expect(build({ ip_proto: null })).toHaveLength(0);
    expect(() => build({ ip_proto: { value: 1, mask: 1 } })).toThrow('optional match takes a plain value');
  });

  it('validates priorities, actions, params and keys with clear errors', () => {
    expect(() => codec.tableEntry('acl', { match: { ip_proto: 6 }, action: 'acl_deny' })).toThrow(
      'entries need a priority > 0',
    );
    expect(() =>
      codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1 }, action: 'drop', priority: 5 }),
    ).toThrow('priority is only allowed');
    expect(() => codec.tableEntry('l2_fwd', { match: { vni: 1 }, action: 'drop' })).toThrow(
      "missing exact match field 'dst_mac'",
    );
    expect(() =>
      codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1, dst_mak: 2 }, action: 'drop' }),
    ).toThrow("unknown match field of table ingress.l2_fwd 'dst_mak'; did you mean 'dst_mac'");
    expect(() =>
      codec.tableEntry('l2_fwd', {
        match: { vni: 1, dst_mac: 1 },
        action: 'to_remote',
        params: { tunnel_id: 1 },
      }),
    ).toThrow("action ingress.to_remote: missing parameter 'remote_vtep' (bit<32>)");
    expect(() =>
      codec.tableEntry('l2_fwd', {
        match: { vni: 1, dst_mac: 1 },
        action: 'to_remote',
        params: { tunnel_id: 1, remote_vtep: 2, ttl: 3 },
      }),
    ).toThrow("unknown param of action ingress.to_remote 'ttl'");
    expect(() =>
      codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1 }, action: 'set_port', params: {} }),
    ).toThrow(P4InfoLookupError);
    expect(() => codec.tableEntry('l2_fwd', { match: { vni: 1 << 24, dst_mac: 1 }, action: 'drop' })).toThrow(
      "table ingress.l2_fwd match field 'vni': does not fit in 24 bit(s) (value 16777216, bit width 24)",
    );
    expect(() =>
      codec.tableEntry('l2_fwd', {
        match: { vni: 1, dst_mac: 1 },
        action: 'to_local',
        params: { port: 512 },
      }),
    ).toThrow(ValueError);
    expect(() => codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1 }, action: 'NoAction' })).toThrow(
      '@defaultonly',
    );
    expect(() =>
      codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1 }, isDefaultAction: true }),
    ).toThrow('cannot have a match');
    expect(() => codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1 }, params: { port: 1 } })).toThrow(
      'params given without an action',
    );
    expect(() =>
      codec.tableEntry('routes', { match: { vrf: 1 }, action: 'drop', idleTimeoutNs: 1000 }),
    ).toThrow('does not support idle timeouts');
    expect(() =>
      codec.tableEntry('routes', { match: { vrf: 1 }, action: 'drop', counterData: { packets: 1 } }),
    ).toThrow('has no direct counter');
  });

  it('handles default actions, idle timeout, metadata and direct resources', () => {
    const def = roundTrip(codec.defaultEntry('l2_fwd', 'NoAction'));
    expect(def).toMatchObject({
      kind: 'tableEntry',
      table: 'ingress.l2_fwd',
      isDefaultAction: true,
      action: 'NoAction',
      match: {},
    });
    const entry = roundTrip(
      codec.tableEntry('l2_fwd', {
        match: { vni: 1, dst_mac: 2 },
        action: 'to_local',
        params: { port: 3 },
        idleTimeoutNs: 5_000_000_000n,
        metadata: 'cookie-1',
        counterData: { packets: 10, bytes: 1500n },
      }),
    );
    expect(entry).toMatchObject({
      idleTimeoutNs: 5_000_000_000n,
      counterData: { packets: 10n, bytes: 1500n },
    });
    expect(entry.kind === 'tableEntry' && Buffer.from(entry.metadata!).toString()).toBe('cookie-1');
    const metered = roundTrip(
      codec.tableEntry('acl', {
        match: { ip_proto: 1 },
        action: 'acl_deny',
        priority: 2,
        meterConfig: { cir: 100, cburst: 10, pir: 200, pburst: 20 },
      }),
    );
    expect(metered).toMatchObject({
      meterConfig: { cir: 100n, cburst: 10n, pir: 200n, pburst: 20n, eburst: 0n },
    });
    // Read-only fields set by a server decode too.
    const served = codec.decode({
      tableEntry: {
        tableId: IDS.l2Fwd,
        isConst: true,
        timeSinceLastHit: { elapsedNs: toLong(42n, false) },
        meterCounterData: { green: { packetCount: 1 }, yellow: {}, red: { byteCount: 9 } },
      },
    });
    expect(served).toMatchObject({
      isConst: true,
      timeSinceLastHitNs: 42n,
      meterCounterData: { green: { packets: 1n, bytes: 0n }, red: { packets: 0n, bytes: 9n } },
    });
  });

  it('supports action profile members, groups and one-shot action sets', () => {
    expect(roundTrip(codec.tableEntry('ecmp', { match: { nexthop_id: 1 }, member: 4 }))).toMatchObject({
      member: 4,
    });
    expect(roundTrip(codec.tableEntry('ecmp', { match: { nexthop_id: 1 }, group: 2 }))).toMatchObject({
      group: 2,
    });
    const oneShot = roundTrip(
      codec.tableEntry('ecmp', {
        match: { nexthop_id: 1 },
        actionSet: [
          { action: 'set_port', params: { port: 1, smac: '02:00:00:00:00:0a' }, weight: 2, watchPort: 1 },
          { action: 'set_port', params: { port: 2, smac: '02:00:00:00:00:0b' } },
        ],
      }),
      { format: 'smart' },
    );
    expect(oneShot).toMatchObject({
      actionSet: [
        {
          action: 'ingress.set_port',
          params: { port: 1, smac: '02:00:00:00:00:0a' },
          weight: 2,
          watchPort: 1,
        },
        { action: 'ingress.set_port', params: { port: 2 }, weight: 1 },
      ],
    });
    expect(() =>
      codec.tableEntry('ecmp', {
        match: { nexthop_id: 1 },
        action: 'set_port',
        params: { port: 1, smac: 1 },
      }),
    ).toThrow('is implemented by action profile ingress.ecmp_selector');
    expect(() => codec.tableEntry('l2_fwd', { match: { vni: 1, dst_mac: 1 }, member: 1 })).toThrow(
      'has no action profile',
    );
    expect(() => codec.tableEntry('ecmp', { match: { nexthop_id: 1 }, member: 1, group: 2 })).toThrow(
      'only one of',
    );

    expect(
      roundTrip(
        codec.actionProfileMember('ecmp_selector', {
          memberId: 7,
          action: 'set_port',
          params: { port: 5, smac: 1 },
        }),
      ),
    ).toEqual({
      kind: 'actionProfileMember',
      actionProfile: 'ingress.ecmp_selector',
      memberId: 7,
      action: 'ingress.set_port',
      params: { port: 5, smac: 1 },
    });
    expect(() => codec.actionProfileMember('ecmp_selector', { memberId: 7, action: 'drop' })).toThrow(
      "unknown action of table ingress.ecmp 'drop'",
    );
    expect(
      roundTrip(
        codec.actionProfileGroup('ecmp_selector', {
          groupId: 3,
          members: [7, { memberId: 8, weight: 3, watchPort: 4 }],
          maxSize: 8,
        }),
      ),
    ).toEqual({
      kind: 'actionProfileGroup',
      actionProfile: 'ingress.ecmp_selector',
      groupId: 3,
      maxSize: 8,
      members: [
        { memberId: 7, weight: 1 },
        { memberId: 8, weight: 3, watchPort: 4 },
      ],
    });
  });
});

describe('other entities', () => {
  it('round-trips counters and meters, indexed and direct', () => {
    expect(
      roundTrip(codec.counterEntry('port_counter', { index: 3, data: { packets: 5, bytes: 2n ** 40n } })),
    ).toEqual({
      kind: 'counterEntry',
      counter: 'ingress.port_counter',
      index: 3,
      data: { packets: 5n, bytes: 2n ** 40n },
    });
    expect(codec.counterEntry('port_counter').counterEntry).toEqual({ counterId: IDS.portCounter });
    expect(() => codec.counterEntry('port_counter', { index: 512 })).toThrow('index 512 outside 0..511');
    expect(
      roundTrip(
        codec.meterEntry('rate_limiter', {
          index: 1,
          config: { cir: 1000, cburst: 100, pir: 2000, pburst: 200 },
        }),
      ),
    ).toMatchObject({
      kind: 'meterEntry',
      meter: 'ingress.rate_limiter',
      index: 1,
      config: { cir: 1000n, pburst: 200n },
    });
    expect(
      roundTrip(
        codec.directCounterEntry('l2_fwd', { match: { vni: 1, dst_mac: 2 } }, { packets: 1, bytes: 2 }),
      ),
    ).toMatchObject({
      kind: 'directCounterEntry',
      tableEntry: { table: 'ingress.l2_fwd', match: { vni: 1, dst_mac: 2 } },
      data: { packets: 1n, bytes: 2n },
    });
    expect(
      roundTrip(
        codec.directMeterEntry(
          'acl',
          { match: { ip_proto: 6 }, priority: 1 },
          { cir: 1, cburst: 2, pir: 3, pburst: 4 },
        ),
      ),
    ).toMatchObject({
      kind: 'directMeterEntry',
      tableEntry: { table: 'ingress.acl', priority: 1 },
      config: { pir: 3n },
    });
    expect(() => codec.directCounterEntry('routes')).toThrow('has no direct counter');
  });

  it('round-trips registers, digests, value sets and externs', () => {
    expect(roundTrip(codec.registerEntry('flow_state', { index: 9, value: 0xdeadbeef }))).toEqual({
      kind: 'registerEntry',
      register: 'ingress.flow_state',
      index: 9,
      value: 0xdeadbeef,
    });
    expect(() => codec.registerEntry('flow_state', { index: 0, value: 2 ** 32 })).toThrow(
      'does not fit in 32 bit(s)',
    );
    expect(
      roundTrip(
        codec.digestEntry('learn_t', { maxTimeoutNs: 1000, maxListSize: 64, ackTimeoutNs: 10n ** 9n }),
      ),
    ).toEqual({
      kind: 'digestEntry',
      digest: 'learn_t',
      config: { maxTimeoutNs: 1000n, maxListSize: 64, ackTimeoutNs: 10n ** 9n },
    });
    expect(
      roundTrip(codec.valueSetEntry('tunnel_ports', { members: [{ udp_port: 6081 }, { udp_port: 4789 }] })),
    ).toEqual({
      kind: 'valueSetEntry',
      valueSet: 'parser.tunnel_ports',
      members: [{ udp_port: 6081 }, { udp_port: 4789 }],
    });
    expect(() =>
      codec.valueSetEntry('tunnel_ports', { members: [1, 2, 3, 4, 5].map((p) => ({ udp_port: p })) }),
    ).toThrow('exceed its size 4');
    expect(codec.decode({ externEntry: { externTypeId: 0x81, externId: 5 } })).toEqual({
      kind: 'externEntry',
      externTypeId: 0x81,
      externId: 5,
    });
  });

  it('round-trips multicast groups and clone sessions', () => {
    expect(
      roundTrip(
        codec.multicastGroup({
          groupId: 10,
          replicas: [
            { port: 1, instance: 1 },
            { port: 2, instance: 1, backupReplicas: [{ port: 3, instance: 2 }] },
            { egressPort: 4 },
          ],
        }),
      ),
    ).toEqual({
      kind: 'multicastGroupEntry',
      groupId: 10,
      replicas: [
        { port: 1, instance: 1 },
        { port: 2, instance: 1, backupReplicas: [{ port: 3, instance: 2 }] },
        { egressPort: 4, instance: 0 },
      ],
    });
    expect(
      roundTrip(
        codec.cloneSession({
          sessionId: 5,
          replicas: [{ port: 255 }],
          classOfService: 1,
          packetLengthBytes: 128,
        }),
      ),
    ).toEqual({
      kind: 'cloneSessionEntry',
      sessionId: 5,
      replicas: [{ port: 255, instance: 0 }],
      classOfService: 1,
      packetLengthBytes: 128,
    });
  });

  it('describes entities for error messages', () => {
    expect(
      codec.describe(
        codec.tableEntry('l2_fwd', { match: { vni: 5000, dst_mac: '02:00:00:00:00:01' }, action: 'drop' }),
      ),
    ).toBe('table ingress.l2_fwd {vni=0x1388, dst_mac=0x020000000001}');
    expect(
      codec.describe(codec.tableEntry('acl', { match: { ip_proto: 6 }, action: 'acl_deny', priority: 3 })),
    ).toBe('table ingress.acl {ip_proto=0x06} priority 3');
    expect(codec.describe(codec.defaultEntry('l2_fwd', 'NoAction'))).toBe(
      'table ingress.l2_fwd (default action)',
    );
    expect(codec.describe(codec.counterEntry('port_counter', { index: 2 }))).toBe(
      'counter ingress.port_counter[2]',
    );
    expect(codec.describe(codec.multicastGroup({ groupId: 1 }))).toBe('multicast group 1');
    expect(codec.describe({ tableEntry: { tableId: 99 } })).toBe('table id 99');
  });
});

describe('P4Data values', () => {
  const typeInfo: p4.config.v1.IP4TypeInfo = {
    headers: {
      h_t: {
        members: [
          { name: 'a', typeSpec: { bit: { bitwidth: 8 } } },
          { name: 'b', typeSpec: { int: { bitwidth: 8 } } },
        ],
      },
    },
    headerUnions: { u_t: { members: [{ name: 'h', header: { name: 'h_t' } }] } },
    enums: { color_t: { members: [{ name: 'RED' }, { name: 'GREEN' }] } },
    serializableEnums: {
      proto_t: { underlyingType: { bitwidth: 8 }, members: [{ name: 'TCP', value: Uint8Array.from([6]) }] },
    },
    structs: {
      s_t: {
        members: [
          { name: 'mac', typeSpec: { bitstring: { bit: { bitwidth: 48 } } } },
          { name: 'delta', typeSpec: { bitstring: { int: { bitwidth: 16 } } } },
          { name: 'flag', typeSpec: { bool: {} } },
          {
            name: 'pair',
            typeSpec: { tuple: { members: [{ bitstring: { bit: { bitwidth: 4 } } }, { bool: {} }] } },
          },
          { name: 'hdr', typeSpec: { header: { name: 'h_t' } } },
          { name: 'invalid', typeSpec: { header: { name: 'h_t' } } },
          { name: 'un', typeSpec: { headerUnion: { name: 'u_t' } } },
          { name: 'stack', typeSpec: { headerStack: { header: { name: 'h_t' }, size: 2 } } },
          { name: 'color', typeSpec: { enum: { name: 'color_t' } } },
          { name: 'proto', typeSpec: { serializableEnum: { name: 'proto_t' } } },
          { name: 'err', typeSpec: { error: {} } },
          { name: 'vb', typeSpec: { bitstring: { varbit: { maxBitwidth: 32 } } } },
        ],
      },
    },
  };
  const data = new P4DataCodec({ struct: { name: 's_t' } }, typeInfo, 'digest d');

  it('round-trips every P4Data kind through the wire', () => {
    const value: P4DataValue = {
      mac: '02:00:00:00:00:01',
      delta: -5,
      flag: true,
      pair: [3, false],
      hdr: { a: 1, b: -1 },
      invalid: null,
      un: { h: { a: 2, b: 3 } },
      stack: [{ a: 4, b: 5 }, null],
      color: 'GREEN',
      proto: 'TCP',
      err: 'NoError',
      vb: { bitwidth: 12, value: 0xabc },
    };
    const wire = p4.v1.P4Data.decode(p4.v1.P4Data.encode(data.encode(value)).finish());
    expect(data.decode(wire, { format: 'smart' })).toEqual({ ...value, mac: '02:00:00:00:00:01' });
    expect(hex(wire.struct!.members![1].bitstring)).toBe('fb');
  });

  it('reports the path of a bad member', () => {
    expect(() => data.encode({ mac: 1 })).toThrow("digest d: missing struct member 'delta'");
    expect(() =>
      new P4DataCodec({ struct: { name: 's_t' } }, typeInfo, 'd').encode({ nope: 1 } as P4DataValue),
    ).toThrow("struct s_t has no member 'nope'");
    const enumCodec = new P4DataCodec({ enum: { name: 'color_t' } }, typeInfo, 'e');
    expect(() => enumCodec.encode('BLUE')).toThrow('expected a member of enum color_t');
    expect(() => new P4DataCodec({ struct: { name: 'missing_t' } }, typeInfo, 'x').encode({})).toThrow(
      "P4Info has no struct type 'missing_t'",
    );
  });
});

describe('packet I/O and digests', () => {
  it('encodes packet-out metadata by name and decodes packet-in', () => {
    const out = encodePacketOut(index, Uint8Array.from([1, 2]), { egress_port: 3, flags: 1 });
    expect(out.metadata!.map((m) => [m.metadataId, hex(m.value)])).toEqual([
      [1, '03'],
      [2, '01'],
    ]);
    expect(() => encodePacketOut(index, new Uint8Array(1), { egress_port: 3 })).toThrow(
      "missing metadata field 'flags'",
    );
    expect(() => encodePacketOut(index, new Uint8Array(1), { egress_port: 3, flags: 0, port: 1 })).toThrow(
      "unknown metadata of packet_out 'port'",
    );
    expect(() => encodePacketOut(index, new Uint8Array(1), { egress_port: 512, flags: 0 })).toThrow(
      'does not fit in 9 bit(s)',
    );
    const packetIn = decodePacketIn(index, {
      payload: Uint8Array.from([9]),
      metadata: [
        { metadataId: 1, value: Uint8Array.from([1, 0]) },
        { metadataId: 9, value: Uint8Array.from([7]) },
      ],
    });
    expect(packetIn.metadata).toEqual({ ingress_port: 256, '#9': Uint8Array.from([7]) });
  });

  it('decodes digest lists with the digest struct type', () => {
    const digest = index.digests.get('learn_t');
    let acked = false;
    const list = decodeDigestList(
      index,
      {
        digestId: IDS.learnDigest,
        listId: 12,
        timestamp: 99,
        data: [digest.data.encode({ src_mac: '02:00:00:00:00:02', vni: 77, ingress_port: 4 })],
      },
      () => {
        acked = true;
      },
      { format: 'smart' },
    );
    expect(list).toMatchObject({
      digest: 'learn_t',
      listId: 12n,
      timestamp: 99n,
      data: [{ src_mac: '02:00:00:00:00:02', vni: 77, ingress_port: 4 }],
    });
    list.ack();
    expect(acked).toBe(true);
    expect(() => digest.data.encode({ src_mac: 1, vni: 1 })).toThrow(EntityError);
  });
});
