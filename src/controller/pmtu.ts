/**
 * Path MTU discovery for tenants: a frame too large for the uplink once encapsulated is punted to
 * the controller (packet-in reason MTU), which answers the sender with ICMPv4 "fragmentation
 * needed" (RFC 792 type 3 code 4, next-hop MTU per RFC 1191) or ICMPv6 "packet too big" (RFC 4443
 * type 2, RFC 8201), carrying the tenant's real path MTU: the uplink's IP MTU minus the Geneve
 * overhead (outer IP, UDP, Geneve with the security option, the inner Ethernet header).
 * The answer is built byte by byte here and sent by packet-out from the port the frame came in on.
 */

/** Outer UDP (8) + Geneve base header (8) + security-ID option (4 header + 4 data) + inner Ethernet (14). */
const GENEVE_OVERHEAD = 8 + 8 + 8 + 14;
const OUTER_IP = { 4: 20, 6: 40 } as const;

/** The largest inner IP packet an uplink of IP MTU `mtu` carries, over an IPv4 or IPv6 underlay. */
export function tenantPathMtu(uplinkMtu: number, underlay: 4 | 6): number {
  return uplinkMtu - OUTER_IP[underlay] - GENEVE_OVERHEAD;
}

function sum16(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let s = initial;
  for (let i = start; i + 1 < end; i += 2) s += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) s += bytes[end - 1] << 8;
  return s;
}
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** The IP packet in a tenant frame (after an optional 802.1Q tag), or undefined. */
function ipOf(frame: Uint8Array): { offset: number; version: 4 | 6 } | undefined {
  if (frame.length < 14) return undefined;
  let offset = 12;
  let type = (frame[offset] << 8) | frame[offset + 1];
  if (type === 0x8100 && frame.length >= 18) {
    offset += 4;
    type = (frame[offset] << 8) | frame[offset + 1];
  }
  offset += 2;
  if (type === 0x0800 && frame.length >= offset + 20 && frame[offset] >> 4 === 4)
    return { offset, version: 4 };
  if (type === 0x86dd && frame.length >= offset + 40 && frame[offset] >> 4 === 6)
    return { offset, version: 6 };
  return undefined;
}

export type PmtuSkip = 'not-ip' | 'fragment-allowed' | 'icmp-error' | 'too-short';

/**
 * The ICMP answer to a too-large tenant frame, addressed from the frame's destination to its
 * sender (MAC and IP swapped), untagged; or why none is due: not IP, IPv4 without DF (RFC 1191 asks
 * only about DF packets), an ICMP error itself (RFC 1122 3.2.2: never answer an error).
 */
export function pmtuAnswer(frame: Uint8Array, pathMtu: number): Uint8Array | PmtuSkip {
  const ip = ipOf(frame);
  if (!ip) return 'not-ip';
  const eth = new Uint8Array(14);
  eth.set(frame.subarray(6, 12), 0); // to the sender
  eth.set(frame.subarray(0, 6), 6); // from the address it tried to reach
  const o = ip.offset;
  if (ip.version === 4) {
    const ihl = (frame[o] & 0x0f) * 4;
    if (ihl < 20 || frame.length < o + ihl) return 'too-short';
    const df = (frame[o + 6] & 0x40) !== 0;
    if (!df) return 'fragment-allowed';
    if (frame[o + 9] === 1) {
      const type = frame[o + ihl];
      if (type !== 0 && type !== 8 && type !== 13 && type !== 15 && type !== 17) return 'icmp-error';
    }
    // RFC 792: the original IP header and the first 64 bits of its data.
    const quoted = frame.subarray(o, Math.min(frame.length, o + ihl + 8));
    const icmpLength = 8 + quoted.length;
    const out = new Uint8Array(14 + 20 + icmpLength);
    out.set(eth, 0);
    out[12] = 0x08;
    out[13] = 0x00;
    const h = 14;
    out[h] = 0x45;
    const total = 20 + icmpLength;
    out[h + 2] = total >> 8;
    out[h + 3] = total & 0xff;
    out[h + 6] = 0x40; // DF: an ICMP error is never fragmented on the way back
    out[h + 8] = 64; // TTL
    out[h + 9] = 1; // ICMP
    out.set(frame.subarray(o + 16, o + 20), h + 12); // source: the original destination
    out.set(frame.subarray(o + 12, o + 16), h + 16); // destination: the sender
    const ipSum = fold(sum16(out, h, h + 20));
    out[h + 10] = ipSum >> 8;
    out[h + 11] = ipSum & 0xff;
    const c = h + 20;
    out[c] = 3; // destination unreachable
    out[c + 1] = 4; // fragmentation needed and DF set
    out[c + 6] = (pathMtu >> 8) & 0xff; // next-hop MTU (RFC 1191)
    out[c + 7] = pathMtu & 0xff;
    out.set(quoted, c + 8);
    const icmpSum = fold(sum16(out, c, out.length));
    out[c + 2] = icmpSum >> 8;
    out[c + 3] = icmpSum & 0xff;
    return out;
  }
  if (frame[o + 6] === 58 && frame.length > o + 40 && frame[o + 40] < 128) return 'icmp-error';
  // RFC 4443 2.4(c): as much of the invoking packet as fits in the minimum IPv6 MTU (1280).
  const quoted = frame.subarray(o, Math.min(frame.length, o + 1280 - 40 - 8));
  const icmpLength = 8 + quoted.length;
  const out = new Uint8Array(14 + 40 + icmpLength);
  out.set(eth, 0);
  out[12] = 0x86;
  out[13] = 0xdd;
  const h = 14;
  out[h] = 0x60;
  out[h + 4] = icmpLength >> 8;
  out[h + 5] = icmpLength & 0xff;
  out[h + 6] = 58; // ICMPv6
  out[h + 7] = 64; // hop limit
  out.set(frame.subarray(o + 24, o + 40), h + 8); // source: the original destination
  out.set(frame.subarray(o + 8, o + 24), h + 24); // destination: the sender
  const c = h + 40;
  out[c] = 2; // packet too big
  out[c + 4] = (pathMtu >>> 24) & 0xff;
  out[c + 5] = (pathMtu >>> 16) & 0xff;
  out[c + 6] = (pathMtu >>> 8) & 0xff;
  out[c + 7] = pathMtu & 0xff;
  out.set(quoted, c + 8);
  // Checksum over the pseudo header (RFC 8200 8.1): addresses, length, next header.
  let pseudo = sum16(out, h + 8, h + 40);
  pseudo += icmpLength + 58;
  const sum = fold(sum16(out, c, out.length, pseudo));
  out[c + 2] = sum >> 8;
  out[c + 3] = sum & 0xff;
  return out;
}

/** A token bucket: at most `rate` answers per second, bursts of `burst` (RFC 4443 2.4(f)). */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
