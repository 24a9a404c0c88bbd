// Frames the VTEP benchmarks send, one per path: encapsulation (access port -> Geneve over IPv4 on
// the uplink) and decapsulation (Geneve from a trusted member -> access port, allowed by policy),
// for the example fabric (examples/fabric.yaml) and for the large fabric (large-fabric.ts).
import { buildFrame, encapsulate, securityIdOption } from '../../src/packet/index.js';
import { remoteMac, remoteVtep, vportMac } from './large-fabric.js';

export interface BenchFrame {
  readonly port: number;
  readonly bytes: Uint8Array;
}

const inner = (dst: string, src: string) =>
  buildFrame([
    { kind: 'ethernet', dst, src },
    { kind: 'ipv4', src: '192.168.10.1', dst: '192.168.10.11' },
    { kind: 'tcp', srcPort: 40000, dstPort: 443 },
    { kind: 'payload', data: new Uint8Array(64).fill(7) },
  ]);

const geneve = (frame: Uint8Array, vni: number, remote: string) =>
  encapsulate(frame, {
    vni,
    outer: { srcMac: '02:bb:00:00:00:05', dstMac: '02:aa:00:00:00:05', srcIp: remote, dstIp: '10.0.0.1' },
    options: [securityIdOption({ optionClass: 0xfff0, type: 1, critical: false, id: 900 })],
  });

export const EXAMPLE_CASES: Record<'encap' | 'decap', BenchFrame> = {
  encap: { port: 1, bytes: inner('02:00:00:00:0a:11', '02:00:00:00:0a:01') },
  decap: { port: 5, bytes: geneve(inner('02:00:00:00:0a:01', '02:00:00:00:0a:11'), 5000, '10.0.0.2') },
};

/** Tenant the large-fabric frames belong to (any of the 1,000 would do). */
const TENANT = 777;

export const LARGE_CASES: Record<'encap' | 'decap', BenchFrame> = {
  encap: { port: 1, bytes: inner(remoteMac(TENANT, 17), vportMac(TENANT, 0)) },
  decap: {
    port: 5,
    bytes: geneve(inner(vportMac(TENANT, 0), remoteMac(TENANT, 17)), 5000 + TENANT, remoteVtep(TENANT)),
  },
};
