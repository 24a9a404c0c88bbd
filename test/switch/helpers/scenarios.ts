// Packet builders for the fixtures and the scenarios run by the differential test. Each scenario
// is a fixture, table entries (baked into the JSON for bmv2, installed through the API for the
// engine) and input packets; outputs must agree byte for byte on every port.
import { concat, type HeaderLayout, pack, prng, randomBits } from './fixtures.js';
import type { BakedEntry, InputPacket } from './simple-switch.js';

export const ETHERNET: HeaderLayout = [
  ['dst', 48],
  ['src', 48],
  ['etherType', 16],
];

export const IPV4: HeaderLayout = [
  ['version', 4],
  ['ihl', 4],
  ['diffserv', 8],
  ['totalLen', 16],
  ['identification', 16],
  ['flags', 3],
  ['fragOffset', 13],
  ['ttl', 8],
  ['protocol', 8],
  ['hdrChecksum', 16],
  ['src', 32],
  ['dst', 32],
];

export const MPLS: HeaderLayout = [
  ['label', 20],
  ['tc', 3],
  ['bos', 1],
  ['ttl', 8],
];

/** RFC 1071 checksum of an IPv4 header (checksum field assumed zero in `bytes`). */
export function ipv4Checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4Spec {
  readonly dst: number;
  readonly ttl?: number;
  readonly src?: number;
  readonly ihl?: number;
  readonly version?: number;
  readonly options?: Uint8Array;
  readonly badChecksum?: boolean;
  readonly payload?: Uint8Array;
  readonly ethDst?: bigint;
}

export function ipv4Frame(s: Ipv4Spec): Uint8Array {
  const ihl = s.ihl ?? 5 + Math.ceil((s.options?.length ?? 0) / 4);
  const payload = s.payload ?? new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
  const fields = {
    version: s.version ?? 4,
    ihl,
    totalLen: 20 + (s.options?.length ?? 0) + payload.length,
    identification: 0x1234,
    ttl: s.ttl ?? 64,
    protocol: 17,
    src: s.src ?? 0xc0a80001,
    dst: s.dst,
  };
  const hdr = pack(IPV4, fields);
  const withOpts = concat(hdr, s.options ?? new Uint8Array(0));
  const sum = ipv4Checksum(withOpts.subarray(0, 20));
  const good = pack(IPV4, { ...fields, hdrChecksum: s.badChecksum ? sum ^ 0x1111 : sum });
  const eth = pack(ETHERNET, { dst: s.ethDst ?? 0x000102030405n, src: 0x0a0b0c0d0e0fn, etherType: 0x0800 });
  return concat(eth, good, s.options ?? new Uint8Array(0), payload);
}

export function mplsFrame(labels: readonly { label: number; ttl: number }[], inner: Uint8Array): Uint8Array {
  const eth = pack(ETHERNET, { dst: 1n, src: 2n, etherType: 0x8847 });
  const stack = labels.map((l, i) =>
    pack(MPLS, { label: l.label, bos: i === labels.length - 1 ? 1 : 0, ttl: l.ttl }),
  );
  return concat(eth, ...stack, inner);
}

// -- match_kinds.p4 --------------------------------------------------------------------------------

export const MK_KEY: HeaderLayout = [
  ['k8', 8],
  ['k16', 16],
  ['k32', 32],
  ['k48', 48],
  ['k9', 9],
  ['pad', 7],
];
export const MK_RES: HeaderLayout = [
  ['tern', 8],
  ['rng', 8],
  ['opt', 8],
  ['mixed', 8],
  ['masked', 8],
  ['const_t', 8],
  ['path', 8],
  ['lpm9', 8],
];

export function mkPacket(k: Record<string, bigint | number>): Uint8Array {
  return concat(pack(MK_KEY, k), new Uint8Array(8));
}

