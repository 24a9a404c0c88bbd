// Counters, meters, registers, the replication engine, action profiles, packet-in/out and digests
// through genevectl, against the embedded target (or bmv2 with P4_TARGET=bmv2). Frames go in
// through the dataplane service and every one of them is accounted for.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrame, readPcap, writePcapFile } from '../../src/packet/index.js';
import { DataplaneClient, type EmittedFrame } from '../../src/packet-io/client.js';
import {
  exactForward,
  FIXTURE,
  genevectl,
  type ServedTarget,
  serveSelected,
  startGenevectl,
} from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'genevectl-entities-'));
const bmv2 = process.env.P4_TARGET === 'bmv2';
let target: ServedTarget;
let dataplane: DataplaneClient;
const run = (...args: string[]) => genevectl([...args, '--grpc', target.address]);

function frame(dst: string, etherType = 0x88b5, size = 60): Uint8Array {
  return buildFrame([
    { kind: 'ethernet', dst, src: '02:00:00:00:00:02', etherType },
    { kind: 'payload', data: new Uint8Array(size - 14).fill(7) },
  ]);
}

/** Waits for `n` frames that the test did not send through the dataplane (packet-outs). */
async function unattributed(n: number): Promise<EmittedFrame[]> {
  const got: EmittedFrame[] = [];
  for (let i = 0; i < 200 && got.length < n; i++) {
    await dataplane.collectExactly([], 1, 50);
    got.push(...dataplane.takeUnattributed());
  }
  return got;
}

