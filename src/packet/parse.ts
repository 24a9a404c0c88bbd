/**
 * Frame parser: decodes Ethernet frames layer by layer without throwing on any input. Each decoder
 * checks the bytes it needs, records problems as issues with offsets, and returns which decoder
 * comes next; whatever cannot be decoded further ends up in a final `payload` layer.
 */
import { parseArp } from './arp.js';
import { viewOf } from './checksum.js';
import { Decoder, type DecoderId, emitPayload, type ParseState } from './codec.js';
import { parseEthernet, parseVlan } from './ethernet.js';
import { parseGeneve } from './geneve.js';
import { parseIcmpv4, parseIcmpv6 } from './icmp.js';
import { parseIpv4 } from './ipv4.js';
import { parseIpv6 } from './ipv6.js';
import { parseTcp } from './tcp.js';
import type { ParsedFrame } from './types.js';
import { parseUdp } from './udp.js';

/** Options of {@link parseFrame}. */
export interface ParseOptions {
  /** Verify IPv4 header, UDP, TCP and ICMP checksums (default true). */
  verifyChecksums?: boolean;
  /** Decode what a Geneve header encapsulates (default true); when false it stays a payload layer. */
  decodeInner?: boolean;
}

function step(st: ParseState, decoder: DecoderId): DecoderId {
  switch (decoder) {
    case Decoder.Ethernet:
      return parseEthernet(st);
    case Decoder.Vlan:
      return parseVlan(st);
    case Decoder.Arp:
      return parseArp(st);
    case Decoder.Ipv4:
      return parseIpv4(st);
    case Decoder.Ipv6:
      return parseIpv6(st);
    case Decoder.Udp:
      return parseUdp(st);
    case Decoder.Tcp:
      return parseTcp(st);
    case Decoder.Icmpv4:
      return parseIcmpv4(st);
    case Decoder.Icmpv6:
      return parseIcmpv6(st);
    case Decoder.Geneve:
      return parseGeneve(st);
    default:
      return emitPayload(st);
  }
}

/**
 * Decodes an Ethernet frame (as captured, without FCS). Never throws on hostile bytes: the result
 * holds the layers decoded as far as they are valid plus the list of problems found. Byte-array
 * fields of the layers are views into `bytes` (zero-copy), so they change if `bytes` does.
 */
export function parseFrame(bytes: Uint8Array, options?: ParseOptions): ParsedFrame {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseFrame expects a Uint8Array');
  const st: ParseState = {
    bytes,
    view: viewOf(bytes),
    layers: [],
    issues: [],
    offset: 0,
    end: bytes.length,
    container: -1,
    containerStart: 0,
    verifyChecksums: options?.verifyChecksums ?? true,
    decodeInner: options?.decodeInner ?? true,
    ipVersion: 0,
    ipSrcOffset: 0,
    ipDstOffset: 0,
    transportIncomplete: false,
  };
  let decoder: DecoderId = Decoder.Ethernet;
  while (decoder !== Decoder.Done) decoder = step(st, decoder);
  return { layers: st.layers, issues: st.issues };
}
