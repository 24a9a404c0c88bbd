/**
 * A session with the VTEP program on a running target: the P4Runtime client (primary), the
 * dataplane packet stream, helpers that write the program's tables by name, and a recorder of
 * every frame sent and received for the validation report.
 */
import { readFileSync } from 'node:fs';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import { DROP_REASONS, type DropReason, dropCounterName } from '../../../src/controller/reasons.js';
import { DataplaneClient, type EmittedFrame } from '../../../src/dataplane/client.js';
import {
  type DecodedEntity,
  loadP4Info,
  type MatchValue,
  P4RuntimeClient,
  type P4Value,
  type PacketIn,
} from '../../../src/p4runtime/index.js';
import type { p4 } from '../../../src/p4runtime/service.js';
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
    client.on('packetIn', (p) => this.packetIns.push(p));
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

  /** Pushes the compiled program afresh: every table, group and counter starts empty. */
  async reset(scenario: string): Promise<void> {
    this.scenario = scenario;
    this.packetIns.length = 0;
    if (this.dataplaneClient) await this.deleteReplicationState();
    const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
    await this.client.setPipeline({ p4info, deviceConfig: readFileSync(programArtifactPath('bmv2Json')) });
    this.dataplaneClient ??= await DataplaneClient.connect({
      address: this.target.dataplaneAddress,
      deviceId: this.target.deviceId,
    });
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

  async route(r: { prefix: string; prefixLen: number; port: number; srcMac?: string; nextHopMac?: string }) {
    const v6 = r.prefix.includes(':');
    await this.insert([
      this.entry(
        v6 ? 'underlay_route_ipv6' : 'underlay_route_ipv4',
        { remote_vtep: { value: r.prefix, prefixLen: r.prefixLen } },
        'route_via',
        {
          port: r.port,
          src_mac: r.srcMac ?? UNDERLAY.uplinkMac,
          next_hop_mac: r.nextHopMac ?? UNDERLAY.nextHopMac,
        },
      ),
    ]);
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

  /** Sends one frame; returns every frame that left because of it. */
  async send(port: number, frame: Uint8Array, label = ''): Promise<EmittedFrame[]> {
    const out = await this.dataplane.exchange(port, frame, this.target.quietMs);
    recordExchange(this.target.kind, this.scenario, label, { port, bytes: frame }, out);
    return out;
  }

  /** Sends many frames at once; outputs come back in input order. */
  async sendMany(frames: ReadonlyArray<{ port: number; bytes: Uint8Array }>): Promise<EmittedFrame[][]> {
    const ids = frames.map((f) => this.dataplane.send(f.port, f.bytes));
    const out = await this.dataplane.collect(ids, Math.max(this.target.quietMs, 100));
    return ids.map((id) => out.get(id) ?? []);
  }

  /** Sends a frame from the controller (packet-out) and returns what left the data ports. */
  async packetOut(egressPort: number, frame: Uint8Array): Promise<EmittedFrame[]> {
    this.dataplane.takeUnattributed();
    this.client.packetOut(frame, { egress_port: egressPort, pad: 0 });
    // Packet-out frames carry no dataplane request id: wait until the dataplane is quiet.
    await this.dataplane.collect([], this.target.quietMs);
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

  /** Waits (up to the quiet time, repeatedly) for `count` packet-ins. */
  async waitForPacketIns(count: number, timeoutMs = 3000): Promise<PacketIn[]> {
    const start = Date.now();
    while (this.packetIns.length < count && Date.now() - start < timeoutMs) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, this.target.quietMs));
    return this.packetIns.splice(0);
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
