// Robustness: malformed and random frames on every port. The target must neither crash nor hang,
// and every frame must be dropped or forwarded exactly as the reference model of the contract says.
import { describe, expect, it } from 'vitest';
import {
  A1,
  A2,
  installFabric,
  R1,
  REFERENCE_INTENT,
  REMOTE_A1,
  TENANT_A,
  useVtep,
} from './harness/fabric.js';
import { fromRemoteVtep, securityOption, tenantFrame } from './harness/frames.js';
import { type FabricIntent, type ModelOutput, VtepModel } from './harness/model.js';
import { PORTS } from './harness/vtep.js';

const session = useVtep();
const SEED = Number(process.env.ROBUSTNESS_SEED ?? 20261123);

/** The reference fabric (harness/fabric.ts) as the model sees it. */
const FABRIC: FabricIntent = REFERENCE_INTENT;

function corpus(): Array<{ port: number; bytes: Uint8Array; label: string }> {
  let state = SEED >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out: Array<{ port: number; bytes: Uint8Array; label: string }> = [];
  const ports = [...FABRIC.accessPorts, ...FABRIC.uplinks, PORTS.unconfigured];
  // Random bytes of every small length, and some long ones, on every port.
  for (const port of ports) {
    for (let len = 0; len <= 80; len += 1) {
      out.push({
        port,
        bytes: Uint8Array.from({ length: len }, () => Math.floor(rand() * 256)),
        label: `random ${len}B`,
      });
    }
    for (const len of [200, 1500, 9000]) {
      out.push({
        port,
        bytes: Uint8Array.from({ length: len }, () => Math.floor(rand() * 256)),
        label: `random ${len}B`,
      });
    }
  }
  // Every truncation of a valid tunnel packet with several options, and of a valid access frame.
  const inner = tenantFrame({
    dst: A1.mac,
    src: REMOTE_A1.mac,
    ip: { src: '192.168.1.11', dst: '192.168.1.1' },
    l4: { protocol: 'tcp', srcPort: 1, dstPort: 2 },
  });
  const tunnel = fromRemoteVtep(inner, {
    vni: TENANT_A.vni,
    from: R1.address,
    options: [
      { optionClass: 0x0102, type: 9, critical: false, data: new Uint8Array(8) },
      securityOption(900),
    ],
  });
  for (let len = 0; len < tunnel.length; len++)
    out.push({ port: PORTS.uplink1, bytes: tunnel.slice(0, len), label: `tunnel cut at ${len}` });
  const access = tenantFrame({
    dst: A2.mac,
    src: A1.mac,
    ip: { src: '192.168.1.1', dst: '192.168.1.2' },
    l4: { protocol: 'udp', srcPort: 1, dstPort: 6081 },
  });
  for (let len = 0; len < access.length; len++)
    out.push({ port: A1.port, bytes: access.slice(0, len), label: `access cut at ${len}` });
  // Single bit flips anywhere in the tunnel headers (outer, Geneve, options, inner headers).
  for (let bit = 0; bit < (tunnel.length - 20) * 8; bit += 3) {
    const flipped = tunnel.slice();
    flipped[bit >> 3] ^= 0x80 >> (bit & 7);
    out.push({ port: PORTS.uplink1, bytes: flipped, label: `tunnel bit ${bit} flipped` });
  }
  return out;
}

const key = (o: ModelOutput) => `${o.port}:${Buffer.from(o.bytes).toString('hex')}`;

describe('robustness', () => {
  it('handles random, truncated and corrupted frames on every port exactly as the contract says', async () => {
    const s = session();
    await s.reset('robustness: malformed corpus');
    await installFabric(s);
    const model = new VtepModel(FABRIC);
    const inputs = corpus();
    const mismatches: string[] = [];
    let delivered = 0;
    for (let i = 0; i < inputs.length; i += 400) {
      const batch = inputs.slice(i, i + 400);
      const outputs = await s.sendMany(
        batch
          .filter((f) => f.bytes.length > 0)
          .map((f) => ({ ...f, copies: model.fate(f.port, f.bytes).copies })),
      );
      let j = 0;
      for (const input of batch) {
        if (input.bytes.length === 0) continue; // an empty frame is not a frame: the dataplane service ignores it
        const actual = outputs[j++].map(key).sort();
        const expected = model.process(input.port, input.bytes).map(key).sort();
        delivered += actual.length;
        if (actual.join() !== expected.join() && mismatches.length < 5) {
          mismatches.push(
            `${input.label} on port ${input.port}: expected ${expected.length} frame(s), got ${actual.length}: ${actual.join(' ').slice(0, 120)}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Truncations past the inner Ethernet header and harmless bit flips are delivered, the rest dropped.
    expect(delivered).toBeGreaterThan(50);
    expect(delivered).toBeLessThan(inputs.length / 2);
    // Still alive and still correct afterwards.
    const probe = tenantFrame({ dst: A2.mac, src: A1.mac });
    expect(await s.send(A1.port, probe, 'probe after the corpus')).toEqual([{ port: A2.port, bytes: probe }]);
  }, 300_000);
});
