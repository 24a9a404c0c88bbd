/**
 * Server TLS flags of `target serve` (`--tls-cert`, `--tls-key`, `--tls-client-ca`). Files are PEM;
 * a missing file is named. The client side is in connection.ts (`--tls`, `--ca`, `--cert`, `--key`).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ServerTls } from '../switch/index.js';
import { usageError } from './errors.js';

export interface ServerTlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
}

function pem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw usageError(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
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
  if (!o.tlsCert || !o.tlsKey) throw usageError('--tls-cert and --tls-key are both needed to serve over TLS');
  return {
    cert: pem('--tls-cert', o.tlsCert),
    key: pem('--tls-key', o.tlsKey),
    ...(o.tlsClientCa ? { clientCa: pem('--tls-client-ca', o.tlsClientCa) } : {}),
  };
}
