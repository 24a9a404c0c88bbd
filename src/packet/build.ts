/**
 * Frame builder: encodes a layer list byte-exactly, computing the fields left undefined.
 *
 * Layout: every layer encloses all layers after it, so the bytes are the headers in order, then
 * the trailers innermost first. Building takes three passes over one output buffer: header sizes,
 * header bytes (front to back, so next-protocol fields can look at the following layer), then
 * lengths and checksums back to front, so each checksum covers already-final inner bytes.
 */
import { ARP_LENGTH, writeArp } from './arp.js';
import { viewOf } from './checksum.js';
import { bytesField, PacketBuildError } from './codec.js';
import { ETHERNET_HEADER_LENGTH, VLAN_TAG_LENGTH, writeEthernet, writeVlan } from './ethernet.js';
import { geneveHeaderSize, writeGeneve } from './geneve.js';
import { finishIcmp, ICMP_HEADER_LENGTH, writeIcmpHeader } from './icmp.js';
import { finishIpv4, ipv4HeaderSize, writeIpv4Header } from './ipv4.js';
import { finishIpv6, ipv6HeaderSize, writeIpv6Header } from './ipv6.js';
import { finishTcp, tcpHeaderSize, writeTcpHeader } from './tcp.js';
import type { EnclosingIp } from './transport.js';
import type {
  ArpLayer,
  EthernetLayer,
  GeneveLayer,
  Icmpv4Layer,
  Icmpv6Layer,
  Ipv4Layer,
  Ipv6Layer,
  Layer,
  PayloadLayer,
  TcpLayer,
  UdpLayer,
  VlanLayer,
} from './types.js';
import { finishUdp, UDP_HEADER_LENGTH, writeUdpHeader } from './udp.js';

/** Numeric layer kinds, so that the passes after `layout` switch on a number instead of re-reading
 * `kind` from layer objects of many shapes (a megamorphic property load each time). */
const Kind = {
  ethernet: 0,
  vlan: 1,
  arp: 2,
  ipv4: 3,
  ipv6: 4,
  udp: 5,
  tcp: 6,
  icmpv4: 7,
  icmpv6: 8,
  geneve: 9,
  payload: 10,
} as const;

// Scratch arrays reused across calls (building is synchronous and never re-entered).
let kinds = new Uint8Array(16);
let headerSizes = new Int32Array(16);
let trailerSizes = new Int32Array(16);
let starts = new Int32Array(16);
let ends = new Int32Array(16);
const enclosing: EnclosingIp = { layer: undefined, offset: 0, headerEnd: 0 };

/** Records the kind code of layer `index` and returns its header size (validating it). */
function headerSize(layer: Layer, index: number, count: number): number {
  switch (layer.kind) {
    case 'ethernet':
      kinds[index] = Kind.ethernet;
      return ETHERNET_HEADER_LENGTH;
    case 'vlan':
      kinds[index] = Kind.vlan;
      return VLAN_TAG_LENGTH;
    case 'arp':
      kinds[index] = Kind.arp;
      return ARP_LENGTH;
    case 'ipv4':
      kinds[index] = Kind.ipv4;
      return ipv4HeaderSize(layer, index);
    case 'ipv6':
      kinds[index] = Kind.ipv6;
      return ipv6HeaderSize(layer, index);
    case 'udp':
      kinds[index] = Kind.udp;
      return UDP_HEADER_LENGTH;
    case 'tcp':
      kinds[index] = Kind.tcp;
      return tcpHeaderSize(layer, index);
    case 'icmpv4':
      kinds[index] = Kind.icmpv4;
      return ICMP_HEADER_LENGTH;
    case 'icmpv6':
      kinds[index] = Kind.icmpv6;
      return ICMP_HEADER_LENGTH;
    case 'geneve':
      kinds[index] = Kind.geneve;
      return geneveHeaderSize(layer, index);
    case 'payload':
      kinds[index] = Kind.payload;
      if (index !== count - 1)
        throw new PacketBuildError(index, 'payload', 'kind', 'a payload layer must be the last layer');
      return bytesField(layer.data, index, 'payload', 'data').length;
    default:
      throw new PacketBuildError(
        index,
        String((layer as { kind?: unknown }).kind),
        'kind',
        'unknown layer kind',
      );
  }
}

/** The trailer of a container layer (Ethernet, IPv4, IPv6, Geneve), if any. */
function trailerOf(layer: Layer, kind: number, index: number): Uint8Array | undefined {
  if (kind !== Kind.ethernet && kind !== Kind.ipv4 && kind !== Kind.ipv6 && kind !== Kind.geneve)
    return undefined;
  const trailer = (layer as { trailer?: Uint8Array }).trailer;
  return trailer === undefined ? undefined : bytesField(trailer, index, layer.kind, 'trailer');
}

