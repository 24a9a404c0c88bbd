/**
 * A session with the VTEP program on a running target: the P4Runtime client (primary), the
 * dataplane packet stream, helpers that write the program's tables by name, and a recorder of
 * every frame sent and received for the validation report.
 */
import { readFileSync } from 'node:fs';
import {
  type DecodedEntity,
  loadP4Info,
  type MatchValue,
  P4RuntimeClient,
  type P4Value,
  type PacketIn,
} from 'p4runtime-ts-grpc';
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import { DROP_REASONS, type DropReason, dropCounterName } from '../../../src/controller/reasons.js';
import { DataplaneClient, type EmittedFrame } from '../../../src/packet-io/client.js';
import type { PolicyRuleIntent } from './model.js';
import { recordExchange } from './report.js';
import type { RunningTarget } from './target.js';

/** Port plan used by every scenario. */
export const PORTS = {
  access1: 1,
  access2: 2,
  access3: 3,
  access4: 4,
  uplink1: 5,
  uplink2: 6,
  unconfigured: 9,
} as const;

export const UNDERLAY = {
  localVtep4: '10.0.0.1',
  localVtep6: 'fd00::1',
  uplinkMac: '02:aa:00:00:00:01',
  nextHopMac: '02:bb:00:00:00:01',
} as const;

/** The security-ID option as the data plane recognizes it (p4/include/constants.p4). */
export const SECURITY_OPTION = { optionClass: 0xfff0, type: 0x01 } as const;

/** The clone session the program uses for MTU punts. */
export const PUNT_CLONE_SESSION = 1;

export interface CounterValue {
  packets: bigint;
  bytes: bigint;
}

type Match = Record<string, MatchValue>;
type Params = Record<string, P4Value>;

export class VtepSession {
  readonly packetIns: PacketIn[] = [];
  private scenario = 'unnamed';

  private dataplaneClient: DataplaneClient | undefined;

  private constructor(
    readonly target: RunningTarget,
    readonly client: P4RuntimeClient,
  ) {
    client.on('packetIn', (p) => {
      this.packetIns.push(p);
      this.packetInsSeen++;
    });
  }

  /** The packet stream, opened once a program runs (bmv2 refuses it before: "not ready"). */
  get dataplane(): DataplaneClient {
    if (!this.dataplaneClient) throw new Error('reset() must push the program before packets are sent');
    return this.dataplaneClient;
  }

  static async open(target: RunningTarget): Promise<VtepSession> {
    const client = await P4RuntimeClient.connect({
      address: target.p4runtimeAddress,
      deviceId: target.deviceId,
      electionId: 1n,
      waitForPrimary: true,
    });
    return new VtepSession(target, client);
  }

  /**
   * Pushes the compiled program afresh: every table, group and counter starts empty. `program`:
   * the P4Info (JSON) and bmv2 JSON files of another build of p4/ (default the committed bmv2/).
   */
  async reset(scenario: string, program?: { p4infoJson: string; bmv2Json: string }): Promise<void> {
    this.scenario = scenario;
    this.nextMemberId = 1;
    this.nextGroupId = 1;
    this.packetIns.length = 0;
    this.packetInsAccounted = this.packetInsSeen;
    if (this.dataplaneClient) await this.deleteReplicationState();
    const p4info = await loadP4Info(program?.p4infoJson ?? programArtifactPath('p4infoJson'));
    const deviceConfig = readFileSync(program?.bmv2Json ?? programArtifactPath('bmv2Json'));
    const push = () => this.client.setPipeline({ p4info, deviceConfig });
    await push();
    if (!this.dataplaneClient) {
      // The first stream is proven served by a frame on a port without a role: one counted drop
      // (PORT_UNCONFIGURED). A second push then zeroes the counters again for the scenario.
      this.dropsAccounted = await this.dropTotal();
      this.dataplaneClient = await DataplaneClient.connectServed(
        { address: this.target.dataplaneAddress, deviceId: this.target.deviceId },
        async (dp) => {
          const id = dp.send(PORTS.unconfigured, new Uint8Array(64));
          await this.account(1, (settled) =>
            dp.collect([id], (o) => settled(o.get(id)?.length ?? 0), {
              missing: () => this.missing(1, 1),
            }),
          );
        },
      );
      await push();
    }
    // A new pipeline starts with zeroed counters; read rather than assume it.
    this.dropsAccounted = await this.dropTotal();
  }

