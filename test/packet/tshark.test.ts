// Cross-checks our Geneve encoding against an independent decoder: tshark (Wireshark). The test
// writes a pcap with Geneve packets over IPv4 and IPv6 underlays, with 0-3 options (one of them
// critical) and inner IPv4/TCP or ARP frames, and compares tshark's field values with what was built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  encapsulate,
  flowSourcePort,
  type GeneveOption,
  type Layer,
  securityIdOption,
  writePcapFile,
} from '../../src/packet/index.js';
import { innerTcpLayers, pattern } from './helpers.js';

function findTshark(): string | undefined {
  if (existsSync('/usr/bin/tshark')) return '/usr/bin/tshark';
  const which = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path !== '' ? path : undefined;
}

const tshark = findTshark();
if (tshark === undefined) {
  console.warn(
    'tshark is not installed (looked for /usr/bin/tshark and on PATH): skipping the tshark cross-check',
  );
}

const FIELDS = [
  'frame.number',
  'eth.src',
  'eth.dst',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'udp.srcport',
  'udp.dstport',
  'geneve.version',
  'geneve.vni',
  'geneve.flags.critical',
  'geneve.flags.oam',
  'geneve.proto_type',
  'geneve.option.class',
  'geneve.option.type',
  'geneve.option.type.critical',
  'geneve.option.length',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
  'tcp.srcport',
  'tcp.dstport',
  'ip.checksum.status',
  'udp.checksum.status',
  'tcp.checksum.status',
  '_ws.expert.severity',
  '_ws.malformed',
] as const;
type Field = (typeof FIELDS)[number];

/** Expert-info severity at which tshark flags a real problem (PI_WARN). */
const PI_WARN = 0x00600000;