export const MATCH_KINDS_ENTRIES: { table: string; entries: BakedEntry[] }[] = [
  {
    table: 'MyIngress.tern',
    entries: [
      {
        match: [
          { kind: 'ternary', value: 0x1200n, mask: 0xff00n },
          { kind: 'exact', value: 1n },
        ],
        priority: 10,
        action: 'MyIngress.set_tern',
        params: [1n],
      },
      {
        match: [
          { kind: 'ternary', value: 0x1234n, mask: 0xffffn },
          { kind: 'exact', value: 1n },
        ],
        priority: 20,
        action: 'MyIngress.set_tern',
        params: [2n],
      },
      {
        match: [
          { kind: 'ternary', value: 0x0004n, mask: 0x000fn },
          { kind: 'exact', value: 1n },
        ],
        priority: 15,
        action: 'MyIngress.set_tern',
        params: [3n],
      },
      {
        match: [undefined, { kind: 'exact', value: 2n }],
        priority: 1,
        action: 'MyIngress.set_tern',
        params: [4n],
      },
      // Equal priorities: the entry added first (lowest handle) wins.
      {
        match: [
          { kind: 'ternary', value: 0x0000n, mask: 0x0001n },
          { kind: 'exact', value: 3n },
        ],
        priority: 5,
        action: 'MyIngress.set_tern',
        params: [5n],
      },
      {
        match: [
          { kind: 'ternary', value: 0x0000n, mask: 0x0002n },
          { kind: 'exact', value: 3n },
        ],
        priority: 5,
        action: 'MyIngress.set_tern',
        params: [6n],
      },
    ],
  },
  {
    table: 'MyIngress.rng',
    entries: [
      {
        match: [{ kind: 'range', low: 100n, high: 200n }, undefined],
        priority: 5,
        action: 'MyIngress.set_rng',
        params: [1n],
      },
      {
        match: [
          { kind: 'range', low: 150n, high: 300n },
          { kind: 'ternary', value: 1n, mask: 0xffn },
        ],
        priority: 7,
        action: 'MyIngress.set_rng',
        params: [2n],
      },
      {
        match: [
          { kind: 'range', low: 0n, high: 0xffffffffn },
          { kind: 'ternary', value: 0x80n, mask: 0x80n },
        ],
        priority: 1,
        action: 'MyIngress.set_rng',
        params: [3n],
      },
      {
        match: [{ kind: 'range', low: 42n, high: 42n }, undefined],
        priority: 100,
        action: 'MyIngress.set_rng',
        params: [4n],
      },
    ],
  },
  {
    table: 'MyIngress.opt',
    entries: [
      {
        match: [
          { kind: 'optional', value: 7n },
          { kind: 'optional', value: 0x0700n },
        ],
        priority: 3,
        action: 'MyIngress.set_opt',
        params: [1n],
      },
      {
        match: [undefined, { kind: 'optional', value: 0x0700n }],
        priority: 2,
        action: 'MyIngress.set_opt',
        params: [2n],
      },
      {
        match: [{ kind: 'optional', value: 7n }, undefined],
        priority: 1,
        action: 'MyIngress.set_opt',
        params: [3n],
      },
    ],
  },
  {
    table: 'MyIngress.mixed',
    entries: [
      {
        match: [{ kind: 'lpm', value: 0x0a000000n, prefixLength: 8 }, undefined],
        priority: 1,
        action: 'MyIngress.set_mixed',
        params: [1n],
      },
      // Longer prefix but lower priority: priority decides in a ternary table.
      {
        match: [{ kind: 'lpm', value: 0x0a010000n, prefixLength: 16 }, undefined],
        priority: 0x7fff0000,
        action: 'MyIngress.set_mixed',
        params: [2n],
      },
      {
        match: [
          { kind: 'lpm', value: 0x0a010100n, prefixLength: 24 },
          { kind: 'ternary', value: 0xaan, mask: 0xffn },
        ],
        priority: 3,
        action: 'MyIngress.set_mixed',
        params: [3n],
      },
    ],
  },
  {
    table: 'MyIngress.masked',
    entries: [
      { match: [{ kind: 'exact', value: 0xabcd0000n }], action: 'MyIngress.set_masked', params: [1n] },
      { match: [{ kind: 'exact', value: 0x00010000n }], action: 'MyIngress.set_masked', params: [2n] },
    ],
  },
  {
    table: 'MyIngress.lpm9',
    entries: [
      // k9 is 9 bits in 2 bytes: bmv2 counts prefix lengths over the 16 padded bits.
      {
        match: [{ kind: 'lpm', value: 0x100n, prefixLength: 8 }],
        action: 'MyIngress.set_lpm9',
        params: [1n],
      },
      {
        match: [{ kind: 'lpm', value: 0x180n, prefixLength: 9 }],
        action: 'MyIngress.set_lpm9',
        params: [2n],
      },
      { match: [{ kind: 'lpm', value: 0x0n, prefixLength: 3 }], action: 'MyIngress.set_lpm9', params: [4n] },
    ],
  },
  {
    table: 'MyIngress.hit_miss',
    entries: [{ match: [{ kind: 'exact', value: 7n }], action: 'MyIngress.nop', params: [] }],
  },
  {
    table: 'MyIngress.switcher',
    entries: [
      { match: [{ kind: 'exact', value: 1n }], action: 'MyIngress.path_a', params: [] },
      { match: [{ kind: 'exact', value: 2n }], action: 'MyIngress.path_b', params: [] },
      { match: [{ kind: 'exact', value: 3n }], action: 'MyIngress.nop', params: [] },
    ],
  },
];

