/**
 * The frame model: a frame is an ordered list of layers, outermost first, each layer enclosing
 * every layer after it (a VLAN tag is a header inside its Ethernet frame). A `payload` layer, if
 * present, is last and holds the remaining raw bytes.
 *
 * Fields marked "computed" may be left undefined when building: `buildFrame` fills them in
 * (lengths, checksums, next-protocol fields). Given explicitly, they are written as is, so tests can
 * craft wrong values on purpose. `parseFrame` fills every field except `trailer`, which it sets
 * only when there are trailing bytes. Byte-array fields of parsed layers are zero-copy views into
 * the parsed buffer.
 */

/** EtherType values this model knows. */
export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QinQ: 0x88a8,
  VLANLegacyQinQ: 0x9100,
  IPv6: 0x86dd,
  /** Transparent Ethernet Bridging: Geneve protocol type for an inner Ethernet frame. */
  TransparentEthernet: 0x6558,
} as const;

/** IP protocol / IPv6 next header numbers this model knows. */
export const IpProtocol = {
  HopByHop: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  Routing: 43,
  Fragment: 44,
  AH: 51,
  ICMPv6: 58,
  NoNextHeader: 59,
  DestinationOptions: 60,
} as const;

/** IANA UDP port for Geneve (RFC 8926 section 3.3). */
export const GENEVE_UDP_PORT = 6081;

/** TCP flag bits, as in the `flags` field of {@link TcpLayer}. */
export const TcpFlags = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** Accurate ECN (formerly NS), RFC 9768. */
  AE: 0x100,
} as const;

/** Ethernet II header. */
export interface EthernetLayer {
  kind: 'ethernet';
  /** Destination MAC, `aa:bb:cc:dd:ee:ff`. */
  dst: string;
  /** Source MAC. */
  src: string;
  /** Computed from the next layer (VLAN 0x8100, IPv4, IPv6, ARP) when undefined. */
  etherType?: number;
  /** Bytes after the enclosed network packet (Ethernet padding). */
  trailer?: Uint8Array;
}

/** One 802.1Q tag. Its TPID is the `etherType` of the layer before it. */
export interface VlanLayer {
  kind: 'vlan';
  /** Priority code point, 3 bits, default 0. */
  pcp?: number;
  /** Drop eligible indicator, default false. */
  dei?: boolean;
  /** VLAN identifier, 12 bits. */
  vid: number;
  /** EtherType of what follows the tag; computed like {@link EthernetLayer.etherType}. */
  etherType?: number;
}

