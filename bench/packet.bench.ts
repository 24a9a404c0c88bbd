// Packet model throughput on one core: build and parse of a 1500-byte Geneve frame (IPv4 underlay,
// two 4-byte-data options, inner Ethernet/IPv4/UDP with a 1392-byte payload).
//
// Each operation is timed in batches (not per call, which would add timer overhead to a
// sub-microsecond operation); a row reports the median of several one-second rounds.
import Table from 'cli-table3';
import {
  buildFrame,
  buildFrameInto,
  decapsulate,
  encapsulate,
  type Layer,
  parseFrame,
  securityIdOption,
} from '../src/packet/index.js';
import { medianRate, sinkValue } from './lib/rate.js';

const TARGET_PPS = 1_000_000;
const FRAME_LENGTH = 1500;
const HEADERS_LENGTH = 14 + 20 + 8 + 8 + 16 + 14 + 20 + 8;

const payload = new Uint8Array(FRAME_LENGTH - HEADERS_LENGTH).map((_, i) => (i * 7) & 0xff);
const innerLayers: Layer[] = [
  { kind: 'ethernet', dst: '02:00:00:00:01:02', src: '02:00:00:00:01:01' },
  { kind: 'ipv4', src: '10.1.0.1', dst: '10.1.0.2', ttl: 63, identification: 0x1234 },
  { kind: 'udp', srcPort: 40000, dstPort: 5001 },
  { kind: 'payload', data: payload },
];
const options = [
  securityIdOption({ optionClass: 0x0102, type: 0x01, critical: true, id: 0xc0ffee }),
  { optionClass: 0xff01, type: 0x05, critical: false, data: new Uint8Array([1, 2, 3, 4]) },
];
const layers: Layer[] = [
  { kind: 'ethernet', dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01' },
  { kind: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2', dontFragment: true },
  { kind: 'udp', srcPort: 50123, checksum: 0 },
  { kind: 'geneve', vni: 0x00abcd, options },
  ...innerLayers,
];

const frame = buildFrame(layers);
if (frame.length !== FRAME_LENGTH)
  throw new Error(`bench frame is ${frame.length} bytes, expected ${FRAME_LENGTH}`);
const check = parseFrame(frame);
if (check.issues.length > 0 || check.layers.length !== 8) {
  throw new Error(`bench frame does not parse cleanly: ${JSON.stringify(check.issues)}`);
}
const inner = buildFrame(innerLayers);
const outer = {
  srcMac: '02:00:00:00:00:01',
  dstMac: '02:00:00:00:00:02',
  srcIp: '192.0.2.1',
  dstIp: '192.0.2.2',
};
const out = new Uint8Array(2048);

const BATCH = 20_000;

// The build hot path writes into a preallocated buffer; `buildFrame` is listed for information: it
// allocates a fresh 1500-byte Uint8Array per call, whose off-heap backing store dominates its cost.
const cases: { name: string; targeted: boolean; fn: () => number }[] = [
  { name: 'build: buildFrameInto (preallocated)', targeted: true, fn: () => buildFrameInto(layers, out) },
  { name: 'build: buildFrame (new array per call)', targeted: false, fn: () => buildFrame(layers).length },
  { name: 'parse: parseFrame (verify checksums)', targeted: true, fn: () => parseFrame(frame).layers.length },
  {
    name: 'parse: parseFrame (no checksum verify)',
    targeted: false,
    fn: () => parseFrame(frame, { verifyChecksums: false }).layers.length,
  },
  {
    name: 'encapsulate (inner 1392 B payload)',
    targeted: false,
    fn: () => encapsulate(inner, { vni: 0xabcd, outer, options }).length,
  },
  { name: 'decapsulate', targeted: false, fn: () => decapsulate(frame).inner.length },
];

const table = new Table({
  head: ['operation (1500-byte Geneve frame)', 'packets/s (1 core)', 'target', 'result'],
});
let failed = false;
for (const c of cases) {
  const pps = medianRate(c.fn, BATCH);
  const ok = pps >= TARGET_PPS;
  if (c.targeted && !ok) failed = true;
  table.push([
    c.name,
    Math.round(pps).toLocaleString('en-US'),
    c.targeted ? `>= ${TARGET_PPS.toLocaleString('en-US')}` : '-',
    c.targeted ? (ok ? 'PASS' : 'BELOW TARGET') : 'info',
  ]);
}
console.log(table.toString());
if (sinkValue() === 0) console.log('');
if (failed) console.log('note: at least one targeted operation is below 1,000,000 packets/s on this machine');
