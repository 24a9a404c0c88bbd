/**
 * BUM frames of a device without packet replication (a BlueField DPU): a tenant whose BUM goes to
 * the controller (`bumPolicy: controller`) has each broadcast/multicast frame punted (packet-in
 * reason BUM, the frame as the data plane would forward it: access VLAN tag removed, tunnel
 * headers removed). The controller then does what the data plane cannot:
 *
 * - an ARP request or IPv6 Neighbor Solicitation from a local workload for a (tenant, IP) the
 *   fabric names is answered by packet-out, out of the port it came in on (neighbor.ts), and not
 *   delivered further (ARP/ND suppression);
 * - any other BUM frame is copied, as head-end replication would: to each other local attachment
 *   of the tenant on the device (packet-out, with that attachment's VLAN tag, only where the
 *   tenant's policy allows, since a packet-out bypasses the policy table), and, when it came from
 *   a local workload, encapsulated in Geneve to each remote VTEP of the tenant (packet-out of the
 *   uplink the underlay route names, with the security-ID option the data plane would add; never
 *   above the uplink MTU). A frame from the underlay is delivered locally only (split horizon).
 *
 * The packet-in carries the ingress port, not the tenant (the DPL program's 32 bits of controller
 * metadata hold the core's port and reason), so the tenant is the sender's: on an access port the
 * workload with that port and source MAC (and VLAN, when the frame still has its tag); on an uplink
 * the remote workload with that source MAC. A sender that matches no workload, or workloads of
 * several tenants, is not served (counted). Every frame is accounted for in {@link BumCounts}, and
 * handling is rate-limited (a token bucket per device).
 */
import type { P4Value } from 'p4runtime-ts-grpc';
import { encapsulate, formatMac, isIpv4, securityIdOption } from '../packet/index.js';
import type { NeighborAnswerer } from './device-profile.js';
import {
  DATA_PLANE_SECURITY_OPTION,
  type FabricIntent,
  type RemoteEndpointIntent,
  type TenantIntent,
  type VportIntent,
} from './intent.js';
import { arpReply, type NeighborRequest, neighborAdvertisement, neighborRequest } from './neighbor.js';
import { ipKey, macKey, resolveUnderlayRoute } from './plan.js';
import { RateLimiter } from './pmtu.js';
import { frameFacts, policyAllows } from './tenant-policy.js';

/** Why a punted BUM frame was not served. */
export type BumSkip =
  | 'malformed'
  | 'not-group-destination'
  | 'unknown-sender'
  | 'ambiguous-sender'
  | 'tenant-drops-bum'
  | 'rate-limited'
  | 'neighbor-not-answered';

export interface BumCounts {
  /** ARP requests / Neighbor Solicitations answered by packet-out. */
  arpAnswered: number;
  ndAnswered: number;
  /** Frames delivered by copies (the copies are counted below). */
  copied: number;
  copiesLocal: number;
  copiesRemote: number;
  /** Local copies the tenant's policy denies: not sent. */
  copiesDenied: number;
  /** Remote copies not sent: no underlay route or no local VTEP address of the family. */
  copiesNoRoute: number;
  /** Remote copies not sent: the encapsulated packet exceeds the uplink's MTU. */
  copiesTooLarge: number;
  /** Frames not served, by reason. */
  notHandled: Record<BumSkip, number>;
}

export const emptyBumCounts = (): BumCounts => ({
  arpAnswered: 0,
  ndAnswered: 0,
  copied: 0,
  copiesLocal: 0,
  copiesRemote: 0,
  copiesDenied: 0,
  copiesNoRoute: 0,
  copiesTooLarge: 0,
  notHandled: {
    malformed: 0,
    'not-group-destination': 0,
    'unknown-sender': 0,
    'ambiguous-sender': 0,
    'tenant-drops-bum': 0,
    'rate-limited': 0,
    'neighbor-not-answered': 0,
  },
});

/** Sends a frame out of a port (packet-out). */
export type SendFrame = (frame: Uint8Array, metadata: Record<string, P4Value>) => void;

