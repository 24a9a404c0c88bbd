/**
 * Packet model: build, parse and pretty-print Ethernet / 802.1Q / ARP / IPv4 / IPv6 / UDP / TCP /
 * ICMP / Geneve frames byte-exactly; Geneve encapsulation helpers; classic pcap files.
 */
export {
  formatIpv4,
  formatIpv6,
  formatMac,
  IPV4_LENGTH,
  IPV6_LENGTH,
  isIpv4,
  isIpv6,
  MAC_LENGTH,
  parseIp,
  parseIpv4,
  parseIpv6,
  parseMac,
  writeIpv4,
  writeIpv6,
  writeMac,
} from './addresses.js';
export { buildFrame, buildFrameInto, frameLength } from './build.js';
export { checksumFromSum, foldSum, internetChecksum, pseudoHeaderSum, sumBytes } from './checksum.js';
export { PacketBuildError } from './codec.js';
export {
  type Decapsulated,
  DecapsulationError,
  decapsulate,
  type EncapsulateOptions,
  encapsulate,
  type OuterHeaders,
  type OuterInfo,
} from './encap.js';
export { FLOW_PORT_MIN, flowHash, flowSourcePort } from './flow-hash.js';
export { formatFrame, formatIssue, formatLayer } from './format.js';
export {
  GENEVE_HEADER_LENGTH,
  GENEVE_MAX_OPTION_DATA_LENGTH,
  GENEVE_MAX_OPTIONS_LENGTH,
  GENEVE_OPTION_HEADER_LENGTH,
  hasCriticalOption,
} from './geneve.js';
export { findLayer, findLayers } from './layers.js';
export { type ParseOptions, parseFrame } from './parse.js';
export {
  LINKTYPE_ETHERNET,
  PCAP_DEFAULT_SNAPLEN,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  type PcapFile,
  PcapFormatError,
  type PcapPacket,
  type PcapPacketInput,
  type PcapWriteOptions,
  readPcap,
  readPcapFile,
  writePcap,
  writePcapFile,
} from './pcap.js';
export {
  readSecurityId,
  type SecurityIdOptionKey,
  type SecurityIdOptionSpec,
  securityIdOption,
} from './security-id.js';
export * from './types.js';