  /**
   * Deletes every multicast group and clone session. bmv2 keeps its replication engine's groups
   * across SetForwardingPipelineConfig (while its P4Runtime server forgets them), so a group
   * written again after a new push would replicate twice; deleting them first avoids that.
   */
  private async deleteReplicationState(): Promise<void> {
    const existing = await this.client.readAll([
      this.client.multicastGroup({ groupId: 0 }),
      this.client.cloneSession({ sessionId: 0 }),
    ]);
    const deletions: p4.v1.IEntity[] = [];
    for (const e of existing) {
      if (e.kind === 'multicastGroupEntry')
        deletions.push(this.client.multicastGroup({ groupId: e.groupId }));
      if (e.kind === 'cloneSessionEntry')
        deletions.push(this.client.cloneSession({ sessionId: e.sessionId }));
    }
    if (deletions.length > 0) await this.client.delete(deletions);
  }

  close(): void {
    this.dataplaneClient?.close();
    this.client.close();
  }

  // ------------------------------------------------------------------ table writes by name

  entry(table: string, match: Match, action: string, params: Params = {}, priority?: number): p4.v1.IEntity {
    return this.client.tableEntry(table, {
      match,
      action,
      params,
      ...(priority !== undefined ? { priority } : {}),
    });
  }

  async insert(entities: p4.v1.IEntity[]): Promise<void> {
    await this.client.insert(entities);
  }

  async accessPort(port: number): Promise<void> {
    await this.insert([this.entry('port_role', { port }, 'set_access_port')]);
  }

  /** An uplink with its own MAC (rule 6; default the reference fabric's) and optional IP MTU. */
  async uplink(port: number, mtu?: number, mac: string = UNDERLAY.uplinkMac): Promise<void> {
    const entities = [this.entry('port_role', { port }, 'set_uplink_port', { uplink_mac: mac })];
    if (mtu !== undefined) entities.push(this.entry('uplink_mtu', { port }, 'set_uplink_mtu', { mtu }));
    await this.insert(entities);
  }

  async vport(v: {
    port: number;
    mac: string;
    vlan?: number;
    vport: number;
    vni: number;
    securityId: number;
    tenantSlot?: number;
  }): Promise<void> {
    await this.insert([
      this.entry(
        'vport_classification',
        { port: v.port, src_mac: v.mac, vlan_id: v.vlan ?? 0 },
        'set_vport',
        { vport: v.vport, vni: v.vni, security_id: v.securityId, tenant_slot: v.tenantSlot ?? 1 },
      ),
    ]);
  }

  /** (VNI, MAC) -> a local vport. */
  async localMac(m: {
    vni: number;
    mac: string;
    port: number;
    vport: number;
    vlan?: number;
    securityId: number;
  }) {
    await this.insert([
      this.entry('overlay_mac', { vni: m.vni, dst_mac: m.mac }, 'to_local_vport', {
        port: m.port,
        vport: m.vport,
        vlan_id: m.vlan ?? 0,
        security_id: m.securityId,
      }),
    ]);
  }

  async remoteMac(m: { vni: number; mac: string; tunnelId: number }): Promise<void> {
    await this.insert([
      this.entry('overlay_mac', { vni: m.vni, dst_mac: m.mac }, 'to_remote_vtep', { tunnel_id: m.tunnelId }),
    ]);
  }