export interface BumHandlerOptions {
  /**
   * Who answers neighbor requests on the device (device-profile.ts, read from its program): with
   * 'controller' (no neighbor lookup in the data plane) every request the data plane would flood
   * comes here, and one not answered is delivered as the data plane would have (default
   * 'data-plane': only requests with a known target come, and one not answered is counted).
   */
  neighborAnswerer?: NeighborAnswerer;
  /** Frames handled per second (default 100) and burst (default 100). */
  rate?: number;
  burst?: number;
  log?: (line: string) => void;
  now?: () => number;
}

type Sender =
  | { side: 'access'; tenant: TenantIntent; vport: VportIntent }
  | { side: 'uplink'; tenant: TenantIntent; endpoint: RemoteEndpointIntent };

const UNDERLAY_TTL = 64;
const ETHERNET_HEADER = 14;

/** `frame` with an 802.1Q tag of `vlan` after the MACs (0: unchanged). */
export function withVlan(frame: Uint8Array, vlan: number): Uint8Array {
  if (vlan === 0) return frame;
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12), 0);
  out[12] = 0x81;
  out[13] = 0x00;
  out[14] = (vlan >> 8) & 0x0f;
  out[15] = vlan & 0xff;
  out.set(frame.subarray(12), 16);
  return out;
}

/** `received` without its 802.1Q tag, and the tag's VLAN (undefined when untagged). */
function untagged(received: Uint8Array): { frame: Uint8Array; vid: number | undefined } {
  const tagged = ((received[12] << 8) | received[13]) === 0x8100 && received.length >= 18;
  if (!tagged) return { frame: received, vid: undefined };
  const vid = ((received[14] & 0x0f) << 8) | received[15];
  return { frame: new Uint8Array([...received.subarray(0, 12), ...received.subarray(16)]), vid };
}

