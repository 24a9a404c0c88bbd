/** Human-readable, one-line-per-layer rendering of frames, in the style of tshark's summary tree. */
import { parseFrame } from './parse.js';
import type {
  GeneveOption,
  Ipv6ExtensionHeader,
  Layer,
  ParsedFrame,
  ParseIssue,
  TcpOption,
} from './types.js';

const ETHER_TYPE_NAMES: Record<number, string> = {
  2048: 'IPv4',
  2054: 'ARP',
  33024: '802.1Q',
  34984: '802.1ad',
  37120: '802.1Q (legacy QinQ)',
  34525: 'IPv6',
  25944: 'Transparent Ethernet bridging',
};

const IP_PROTOCOL_NAMES: Record<number, string> = {
  0: 'Hop-by-Hop',
  1: 'ICMP',
  4: 'IPv4',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'Routing',
  44: 'Fragment',
  51: 'AH',
  58: 'ICMPv6',
  59: 'No Next Header',
  60: 'Destination Options',
};

const ICMPV4_TYPES: Record<number, string> = {
  0: 'Echo reply',
  3: 'Destination unreachable',
  5: 'Redirect',
  8: 'Echo request',
  11: 'Time exceeded',
};

const ICMPV6_TYPES: Record<number, string> = {
  1: 'Destination unreachable',
  2: 'Packet too big',
  3: 'Time exceeded',
  128: 'Echo request',
  129: 'Echo reply',
  133: 'Router solicitation',
  134: 'Router advertisement',
  135: 'Neighbor solicitation',
  136: 'Neighbor advertisement',
};

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];
const TCP_OPTION_NAMES: Record<number, string> = {
  1: 'NOP',
  2: 'MSS',
  3: 'WS',
  4: 'SACK_PERM',
  5: 'SACK',
  8: 'TS',
};

function hex(value: number | undefined, digits: number): string {
  return value === undefined ? '?' : '0x' + value.toString(16).padStart(digits, '0');
}

function named(names: Record<number, string>, value: number | undefined, digits: number): string {
  if (value === undefined) return '?';
  const name = names[value];
  const number = digits > 0 ? hex(value, digits) : String(value);
  return name === undefined ? number : `${name} (${number})`;
}

function bytesHex(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += b.toString(16).padStart(2, '0');
  return s;
}

function tcpOption(opt: TcpOption): string {
  const name = TCP_OPTION_NAMES[opt.kind] ?? `kind ${opt.kind}`;
  if (opt.data.length === 0) return name;
  const view = new DataView(opt.data.buffer, opt.data.byteOffset, opt.data.byteLength);
  if (opt.kind === 2 && opt.data.length === 2) return `MSS=${view.getUint16(0)}`;
  if (opt.kind === 3 && opt.data.length === 1) return `WS=${opt.data[0]}`;
  if (opt.kind === 8 && opt.data.length === 8) return `TS=${view.getUint32(0)}/${view.getUint32(4)}`;
  return `${name}=${bytesHex(opt.data)}`;
}

function geneveOption(opt: GeneveOption): string {
  const typeByte = (opt.critical ? 0x80 : 0) | opt.type;
  return (
    `class=${hex(opt.optionClass, 4)} type=${hex(typeByte, 2)}${opt.critical ? ' (critical)' : ''}` +
    ` len=${opt.length ?? opt.data.length / 4} data=${bytesHex(opt.data)}`
  );
}

function extension(ext: Ipv6ExtensionHeader): string {
  return IP_PROTOCOL_NAMES[ext.protocol] ?? String(ext.protocol);
}

function trailer(data: Uint8Array | undefined): string {
  return data === undefined || data.length === 0 ? '' : `, Trailer: ${data.length} bytes`;
}