/** Computes kinds, sizes and relative extents into the scratch arrays; returns the frame length. */
function layout(layers: readonly Layer[]): number {
  const n = layers.length;
  if (kinds.length < n) {
    kinds = new Uint8Array(n * 2);
    headerSizes = new Int32Array(n * 2);
    trailerSizes = new Int32Array(n * 2);
    starts = new Int32Array(n * 2);
    ends = new Int32Array(n * 2);
  }
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const layer = layers[i];
    const size = headerSize(layer, i, n);
    headerSizes[i] = size;
    starts[i] = offset;
    offset += size;
    trailerSizes[i] = trailerOf(layer, kinds[i], i)?.length ?? 0;
  }
  let end = offset;
  for (let i = n - 1; i >= 0; i--) {
    end += trailerSizes[i];
    ends[i] = end;
  }
  return end;
}

function setEnclosing(layers: readonly Layer[], i: number, base: number): EnclosingIp {
  const prevKind = i > 0 ? kinds[i - 1] : -1;
  if (prevKind === Kind.ipv4 || prevKind === Kind.ipv6) {
    enclosing.layer = layers[i - 1];
    enclosing.offset = base + starts[i - 1];
    enclosing.headerEnd = base + starts[i];
  } else {
    enclosing.layer = undefined;
  }
  return enclosing;
}

function encode(layers: readonly Layer[], out: Uint8Array, base: number, total: number): void {
  const n = layers.length;
  const view = viewOf(out);
  for (let i = 0; i < n; i++) {
    const layer = layers[i];
    const next = layers[i + 1];
    const at = base + starts[i];
    switch (kinds[i]) {
      case Kind.ethernet:
        writeEthernet(layer as EthernetLayer, next, out, at, i);
        break;
      case Kind.vlan:
        writeVlan(layer as VlanLayer, next, out, at, i);
        break;
      case Kind.arp:
        writeArp(layer as ArpLayer, out, at, i);
        break;
      case Kind.ipv4:
        writeIpv4Header(layer as Ipv4Layer, next, out, at, headerSizes[i], i);
        break;
      case Kind.ipv6:
        writeIpv6Header(layer as Ipv6Layer, next, out, at, i);
        break;
      case Kind.udp:
        writeUdpHeader(layer as UdpLayer, next, out, at, i);
        break;
      case Kind.tcp:
        writeTcpHeader(layer as TcpLayer, out, view, at, headerSizes[i], i);
        break;
      case Kind.icmpv4:
      case Kind.icmpv6:
        writeIcmpHeader(layer as Icmpv4Layer | Icmpv6Layer, view, at, i);
        break;
      case Kind.geneve:
        writeGeneve(layer as GeneveLayer, next, out, at, headerSizes[i], i);
        break;
      case Kind.payload:
        out.set((layer as PayloadLayer).data, at);
        break;
    }
  }
  let trailerAt = base + (n > 0 ? starts[n - 1] + headerSizes[n - 1] : 0);
  for (let i = n - 1; i >= 0; i--) {
    if (trailerSizes[i] > 0) {
      out.set((layers[i] as { trailer: Uint8Array }).trailer, trailerAt);
      trailerAt += trailerSizes[i];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const at = base + starts[i];
    const end = base + ends[i];
    switch (kinds[i]) {
      case Kind.ipv4:
        finishIpv4(layers[i] as Ipv4Layer, out, view, at, headerSizes[i], end, i);
        break;
      case Kind.ipv6:
        finishIpv6(layers[i] as Ipv6Layer, out, at, end, i);
        break;
      case Kind.udp:
        finishUdp(layers[i] as UdpLayer, setEnclosing(layers, i, base), out, view, at, end, i);
        break;
      case Kind.tcp:
        finishTcp(layers[i] as TcpLayer, setEnclosing(layers, i, base), out, view, at, end, i);
        break;
      case Kind.icmpv4:
      case Kind.icmpv6:
        finishIcmp(
          layers[i] as Icmpv4Layer | Icmpv6Layer,
          setEnclosing(layers, i, base),
          out,
          view,
          at,
          end,
          i,
        );
        break;
      default:
        break;
    }
  }
  if (trailerAt !== base + total)
    throw new Error(`internal: frame layout ended at ${trailerAt}, expected ${base + total}`);
}

/** The number of bytes {@link buildFrame} would produce for `layers` (validates them too). */
export function frameLength(layers: readonly Layer[]): number {
  return layout(layers);
}

/**
 * Encodes `layers` (outermost first) into a new buffer. Fields left undefined are computed: lengths,
 * checksums (with pseudo headers), next-protocol fields, Geneve Opt Len and C bit. Explicit values
 * are written unchanged, even when wrong. Throws {@link PacketBuildError} naming the layer index,
 * field and value when a layer cannot be encoded.
 */
export function buildFrame(layers: readonly Layer[]): Uint8Array {
  const total = layout(layers);
  const out = new Uint8Array(total);
  encode(layers, out, 0, total);
  return out;
}

/**
 * Like {@link buildFrame} but writes into `out` at `offset` (no allocation). Returns the number of
 * bytes written; throws a RangeError if they do not fit.
 */
export function buildFrameInto(layers: readonly Layer[], out: Uint8Array, offset = 0): number {
  const total = layout(layers);
  if (!Number.isInteger(offset) || offset < 0 || offset + total > out.length) {
    throw new RangeError(`frame of ${total} bytes does not fit in ${out.length} bytes at offset ${offset}`);
  }
  encode(layers, out, offset, total);
  return total;
}
