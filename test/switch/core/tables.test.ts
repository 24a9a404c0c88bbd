import { describe, expect, it } from 'vitest';
import {
  BMV2_MAX_PRIORITY,
  EngineError,
  type EngineErrorCode,
  type SimpleSwitchEngine,
} from '../../../src/switch/v1model/index.js';
import { byteLength, fixtureEngine, unpack } from '../helpers/fixtures.js';
import { ipv4Frame, MK_KEY, MK_RES, mkPacket } from '../helpers/scenarios.js';

function code(fn: () => unknown): EngineErrorCode | 'none' {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
  return 'none';
}

const act = (name: string, ...params: bigint[]) => ({ type: 'action' as const, name, params });

function mkResult(engine: SimpleSwitchEngine, key: Record<string, bigint | number>): Record<string, bigint> {
  const r = engine.processPacket(0, mkPacket(key));
  expect(r.error).toBeUndefined();
  expect(r.outputs).toHaveLength(1);
  return unpack(MK_RES, r.outputs[0].bytes, byteLength(MK_KEY));
}

describe('table entries: validation and error codes', () => {
  const e = fixtureEngine('basic_forward');
  const exact = (v: bigint) => [{ kind: 'exact' as const, value: v }];

  it('inserts, refuses duplicates, modifies and deletes exact entries', () => {
    const h = e.addTableEntry('MyIngress.port_class', {
      match: exact(1n),
      action: act('MyIngress.set_class', 3n),
    });
    expect(h).toBe(0);
    expect(
      code(() => e.addTableEntry('MyIngress.port_class', { match: exact(1n), action: act('NoAction') })),
    ).toBe('ALREADY_EXISTS');
    expect(e.findTableEntry('MyIngress.port_class', exact(1n))).toBe(h);
    e.modifyTableEntry('MyIngress.port_class', h, act('NoAction'));
    expect(e.getTableEntry('MyIngress.port_class', h).action).toMatchObject({
      type: 'action',
      binding: { action: { name: 'NoAction' } },
    });
    e.deleteTableEntry('MyIngress.port_class', h);
    expect(e.findTableEntry('MyIngress.port_class', exact(1n))).toBeUndefined();
    expect(code(() => e.deleteTableEntry('MyIngress.port_class', h))).toBe('NOT_FOUND');
    expect(code(() => e.modifyTableEntry('MyIngress.port_class', h, act('NoAction')))).toBe('NOT_FOUND');
    expect(e.readTableEntries('MyIngress.port_class')).toEqual([]);
  });

  it('entries with equal action data share it, and modifying one leaves the others as written', () => {
    const t = 'MyIngress.port_class';
    const engine = fixtureEngine('basic_forward');
    // More entries than the table remembers actions for, interleaving two data values.
    const handles = Array.from({ length: 20 }, (_, i) =>
      engine.addTableEntry(t, {
        match: exact(BigInt(i)),
        action: act('MyIngress.set_class', BigInt(i % 2) + 3n),
      }),
    );
    const binding = (h: number) => {
      const a = engine.getTableEntry(t, h).action;
      if (a.type !== 'action') throw new Error('not an action');
      return a.binding;
    };
    expect(binding(handles[0])).toBe(binding(handles[2]));
    engine.modifyTableEntry(t, handles[2], act('MyIngress.set_class', 7n));
    for (const [i, h] of handles.entries()) {
      const b = binding(h);
      expect(b.action.name).toBe('MyIngress.set_class');
      expect(b.args.map((v) => BigInt(v))).toEqual([i === 2 ? 7n : BigInt(i % 2) + 3n]);
    }
  });

  it('rejects malformed keys, actions and parameters with INVALID_ARGUMENT', () => {
    const t = 'MyIngress.port_class';
    expect(code(() => e.addTableEntry(t, { match: exact(512n), action: act('NoAction') }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => e.addTableEntry(t, { match: exact(-1n), action: act('NoAction') }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => e.addTableEntry(t, { match: [], action: act('NoAction') }))).toBe('INVALID_ARGUMENT');
    expect(
      code(() =>
        e.addTableEntry(t, { match: [{ kind: 'ternary', value: 1n, mask: 1n }], action: act('NoAction') }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(
      code(() => e.addTableEntry(t, { match: exact(1n), action: act('MyIngress.forward', 1n, 2n) })),
    ).toBe('INVALID_ARGUMENT');
    expect(code(() => e.addTableEntry(t, { match: exact(1n), action: act('MyIngress.set_class') }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      code(() => e.addTableEntry(t, { match: exact(1n), action: act('MyIngress.set_class', 512n) })),
    ).toBe('INVALID_ARGUMENT');
    expect(code(() => e.addTableEntry(t, { match: exact(1n), priority: 5, action: act('NoAction') }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      code(() => e.addTableEntry(t, { match: exact(1n), action: { type: 'member', memberId: 1 } })),
    ).toBe('INVALID_ARGUMENT');
    expect(code(() => e.addTableEntry('MyIngress.nope', { match: exact(1n), action: act('NoAction') }))).toBe(
      'NOT_FOUND',
    );
    expect(e.readTableEntries(t)).toEqual([]);
  });

  it('returns RESOURCE_EXHAUSTED when a table is full', () => {
    const f = fixtureEngine('basic_forward');
    for (let i = 0; i < 64; i++)
      f.addTableEntry('MyIngress.port_class', { match: exact(BigInt(i)), action: act('NoAction') });
    expect(
      code(() => f.addTableEntry('MyIngress.port_class', { match: exact(100n), action: act('NoAction') })),
    ).toBe('RESOURCE_EXHAUSTED');
    f.deleteTableEntry('MyIngress.port_class', f.findTableEntry('MyIngress.port_class', exact(5n))!);
    // The freed handle is reused first, as bmv2's handle manager does.
    expect(f.addTableEntry('MyIngress.port_class', { match: exact(100n), action: act('NoAction') })).toBe(5);
  });

  it('LPM: prefix bits must be zero beyond the prefix, longest prefix wins', () => {
    const f = fixtureEngine('basic_forward');
    const t = 'MyIngress.ipv4_lpm';
    const lpm = (value: bigint, prefixLength: number) => [{ kind: 'lpm' as const, value, prefixLength }];
    expect(
      code(() => f.addTableEntry(t, { match: lpm(0x0a000001n, 8), action: act('MyIngress.drop') })),
    ).toBe('INVALID_ARGUMENT');
    expect(code(() => f.addTableEntry(t, { match: lpm(0n, 33), action: act('MyIngress.drop') }))).toBe(
      'INVALID_ARGUMENT',
    );
    f.addTableEntry(t, { match: lpm(0x0a000000n, 8), action: act('MyIngress.forward', 1n, 0x1n) });
    f.addTableEntry(t, { match: lpm(0x0a010000n, 16), action: act('MyIngress.forward', 2n, 0x2n) });
    expect(
      code(() => f.addTableEntry(t, { match: lpm(0x0a010000n, 16), action: act('MyIngress.drop') })),
    ).toBe('ALREADY_EXISTS');
    const port = (dst: number) => f.processPacket(1, ipv4Frame({ dst })).outputs[0]?.port;
    expect(port(0x0a010203)).toBe(2);
    expect(port(0x0a020203)).toBe(1);
    expect(port(0x0b010203)).toBeUndefined();
    f.deleteTableEntry(t, f.findTableEntry(t, lpm(0x0a010000n, 16))!);
    expect(port(0x0a010203)).toBe(1);
  });

  it('default entries: settable unless const, resettable to the program default', () => {
    const f = fixtureEngine('basic_forward');
    expect(f.getDefaultEntry('MyIngress.ipv4_lpm')).toMatchObject({
      type: 'action',
      binding: { action: { name: 'MyIngress.drop' } },
    });
    expect(f.processPacket(1, ipv4Frame({ dst: 0x01010101 })).outputs).toHaveLength(0);
    f.setDefaultEntry('MyIngress.ipv4_lpm', act('MyIngress.forward', 6n, 0xabn));
    expect(f.processPacket(1, ipv4Frame({ dst: 0x01010101 })).outputs[0].port).toBe(6);
    expect(code(() => f.setDefaultEntry('MyIngress.ipv4_lpm', act('NoAction')))).toBe('INVALID_ARGUMENT');
    f.setDefaultEntry('MyIngress.ipv4_lpm', undefined);
    expect(f.processPacket(1, ipv4Frame({ dst: 0x01010101 })).outputs).toHaveLength(0);
    // tbl_drop is p4c's hidden table for a direct action call: const default action.
    expect(code(() => f.setDefaultEntry('tbl_drop', act('MyIngress.drop')))).toBe('PERMISSION_DENIED');
    expect(f.tableInfo('tbl_drop').defaultAction).toEqual({
      name: 'MyIngress.drop',
      actionConst: true,
      entryConst: true,
    });
  });
});

describe('match kinds and priorities (match_kinds.p4)', () => {
  it('ternary: larger P4Runtime priority wins, ties go to the entry inserted first', () => {
    const e = fixtureEngine('match_kinds');
    const t = 'MyIngress.tern';
    const tern = (value: bigint, mask: bigint, k8: bigint) => [
      { kind: 'ternary' as const, value, mask },
      { kind: 'exact' as const, value: k8 },
    ];
    expect(
      code(() => e.addTableEntry(t, { match: tern(0n, 0n, 1n), action: act('MyIngress.set_tern', 1n) })),
    ).toBe('INVALID_ARGUMENT');
    expect(
      code(() =>
        e.addTableEntry(t, {
          match: tern(0x3n, 0x1n, 1n),
          priority: 1,
          action: act('MyIngress.set_tern', 1n),
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    e.addTableEntry(t, {
      match: tern(0x1200n, 0xff00n, 1n),
      priority: 10,
      action: act('MyIngress.set_tern', 1n),
    });
    e.addTableEntry(t, {
      match: tern(0x1234n, 0xffffn, 1n),
      priority: 20,
      action: act('MyIngress.set_tern', 2n),
    });
    e.addTableEntry(t, { match: tern(0n, 1n, 3n), priority: 5, action: act('MyIngress.set_tern', 5n) });
    e.addTableEntry(t, { match: tern(0n, 2n, 3n), priority: 5, action: act('MyIngress.set_tern', 6n) });
    // Same key, different priority: a distinct entry.
    e.addTableEntry(t, {
      match: tern(0x1234n, 0xffffn, 1n),
      priority: 30,
      action: act('MyIngress.set_tern', 7n),
    });
    expect(mkResult(e, { k8: 1, k16: 0x1234 }).tern).toBe(7n);
    e.deleteTableEntry(t, e.findTableEntry(t, tern(0x1234n, 0xffffn, 1n), 30)!);
    expect(mkResult(e, { k8: 1, k16: 0x1234 }).tern).toBe(2n);
    expect(mkResult(e, { k8: 1, k16: 0x12ff }).tern).toBe(1n);
    expect(mkResult(e, { k8: 3, k16: 0 }).tern).toBe(5n);
    expect(mkResult(e, { k8: 3, k16: 1 }).tern).toBe(6n);
    expect(mkResult(e, { k8: 4, k16: 0 }).tern).toBe(0n);
  });

  it('range and optional keys', () => {
    const e = fixtureEngine('match_kinds');
    e.addTableEntry('MyIngress.rng', {
      match: [{ kind: 'range', low: 100n, high: 200n }, undefined],
      priority: 5,
      action: act('MyIngress.set_rng', 1n),
    });
    e.addTableEntry('MyIngress.rng', {
      match: [
        { kind: 'range', low: 150n, high: 300n },
        { kind: 'ternary', value: 1n, mask: 0xffn },
      ],
      priority: 7,
      action: act('MyIngress.set_rng', 2n),
    });
    expect(
      code(() =>
        e.addTableEntry('MyIngress.rng', {
          match: [{ kind: 'range', low: 5n, high: 4n }, undefined],
          priority: 1,
          action: act('MyIngress.nop'),
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(mkResult(e, { k32: 99 }).rng).toBe(0xeen);
    expect(mkResult(e, { k32: 100 }).rng).toBe(1n);
    expect(mkResult(e, { k32: 160, k8: 1 }).rng).toBe(2n);
    expect(mkResult(e, { k32: 160, k8: 2 }).rng).toBe(1n);
    expect(mkResult(e, { k32: 300, k8: 1 }).rng).toBe(2n);
    e.addTableEntry('MyIngress.opt', {
      match: [{ kind: 'optional', value: 7n }, undefined],
      priority: 1,
      action: act('MyIngress.set_opt', 3n),
    });
    e.addTableEntry('MyIngress.opt', {
      match: [
        { kind: 'optional', value: 7n },
        { kind: 'optional', value: 0x700n },
      ],
      priority: 2,
      action: act('MyIngress.set_opt', 1n),
    });
    expect(mkResult(e, { k8: 7, k16: 0x700 }).opt).toBe(1n);
    expect(mkResult(e, { k8: 7, k16: 0x701 }).opt).toBe(3n);
    expect(mkResult(e, { k8: 8, k16: 0x700 }).opt).toBe(0n);
    // Wildcards read back as omitted fields.
    const entries = e.readTableEntries('MyIngress.opt');
    expect(entries.map((x) => x.match)).toEqual([
      [{ kind: 'optional', value: 7n }, undefined].map((m) =>
        m ? { kind: 'ternary', value: 7n, mask: 0xffn } : undefined,
      ),
      [
        { kind: 'ternary', value: 7n, mask: 0xffn },
        { kind: 'ternary', value: 0x700n, mask: 0xffffn },
      ],
    ]);
  });

  it('lpm inside a ternary table: priority decides, not prefix length', () => {
    const e = fixtureEngine('match_kinds');
    e.addTableEntry('MyIngress.mixed', {
      match: [{ kind: 'lpm', value: 0x0a000000n, prefixLength: 8 }, undefined],
      priority: 9,
      action: act('MyIngress.set_mixed', 1n),
    });
    e.addTableEntry('MyIngress.mixed', {
      match: [{ kind: 'lpm', value: 0x0a010000n, prefixLength: 16 }, undefined],
      priority: 2,
      action: act('MyIngress.set_mixed', 2n),
    });
    expect(mkResult(e, { k32: 0x0a010203 }).mixed).toBe(1n);
    expect(mkResult(e, { k32: 0x0b010203 }).mixed).toBe(0n);
  });

  it('static key masks apply to the lookup key', () => {
    const e = fixtureEngine('match_kinds');
    e.addTableEntry('MyIngress.masked', {
      match: [{ kind: 'exact', value: 0xabcd0000n }],
      action: act('MyIngress.set_masked', 1n),
    });
    expect(mkResult(e, { k32: 0xabcd1234 }).masked).toBe(1n);
    expect(mkResult(e, { k32: 0xabce0000 }).masked).toBe(0n);
  });

  it('LPM on a 9-bit field counts the prefix over the byte-padded 16 bits, like bmv2', () => {
    const e = fixtureEngine('match_kinds');
    // Prefix 8 over 16 padded bits constrains only the top field bit (7 padding bits come first).
    e.addTableEntry('MyIngress.lpm9', {
      match: [{ kind: 'lpm', value: 0x100n, prefixLength: 8 }],
      action: act('MyIngress.set_lpm9', 1n),
    });
    e.addTableEntry('MyIngress.lpm9', {
      match: [{ kind: 'lpm', value: 0x180n, prefixLength: 9 }],
      action: act('MyIngress.set_lpm9', 2n),
    });
    expect(
      code(() =>
        e.addTableEntry('MyIngress.lpm9', {
          match: [{ kind: 'lpm', value: 0x1c0n, prefixLength: 9 }],
          action: act('MyIngress.set_lpm9', 3n),
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(mkResult(e, { k9: 0x1ff }).lpm9).toBe(2n);
    expect(mkResult(e, { k9: 0x17f }).lpm9).toBe(1n);
    expect(mkResult(e, { k9: 0x0ff }).lpm9).toBe(0n);
  });

  it('const entries: readable with P4Runtime priorities, immutable', () => {
    const e = fixtureEngine('match_kinds');
    const entries = e.readTableEntries('MyIngress.const_tbl');
    expect(entries.map((x) => [x.priority, x.isConst, x.match])).toEqual([
      [BMV2_MAX_PRIORITY - 1, true, [{ kind: 'ternary', value: 0x10n, mask: 0xf0n }]],
      [BMV2_MAX_PRIORITY - 2, true, [{ kind: 'ternary', value: 0x12n, mask: 0xffn }]],
      [BMV2_MAX_PRIORITY - 3, true, [undefined]],
    ]);
    // The first const entry wins over the more specific second one: its priority is higher.
    expect(mkResult(e, { k8: 0x12 }).const_t).toBe(1n);
    expect(mkResult(e, { k8: 0x22 }).const_t).toBe(3n);
    expect(
      code(() =>
        e.addTableEntry('MyIngress.const_tbl', {
          match: [{ kind: 'ternary', value: 1n, mask: 1n }],
          priority: 1,
          action: act('MyIngress.set_const', 9n),
        }),
      ),
    ).toBe('PERMISSION_DENIED');
    expect(
      code(() =>
        e.deleteTableEntry(
          'MyIngress.const_tbl',
          e.findTableEntry(
            'MyIngress.const_tbl',
            [{ kind: 'ternary', value: 0x10n, mask: 0xf0n }],
            BMV2_MAX_PRIORITY - 1,
          )!,
        ),
      ),
    ).toBe('PERMISSION_DENIED');
    expect(code(() => e.setDefaultEntry('MyIngress.const_tbl', act('MyIngress.set_const', 1n)))).toBe(
      'PERMISSION_DENIED',
    );
    expect(e.tableInfo('MyIngress.const_tbl')).toMatchObject({ isConst: true, needsPriority: true });
  });

  it('__HIT__/__MISS__ next tables and action_run switches', () => {
    const e = fixtureEngine('match_kinds');
    e.addTableEntry('MyIngress.hit_miss', {
      match: [{ kind: 'exact', value: 7n }],
      action: act('MyIngress.nop'),
    });
    e.addTableEntry('MyIngress.switcher', {
      match: [{ kind: 'exact', value: 1n }],
      action: act('MyIngress.path_a'),
    });
    e.addTableEntry('MyIngress.switcher', {
      match: [{ kind: 'exact', value: 2n }],
      action: act('MyIngress.path_b'),
    });
    expect(mkResult(e, { k8: 7, k16: 1 }).path).toBe(0x10n | 1n | 0x40n);
    expect(mkResult(e, { k8: 8, k16: 2 }).path).toBe(0x20n | 2n | 0x80n);
    expect(mkResult(e, { k8: 8, k16: 3 }).path).toBe(0x20n);
  });
});

describe('direct counters and idle state', () => {
  it('count hits only, can be read and written', () => {
    const e = fixtureEngine('externs');
    const key = [{ kind: 'exact' as const, value: 0x01020304n }];
    const h = e.addTableEntry('MyIngress.flows', { match: key, action: act('MyIngress.count_flow') });
    const pkt = (flow: number) =>
      new Uint8Array([
        0,
        0,
        0,
        0,
        0,
        0,
        flow >>> 24,
        (flow >>> 16) & 255,
        (flow >>> 8) & 255,
        flow & 255,
        0,
        0,
        ...new Uint8Array(50),
      ]);
    e.processPacket(0, pkt(0x01020304));
    e.processPacket(0, pkt(0x01020304));
    e.processPacket(0, pkt(0x05060708));
    expect(e.getTableEntry('MyIngress.flows', h).counter).toEqual({ packets: 2, bytes: 124 });
    e.writeDirectCounter('MyIngress.flows', h, { packets: 10, bytes: 1000 });
    e.processPacket(0, pkt(0x01020304));
    expect(e.getTableEntry('MyIngress.flows', h).counter).toEqual({ packets: 11, bytes: 1062 });
    expect(code(() => e.writeDirectCounter('MyIngress.flows', 99, { packets: 0, bytes: 0 }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('exact tables written by a writer (exactTable, addExactValues) and the revision of an add', () => {
  const revisions = (engine: SimpleSwitchEngine, table: string) => {
    const byHandle = new Map<number, number>();
    engine.visitTableEntryRevisions(table, (h, r) => byHandle.set(h, r));
    return byHandle;
  };
  /** An entry as reads give it, without the engine's own action objects. */
  const entry = (r: ReturnType<SimpleSwitchEngine['readTableEntries']>[number]) => ({
    handle: r.handle,
    match: r.match,
    priority: r.priority,
    action:
      r.action.type === 'action'
        ? [r.action.binding.action.name, ...r.action.binding.args.map(BigInt)]
        : r.action,
  });

  it('is offered for tables whose key fields are all exact and whose actions are direct', () => {
    const e = fixtureEngine('basic_forward');
    expect(e.exactTable('MyIngress.l2')).toBeDefined();
    expect(e.exactTable('MyIngress.port_class')).toBeDefined();
    expect(e.exactTable('MyIngress.ipv4_lpm')).toBeUndefined();
    expect(fixtureEngine('server_all').exactTable('MyIngress.profile_t')).toBeUndefined();
    expect(fixtureEngine('match_kinds').exactTable('MyIngress.tern')).toBeUndefined();
    expect(code(() => e.exactTable('MyIngress.nope'))).toBe('NOT_FOUND');
  });

  it('adds what addTableEntry adds, returns the handle with the revision beside it, -1 for a taken key', () => {
    const t = 'MyIngress.l2';
    const e = fixtureEngine('basic_forward');
    const ref = fixtureEngine('basic_forward');
    const table = e.exactTable(t)!;
    // 48- and 9-bit keys are kept as numbers, the 9-bit port too.
    expect(table.keyAsNumber).toEqual([true, true]);
    const forward = table.actionIndex('MyIngress.l2_forward');
    const drop = table.actionIndex('MyIngress.drop');
    expect(table.argsAsNumber[forward]).toEqual([true]);
    expect(table.argsAsNumber[drop]).toEqual([]);
    expect(table.actionIndex('MyIngress.set_class')).toBe(-1);
    // One array for every add, the key's values and then the arguments: the table keeps none of it.
    const values = [0, 0, 0];
    const key = () => values.slice(0, 2).map((v) => ({ kind: 'exact' as const, value: BigInt(v) }));
    for (let i = 0; i < 40; i++) {
      values[0] = 0x020000000000 + i;
      values[1] = i % 4;
      values[2] = i % 3;
      const withData = i % 5 !== 0;
      const h = withData ? table.addExactValues(values, forward, 1) : table.addExactValues(values, drop, 0);
      const match = key();
      const action = withData ? act('MyIngress.l2_forward', BigInt(values[2])) : act('MyIngress.drop');
      expect(h).toBe(ref.addTableEntry(t, { match, action }));
      expect(table.addedRevision).toBe(revisions(e, t).get(h));
      expect(e.findTableEntry(t, match)).toBe(h);
    }
    expect(e.readTableEntries(t).map(entry)).toEqual(ref.readTableEntries(t).map(entry));
    // A taken key: -1, and nothing changed (not even the revision of the last add).
    const before = revisions(e, t);
    const last = table.addedRevision;
    values[0] = 0x020000000005;
    values[1] = 1;
    expect(table.addExactValues(values, forward, 1)).toBe(-1);
    expect(revisions(e, t)).toEqual(before);
    expect(table.addedRevision).toBe(last);
    // Refused as addTableEntry refuses: a wrong argument count, a full table.
    values[0] = 0x030000000000;
    expect(code(() => table.addExactValues(values, forward, 0))).toBe('INVALID_ARGUMENT');
    expect(code(() => ref.addTableEntry(t, { match: key(), action: act('MyIngress.l2_forward') }))).toBe(
      'INVALID_ARGUMENT',
    );
    for (let i = 0; e.readTableEntries(t).length < 1024; i++) {
      values[0] = 0x040000000000 + i;
      expect(table.addExactValues(values, drop, 0)).toBeGreaterThanOrEqual(0);
    }
    values[0] = 0x050000000000;
    expect(code(() => table.addExactValues(values, drop, 0))).toBe('RESOURCE_EXHAUSTED');
  });

  it('entries with equal action data share it, as addTableEntry shares it', () => {
    const e = fixtureEngine('basic_forward');
    const table = e.exactTable('MyIngress.port_class')!;
    const setClass = table.actionIndex('MyIngress.set_class');
    const values = [1, 3];
    const a = table.addExactValues(values, setClass, 1);
    values[0] = 2;
    const b = table.addExactValues(values, setClass, 1);
    values[0] = 3;
    values[1] = 4;
    const c = table.addExactValues(values, setClass, 1);
    const binding = (h: number) => {
      const action = e.getTableEntry('MyIngress.port_class', h).action;
      if (action.type !== 'action') throw new Error('not an action');
      return action.binding;
    };
    expect(binding(a)).toBe(binding(b));
    expect(binding(a).args).toEqual([3]);
    expect(binding(c).args).toEqual([4]);
  });

  it('every add leaves the new entry revision where the caller reads it without a lookup', () => {
    const e = fixtureEngine('basic_forward');
    const t = 'MyIngress.port_class';
    const h = e.addTableEntry(t, { match: [{ kind: 'exact', value: 7n }], action: act('NoAction') });
    const added = e.addedRevision;
    expect(added).toBe(revisions(e, t).get(h));
    // A refused add leaves it; a modify gives the entry a new revision, which is not an add's.
    expect(
      code(() => e.addTableEntry(t, { match: [{ kind: 'exact', value: 7n }], action: act('NoAction') })),
    ).toBe('ALREADY_EXISTS');
    expect(e.addedRevision).toBe(added);
    e.modifyTableEntry(t, h, act('MyIngress.set_class', 1n));
    expect(revisions(e, t).get(h)).toBeGreaterThan(added);
    const h2 = e.addValidatedTableEntry(t, {
      match: [{ kind: 'exact', value: 8n }],
      action: act('NoAction'),
    });
    expect(e.addedRevision).toBe(revisions(e, t).get(h2));
  });
});
