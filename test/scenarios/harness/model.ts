/**
 * A reference model of docs/DATAPLANE.md, written from the contract, independent of the P4
 * program and of the targets. Given the operator's intent and one frame on one port it says
 * exactly which frames leave which ports. The isolation and robustness suites compare every
 * target against it.
 *
 * `parseLikeVtep` follows the parser's documented reach (which headers are looked at, in which
 * order, and what a short packet does), because what is parsed decides both the policy key and
 * whether a truncated packet can be delivered.
 */
import { crc32 } from 'node:zlib';
import type { DropReason } from '../../../src/controller/reasons.js';
import {
  buildFrame,
  formatIpv4,
  formatIpv6,
  type GeneveOption,
  type Layer,
  parseIp,
} from '../../../src/packet/index.js';
import { SECURITY_OPTION, UNDERLAY } from './vtep.js';

// ------------------------------------------------------------------ intent

export interface VportIntent {
  port: number;
  mac: string;
  vlan: number; // 0 = untagged
  vport: number;
  vni: number;
  securityId: number;
}

export interface RemoteVtepIntent {
  address: string;
  /** Uplink its route uses. */
  port: number;
  /**
   * Equal-cost next hops of its route (underlay ECMP), in the route's member order: the flow hash
   * modulo their number picks one (rule 16). Omitted: `port` and the MACs below.
   */
  nextHops?: Array<{ port: number; srcMac?: string; nextHopMac?: string }>;
  tunnelId: number;
  /** Outer MACs of packets to it (default the reference fabric's UNDERLAY MACs). */
  srcMac?: string;
  nextHopMac?: string;
}

export interface TenantIntent {
  vni: number;
  slot: number;
  unknownId: number;
  /** Remote VTEPs that are members, and whether their security IDs are trusted. */
  members: Array<{ address: string; trusted: boolean }>;
  /** Workloads behind remote VTEPs. */
  remoteMacs: Array<{ mac: string; address: string }>;
  /** BUM flooding configured (multicast group id). */
  floodGroup?: number;
  /** (IP, MAC) bindings the VTEP answers ARP / Neighbor Solicitations with (rule 15). */
  neighbors?: Array<{ ip: string; mac: string }>;
  /** A request for an address without a binding: flooded as any frame (default) or dropped. */
  unknownNeighbor?: 'flood' | 'drop';
}

export interface PolicyRuleIntent {
  vni: number;
  src?: number;
  dst?: number;
  protocol?: number;
  ports?: [number, number];
  allow: boolean;
  priority: number;
}

export interface FabricIntent {
  accessPorts: number[];
  uplinks: number[];
  /** Each uplink's own MAC (rule 6); an uplink not listed has the reference fabric's UNDERLAY MAC. */
  uplinkMacs?: Record<number, string>;
  localVteps: string[];
  vports: VportIntent[];
  remoteVteps: RemoteVtepIntent[];
  tenants: TenantIntent[];
  policies: PolicyRuleIntent[];
  option: {
    critical: boolean;
    /** The received option that carries the security ID (rule 17); default the data plane's. */
    recognized?: { optionClass: number; type: number };
  };
  /**
   * Who answers ARP requests and Neighbor Solicitations: the data plane (rule 15, the default
   * build) or the controller (rule 15a, a build with NEIGHBOR_SUPPRESSION 0 as the Tofino wrappers
   * make it: requests are marked by the parser and punted, reason NEIGHBOR).
   */
  neighborSuppression?: NeighborSuppression;
  /**
   * Packets the ingress punt meter (rule 13: GENEVE_OAM, BUM, NEIGHBOR) lets through, configured
   * with a burst of that many and no refill; each punt the model decides (every call of decide,
   * process or fate is one decision) takes one, and a punt
   * beyond is dropped, OAM_PUNT_METER. Omitted: an unconfigured meter, everything passes.
   */
  ingressPuntBurst?: number;
}

export type NeighborSuppression = 'dataplane' | 'controller';

export interface ModelOutput {
  port: number;
  bytes: Uint8Array;
}

// ------------------------------------------------------------------ parsing as the VTEP does

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) =>
  ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const mac = (b: Uint8Array, o: number) =>
  Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
const hexAddr = (b: Uint8Array, o: number, n: number) => Buffer.from(b.subarray(o, o + n)).toString('hex');

export interface FrameHeaders {
  /** Offset of the byte after the last header parsed in this frame. */
  end: number;
  ethernet?: { dst: string; src: string; type: number };
  vlan?: { vid: number; type: number };
  ipv4?: {
    off: number;
    ihl: number;
    frag: number;
    moreFragments: boolean;
    totalLength: number;
    ecn: number;
    protocol: number;
    src: Uint8Array;
    dst: Uint8Array;
    checksumOk: boolean;
  };
  ipv6?: {
    off: number;
    nextHeader: number;
    payloadLength: number;
    ecn: number;
    hopLimit: number;
    src: Uint8Array;
    dst: Uint8Array;
  };
  /** ARP for IPv4 over Ethernet; `request` when the parser deems it answerable (rule 15). */
  arp?: { off: number; request: boolean; sha: string; spa: Uint8Array; tpa: Uint8Array };
  /** A Neighbor Solicitation with one source link-layer address option, 32 bytes of ICMPv6. */
  nd?: { off: number; request: boolean; target: Uint8Array };
  /**
   * Rule 15a's mark (controller profile, outer frame only; nothing extracted): ARP for IPv4 over
   * Ethernet with lengths 6 and 4 and operation 1, or ICMPv6 type 135 with hop limit 255 and 32
   * bytes of ICMPv6.
   */
  neighborRequest?: boolean;
  tcp?: { src: number; dst: number };
  udp?: { off: number; src: number; dst: number; length: number };
}

