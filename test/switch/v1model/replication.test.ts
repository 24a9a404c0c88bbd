import { describe, expect, it } from 'vitest';
import { EngineError, InstanceType, type OutputPacket } from '../../../src/switch/v1model/index.js';
import { byteLength, fixtureEngine, unpack } from '../helpers/fixtures.js';
import { REP_OP, REP_TRACE, replicationPacket } from '../helpers/scenarios.js';

const trace = (o: OutputPacket) => unpack(REP_TRACE, o.bytes, byteLength(REP_OP));
const LEN = byteLength(REP_OP) + byteLength(REP_TRACE) + 4;

describe('replication.p4 (simple_switch architecture)', () => {
  it('unicast: metadata seen in egress', () => {
    const e = fixtureEngine('replication');
    const r = e.processPacket(6, replicationPacket(0, 0, 4));
    expect(r.outputs.map((o) => [o.port, trace(o)])).toEqual([
      [
        2,
        {
          instance_type: 0n,
          passes: 0n,
          egress_rid: 0n,
          egress_port: 2n,
          ingress_port: 6n,
          packet_length: BigInt(LEN),
          preserved: 0x55n,
          mcast_hi: 0n,
        },
      ],
    ]);
  });

  it('multicast: one copy per replica, grouped by rid, ports ascending, instance_type REPLICATION', () => {
    const e = fixtureEngine('replication');
    e.insertMulticastGroup(0x105, [
      { port: 3, rid: 7 },
      { port: 1, rid: 7 },
      { port: 4, rid: 9 },
    ]);
    const r = e.processPacket(6, replicationPacket(2, 0x105, 4));
    expect(
      r.outputs.map((o) => [
        o.port,
        o.instanceType,
        trace(o).egress_rid,
        trace(o).ingress_port,
        trace(o).mcast_hi,
      ]),
    ).toEqual([
      [1, InstanceType.REPLICATION, 7n, 6n, 1n],
      [3, InstanceType.REPLICATION, 7n, 6n, 1n],
      [4, InstanceType.REPLICATION, 9n, 6n, 1n],
    ]);
    // Unknown group: nothing leaves, a drop is recorded.
    const none = e.processPacket(6, replicationPacket(2, 0x106, 4));
    expect(none.outputs).toEqual([]);
    expect(none.drops).toEqual([
      {
        stage: 'replication',
        reason: 'multicast group 262 does not exist',
        instanceType: InstanceType.REPLICATION,
      },
    ]);
    // mark_to_drop after setting mcast_grp clears it (op 9): dropped at the end of ingress.
    expect(e.processPacket(6, replicationPacket(9, 0x105, 4)).outputs).toEqual([]);
  });

  it('multicast group management returns P4Runtime-style errors', () => {
    const e = fixtureEngine('replication');
    const codeOf = (fn: () => void): string => {
      try {
        fn();
        return 'none';
      } catch (err) {
        return (err as EngineError).code;
      }
    };
    e.insertMulticastGroup(1, [{ port: 1, rid: 0 }]);
    expect(codeOf(() => e.insertMulticastGroup(1, []))).toBe('ALREADY_EXISTS');
    expect(codeOf(() => e.modifyMulticastGroup(2, []))).toBe('NOT_FOUND');
    expect(codeOf(() => e.deleteMulticastGroup(2))).toBe('NOT_FOUND');
    expect(codeOf(() => e.insertMulticastGroup(0, []))).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(() =>
        e.insertMulticastGroup(3, [
          { port: 1, rid: 1 },
          { port: 1, rid: 1 },
        ]),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.insertCloneSession(40000, { replicas: [] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.insertCloneSession(5, { replicas: [], classOfService: 1 }))).toBe('UNIMPLEMENTED');
    e.modifyMulticastGroup(1, [{ port: 2, rid: 3 }]);
    expect(e.readMulticastGroups()).toEqual([{ id: 1, replicas: [{ port: 2, rid: 3 }] }]);
    e.deleteMulticastGroup(1);
    expect(e.readMulticastGroups()).toEqual([]);
  });

  it('I2E clone: the packet as received, re-parsed, metadata reset except the preserved field list', () => {
    const e = fixtureEngine('replication');
    e.insertCloneSession(44, { replicas: [{ port: 5, rid: 2 }] });
    const r = e.processPacket(6, replicationPacket(1, 44, 4));
    expect(r.outputs.map((o) => [o.port, o.instanceType, trace(o)])).toEqual([
      [
        5,
        InstanceType.INGRESS_CLONE,
        {
          instance_type: 1n,
          passes: 0n,
          egress_rid: 2n,
          egress_port: 5n,
          // simple_switch resets every metadata field not in the field list, ingress_port included.
          ingress_port: 0n,
          packet_length: BigInt(LEN),
          preserved: 0x77n,
          mcast_hi: 0n,
        },
      ],
      [
        2,
        InstanceType.NORMAL,
        {
          instance_type: 0n,
          passes: 0n,
          egress_rid: 0n,
          egress_port: 2n,
          ingress_port: 6n,
          packet_length: BigInt(LEN),
          preserved: 0x77n,
          mcast_hi: 0n,
        },
      ],
    ]);
    // Without a configured session nothing is cloned.
    expect(e.processPacket(6, replicationPacket(1, 45, 4)).outputs.map((o) => o.port)).toEqual([2]);
  });

  it('E2E clone: headers as at the end of egress, preserved fields from the end of egress', () => {
    const e = fixtureEngine('replication');
    e.insertCloneSession(44, { egressPort: 9 });
    const r = e.processPacket(6, replicationPacket(10, 44, 4));
    expect(
      r.outputs.map((o) => [
        o.port,
        o.instanceType,
        trace(o).passes,
        trace(o).preserved,
        trace(o).ingress_port,
      ]),
    ).toEqual([
      [2, InstanceType.NORMAL, 0xeen, 0x55n, 6n],
      [9, InstanceType.EGRESS_CLONE, 0xeen, 0x11n, 0n],
    ]);
  });

  it('clone session truncation (packet_length_bytes) applies to clones only', () => {
    const e = fixtureEngine('replication');
    e.insertCloneSession(44, { replicas: [{ port: 5, rid: 0 }], packetLengthBytes: 10 });
    const r = e.processPacket(6, replicationPacket(1, 44, 4));
    expect(r.outputs.map((o) => [o.port, o.bytes.length])).toEqual([
      [5, 10],
      [2, LEN],
    ]);
  });

  it('resubmit: ingress again with the original packet, instance_type RESUBMIT, preserved fields only', () => {
    const e = fixtureEngine('replication', { trace: true });
    const r = e.processPacket(6, replicationPacket(3, 0, 4));
    expect(r.outputs).toHaveLength(1);
    const t = trace(r.outputs[0]);
    // Unicast resets instance_type to NORMAL before egress; ingress_port was not preserved.
    expect(t).toMatchObject({
      passes: 2n,
      instance_type: 0n,
      ingress_port: 0n,
      preserved: 0x77n,
      packet_length: BigInt(LEN),
    });
    expect(r.notes.filter((n) => n.message === 'resubmit')).toHaveLength(2);
    expect(r.notes.filter((n) => n.message.startsWith('ingress pass')).map((n) => n.message)).toEqual([
      'ingress pass, instance_type 0',
      'ingress pass, instance_type 6',
      'ingress pass, instance_type 6',
    ]);
  });

  it('recirculate: the deparsed packet goes through ingress again (instance_type RECIRC)', () => {
    const e = fixtureEngine('replication', { trace: true });
    const r = e.processPacket(6, replicationPacket(4, 0, 4));
    expect(r.outputs).toHaveLength(1);
    expect(trace(r.outputs[0])).toMatchObject({ passes: 2n, ingress_port: 0n, packet_length: BigInt(LEN) });
    expect(r.notes.filter((n) => n.message.startsWith('ingress pass')).map((n) => n.message)).toEqual([
      'ingress pass, instance_type 0',
      'ingress pass, instance_type 4',
      'ingress pass, instance_type 4',
    ]);
  });

  it('digest: one message with the learn list values, truncation, drops', () => {
    const e = fixtureEngine('replication');
    const d = e.processPacket(6, replicationPacket(5, 0xabc, 4));
    expect(d.digests).toEqual([
      {
        listId: 1,
        listName: 'learn_t',
        values: [5n, 0xabcn, 6n],
        fieldNames: ['scalars.tmp_0', 'scalars.tmp_1', 'scalars.tmp_2'],
      },
    ]);
    expect(e.processPacket(6, replicationPacket(6, 7, 4)).outputs.map((o) => o.bytes.length)).toEqual([7]);
    expect(e.processPacket(6, replicationPacket(6, 1000, 4)).outputs.map((o) => o.bytes.length)).toEqual([
      LEN,
    ]);
    const dropped = e.processPacket(6, replicationPacket(7, 0, 4));
    expect(dropped.outputs).toEqual([]);
    expect(dropped.drops).toEqual([
      { stage: 'ingress', reason: 'egress_spec is the drop port', instanceType: 0 },
    ]);
    const egressDrop = e.processPacket(6, replicationPacket(11, 0, 4));
    expect(egressDrop.drops).toEqual([
      { stage: 'egress', reason: 'egress_spec is the drop port', instanceType: 0 },
    ]);
  });

  it('CPU port: outputs to it are packet-ins; packet-outs enter on it', () => {
    const e = fixtureEngine('replication', { cpuPort: 64 });
    const r = e.processPacket(6, replicationPacket(8, 64, 4));
    expect(r.outputs).toEqual([]);
    expect(r.packetIns.map((p) => [p.port, trace(p).egress_port])).toEqual([[64, 64n]]);
    const out = e.processPacketOut(replicationPacket(0, 0, 4));
    expect(out.outputs.map((o) => trace(o).ingress_port)).toEqual([64n]);
    expect(() => fixtureEngine('replication').processPacketOut(new Uint8Array(20))).toThrow(EngineError);
  });

  it('a drop port other than 511 can be configured (simple_switch --drop-port)', () => {
    const e = fixtureEngine('replication', { dropPort: 100 });
    expect(e.processPacket(6, replicationPacket(7, 0, 4)).outputs).toEqual([]);
    expect(e.processPacket(6, replicationPacket(8, 100, 4)).outputs).toEqual([]);
    expect(e.processPacket(6, replicationPacket(8, 511, 4)).outputs.map((o) => o.port)).toEqual([511]);
  });
});

describe("the multicast engine's capacity (bmv2 McSimplePre: 4,096 groups, 4,096 nodes)", () => {
  const code = (fn: () => void): string => {
    try {
      fn();
      return 'OK';
    } catch (error) {
      return error instanceof EngineError ? error.code : String(error);
    }
  };
  /** `n` replicas with distinct replication ids: one bmv2 node each. */
  const replicas = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ port: (from + i) % 8, rid: from + i }));

  it('counts one node per replication id of a group, across groups and clone sessions', () => {
    const e = fixtureEngine('replication');
    e.insertMulticastGroup(1, replicas(4000));
    // Ports sharing a replication id share one node.
    e.insertMulticastGroup(2, [
      { port: 1, rid: 0 },
      { port: 2, rid: 0 },
    ]);
    e.insertCloneSession(5, { replicas: replicas(89) });
    expect(code(() => e.insertMulticastGroup(3, replicas(6)))).toBe('OK');
    expect(code(() => e.insertMulticastGroup(4, replicas(1)))).toBe('RESOURCE_EXHAUSTED');
    expect(code(() => e.insertCloneSession(6, { replicas: replicas(1) }))).toBe('RESOURCE_EXHAUSTED');
    // A refused write changes nothing; a delete gives its nodes back.
    expect(e.readMulticastGroups().map((g) => g.id)).toEqual([1, 2, 3]);
    e.deleteMulticastGroup(3);
    expect(code(() => e.insertMulticastGroup(4, replicas(6)))).toBe('OK');
  });

  it('lets a modify keep the nodes of replication ids it keeps, as PI does', () => {
    const e = fixtureEngine('replication');
    e.insertMulticastGroup(1, replicas(4096));
    // Same replication ids on other ports: the nodes are updated, none created.
    expect(
      code(() =>
        e.modifyMulticastGroup(
          1,
          replicas(4096).map((r) => ({ ...r, port: 7 })),
        ),
      ),
    ).toBe('OK');
    // PI creates the new node before it deletes the old one, and bmv2 is full.
    expect(code(() => e.modifyMulticastGroup(1, [...replicas(4095), { port: 1, rid: 9999 }]))).toBe(
      'RESOURCE_EXHAUSTED',
    );
    expect(code(() => e.modifyMulticastGroup(1, replicas(10)))).toBe('OK');
    expect(code(() => e.insertMulticastGroup(2, replicas(4086, 10)))).toBe('OK');
  });

  it('holds at most 4,096 groups', () => {
    const e = fixtureEngine('replication');
    for (let id = 1; id <= 4096; id++) e.insertMulticastGroup(id, []);
    expect(code(() => e.insertMulticastGroup(4097, []))).toBe('RESOURCE_EXHAUSTED');
    expect(code(() => e.insertCloneSession(1, { replicas: [] }))).toBe('RESOURCE_EXHAUSTED');
    // A session to one port (simple_switch_CLI mirroring_add) needs no group.
    expect(code(() => e.insertCloneSession(1, { egressPort: 3 }))).toBe('OK');
  });
});