/** Keys chosen to hit each entry, each tie and the defaults, plus random ones. */
export function matchKindsPackets(random: number): Uint8Array[] {
  const keys: Record<string, bigint | number>[] = [
    { k8: 1, k16: 0x1234, k32: 42, k48: 0xaa, k9: 0x180 },
    { k8: 1, k16: 0x12ff, k32: 150, k9: 0x1ff },
    { k8: 1, k16: 0x0004, k32: 160, k9: 0x100 },
    { k8: 2, k16: 0x0700, k32: 0x0a010105, k48: 0xaa, k9: 0x1f5 },
    { k8: 3, k16: 0x0000, k32: 0x0a01ffff, k9: 0x17f },
    { k8: 3, k16: 0x0001, k32: 0xabcd1234, k9: 0x0ff },
    { k8: 7, k16: 1, k32: 0x00011234, k9: 0x01f },
    { k8: 7, k16: 2, k32: 0x0a000001, k9: 0x000 },
    { k8: 0x12, k16: 3, k32: 0x0b000000, k9: 0x1e0 },
    { k8: 0x15, k16: 0x0700, k32: 99 },
    { k8: 0x80, k16: 0x0700, k32: 301 },
  ];
  const next = prng(random);
  for (let i = 0; i < 40; i++) {
    keys.push({
      k8: Number(randomBits(next, 3)) * (next() & 1 ? 1 : 0x20),
      k16: next() & 1 ? 0x0700 : Number(randomBits(next, 16)),
      k32: next() & 1 ? Number(randomBits(next, 9)) : Number(randomBits(next, 32)),
      k48: next() & 1 ? 0xaan : randomBits(next, 48),
      k9: Number(randomBits(next, 9)),
    });
  }
  return keys.map(mkPacket);
}

// -- basic_forward.p4 -----------------------------------------------------------------------------

export const BASIC_FORWARD_ENTRIES: { table: string; entries: BakedEntry[] }[] = [
  {
    table: 'MyIngress.port_class',
    entries: [
      { match: [{ kind: 'exact', value: 1n }], action: 'MyIngress.set_class', params: [5n] },
      { match: [{ kind: 'exact', value: 2n }], action: 'MyIngress.set_class', params: [6n] },
    ],
  },
  {
    table: 'MyIngress.ipv4_lpm',
    entries: [
      {
        match: [{ kind: 'lpm', value: 0x0a000000n, prefixLength: 8 }],
        action: 'MyIngress.forward',
        params: [3n, 0x112233445566n],
      },
      {
        match: [{ kind: 'lpm', value: 0x0a010000n, prefixLength: 16 }],
        action: 'MyIngress.forward',
        params: [4n, 0x2233445566ffn],
      },
      {
        match: [{ kind: 'lpm', value: 0x0a010203n, prefixLength: 32 }],
        action: 'MyIngress.drop',
        params: [],
      },
      {
        match: [{ kind: 'lpm', value: 0n, prefixLength: 0 }],
        action: 'MyIngress.forward',
        params: [7n, 0xffn],
      },
    ],
  },
  {
    table: 'MyIngress.l2',
    entries: [
      {
        match: [
          { kind: 'exact', value: 0x000102030405n },
          { kind: 'exact', value: 5n },
        ],
        action: 'MyIngress.l2_forward',
        params: [9n],
      },
      {
        match: [
          { kind: 'exact', value: 0x000102030405n },
          { kind: 'exact', value: 0n },
        ],
        action: 'MyIngress.l2_forward',
        params: [10n],
      },
    ],
  },
];