/** Words of Geneve options the VTEP parses (GENEVE_MAX_OPTION_WORDS in p4/include/constants.p4). */
export const GENEVE_MAX_OPTION_WORDS = 8;

export type GeneveVerdict = 'ok' | 'bad-version' | 'bad-protocol' | 'bad-option-length' | 'unknown-critical';

export interface VtepParse {
  frame: FrameHeaders;
  geneve?: { off: number; oam: boolean; vni: number; verdict: GeneveVerdict; securityId?: number };
  /** Start of the inner frame and its headers, when the options were all read. */
  inner?: { off: number; headers: FrameHeaders };
  /** The packet ended inside a header the parser extracts. */
  truncated: boolean;
}

class Short extends Error {}

function need(bytes: Uint8Array, off: number, n: number): void {
  if (off + n > bytes.length) throw new Short();
}

function ipv4ChecksumOk(b: Uint8Array, off: number): boolean {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += u16(b, off + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/**
 * How far ARP and ICMPv6 are parsed: taken whole for rule 15 (`dataplane`), only marked from a
 * look at their first bytes for rule 15a (`controller`), or left payload (`none`: requests inside
 * tunnels of the controller profile).
 */
type NeighborParse = NeighborSuppression | 'none';

/** Ethernet [one 802.1Q] [IPv4 | IPv6 [TCP ports | UDP]], filling `h` as far as it gets. */
function parseFrameHeaders(
  b: Uint8Array,
  start: number,
  h: FrameHeaders,
  allowVlan: boolean,
  neighbors: NeighborParse = 'dataplane',
): void {
  let off = start;
  need(b, off, 14);
  h.ethernet = { dst: mac(b, off), src: mac(b, off + 6), type: u16(b, off + 12) };
  off += 14;
  h.end = off;
  let type = h.ethernet.type;
  if (allowVlan && type === 0x8100) {
    need(b, off, 4);
    h.vlan = { vid: u16(b, off) & 0x0fff, type: u16(b, off + 2) };
    type = h.vlan.type;
    off += 4;
    h.end = off;
  }
  let l4: number | undefined;
  if (type === 0x0800) {
    need(b, off, 20);
    const ihl = b[off] & 0x0f;
    const frag = u16(b, off + 6) & 0x1fff;
    const protocol = b[off + 9];
    h.ipv4 = {
      off,
      ihl,
      frag,
      moreFragments: (b[off + 6] & 0x20) !== 0,
      totalLength: u16(b, off + 2),
      ecn: b[off + 1] & 0x03,
      protocol,
      src: b.slice(off + 12, off + 16),
      dst: b.slice(off + 16, off + 20),
      checksumOk: ipv4ChecksumOk(b, off),
    };
    off += 20;
    h.end = off;
    if (ihl === 5 && frag === 0 && (protocol === 6 || protocol === 17)) l4 = protocol;
  } else if (type === 0x86dd) {
    need(b, off, 40);
    h.ipv6 = {
      off,
      nextHeader: b[off + 6],
      payloadLength: u16(b, off + 4),
      ecn: (b[off + 1] >> 4) & 0x03,
      hopLimit: b[off + 7],
      src: b.slice(off + 8, off + 24),
      dst: b.slice(off + 24, off + 40),
    };
    off += 40;
    h.end = off;
    if (h.ipv6.nextHeader === 6 || h.ipv6.nextHeader === 17) l4 = h.ipv6.nextHeader;
    if (h.ipv6.nextHeader === 58 && neighbors === 'controller') {
      // Rule 15a: the type is looked at (one byte), nothing is extracted.
      need(b, off, 1);
      h.neighborRequest = b[off] === 135 && h.ipv6.payloadLength === 32 && h.ipv6.hopLimit === 255;
    } else if (h.ipv6.nextHeader === 58 && neighbors === 'dataplane') {
      // ICMPv6: its 4-byte header; a solicitation of exactly 32 bytes with hop limit 255 in full.
      need(b, off, 4);
      h.end = off + 4;
      if (b[off] === 135 && h.ipv6.payloadLength === 32 && h.ipv6.hopLimit === 255) {
        need(b, off, 32);
        h.end = off + 32;
        const request = b[off + 1] === 0 && b[off + 24] === 1 && b[off + 25] === 1;
        h.nd = { off, request, target: b.slice(off + 8, off + 24) };
      }
    }
  } else if (type === 0x0806 && neighbors === 'controller') {
    // Rule 15a: the first 4 bytes, then bytes 4-7 of ARP for IPv4 over Ethernet, are looked at.
    need(b, off, 4);
    if (u32(b, off) === 0x00010800) {
      need(b, off, 8);
      h.neighborRequest = u32(b, off + 4) === 0x06040001;
    }
  } else if (type === 0x0806 && neighbors === 'dataplane') {
    // ARP: the first 4 bytes are looked at; only IPv4 over Ethernet is taken (28 bytes).
    need(b, off, 4);
    if (u32(b, off) === 0x00010800) {
      need(b, off, 28);
      h.end = off + 28;
      const request = b[off + 4] === 6 && b[off + 5] === 4 && u16(b, off + 6) === 1;
      h.arp = {
        off,
        request,
        sha: mac(b, off + 8),
        spa: b.slice(off + 14, off + 18),
        tpa: b.slice(off + 24, off + 28),
      };
    }
  }
  if (l4 === 6) {
    need(b, off, 4);
    h.tcp = { src: u16(b, off), dst: u16(b, off + 2) };
    h.end = off + 4;
  } else if (l4 === 17) {
    need(b, off, 8);
    h.udp = { off, src: u16(b, off), dst: u16(b, off + 2), length: u16(b, off + 4) };
    h.end = off + 8;
  }
}

/** Parses a frame the way the VTEP's parser does (docs/DATAPLANE.md, "Parsing limits"). */
export function parseLikeVtep(
  b: Uint8Array,
  recognized: { optionClass: number; type: number } = SECURITY_OPTION,
  neighbors: NeighborSuppression = 'dataplane',
): VtepParse {
  const result: VtepParse = { frame: { end: 0 }, truncated: false };
  // Requests inside tunnels are parsed only where the data plane answers them (rule 15a).
  const inner: NeighborParse = neighbors === 'dataplane' ? 'dataplane' : 'none';
  try {
    parseFrameHeaders(b, 0, result.frame, true, neighbors);
    const udp = result.frame.udp;
    if (udp?.dst !== 6081) return result;
    let off = udp.off + 8;
    need(b, off, 8);
    const version = b[off] >> 6;
    const optWords = b[off] & 0x3f;
    const geneve: NonNullable<VtepParse['geneve']> = {
      off,
      oam: (b[off + 1] & 0x80) !== 0,
      vni: (b[off + 4] << 16) | (b[off + 5] << 8) | b[off + 6],
      verdict: 'ok',
    };
    result.geneve = geneve;
    const protocol = u16(b, off + 2);
    off += 8;
    if (version !== 0) {
      geneve.verdict = 'bad-version';
      return result;
    }
    if (protocol !== 0x6558) {
      geneve.verdict = 'bad-protocol';
      return result;
    }
    // The parser walks at most GENEVE_MAX_OPTION_WORDS words (docs/DATAPLANE.md, "Parsing limits").
    if (optWords > GENEVE_MAX_OPTION_WORDS) {
      geneve.verdict = 'bad-option-length';
      return result;
    }
    let left = optWords;
    // The options are walked by length alone; an option header with the critical bit that is not
    // the recognized option makes the verdict, before any length problem (rule 7), once the walk
    // is over (a packet that ends inside the options is truncated whatever it held).
    let unknownCritical = false;
    const verdictAfterOptions = (lengthVerdict: GeneveVerdict) => {
      geneve.verdict = unknownCritical ? 'unknown-critical' : lengthVerdict;
    };
    while (left > 0) {
      need(b, off, 4);
      const optClass = u16(b, off);
      const type = b[off + 2] & 0x7f;
      const critical = (b[off + 2] & 0x80) !== 0;
      const words = b[off + 3] & 0x1f;
      const reserved = b[off + 3] >> 5;
      off += 4;
      const isSecurity =
        optClass === recognized.optionClass && type === recognized.type && reserved === 0 && words === 1;
      if (!isSecurity && critical) unknownCritical = true;
      // An option that cannot fit in the bound is refused on its header; otherwise data words are
      // read one by one, so a truncated packet ends the parse before an overrun shows.
      const index = optWords - left;
      if (index + 1 + words > GENEVE_MAX_OPTION_WORDS) {
        verdictAfterOptions('bad-option-length');
        return result;
      }
      for (let d = 0; d < words; d++) {
        if (1 + d >= left) {
          verdictAfterOptions('bad-option-length');
          return result;
        }
        need(b, off + d * 4, 4);
      }
      if (isSecurity && geneve.securityId === undefined) geneve.securityId = u32(b, off);
      off += words * 4;
      left -= 1 + words;
    }
    if (unknownCritical) {
      // The parser goes on to the inner frame; a packet too short for it is a parser error.
      verdictAfterOptions('ok');
      parseFrameHeaders(b, off, { end: off }, false, inner);
      return result;
    }
    result.inner = { off, headers: { end: off } };
    // The inner frame is parsed without a VLAN tag (an inner tag stays payload).
    parseFrameHeaders(b, off, result.inner.headers, false, inner);
  } catch (e) {
    if (!(e instanceof Short)) throw e;
    result.truncated = true;
  }
  return result;
}

// ------------------------------------------------------------------ frame facts and the flow hash

export interface FrameFacts {
  protocol: number;
  l4DstPort: number;
  flowHash: number;
  /** The frame's ECN field (rule 12); 0 (Not-ECT) when it is not IP as the parser sees it. */
  ecn: number;
}

/** Policy key extras and the flow hash of a (tenant) frame, from its parsed headers. */
export function frameFacts(frame: Uint8Array, h: FrameHeaders): FrameFacts {
  const key = new Uint8Array(51);
  key.set(frame.subarray(0, 12), 0);
  key[12] = (h.ethernet?.type ?? 0) >> 8;
  key[13] = (h.ethernet?.type ?? 0) & 0xff;
  let protocol = 0;
  if (h.ipv4) {
    key.set(h.ipv4.src, 14 + 12);
    key.set(h.ipv4.dst, 30 + 12);
    protocol = h.ipv4.protocol;
  } else if (h.ipv6) {
    key.set(h.ipv6.src, 14);
    key.set(h.ipv6.dst, 30);
    protocol = h.ipv6.nextHeader;
  }
  key[46] = protocol;
  const l4 = h.tcp ?? h.udp;
  if (l4) {
    key[47] = l4.src >> 8;
    key[48] = l4.src & 0xff;
    key[49] = l4.dst >> 8;
    key[50] = l4.dst & 0xff;
  }
  return {
    protocol,
    l4DstPort: l4?.dst ?? 0,
    flowHash: crc32(key) & 0xffff,
    ecn: h.ipv4?.ecn ?? h.ipv6?.ecn ?? 0,
  };
}

// ------------------------------------------------------------------ frame edits

export function withoutTag(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length - 4);
  out.set(frame.subarray(0, 12), 0);
  out.set(frame.subarray(16), 12);
  return out;
}

export function withTag(frame: Uint8Array, vid: number): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12), 0);
  out.set([0x81, 0x00, (vid >> 8) & 0x0f, vid & 0xff], 12);
  out.set(frame.subarray(12), 16);
  return out;
}

