/**
 * Drop and punt reason codes of the VTEP data plane, mirrored from p4/include/constants.p4
 * (test/controller/reasons.test.ts keeps the two in step).
 */

/** Drop reasons and the code each has in the drop counters. */
export const DROP_REASONS = {
  PARSER_ERROR: 1,
  PORT_UNCONFIGURED: 2,
  UNKNOWN_SOURCE: 3,
  UNKNOWN_DESTINATION: 4,
  NO_TUNNEL: 5,
  NO_UNDERLAY_ROUTE: 6,
  NOT_FOR_LOCAL_VTEP: 7,
  OUTER_IPV4_CHECKSUM: 8,
  GENEVE_VERSION: 9,
  GENEVE_PROTOCOL: 10,
  GENEVE_OPTION_LENGTH: 11,
  GENEVE_CRITICAL_OPTION: 12,
  UNKNOWN_VNI: 13,
  VTEP_NOT_MEMBER: 14,
  TUNNEL_TO_TUNNEL: 15,
  POLICY_DENY: 16,
  MTU_EXCEEDED: 17,
  HAIRPIN: 18,
  UNKNOWN_REPLICA: 19,
  NOT_FOR_UPLINK_MAC: 20,
  OUTER_LENGTH: 21,
  OUTER_FRAGMENT: 22,
  OUTER_IP_OPTIONS: 23,
  ECN_CE_ON_NOT_ECT: 24,
  ENCAP_LENGTH_OVERFLOW: 25,
  OAM_PUNT_METER: 26,
  MTU_PUNT_METER: 27,
  PACKET_OUT_PORT: 28,
  UNKNOWN_NEIGHBOR: 29,
} as const;

export type DropReason = keyof typeof DROP_REASONS;

/** Drops decided in egress are counted in the egress counter; all others in the ingress one. */
const EGRESS_DROPS: ReadonlySet<DropReason> = new Set([
  'POLICY_DENY',
  'MTU_EXCEEDED',
  'UNKNOWN_REPLICA',
  'ENCAP_LENGTH_OVERFLOW',
  'OAM_PUNT_METER',
  'MTU_PUNT_METER',
]);

/** P4Info name of the counter array that counts `reason`. */
export function dropCounterName(reason: DropReason): 'VtepIngress.ingress_drops' | 'VtepEgress.egress_drops' {
  return EGRESS_DROPS.has(reason) ? 'VtepEgress.egress_drops' : 'VtepIngress.ingress_drops';
}

/** packet_in.reason values. */
export const PUNT_REASONS = {
  MTU_EXCEEDED: 1,
  GENEVE_OAM: 2,
  /** A BUM frame of a tenant whose BUM goes to the controller (no replication: a DPU). */
  BUM: 3,
  /**
   * An ARP request or Neighbor Solicitation for the controller to answer (rule 15a): every one a
   * program without data-plane neighbor suppression would flood (the Tofino builds), or a
   * solicitation the DPL program knows the target of but cannot answer.
   */
  NEIGHBOR: 4,
} as const;

export type PuntReason = keyof typeof PUNT_REASONS;

export function puntReasonName(code: number): PuntReason | undefined {
  return (Object.keys(PUNT_REASONS) as PuntReason[]).find((k) => PUNT_REASONS[k] === code);
}

export function dropReasonName(code: number): DropReason | undefined {
  return (Object.keys(DROP_REASONS) as DropReason[]).find((k) => DROP_REASONS[k] === code);
}