export function basicForwardPackets(): InputPacket[] {
  const out: InputPacket[] = [];
  for (const port of [1, 2, 3]) {
    out.push({ port, bytes: ipv4Frame({ dst: 0x0a050607 }) });
    out.push({ port, bytes: ipv4Frame({ dst: 0x0a01ff00, ttl: 2 }) });
    out.push({ port, bytes: ipv4Frame({ dst: 0x0a010203 }) });
    out.push({ port, bytes: ipv4Frame({ dst: 0xc0000201, ttl: 1 }) });
    out.push({ port, bytes: ipv4Frame({ dst: 0x08080808, ttl: 255 }) });
    out.push({ port, bytes: ipv4Frame({ dst: 0x0a010101, badChecksum: true }) });
    out.push({ port, bytes: ipv4Frame({ dst: 0x0a010101, ihl: 6, options: new Uint8Array([1, 1, 1, 0]) }) });
    const nonIp = pack(ETHERNET, { dst: 0x000102030405n, src: 1n, etherType: 0x86dd });
    out.push({ port, bytes: concat(nonIp, new Uint8Array(30)) });
    // Truncated IPv4 header: parser error, ethernet still forwarded through l2.
    out.push({ port, bytes: ipv4Frame({ dst: 0x0a000001 }).subarray(0, 25) });
  }
  return out;
}

// -- parser_ops.p4 --------------------------------------------------------------------------------

export function parserOpsPackets(): InputPacket[] {
  const ip = ipv4Frame({ dst: 0x01020304 }).subarray(14);
  const frames: Uint8Array[] = [
    mplsFrame([{ label: 100, ttl: 9 }], ip),
    mplsFrame(
      [
        { label: 100, ttl: 9 },
        { label: 200, ttl: 8 },
        { label: 300, ttl: 7 },
      ],
      ip,
    ),
    mplsFrame(
      [
        { label: 1, ttl: 1 },
        { label: 2, ttl: 2 },
        { label: 3, ttl: 3 },
        { label: 4, ttl: 4 },
      ],
      ip,
    ),
    mplsFrame(
      [
        { label: 1, ttl: 1 },
        { label: 2, ttl: 2 },
        { label: 3, ttl: 3 },
        { label: 4, ttl: 4 },
        { label: 5, ttl: 5 },
      ],
      ip,
    ),
    mplsFrame([{ label: 100, ttl: 9 }], new Uint8Array([0x60, 0, 0, 0, 1, 2, 3])),
    mplsFrame([{ label: 100, ttl: 9 }], new Uint8Array(0)),
    ipv4Frame({ dst: 1, options: new Uint8Array([7, 7, 7, 7, 8, 8, 8, 8]) }),
    ipv4Frame({ dst: 1, options: new Uint8Array(40) }),
    ipv4Frame({ dst: 1, ihl: 3 }),
    ipv4Frame({ dst: 1, ihl: 15 }).subarray(0, 40),
    ipv4Frame({ dst: 1, version: 6 }),
    concat(pack(ETHERNET, { etherType: 0x88b5 }), new Uint8Array([1, 2, 3, 4, 5, 6])),
    concat(pack(ETHERNET, { etherType: 0x88b5 }), new Uint8Array([1, 2, 3])),
    concat(pack(ETHERNET, { etherType: 0x1234 }), new Uint8Array([0xbe, 0xef, 1])),
    concat(pack(ETHERNET, { etherType: 0x1234 }), new Uint8Array([0xbe])),
    new Uint8Array([1, 2, 3]),
  ];
  return frames.map((bytes) => ({ port: 1, bytes }));
}

// -- stacks_unions.p4 -----------------------------------------------------------------------------