export function securityIdOption(id: number, critical: boolean): GeneveOption {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, id >>> 0);
  return { optionClass: SECURITY_OPTION.optionClass, type: SECURITY_OPTION.type, critical, data };
}

/** The Geneve packet the VTEP sends for `frame` (rule 4), given the frame's flow hash. */
export function encapsulatedFrame(
  frame: Uint8Array,
  flowHash: number,
  e: {
    vni: number;
    local: string;
    remote: string;
    option?: GeneveOption;
    srcMac?: string;
    nextHopMac?: string;
    /** Outer ECN: the tenant frame's (rule 12). */
    ecn?: number;
  },
): Uint8Array {
  const v6 = e.remote.includes(':');
  const ecn = e.ecn ?? 0;
  const layers: Layer[] = [
    { kind: 'ethernet', dst: e.nextHopMac ?? UNDERLAY.nextHopMac, src: e.srcMac ?? UNDERLAY.uplinkMac },
    v6
      ? { kind: 'ipv6', src: e.local, dst: e.remote, flowLabel: flowHash, hopLimit: 64, trafficClass: ecn }
      : { kind: 'ipv4', src: e.local, dst: e.remote, ttl: 64, dontFragment: true, identification: 0, ecn },
    { kind: 'udp', srcPort: 0xc000 | (flowHash & 0x3fff), dstPort: 6081, ...(v6 ? {} : { checksum: 0 }) },
    { kind: 'geneve', vni: e.vni, protocolType: 0x6558, options: e.option ? [e.option] : [] },
    { kind: 'payload', data: frame },
  ];
  const packet = buildFrame(layers);
  // A computed UDP checksum of 0 is sent as 0xFFFF (RFC 768), which is what the packet model
  // writes; v1model's csum16 leaves it 0 (docs/DATAPLANE.md, "Known limits"). A genuine checksum is
  // never 0xFFFF, so this undoes exactly that one substitution.
  const udpChecksum = 14 + 40 + 6;
  if (v6 && packet[udpChecksum] === 0xff && packet[udpChecksum + 1] === 0xff)
    packet.fill(0, udpChecksum, udpChecksum + 2);
  return packet;
}