  async tunnel(t: { id: number; local: string; remote: string }): Promise<void> {
    const v6 = t.remote.includes(':');
    await this.insert([
      this.entry('tunnel', { tunnel_id: t.id }, v6 ? 'set_tunnel_ipv6' : 'set_tunnel_ipv4', {
        local_vtep: t.local,
        remote_vtep: t.remote,
      }),
    ]);
  }

  /** An underlay route with one next hop (a group of one member of the route table's selector). */
  async route(r: { prefix: string; prefixLen: number; port: number; srcMac?: string; nextHopMac?: string }) {
    await this.ecmpRoute({
      prefix: r.prefix,
      prefixLen: r.prefixLen,
      nextHops: [{ port: r.port, srcMac: r.srcMac, nextHopMac: r.nextHopMac }],
    });
  }

  private nextMemberId = 1;
  private nextGroupId = 1;

  /**
   * An underlay route with equal-cost next hops: one action profile member per next hop
   * (route_via), one group holding them, the route entry pointing at the group. Returns the ids.
   */
  async ecmpRoute(r: {
    prefix: string;
    prefixLen: number;
    nextHops: Array<{ port: number; srcMac?: string; nextHopMac?: string }>;
  }): Promise<{ groupId: number; memberIds: number[] }> {
    const v6 = r.prefix.includes(':');
    const profile = v6 ? 'underlay_ecmp_ipv6' : 'underlay_ecmp_ipv4';
    const memberIds = r.nextHops.map(() => this.nextMemberId++);
    const groupId = this.nextGroupId++;
    await this.insert(
      r.nextHops.map((h, i) =>
        this.client.actionProfileMember(profile, {
          memberId: memberIds[i],
          action: 'route_via',
          params: {
            port: h.port,
            src_mac: h.srcMac ?? UNDERLAY.uplinkMac,
            next_hop_mac: h.nextHopMac ?? UNDERLAY.nextHopMac,
          },
        }),
      ),
    );
    await this.insert([
      this.client.actionProfileGroup(profile, { groupId, members: memberIds, maxSize: 16 }),
    ]);
    await this.insert([
      this.client.tableEntry(v6 ? 'underlay_route_ipv6' : 'underlay_route_ipv4', {
        match: { remote_vtep: { value: r.prefix, prefixLen: r.prefixLen } },
        group: groupId,
      }),
    ]);
    return { groupId, memberIds };
  }

  async localVtep(address: string): Promise<void> {
    const v6 = address.includes(':');
    await this.insert([
      this.entry(v6 ? 'local_vtep_ipv6' : 'local_vtep_ipv4', { vtep_address: address }, 'local_vtep'),
    ]);
  }

  async tenant(t: { vni: number; tenantSlot?: number; unknownSecurityId: number }): Promise<void> {
    await this.insert([
      this.entry('tenant_by_vni', { vni: t.vni }, 'set_tenant', {
        tenant_slot: t.tenantSlot ?? 1,
        unknown_security_id: t.unknownSecurityId,
      }),
    ]);
  }

  async member(m: { vni: number; remoteVtep: string; trusted: boolean }): Promise<void> {
    const v6 = m.remoteVtep.includes(':');
    await this.insert([
      this.entry(
        v6 ? 'vtep_membership_ipv6' : 'vtep_membership_ipv4',
        { vni: m.vni, remote_vtep: m.remoteVtep },
        'vtep_member',
        { trusted: m.trusted ? 1 : 0 },
      ),
    ]);
  }

  /** A policy rule; omitted keys are wildcards. */
  async policy(p: PolicyRuleIntent): Promise<void> {
    const exact32 = (v: number | undefined) => (v === undefined ? null : { value: v, mask: 0xffffffff });
    await this.insert([
      this.entry(
        'policy_rules',
        {
          vni: p.vni,
          src_security_id: exact32(p.src),
          dst_security_id: exact32(p.dst),
          ip_protocol: p.protocol === undefined ? null : { value: p.protocol, mask: 0xff },
          l4_dst_port: { low: p.ports?.[0] ?? 0, high: p.ports?.[1] ?? 0xffff },
        },
        p.allow ? 'allow' : 'deny',
        {},
        p.priority,
      ),
    ]);
  }

