// genevectl over TLS and mutual TLS: certificates made by openssl for this run, a P4Runtime
// server (grpc-js, answering GetForwardingPipelineConfig with a fixture P4Info) that checks them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadP4Info } from 'p4runtime-ts-grpc';
import { P4RuntimeService, type p4 } from 'p4runtime-ts-grpc/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { makeCertificates, type TestCertificates } from '../helpers/certs.js';
import { FIXTURE, genevectl } from './helpers.js';

let certs: TestCertificates;
const file = (name: string) => certs.path(name);

async function startServer(
  requireClientCertificate: boolean,
): Promise<{ address: string; server: grpc.Server }> {
  const p4info = await loadP4Info(join(PACKAGE_ROOT, FIXTURE.p4info));
  const server = new grpc.Server();
  server.addService(P4RuntimeService, {
    getForwardingPipelineConfig: (
      _call: grpc.ServerUnaryCall<
        p4.v1.GetForwardingPipelineConfigRequest,
        p4.v1.IGetForwardingPipelineConfigResponse
      >,
      callback: grpc.sendUnaryData<p4.v1.IGetForwardingPipelineConfigResponse>,
    ) => callback(null, { config: { p4info, cookie: { cookie: 42 } } }),
  });
  const credentials = grpc.ServerCredentials.createSsl(
    readFileSync(file('ca.crt')),
    [{ private_key: readFileSync(file('server.key')), cert_chain: readFileSync(file('server.crt')) }],
    requireClientCertificate,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, p) => (error ? reject(error) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, server };
}

describe('genevectl over TLS', { timeout: 120_000 }, () => {
  const servers: grpc.Server[] = [];
  beforeAll(() => {
    certs = makeCertificates({ serverDnsNames: ['switch1'] });
  });
  afterAll(() => {
    for (const s of servers) s.forceShutdown();
  });

  it('checks the server against --ca, and presents --cert/--key for mutual TLS', async () => {
    const tls = await startServer(false);
    const mtls = await startServer(true);
    servers.push(tls.server, mtls.server);
    const show = (address: string, ...flags: string[]) =>
      genevectl(['pipeline', 'show', '--json', '--grpc', address, '--timeout', '3', ...flags]);

    const ok = await show(tls.address, '--ca', file('ca.crt'));
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).toMatchObject({ arch: 'v1model', cookie: 42, tables: 7 });
    // Plaintext against a TLS server, or TLS without the CA, cannot connect (exit 3).
    expect((await show(tls.address)).status).toBe(3);
    expect((await show(tls.address, '--tls')).status).toBe(3);

    const config = file('config.yaml');
    writeFileSync(
      config,
      `grpc: ${mtls.address}\ntls: { ca: ca.crt, cert: client.crt, key: client.key, serverName: switch1 }\n`,
    );
    const mutual = await genevectl(['pipeline', 'show', '--json', '--config', config]);
    expect(mutual.stderr).toBe('');
    expect(JSON.parse(mutual.stdout)).toMatchObject({ cookie: 42 });
    const flags = await show(
      mtls.address,
      '--ca',
      file('ca.crt'),
      '--cert',
      file('client.crt'),
      '--key',
      file('client.key'),
    );
    expect(flags.status).toBe(0);
    const noClientCert = await show(mtls.address, '--ca', file('ca.crt'));
    expect(noClientCert.status).toBe(3);
    expect(noClientCert.stderr).toMatch(
      /^genevectl: cannot connect to a P4Runtime server at 127\.0\.0\.1:\d+ within 3 s/,
    );
  });
});
