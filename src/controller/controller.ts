/**
 * The overlay controller: pushes the VTEP program to a P4Runtime target, writes a planned fabric
 * through the P4Runtime client and reads the program's counters back by name.
 */
import type { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { entitiesForProgram } from './device-profile.js';
import type { FabricIntent } from './intent.js';
import { type Plan, type PlannedEntity, planFabric } from './plan.js';
import { encodePlanned } from './planned-key.js';
import { planPuntMeters } from './punt-meters.js';
import { DROP_REASONS, type DropReason, dropCounterName } from './reasons.js';
import { pushProgram, vtepProgram } from './reconcile.js';

export interface TrafficCount {
  packets: bigint;
  bytes: bigint;
}

export interface TenantTraffic {
  vni: number;
  name: string;
  /** The counter cell: the tenant slot the device's tenant_by_vni gives the VNI. */
  slot: number;
  fromNetwork: TrafficCount;
  toNetwork: TrafficCount;
  /** ARP requests and Neighbor Solicitations the VTEP answered (absent on a program without them). */
  neighborAnswers?: TrafficCount;
}

export class VtepController {
  constructor(readonly client: P4RuntimeClient) {}

  /** Installs bmv2/geneve_vtep.json with its P4Info and cookie (SetForwardingPipelineConfig). */
  async pushProgram(): Promise<void> {
    await pushProgram(this.client, await vtepProgram());
  }

  /**
   * Plans `intent` and writes it into a freshly pushed program, punt meters included. Its entries
   * carry the owner tag, as every entry genevectl writes (device-state.ts, OWNER_METADATA): a later
   * reconcile of the device finds them its own, with nothing to write and no drift, and deletes
   * them when the intent drops them.
   */
  async apply(intent: FabricIntent): Promise<Plan> {
    const plan = planFabric(intent);
    // Fitted to the pushed program, as the reconciler fits it: the bmv2 build recognizes the
    // security option by its table and has no parser value set (docs/TOFINO.md).
    plan.entities = entitiesForProgram(this.client.p4info, plan.entities);
    // Rule 13, as the reconciler plans it: every punt path's meter configured (they exist already).
    plan.entities.push(...planPuntMeters(this.client.p4info, intent.puntLimits));
    const entities = plan.entities;
    const modified = (e: PlannedEntity) => e.kind === 'meter' || (e.kind === 'table' && e.isDefaultAction);
    const encode = (e: PlannedEntity) => encodePlanned(this.client, e);
    await this.client.insert(entities.filter((e) => !modified(e)).map(encode));
    const modifies = entities.filter(modified);
    if (modifies.length > 0) await this.client.modify(modifies.map(encode));
    return plan;
  }

  /** Packets and bytes dropped, per reason, for every reason that dropped anything. */
  async dropCounters(): Promise<Partial<Record<DropReason, TrafficCount>>> {
    const out: Partial<Record<DropReason, TrafficCount>> = {};
    const reasons = Object.keys(DROP_REASONS) as DropReason[];
    for (const counter of new Set(reasons.map(dropCounterName))) {
      for (const cell of await this.client.readAll(this.client.counterEntry(counter))) {
        if (cell.kind !== 'counterEntry' || cell.data.packets === 0n) continue;
        const reason = reasons.find((r) => DROP_REASONS[r] === cell.index && dropCounterName(r) === counter);
        if (reason) out[reason] = { packets: cell.data.packets, bytes: cell.data.bytes };
      }
    }
    return out;
  }

  /** Tunnelled traffic per tenant, in both directions. */
  async tenantTraffic(plan: Plan): Promise<TenantTraffic[]> {
    const read = async (counter: string, index: number): Promise<TrafficCount> => {
      for (const cell of await this.client.readAll(this.client.counterEntry(counter, { index }))) {
        if (cell.kind === 'counterEntry') return { packets: cell.data.packets, bytes: cell.data.bytes };
      }
      return { packets: 0n, bytes: 0n };
    };
    const out: TenantTraffic[] = [];
    for (const t of plan.tenants) {
      out.push({
        vni: t.vni,
        name: t.name,
        slot: t.slot,
        fromNetwork: await read('VtepIngress.tenant_from_network', t.slot),
        toNetwork: await read('VtepEgress.tenant_to_network', t.slot),
      });
    }
    return out;
  }

  /**
   * Tunnelled traffic per tenant, the counter cell of each VNI read from the device's own
   * tenant_by_vni table (never from the order of a file). `names` labels VNIs.
   */
  async tenantTrafficOnDevice(names: ReadonlyMap<number, string> = new Map()): Promise<TenantTraffic[]> {
    const slots: Array<{ vni: number; slot: number }> = [];
    for await (const e of this.client.readTable('tenant_by_vni'))
      slots.push({ vni: Number(e.match.vni), slot: Number(e.params?.tenant_slot) });
    slots.sort((a, b) => a.vni - b.vni);
    const cells = async (counter: string) => {
      const out = new Map<number, TrafficCount>();
      for (const cell of await this.client.readAll(this.client.counterEntry(counter)))
        if (cell.kind === 'counterEntry')
          out.set(cell.index, { packets: cell.data.packets, bytes: cell.data.bytes });
      return out;
    };
    const from = await cells('VtepIngress.tenant_from_network');
    const to = await cells('VtepEgress.tenant_to_network');
    const answersCounter = 'VtepIngress.tenant_neighbor_answers';
    const answers = this.client.p4info.counters.find(answersCounter)
      ? await cells(answersCounter)
      : undefined;
    const zero = { packets: 0n, bytes: 0n };
    return slots.map(({ vni, slot }) => ({
      vni,
      slot,
      name: names.get(vni) ?? `VNI ${vni}`,
      fromNetwork: from.get(slot) ?? zero,
      toNetwork: to.get(slot) ?? zero,
      ...(answers ? { neighborAnswers: answers.get(slot) ?? zero } : {}),
    }));
  }
}
