/**
 * What the controller does with packet-ins of one device: MTU punts are answered with ICMP
 * (pmtu.ts) towards the sender, out of the port the frame came in on, rate-limited; BUM punts of a
 * device without replication are answered (ARP/ND) or copied (bum.ts), rate-limited; Geneve OAM
 * punts are logged and counted. Everything is counted, so nothing is silent.
 */
import type { P4Value, PacketIn } from 'p4runtime-ts-grpc';
import { formatMac } from '../packet/index.js';
import { type BumCounts, BumHandler, emptyBumCounts, withVlan } from './bum.js';
import type { NeighborAnswerer } from './device-profile.js';
import type { FabricIntent, TenantIntent, VportIntent } from './intent.js';
import { ipKey, macKey, resolveUnderlayRoute } from './plan.js';
import { type PmtuSkip, pmtuAnswer, RateLimiter, tenantPathMtu } from './pmtu.js';
import { PUNT_REASONS } from './reasons.js';

export interface PuntCounts {
  /** ICMP answers sent. */
  mtuAnswered: number;
  /** Not answered: rate limit, unknown sender, or why pmtuAnswer declined. */
  mtuNotAnswered: Record<PmtuSkip | 'rate-limited' | 'unknown-sender', number>;
  oam: number;
  /** BUM frames of tenants whose BUM goes to the controller (bum.ts). */
  bum: BumCounts;
  other: number;
}

export interface PuntHandlerOptions {
  /** ICMP answers per second (default 100) and burst (default 100). */
  rate?: number;
  burst?: number;
  /** BUM frames handled per second (default 100) and burst (default 100). */
  bumRate?: number;
  bumBurst?: number;
  /** Who answers neighbor requests on the device (device-profile.ts neighborAnswerer; default the data plane). */
  neighborAnswerer?: NeighborAnswerer;
  /** Counts to continue (a handler built again for a new intent keeps counting). */
  counts?: PuntCounts;
  log?: (line: string) => void;
  now?: () => number;
}

/** Sends a frame out of a port (packet-out). */
export type PacketOut = (frame: Uint8Array, metadata: Record<string, P4Value>) => void;

interface Attachment {
  tenant: TenantIntent;
  vport: VportIntent;
}

export const emptyPuntCounts = (): PuntCounts => ({
  mtuAnswered: 0,
  mtuNotAnswered: {
    'not-ip': 0,
    'fragment-allowed': 0,
    'icmp-error': 0,
    'too-short': 0,
    'rate-limited': 0,
    'unknown-sender': 0,
  },
  oam: 0,
  bum: emptyBumCounts(),
  other: 0,
});

export class PuntHandler {
  readonly counts: PuntCounts;
  private readonly byPortMac = new Map<string, Attachment>();
  private readonly limiter: RateLimiter;
  private readonly bum: BumHandler;

  constructor(
    private readonly intent: FabricIntent,
    private readonly send: PacketOut,
    private readonly options: PuntHandlerOptions = {},
  ) {
    for (const tenant of intent.tenants)
      for (const vport of tenant.vports)
        this.byPortMac.set(`${vport.port}/${macKey(vport.mac)}`, { tenant, vport });
    this.limiter = new RateLimiter(options.rate ?? 100, options.burst ?? 100, options.now);
    this.counts = options.counts ?? emptyPuntCounts();
    this.bum = new BumHandler(intent, send, this.counts.bum, {
      rate: options.bumRate,
      burst: options.bumBurst,
      neighborAnswerer: options.neighborAnswerer,
      log: options.log,
      now: options.now,
    });
  }

  /** The path MTU towards `dstMac` in `tenant`: its remote VTEP's uplink, else the smallest uplink. */
  pathMtu(tenant: TenantIntent, dstMac: string): number | undefined {
    const remote = (tenant.remoteEndpoints ?? []).find((e) => macKey(e.mac) === dstMac);
    const candidates = remote ? [remote.vtep] : (tenant.members ?? []).map((m) => m.vtep);
    let best: number | undefined;
    for (const vtep of candidates) {
      const route = resolveUnderlayRoute(this.intent, vtep);
      if (route?.uplink.mtu === undefined) continue;
      const mtu = tenantPathMtu(route.uplink.mtu, ipKey(vtep).includes(':') ? 6 : 4);
      best = best === undefined ? mtu : Math.min(best, mtu);
    }
    return best;
  }

  handle(p: PacketIn): void {
    const reason = Number(p.metadata.reason);
    const port = Number(p.metadata.ingress_port);
    if (reason === PUNT_REASONS.GENEVE_OAM) {
      this.counts.oam++;
      this.options.log?.(`Geneve OAM packet from port ${port}, ${p.payload.length} bytes`);
      return;
    }
    if (reason === PUNT_REASONS.BUM) {
      this.bum.handle(port, p.payload);
      return;
    }
    if (reason === PUNT_REASONS.NEIGHBOR) {
      this.bum.handleNeighbor(port, p.payload);
      return;
    }
    if (reason !== PUNT_REASONS.MTU_EXCEEDED) {
      this.counts.other++;
      return;
    }
    const frame = p.payload;
    const src = frame.length >= 12 ? formatMac(frame.subarray(6, 12)) : '';
    const at = this.byPortMac.get(`${port}/${src}`);
    const mtu = at && this.pathMtu(at.tenant, formatMac(frame.subarray(0, 6)));
    if (!at || mtu === undefined) {
      this.counts.mtuNotAnswered['unknown-sender']++;
      return;
    }
    const answer = pmtuAnswer(frame, mtu);
    if (typeof answer === 'string') {
      this.counts.mtuNotAnswered[answer]++;
      return;
    }
    if (!this.limiter.take()) {
      this.counts.mtuNotAnswered['rate-limited']++;
      return;
    }
    this.send(withVlan(answer, at.vport.vlan ?? 0), { egress_port: port, pad: 0 });
    this.counts.mtuAnswered++;
    this.options.log?.(
      `MTU: ${at.tenant.name ?? at.tenant.vni} workload ${at.vport.name ?? src} sent ${frame.length} bytes; told path MTU ${mtu}`,
    );
  }
}
