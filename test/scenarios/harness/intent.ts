/**
 * Writes a {@link FabricIntent} into the VTEP's tables, the way an operator's intent becomes
 * table entries: ports, VTEP addresses, tenants, vports, tunnels, routes, memberships, remote
 * MACs, flood groups with their replicas, policy rules and the security option format.
 */
import type { FabricIntent } from './model.js';
import { UNDERLAY, type VtepSession } from './vtep.js';

/** Replica ids: one per (group, local vport) and one per (group, remote VTEP). */
export const replicaIdForVport = (vport: number) => 1000 + vport;
export const replicaIdForTunnel = (group: number, tunnelId: number) => 20000 + group * 64 + tunnelId;

export async function applyIntent(s: VtepSession, intent: FabricIntent): Promise<void> {
  for (const port of intent.accessPorts) await s.accessPort(port);
  for (const port of intent.uplinks) await s.uplink(port, undefined, intent.uplinkMacs?.[port]);
  for (const address of intent.localVteps) await s.localVtep(address);
  for (const r of intent.remoteVteps) {
    const local = intent.localVteps.find((a) => a.includes(':') === r.address.includes(':'))!;
    await s.tunnel({ id: r.tunnelId, local, remote: r.address });
    const prefixLen = r.address.includes(':') ? 128 : 32;
    if (r.nextHops) await s.ecmpRoute({ prefix: r.address, prefixLen, nextHops: r.nextHops });
    else
      await s.route({
        prefix: r.address,
        prefixLen,
        port: r.port,
        ...(r.srcMac ? { srcMac: r.srcMac } : {}),
        ...(r.nextHopMac ? { nextHopMac: r.nextHopMac } : {}),
      });
  }
  for (const t of intent.tenants) {
    await s.tenant({ vni: t.vni, tenantSlot: t.slot, unknownSecurityId: t.unknownId });
    for (const m of t.members) await s.member({ vni: t.vni, remoteVtep: m.address, trusted: m.trusted });
    for (const m of t.remoteMacs) {
      const r = intent.remoteVteps.find((x) => x.address === m.address)!;
      await s.remoteMac({ vni: t.vni, mac: m.mac, tunnelId: r.tunnelId });
    }
    // A build without data-plane neighbor suppression has no such tables (rule 15a): the
    // controller holds the bindings.
    if (intent.neighborSuppression !== 'controller') {
      for (const n of t.neighbors ?? []) await s.neighbor({ vni: t.vni, ...n });
      if (t.unknownNeighbor === 'drop') await s.dropUnknownNeighbors(t.vni);
    }
  }
  for (const v of intent.vports) {
    const slot = intent.tenants.find((t) => t.vni === v.vni)?.slot ?? 0;
    await s.vport({ ...v, tenantSlot: slot });
    await s.localMac(v);
  }
  for (const t of intent.tenants) {
    if (t.floodGroup === undefined) continue;
    await s.floodGroup({
      vni: t.vni,
      groupId: t.floodGroup,
      replicas: [
        ...intent.vports
          .filter((v) => v.vni === t.vni)
          .map((v) => ({
            rid: replicaIdForVport(v.vport),
            port: v.port,
            vport: v.vport,
            vlan: v.vlan,
            securityId: v.securityId,
          })),
        ...t.members.map((m) => {
          const r = intent.remoteVteps.find((x) => x.address === m.address)!;
          const local = intent.localVteps.find((a) => a.includes(':') === r.address.includes(':'))!;
          return {
            rid: replicaIdForTunnel(t.floodGroup!, r.tunnelId),
            port: r.port,
            local,
            remote: r.address,
            srcMac: UNDERLAY.uplinkMac,
            nextHopMac: UNDERLAY.nextHopMac,
          };
        }),
      ],
    });
  }
  for (const p of intent.policies) await s.policy(p);
  await s.securityOptionFormat({ optionClass: 0xfff0, type: 0x01, critical: intent.option.critical });
  if (intent.option.recognized) await s.securityOptionRecognition(intent.option.recognized);
}
