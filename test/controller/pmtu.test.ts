// ICMP answers to MTU punts: byte-exact against frames the packet model builds independently, checked
// by tshark when installed; the rate limit; what is not answered; the punt handler end to end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { P4Value } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import {
  deriveFabric,
  PuntHandler,
  pmtuAnswer,
  RateLimiter,
  tenantPathMtu,
} from '../../src/controller/index.js';
import { buildFrame, type Layer, writePcapFile } from '../../src/packet/index.js';
import { exampleFabric } from './helpers.js';

const tcpFrame = (v6: boolean, payload: number, df = true): Uint8Array => {
  const layers: Layer[] = [{ kind: 'ethernet', dst: '02:00:00:00:0a:02', src: '02:00:00:00:0a:01' }];
  if (v6) layers.push({ kind: 'ipv6', src: 'fd10::1', dst: 'fd10::2' });
  else
    layers.push({
      kind: 'ipv4',
      src: '192.168.10.1',
      dst: '192.168.10.2',
      dontFragment: df,
      identification: 77,
    });
  layers.push({ kind: 'tcp', srcPort: 40000, dstPort: 5432 });
  layers.push({ kind: 'payload', data: new Uint8Array(payload).map((_, i) => i & 0xff) });
  return buildFrame(layers);
};

describe('path MTU answers', () => {
  it('the tenant path MTU is the uplink MTU minus the Geneve overhead with the option', () => {
    expect(tenantPathMtu(1500, 4)).toBe(1442); // 1500 - 20 - 8 - 8 - 8 - 14
    expect(tenantPathMtu(1500, 6)).toBe(1422);
  });

  it('ICMPv4 fragmentation needed: byte-exact', () => {
    const frame = tcpFrame(false, 1460);
    const ipStart = 14;
    const quoted = frame.subarray(ipStart, ipStart + 20 + 8);
    const expected = buildFrame([
      { kind: 'ethernet', dst: '02:00:00:00:0a:01', src: '02:00:00:00:0a:02' },
      {
        kind: 'ipv4',
        src: '192.168.10.2',
        dst: '192.168.10.1',
        dontFragment: true,
        ttl: 64,
        identification: 0,
      },
      { kind: 'icmpv4', type: 3, code: 4, restOfHeader: 1442 },
      { kind: 'payload', data: quoted },
    ]);
    expect(Buffer.from(pmtuAnswer(frame, 1442) as Uint8Array).toString('hex')).toBe(
      Buffer.from(expected).toString('hex'),
    );
  });

  it('ICMPv6 packet too big: byte-exact, quoting up to the IPv6 minimum MTU', () => {
    const frame = tcpFrame(true, 1460);
    const quoted = frame.subarray(14, 14 + 1280 - 48);
    const expected = buildFrame([
      { kind: 'ethernet', dst: '02:00:00:00:0a:01', src: '02:00:00:00:0a:02' },
      { kind: 'ipv6', src: 'fd10::2', dst: 'fd10::1', hopLimit: 64 },
      { kind: 'icmpv6', type: 2, code: 0, restOfHeader: 1422 },
      { kind: 'payload', data: quoted },
    ]);
    const answer = pmtuAnswer(frame, 1422) as Uint8Array;
    expect(answer.length).toBe(14 + 1280);
    expect(Buffer.from(answer).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });

  it('answers neither non-IP, IPv4 without DF, nor ICMP errors', () => {
    const arp = buildFrame([
      { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:0a:01', etherType: 0x88b5 },
      { kind: 'payload', data: new Uint8Array(1400) },
    ]);
    expect(pmtuAnswer(arp, 1442)).toBe('not-ip');
    expect(pmtuAnswer(tcpFrame(false, 1460, false), 1442)).toBe('fragment-allowed');
    const error = pmtuAnswer(tcpFrame(false, 1460), 1442) as Uint8Array;
    const nested = buildFrame([
      { kind: 'ethernet', dst: '02:00:00:00:0a:02', src: '02:00:00:00:0a:01' },
      { kind: 'ipv4', src: '192.168.10.1', dst: '192.168.10.2', dontFragment: true },
      { kind: 'icmpv4', type: 3, code: 4 },
      { kind: 'payload', data: error.subarray(14) },
    ]);
    expect(pmtuAnswer(nested, 1442)).toBe('icmp-error');
  });

  it('rate-limits with a token bucket', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now += 100; // one token per 100 ms at 10/s
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
  });

  it('the punt handler answers out of the ingress port, counts OAM and what it declines', () => {
    const view = deriveFabric(exampleFabric()).devices[0].intent;
    const sent: Array<{ frame: Uint8Array; metadata: Record<string, P4Value> }> = [];
    const now = 0;
    const handler = new PuntHandler(view, (frame, metadata) => sent.push({ frame, metadata }), {
      rate: 1,
      burst: 1,
      now: () => now,
    });
    const punt = (reason: number, payload: Uint8Array, port = 1) =>
      handler.handle({ payload, metadata: { ingress_port: port, reason, pad: 0 }, raw: {} });
    punt(1, tcpFrame(false, 1460));
    punt(1, tcpFrame(false, 1460)); // over the rate
    punt(1, tcpFrame(false, 1460), 3); // nobody on port 3 with that MAC
    punt(2, new Uint8Array(80));
    expect(sent.length).toBe(1);
    expect(sent[0].metadata).toEqual({ egress_port: 1, pad: 0 });
    expect(sent[0].frame).toEqual(pmtuAnswer(tcpFrame(false, 1460), 1442));
    expect(handler.counts).toMatchObject({ mtuAnswered: 1, oam: 1 });
    expect(handler.counts.mtuNotAnswered).toMatchObject({ 'rate-limited': 1, 'unknown-sender': 1 });
  });

  it.skipIf(!existsSync('/usr/bin/tshark'))('tshark reads the answers as Wireshark would', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pmtu-')), 'icmp.pcap');
    await writePcapFile(file, [
      { data: pmtuAnswer(tcpFrame(false, 1460), 1442) as Uint8Array },
      { data: pmtuAnswer(tcpFrame(true, 1460), 1422) as Uint8Array },
    ]);
    const run = spawnSync(
      '/usr/bin/tshark',
      [
        '-r',
        file,
        '-o',
        'ip.check_checksum:TRUE',
        '-T',
        'fields',
        '-E',
        'separator=|',
        '-e',
        'icmp.type',
        '-e',
        'icmp.code',
        '-e',
        'icmp.mtu',
        '-e',
        'icmp.checksum.status',
        '-e',
        'ip.checksum.status',
        '-e',
        'icmpv6.type',
        '-e',
        'icmpv6.mtu',
        '-e',
        'icmpv6.checksum.status',
        '-e',
        'tcp.dstport',
      ],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['3|4|1442|1|1,1||||5432', '|||||2|1422|1|5432']);
  });
});
