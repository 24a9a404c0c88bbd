// The engine's table indexes alone (src/switch/core/tables.ts, no P4Runtime): per table of the
// controller bench's fabric, the CPU per insert, the heap each entry keeps, and the time of a lookup
// (hits and misses) as a packet's key reads it. Tables as the Geneve VTEP program declares them:
// `policy_rules` (exact VNI, ternary ids and protocol, a port range; 1,000 tenants of 10 rules
// with full masks and one port each, as bench/lib/overlay-fabric.ts, and a tenth of them again
// with any source and a port range: two shapes), `vport_classification` (port, MAC, VLAN; 25,000
// workloads), `overlay_mac` (VNI, MAC; 1,000 tenants of 100).
// Run: node --expose-gc --import tsx bench/lib/table-index.ts  (BENCH_ROUNDS lookup rounds).
import type { ActionDef } from '../../src/switch/core/actions.js';
import {
  type MatchFieldValue,
  type MatchKind,
  type TableDef,
  TableState,
} from '../../src/switch/core/tables.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LOOKUPS = 200_000;
const NOOP: ActionDef = { name: 'noop', jsonId: 0, params: [], run: () => {} };

function tableDef(kinds: readonly MatchKind[], widths: readonly number[]): TableDef {
  return {
    name: 't',
    jsonId: 0,
    index: 0,
    matchType: kinds.includes('range') ? 'range' : kinds.includes('ternary') ? 'ternary' : 'exact',
    implementation: 'direct',
    profile: undefined,
    maxSize: 1 << 20,
    withCounters: false,
    supportTimeout: false,
    directMeter: undefined,
    keys: kinds.map((matchKind, i) => ({ name: `k${i}`, matchKind, width: widths[i], read: () => 0 })),
    actions: [NOOP],
    nextByAction: new Map(),
    hitMiss: undefined,
    baseDefaultNext: -1,
    initialDefault: undefined,
    constEntries: undefined,
    selectorHash: undefined,
  };
}

interface Case {
  readonly name: string;
  readonly def: TableDef;
  readonly entries: { match: MatchFieldValue[]; priority: number }[];
  /** Packet keys (storage representation: numbers up to 32 bits, else bigints). */
  readonly hits: (number | bigint)[][];
  readonly misses: (number | bigint)[][];
}

const exact = (v: number | bigint): MatchFieldValue => ({ kind: 'exact', value: BigInt(v) });
const full = (v: number, w: number): MatchFieldValue => ({
  kind: 'ternary',
  value: BigInt(v),
  mask: (1n << BigInt(w)) - 1n,
});

function policyCase(): Case {
  const entries: Case['entries'] = [];
  const hits: Case['hits'] = [];
  const misses: Case['misses'] = [];
  for (let t = 0; t < 1000; t++) {
    for (let p = 0; p < 10; p++) {
      const src = 1 + ((t + p) % 64);
      const dst = 1 + ((t + p + 1) % 64);
      entries.push({
        match: [
          exact(10_000 + t),
          full(src, 32),
          full(dst, 32),
          full(6, 8),
          { kind: 'range', low: BigInt(1000 + p), high: BigInt(1000 + p) },
        ],
        priority: 10 + p,
      });
      hits.push([10_000 + t, src, dst, 6, 1000 + p]);
      misses.push([10_000 + t, src, dst, 17, 1000 + p]);
    }
    // Any source to one destination over a port range: a second shape.
    entries.push({
      match: [
        exact(10_000 + t),
        undefined as unknown as MatchFieldValue,
        full(1 + (t % 64), 32),
        full(17, 8),
        { kind: 'range', low: 2000n, high: 3000n },
      ],
      priority: 5,
    });
  }
  return {
    name: 'policy_rules',
    def: tableDef(['exact', 'ternary', 'ternary', 'ternary', 'range'], [24, 32, 32, 8, 16]),
    entries,
    hits,
    misses,
  };
}

function vportCase(): Case {
  const entries: Case['entries'] = [];
  const hits: Case['hits'] = [];
  const misses: Case['misses'] = [];
  for (let w = 0; w < 25_000; w++) {
    const t = w % 1000;
    const mac = 0x020000000000 + w * 7;
    entries.push({ match: [exact(1 + (t % 4)), exact(mac), exact(100 + t)], priority: 0 });
    hits.push([1 + (t % 4), BigInt(mac), 100 + t]);
    misses.push([1 + (t % 4), BigInt(mac + 1), 100 + t]);
  }
  return {
    name: 'vport_classification',
    def: tableDef(['exact', 'exact', 'exact'], [9, 48, 12]),
    entries,
    hits,
    misses,
  };
}

function overlayCase(): Case {
  const entries: Case['entries'] = [];
  const hits: Case['hits'] = [];
  const misses: Case['misses'] = [];
  for (let w = 0; w < 100_000; w++) {
    const vni = 10_000 + (w % 1000);
    const mac = 0x020000000000 + w * 7;
    entries.push({ match: [exact(vni), exact(mac)], priority: 0 });
    hits.push([vni, BigInt(mac)]);
    misses.push([vni + 1, BigInt(mac)]);
  }
  return { name: 'overlay_mac', def: tableDef(['exact', 'exact'], [24, 48]), entries, hits, misses };
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const make of [policyCase, vportCase, overlayCase]) {
  const c = make();
  const table = new TableState(c.def, undefined, () => 0);
  const action = { type: 'action' as const, name: 'noop', params: [] };
  const before = heap();
  const t0 = cpuUs();
  for (const e of c.entries)
    table.addEntry(e.match.map((m) => m ?? undefined) as MatchFieldValue[], e.priority, action);
  const insertUs = (cpuUs() - t0) / c.entries.length;
  const kept = gc
    ? `${Math.round((heap() - before) / c.entries.length)} heap bytes/entry`
    : '(no --expose-gc)';
  const lookup = (keys: (number | bigint)[][]) => {
    const ns: number[] = [];
    let found = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const s = process.hrtime.bigint();
      for (let i = 0; i < LOOKUPS; i++) if (table.match(keys[i % keys.length]) !== undefined) found++;
      ns.push(Number(process.hrtime.bigint() - s) / LOOKUPS);
    }
    return { ns: median(ns), found: found / ROUNDS };
  };
  const hit = lookup(c.hits);
  const miss = lookup(c.misses);
  if (hit.found !== LOOKUPS || miss.found !== 0)
    throw new Error(`${c.name}: lookups found ${hit.found} and ${miss.found}`);
  console.log(
    `${c.name}: ${c.entries.length} inserts ${insertUs.toFixed(2)} µs/entry, ${kept}; lookup hit ${hit.ns.toFixed(0)} ns, miss ${miss.ns.toFixed(0)} ns`,
  );
}
