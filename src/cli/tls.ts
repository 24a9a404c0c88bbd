/**
 * TLS flags of `genevectl`: the client side (`--tls-ca`, `--tls-cert`, `--tls-key`,
 * `--tls-server-name`) for commands that talk P4Runtime, and the server side (`--tls-cert`,
 * `--tls-key`, `--tls-client-ca`) for `target serve`. Files are PEM; a missing file is named.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ChannelSecurity } from '../p4runtime/index.js';
import type { ServerTls } from '../target/index.js';

export interface ClientTlsFlags {
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
}

export interface ServerTlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
}

function pem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Adds the client TLS flags to a command that connects to a P4Runtime server. */
export function withClientTls(cmd: Command): Command {
  return cmd
    .option('--tls-ca <file>', 'connect over TLS, trusting this CA (PEM) for the server certificate')
    .option('--tls-cert <file>', 'client certificate (PEM) for mutual TLS (with --tls-key and --tls-ca)')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--tls-server-name <name>', 'name to check the server certificate against (default: the host)');
}

/** Channel security from the client TLS flags (plaintext when none is given). */
export function clientSecurity(o: ClientTlsFlags): ChannelSecurity {
  if (!o.tlsCa && !o.tlsCert && !o.tlsKey) return { type: 'insecure' };
  if (!o.tlsCa) throw new Error('--tls-cert and --tls-key need --tls-ca (the CA of the server certificate)');
  if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new Error('--tls-cert and --tls-key go together');
  const serverName = o.tlsServerName ? { serverNameOverride: o.tlsServerName } : {};
  const rootCerts = pem('--tls-ca', o.tlsCa);
  if (o.tlsCert && o.tlsKey)
    return {
      type: 'mtls',
      rootCerts,
      certChain: pem('--tls-cert', o.tlsCert),
      privateKey: pem('--tls-key', o.tlsKey),
      ...serverName,
    };
  return { type: 'tls', rootCerts, ...serverName };
}

/** Adds the server TLS flags to `target serve`. */
export function withServerTls(cmd: Command): Command {
  return cmd
    .option('--tls-cert <file>', 'serve over TLS with this certificate chain (PEM; with --tls-key)')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--tls-client-ca <file>', 'mutual TLS: refuse clients without a certificate from this CA (PEM)');
}

/** Server TLS from the flags, undefined for plaintext. */
export function serverTls(o: ServerTlsFlags): ServerTls | undefined {
  if (!o.tlsCert && !o.tlsKey && !o.tlsClientCa) return undefined;
  if (!o.tlsCert || !o.tlsKey) throw new Error('--tls-cert and --tls-key are both needed to serve over TLS');
  return {
    cert: pem('--tls-cert', o.tlsCert),
    key: pem('--tls-key', o.tlsKey),
    ...(o.tlsClientCa ? { clientCa: pem('--tls-client-ca', o.tlsClientCa) } : {}),
  };
}
