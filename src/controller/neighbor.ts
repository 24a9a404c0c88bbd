/**
 * Address resolution answered on a workload's behalf, from the intent: an ARP request (RFC 826)
 * or an IPv6 Neighbor Solicitation (RFC 4861 4.3) for a (tenant, IP) the fabric names gets its
 * reply built here, as the workload that owns the address would send it. Used by the controller
 * for BUM frames punted by a device without replication (bum.ts); the frames are untagged (the
 * data plane removed the access VLAN tag).
 *
 * Not answered, and left to the caller to deliver like any other BUM frame: gratuitous ARP and ARP
 * probes (RFC 5227: sender IP equal to the target, or 0.0.0.0), duplicate-address detection (an NS
 * from the unspecified address, RFC 4862 5.4), and solicitations that fail RFC 4861 7.1.1's checks
 * or lack exactly one source link-layer address option. The same rules and the same answers
 * (Advertisement flags S and O) as the data plane's own suppression (issue 14's
 * p4/controls/neighbor_suppression.p4).
 */
import { buildFrame, findLayer, formatIpv6, parseFrame, parseIpv6, parseMac } from '../packet/index.js';

const ETHERTYPE_ARP = 0x0806;
const ARP_REQUEST = 1;
const ARP_REPLY = 2;
const ICMPV6_NEIGHBOR_SOLICITATION = 135;
const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
/** RFC 4861 4.6.1: option types 1 (source) and 2 (target link-layer address). */
const OPTION_SOURCE_LINK_LAYER = 1;
const OPTION_TARGET_LINK_LAYER = 2;
/**
 * Neighbor Advertisement flags (RFC 4861 4.4), the 32 bits after the checksum: Solicited (bit 30)
 * and Override (bit 29). Override is set: the intent, not a proxy's guess, binds the address to
 * this MAC, so the answer is the owner's own (RFC 4861 7.2.8's proxy rule does not apply).
 */
const NA_SOLICITED_OVERRIDE = 0x6000_0000;

/** A request the controller may answer: who asks (MAC, IP) and for which IP. */
export type NeighborRequest =
  | { kind: 'arp'; senderMac: string; senderIp: string; targetIp: string }
  | { kind: 'ns'; senderMac: string; senderIp: string; targetIp: string };

/** Why an ARP or NS frame is not a request to answer (it is then delivered as other BUM). */
export type NotARequest = 'gratuitous-or-probe' | 'duplicate-address-detection' | 'invalid';

/**
 * The ARP request or Neighbor Solicitation in an untagged frame; `undefined` for any other frame;
 * a {@link NotARequest} for ARP/NS that must not be answered for others.
 */
export function neighborRequest(frame: Uint8Array): NeighborRequest | NotARequest | undefined {
  const { layers, issues } = parseFrame(frame);
  const eth = findLayer(layers, 'ethernet');
  if (!eth || layers[1]?.kind === 'vlan') return undefined;
  const arp = findLayer(layers, 'arp');
  if (arp && eth.etherType === ETHERTYPE_ARP) {
    if (arp.operation !== ARP_REQUEST || arp.hardwareType !== 1 || arp.protocolType !== 0x0800)
      return undefined;
    if (arp.senderIp === arp.targetIp || arp.senderIp === '0.0.0.0') return 'gratuitous-or-probe';
    return { kind: 'arp', senderMac: arp.senderMac, senderIp: arp.senderIp, targetIp: arp.targetIp };
  }
  const ip6 = findLayer(layers, 'ipv6');
  const icmp = findLayer(layers, 'icmpv6');
  if (!ip6 || !icmp || icmp.type !== ICMPV6_NEIGHBOR_SOLICITATION) return undefined;
  const body = findLayer(layers, 'payload')?.data ?? new Uint8Array(0);
  // RFC 4861 7.1.1: hop limit 255, code 0, a valid checksum, no extension headers here (the data
  // plane parses none), a non-multicast target; and, as the data plane's suppression (issue 14)
  // requires, exactly one option, the source link-layer address (address resolution has it).
  if (
    ip6.hopLimit !== 255 ||
    icmp.code !== 0 ||
    issues.length > 0 ||
    (ip6.extensionHeaders?.length ?? 0) > 0 ||
    // The body after the 8-byte ICMPv6 header (type, code, checksum, 4 reserved bytes: the layer's
    // restOfHeader) is the 16-byte target, then the option (type, length in 8-byte units, MAC).
    body.length !== 16 + 8 ||
    body[0] === 0xff ||
    body[16] !== OPTION_SOURCE_LINK_LAYER ||
    body[17] !== 1
  )
    return 'invalid';
  const targetIp = formatIpv6(body, 0);
  if (ip6.src === '::') return 'duplicate-address-detection';
  return { kind: 'ns', senderMac: eth.src, senderIp: ip6.src, targetIp };
}

/** The ARP reply from `targetMac` (the owner of `request.targetIp`) to the requester. */
export function arpReply(request: NeighborRequest & { kind: 'arp' }, targetMac: string): Uint8Array {
  return buildFrame([
    { kind: 'ethernet', dst: request.senderMac, src: targetMac, etherType: ETHERTYPE_ARP },
    {
      kind: 'arp',
      operation: ARP_REPLY,
      senderMac: targetMac,
      senderIp: request.targetIp,
      targetMac: request.senderMac,
      targetIp: request.senderIp,
    },
  ]);
}

/**
 * The Neighbor Advertisement from `targetMac` answering `request` (RFC 4861 7.2.4): unicast to the
 * soliciting address, hop limit 255, Solicited and Override set, with the target link-layer address
 * option.
 */
export function neighborAdvertisement(
  request: NeighborRequest & { kind: 'ns' },
  targetMac: string,
): Uint8Array {
  const body = new Uint8Array(16 + 8);
  body.set(parseIpv6(request.targetIp), 0);
  body[16] = OPTION_TARGET_LINK_LAYER;
  body[17] = 1; // in units of 8 bytes
  body.set(parseMac(targetMac), 18);
  return buildFrame([
    { kind: 'ethernet', dst: request.senderMac, src: targetMac },
    { kind: 'ipv6', src: request.targetIp, dst: request.senderIp, hopLimit: 255 },
    { kind: 'icmpv6', type: ICMPV6_NEIGHBOR_ADVERTISEMENT, code: 0, restOfHeader: NA_SOLICITED_OVERRIDE },
    { kind: 'payload', data: body },
  ]);
}
