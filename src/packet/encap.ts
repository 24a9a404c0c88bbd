/**
 * Geneve encapsulation and decapsulation of Ethernet frames: outer Ethernet + IPv4/IPv6 + UDP
 * (destination port 6081) + Geneve around an inner frame, and the reverse.
 */
import { isIpv4, isIpv6 } from './addresses.js';
import { buildFrame } from './build.js';
import { flowHash, flowSourcePort } from './flow-hash.js';
import { parseFrame } from './parse.js';
import {
  EtherType,
  GENEVE_UDP_PORT,
  type GeneveLayer,
  type GeneveOption,
  type Ipv4Layer,
  type Ipv6Layer,
  type Layer,
  type UdpLayer,
} from './types.js';

/** Outer (underlay) addressing for {@link encapsulate}. */
export interface OuterHeaders {
  srcMac: string;
  dstMac: string;
  /** IPv4 or IPv6; both addresses must be of the same family. */
  srcIp: string;
  dstIp: string;
  /** IPv4 TTL or IPv6 hop limit, default 64. */
  ttl?: number;
  /** IPv4 DF bit, default true (tunnel endpoints should not fragment, RFC 8926 section 4.1.1). */
  dontFragment?: boolean;
  /** IPv6 flow label, default the inner frame's flow hash (RFC 6438), as the VTEP sets it. */
  flowLabel?: number;
  /** Outer ECN field (IPv4 ECN bits, IPv6 traffic class low bits), default 0 (Not-ECT). */
  ecn?: number;
}

/** Options of {@link encapsulate}. */
export interface EncapsulateOptions {
  /** Virtual Network Identifier, 24 bits. */
  vni: number;
  outer: OuterHeaders;
  /** Geneve options, in order; the C bit is set exactly when one is critical. */
  options?: readonly GeneveOption[];
  /** Outer UDP source port; default {@link flowSourcePort} of the inner frame. */
  udpSourcePort?: number;
  /** Geneve O bit (control/OAM packet), default false. */
  oam?: boolean;
}

/**
 * Wraps an inner Ethernet frame in Geneve. The outer IPv4 total length and header checksum are
 * computed; the outer UDP checksum is 0 over IPv4 (allowed by RFC 8926) and computed over IPv6
 * (with the RFC 8200 pseudo header). Throws a TypeError for mismatched or invalid addresses and a
 * PacketBuildError for out-of-range fields.
 */
export function encapsulate(inner: Uint8Array, opts: EncapsulateOptions): Uint8Array {
  if (!(inner instanceof Uint8Array)) throw new TypeError('encapsulate: inner frame must be a Uint8Array');
  const { outer } = opts;
  const v4 = isIpv4(outer.srcIp);
  if (v4 ? !isIpv4(outer.dstIp) : !(isIpv6(outer.srcIp) && isIpv6(outer.dstIp))) {
    throw new TypeError(
      `encapsulate: outer.srcIp '${outer.srcIp}' and outer.dstIp '${outer.dstIp}' must both be IPv4 or both IPv6 addresses`,
    );
  }
  const ttl = outer.ttl ?? 64;
  const ip: Ipv4Layer | Ipv6Layer = v4
    ? {
        kind: 'ipv4',
        src: outer.srcIp,
        dst: outer.dstIp,
        ttl,
        dontFragment: outer.dontFragment ?? true,
        ecn: outer.ecn ?? 0,
      }
    : {
        kind: 'ipv6',
        src: outer.srcIp,
        dst: outer.dstIp,
        hopLimit: ttl,
        trafficClass: outer.ecn ?? 0,
        // RFC 6438: the flow label carries the inner flow's entropy, as the VTEP sets it.
        flowLabel: outer.flowLabel ?? flowHash(inner),
      };
  const udp: UdpLayer = {
    kind: 'udp',
    srcPort: opts.udpSourcePort ?? flowSourcePort(inner),
    dstPort: GENEVE_UDP_PORT,
    checksum: v4 ? 0 : undefined,
  };
  const geneve: GeneveLayer = {
    kind: 'geneve',
    vni: opts.vni,
    oam: opts.oam ?? false,
    protocolType: EtherType.TransparentEthernet,
    options: opts.options === undefined ? undefined : [...opts.options],
  };
  const layers: Layer[] = [
    { kind: 'ethernet', dst: outer.dstMac, src: outer.srcMac },
    ip,
    udp,
    geneve,
    { kind: 'payload', data: inner },
  ];
  return buildFrame(layers);
}

