// genevectl over mutual TLS, as an operator runs it: `target serve` with a certificate and a client
// CA in one process, `push` with and without a client certificate in others.
import type { ChildProcess } from 'node:child_process';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCertificates } from '../helpers/certs.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { genevectlSync as genevectl, serveOn } from './helpers.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

describe('genevectl with TLS', () => {
  it('refuses to serve on a non-loopback address without --allow-non-loopback and TLS', () => {
    const r = genevectl('target', 'serve', '--grpc', '0.0.0.0:9559');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("P4Runtime address '0.0.0.0:9559' is not a loopback address");
  });

  it('serves over mutual TLS; push with a client certificate works, without one it is refused', async () => {
    const certs = makeCertificates();
    const port = await freeLoopbackPort();
    const address = `127.0.0.1:${port}`;
    // By name: Node warns when TLS is asked to check a certificate against an IP address (RFC 6066).
    const named = `localhost:${port}`;
    const server = await serveOn(
      address,
      [
        '--tls-cert',
        certs.path('server.crt'),
        '--tls-key',
        certs.path('server.key'),
        '--tls-client-ca',
        certs.path('ca.crt'),
      ],
      children,
    );
    const ca = ['--ca', certs.path('ca.crt')];
    const pushed = genevectl(
      'push',
      '--grpc',
      named,
      ...ca,
      '--cert',
      certs.path('client.crt'),
      '--key',
      certs.path('client.key'),
    );
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toContain(`pushed the Geneve VTEP program to ${named}`);
    const anonymous = genevectl('push', '--grpc', named, ...ca);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/^genevectl: cannot connect to a P4Runtime server at /);
    const other = genevectl(
      'push',
      '--grpc',
      named,
      ...ca,
      '--cert',
      certs.path('other-client.crt'),
      '--key',
      certs.path('other-client.key'),
    );
    expect(other.status).not.toBe(0);

    // A controller holding its stream open does not keep SIGTERM from stopping the target.
    const client = await P4RuntimeClient.connect({
      address: named,
      deviceId: 1,
      electionId: 5n,
      security: {
        type: 'mtls',
        rootCerts: certs.caCert,
        certChain: certs.clientCert,
        privateKey: certs.clientKey,
      },
      reconnect: false,
    });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    client.close();
  }, 90_000);
});