/** One summary line for a layer. */
export function formatLayer(layer: Layer): string {
  switch (layer.kind) {
    case 'ethernet':
      return (
        `Ethernet II, Src: ${layer.src}, Dst: ${layer.dst}, Type: ${named(ETHER_TYPE_NAMES, layer.etherType, 4)}` +
        trailer(layer.trailer)
      );
    case 'vlan':
      return (
        `802.1Q Virtual LAN, PRI: ${layer.pcp ?? 0}, DEI: ${layer.dei ? 1 : 0}, ID: ${layer.vid}, ` +
        `Type: ${named(ETHER_TYPE_NAMES, layer.etherType, 4)}`
      );
    case 'arp': {
      const op =
        layer.operation === 1 ? 'request' : layer.operation === 2 ? 'reply' : `opcode ${layer.operation}`;
      return (
        `Address Resolution Protocol (${op}), Sender: ${layer.senderMac} (${layer.senderIp}), ` +
        `Target: ${layer.targetMac} (${layer.targetIp})`
      );
    }
    case 'ipv4': {
      const flags = [
        layer.reservedFlag ? 'RB' : '',
        layer.dontFragment ? 'DF' : '',
        layer.moreFragments ? 'MF' : '',
      ]
        .filter((f) => f)
        .join(',');
      const options =
        layer.options && layer.options.length > 0 ? `, Options: ${layer.options.length} bytes` : '';
      return (
        `Internet Protocol Version 4, Src: ${layer.src}, Dst: ${layer.dst}, TTL: ${layer.ttl ?? '?'}, ` +
        `Proto: ${named(IP_PROTOCOL_NAMES, layer.protocol, 0)}, Len: ${layer.totalLength ?? '?'}, ` +
        `ID: ${hex(layer.identification, 4)}, Flags: ${flags || 'none'}, Frag: ${layer.fragmentOffset ?? 0}, ` +
        `Checksum: ${hex(layer.checksum, 4)}${options}${trailer(layer.trailer)}`
      );
    }
    case 'ipv6': {
      const exts = layer.extensionHeaders ?? [];
      return (
        `Internet Protocol Version 6, Src: ${layer.src}, Dst: ${layer.dst}, Hop Limit: ${layer.hopLimit ?? '?'}, ` +
        `Next Header: ${named(IP_PROTOCOL_NAMES, layer.nextHeader, 0)}, Payload Len: ${layer.payloadLength ?? '?'}` +
        (exts.length > 0 ? `, Ext: [${exts.map(extension).join(', ')}]` : '') +
        trailer(layer.trailer)
      );
    }
    case 'udp':
      return (
        `User Datagram Protocol, Src Port: ${layer.srcPort}, Dst Port: ${layer.dstPort ?? '?'}, ` +
        `Len: ${layer.length ?? '?'}, Checksum: ${hex(layer.checksum, 4)}`
      );
    case 'tcp': {
      const flags = TCP_FLAG_NAMES.filter((_, bit) => ((layer.flags ?? 0) >> bit) & 1);
      const options = layer.options ?? [];
      return (
        `Transmission Control Protocol, Src Port: ${layer.srcPort}, Dst Port: ${layer.dstPort}, ` +
        `Seq: ${layer.seq ?? 0}, Ack: ${layer.ack ?? 0}, Flags: [${flags.join(', ')}], Win: ${layer.window ?? '?'}, ` +
        `Hdr Len: ${layer.dataOffset === undefined ? '?' : layer.dataOffset * 4}, Checksum: ${hex(layer.checksum, 4)}` +
        (options.length > 0 ? `, Options: [${options.map(tcpOption).join(', ')}]` : '')
      );
    }
    case 'icmpv4':
    case 'icmpv6': {
      const name =
        layer.kind === 'icmpv4'
          ? 'Internet Control Message Protocol'
          : 'Internet Control Message Protocol v6';
      const types = layer.kind === 'icmpv4' ? ICMPV4_TYPES : ICMPV6_TYPES;
      return (
        `${name}, Type: ${named(types, layer.type, 0)}, Code: ${layer.code ?? 0}, ` +
        `Checksum: ${hex(layer.checksum, 4)}, Rest: ${hex(layer.restOfHeader, 8)}`
      );
    }
    case 'geneve': {
      const flags = [layer.oam ? 'O' : '', layer.critical ? 'C' : ''].filter((f) => f).join(',');
      const options = layer.options ?? [];
      return (
        `Generic Network Virtualization Encapsulation, Version: ${layer.version ?? 0}, ` +
        `VNI: ${hex(layer.vni, 6)} (${layer.vni}), Proto: ${named(ETHER_TYPE_NAMES, layer.protocolType, 4)}, ` +
        `Opt Len: ${layer.optionsLength ?? '?'}, Flags: ${flags || 'none'}` +
        (options.length > 0 ? `, Options: [${options.map(geneveOption).join('; ')}]` : '') +
        trailer(layer.trailer)
      );
    }
    case 'payload':
      return `Data (${layer.data.length} bytes)`;
  }
}

/** One line for a parse issue. */
export function formatIssue(issue: ParseIssue): string {
  return `[${issue.code}] ${issue.layer}.${issue.field} at offset ${issue.offset}: ${issue.message}`;
}

/**
 * Renders a frame one line per layer (outermost first), followed by one `!`-prefixed line per
 * parse issue. Accepts raw bytes (parsed first) or a parse result.
 */
export function formatFrame(frame: Uint8Array | ParsedFrame): string {
  const parsed = frame instanceof Uint8Array ? parseFrame(frame) : frame;
  const lines = parsed.layers.map(formatLayer);
  for (const issue of parsed.issues) lines.push('! ' + formatIssue(issue));
  return lines.join('\n');
}
