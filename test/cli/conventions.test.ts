// The conventions every genevectl command follows, checked by running it as an operator would:
// exit codes, one-line messages, no stack traces, no colour in pipes, connection settings from
// flags, environment and config file, reads that do not need the primary role.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { exactForward, FIXTURE, genevectl, type ServedTarget, serveEmbedded } from './helpers.js';

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^genevectl: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const tmp = mkdtempSync(join(tmpdir(), 'genevectl-conv-'));

describe('genevectl without a device', { timeout: 120_000 }, () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await genevectl(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 with one line for bad usage', async () => {
    const r = await genevectl(['table', 'list', '--bogus']);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain("unknown option '--bogus'");
    const bad = await genevectl(['table', 'list', '--grpc', 'not an address']);
    expect(bad.status).toBe(2);
    expect(oneLine(bad.stderr)).toContain("bad P4Runtime address 'not an address'");
    const timeout = await genevectl(['table', 'list', '--timeout', 'soon']);
    expect(timeout.status).toBe(2);
    expect(oneLine(timeout.stderr)).toContain("--timeout must be a number of seconds above 0, got 'soon'");
  });

  it('checks TLS settings before connecting', async () => {
    const half = await genevectl(['table', 'list', '--cert', join(tmp, 'c.pem')]);
    expect(half.status).toBe(2);
    expect(oneLine(half.stderr)).toBe('genevectl: mutual TLS needs both --cert and --key');
    const ca = await genevectl(['table', 'list', '--tls', '--ca', join(tmp, 'ca.pem')]);
    expect(ca.status).toBe(2);
    expect(oneLine(ca.stderr)).toBe(
      `genevectl: cannot read CA certificate ${join(tmp, 'ca.pem')}: no such file`,
    );
  });

  it('names a missing file, or a directory given as a file, in one line (exit 2)', async () => {
    const missing = await genevectl(['apply', join(tmp, 'nope.yaml'), '--dry-run']);
    expect(missing.status).toBe(2);
    expect(oneLine(missing.stderr)).toBe(
      `genevectl: cannot read fabric file ${join(tmp, 'nope.yaml')}: no such file or directory`,
    );
    const dir = await genevectl(['apply', tmp, '--dry-run']);
    expect(dir.status).toBe(2);
    expect(oneLine(dir.stderr)).toBe(`genevectl: cannot read fabric file ${tmp}: is a directory, not a file`);
    const load = await genevectl(['table', 'load', tmp]);
    expect(load.status).toBe(2);
    expect(oneLine(load.stderr)).toContain(`cannot read entry file ${tmp}: is a directory`);
    const info = await genevectl(['p4', 'info', '--p4info', join(tmp, 'x.txtpb')]);
    expect(info.status).toBe(2);
    expect(oneLine(info.stderr)).toContain(`cannot read P4Info file ${join(tmp, 'x.txtpb')}`);
  });

  it('prints a stack trace only with --debug', async () => {
    const r = await genevectl(['apply', join(tmp, 'nope.yaml'), '--dry-run', '--debug']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^genevectl: .*no such file or directory\n/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('exits 3 naming the address when nothing listens there', async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r));
    const r = await genevectl(['table', 'list', '--grpc', `127.0.0.1:${port}`, '--timeout', '1']);
    expect(r.status).toBe(3);
    expect(oneLine(r.stderr)).toContain(
      `cannot connect to a P4Runtime server at 127.0.0.1:${port} within 1 s`,
    );
  });

  it('gives up on a server that accepts the connection and never answers (exit 3)', async () => {
    const server = createServer(() => {});
    const port = await listen(server);
    try {
      for (const args of [
        ['table', 'list'],
        ['table', 'add', 't', '--action', 'a'],
      ]) {
        const r = await genevectl([...args, '--grpc', `127.0.0.1:${port}`, '--timeout', '1']);
        expect(r.status).toBe(3);
        expect(oneLine(r.stderr)).toContain(`at 127.0.0.1:${port} within 1 s`);
      }
    } finally {
      server.close();
    }
  });

  it('says the port is in use when the target cannot listen (exit 3)', async () => {
    const server = createServer();
    const port = await listen(server);
    try {
      const r = await genevectl(['target', 'serve', '--grpc', `127.0.0.1:${port}`]);
      expect(r.status).toBe(3);
      expect(oneLine(r.stderr)).toBe(
        `genevectl: cannot listen on 127.0.0.1:${port}: address already in use (another server is listening there)`,
      );
    } finally {
      server.close();
    }
  });

  it('refuses a non-loopback listening address in one line (exit 2)', async () => {
    const r = await genevectl(['target', 'serve', '--grpc', '192.0.2.1:9559']);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain("'192.0.2.1:9559' is not a loopback address");
  });

  it('describes a P4Info file offline, without colour when piped', async () => {
    const r = await genevectl(['p4', 'info', '--p4info', FIXTURE.p4info]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/MyIngress\.mixed_t\s+32\s+hdr\.probe\.k16:ternary\/16/);
    expect(r.stdout).toMatch(/register\s+MyIngress\.last_k32\s+size 8/);
    expect(r.stdout).not.toContain('\u001b[');
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    const forced = await genevectl(['p4', 'info', '--p4info', FIXTURE.p4info], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[1mtable');
    expect(forced.stdout).not.toContain('\u001b[31m'); // never red for ordinary headers
    const json = await genevectl(['p4', 'info', '--p4info', FIXTURE.p4info, '--json']);
    const info = JSON.parse(json.stdout) as { tables: { name: string }[]; registers: { name: string }[] };
    expect(info.tables.map((t) => t.name)).toContain('MyIngress.selector_t');
    expect(info.registers).toEqual([{ name: 'MyIngress.last_k32', size: 8 }]);
  });
});