  async securityOptionFormat(
    f: { optionClass: number; type: number; critical: boolean } | 'omit',
  ): Promise<void> {
    const spec =
      f === 'omit'
        ? { isDefaultAction: true, action: 'omit_security_option' }
        : {
            isDefaultAction: true,
            action: 'insert_security_option',
            params: { option_class: f.optionClass, option_type: f.type, critical: f.critical ? 1 : 0 },
          };
    await this.client.modify([this.client.tableEntry('security_option_format', spec)]);
  }

  /** (VNI, IP) -> MAC: ARP requests / Neighbor Solicitations for the IP are answered (rule 15). */
  async neighbor(n: { vni: number; ip: string; mac: string }): Promise<void> {
    const v6 = n.ip.includes(':');
    await this.insert([
      this.entry(
        v6 ? 'nd_answer' : 'arp_answer',
        v6 ? { vni: n.vni, target_ipv6: n.ip } : { vni: n.vni, target_ipv4: n.ip },
        v6 ? 'answer_neighbor_solicitation' : 'answer_arp',
        { mac: n.mac },
      ),
    ]);
  }

  /** The tenant drops ARP / Neighbor Solicitations for unknown targets (default: flooded). */
  async dropUnknownNeighbors(vni: number): Promise<void> {
    await this.insert([this.entry('unknown_neighbor', { vni }, 'drop_unknown_neighbor')]);
  }

  /** Which received option carries the security ID (rule 17): the recognition table's default action. */
  async securityOptionRecognition(r: { optionClass: number; type: number }): Promise<void> {
    await this.client.modify([
      this.client.tableEntry('security_option_recognition', {
        isDefaultAction: true,
        action: 'recognize_security_option',
        params: { option_class: r.optionClass, option_type: r.type },
      }),
    ]);
  }

  async floodGroup(g: {
    vni: number;
    groupId: number;
    bumDefault?: boolean;
    replicas: Array<
      | { rid: number; port: number; vport: number; vlan?: number; securityId: number }
      | { rid: number; port: number; local: string; remote: string; srcMac?: string; nextHopMac?: string }
    >;
  }): Promise<void> {
    const entities: p4.v1.IEntity[] = [
      this.client.multicastGroup({
        groupId: g.groupId,
        replicas: g.replicas.map((r) => ({ port: r.port, instance: r.rid })),
      }),
    ];
    for (const r of g.replicas) {
      if ('vport' in r) {
        entities.push(
          this.entry('flood_replica', { replica_id: r.rid }, 'replica_to_vport', {
            vport: r.vport,
            vlan_id: r.vlan ?? 0,
            security_id: r.securityId,
          }),
        );
      } else {
        entities.push(
          this.entry(
            'flood_replica',
            { replica_id: r.rid },
            r.remote.includes(':') ? 'replica_to_tunnel_ipv6' : 'replica_to_tunnel_ipv4',
            {
              local_vtep: r.local,
              remote_vtep: r.remote,
              src_mac: r.srcMac ?? UNDERLAY.uplinkMac,
              next_hop_mac: r.nextHopMac ?? UNDERLAY.nextHopMac,
            },
          ),
        );
      }
    }
    if (g.bumDefault !== false)
      entities.push(this.entry('bum_flood', { vni: g.vni }, 'flood', { mcast_group: g.groupId }));
    await this.insert(entities);
  }

  async puntCloneSession(): Promise<void> {
    await this.insert([
      this.client.cloneSession({
        sessionId: PUNT_CLONE_SESSION,
        replicas: [{ port: this.target.cpuPort, instance: 0 }],
      }),
    ]);
  }

  /** Configures a punt meter cell (rule 13): `burst` packets, then `perSecond` packets per second. */
  async puntMeter(meter: string, perSecond: number, burst: number): Promise<void> {
    await this.client.modify([
      this.client.meterEntry(meter, {
        index: 0,
        config: { cir: perSecond, cburst: burst, pir: perSecond, pburst: burst },
      }),
    ]);
  }

