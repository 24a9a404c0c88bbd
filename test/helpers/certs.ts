/**
 * Throw-away X.509 material for TLS tests, made with Debian's openssl in a temporary directory:
 * a CA with a server certificate (for 127.0.0.1 and localhost, or the DNS names asked for) and a
 * client certificate, and a second, unrelated CA with a client certificate of its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  readonly caCert: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
  /** A CA that signed nothing of the above. */
  readonly otherCaCert: Buffer;
  /** A client certificate signed by the other CA. */
  readonly otherClientCert: Buffer;
  readonly otherClientKey: Buffer;
  /** Path of a file in `dir`, e.g. `path('ca.crt')`. */
  path(name: string): string;
}

export interface CertificateOptions {
  /** DNS names in the server certificate's subjectAltName, beside IP:127.0.0.1. */
  readonly serverDnsNames?: readonly string[];
}

export function makeCertificates(options: CertificateOptions = {}): TestCertificates {
  const serverDnsNames = options.serverDnsNames ?? ['localhost'];
  const dir = mkdtempSync(join(tmpdir(), 'geneve-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    );
  const leaf = (name: string, issuer: string, ext: string) => {
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.crt`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  };
  ca('ca');
  ca('other-ca');
  leaf(
    'server',
    'ca',
    `subjectAltName=${['IP:127.0.0.1', ...serverDnsNames.map((name) => `DNS:${name}`)].join(',')}`,
  );
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth');
  leaf('other-client', 'other-ca', 'extendedKeyUsage=clientAuth');
  const file = (name: string) => readFileSync(join(dir, name));
  return {
    dir,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCaCert: file('other-ca.crt'),
    otherClientCert: file('other-client.crt'),
    otherClientKey: file('other-client.key'),
    path: (name: string) => join(dir, name),
  };
}