// ------------------------------------------------------------------ the model

function parseMacBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(':'), (x) => Number.parseInt(x, 16));
}

function ipKey(address: string): string {
  return Buffer.from(parseIp(address).bytes).toString('hex');
}

export class VtepModel {
  private readonly vportByKey = new Map<string, VportIntent>();
  private readonly localVteps = new Set<string>();
  private readonly tenants = new Map<number, TenantIntent>();
  private readonly remoteByAddress = new Map<string, RemoteVtepIntent>();

  constructor(readonly intent: FabricIntent) {
    for (const v of intent.vports) this.vportByKey.set(`${v.port}/${v.mac}/${v.vlan}`, v);
    for (const a of intent.localVteps) this.localVteps.add(ipKey(a));
    for (const t of intent.tenants) this.tenants.set(t.vni, t);
    for (const r of intent.remoteVteps) this.remoteByAddress.set(ipKey(r.address), r);
    this.ingressPuntsLeft = intent.ingressPuntBurst;
  }

  private localVtepFor(remote: string): string {
    const v6 = remote.includes(':');
    const local = this.intent.localVteps.find((a) => a.includes(':') === v6);
    if (!local) throw new Error(`model: no local VTEP of the family of ${remote}`);
    return local;
  }

  private policyAllows(vni: number, src: number, dst: number, facts: FrameFacts): boolean {
    const matching = this.intent.policies
      .filter(
        (r) =>
          r.vni === vni &&
          (r.src === undefined || r.src === src) &&
          (r.dst === undefined || r.dst === dst) &&
          (r.protocol === undefined || r.protocol === facts.protocol) &&
          facts.l4DstPort >= (r.ports?.[0] ?? 0) &&
          facts.l4DstPort <= (r.ports?.[1] ?? 0xffff),
      )
      .sort((a, b) => b.priority - a.priority);
    return matching[0]?.allow ?? false;
  }