  // ------------------------------------------------------------------ packets

  /**
   * Sends one frame and returns every frame that left because of it, once the frame is accounted
   * for: `copies` (default 1) is how many copies of it the pipeline finishes, each one leaving a
   * port, reaching the CPU port or counted by exactly one drop reason (see {@link sendMany}).
   */
  async send(port: number, frame: Uint8Array, label = '', copies = 1): Promise<EmittedFrame[]> {
    const [out] = await this.sendMany([{ port, bytes: frame, copies, label }]);
    return out;
  }

  /**
   * Sends frames and returns, in input order, what left because of each, once every frame is
   * accounted for. The program counts every drop by reason (docs/DATAPLANE.md, "Counters"), so a
   * frame that is neither flooded nor cloned has exactly one fate: it leaves a port, it reaches the
   * CPU port, or one drop counter goes up by one. A batch is therefore done exactly when
   *   outputs + packet-ins + (drop counters now - drop counters before) = copies of its frames,
   * and no silence is ever taken for a drop. `copies` is 1 unless the caller says otherwise: a
   * flooded frame has one copy per replica that is not pruned (the model's `fate`), an MTU punt
   * two (the counted drop and the packet-in of its clone). A batch holds at most
   * `target.maxInFlight` copies (at least one frame), so no egress queue can overflow. A batch not
   * accounted for within a generous bound fails, naming what is missing.
   */
  async sendMany(
    frames: ReadonlyArray<{ port: number; bytes: Uint8Array; copies?: number; label?: string }>,
  ): Promise<EmittedFrame[][]> {
    const out: EmittedFrame[][] = [];
    for (let i = 0; i < frames.length; ) {
      let end = i + 1;
      let inFlight = frames[i].copies ?? 1;
      while (end < frames.length && inFlight + (frames[end].copies ?? 1) <= this.target.maxInFlight)
        inFlight += frames[end++].copies ?? 1;
      const batch = frames.slice(i, end);
      i = end;
      const ids = batch.map((f) => this.dataplane.send(f.port, f.bytes));
      const copies = batch.reduce((n, f) => n + (f.copies ?? 1), 0);
      const outputs = await this.account(copies, (settled) =>
        this.dataplane.collect(ids, (o) => settled([...o.values()].reduce((n, x) => n + x.length, 0)), {
          missing: () => this.missing(batch.length, copies),
        }),
      );
      batch.forEach((f, j) => {
        const o = outputs.get(ids[j]) ?? [];
        recordExchange(this.target.kind, this.scenario, f.label ?? '', { port: f.port, bytes: f.bytes }, o);
        out.push(o);
      });
    }
    return out;
  }

  /**
   * Sends a frame from the controller (packet-out) and returns what left the data ports. The
   * frame carries no dataplane id, so its outputs are the frames without one; it has one fate,
   * like any other frame.
   */
  async packetOut(egressPort: number, frame: Uint8Array): Promise<EmittedFrame[]> {
    const stray = this.dataplane.takeUnattributed();
    if (stray.length > 0) throw new Error(`${stray.length} frame(s) left the switch that no frame explains`);
    this.client.packetOut(frame, { egress_port: egressPort, pad: 0 });
    await this.account(1, (settled) =>
      this.dataplane.waitUntil(() => settled(this.dataplane.unattributedCount), {
        missing: () => this.missing(1, 1),
      }),
    );
    const out = this.dataplane.takeUnattributed();
    recordExchange(
      this.target.kind,
      this.scenario,
      'packet-out',
      { port: this.target.cpuPort, bytes: frame },
      out,
    );
    return out;
  }

