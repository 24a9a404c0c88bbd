// Property tests: random valid frames survive build -> parse -> build byte-exactly, and the parser
// never throws on random bytes, truncations or bit flips of valid frames.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  formatFrame,
  formatIpv4,
  formatIpv6,
  formatMac,
  type GeneveOption,
  type Ipv6ExtensionHeader,
  type Layer,
  parseFrame,
  type TcpOption,
} from '../../src/packet/index.js';

const RUNS = 300;

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const mac = bytes(6, 6).map((b) => formatMac(b));
const ipv4Address = bytes(4, 4).map((b) => formatIpv4(b));
const ipv6Address = bytes(16, 16).map((b) => formatIpv6(b));
const port = u16.filter((p) => p !== 6081);

/** A record without the keys whose value is undefined (so toMatchObject ignores them). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const payload = fc.option(
  bytes(1, 64).map((data): Layer => ({ kind: 'payload', data })),
  { nil: undefined },
);

const vlan = fc
  .record({ pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean(), vid: fc.integer({ min: 0, max: 4095 }) })
  .map((v): Layer => ({ kind: 'vlan', ...v }));

const arp = fc
  .record({
    operation: fc.integer({ min: 1, max: 2 }),
    senderMac: mac,
    senderIp: ipv4Address,
    targetMac: mac,
    targetIp: ipv4Address,
  })
  .map((a): Layer => ({ kind: 'arp', ...a }));

const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant({ kind: 1, data: new Uint8Array(0) }),
  fc.record({ kind: fc.integer({ min: 2, max: 254 }), data: bytes(0, 6) }),
);
const tcpOptions = fc
  .array(tcpOption, { maxLength: 10 })
  .filter((opts) => opts.reduce((n, o) => n + (o.kind === 1 ? 1 : 2 + o.data.length), 0) <= 40);

const tcp = fc
  .record({
    srcPort: u16,
    dstPort: u16,
    seq: u32,
    ack: u32,
    flags: fc.integer({ min: 0, max: 0xfff }),
    window: u16,
    urgentPointer: u16,
    options: tcpOptions,
  })
  .map((t): Layer => ({ kind: 'tcp', ...t }));

const udp = fc.record({ srcPort: u16, dstPort: port }).map((t): Layer => ({ kind: 'udp', ...t }));

const icmp = (kind: 'icmpv4' | 'icmpv6') =>
  fc.record({ type: u8, code: u8, restOfHeader: u32 }).map((t): Layer => ({ kind, ...t }));

const ipv4 = fc
  .record({
    src: ipv4Address,
    dst: ipv4Address,
    dscp: fc.integer({ min: 0, max: 63 }),
    ecn: fc.integer({ min: 0, max: 3 }),
    identification: u16,
    reservedFlag: fc.boolean(),
    dontFragment: fc.boolean(),
    ttl: u8,
    options: fc.integer({ min: 0, max: 10 }).chain((words) => bytes(words * 4, words * 4)),
  })
  .map((ip): Layer => ({ kind: 'ipv4', ...ip }));

const genericExt = (protocol: number) =>
  fc
    .integer({ min: 0, max: 3 })
    .chain((n) => bytes(8 * n + 6, 8 * n + 6).map((data): Ipv6ExtensionHeader => ({ protocol, data })));
const fragmentExt = bytes(6, 6).map((data): Ipv6ExtensionHeader => {
  const d = data.slice();
  d[0] = 0; // fragment offset 0 ...
  d[1] &= 0x06; // ... and M = 0: an atomic fragment whose transport header is present and complete
  return { protocol: 44, data: d };
});
const ahExt = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => bytes(4 * n + 2, 4 * n + 2).map((data): Ipv6ExtensionHeader => ({ protocol: 51, data })));
const extensionHeaders = fc
  .tuple(
    fc.option(genericExt(0), { nil: undefined }),
    fc.array(fc.oneof(genericExt(43), genericExt(60), fragmentExt, ahExt), { maxLength: 3 }),
  )
  .map(([hbh, rest]) => (hbh === undefined ? rest : [hbh, ...rest]));

const ipv6 = fc
  .record({
    src: ipv6Address,
    dst: ipv6Address,
    trafficClass: u8,
    flowLabel: fc.integer({ min: 0, max: 0xfffff }),
    hopLimit: u8,
    extensionHeaders,
  })
  .map((ip): Layer => ({ kind: 'ipv6', ...ip }));

/** IP plus transport plus optional payload. */
const ipPacket: fc.Arbitrary<Layer[]> = fc
  .oneof(
    fc.tuple(ipv4, fc.oneof(udp, tcp, icmp('icmpv4')), payload),
    fc.tuple(ipv6, fc.oneof(udp, tcp, icmp('icmpv6')), payload),
  )
  .map(([ip, l4, data]) => (data === undefined ? [ip, l4] : [ip, l4, data]));

const unknownEtherType = fc
  .integer({ min: 0x0600, max: 0xffff })
  .filter((t) => ![0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x9100].includes(t));

/** An Ethernet frame: optional VLAN tags, then ARP, an IP packet, or raw bytes under an unknown EtherType. */
const ethernetFrame: fc.Arbitrary<Layer[]> = fc
  .tuple(
    mac,
    mac,
    fc.array(vlan, { maxLength: 2 }),
    fc.oneof(
      arp.map((a) => ({ etherType: undefined, rest: [a] })),
      ipPacket.map((rest) => ({ etherType: undefined, rest })),
      fc.tuple(unknownEtherType, bytes(1, 40)).map(([etherType, data]) => ({
        etherType,
        rest: [{ kind: 'payload', data } as Layer],
      })),
    ),
  )
  .map(([dst, src, tags, { etherType, rest }]) => {
    const l2: Layer[] = [defined({ kind: 'ethernet' as const, dst, src }), ...tags];
    if (etherType !== undefined) {
      const last = l2[l2.length - 1] as { etherType?: number };
      last.etherType = etherType;
    }
    return [...l2, ...rest];
  });