/** Outer header facts of a decapsulated packet. */
export interface OuterInfo {
  srcMac: string;
  dstMac: string;
  /** VLAN IDs of any 802.1Q tags, outermost first. */
  vlanIds: number[];
  ipVersion: 4 | 6;
  srcIp: string;
  dstIp: string;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  udpSourcePort: number;
  udpDestinationPort: number;
}

/** Result of {@link decapsulate}. */
export interface Decapsulated {
  vni: number;
  options: GeneveOption[];
  /** Geneve Protocol Type of the inner packet (0x6558 for Ethernet). */
  protocolType: number;
  oam: boolean;
  critical: boolean;
  /** The encapsulated packet: a view into the input bytes. */
  inner: Uint8Array;
  outer: OuterInfo;
}

/** Thrown by {@link decapsulate} when the input is not a valid Geneve packet. */
export class DecapsulationError extends Error {
  constructor(
    message: string,
    /** Byte offset of the problem in the input. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DecapsulationError';
  }
}

/**
 * Strips outer Ethernet (and VLAN tags), IPv4/IPv6, UDP and Geneve headers. Throws a
 * {@link DecapsulationError} naming the problem and its offset when the packet is not Geneve or
 * any outer header is malformed (including bad checksums).
 */
export function decapsulate(bytes: Uint8Array): Decapsulated {
  const { layers, issues } = parseFrame(bytes, { decodeInner: false });
  if (issues.length > 0) {
    const first = issues[0];
    throw new DecapsulationError(
      `not a valid Geneve packet: ${first.layer}.${first.field} at offset ${first.offset}: ${first.message}`,
      first.offset,
    );
  }
  let i = 0;
  const eth = layers[i++];
  if (eth?.kind !== 'ethernet')
    throw new DecapsulationError('not a valid Geneve packet: no Ethernet header', 0);
  const vlanIds: number[] = [];
  for (let tag = layers[i]; tag?.kind === 'vlan'; tag = layers[++i]) vlanIds.push(tag.vid);
  const ip = layers[i++];
  if (ip?.kind !== 'ipv4' && ip?.kind !== 'ipv6') {
    throw new DecapsulationError(
      `not a valid Geneve packet: EtherType 0x${(eth.etherType ?? 0).toString(16)} is not IP`,
      12,
    );
  }
  const udp = layers[i++];
  const geneve = layers[i++];
  if (udp?.kind !== 'udp' || geneve?.kind !== 'geneve') {
    throw new DecapsulationError(
      `not a valid Geneve packet: the ${ip.kind} payload is not UDP to port ${GENEVE_UDP_PORT}`,
      14 + 4 * vlanIds.length,
    );
  }
  const rest = layers[i];
  const inner = rest?.kind === 'payload' ? rest.data : bytes.subarray(bytes.length, bytes.length);
  return {
    vni: geneve.vni,
    options: geneve.options ?? [],
    protocolType: geneve.protocolType ?? 0,
    oam: geneve.oam ?? false,
    critical: geneve.critical ?? false,
    inner,
    outer: {
      srcMac: eth.src,
      dstMac: eth.dst,
      vlanIds,
      ipVersion: ip.kind === 'ipv4' ? 4 : 6,
      srcIp: ip.src,
      dstIp: ip.dst,
      ttl: (ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit) ?? 0,
      udpSourcePort: udp.srcPort,
      udpDestinationPort: udp.dstPort ?? 0,
    },
  };
}