  private deliverLocal(v: VportIntent, frame: Uint8Array, src: number, facts: FrameFacts): ModelOutput[] {
    if (!this.policyAllows(v.vni, src, v.securityId, facts)) return [];
    return [{ port: v.port, bytes: v.vlan !== 0 ? withTag(frame, v.vlan) : frame }];
  }

  private encap(
    tenant: TenantIntent,
    remote: string,
    frame: Uint8Array,
    src: number,
    facts: FrameFacts,
    flooded = false,
  ): ModelOutput[] {
    const r = this.remoteByAddress.get(ipKey(remote));
    if (!r) return [];
    const udpLength = 8 + 8 + 8 + frame.length;
    if (udpLength + (remote.includes(':') ? 0 : 20) > 0xffff) {
      this.drops.push('ENCAP_LENGTH_OVERFLOW');
      return [];
    }
    // Unicast takes the next hop the flow hash picks among the route's (rule 16); a flood copy
    // leaves by its replica's fixed port.
    const hop =
      r.nextHops && !flooded
        ? r.nextHops[facts.flowHash % r.nextHops.length]
        : { port: r.port, srcMac: r.srcMac, nextHopMac: r.nextHopMac };
    return [
      {
        port: hop.port,
        bytes: encapsulatedFrame(frame, facts.flowHash, {
          vni: tenant.vni,
          local: this.localVtepFor(remote),
          remote,
          option: securityIdOption(src, this.intent.option.critical),
          ecn: facts.ecn,
          ...(hop.srcMac ? { srcMac: hop.srcMac } : {}),
          ...(hop.nextHopMac ? { nextHopMac: hop.nextHopMac } : {}),
        }),
      },
    ];
  }

  /** Drop reasons of the frame being processed (so far: uplink checks and encapsulation lengths). */
  private drops: DropReason[] = [];
  private punts: PuntedFrame[] = [];
  /** Green packets left in the ingress punt meter (rule 13), undefined when unconfigured. */
  private ingressPuntsLeft: number | undefined;

  private get neighborProfile(): NeighborSuppression {
    return this.intent.neighborSuppression ?? 'dataplane';
  }

  /** A punt decided in ingress, through the ingress punt meter (rule 13). */
  private punt(p: PuntedFrame): void {
    if (this.ingressPuntsLeft !== undefined) {
      if (this.ingressPuntsLeft === 0) {
        this.drops.push('OAM_PUNT_METER');
        return;
      }
      this.ingressPuntsLeft--;
    }
    this.punts.push(p);
  }

  /**
   * Neighbor suppression (rule 15): an answerable ARP request or Neighbor Solicitation in the
   * tenant is answered with the binding's MAC, dropped when its target has none and the tenant
   * drops those, else left to forwarding (undefined).
   */
  private neighborVerdict(
    tenant: TenantIntent | undefined,
    h: FrameHeaders,
  ): { mac: string } | 'drop' | undefined {
    if (!tenant) return undefined;
    let target: Uint8Array;
    if (h.arp?.request) {
      const probe = h.arp.spa.every((x) => x === 0);
      const gratuitous = h.arp.spa.every((x, i) => x === h.arp!.tpa[i]);
      if (probe || gratuitous) return undefined;
      target = h.arp.tpa;
    } else if (h.nd?.request && h.ipv6) {
      const dadLike = h.ipv6.src.subarray(0, 4).every((x) => x === 0);
      if (dadLike || h.nd.target[0] === 0xff) return undefined;
      target = h.nd.target;
    } else return undefined;
    const key = Buffer.from(target).toString('hex');
    const binding = (tenant.neighbors ?? []).find((n) => ipKey(n.ip) === key);
    if (binding) return { mac: binding.mac };
    return tenant.unknownNeighbor === 'drop' ? 'drop' : undefined;
  }

  /** The reply the VTEP builds (rule 15), from the request's fields; what followed the request stays. */
  private neighborReply(h: FrameHeaders, bytes: Uint8Array, answer: string): Uint8Array {
    const requester = h.ethernet!.src;
    if (h.arp) {
      return buildFrame([
        { kind: 'ethernet', dst: requester, src: answer },
        {
          kind: 'arp',
          operation: 2,
          senderMac: answer,
          senderIp: formatIpv4(h.arp.tpa),
          targetMac: h.arp.sha,
          targetIp: formatIpv4(h.arp.spa),
        },
        { kind: 'payload', data: bytes.subarray(h.arp.off + 28) },
      ]);
    }
    const nd = h.nd!;
    const body = new Uint8Array(24);
    body.set(nd.target, 0);
    body.set([2, 1], 16);
    body.set(parseMacBytes(answer), 18);
    const packet = buildFrame([
      { kind: 'ethernet', dst: requester, src: answer },
      { kind: 'ipv6', src: formatIpv6(nd.target), dst: formatIpv6(h.ipv6!.src), hopLimit: 255 },
      { kind: 'icmpv6', type: 136, code: 0, restOfHeader: 0x60000000 },
      { kind: 'payload', data: body },
    ]);
    const trailer = bytes.subarray(nd.off + 32);
    const out = new Uint8Array(packet.length + trailer.length);
    out.set(packet, 0);
    out.set(trailer, packet.length);
    return out;
  }