export class BumHandler {
  private readonly byPortMac = new Map<string, Array<{ tenant: TenantIntent; vport: VportIntent }>>();
  private readonly remoteByMac = new Map<
    string,
    Array<{ tenant: TenantIntent; endpoint: RemoteEndpointIntent }>
  >();
  private readonly accessPorts: Set<number>;
  private readonly uplinkPorts: Set<number>;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly intent: FabricIntent,
    private readonly send: SendFrame,
    readonly counts: BumCounts = emptyBumCounts(),
    private readonly options: BumHandlerOptions = {},
  ) {
    this.accessPorts = new Set(intent.accessPorts);
    this.uplinkPorts = new Set(intent.uplinks.map((u) => u.port));
    this.limiter = new RateLimiter(options.rate ?? 100, options.burst ?? 100, options.now);
  }

  /** Handles one punted BUM frame that arrived on `port`. */
  handle(port: number, received: Uint8Array): void {
    const why = this.serve(port, received);
    if (why) this.skip(why, port, received);
  }

  /**
   * Answers a request punted with packet-in reason NEIGHBOR, whatever the tenant's BUM policy. From
   * a program with the neighbor lookup (the DPL program: a Neighbor Solicitation it found a binding
   * for but cannot answer, having no checksum unit), one the intent does not resolve (the device
   * is behind or ahead of it) is counted. From a program without it (rule 15a: the Tofino builds
   * punt every ARP request and Neighbor Solicitation they would flood, or drop for an unknown
   * destination), one not answered is delivered as the data plane would have delivered it without
   * suppression: copied to the tenant's attachments and remote VTEPs when the tenant floods and
   * the frame is broadcast or multicast (a request for an unknown target only when the tenant
   * floods those, `unknownNeighbor`), else counted as not answered (the data plane drops it).
   */
  handleNeighbor(port: number, received: Uint8Array): void {
    const why = this.serveNeighbor(port, received);
    if (why) this.skip(why, port, received);
  }

  private serveNeighbor(port: number, received: Uint8Array): BumSkip | undefined {
    if (received.length < ETHERNET_HEADER) return 'malformed';
    const { frame, vid } = untagged(received);
    const sender = this.senderOf(port, formatMac(frame, 6), vid);
    if (typeof sender === 'string') return sender;
    if (sender.side !== 'access') return 'neighbor-not-answered';
    if (!this.limiter.take()) return 'rate-limited';
    const request = neighborRequest(frame);
    if (typeof request === 'object' && this.answer(port, sender, request)) return undefined;
    if (this.options.neighborAnswerer !== 'controller') return 'neighbor-not-answered';
    // Rule 15a: delivered as without suppression (rule 2: flooded, or dropped for a tenant that
    // floods nothing); a request for an unknown target as the tenant's setting says (rule 15).
    const answerable = typeof request === 'object';
    if (
      (frame[0] & 1) === 0 ||
      sender.tenant.flood === false ||
      (answerable && sender.tenant.unknownNeighbor === 'drop')
    )
      return 'neighbor-not-answered';
    this.copy(sender, frame);
    return undefined;
  }

  /** Serves the frame; why not, when it is not. */
  private serve(port: number, received: Uint8Array): BumSkip | undefined {
    if (received.length < ETHERNET_HEADER) return 'malformed';
    if ((received[0] & 1) === 0) return 'not-group-destination';
    const { frame, vid } = untagged(received);
    const sender = this.senderOf(port, formatMac(frame, 6), vid);
    if (typeof sender === 'string') return sender;
    if (sender.tenant.bumPolicy !== 'controller') return 'tenant-drops-bum';
    if (!this.limiter.take()) return 'rate-limited';

    if (sender.side === 'access') {
      const request = neighborRequest(frame);
      if (typeof request === 'object' && this.answer(port, sender, request)) return undefined;
    }
    this.copy(sender, frame);
    return undefined;
  }

  /**
   * Indexes the workloads by (port, MAC) and remote ones by MAC, on the first punt: a handler is
   * built for every reconcile, and most devices never see a BUM punt.
   */
  private indexed = false;
  private index(): void {
    if (this.indexed) return;
    this.indexed = true;
    for (const tenant of this.intent.tenants) {
      for (const vport of tenant.vports) {
        const key = `${vport.port}/${macKey(vport.mac)}`;
        const list = this.byPortMac.get(key);
        if (list) list.push({ tenant, vport });
        else this.byPortMac.set(key, [{ tenant, vport }]);
      }
      for (const endpoint of tenant.remoteEndpoints ?? []) {
        const key = macKey(endpoint.mac);
        const list = this.remoteByMac.get(key);
        if (list) list.push({ tenant, endpoint });
        else this.remoteByMac.set(key, [{ tenant, endpoint }]);
      }
    }
  }

  private senderOf(port: number, src: string, vid: number | undefined): Sender | BumSkip {
    this.index();
    if (this.accessPorts.has(port)) {
      const found = (this.byPortMac.get(`${port}/${src}`) ?? []).filter(
        ({ vport }) => vid === undefined || (vport.vlan ?? 0) === vid,
      );
      if (found.length === 0) return 'unknown-sender';
      if (found.length > 1) return 'ambiguous-sender';
      return { side: 'access', ...found[0] };
    }
    if (this.uplinkPorts.has(port)) {
      const found = this.remoteByMac.get(src) ?? [];
      if (found.length === 0) return 'unknown-sender';
      if (new Set(found.map((f) => f.tenant)).size > 1) return 'ambiguous-sender';
      return { side: 'uplink', ...found[0] };
    }
    return 'unknown-sender';
  }

  /** Answers `request` when its target is a workload of the tenant; false when it is not known. */
  private answer(port: number, sender: Sender & { side: 'access' }, request: NeighborRequest): boolean {
    const family = request.kind === 'arp' ? 'ipv4' : 'ipv6';
    const wanted = ipKey(request.targetIp);
    const owners = [...sender.tenant.vports, ...(sender.tenant.remoteEndpoints ?? [])];
    const owner = owners.find((w) => w[family] !== undefined && ipKey(w[family] as string) === wanted);
    if (!owner || macKey(owner.mac) === macKey(request.senderMac)) return false;
    const reply =
      request.kind === 'arp'
        ? arpReply(request, macKey(owner.mac))
        : neighborAdvertisement(request, macKey(owner.mac));
    this.send(withVlan(reply, sender.vport.vlan ?? 0), { egress_port: port, pad: 0 });
    if (request.kind === 'arp') this.counts.arpAnswered++;
    else this.counts.ndAnswered++;
    this.options.log?.(
      `BUM: ${request.kind === 'arp' ? 'ARP request' : 'Neighbor Solicitation'} from ${this.who(sender)} for ${request.targetIp} answered: ${owner.mac} (${owner.name ?? 'workload'})`,
    );
    return true;
  }

  private copy(sender: Sender, frame: Uint8Array): void {
    const { tenant } = sender;
    const srcId =
      sender.side === 'access'
        ? sender.vport.securityId
        : this.trusted(tenant, sender.endpoint.vtep)
          ? (sender.endpoint.securityId ?? tenant.unknownSecurityId)
          : tenant.unknownSecurityId;
    const facts = frameFacts(frame);
    let local = 0;
    let remote = 0;
    for (const vport of tenant.vports) {
      if (sender.side === 'access' && vport === sender.vport) continue;
      if (!policyAllows(tenant.policies ?? [], srcId, vport.securityId, facts)) {
        this.counts.copiesDenied++;
        continue;
      }
      this.send(withVlan(frame, vport.vlan ?? 0), { egress_port: vport.port, pad: 0 });
      local++;
    }
    // Split horizon: what came from the underlay never goes back into it (DATAPLANE.md rule 10).
    if (sender.side === 'access')
      for (const member of tenant.members ?? []) if (this.tunnel(tenant, member.vtep, frame, srcId)) remote++;
    this.counts.copied++;
    this.counts.copiesLocal += local;
    this.counts.copiesRemote += remote;
    this.options.log?.(
      `BUM: ${frame.length}-byte frame to ${formatMac(frame, 0)} from ${this.who(sender)} copied to ${local} local and ${remote} remote`,
    );
  }

  /** Sends `frame` encapsulated to remote VTEP `vtep`; false when no copy could be sent. */
  private tunnel(tenant: TenantIntent, vtep: string, frame: Uint8Array, srcId: number): boolean {
    const v4 = isIpv4(vtep);
    const local = this.intent.localVteps.find((a) => isIpv4(a) === v4);
    const path = resolveUnderlayRoute(this.intent, vtep);
    if (!local || !path) {
      this.counts.copiesNoRoute++;
      return false;
    }
    const format = this.intent.securityOption ?? { ...DATA_PLANE_SECURITY_OPTION, critical: false };
    const packet = encapsulate(frame, {
      vni: tenant.vni,
      outer: {
        srcMac: path.uplink.mac,
        dstMac: path.route.nextHopMac,
        srcIp: local,
        dstIp: vtep,
        ttl: UNDERLAY_TTL,
      },
      ...(format === 'omit' ? {} : { options: [securityIdOption({ ...format, id: srcId })] }),
    });
    if (path.uplink.mtu !== undefined && packet.length - ETHERNET_HEADER > path.uplink.mtu) {
      this.counts.copiesTooLarge++;
      return false;
    }
    this.send(packet, { egress_port: path.uplink.port, pad: 0 });
    return true;
  }

  private trusted(tenant: TenantIntent, vtep: string): boolean {
    const key = ipKey(vtep);
    return (tenant.members ?? []).some((m) => ipKey(m.vtep) === key && m.trusted);
  }

  private who(sender: Sender): string {
    const name = sender.tenant.name ?? `VNI ${sender.tenant.vni}`;
    return sender.side === 'access'
      ? `${name} workload ${sender.vport.name ?? sender.vport.mac}`
      : `${name} remote workload ${sender.endpoint.name ?? sender.endpoint.mac} (via ${sender.endpoint.vtep})`;
  }

  /** Counts a frame not served; logs the 1st, 2nd, 4th, 8th... of each reason (a storm stays quiet). */
  private skip(why: BumSkip, port: number, frame: Uint8Array): void {
    const n = ++this.counts.notHandled[why];
    if ((n & (n - 1)) === 0)
      this.options.log?.(
        `BUM: ${frame.length}-byte frame from port ${port}${frame.length >= 12 ? ` (source ${formatMac(frame, 6)})` : ''} not served: ${why} (${n} so far)`,
      );
  }
}