const innerArp = buildFrame([
  { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:02:01' },
  {
    kind: 'arp',
    operation: 1,
    senderMac: '02:00:00:00:02:01',
    senderIp: '10.9.0.1',
    targetMac: '00:00:00:00:00:00',
    targetIp: '10.9.0.2',
  },
]);
const innerTcp = buildFrame(innerTcpLayers());

interface Case {
  vni: number;
  underlay: 4 | 6;
  options: GeneveOption[];
  inner: 'tcp' | 'arp';
}

const cases: Case[] = [
  { vni: 100, underlay: 4, options: [], inner: 'tcp' },
  {
    vni: 0xabcdef,
    underlay: 4,
    options: [{ optionClass: 0xff01, type: 3, critical: false, data: pattern(12) }],
    inner: 'arp',
  },
  {
    vni: 0x123456,
    underlay: 6,
    options: [
      securityIdOption({ optionClass: 0x0102, type: 0x11, critical: true, id: 0xc0ffee }),
      { optionClass: 0x0103, type: 0x7f, critical: false, data: pattern(8, 5) },
    ],
    inner: 'tcp',
  },
  {
    vni: 1,
    underlay: 6,
    options: [
      { optionClass: 0xfff0, type: 0, critical: false, data: new Uint8Array(0) },
      { optionClass: 0x0102, type: 0x22, critical: true, data: pattern(4) },
      { optionClass: 0x0104, type: 1, critical: false, data: pattern(124, 3) },
    ],
    inner: 'arp',
  },
];

const outer = (underlay: 4 | 6) => ({
  srcMac: '02:00:00:00:00:0a',
  dstMac: '02:00:00:00:00:0b',
  srcIp: underlay === 4 ? '192.0.2.10' : '2001:db8::10',
  dstIp: underlay === 4 ? '192.0.2.20' : '2001:db8::20',
});

function runTshark(path: string): Record<Field, string[]>[] {
  const args = [
    '-n',
    '-r',
    path,
    '-o',
    'ip.check_checksum:TRUE',
    '-o',
    'udp.check_checksum:TRUE',
    '-o',
    'tcp.check_checksum:TRUE',
  ];
  args.push('-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|');
  for (const f of FIELDS) args.push('-e', f);
  const result = spawnSync(tshark as string, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`tshark failed (${result.status}): ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const columns = line.split('\t');
      return Object.fromEntries(FIELDS.map((f, k) => [f, columns[k] ? columns[k].split('|') : []])) as Record<
        Field,
        string[]
      >;
    });
}

const num = (values: string[]): number[] => values.map((v) => Number(v));
const flag = (values: string[]): boolean[] => values.map((v) => v === '1' || v.toLowerCase() === 'true');

describe('tshark decodes our Geneve packets', () => {
  it.skipIf(tshark === undefined)(
    'VNI, options (class, type, critical bit, length), C bit and inner addresses',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'geneve-tshark-'));
      try {
        const frames = cases.map((c) =>
          encapsulate(c.inner === 'tcp' ? innerTcp : innerArp, {
            vni: c.vni,
            outer: outer(c.underlay),
            options: c.options,
          }),
        );
        const file = join(dir, 'geneve.pcap');
        await writePcapFile(
          file,
          frames.map((data, k) => ({ data, seconds: 1_700_000_000 + k })),
        );
        const rows = runTshark(file);
        expect(rows).toHaveLength(cases.length);

        cases.forEach((c, k) => {
          const row = rows[k];
          const o = outer(c.underlay);
          expect(num(row['frame.number'])).toEqual([k + 1]);
          expect(row['_ws.malformed']).toEqual([]);
          expect(num(row['_ws.expert.severity']).every((s) => s < PI_WARN)).toBe(true);

          // Underlay.
          if (c.underlay === 4) {
            expect(row['ip.src'][0]).toBe(o.srcIp);
            expect(row['ip.dst'][0]).toBe(o.dstIp);
            expect(row['udp.checksum.status']).toEqual(['3']); // zero checksum: "not present"
          } else {
            expect(row['ipv6.src']).toEqual([o.srcIp]);
            expect(row['ipv6.dst']).toEqual([o.dstIp]);
            expect(row['udp.checksum.status']).toEqual(['1']); // good
          }
          expect(num(row['udp.dstport'])).toEqual([6081]);
          const inner = c.inner === 'tcp' ? innerTcp : innerArp;
          expect(num(row['udp.srcport'])).toEqual([flowSourcePort(inner)]);
          expect(row['ip.checksum.status'].every((s) => s === '1')).toBe(true);

          // Geneve header.
          expect(num(row['geneve.version'])).toEqual([0]);
          expect(num(row['geneve.vni'])).toEqual([c.vni]);
          expect(flag(row['geneve.flags.critical'])).toEqual([c.options.some((opt) => opt.critical)]);
          expect(flag(row['geneve.flags.oam'])).toEqual([false]);
          expect(num(row['geneve.proto_type'])).toEqual([0x6558]);

          // Options: tshark's geneve.option.length is the whole options area first, then each option
          // in bytes including its 4-byte header.
          expect(num(row['geneve.option.class'])).toEqual(c.options.map((opt) => opt.optionClass));
          expect(num(row['geneve.option.type'])).toEqual(
            c.options.map((opt) => (opt.critical ? 0x80 : 0) | opt.type),
          );
          expect(flag(row['geneve.option.type.critical'])).toEqual(c.options.map((opt) => opt.critical));
          const optionBytes = c.options.map((opt) => 4 + opt.data.length);
          const totalOptionBytes = optionBytes.reduce((a, b) => a + b, 0);
          expect(num(row['geneve.option.length'])).toEqual(
            c.options.length > 0 ? [totalOptionBytes, ...optionBytes] : [0],
          );

          // Inner frame.
          if (c.inner === 'tcp') {
            const [eth, ip, tcp] = innerTcpLayers() as [
              Extract<Layer, { kind: 'ethernet' }>,
              Extract<Layer, { kind: 'ipv4' }>,
              Extract<Layer, { kind: 'tcp' }>,
            ];
            expect(row['eth.src']).toEqual([o.srcMac, eth.src]);
            expect(row['eth.dst']).toEqual([o.dstMac, eth.dst]);
            expect(row['ip.src'].at(-1)).toBe(ip.src);
            expect(row['ip.dst'].at(-1)).toBe(ip.dst);
            expect(num(row['tcp.srcport'])).toEqual([tcp.srcPort]);
            expect(num(row['tcp.dstport'])).toEqual([tcp.dstPort]);
            expect(row['tcp.checksum.status']).toEqual(['1']);
          } else {
            expect(row['eth.src']).toEqual([o.srcMac, '02:00:00:00:02:01']);
            expect(row['eth.dst']).toEqual([o.dstMac, 'ff:ff:ff:ff:ff:ff']);
            expect(num(row['arp.opcode'])).toEqual([1]);
            expect(row['arp.src.hw_mac']).toEqual(['02:00:00:00:02:01']);
            expect(row['arp.src.proto_ipv4']).toEqual(['10.9.0.1']);
            expect(row['arp.dst.proto_ipv4']).toEqual(['10.9.0.2']);
          }
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
