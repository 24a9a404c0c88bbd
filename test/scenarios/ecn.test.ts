// ECN as RFC 6040 normal mode says (docs/DATAPLANE.md rule 12): the tenant frame's ECN field copied
// to the outer header on encapsulation, DSCP 0; the combination table of section 4.2 on decapsulation.
import { describe, expect, it } from 'vitest';
import { buildFrame, internetChecksum, type Layer } from '../../src/packet/index.js';
import {
  A1,
  installFabric,
  R1,
  R2,
  REFERENCE_INTENT,
  REMOTE_A1,
  REMOTE_A2,
  TENANT_A,
  useVtep,
} from './harness/fabric.js';
import { expectedEncap, fromRemoteVtep } from './harness/frames.js';
import { VtepModel } from './harness/model.js';
import { PORTS } from './harness/vtep.js';

const session = useVtep();
const model = new VtepModel(REFERENCE_INTENT);

const NOT_ECT = 0;
const ECT1 = 1;
const ECT0 = 2;
const CE = 3;
const NAMES = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];

/** RFC 6040 figure 4, written out: RFC6040[inner][outer], by codepoint value; undefined = drop. */
const RFC6040: Array<Array<number | undefined>> = [];
RFC6040[NOT_ECT] = [NOT_ECT, NOT_ECT, NOT_ECT, undefined];
RFC6040[ECT1] = [ECT1, ECT1, ECT1, CE];
RFC6040[ECT0] = [ECT0, ECT1, ECT0, CE];
RFC6040[CE] = [CE, CE, CE, CE];

type Family = 'ipv4' | 'ipv6' | 'non-IP';

/** A tenant frame with the given ECN field and DSCP 46 (EF), to `dst`. */
function frameWithEcn(family: Family, ecn: number, dst: string, src: string): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst, src }];
  if (family === 'ipv4')
    layers.push({ kind: 'ipv4', src: '192.168.1.11', dst: '192.168.1.1', dscp: 46, ecn, protocol: 253 });
  else if (family === 'ipv6')
    layers.push({
      kind: 'ipv6',
      src: 'fd10::11',
      dst: 'fd10::1',
      trafficClass: (46 << 2) | ecn,
      nextHeader: 253,
    });
  else layers[0] = { ...layers[0], etherType: 0x88b5 } as Layer;
  layers.push({ kind: 'payload', data: new Uint8Array(40).fill(0x5a) });
  return buildFrame(layers);
}

function ecnOf(frame: Uint8Array, l3: number): number {
  return frame[12] === 0x08 && frame[13] === 0x00 ? frame[l3 + 1] & 3 : (frame[l3 + 1] >> 4) & 3;
}