  /**
   * The `count` packet-ins the frames sent so far caused, then forgotten. They were already
   * accounted for by send(); this waits (up to a generous bound) only when called for packet-ins
   * no frame was sent for.
   */
  async waitForPacketIns(count: number): Promise<PacketIn[]> {
    await this.dataplane.waitUntil(() => this.packetIns.length >= count, {
      missing: () => `${this.packetIns.length} of ${count} packet-in(s)`,
    });
    return this.packetIns.splice(0);
  }

  // ------------------------------------------------------------------ accounting

  /** Packet-ins received since the session opened. */
  private packetInsSeen = 0;
  /** Packet-ins and counted drops already attributed to frames sent. */
  private packetInsAccounted = 0;
  private dropsAccounted = 0n;
  /** What the last look at the counters saw, for the error message. */
  private lastLook = { outputs: 0, packetIns: 0, drops: 0n };

  /**
   * Runs `wait`, which collects outputs and asks `settled(outputs)` whether `copies` copies are
   * accounted for: outputs + new packet-ins + new counted drops. The drop counters are read only
   * when outputs and packet-ins alone fall short. Once settled, the packet-ins and drops seen
   * belong to these frames.
   */
  private async account<T>(
    copies: number,
    wait: (settled: (outputs: number) => Promise<boolean>) => Promise<T>,
  ): Promise<T> {
    let drops = this.dropsAccounted;
    const result = await wait(async (outputs) => {
      const packetIns = this.packetInsSeen - this.packetInsAccounted;
      this.lastLook = { outputs, packetIns, drops: drops - this.dropsAccounted };
      if (outputs + packetIns >= copies) return true;
      drops = await this.dropTotal();
      this.lastLook.drops = drops - this.dropsAccounted;
      return outputs + packetIns + Number(drops - this.dropsAccounted) >= copies;
    });
    this.packetInsAccounted = this.packetInsSeen;
    this.dropsAccounted = drops;
    return result;
  }

  private missing(frames: number, copies: number): string {
    const l = this.lastLook;
    return (
      `${frames} frame(s) sent, ${copies} cop(ies) to account for; seen ${l.outputs} output(s), ` +
      `${l.packetIns} packet-in(s), ${l.drops} counted drop(s): ${copies - l.outputs - l.packetIns - Number(l.drops)} missing`
    );
  }

  /** Packets counted by every drop reason, ingress and egress. */
  private async dropTotal(): Promise<bigint> {
    let total = 0n;
    for (const name of ['VtepIngress.ingress_drops', 'VtepEgress.egress_drops']) {
      for (const cell of await this.client.readAll(this.client.counterEntry(name)))
        if (cell.kind === 'counterEntry') total += cell.data.packets;
    }
    return total;
  }

  // ------------------------------------------------------------------ counters

  async counter(name: string, index: number): Promise<CounterValue> {
    const cells: DecodedEntity[] = await this.client.readAll(this.client.counterEntry(name, { index }));
    for (const cell of cells) {
      if (cell.kind === 'counterEntry') {
        return { packets: cell.data.packets, bytes: cell.data.bytes };
      }
    }
    return { packets: 0n, bytes: 0n };
  }

  async dropCount(reason: DropReason): Promise<bigint> {
    return (await this.counter(dropCounterName(reason), DROP_REASONS[reason])).packets;
  }

  /** Packets counted for every drop reason with a non-zero count. */
  async dropCounts(): Promise<Partial<Record<DropReason, bigint>>> {
    const out: Partial<Record<DropReason, bigint>> = {};
    for (const name of ['VtepIngress.ingress_drops', 'VtepEgress.egress_drops']) {
      for (const cell of await this.client.readAll(this.client.counterEntry(name))) {
        if (cell.kind !== 'counterEntry') continue;
        const packets = cell.data.packets;
        if (packets === 0n) continue;
        const reason = (Object.keys(DROP_REASONS) as DropReason[]).find(
          (r) => DROP_REASONS[r] === cell.index,
        );
        if (reason) out[reason] = (out[reason] ?? 0n) + packets;
      }
    }
    return out;
  }
}