  /** The frames that leave the VTEP when `bytes` arrives on `port`. */
  process(port: number, bytes: Uint8Array): ModelOutput[] {
    return this.decide(port, bytes).outputs;
  }

  /**
   * What the VTEP does with `bytes` arriving on `port`: the frames that leave, how many copies the
   * pipeline finishes (see {@link fate}), the packet-ins, and the drop reasons the model knows
   * (rules 6, 7, 8, 11, 12, 13; other drops are not named here).
   */
  decide(port: number, bytes: Uint8Array): ModelDecision {
    this.drops = [];
    this.punts = [];
    let fate: { outputs: ModelOutput[]; copies: number } = { outputs: [], copies: 1 };
    if (this.intent.accessPorts.includes(port)) fate = this.fromAccess(port, bytes);
    else if (this.intent.uplinks.includes(port)) fate = this.fromUplink(port, bytes);
    return { ...fate, drops: this.drops, punts: this.punts };
  }

  /**
   * Rule 14: a packet-out leaves the port it names only when that port fits the port number
   * (below `firstInvalidPort`), is not the CPU port, and is configured (an access port or an
   * uplink); otherwise it is dropped with PACKET_OUT_PORT.
   */
  packetOut(
    port: number,
    cpuPort: number,
    firstInvalidPort: number,
  ): { port: number } | { drop: DropReason } {
    const configured = this.intent.accessPorts.includes(port) || this.intent.uplinks.includes(port);
    if (port >= firstInvalidPort || port === cpuPort || !configured) return { drop: 'PACKET_OUT_PORT' };
    return { port };
  }

  /**
   * The frames that leave, and how many copies of the frame the pipeline finishes: 1 for every
   * frame that is not flooded (it leaves a port, or is dropped and counted), and for a flooded
   * frame one per replica that is not pruned (each leaves, or is dropped by policy and counted;
   * pruned copies are not counted, docs/DATAPLANE.md rule 2). The harness waits for exactly that
   * many outputs, packet-ins and counted drops.
   */
  fate(port: number, bytes: Uint8Array): { outputs: ModelOutput[]; copies: number } {
    const { outputs, copies } = this.decide(port, bytes);
    return { outputs, copies };
  }

  private fromAccess(port: number, bytes: Uint8Array): { outputs: ModelOutput[]; copies: number } {
    const outputs = this.fromAccessUnicast(port, bytes);
    return Array.isArray(outputs) ? { outputs, copies: 1 } : outputs;
  }

  private fromUplink(port: number, bytes: Uint8Array): { outputs: ModelOutput[]; copies: number } {
    const outputs = this.fromUplinkUnicast(port, bytes);
    return Array.isArray(outputs) ? { outputs, copies: 1 } : outputs;
  }

  /** Outputs of a single-copy frame, or outputs and copies of a flooded one. */
  private fromAccessUnicast(
    port: number,
    bytes: Uint8Array,
  ): ModelOutput[] | { outputs: ModelOutput[]; copies: number } {
    const p = parseLikeVtep(bytes, SECURITY_OPTION, this.neighborProfile);
    const eth = p.frame.ethernet;
    if (!eth) return [];
    const vlan = p.frame.vlan?.vid ?? 0;
    const src = this.vportByKey.get(`${port}/${eth.src}/${vlan}`);
    if (!src) return [];
    const tenant = this.tenants.get(src.vni);
    const frame = p.frame.vlan ? withoutTag(bytes) : bytes;
    // Facts come from the frame as parsed, with the EtherType after the tag.
    const headers: FrameHeaders = p.frame.vlan
      ? { ...p.frame, ethernet: { ...eth, type: p.frame.vlan.type } }
      : p.frame;
    const facts = frameFacts(frame, headers);
    const neighbor = this.neighborVerdict(tenant, p.frame);
    if (neighbor === 'drop') {
      this.drops.push('UNKNOWN_NEIGHBOR');
      return [];
    }
    if (neighbor) {
      // Back out of the port it came in on, with the access tag it came with.
      const reply = this.neighborReply(p.frame, bytes, neighbor.mac);
      return [{ port, bytes: src.vlan !== 0 ? withTag(reply, src.vlan) : reply }];
    }
    const local = this.intent.vports.find((v) => v.vni === src.vni && v.mac === eth.dst);
    const remote = tenant?.remoteMacs.find((m) => m.mac === eth.dst);
    if (local) return local.vport === src.vport ? [] : this.deliverLocal(local, frame, src.securityId, facts);
    if (remote && tenant) return this.encap(tenant, remote.address, frame, src.securityId, facts);
    const group = (Number.parseInt(eth.dst.slice(0, 2), 16) & 1) === 1;
    if (p.frame.neighborRequest) {
      // Rule 15a: a marked request whose delivery would be flooding or nothing goes to the
      // controller, without its access tag, through the ingress punt meter (rule 13).
      this.punt({ reason: 'NEIGHBOR', bytes: frame });
      return [];
    }
    if (!group || tenant?.floodGroup === undefined) return [];
    const out: ModelOutput[] = [];
    let copies = 0;
    for (const v of this.intent.vports) {
      if (v.vni === src.vni && v.vport !== src.vport) {
        out.push(...this.deliverLocal(v, frame, src.securityId, facts));
        copies++;
      }
    }
    for (const m of tenant.members) {
      out.push(...this.encap(tenant, m.address, frame, src.securityId, facts, true));
      copies++;
    }
    return { outputs: out, copies };
  }

