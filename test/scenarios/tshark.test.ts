// Cross-check with an independent decoder: the packets the target sends are written to a pcap and
// decoded by tshark (Wireshark); its VNI, options and inner frame must match what we expect.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePcap } from '../../src/packet/index.js';
import { A1, B2, installFabric, R1, R2, REMOTE_A1, REMOTE_A2, TENANT_A, useVtep } from './harness/fabric.js';
import { tenantFrame } from './harness/frames.js';
import { recordedExchanges, scenarioPcap } from './harness/report.js';

const session = useVtep();
const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = !tshark.error && tshark.status === 0;
if (!haveTshark)
  console.warn('tshark.test: tshark is not installed (Debian package tshark); the cross-check is skipped');

const FIELDS = [
  'frame.number',
  'ip.dst',
  'ipv6.dst',
  'udp.dstport',
  'geneve.version',
  'geneve.vni',
  'geneve.proto_type',
  'geneve.flags.critical',
  'geneve.option.class',
  'geneve.option.type',
  'geneve.option.length',
  'eth.src',
  'eth.dst',
];

function decode(pcap: Uint8Array): Array<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'tshark-'));
  const file = join(dir, 'out.pcap');
  writeFileSync(file, pcap);
  const run = spawnSync(
    'tshark',
    [
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
      ...FIELDS.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`tshark failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => Object.fromEntries(line.split('|').map((v, i) => [FIELDS[i], v])));
}

describe.skipIf(!haveTshark)('tshark cross-check', () => {
  it('decodes encapsulated output as Geneve with our VNI, option and inner frame', async () => {
    const s = session();
    await s.reset('tshark: encapsulated output');
    await installFabric(s, { criticalOption: true });
    const toR1 = tenantFrame({
      dst: REMOTE_A1.mac,
      src: A1.mac,
      ip: { src: '192.168.1.1', dst: '192.168.1.11' },
      l4: { protocol: 'udp', srcPort: 9, dstPort: 9 },
    });
    const toR2 = tenantFrame({
      dst: REMOTE_A2.mac,
      src: A1.mac,
      ip: { src: '2001:db8::1', dst: '2001:db8::12' },
    });
    const out = [...(await s.send(A1.port, toR1, 'to R1')), ...(await s.send(A1.port, toR2, 'to R2'))];
    expect(out).toHaveLength(2);
    const rows = decode(writePcap(out.map((f) => ({ data: f.bytes }))));
    expect(rows).toHaveLength(2);
    for (const [row, remote] of [
      [rows[0], R1.address],
      [rows[1], R2.address],
    ] as const) {
      expect(row['ip.dst'] || row['ipv6.dst'].split(',')[0]).toContain(
        remote.includes(':') ? 'fd00::2' : remote,
      );
      expect(row['udp.dstport'].split(',')[0]).toBe('6081');
      expect(row['geneve.version']).toBe('0');
      expect(Number(row['geneve.vni'])).toBe(TENANT_A.vni);
      expect(Number(row['geneve.proto_type'])).toBe(0x6558);
      expect(row['geneve.flags.critical']).toMatch(/^(1|True)$/);
      expect(Number(row['geneve.option.class'])).toBe(0xfff0);
      expect(Number(row['geneve.option.type'])).toBe(0x81);
      expect(Number(row['geneve.option.length'].split(',')[0])).toBe(8);
      // Outer then inner Ethernet: the inner source is A1.
      expect(row['eth.src'].split(',')[1]).toBe(A1.mac);
    }
    expect(rows[0]['eth.dst'].split(',')[1]).toBe(REMOTE_A1.mac);
    expect(rows[1]['eth.dst'].split(',')[1]).toBe(REMOTE_A2.mac);
  });

  it('reads the scenario pcap the validation report writes', async () => {
    const s = session();
    await s.reset('tshark: report pcap');
    await installFabric(s);
    const frame = tenantFrame({ dst: B2.mac, src: '02:00:00:00:0a:01', payloadLength: 10 });
    await s.send(3, frame, 'B1 -> B2');
    expect(recordedExchanges('tshark: report pcap')).toHaveLength(1);
    const rows = decode(scenarioPcap('tshark: report pcap'));
    // The frame sent, then the tagged copy delivered to B2.
    expect(rows.map((r) => r['eth.dst'])).toEqual([B2.mac, B2.mac]);
  });
});
