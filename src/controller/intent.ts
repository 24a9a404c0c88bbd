/**
 * What an operator declares about a VTEP: its ports, its VTEP addresses, the tenants with their
 * workloads, remote VTEPs and policies. The planner (plan.ts) turns it into table entries.
 */

import type { PuntMeterLimits } from './punt-meters.js';

/**
 * The security-ID option a fabric uses when it names none: the data plane's defaults
 * (p4/include/constants.p4). Any other class and type can be set; both directions follow it.
 */
export const DATA_PLANE_SECURITY_OPTION = { optionClass: 0xfff0, type: 0x01 } as const;

export interface UplinkIntent {
  port: number;
  /** Our MAC address on this uplink: the outer source MAC of what we send. */
  mac: string;
  /** IP MTU; encapsulated packets above it are punted to the controller. No limit when omitted. */
  mtu?: number;
  /** Marked down: routes leave it out of their next hops (ECMP groups shrink). */
  down?: boolean;
}

export interface NextHopIntent {
  uplink: number;
  nextHopMac: string;
}

export interface RouteIntent {
  /** Prefix of remote VTEP addresses, e.g. `10.0.0.0/24` or `fd00::/64`. */
  prefix: string;
  /** The route's (first) next hop. */
  uplink: number;
  nextHopMac: string;
  /**
   * Every equal-cost next hop (underlay ECMP: the flow hash picks one per flow); when given,
   * `uplink` and `nextHopMac` are its first. Omitted: the one next hop above.
   */
  nextHops?: NextHopIntent[];
}

export interface VportIntent {
  /** Name used in messages (default `port/mac/vlan`). */
  name?: string;
  port: number;
  mac: string;
  /** Access VLAN ID; omitted or 0 = untagged. */
  vlan?: number;
  securityId: number;
  /** The workload's addresses: ARP requests / Neighbor Solicitations for them are answered by the VTEP. */
  ipv4?: string;
  ipv6?: string;
}

export interface MembershipIntent {
  /** Remote VTEP address. */
  vtep: string;
  /** Believe the security IDs this VTEP sends for this tenant. */
  trusted: boolean;
}

export interface RemoteEndpointIntent {
  /** Name used in messages (the workload's, in a fabric). */
  name?: string;
  mac: string;
  /** Address of the remote VTEP behind which it lives; must be a member of the tenant. */
  vtep: string;
  /** The workload's security ID (what its VTEP puts in the option); for the controller's own policy checks. */
  securityId?: number;
  /** The workload's addresses, for answering ARP / Neighbor Solicitation on its behalf (BUM on a DPU). */
  ipv4?: string;
  ipv6?: string;
}

export interface PolicyIntent {
  /** Name used in messages (e.g. `policy web -> db`). */
  name?: string;
  /** Source security ID; omitted = any. */
  src?: number;
  /** Destination security ID; omitted = any. */
  dst?: number;
  /** IP protocol: `tcp`, `udp` or a number; omitted = any. */
  protocol?: 'tcp' | 'udp' | number;
  /** L4 destination port or inclusive range; omitted = any. */
  ports?: number | [number, number];
  action: 'allow' | 'deny';
  /** Higher wins. */
  priority: number;
}

export interface TenantIntent {
  vni: number;
  name?: string;
  /** Security ID of senders that cannot be vouched for (untrusted VTEPs, missing option). */
  unknownSecurityId: number;
  /** Flood broadcast/multicast (BUM) to all members; default true. */
  flood?: boolean;
  /**
   * BUM on a device without packet replication (a BlueField DPU), where nothing floods: dropped
   * (default) or sent to the controller (the DPL program's `bum_policy`, the v1model program's
   * `bum_flood` action `bum_to_controller`), which answers ARP/ND and copies the rest (bum.ts).
   */
  bumPolicy?: 'drop' | 'controller';
  /** ARP requests / Neighbor Solicitations for an address no workload has: flooded (default) or dropped. */
  unknownNeighbor?: 'flood' | 'drop';
  vports: VportIntent[];
  members?: MembershipIntent[];
  remoteEndpoints?: RemoteEndpointIntent[];
  policies?: PolicyIntent[];
}

export interface FabricIntent {
  accessPorts: number[];
  uplinks: UplinkIntent[];
  /** Our VTEP addresses: at most one IPv4 and one IPv6. */
  localVteps: string[];
  routes: RouteIntent[];
  tenants: TenantIntent[];
  /**
   * The security-ID option: what we send (class, type, critical flag) and which received option
   * carries the sender's ID (class and type); default the data plane's class and type, not critical.
   */
  securityOption?: { optionClass: number; type: number; critical: boolean } | 'omit';
  /** CPU port for MTU punts (the switch's --cpu-port); default 255. */
  cpuPort?: number;
  /** Limits of the punt meters (rule 13); default DEFAULT_PUNT_LIMIT for each. */
  puntLimits?: PuntMeterLimits;
}