  private uplinkMac(port: number): string {
    return this.intent.uplinkMacs?.[port] ?? UNDERLAY.uplinkMac;
  }

  private fromUplinkUnicast(
    port: number,
    bytes: Uint8Array,
  ): ModelOutput[] | { outputs: ModelOutput[]; copies: number } {
    const t = terminate(
      bytes,
      this.uplinkMac(port),
      this.localVteps,
      this.intent.option.recognized,
      this.neighborProfile,
    );
    if ('drop' in t) {
      this.drops.push(t.drop);
      return [];
    }
    const p = t.parse;
    const geneve = p.geneve!;
    const tenant = this.tenants.get(geneve.vni);
    if (!tenant) {
      this.drops.push('UNKNOWN_VNI');
      return [];
    }
    const { ipv4, ipv6 } = p.frame;
    const srcAddr = Buffer.from(ipv4 ? ipv4.src : ipv6!.src).toString('hex');
    const member = tenant.members.find((m) => ipKey(m.address) === srcAddr);
    if (!member) {
      this.drops.push('VTEP_NOT_MEMBER');
      return [];
    }
    if (geneve.oam) {
      // Rule 13: whole, as received.
      this.punt({ reason: 'GENEVE_OAM', bytes });
      return [];
    }
    const inner = p.inner!;
    const outerEcn = ipv4 ? ipv4.ecn : ipv6!.ecn;
    // The ECN change is made on the headers as parsed, then the frame is cut at its length (rule 10).
    const changed = decapsulatedEcn(bytes.subarray(inner.off), inner.headers, inner.off, outerEcn);
    if (!changed) {
      this.drops.push('ECN_CE_ON_NOT_ECT');
      return [];
    }
    const frame = changed.subarray(0, t.innerLength);
    const srcId = member.trusted && geneve.securityId !== undefined ? geneve.securityId : tenant.unknownId;
    // Policy and the flow hash see the headers as parsed (docs/DATAPLANE.md, "Parsing limits").
    const facts = frameFacts(bytes.subarray(inner.off), inner.headers);
    const dstMac = inner.headers.ethernet!.dst;
    const neighbor = this.neighborVerdict(tenant, inner.headers);
    if (neighbor === 'drop') {
      this.drops.push('UNKNOWN_NEIGHBOR');
      return [];
    }
    if (neighbor) {
      // Rule 15: back through the tunnel it came from, the outer addresses and MACs swapped, with
      // the VNI's unknown ID; the request is what the UDP length says (rule 10).
      const request = bytes.subarray(0, inner.off + t.innerLength);
      const reply = this.neighborReply(inner.headers, request, neighbor.mac);
      const format = (a: Uint8Array) => (a.length === 4 ? formatIpv4(a) : formatIpv6(a));
      const outerSrc = ipv4 ? ipv4.src : ipv6!.src;
      const outerDst = ipv4 ? ipv4.dst : ipv6!.dst;
      return [
        {
          port,
          bytes: encapsulatedFrame(reply, facts.flowHash, {
            vni: tenant.vni,
            local: format(outerDst),
            remote: format(outerSrc),
            option: securityIdOption(tenant.unknownId, this.intent.option.critical),
            srcMac: p.frame.ethernet!.dst,
            nextHopMac: p.frame.ethernet!.src,
          }),
        },
      ];
    }
    const local = this.intent.vports.find((v) => v.vni === tenant.vni && v.mac === dstMac);
    if (local) return this.deliverLocal(local, frame, srcId, facts);
    if (tenant.remoteMacs.some((m) => m.mac === dstMac)) return [];
    const group = (Number.parseInt(dstMac.slice(0, 2), 16) & 1) === 1;
    if (!group || tenant.floodGroup === undefined) return [];
    // Copies to remote VTEPs are pruned (split horizon): one copy per local vport of the VNI.
    const vports = this.intent.vports.filter((v) => v.vni === tenant.vni);
    return {
      outputs: vports.flatMap((v) => this.deliverLocal(v, frame, srcId, facts)),
      copies: vports.length,
    };
  }
}

export interface PuntedFrame {
  reason: 'GENEVE_OAM' | 'MTU_EXCEEDED' | 'NEIGHBOR';
  bytes: Uint8Array;
}

export interface ModelDecision {
  outputs: ModelOutput[];
  /** Copies the pipeline finishes (see VtepModel.fate). */
  copies: number;
  drops: DropReason[];
  punts: PuntedFrame[];
}

// ------------------------------------------------------------------ rules 6 and 7: termination

/** IPv6 extension headers the parser does not walk (rule 6 step 4); 44 (Fragment) is step 6. */
const IPV6_OPTION_HEADERS = new Set([0, 43, 60]);

/**
 * Rules 6 and 7 for a frame on an uplink, in the contract's order: the first failing check is the
 * reason. On success, the parse and the tenant frame's length (UDP length - 16 - 4 x Opt Len).
 */