export function stacksUnionsPackets(): InputPacket[] {
  const out: InputPacket[] = [];
  for (const op of [0, 1, 2, 3, 4, 5, 6, 7, 8]) {
    for (const items of [0, 1, 2, 4]) {
      for (const u of [0, 1, 2]) {
        const arg = (items << 4) | u | (op === 3 ? (items + u) & 3 : 0);
        const body = concat(
          new Uint8Array([op, (items << 4) | u]),
          new Uint8Array(Array.from({ length: items }, (_, i) => 0x10 + i)),
          u === 1
            ? new Uint8Array([0xa1, 0xa2])
            : u === 2
              ? new Uint8Array([0xb1, 0xb2, 0xb3, 0xb4])
              : new Uint8Array(0),
          new Uint8Array([0xcc]),
        );
        void arg;
        out.push({ port: 0, bytes: body });
      }
    }
  }
  return out;
}

// -- control_flow.p4 -------------------------------------------------------------------------------

export const CTL: HeaderLayout = [
  ['mode', 8],
  ['x', 8],
  ['y', 8],
  ['res', 8],
  ['after_exit', 8],
  ['cksum_err', 8],
];
export const UDP: HeaderLayout = [
  ['srcPort', 16],
  ['dstPort', 16],
  ['len', 16],
  ['checksum', 16],
];

export function controlFlowPackets(): InputPacket[] {
  const out: InputPacket[] = [];
  const payload = new Uint8Array([1, 2, 3, 4, 5]);
  for (const mode of [0, 1, 2, 3, 9]) {
    for (const [x, y] of [
      [10, 0],
      [60, 0],
      [60, 5],
      [50, 1],
    ]) {
      const udp = pack(UDP, {
        srcPort: 1000 + x,
        dstPort: 53,
        len: 8 + payload.length,
        checksum: mode === 9 && y === 5 ? 0x5eed : 0,
      });
      out.push({ port: 1, bytes: concat(pack(CTL, { mode, x, y }), udp, payload) });
    }
  }
  return out;
}

// -- externs.p4 ------------------------------------------------------------------------------------

export const EXT_CMD: HeaderLayout = [
  ['idx', 8],
  ['op', 8],
  ['value', 32],
  ['flow', 32],
  ['sport', 16],
];
export const EXT_RES: HeaderLayout = [
  ['reg_old', 32],
  ['reg_new', 32],
  ['color', 8],
  ['dcolor', 8],
  ['h_crc16', 16],
  ['h_crc32', 32],
  ['h_csum16', 16],
  ['h_xor16', 16],
  ['h_identity', 32],
  ['h_crc16_custom', 16],
  ['h_crc32_custom', 32],
  ['h_base_max', 16],
  ['rnd', 16],
  ['member', 8],
];

export function externsPacket(c: Record<string, bigint | number>): Uint8Array {
  return concat(pack(EXT_CMD, c), new Uint8Array(EXT_RES.reduce((a, [, w]) => a + w, 0) / 8));
}

export function externsPackets(seed: number): InputPacket[] {
  const next = prng(seed);
  const out: InputPacket[] = [];
  for (let i = 0; i < 40; i++) {
    out.push({
      port: 0,
      bytes: externsPacket({
        idx: next() % 8,
        op: next() % 3,
        value: next(),
        flow: next() % 4 === 0 ? 0x01020304 : next(),
        sport: next() & 0xffff,
      }),
    });
  }
  return out;
}

// -- replication.p4 --------------------------------------------------------------------------------

export const REP_OP: HeaderLayout = [
  ['op', 8],
  ['arg', 16],
];
export const REP_TRACE: HeaderLayout = [
  ['instance_type', 8],
  ['passes', 8],
  ['egress_rid', 16],
  ['egress_port', 16],
  ['ingress_port', 16],
  ['packet_length', 32],
  ['preserved', 8],
  ['mcast_hi', 8],
];

export function replicationPacket(op: number, arg: number, extra = 0): Uint8Array {
  return concat(
    pack(REP_OP, { op, arg }),
    new Uint8Array(REP_TRACE.reduce((a, [, w]) => a + w, 0) / 8),
    new Uint8Array(extra),
  );
}

// -- union_stack.p4 -------------------------------------------------------------------------------