describe(`genevectl counters, PRE, profiles, packets on ${bmv2 ? 'bmv2' : 'embedded'}`, {
  timeout: 120_000,
}, () => {
  beforeAll(async () => {
    target = await serveSelected();
    expect((await run('pipeline', 'push', FIXTURE.json, FIXTURE.p4info)).status).toBe(0);
    dataplane = await DataplaneClient.connect({ address: target.dataplane!, deviceId: 1 });
  }, 120_000);
  afterAll(async () => {
    dataplane?.close();
    await target?.stop();
  });

  it('reads indexed and direct counters, with rates when watching', async () => {
    const add = await run('table', 'add', ...exactForward(2));
    expect(add.status).toBe(0);
    const ids = [
      dataplane.send(1, frame('02:00:00:00:00:01')),
      dataplane.send(1, frame('02:00:00:00:00:01')),
    ];
    const out = await dataplane.collectExactly(ids, 2);
    expect([...out.values()].flat().map((f) => f.port)).toEqual([2, 2]);
    const cell = await run('counter', 'read', 'port_counter', '--index', '1', '--json');
    expect(JSON.parse(cell.stdout)).toEqual([{ cell: '1', packets: 2, bytes: 120 }]);
    const nonzero = await run('counter', 'read', 'MyIngress.port_counter', '--nonzero');
    expect(nonzero.stdout).toMatch(/^cell\s+packets\s+bytes\n1\s+2\s+120\n$/);
    const direct = await run('counter', 'read', 'exact_t');
    expect(direct.stdout).toMatch(/hdr\.ethernet\.dstAddr=02:00:00:00:00:01\s+2\s+120/);
    const watch = await run(
      'counter',
      'read',
      'port_counter',
      '--index',
      '1',
      '--watch',
      '0.1',
      '--count',
      '2',
      '--json',
    );
    const lines = watch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].cells[0]).toMatchObject({ cell: '1', packets: 2, packetsPerSecond: '' });
    expect(lines[1].cells[0]).toMatchObject({
      cell: '1',
      packets: 2,
      packetsPerSecond: '0.0',
      bytesPerSecond: '0.0',
    });
    const human = await run(
      'counter',
      'read',
      'port_counter',
      '--index',
      '1',
      '--watch',
      '0.1',
      '--count',
      '1',
    );
    expect(human.stdout).toMatch(/cell\s+packets\s+bytes\s+packets\/s\s+bytes\/s/);
    const reset = await run('counter', 'reset', 'port_counter', '--index', '1');
    expect(reset.stdout.trim()).toBe('reset 1 cell(s) of counter MyIngress.port_counter');
    expect(
      JSON.parse((await run('counter', 'read', 'port_counter', '--index', '1', '--json')).stdout),
    ).toEqual([{ cell: '1', packets: 0, bytes: 0 }]);
    const resetDirect = await run('counter', 'reset', 'exact_t');
    expect(resetDirect.stdout.trim()).toBe('reset 1 cell(s) of direct counter MyIngress.exact_counter');
    expect((await run('counter', 'read', 'exact_t')).stdout).toMatch(/02:00:00:00:00:01\s+0\s+0\n/);
  });

  it('configures and reads meters; registers where the server serves them', async () => {
    const set = await run(
      'meter',
      'set',
      'probe_meter',
      '--index',
      '2',
      '--cir',
      '100',
      '--cburst',
      '10',
      '--pir',
      '200',
      '--pburst',
      '20',
    );
    expect(set.stderr).toBe('');
    const read = await run('meter', 'read', 'probe_meter', '--index', '2', '--json');
    expect(JSON.parse(read.stdout)).toEqual([{ cell: '2', cir: 100, cburst: 10, pir: 200, pburst: 20 }]);
    const route = ['--match', 'hdr.probe.k32=10.1.0.0/16'];
    expect(
      (await run('table', 'add', 'lpm_t', ...route, '--action', 'set_lpm', '--param', 'v=1')).status,
    ).toBe(0);
    const direct = await run(
      'meter',
      'set',
      'lpm_t',
      ...route,
      '--cir',
      '5',
      '--cburst',
      '1',
      '--pir',
      '10',
      '--pburst',
      '2',
    );
    expect(direct.stdout.trim()).toBe(
      'direct meter of MyIngress.lpm_t hdr.probe.k32=10.1.0.0/16: cir 5 cburst 1 pir 10 pburst 2',
    );
    expect(JSON.parse((await run('meter', 'read', 'lpm_meter', '--json')).stdout)).toEqual([
      { cell: 'hdr.probe.k32=10.1.0.0/16', cir: 5, cburst: 1, pir: 10, pburst: 2 },
    ]);
    const write = await run('register', 'write', 'last_k32', '42', '--index', '1');
    const reg = await run('register', 'read', 'last_k32', '--index', '1');
    if (bmv2) {
      for (const r of [write, reg]) {
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(
          'does not serve registers over P4Runtime (bmv2 simple_switch_grpc does not implement RegisterEntry)',
        );
      }
    } else {
      expect(write.status).toBe(0);
      expect(reg.stdout).toMatch(/^index\s+value\n1\s+42\n$/);
    }
  });

  it('manages multicast groups and clone sessions', async () => {
    expect((await run('mcast', 'add', '5', '1', '2', '3:1')).status).toBe(0);
    expect((await run('mcast', 'list')).stdout).toMatch(/5\s+1 2 3:1\n/);
    expect((await run('mcast', 'modify', '5', '4')).status).toBe(0);
    expect(JSON.parse((await run('mcast', 'list', '--json')).stdout)).toEqual([
      { group: 5, replicas: [{ port: 4, instance: 0 }] },
    ]);
    expect((await run('mcast', 'delete', '5')).status).toBe(0);
    expect((await run('mcast', 'list')).stdout.trim()).toBe('no multicast groups');
    expect((await run('clone', 'add', '7', '3:2')).status).toBe(0);
    expect((await run('clone', 'list')).stdout).toMatch(/7\s+3:2\s+0\s+no/);
    expect((await run('clone', 'delete', '7')).status).toBe(0);
    const gone = await run('clone', 'delete', '7');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^genevectl: device 1 at \S+ refused DELETE clone session 7: NOT_FOUND/);
  });

  it('manages action profile members and selector groups', async () => {
    expect(
      (await run('profile', 'add-member', 'profile', '1', '--action', 'set_profile', '--param', 'v=5'))
        .status,
    ).toBe(0);
    expect((await run('profile', 'members', 'profile')).stdout).toMatch(/1\s+MyIngress\.set_profile\s+v=5/);
    expect(
      (await run('table', 'add', 'profile_t', '--match', 'hdr.probe.k8=1', '--member', '1')).status,
    ).toBe(0);
    expect((await run('table', 'dump', 'profile_t')).stdout).toMatch(/hdr\.probe\.k8=1\s+member 1/);
    expect(
      (
        await run(
          'profile',
          'add-member',
          'port_selector',
          '1',
          '--action',
          'select_port',
          '--param',
          'port=2',
        )
      ).status,
    ).toBe(0);
    expect(
      (
        await run(
          'profile',
          'add-member',
          'port_selector',
          '2',
          '--action',
          'select_port',
          '--param',
          'port=3',
        )
      ).status,
    ).toBe(0);
    expect(
      (await run('profile', 'add-group', 'port_selector', '10', '--member', '1,2', '--max-size', '4')).status,
    ).toBe(0);
    expect(JSON.parse((await run('profile', 'groups', 'port_selector', '--json')).stdout)).toEqual([
      { group: 10, members: [1, 2], maxSize: 4 },
    ]);
    expect((await run('profile', 'delete-group', 'port_selector', '10')).status).toBe(0);
    expect((await run('profile', 'delete-member', 'port_selector', '2')).status).toBe(0);
  });

  it('sends packet-outs from hex and from a pcap file', async () => {
    const bytes = frame('02:00:00:00:00:aa');
    const hex = Buffer.from(bytes).toString('hex');
    const missing = await run('packet', 'send', hex);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'genevectl: packet_out metadata needs --meta egress_port=... --meta color=... --meta tag=...',
    );
    const sent = await run('packet', 'send', hex, '--meta', 'egress_port=3,color=0,tag=1');
    expect(sent.stdout.trim()).toMatch(/^sent 1 packet\(s\) to device 1 at /);
    const out = await unattributed(1);
    expect(out.map((f) => [f.port, Buffer.from(f.bytes).toString('hex')])).toEqual([[3, hex]]);
    const pcap = join(tmp, 'out.pcap');
    writePcapFile(pcap, [{ data: frame('02:00:00:00:00:b1') }, { data: frame('02:00:00:00:00:b2') }]);
    const fromPcap = await run('packet', 'send', '--pcap', pcap, '--meta', 'egress_port=4,color=0,tag=0');
    expect(fromPcap.stdout).toContain('sent 2 packet(s)');
    expect((await unattributed(2)).map((f) => f.port)).toEqual([4, 4]);
  });

  it('watches packet-ins, decoded and recorded to a pcap file', async () => {
    const add = await run(
      'table',
      'add',
      'exact_t',
      '--match',
      'hdr.ethernet.dstAddr=02:00:00:00:00:0c',
      '--action',
      'send_to_cpu',
      '--param',
      'reason=5',
    );
    expect(add.status).toBe(0);
    const pcap = join(tmp, 'in.pcap');
    const watch = startGenevectl([
      'packet',
      'watch',
      '--count',
      '1',
      '--pcap',
      pcap,
      '--grpc',
      target.address,
    ]);
    await watch.stderrContains('watching packet-ins');
    const sent = frame('02:00:00:00:00:0c', 0x1234); // not a probe: the program leaves it as it is
    dataplane.send(1, sent);
    const r = await watch.ended;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^packet-in ingress_port=1 reason=5 60 bytes: Ethernet II, Src: 02:00:00:00:00:02, Dst: 02:00:00:00:00:0c/,
    );
    const recorded = readPcap(readFileSync(pcap)).packets.map((p) => Buffer.from(p.data).toString('hex'));
    expect(recorded).toEqual([Buffer.from(sent).toString('hex')]);
  });

  it('watches digests', async () => {
    const watch = startGenevectl(['digest', 'watch', '--count', '1', '--json', '--grpc', target.address]);
    await watch.stderrContains('watching digests');
    const id = dataplane.send(6, frame('02:00:00:00:00:77', 0x88cc));
    await dataplane.collectExactly([id], 0, 0);
    const r = await watch.ended;
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      digest: 'mac_learn_t',
      data: { srcAddr: 2199023255554, ingress_port: 6 },
    });
  });
});
