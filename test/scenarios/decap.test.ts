// docs/DATAPLANE.md rules 6-10: tunnelled packets from the underlay.
import { describe, expect, it } from 'vitest';
import { encapsulate, type GeneveOption } from '../../src/packet/index.js';
import {
  A1,
  A2,
  B2,
  installFabric,
  R1,
  R2,
  REMOTE_A1,
  REMOTE_A2,
  TENANT_A,
  TENANT_B,
  useVtep,
} from './harness/fabric.js';
import { fromRemoteVtep, securityOption, tagged, tenantFrame } from './harness/frames.js';
import { PORTS } from './harness/vtep.js';

const session = useVtep();

/** A Geneve packet from a remote VTEP (default R1) in tenant A (default), carrying `inner`. */
function fromRemote(
  inner: Uint8Array,
  o: { vni?: number; from?: string; to?: string; options?: GeneveOption[] } = {},
): Uint8Array {
  return fromRemoteVtep(inner, { ...o, vni: o.vni ?? TENANT_A.vni });
}

function unknownOption(optionClass: number, type: number, words: number, critical = false): GeneveOption {
  return { optionClass, type, critical, data: new Uint8Array(words * 4).fill(type) };
}

describe('decapsulation', () => {
  it('delivers the inner frame byte for byte (IPv4 and IPv6 underlay) and counts it per tenant', async () => {
    const s = session();
    await s.reset('decap: inner frame unchanged');
    await installFabric(s);
    const inner = tenantFrame({
      dst: A1.mac,
      src: REMOTE_A1.mac,
      ip: { src: '192.168.1.11', dst: '192.168.1.1' },
      l4: { protocol: 'tcp', srcPort: 443, dstPort: 40000 },
      payloadLength: 333,
    });
    expect(await s.send(PORTS.uplink1, fromRemote(inner), 'from R1 (IPv4)')).toEqual([
      { port: A1.port, bytes: inner },
    ]);
    const inner6 = tenantFrame({
      dst: A2.mac,
      src: REMOTE_A2.mac,
      ip: { src: '2001:db8::12', dst: '2001:db8::2' },
    });
    expect(await s.send(PORTS.uplink2, fromRemote(inner6, { from: R2.address }), 'from R2 (IPv6)')).toEqual([
      { port: A2.port, bytes: inner6 },
    ]);
    const rx = await s.counter('VtepIngress.tenant_from_network', TENANT_A.slot);
    expect(rx.packets).toBe(2n);
  });

  it("adds the destination vport's access VLAN tag", async () => {
    const s = session();
    await s.reset('decap: tagged destination');
    await installFabric(s);
    await s.member({ vni: TENANT_B.vni, remoteVtep: R1.address, trusted: true });
    const inner = tenantFrame({
      dst: B2.mac,
      src: '02:00:00:00:0b:11',
      ip: { src: '172.16.0.11', dst: '172.16.0.4' },
    });
    expect(await s.send(PORTS.uplink1, fromRemote(inner, { vni: TENANT_B.vni }), 'to tagged B2')).toEqual([
      { port: B2.port, bytes: tagged(inner, B2.vlan) },
    ]);
  });

  it('skips unknown non-critical options in any position, up to the 32-byte bound', async () => {
    const s = session();
    await s.reset('decap: unknown non-critical options skipped');
    await installFabric(s, { allowAll: false });
    // Only the security ID 900 carried by R1 may reach A1: proves the option is found wherever it is.
    await s.policy({ vni: TENANT_A.vni, src: 900, dst: A1.securityId, allow: true, priority: 10 });
    const inner = tenantFrame({
      dst: A1.mac,
      src: REMOTE_A1.mac,
      ip: { src: '192.168.1.11', dst: '192.168.1.1' },
    });
    const layouts: Array<[string, GeneveOption[]]> = [
      [
        'security option last',
        [unknownOption(0x0102, 0x10, 3), unknownOption(0xffff, 0x7f, 0), securityOption(900)],
      ],
      ['security option first', [securityOption(900), unknownOption(0x0102, 0x10, 5)]],
      [
        'between others',
        [unknownOption(0x0001, 0x01, 1), securityOption(900), unknownOption(0x0002, 0x02, 2)],
      ],
      // 32 bytes, the parser's bound: 4-word option (16 bytes), 2-word option (8), security option (8).
      [
        '32 bytes of options',
        [unknownOption(0x0100, 0x01, 3), unknownOption(0x0101, 0x02, 1), securityOption(900)],
      ],
      ['repeated security option: the first counts', [securityOption(900), securityOption(901)]],
    ];
    for (const [label, options] of layouts) {
      expect(await s.send(PORTS.uplink1, fromRemote(inner, { options }), label), label).toEqual([
        { port: A1.port, bytes: inner },
      ]);
    }
    // The same frame with a security ID that policy does not allow is dropped.
    expect(
      await s.send(PORTS.uplink1, fromRemote(inner, { options: [securityOption(901)] }), 'other id'),
    ).toEqual([]);
  });

  it("uses the VNI's unknown ID for untrusted VTEPs and for packets without the option", async () => {
    const s = session();
    await s.reset('decap: untrusted VTEP and missing option');
    await installFabric(s, { allowAll: false });
    await s.policy({ vni: TENANT_A.vni, src: 900, dst: A1.securityId, allow: true, priority: 10 });
    const inner = tenantFrame({
      dst: A1.mac,
      src: REMOTE_A2.mac,
      ip: { src: '192.168.1.12', dst: '192.168.1.1' },
    });
    // R2 is untrusted: its claimed ID 900 is ignored, the unknown ID is not allowed.
    expect(
      await s.send(PORTS.uplink2, fromRemote(inner, { from: R2.address }), 'untrusted claims 900'),
    ).toEqual([]);
    expect(await s.dropCount('POLICY_DENY')).toBe(1n);
    await s.policy({
      vni: TENANT_A.vni,
      src: TENANT_A.unknownId,
      dst: A1.securityId,
      allow: true,
      priority: 20,
    });
    expect(
      await s.send(PORTS.uplink2, fromRemote(inner, { from: R2.address }), 'untrusted, unknown id allowed'),
    ).toEqual([{ port: A1.port, bytes: inner }]);
    // From the trusted R1 but without any option: also the unknown ID.
    const noOption = await s.send(PORTS.uplink1, fromRemote(inner, { options: [] }), 'no option');
    expect(noOption).toEqual([{ port: A1.port, bytes: inner }]);
  });

  it('carries a tenant frame that itself contains Geneve unchanged in both directions', async () => {
    const s = session();
    await s.reset('decap: nested Geneve tenant traffic');
    await installFabric(s);
    // A tenant running its own overlay: a Geneve packet with options inside the tenant frame.
    const nestedInner = tenantFrame({
      dst: '02:00:00:00:99:01',
      src: '02:00:00:00:99:02',
      payloadLength: 40,
    });
    const nested = encapsulate(nestedInner, {
      vni: 77,
      outer: { srcMac: A1.mac, dstMac: REMOTE_A1.mac, srcIp: '192.168.1.1', dstIp: '192.168.1.11' },
      options: [unknownOption(0x0105, 0x33, 2, true), unknownOption(0x0106, 0x01, 1)],
    });
    const out = await s.send(A1.port, nested, 'nested geneve to remote');
    expect(out).toHaveLength(1);
    expect(
      Buffer.from(out[0].bytes.subarray(out[0].bytes.length - nested.length)).equals(Buffer.from(nested)),
    ).toBe(true);
    const back = fromRemote(nested);
    // Swap MACs so the nested frame is addressed to A1.
    const toA1 = new Uint8Array(back);
    const innerStart = back.length - nested.length;
    toA1.set(Buffer.from(A1.mac.replaceAll(':', ''), 'hex'), innerStart);
    toA1.set(Buffer.from(REMOTE_A1.mac.replaceAll(':', ''), 'hex'), innerStart + 6);
    const delivered = await s.send(PORTS.uplink1, toA1, 'nested geneve from remote');
    expect(delivered).toEqual([{ port: A1.port, bytes: toA1.subarray(innerStart) }]);
  });
});
