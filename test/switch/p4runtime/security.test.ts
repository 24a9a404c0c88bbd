// Who may reach the embedded target: loopback unless explicitly allowed (and then only over TLS),
// TLS and mutual TLS on the P4Runtime and dataplane services, with certificates made for the test.
import * as grpc from '@grpc/grpc-js';
import { type ChannelSecurity, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { DataplaneClient } from '../../../src/packet-io/client.js';
import { type EmbeddedTarget, isLoopbackHost, startEmbeddedTarget } from '../../../src/switch/index.js';
import { makeCertificates } from '../../helpers/certs.js';
import { DEVICE_ID, fixtureDeviceConfig, fixtureP4Info } from './helpers.js';

const certs = makeCertificates();
const serverTls = { cert: certs.serverCert, key: certs.serverKey };
const mutualTls = { ...serverTls, clientCa: certs.caCert };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(options: Parameters<typeof startEmbeddedTarget>[0]): Promise<EmbeddedTarget> {
  const t = await startEmbeddedTarget({ deviceId: DEVICE_ID, ...options });
  cleanups.push(() => t.stop());
  return t;
}

async function client(
  t: EmbeddedTarget,
  security: ChannelSecurity,
  electionId = 1n,
): Promise<P4RuntimeClient> {
  const c = await P4RuntimeClient.connect({
    address: t.grpcAddress,
    deviceId: DEVICE_ID,
    electionId,
    security,
    connectTimeoutMs: 1500,
    reconnect: false,
  });
  cleanups.push(() => c.close());
  return c;
}

/** The connect error of a client that should be refused. */
async function refused(t: EmbeddedTarget, security: ChannelSecurity): Promise<string> {
  return client(t, security, 2n).then(
    () => 'connected',
    (e: unknown) => String(e),
  );
}

const tls: ChannelSecurity = { type: 'tls', rootCerts: certs.caCert };
const mtls: ChannelSecurity = {
  type: 'mtls',
  rootCerts: certs.caCert,
  certChain: certs.clientCert,
  privateKey: certs.clientKey,
};

describe('listen addresses', () => {
  it('knows loopback in its short and mapped forms', () => {
    for (const host of ['127.0.0.1', '127.1', '127.0.1', '2130706433', '127.255.255.254', 'localhost', '::1'])
      expect(isLoopbackHost(host), host).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    for (const host of [
      '0.0.0.0',
      '10.0.0.1',
      '128.1',
      '::',
      '::ffff:10.0.0.1',
      'example.com',
      '127.0.0.256',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('listens on 127.1 without further ado', async () => {
    const t = await start({ grpcAddress: '127.1:0' });
    const c = await client(t, { type: 'insecure' });
    expect(c.isPrimary).toBe(true);
  });

  it('listens elsewhere only when allowed, and then only over TLS', async () => {
    await expect(startEmbeddedTarget({ grpcAddress: '0.0.0.0:0' })).rejects.toThrow(
      "P4Runtime address '0.0.0.0:0' is not a loopback address; listening on '0.0.0.0' needs allowNonLoopback (--allow-non-loopback) and TLS",
    );
    await expect(startEmbeddedTarget({ grpcAddress: '0.0.0.0:0', allowNonLoopback: true })).rejects.toThrow(
      /needs TLS \(--tls-cert and --tls-key\)$/,
    );
    await expect(
      startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', dataplaneAddress: '0.0.0.0:0' }),
    ).rejects.toThrow(/^dataplane address '0\.0\.0\.0:0' is not a loopback address/);
    const t = await start({ grpcAddress: '0.0.0.0:0', allowNonLoopback: true, tls: serverTls });
    expect(t.grpcPort).toBeGreaterThan(0);
  });
});

describe('TLS', () => {
  it('serves P4Runtime over TLS and refuses plaintext clients', async () => {
    const t = await start({ grpcAddress: '127.0.0.1:0', tls: serverTls });
    const c = await client(t, tls);
    await c.setPipeline({
      p4info: fixtureP4Info('server_all'),
      deviceConfig: fixtureDeviceConfig('server_all'),
    });
    expect((await c.capabilities()).apiVersion).toMatch(/^1\./);
    expect(await refused(t, { type: 'insecure' })).toMatch(
      /StreamChannel failed: (UNAVAILABLE|DEADLINE_EXCEEDED)/,
    );
    // A client that trusts another CA does not accept the server.
    expect(await refused(t, { type: 'tls', rootCerts: certs.otherCaCert })).toMatch(/StreamChannel failed/);
  });
});

describe('mutual TLS', () => {
  it('accepts a client certificate of the configured CA, refuses none or one of another CA', async () => {
    const t = await start({ grpcAddress: '127.0.0.1:0', tls: mutualTls });
    const c = await client(t, mtls);
    expect(c.isPrimary).toBe(true);
    expect(await refused(t, tls)).toMatch(/StreamChannel failed: (UNAVAILABLE|DEADLINE_EXCEEDED)/);
    expect(
      await refused(t, {
        type: 'mtls',
        rootCerts: certs.caCert,
        certChain: certs.otherClientCert,
        privateKey: certs.otherClientKey,
      }),
    ).toMatch(/StreamChannel failed: (UNAVAILABLE|DEADLINE_EXCEEDED)/);
  });

  it('protects the dataplane service the same way', async () => {
    const t = await start({ grpcAddress: '127.0.0.1:0', dataplaneAddress: '127.0.0.1:0', tls: mutualTls });
    const address = t.dataplaneAddress ?? '';
    const good = await DataplaneClient.connect({
      address,
      deviceId: DEVICE_ID,
      credentials: grpc.credentials.createSsl(certs.caCert, certs.clientKey, certs.clientCert),
    });
    cleanups.push(() => good.close());
    await good.setPortStatus(3, 'down');
    expect(t.dataplane.isPortUp(3)).toBe(false);
    for (const credentials of [
      grpc.credentials.createSsl(certs.caCert),
      grpc.credentials.createSsl(certs.caCert, certs.otherClientKey, certs.otherClientCert),
    ]) {
      const outcome = await DataplaneClient.connect({ address, deviceId: DEVICE_ID, credentials }, 1500).then(
        async (bad) => {
          try {
            await bad.setPortStatus(4, 'down');
            return 'served';
          } catch (error) {
            return String(error);
          } finally {
            bad.close();
          }
        },
        (error: unknown) => String(error),
      );
      expect(outcome).not.toBe('served');
    }
    expect(t.dataplane.isPortUp(4)).toBe(true);
  });
});