const geneveOption: fc.Arbitrary<GeneveOption> = fc.record({
  optionClass: u16,
  type: fc.integer({ min: 0, max: 127 }),
  critical: fc.boolean(),
  reserved: fc.integer({ min: 0, max: 7 }),
  data: fc.integer({ min: 0, max: 31 }).chain((words) => bytes(words * 4, words * 4)),
});
/** Any number of options, in any order, cut to the 252-byte limit. */
const geneveOptions = fc.array(geneveOption, { maxLength: 12 }).map((opts) => {
  const kept: GeneveOption[] = [];
  let size = 0;
  for (const o of opts) {
    if (size + 4 + o.data.length > 252) continue;
    size += 4 + o.data.length;
    kept.push(o);
  }
  return kept;
});

const geneveFrame: fc.Arbitrary<Layer[]> = fc
  .tuple(
    mac,
    mac,
    fc.oneof(ipv4, ipv6),
    u16,
    fc.boolean(),
    fc.record({
      vni: fc.integer({ min: 0, max: 0xffffff }),
      oam: fc.boolean(),
      reserved1: fc.integer({ min: 0, max: 63 }),
      reserved2: u8,
      options: geneveOptions,
    }),
    fc.oneof({ weight: 3, arbitrary: ethernetFrame }, { weight: 1, arbitrary: ipPacket }),
  )
  .map(([dst, src, ip, srcPort, zeroChecksum, g, inner]): Layer[] => [
    { kind: 'ethernet', dst, src },
    ip,
    ip.kind === 'ipv4' && zeroChecksum ? { kind: 'udp', srcPort, checksum: 0 } : { kind: 'udp', srcPort },
    { kind: 'geneve', ...g },
    ...inner,
  ]);

const anyFrame = fc.oneof(ethernetFrame, geneveFrame);

function checkRebuild(input: Uint8Array): void {
  const parsed = parseFrame(input);
  for (const issue of parsed.issues) {
    expect(issue.offset).toBeGreaterThanOrEqual(0);
    expect(issue.offset).toBeLessThanOrEqual(input.length);
    expect(issue.message.length).toBeGreaterThan(0);
  }
  expect(typeof formatFrame(parsed)).toBe('string');
  // Whatever the parser produced can be encoded again; without issues it is the same bytes.
  const rebuilt = buildFrame(parsed.layers);
  if (parsed.issues.length === 0) expect(rebuilt).toEqual(input);
}

describe('properties', () => {
  it('parse(build(x)) matches x, fills every computed field consistently and rebuilds byte-exactly', () => {
    fc.assert(
      fc.property(anyFrame, (layers) => {
        const bytes = buildFrame(layers);
        const parsed = parseFrame(bytes);
        expect(parsed.issues).toEqual([]);
        expect(parsed.layers).toMatchObject(layers);
        const again = buildFrame(parsed.layers);
        expect(again).toEqual(bytes);
        expect(parseFrame(again).layers).toEqual(parsed.layers);
      }),
      { numRuns: RUNS },
    );
  });

  it('Geneve option lists of any composition round-trip in order, with the C bit computed', () => {
    fc.assert(
      fc.property(geneveFrame, (layers) => {
        const geneve = layers[3] as Extract<Layer, { kind: 'geneve' }>;
        const parsed = parseFrame(buildFrame(layers)).layers[3] as Extract<Layer, { kind: 'geneve' }>;
        expect(parsed.options).toMatchObject(geneve.options ?? []);
        expect(parsed.critical).toBe((geneve.options ?? []).some((o) => o.critical));
        expect(parsed.optionsLength).toBe(
          (geneve.options ?? []).reduce((n, o) => n + 1 + o.data.length / 4, 0),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(bytes(0, 200), checkRebuild), { numRuns: 1000 });
  });

  it('never throws on random bytes behind a known EtherType or a Geneve UDP header', () => {
    const prefix = fc.oneof(
      fc
        .constantFrom(0x0800, 0x86dd, 0x0806, 0x8100)
        .map((t) => Uint8Array.of(2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, t >> 8, t & 0xff)),
      fc.constant(
        buildFrame([
          { kind: 'ethernet', dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02' },
          { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, totalLength: 1500 },
          { kind: 'udp', srcPort: 1, dstPort: 6081, length: 1480, checksum: 0 },
        ]),
      ),
    );
    fc.assert(
      fc.property(prefix, bytes(0, 300), (head, tail) => {
        const input = new Uint8Array(head.length + tail.length);
        input.set(head);
        input.set(tail, head.length);
        checkRebuild(input);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on truncations and bit flips of valid frames', () => {
    fc.assert(
      fc.property(
        anyFrame,
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }),
        (layers, cutSeed, flips) => {
          const bytes = buildFrame(layers);
          checkRebuild(bytes.subarray(0, cutSeed % (bytes.length + 1)));
          const flipped = bytes.slice();
          for (const [at, bit] of flips) if (flipped.length > 0) flipped[at % flipped.length] ^= 1 << bit;
          checkRebuild(flipped);
        },
      ),
      { numRuns: 500 },
    );
  });
});
