// genevectl as an operator runs it: separate processes, a standalone embedded target on loopback.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { genevectlSync as genevectl, serveOn } from './helpers.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

describe('genevectl', () => {
  it('plans the example fabric without a target (--dry-run)', () => {
    const r = genevectl('apply', 'examples/fabric.yaml', '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('vport_classification');
    expect(r.stdout).toContain('plan for 2 tenant(s) is valid; nothing written (--dry-run)');
  });

  it('refuses a broken fabric file, naming file, line and path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'bad.yaml');
    writeFileSync(
      file,
      'accessPorts: [1]\nuplinks: []\nlocalVteps: ["10.0.0.1"]\nroutes: []\ntenants:\n  - vni: 99999999\n    unknownSecurityId: 1\n    vports: []\n',
    );
    const r = genevectl('apply', file, '--dry-run');
    expect(r.status).toBe(2); // bad input
    expect(r.stderr).toContain(
      `${file}:6: fabric.tenants[0].vni: expected a whole number 1..16777215, got 99999999`,
    );
  });

  it('rejects bad option values by name', () => {
    const r = genevectl('target', 'serve', '--cpu-port', 'abc');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("--cpu-port must be a whole number 1..511, got 'abc'");
  });

  it('serves the embedded target, applies a fabric to it and reads its counters', async () => {
    const port = await freeLoopbackPort();
    await serveOn(`127.0.0.1:${port}`, [], children);
    const applied = genevectl('apply', 'examples/fabric.yaml', '--grpc', `127.0.0.1:${port}`);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('applied examples/fabric.yaml: 46 entities for 2 tenant(s)');
    const counters = genevectl('counters', '--grpc', `127.0.0.1:${port}`, '--fabric', 'examples/fabric.yaml');
    expect(counters.status).toBe(0);
    expect(counters.stdout).toContain('no drops');
    expect(counters.stdout).toMatch(/blue.*5000.*0 \/ 0/);
    // A build given by its files, as for Tofino (docs/TOFINO.md): here bmv2's own.
    const pushed = genevectl(
      'pipeline',
      'push',
      'bmv2/geneve_vtep.json',
      'bmv2/geneve_vtep.p4info.txtpb',
      '--grpc',
      `127.0.0.1:${port}`,
    );
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toContain('pushed bmv2/geneve_vtep.json and bmv2/geneve_vtep.p4info.txtpb');
    const half = genevectl('pipeline', 'push', 'bmv2/geneve_vtep.json', '--grpc', `127.0.0.1:${port}`);
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('give both the device config (bmv2 JSON) and the P4Info file');
  }, 60_000);

  it('demo (npm start) runs two VTEPs of one fabric and shows every outcome it promises', () => {
    const r = genevectl('demo');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('vtep-a: program pushed');
    expect(r.stdout).toContain(
      'vtep-a uplink 5 -> underlay: Geneve 10.0.0.1 -> 10.0.0.2, VNI 5000 (tenant blue), security ID',
    );
    expect(r.stdout).toContain(
      'Generic Network Virtualization Encapsulation, Version: 0, VNI: 0x001388 (5000)',
    );
    expect(r.stdout).toContain('underlay -> vtep-b uplink 5, decapsulated, out of port 1:');
    expect(r.stdout).toContain('dropped at vtep-b: POLICY_DENY');
    expect(r.stdout).toContain('dropped at vtep-a: UNKNOWN_DESTINATION');
    expect(r.stdout).toContain('told path MTU 1442');
    expect(r.stdout).toContain('blue-web receives on port 1 (packet-out from the controller):');
    expect(r.stdout).toContain(
      'Internet Control Message Protocol, Type: Destination unreachable (3), Code: 4',
    );
    expect(r.stdout).toContain(
      'blue-web broadcasts ARP: who has 192.168.10.2? (blue-db, behind vtep-b; tenant blue)',
    );
    expect(r.stdout).toContain('vtep-a port 1 (back to blue-web), built by the VTEP:');
    expect(r.stdout).toContain(
      'Address Resolution Protocol (reply), Sender: 02:00:00:00:0a:02 (192.168.10.2)',
    );
    expect(r.stdout).toContain('vtep-a answered 1 neighbor request(s); 0 copies flooded');
    expect(r.stdout).toMatch(/pcaps in \S+: underlay\.pcap, vtep-a-port1\.pcap/);
  }, 60_000);
});
