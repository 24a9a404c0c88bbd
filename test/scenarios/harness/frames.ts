/**
 * Frames for scenarios, built with the packet model, and the frames the contract
 * (docs/DATAPLANE.md) says must come out. Expectations are computed here, independently of
 * the code under test: they come from the reference model (model.ts).
 */
import {
  buildFrame,
  encapsulate,
  type GeneveOption,
  type Layer,
  parseMac,
} from '../../../src/packet/index.js';
import {
  encapsulatedFrame,
  frameFacts,
  parseLikeVtep,
  securityIdOption,
  withoutTag,
  withTag,
} from './model.js';
import { UNDERLAY } from './vtep.js';

/** IP protocol 253, reserved for experimentation (RFC 3692): an IP payload with no L4 header we parse. */
export const EXPERIMENT_PROTOCOL = 253;

export interface TenantFrameSpec {
  dst: string;
  src: string;
  vlan?: number;
  ip?: { src: string; dst: string };
  l4?: { protocol: 'udp' | 'tcp'; srcPort: number; dstPort: number };
  /** Payload bytes after the headers (default 32). */
  payloadLength?: number;
  /** Fill byte of the payload, so frames are told apart (default 0x5a). */
  fill?: number;
}

/** A tenant frame: Ethernet [802.1Q] [IPv4|IPv6 [UDP|TCP]] payload. */
export function tenantFrame(spec: TenantFrameSpec): Uint8Array {
  const layers: Layer[] = [{ kind: 'ethernet', dst: spec.dst, src: spec.src }];
  if (spec.vlan !== undefined) layers.push({ kind: 'vlan', vid: spec.vlan });
  const payload: Layer = {
    kind: 'payload',
    data: new Uint8Array(spec.payloadLength ?? 32).fill(spec.fill ?? 0x5a),
  };
  if (spec.ip) {
    layers.push(
      spec.ip.src.includes(':')
        ? {
            kind: 'ipv6',
            src: spec.ip.src,
            dst: spec.ip.dst,
            ...(spec.l4 ? {} : { nextHeader: EXPERIMENT_PROTOCOL }),
          }
        : {
            kind: 'ipv4',
            src: spec.ip.src,
            dst: spec.ip.dst,
            ...(spec.l4 ? {} : { protocol: EXPERIMENT_PROTOCOL }),
          },
    );
    if (spec.l4?.protocol === 'udp')
      layers.push({ kind: 'udp', srcPort: spec.l4.srcPort, dstPort: spec.l4.dstPort });
    if (spec.l4?.protocol === 'tcp')
      layers.push({ kind: 'tcp', srcPort: spec.l4.srcPort, dstPort: spec.l4.dstPort });
  } else {
    layers[layers.length - 1] = { ...layers[layers.length - 1], etherType: 0x88b5 } as Layer;
  }
  layers.push(payload);
  return buildFrame(layers);
}

/** The same frame without its 802.1Q tag (what the overlay carries). */
export function untagged(frame: Uint8Array): Uint8Array {
  return frame[12] === 0x81 && frame[13] === 0x00 ? withoutTag(frame) : frame;
}

/** The frame with an 802.1Q tag (PCP 0, DEI 0) inserted after the MACs. */
export const tagged = withTag;

/** The flow hash of docs/DATAPLANE.md, computed by the reference model. */
export function expectedFlowHash(inner: Uint8Array): number {
  return frameFacts(inner, parseLikeVtep(inner).frame).flowHash;
}

export interface ExpectedEncap {
  vni: number;
  remoteVtep: string;
  localVtep?: string;
  securityId?: number;
  critical?: boolean;
  omitOption?: boolean;
}

export function securityOption(id: number, critical = false): GeneveOption {
  return securityIdOption(id, critical);
}

/** The exact packet the VTEP must send for `inner` (docs/DATAPLANE.md, rule 4). */
export function expectedEncap(inner: Uint8Array, e: ExpectedEncap): Uint8Array {
  const v6 = e.remoteVtep.includes(':');
  const facts = frameFacts(inner, parseLikeVtep(inner).frame);
  return encapsulatedFrame(inner, facts.flowHash, {
    ecn: facts.ecn,
    vni: e.vni,
    local: e.localVtep ?? (v6 ? UNDERLAY.localVtep6 : UNDERLAY.localVtep4),
    remote: e.remoteVtep,
    ...(e.omitOption ? {} : { option: securityIdOption(e.securityId ?? 0, e.critical ?? false) }),
  });
}

export function macBytes(mac: string): Uint8Array {
  return parseMac(mac);
}

/** Security ID the reference fabric's remote VTEPs put in their option (tests pick other IDs explicitly). */
export const REMOTE_SECURITY_ID = 900;

/**
 * A Geneve packet as a remote VTEP sends it to us: from its underlay next hop to our uplink MAC,
 * from `from` (default 10.0.0.2, R1 of the reference fabric) to our VTEP address of that family.
 */
export function fromRemoteVtep(
  inner: Uint8Array,
  o: {
    vni: number;
    from?: string;
    to?: string;
    options?: GeneveOption[];
    oam?: boolean;
    udpSourcePort?: number;
    /** Outer ECN field (rule 12), default Not-ECT. */
    outerEcn?: number;
  },
): Uint8Array {
  const from = o.from ?? '10.0.0.2';
  const v6 = from.includes(':');
  return encapsulate(inner, {
    vni: o.vni,
    outer: {
      srcMac: UNDERLAY.nextHopMac,
      dstMac: UNDERLAY.uplinkMac,
      srcIp: from,
      dstIp: o.to ?? (v6 ? UNDERLAY.localVtep6 : UNDERLAY.localVtep4),
      ...(o.outerEcn !== undefined ? { ecn: o.outerEcn } : {}),
    },
    options: o.options ?? [securityIdOption(REMOTE_SECURITY_ID, false)],
    ...(o.oam ? { oam: true } : {}),
    ...(o.udpSourcePort !== undefined ? { udpSourcePort: o.udpSourcePort } : {}),
  });
}