export function terminate(
  bytes: Uint8Array,
  uplinkMac: string,
  localVteps: ReadonlySet<string>,
  recognized: { optionClass: number; type: number } = SECURITY_OPTION,
  neighbors: NeighborSuppression = 'dataplane',
): { drop: DropReason } | { parse: VtepParse; innerLength: number } {
  if (bytes.length < 14) return { drop: 'PARSER_ERROR' };
  const p = parseLikeVtep(bytes, recognized, neighbors);
  const { ethernet, ipv4, ipv6, udp } = p.frame;
  if (ethernet?.dst !== uplinkMac.toLowerCase()) return { drop: 'NOT_FOR_UPLINK_MAC' };
  const dst = ipv4 ? ipv4.dst : ipv6?.dst;
  if (!dst || !localVteps.has(Buffer.from(dst).toString('hex'))) return { drop: 'NOT_FOR_LOCAL_VTEP' };
  if (ipv4 ? ipv4.ihl !== 5 : IPV6_OPTION_HEADERS.has(ipv6!.nextHeader)) return { drop: 'OUTER_IP_OPTIONS' };
  if (ipv4 && !ipv4.checksumOk) return { drop: 'OUTER_IPV4_CHECKSUM' };
  if (ipv4 ? ipv4.moreFragments || ipv4.frag !== 0 : ipv6!.nextHeader === 44)
    return { drop: 'OUTER_FRAGMENT' };
  const l3 = ipv4 ? ipv4.off : ipv6!.off;
  const headerLength = ipv4 ? 20 : 40;
  const datagram = ipv4 ? ipv4.totalLength : 40 + ipv6!.payloadLength;
  const protocol = ipv4 ? ipv4.protocol : ipv6!.nextHeader;
  if (
    datagram > bytes.length - l3 ||
    datagram < headerLength ||
    (protocol === 17 && datagram < headerLength + 8)
  )
    return { drop: 'OUTER_LENGTH' };
  if (protocol !== 17 || !udp || udp.dst !== 6081) return { drop: 'NOT_FOR_LOCAL_VTEP' };
  if (udp.length !== datagram - headerLength) return { drop: 'OUTER_LENGTH' };
  // Rule 7. The whole datagram is in the frame, so the parse below never runs short inside it.
  const udpPayload = udp.length - 8;
  if (udpPayload < 8 || !p.geneve) return { drop: 'PARSER_ERROR' };
  const verdict = p.geneve.verdict;
  if (verdict === 'bad-version') return { drop: 'GENEVE_VERSION' };
  if (verdict === 'bad-protocol') return { drop: 'GENEVE_PROTOCOL' };
  const optionBytes = 4 * (bytes[p.geneve.off] & 0x3f);
  if (optionBytes > udpPayload - 8) return { drop: 'GENEVE_OPTION_LENGTH' };
  if (verdict === 'unknown-critical') return { drop: 'GENEVE_CRITICAL_OPTION' };
  if (verdict === 'bad-option-length') return { drop: 'GENEVE_OPTION_LENGTH' };
  const innerLength = udpPayload - 8 - optionBytes;
  if (innerLength < 14 || !p.inner?.headers.ethernet) return { drop: 'PARSER_ERROR' };
  return { parse: p, innerLength };
}

// ------------------------------------------------------------------ rule 12: ECN at decapsulation

export const ECN = { NOT_ECT: 0, ECT1: 1, ECT0: 2, CE: 3 } as const;

/** RFC 6040 section 4.2, figure 4: the inner ECN after decapsulation, or undefined for "drop". */
export function combineEcn(inner: number, outer: number): number | undefined {
  if (inner === ECN.NOT_ECT) return outer === ECN.CE ? undefined : ECN.NOT_ECT;
  if (inner === ECN.CE || outer === ECN.CE) return ECN.CE;
  if (outer === ECN.ECT1) return ECN.ECT1;
  return inner;
}

/** Ones'-complement 16-bit sum (RFC 1071). */
function onesAdd(a: number, b: number): number {
  const s = a + b;
  return (s & 0xffff) + (s >>> 16);
}

/**
 * The tenant frame with its ECN field as rule 12 says (a copy when it changes), or undefined when
 * the combination is a drop. An IPv4 header checksum is updated as RFC 1624 equation 3 does.
 * `h` holds offsets from `base` (the frame starts at `base` in the packet it was parsed from).
 */
export function decapsulatedEcn(
  frame: Uint8Array,
  h: FrameHeaders,
  base: number,
  outerEcn: number,
): Uint8Array | undefined {
  const innerEcn = h.ipv4?.ecn ?? h.ipv6?.ecn ?? ECN.NOT_ECT;
  const ecn = combineEcn(innerEcn, outerEcn);
  if (ecn === undefined) return undefined;
  if (ecn === innerEcn) return frame;
  const out = frame.slice();
  if (h.ipv4) {
    const o = h.ipv4.off - base;
    const oldWord = u16(out, o);
    out[o + 1] = (out[o + 1] & 0xfc) | ecn;
    const newWord = u16(out, o);
    const hc = u16(out, o + 10);
    const sum = onesAdd(onesAdd(~hc & 0xffff, ~oldWord & 0xffff), newWord);
    const checksum = ~sum & 0xffff;
    out[o + 10] = checksum >> 8;
    out[o + 11] = checksum & 0xff;
  } else if (h.ipv6) {
    const o = h.ipv6.off - base;
    out[o + 1] = (out[o + 1] & 0xcf) | (ecn << 4);
  }
  return out;
}

export { hexAddr };