describe('ECN, RFC 6040 normal mode (rule 12)', () => {
  it('encapsulation copies the ECN field to the outer header and sets DSCP 0', async () => {
    const s = session();
    await s.reset('ecn: encapsulation');
    await installFabric(s);
    for (const family of ['ipv4', 'ipv6', 'non-IP'] as const) {
      for (const ecn of [NOT_ECT, ECT1, ECT0, CE]) {
        for (const remote of [REMOTE_A1, REMOTE_A2]) {
          const inner = frameWithEcn(family, ecn, remote.mac, A1.mac);
          const remoteVtep = remote === REMOTE_A1 ? R1.address : R2.address;
          const label = `${family} ${NAMES[ecn]} over ${remoteVtep}`;
          const out = await s.send(A1.port, inner, label);
          expect(out, label).toEqual([
            {
              port: remote === REMOTE_A1 ? PORTS.uplink1 : PORTS.uplink2,
              bytes: expectedEncap(inner, { vni: TENANT_A.vni, remoteVtep, securityId: A1.securityId }),
            },
          ]);
          expect(out, label).toEqual(model.process(A1.port, inner));
          const outer = out[0].bytes;
          const tos = remote === REMOTE_A1 ? outer[15] : ((outer[14] & 0x0f) << 4) | (outer[15] >> 4);
          expect(tos & 3, `${label}: outer ECN`).toBe(family === 'non-IP' ? NOT_ECT : ecn);
          expect(tos >> 2, `${label}: outer DSCP`).toBe(0);
        }
      }
    }
  });

  it('decapsulation applies the combination table; CE on Not-ECT is dropped and counted', async () => {
    const s = session();
    await s.reset('ecn: decapsulation');
    await installFabric(s);
    const inputs: Array<{
      port: number;
      bytes: Uint8Array;
      label: string;
      want: number | undefined;
      inner: Uint8Array;
      family: Family;
    }> = [];
    for (const family of ['ipv4', 'ipv6', 'non-IP'] as const) {
      for (const innerEcn of family === 'non-IP' ? [NOT_ECT] : [NOT_ECT, ECT1, ECT0, CE]) {
        for (const outerEcn of [NOT_ECT, ECT1, ECT0, CE]) {
          for (const from of [R1.address, R2.address]) {
            const inner = frameWithEcn(family, innerEcn, A1.mac, REMOTE_A1.mac);
            const tunnel = fromRemoteVtep(inner, { vni: TENANT_A.vni, from, outerEcn });
            inputs.push({
              port: from === R1.address ? PORTS.uplink1 : PORTS.uplink2,
              bytes: tunnel,
              label: `inner ${family} ${NAMES[innerEcn]}, outer ${NAMES[outerEcn]} from ${from}`,
              want: RFC6040[innerEcn][outerEcn],
              inner,
              family,
            });
          }
        }
      }
    }
    const before = await s.dropCount('ECN_CE_ON_NOT_ECT');
    const outputs = await s.sendMany(inputs);
    let drops = 0n;
    inputs.forEach((input, i) => {
      const out = outputs[i];
      expect(out, input.label).toEqual(model.process(input.port, input.bytes));
      if (input.want === undefined) {
        drops += 1n;
        expect(out, input.label).toEqual([]);
        return;
      }
      expect(out, input.label).toHaveLength(1);
      const got = out[0].bytes;
      expect(got.length, input.label).toBe(input.inner.length);
      if (input.family === 'non-IP') {
        expect(Buffer.from(got).equals(Buffer.from(input.inner)), input.label).toBe(true);
        return;
      }
      expect(ecnOf(got, 14), input.label).toBe(input.want);
      if (input.family === 'ipv4') expect(internetChecksum(got, 14, 34), `${input.label}: checksum`).toBe(0);
      // Every other byte unchanged: the ECN bits (and the IPv4 checksum) are the only difference.
      const changed = new Set(input.family === 'ipv4' ? [15, 24, 25] : [15]);
      for (let b = 0; b < got.length; b++) {
        if (!changed.has(b)) expect(got[b], `${input.label}: byte ${b}`).toBe(input.inner[b]);
      }
    });
    expect(await s.dropCount('ECN_CE_ON_NOT_ECT')).toBe(before + drops);
    expect(drops).toBe(6n);
  });

  it('keeps a wrong inner IPv4 checksum wrong by the same amount when it sets CE', async () => {
    const s = session();
    await s.reset('ecn: wrong inner checksum');
    await installFabric(s);
    const good = frameWithEcn('ipv4', ECT0, A1.mac, REMOTE_A1.mac);
    const bad = good.slice();
    bad[24] ^= 0x12;
    const [out] = await s.send(
      PORTS.uplink1,
      fromRemoteVtep(bad, { vni: TENANT_A.vni, outerEcn: CE }),
      'wrong checksum',
    );
    const [ref] = await s.send(
      PORTS.uplink1,
      fromRemoteVtep(good, { vni: TENANT_A.vni, outerEcn: CE }),
      'right checksum',
    );
    expect(ecnOf(out.bytes, 14)).toBe(CE);
    expect(out.bytes[24] ^ ref.bytes[24]).toBe(0x12);
    expect(out.bytes[25]).toBe(ref.bytes[25]);
  });
});
