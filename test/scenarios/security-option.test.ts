// docs/DATAPLANE.md rule 17: the security-ID option is chosen at run time, for encapsulation and
// decapsulation, over P4Runtime (no recompile, no parser value set), and is readable back.
import { describe, expect, it } from 'vitest';
import type { GeneveOption } from '../../src/packet/index.js';
import { A1, A2, installFabric, R1, REMOTE_A1, TENANT_A, useVtep } from './harness/fabric.js';
import { expectedFlowHash, fromRemoteVtep, tenantFrame } from './harness/frames.js';
import { encapsulatedFrame, parseLikeVtep } from './harness/model.js';
import { PORTS, UNDERLAY } from './harness/vtep.js';

const session = useVtep();

/** The mission's design notes: class 0x0102 type 1 carries the security policy ID. */
const CHOSEN = { optionClass: 0x0102, type: 0x01 };
const SENDER_ID = 4242;

function option(o: { optionClass: number; type: number }, id: number, critical: boolean): GeneveOption {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, id);
  return { ...o, critical, data };
}

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('the security-ID option chosen at run time', () => {
  it('sends and recognizes the class and type the control plane set, and reads them back', async () => {
    const s = session();
    await s.reset('security option: chosen at run time');
    // Only the sender ID may reach A1: the delivery proves which option the VTEP took the ID from.
    await installFabric(s, { allowAll: false });
    await s.policy({ vni: TENANT_A.vni, src: SENDER_ID, dst: A1.securityId, allow: true, priority: 10 });
    await s.policy({ vni: TENANT_A.vni, src: A2.securityId, allow: true, priority: 10 });
    await s.client.modify([
      s.client.tableEntry('security_option_format', {
        isDefaultAction: true,
        action: 'insert_security_option',
        params: { option_class: CHOSEN.optionClass, option_type: CHOSEN.type, critical: 1 },
      }),
    ]);
    await s.securityOptionRecognition(CHOSEN);

    // Readable over P4Runtime: what the VTEP sends and what it recognizes.
    const [format] = await collect(s.client.readTable('security_option_format', { isDefaultAction: true }));
    expect(format.params).toEqual({
      option_class: CHOSEN.optionClass,
      option_type: CHOSEN.type,
      critical: 1,
    });
    const [recognition] = await collect(
      s.client.readTable('security_option_recognition', { isDefaultAction: true }),
    );
    expect(recognition.action).toBe('VtepIngress.tunnel_termination.recognize_security_option');
    expect(recognition.params).toEqual({ option_class: CHOSEN.optionClass, option_type: CHOSEN.type });

    // Encapsulation: the chosen class and type, critical, carrying the sender's ID.
    const out = tenantFrame({
      dst: REMOTE_A1.mac,
      src: A2.mac,
      ip: { src: '192.168.1.2', dst: '192.168.1.11' },
    });
    expect(await s.send(A2.port, out, 'A2 -> remote, chosen option')).toEqual([
      {
        port: PORTS.uplink1,
        bytes: encapsulatedFrame(out, expectedFlowHash(out), {
          vni: TENANT_A.vni,
          local: UNDERLAY.localVtep4,
          remote: R1.address,
          option: option(CHOSEN, A2.securityId, true),
        }),
      },
    ]);

    // Decapsulation: the chosen option carries the ID (critical or not), after another option.
    const inner = tenantFrame({
      dst: A1.mac,
      src: REMOTE_A1.mac,
      ip: { src: '192.168.1.11', dst: '192.168.1.1' },
    });
    const other = { optionClass: 0x0103, type: 0x02, critical: false, data: new Uint8Array(8) };
    const chosenCritical = fromRemoteVtep(inner, {
      vni: TENANT_A.vni,
      options: [other, option(CHOSEN, SENDER_ID, true)],
    });
    const chosenPlain = fromRemoteVtep(inner, {
      vni: TENANT_A.vni,
      options: [option(CHOSEN, SENDER_ID, false)],
    });
    // The reference model finds the same ID in both.
    expect(parseLikeVtep(chosenCritical, CHOSEN).geneve?.securityId).toBe(SENDER_ID);
    expect(await s.send(PORTS.uplink1, chosenCritical, 'chosen option, critical, second')).toEqual([
      { port: A1.port, bytes: inner },
    ]);
    expect(await s.send(PORTS.uplink1, chosenPlain, 'chosen option, not critical')).toEqual([
      { port: A1.port, bytes: inner },
    ]);

    // The compiled-in default is just another option now: critical, it is unknown and dropped
    // (RFC 8926 3.5); not critical, it is skipped and the sender is the VNI's unknown ID.
    const oldCritical = fromRemoteVtep(inner, {
      vni: TENANT_A.vni,
      options: [option({ optionClass: 0xfff0, type: 0x01 }, SENDER_ID, true)],
    });
    const oldPlain = fromRemoteVtep(inner, {
      vni: TENANT_A.vni,
      options: [option({ optionClass: 0xfff0, type: 0x01 }, SENDER_ID, false)],
    });
    expect(parseLikeVtep(oldCritical, CHOSEN).geneve?.verdict).toBe('unknown-critical');
    expect(await s.send(PORTS.uplink1, oldCritical, '0xFFF0 critical: unknown now')).toEqual([]);
    expect(await s.dropCount('GENEVE_CRITICAL_OPTION')).toBe(1n);
    expect(await s.send(PORTS.uplink1, oldPlain, '0xFFF0 not critical: skipped')).toEqual([]);
    expect(await s.dropCount('POLICY_DENY')).toBe(1n);

    // Back to the default, without recompiling: the old option is recognized again.
    await s.securityOptionRecognition({ optionClass: 0xfff0, type: 0x01 });
    expect(await s.send(PORTS.uplink1, oldCritical, '0xFFF0 recognized again')).toEqual([
      { port: A1.port, bytes: inner },
    ]);
  });
});
