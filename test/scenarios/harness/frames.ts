/**
 * Frames for scenarios, built with the packet model, and the frames the contract
 * (docs/DATAPLANE.md) says must come out. Expectations are computed here, independently of
 * the code under test: the flow hash uses Node's zlib CRC-32 over the documented key.
 */
import { crc32 } from 'node:zlib';
import {
  buildFrame,
  findLayer,
  type GeneveOption,
  type Layer,
  parseFrame,
  parseIp,
  parseMac,
} from '../../../src/packet/index.js';
import { SECURITY_OPTION, UNDERLAY } from './vtep.js';

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
  const payload: Layer = { kind: 'payload', data: new Uint8Array(spec.payloadLength ?? 32).fill(spec.fill ?? 0x5a) };
  if (spec.ip) {
    layers.push(
      spec.ip.src.includes(':')
        ? { kind: 'ipv6', src: spec.ip.src, dst: spec.ip.dst, ...(spec.l4 ? {} : { nextHeader: EXPERIMENT_PROTOCOL }) }
        : { kind: 'ipv4', src: spec.ip.src, dst: spec.ip.dst, ...(spec.l4 ? {} : { protocol: EXPERIMENT_PROTOCOL }) },
    );
    if (spec.l4?.protocol === 'udp') layers.push({ kind: 'udp', srcPort: spec.l4.srcPort, dstPort: spec.l4.dstPort });
    if (spec.l4?.protocol === 'tcp') layers.push({ kind: 'tcp', srcPort: spec.l4.srcPort, dstPort: spec.l4.dstPort });
  } else {
    layers[layers.length - 1] = { ...layers[layers.length - 1], etherType: 0x88b5 } as Layer;
  }
  layers.push(payload);
  return buildFrame(layers);
}

/** The same frame without its 802.1Q tag (what the overlay carries). */
export function untagged(frame: Uint8Array): Uint8Array {
  if (frame[12] !== 0x81 || frame[13] !== 0x00) return frame;
  const out = new Uint8Array(frame.length - 4);
  out.set(frame.subarray(0, 12), 0);
  out.set(frame.subarray(16), 12);
  return out;
}

/** The frame with an 802.1Q tag (PCP 0, DEI 0) inserted after the MACs. */
export function tagged(frame: Uint8Array, vid: number): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12), 0);
  out.set([0x81, 0x00, (vid >> 8) & 0x0f, vid & 0xff], 12);
  out.set(frame.subarray(12), 16);
  return out;
}

/**
 * The flow hash of docs/DATAPLANE.md: low 16 bits of CRC-32 over dst MAC, src MAC, EtherType,
 * src IP and dst IP (128 bits each, IPv4 zero-extended), IP protocol, L4 source and destination
 * ports (zero unless the L4 header follows a 20-byte first-fragment IPv4 header or the IPv6 header).
 */
export function expectedFlowHash(inner: Uint8Array): number {
  const key = new Uint8Array(51);
  key.set(inner.subarray(0, 12), 0);
  key.set(inner.subarray(12, 14), 12);
  const parsed = parseFrame(inner);
  const ip4 = findLayer(parsed.layers, 'ipv4');
  const ip6 = findLayer(parsed.layers, 'ipv6');
  let protocol = 0;
  let l4Parsed = false;
  if (ip4) {
    key.set(parseIp(ip4.src).bytes, 14 + 12);
    key.set(parseIp(ip4.dst).bytes, 30 + 12);
    protocol = ip4.protocol ?? 0;
    l4Parsed = (ip4.ihl ?? 5) === 5 && (ip4.fragmentOffset ?? 0) === 0;
  } else if (ip6) {
    key.set(parseIp(ip6.src).bytes, 14);
    key.set(parseIp(ip6.dst).bytes, 30);
    protocol = ip6.nextHeader ?? 0;
    l4Parsed = true;
  }
  key[46] = protocol;
  const l4 = findLayer(parsed.layers, 'udp') ?? findLayer(parsed.layers, 'tcp');
  if (l4Parsed && l4 && (protocol === 6 || protocol === 17)) {
    key[47] = l4.srcPort >> 8;
    key[48] = l4.srcPort & 0xff;
    const dst = l4.dstPort ?? 0;
    key[49] = dst >> 8;
    key[50] = dst & 0xff;
  }
  return crc32(key) & 0xffff;
}

export interface ExpectedEncap {
  vni: number;
  remoteVtep: string;
  localVtep?: string;
  securityId?: number;
  critical?: boolean;
  /** Extra options the frame must carry instead of the default security option. */
  options?: GeneveOption[];
  omitOption?: boolean;
  srcMac?: string;
  dstMac?: string;
}

export function securityOption(id: number, critical = false): GeneveOption {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, id >>> 0);
  return { optionClass: SECURITY_OPTION.optionClass, type: SECURITY_OPTION.type, critical, data };
}

/** The exact packet the VTEP must send for `inner` (docs/DATAPLANE.md, rule 4). */
export function expectedEncap(inner: Uint8Array, e: ExpectedEncap): Uint8Array {
  const v6 = e.remoteVtep.includes(':');
  const hash = expectedFlowHash(inner);
  const options = e.omitOption ? [] : (e.options ?? [securityOption(e.securityId ?? 0, e.critical ?? false)]);
  const layers: Layer[] = [
    { kind: 'ethernet', dst: e.dstMac ?? UNDERLAY.nextHopMac, src: e.srcMac ?? UNDERLAY.uplinkMac },
    v6
      ? {
          kind: 'ipv6',
          src: e.localVtep ?? UNDERLAY.localVtep6,
          dst: e.remoteVtep,
          flowLabel: hash,
          hopLimit: 64,
        }
      : {
          kind: 'ipv4',
          src: e.localVtep ?? UNDERLAY.localVtep4,
          dst: e.remoteVtep,
          ttl: 64,
          dontFragment: true,
          identification: 0,
        },
    { kind: 'udp', srcPort: 0xc000 | (hash & 0x3fff), dstPort: 6081, ...(v6 ? {} : { checksum: 0 }) },
    { kind: 'geneve', vni: e.vni, protocolType: 0x6558, options },
    { kind: 'payload', data: inner },
  ];
  return buildFrame(layers);
}

export function macBytes(mac: string): Uint8Array {
  return parseMac(mac);
}