/** cnt header (n, last_kind) followed by union elements: kind 1 -> a (2 bytes), kind 2 -> b (3 bytes). */
export function unionStackPacket(
  n: number,
  kinds: readonly number[],
  tail: readonly number[] = [0xee],
): Uint8Array {
  const parts: number[] = [n, 0];
  kinds.forEach((k, i) => {
    if (k === 1) parts.push(1, 0x10 + i);
    else parts.push(2, 0x20 + i, 0x30 + i);
  });
  return new Uint8Array([...parts, ...tail]);
}

export function unionStackPackets(): InputPacket[] {
  const out: InputPacket[] = [];
  for (const n of [0, 1, 2, 3, 4]) {
    for (const kinds of [[], [1], [2], [1, 2], [2, 1], [1, 2, 1], [2, 2, 2], [1, 1, 1, 1]]) {
      out.push({ port: 0, bytes: unionStackPacket(n, kinds) });
    }
  }
  return out;
}

export interface DiffScenario {
  readonly fixture: string;
  readonly name: string;
  readonly ports: readonly number[];
  readonly packets: readonly InputPacket[];
  readonly tables?: readonly { table: string; entries: BakedEntry[] }[];
  /** Blanks bytes that legitimately differ (e.g. the output of random()), applied to both sides. */
  readonly mask?: (bytes: Uint8Array) => Uint8Array;
}

/** Offset of `res.rnd` in an externs.p4 output frame. */
const EXT_RND_OFFSET =
  EXT_CMD.reduce((a, [, w]) => a + w, 0) / 8 +
  EXT_RES.slice(
    0,
    EXT_RES.findIndex(([n]) => n === 'rnd'),
  ).reduce((a, [, w]) => a + w, 0) /
    8;

export const DIFF_SCENARIOS: readonly DiffScenario[] = [
  {
    fixture: 'basic_forward',
    name: 'exact + lpm forwarding, TTL, checksum verify/update, l2 fallback, truncated frames',
    ports: [1, 2, 3, 4, 7, 9, 10],
    packets: basicForwardPackets(),
    tables: BASIC_FORWARD_ENTRIES,
  },
  {
    fixture: 'match_kinds',
    name: 'ternary/range/optional/lpm-in-ternary priorities, static masks, padded lpm, hit/miss, action_run',
    ports: [0, 1],
    packets: matchKindsPackets(3).map((bytes) => ({ port: 0, bytes })),
    tables: MATCH_KINDS_ENTRIES,
  },
  {
    fixture: 'externs',
    name: 'registers, meters (unconfigured), every hash algorithm, direct counters/meters',
    ports: [0, 1],
    packets: externsPackets(11),
    tables: [
      {
        table: 'MyIngress.flows',
        entries: [
          { match: [{ kind: 'exact', value: 0x01020304n }], action: 'MyIngress.count_flow', params: [] },
        ],
      },
    ],
    mask: (b) => {
      const c = b.slice();
      c[EXT_RND_OFFSET] = 0;
      c[EXT_RND_OFFSET + 1] = 0;
      return c;
    },
  },
  {
    fixture: 'parser_ops',
    name: 'stacks, varbit, lookahead, verify, advance, parser errors',
    ports: [1, 2],
    packets: parserOpsPackets(),
  },
  {
    fixture: 'union_stack',
    name: 'header union stacks: extract, pop_front, element assignment',
    ports: [0, 1],
    packets: unionStackPackets(),
  },
  {
    fixture: 'stacks_unions',
    name: 'push/pop, dynamic index, header assignment/compare, unions',
    ports: [0, 1],
    packets: stacksUnionsPackets(),
  },
  {
    fixture: 'control_flow',
    name: 'predicated action branches, exit, checksums with payload',
    ports: [1, 3],
    packets: controlFlowPackets(),
  },
  {
    fixture: 'replication',
    name: 'resubmit, recirculate, truncate, drops, arbitrary egress ports, unconfigured clone sessions',
    ports: [0, 2, 5, 9],
    packets: [
      [0, 0],
      [3, 0],
      [4, 0],
      [6, 12],
      [6, 100],
      [7, 0],
      [8, 5],
      [8, 9],
      [1, 44],
      [10, 44],
      [11, 0],
    ].map(([op, arg]) => ({ port: 0, bytes: replicationPacket(op, arg, 6) })),
  },
];