describe('genevectl against a device', { timeout: 120_000 }, () => {
  let target: ServedTarget;
  beforeAll(async () => {
    target = await serveEmbedded();
  });
  afterAll(async () => {
    await target.stop();
  });

  it('says when the device has no program, or the device id is wrong (exit 1)', async () => {
    const r = await genevectl(['table', 'list', '--grpc', target.address]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toContain(`device 1 at ${target.address} has no P4 program`);
    const push = await genevectl([
      'pipeline',
      'push',
      FIXTURE.json,
      FIXTURE.p4info,
      '--grpc',
      target.address,
    ]);
    expect(push.status).toBe(0);
    const wrong = await genevectl(['table', 'list', '--grpc', target.address, '--device-id', '7']);
    expect(wrong.status).toBe(1);
    expect(oneLine(wrong.stderr)).toContain(`device 7 at ${target.address} has no P4 program`);
    expect(wrong.stderr).toContain('--device-id');
  });

  it('says when the device runs another program than the one a command needs (exit 1)', async () => {
    const r = await genevectl(['counters', '--grpc', target.address]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      `genevectl: device 1 at ${target.address} runs another program than the Geneve VTEP: unknown counter 'VtepIngress.ingress_drops'`,
    );
  });

  it('takes the address from GENEVECTL_GRPC or a config file', async () => {
    const viaEnv = await genevectl(['pipeline', 'show', '--json'], {
      env: { GENEVECTL_GRPC: target.address },
    });
    expect(viaEnv.status).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ device: `device 1 at ${target.address}`, tables: 7 });
    const config = join(tmp, 'config.yaml');
    writeFileSync(config, `grpc: ${target.address}\ndeviceId: 1\ntimeout: 5\n`);
    const viaConfig = await genevectl(['table', 'count', 'mixed_t', '--config', config]);
    expect(viaConfig.status).toBe(0);
    expect(viaConfig.stdout.trim()).toBe('0 (of 32)');
    const xdg = join(tmp, 'xdg');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(xdg, 'genevectl'), { recursive: true });
    writeFileSync(join(xdg, 'genevectl', 'config.yaml'), `grpc: ${target.address}\n`);
    const viaDefault = await genevectl(['table', 'count', 'mixed_t'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(viaDefault.stdout.trim()).toBe('0 (of 32)');
    writeFileSync(config, 'grpc: [oops\n');
    const broken = await genevectl(['table', 'list', '--config', config]);
    expect(broken.status).toBe(2);
    expect(oneLine(broken.stderr)).toContain(`config file ${config}`);
  });

  it('reads while another controller is primary; writes say who is and how to take over', async () => {
    const controller = await P4RuntimeClient.connect({
      address: target.address,
      deviceId: 1,
      electionId: 10n,
      waitForPrimary: true,
    });
    try {
      const read = await genevectl(['table', 'dump', 'exact_t', '--grpc', target.address]);
      expect(read.status).toBe(0);
      expect(read.stdout.trim()).toBe('table MyIngress.exact_t is empty');
      expect(controller.isPrimary).toBe(true);
      const add = ['table', 'add', ...exactForward(3), '--grpc', target.address];
      const refused = await genevectl(add);
      expect(refused.status).toBe(1);
      expect(oneLine(refused.stderr)).toContain(
        'is controlled by another client (primary election id 10, ours 1); writes need the primary role: to take over, run with --election-id 11',
      );
      const clash = await genevectl([...add, '--election-id', '10']);
      expect(clash.status).toBe(1);
      expect(oneLine(clash.stderr)).toContain('election id 10 is already used by another client');
      const takeover = await genevectl([...add, '--election-id', '11']);
      expect(takeover.status).toBe(0);
      expect(takeover.stderr).toContain('primary of device 1');
      expect(takeover.stdout).toContain('added MyIngress.exact_t hdr.ethernet.dstAddr=02:00:00:00:00:01');
    } finally {
      controller.close();
    }
  });

  it('names what timed out', async () => {
    // A read that cannot finish in 1 ms: the deadline is the operation's, named in the message.
    const r = await genevectl(['table', 'dump', '--grpc', target.address, '--timeout', '0.001']);
    expect(r.status).toBe(3);
    expect(oneLine(r.stderr)).toMatch(
      /timed out after 0\.001 s waiting for .* from device 1 at|within 0\.001 s/,
    );
  });
});