/** ARP for Ethernet and IPv4 (hardware length 6, protocol length 4). */
export interface ArpLayer {
  kind: 'arp';
  /** Default 1 (Ethernet). */
  hardwareType?: number;
  /** Default 0x0800. */
  protocolType?: number;
  /** 1 request, 2 reply. */
  operation: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** IPv4 header (RFC 791). */
export interface Ipv4Layer {
  kind: 'ipv4';
  /** Header length in 32-bit words; computed from `options`. */
  ihl?: number;
  /** Default 0. */
  dscp?: number;
  /** Default 0. */
  ecn?: number;
  /** Computed: header plus everything enclosed. */
  totalLength?: number;
  /** Default 0. */
  identification?: number;
  /** The reserved ("evil") flag bit, default false. */
  reservedFlag?: boolean;
  /** Default false. */
  dontFragment?: boolean;
  /** Default false. */
  moreFragments?: boolean;
  /** In 8-byte units, default 0. */
  fragmentOffset?: number;
  /** Default 64. */
  ttl?: number;
  /** Computed from the next layer (UDP, TCP, ICMP). */
  protocol?: number;
  /** Header checksum, computed. */
  checksum?: number;
  src: string;
  dst: string;
  /** Raw option bytes; padded with zero (End of Options List) to a multiple of 4 when built. */
  options?: Uint8Array;
  /** Bytes inside the datagram after the enclosed transport packet (e.g. a short UDP length). */
  trailer?: Uint8Array;
}

/**
 * An IPv6 extension header. `data` is everything after its first two bytes (next header and
 * length), so its length is 8n+6 for Hop-by-Hop, Routing and Destination Options, 4n+2 (n >= 1) for
 * AH, and exactly 6 for Fragment (whose second byte is reserved and written as zero).
 */
export interface Ipv6ExtensionHeader {
  /** Which header this is: 0, 43, 44, 51 or 60. */
  protocol: number;
  /** Computed from the following extension header or upper layer. */
  nextHeader?: number;
  /**
   * The header's second byte: Hdr Ext Len, computed from `data`; for the Fragment header it is the
   * Reserved byte (default 0).
   */
  length?: number;
  data: Uint8Array;
}

/** IPv6 header (RFC 8200) with its extension headers. */
export interface Ipv6Layer {
  kind: 'ipv6';
  /** Default 0. */
  trafficClass?: number;
  /** 20 bits, default 0. */
  flowLabel?: number;
  /** Computed: extension headers plus everything enclosed. */
  payloadLength?: number;
  /** Computed from the first extension header or the next layer. */
  nextHeader?: number;
  /** Default 64. */
  hopLimit?: number;
  src: string;
  dst: string;
  /** Default none. */
  extensionHeaders?: Ipv6ExtensionHeader[];
  /** Bytes inside the payload after the enclosed transport packet. */
  trailer?: Uint8Array;
}

/** UDP header (RFC 768). */
export interface UdpLayer {
  kind: 'udp';
  srcPort: number;
  /** Defaults to 6081 when the next layer is Geneve; required otherwise. */
  dstPort?: number;
  /** Computed. */
  length?: number;
  /** Computed with the pseudo header of the enclosing IP layer; 0 means "none" over IPv4. */
  checksum?: number;
}

/** One TCP option. NOP (1) and End of Option List (0) have empty `data`. */
export interface TcpOption {
  kind: number;
  data: Uint8Array;
}

/** TCP header (RFC 9293). */
export interface TcpLayer {
  kind: 'tcp';
  srcPort: number;
  dstPort: number;
  /** Default 0. */
  seq?: number;
  /** Default 0. */
  ack?: number;
  /** Header length in 32-bit words; computed from `options`. */
  dataOffset?: number;
  /** The 12 bits after the data offset: reserved(3) and the {@link TcpFlags}. Default 0. */
  flags?: number;
  /** Default 65535. */
  window?: number;
  /** Computed with the pseudo header. */
  checksum?: number;
  /** Default 0. */
  urgentPointer?: number;
  /** Default none. Built options are padded with zeros to a multiple of 4 bytes. */
  options?: TcpOption[];
}

/** ICMP for IPv4 (RFC 792): the 8-byte header; the message body follows as payload. */
export interface Icmpv4Layer {
  kind: 'icmpv4';
  type: number;
  /** Default 0. */
  code?: number;
  /** Computed over the whole ICMP message. */
  checksum?: number;
  /** The 4 type-specific bytes after the checksum, big-endian (e.g. echo identifier and sequence). */
  restOfHeader?: number;
}

/** ICMPv6 (RFC 4443): the 8-byte header; the message body follows as payload. */
export interface Icmpv6Layer {
  kind: 'icmpv6';
  type: number;
  /** Default 0. */
  code?: number;
  /** Computed with the IPv6 pseudo header. */
  checksum?: number;
  /** The 4 type-specific bytes after the checksum, big-endian. */
  restOfHeader?: number;
}

/** A Geneve TLV option (RFC 8926 section 3.5). */
export interface GeneveOption {
  /** Option Class, 16 bits. */
  optionClass: number;
  /** The low 7 bits of the Type field. */
  type: number;
  /** The high bit of the Type field. */
  critical: boolean;
  /** The three R bits, default 0. */
  reserved?: number;
  /** Length of `data` in 4-byte words (5 bits); computed from `data`. */
  length?: number;
  /** Option data, a multiple of 4 bytes, at most 124. */
  data: Uint8Array;
}

/** Geneve base header plus options (RFC 8926 section 3.4). */
export interface GeneveLayer {
  kind: 'geneve';
  /** 2 bits, default 0. */
  version?: number;
  /** Opt Len in 4-byte words (6 bits); computed from `options`. */
  optionsLength?: number;
  /** O bit, default false. */
  oam?: boolean;
  /** C bit; computed: set exactly when some option is critical. */
  critical?: boolean;
  /** The 6 reserved bits after C, default 0. */
  reserved1?: number;
  /** Computed from the next layer (0x6558 Ethernet, 0x0800 IPv4, 0x86dd IPv6). */
  protocolType?: number;
  /** Virtual Network Identifier, 24 bits. */
  vni: number;
  /** The reserved byte after the VNI, default 0. */
  reserved2?: number;
  /** Default none. */
  options?: GeneveOption[];
  /** Bytes after an enclosed IP packet that is shorter than the Geneve payload. */
  trailer?: Uint8Array;
}

/** Raw bytes not decoded further; always the last layer. */
export interface PayloadLayer {
  kind: 'payload';
  data: Uint8Array;
}

/** Any layer. */
export type Layer =
  | EthernetLayer
  | VlanLayer
  | ArpLayer
  | Ipv4Layer
  | Ipv6Layer
  | UdpLayer
  | TcpLayer
  | Icmpv4Layer
  | Icmpv6Layer
  | GeneveLayer
  | PayloadLayer;

/** The `kind` tag of a layer. */
export type LayerKind = Layer['kind'];

/** The layer type for a given kind. */
export type LayerOf<K extends LayerKind> = Extract<Layer, { kind: K }>;

/** What kind of problem a {@link ParseIssue} reports. */
export type IssueCode =
  /** The buffer ends before the header or the length its fields declare. */
  | 'truncated'
  /** A version field holds a value this parser does not decode. */
  | 'bad-version'
  /** A header length field is below the minimum or inconsistent. */
  | 'bad-header-length'
  /** A total/payload length field disagrees with the bytes present. */
  | 'bad-length'
  /** A checksum does not verify. */
  | 'bad-checksum'
  /** An option or extension header is malformed or overruns its area. */
  | 'bad-option'
  /** A flag disagrees with the rest of the header (e.g. Geneve C bit vs critical options). */
  | 'inconsistent'
  /** Bytes remain after an enclosed packet where none are expected. */
  | 'trailing-bytes'
  /** A field value this parser does not decode (e.g. ARP for a non-Ethernet link). */
  | 'unsupported';

/** One problem found while parsing. */
export interface ParseIssue {
  code: IssueCode;
  /** The layer the problem is in. */
  layer: LayerKind;
  /** The header field concerned, e.g. `totalLength`, `options[1].length`. */
  field: string;
  /** Byte offset in the frame of the field (of the header start for truncation). */
  offset: number;
  /** Human readable explanation with the values involved. */
  message: string;
}

/** Result of {@link parseFrame}. */
export interface ParsedFrame {
  layers: Layer[];
  /** Empty for a well-formed frame. */
  issues: ParseIssue[];
}
