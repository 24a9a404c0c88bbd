import { describe, expect, it } from 'vitest';
import {
  createHashAlgorithm,
  EngineError,
  type EngineErrorCode,
  METER_GREEN,
  METER_RED,
  METER_YELLOW,
  type SimpleSwitchEngine,
} from '../../../src/switch/v1model/index.js';
import { byteLength, fixtureEngine, pack, unpack } from '../helpers/fixtures.js';
import { EXT_CMD, EXT_RES, externsPacket } from '../helpers/scenarios.js';

function run(e: SimpleSwitchEngine, cmd: Record<string, bigint | number>) {
  const r = e.processPacket(0, externsPacket(cmd));
  expect(r.error).toBeUndefined();
  expect(r.outputs).toHaveLength(1);
  return { res: unpack(EXT_RES, r.outputs[0].bytes, byteLength(EXT_CMD)), result: r };
}

function code(fn: () => unknown): EngineErrorCode | 'none' {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
  return 'none';
}

const PKT_LEN = byteLength(EXT_CMD) + byteLength(EXT_RES);

describe('externs.p4', () => {
  it('indirect counters count packets and bytes per index; readable and writable', () => {
    const e = fixtureEngine('externs');
    run(e, { idx: 3 });
    run(e, { idx: 3 });
    run(e, { idx: 5 });
    expect(e.readCounter('MyIngress.pkt_counter', 3)).toEqual({ packets: 2, bytes: 2 * PKT_LEN });
    expect(e.readCounter('MyIngress.pkt_counter', 5)).toEqual({ packets: 1, bytes: PKT_LEN });
    e.writeCounter('MyIngress.pkt_counter', 5, { packets: 100, bytes: 0 });
    run(e, { idx: 5 });
    expect(e.readCounter('MyIngress.pkt_counter', 5)).toEqual({ packets: 101, bytes: PKT_LEN });
    expect(code(() => e.readCounter('MyIngress.pkt_counter', 8))).toBe('OUT_OF_RANGE');
    expect(code(() => e.readCounter('MyIngress.flow_counter', 0))).toBe('INVALID_ARGUMENT');
    expect(code(() => e.readCounter('nope', 0))).toBe('NOT_FOUND');
  });

  it('registers: read-modify-write from the data plane, read/write from the control plane', () => {
    const e = fixtureEngine('externs');
    expect(run(e, { idx: 2, op: 1, value: 5 }).res).toMatchObject({ reg_old: 0n, reg_new: 5n });
    expect(run(e, { idx: 2, op: 1, value: 0xffffffff }).res).toMatchObject({ reg_old: 5n, reg_new: 4n });
    expect(e.readRegister('MyIngress.acc', 2)).toBe(4n);
    e.writeRegister('MyIngress.acc', 2, 0x1234n);
    expect(run(e, { idx: 2, op: 0 }).res).toMatchObject({ reg_old: 0x1234n, reg_new: 0x1234n });
    expect(code(() => e.writeRegister('MyIngress.acc', 2, 1n << 32n))).toBe('INVALID_ARGUMENT');
    expect(code(() => e.readRegister('MyIngress.acc', 16))).toBe('OUT_OF_RANGE');
    e.resetRegister('MyIngress.acc');
    expect(e.readRegister('MyIngress.acc', 2)).toBe(0n);
  });

  it('meters: unconfigured meters are green; two-rate token buckets color packets (trTCM)', () => {
    let now = 0;
    const e = fixtureEngine('externs', { clock: () => now });
    expect(run(e, { idx: 1 }).res.color).toBe(BigInt(METER_GREEN));
    // 1 packet/us committed with burst 2, 2 packets/us peak with burst 4.
    e.setMeter('MyIngress.pkt_meter', 1, { cir: 1_000_000, cburst: 2, pir: 2_000_000, pburst: 4 });
    expect(e.getMeter('MyIngress.pkt_meter', 1)).toEqual({
      cir: 1_000_000,
      cburst: 2,
      pir: 2_000_000,
      pburst: 4,
    });
    const colors = [0, 1, 2, 3, 4].map(() => Number(run(e, { idx: 1 }).res.color));
    expect(colors).toEqual([METER_GREEN, METER_GREEN, METER_YELLOW, METER_YELLOW, METER_RED]);
    now = 10; // both buckets refill to their bursts
    expect(Number(run(e, { idx: 1 }).res.color)).toBe(METER_GREEN);
    expect(code(() => e.setMeter('MyIngress.pkt_meter', 1, { cir: 5, cburst: 1, pir: 4, pburst: 1 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => e.setMeter('MyIngress.pkt_meter', 4, undefined))).toBe('OUT_OF_RANGE');
    e.setMeter('MyIngress.pkt_meter', 1, undefined);
    expect(e.getMeter('MyIngress.pkt_meter', 1)).toBeUndefined();
  });

  it('direct meters run on hits only and write their color to the result field', () => {
    const e = fixtureEngine('externs');
    const key = [{ kind: 'exact' as const, value: 7n }];
    const h = e.addTableEntry('MyIngress.flows', {
      match: key,
      action: { type: 'action', name: 'MyIngress.count_flow', params: [] },
    });
    // Byte meter: committed burst smaller than one packet -> yellow; peak burst too -> red.
    e.setDirectMeter('MyIngress.flows', h, { cir: 0, cburst: PKT_LEN - 1, pir: 0, pburst: PKT_LEN + 1 });
    expect(run(e, { flow: 7 }).res.dcolor).toBe(BigInt(METER_YELLOW));
    expect(run(e, { flow: 7 }).res.dcolor).toBe(BigInt(METER_RED));
    expect(run(e, { flow: 8 }).res.dcolor).toBe(0n);
    expect(e.getTableEntry('MyIngress.flows', h).meterConfig).toEqual({
      cir: 0,
      cburst: PKT_LEN - 1,
      pir: 0,
      pburst: PKT_LEN + 1,
    });
  });

  it('hash(): base + (H mod max) for every algorithm', () => {
    const e = fixtureEngine('externs');
    const cmd = { idx: 0, op: 3, value: 0xdeadbeef, flow: 0x0a000001, sport: 0x1f90 };
    const { res } = run(e, cmd);
    const h = (algo: string, bytes: Uint8Array) => createHashAlgorithm(algo)!.compute(bytes);
    const flowSport = pack(
      [
        ['f', 32],
        ['s', 16],
      ],
      { f: cmd.flow, s: cmd.sport },
    );
    const flowSportOp = pack(
      [
        ['f', 32],
        ['s', 16],
        ['o', 8],
      ],
      { f: cmd.flow, s: cmd.sport, o: cmd.op },
    );
    const value = pack([['v', 32]], { v: cmd.value });
    expect(res.h_crc16).toBe(h('crc16', flowSport));
    expect(res.h_crc32).toBe(h('crc32', flowSport));
    expect(res.h_csum16).toBe(h('csum16', flowSportOp));
    expect(res.h_xor16).toBe(h('xor16', flowSportOp));
    expect(res.h_identity).toBe(BigInt(cmd.flow));
    expect(res.h_crc16_custom).toBe(h('crc16', value));
    expect(res.h_crc32_custom).toBe(h('crc32', value));
    expect(res.h_base_max).toBe(100n + (h('crc32', value) % 1000n));
  });

  it('random() stays in [lo, hi] and is reproducible with a seed', () => {
    const draw = (seed: number) => {
      const e = fixtureEngine('externs', { seed });
      return Array.from({ length: 50 }, () => run(e, { idx: 0 }).res.rnd);
    };
    const a = draw(7);
    expect(a.every((v) => v >= 10n && v <= 20n)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(5);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
  });

  it('log_msg output is reported as a note', () => {
    const { result } = run(fixtureEngine('externs'), { idx: 3, value: 77 });
    expect(result.notes.filter((n) => n.kind === 'log').map((n) => n.message)).toEqual(['idx=3 value=77']);
  });

  it('action selector: member = members in creation order [uint32(hash) mod group size]', () => {
    const e = fixtureEngine('externs');
    const prof = 'MyIngress.ecmp_selector';
    for (const [id, port] of [
      [10, 4],
      [20, 5],
      [30, 6],
    ]) {
      e.addMember(prof, id, { name: 'MyIngress.pick', params: [BigInt(id), BigInt(port)] });
    }
    e.addGroup(prof, 1, [{ memberId: 30 }, { memberId: 10 }, { memberId: 20 }]);
    e.addTableEntry('MyIngress.ecmp', {
      match: [{ kind: 'exact', value: 1n }],
      action: { type: 'group', groupId: 1 },
    });
    e.addTableEntry('MyIngress.ecmp', {
      match: [{ kind: 'exact', value: 2n }],
      action: { type: 'member', memberId: 20 },
    });
    const crc16 = createHashAlgorithm('crc16')!;
    const seen = new Set<bigint>();
    for (let i = 0; i < 30; i++) {
      const flow = 0x0a000000 + i * 7919;
      const sport = 1000 + i;
      const { res, result } = run(e, { idx: 1, flow, sport });
      const h = Number(
        crc16.compute(
          pack(
            [
              ['f', 32],
              ['s', 16],
            ],
            { f: flow, s: sport },
          ),
        ),
      );
      const want = [10n, 20n, 30n][h % 3];
      expect(res.member).toBe(want);
      expect(result.outputs[0].port).toBe(Number(want) / 10 + 3);
      seen.add(res.member);
    }
    expect(seen.size).toBe(3);
    expect(run(e, { idx: 2, flow: 1 }).res.member).toBe(20n);
    // Referenced members and groups cannot be deleted.
    expect(code(() => e.deleteMember(prof, 20))).toBe('FAILED_PRECONDITION');
    expect(code(() => e.deleteGroup(prof, 1))).toBe('FAILED_PRECONDITION');
    expect(code(() => e.addGroup(prof, 2, [{ memberId: 99 }]))).toBe('NOT_FOUND');
    expect(code(() => e.addGroup(prof, 1, []))).toBe('ALREADY_EXISTS');
    expect(code(() => e.addMember(prof, 10, { name: 'MyIngress.pick', params: [1n, 1n] }))).toBe(
      'ALREADY_EXISTS',
    );
    expect(code(() => e.addMember(prof, 11, { name: 'MyIngress.count_flow', params: [] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      code(() =>
        e.addTableEntry('MyIngress.ecmp', {
          match: [{ kind: 'exact', value: 3n }],
          action: { type: 'group', groupId: 5 },
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      code(() =>
        e.addTableEntry('MyIngress.ecmp', {
          match: [{ kind: 'exact', value: 3n }],
          action: { type: 'action', name: 'MyIngress.pick', params: [1n, 1n] },
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    // Shrinking the group changes the selection modulus.
    e.modifyGroup(prof, 1, [{ memberId: 30 }]);
    expect(run(e, { idx: 1, flow: 5, sport: 6 }).res.member).toBe(30n);
    expect(e.readGroups(prof)).toEqual([{ groupId: 1, members: [{ memberId: 30, weight: 1 }], maxSize: 0 }]);
    // An emptied group executes no action and warns, like bmv2.
    e.modifyGroup(prof, 1, []);
    const empty = run(e, { idx: 1, flow: 5, sport: 6 });
    expect(empty.res.member).toBe(0n);
    expect(empty.result.notes.some((n) => n.kind === 'warning' && n.message.includes('empty group'))).toBe(
      true,
    );
    e.deleteTableEntry('MyIngress.ecmp', e.findTableEntry('MyIngress.ecmp', [{ kind: 'exact', value: 1n }])!);
    e.deleteGroup(prof, 1);
    e.deleteTableEntry('MyIngress.ecmp', e.findTableEntry('MyIngress.ecmp', [{ kind: 'exact', value: 2n }])!);
    e.deleteMember(prof, 20);
    expect(e.readMembers(prof).map((m) => m.memberId)).toEqual([10, 30]);
  });
});
