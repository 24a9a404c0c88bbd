/** TCP (RFC 9293) codec with options. */
import { sumBytes } from './checksum.js';
import {
  addIssue,
  bytesField,
  type DecoderId,
  emitPayload,
  PacketBuildError,
  type ParseState,
  truncated,
  uintField,
} from './codec.js';
import {
  buildPseudoHeaderSum,
  type EnclosingIp,
  transportChecksum,
  verifyTransportChecksum,
} from './transport.js';
import { IpProtocol, type TcpLayer, type TcpOption } from './types.js';

/** TCP header size without options. */
export const TCP_HEADER_LENGTH = 20;
const EMPTY = new Uint8Array(0);

/** Encoded size of the option list (before padding); validates each option. */
function optionsSize(options: readonly TcpOption[], index: number): number {
  let size = 0;
  for (let k = 0; k < options.length; k++) {
    const opt = options[k];
    const kind = uintField(opt.kind, 0, 8, index, 'tcp', `options[${k}].kind`);
    const data = bytesField(opt.data, index, 'tcp', `options[${k}].data`);
    if (kind <= 1) {
      if (data.length !== 0) {
        throw new PacketBuildError(
          index,
          'tcp',
          `options[${k}].data`,
          `option kind ${kind} is a single byte and takes no data`,
        );
      }
      size += 1;
    } else {
      size += 2 + data.length;
    }
  }
  return size;
}

/**
 * Header size: 20 plus the options padded to 4 bytes, or an explicit `dataOffset` if larger (the
 * space after the options is zero padding).
 */
export function tcpHeaderSize(layer: TcpLayer, index: number): number {
  const opts = layer.options === undefined ? 0 : optionsSize(layer.options, index);
  let size = TCP_HEADER_LENGTH + ((opts + 3) & ~3);
  if (layer.dataOffset !== undefined) {
    size = Math.max(size, uintField(layer.dataOffset, 0, 4, index, 'tcp', 'dataOffset') * 4);
  }
  if (size > 60)
    throw new PacketBuildError(index, 'tcp', 'options', `${opts} option bytes exceed the 40-byte maximum`);
  return size;
}

/** Writes the header except a computed checksum (see {@link finishTcp}). */
export function writeTcpHeader(
  layer: TcpLayer,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  headerSize: number,
  index: number,
): void {
  const src = uintField(layer.srcPort, 0, 16, index, 'tcp', 'srcPort');
  const dst = uintField(layer.dstPort, 0, 16, index, 'tcp', 'dstPort');
  const seq = uintField(layer.seq, 0, 32, index, 'tcp', 'seq');
  const ack = uintField(layer.ack, 0, 32, index, 'tcp', 'ack');
  const dataOffset = uintField(layer.dataOffset, headerSize >>> 2, 4, index, 'tcp', 'dataOffset');
  const flags = uintField(layer.flags, 0, 12, index, 'tcp', 'flags');
  const window = uintField(layer.window, 0xffff, 16, index, 'tcp', 'window');
  const checksum = uintField(layer.checksum, 0, 16, index, 'tcp', 'checksum');
  const urgent = uintField(layer.urgentPointer, 0, 16, index, 'tcp', 'urgentPointer');
  view.setUint16(offset, src);
  view.setUint16(offset + 2, dst);
  view.setUint32(offset + 4, seq);
  view.setUint32(offset + 8, ack);
  view.setUint16(offset + 12, (dataOffset << 12) | flags);
  view.setUint16(offset + 14, window);
  view.setUint16(offset + 16, checksum);
  view.setUint16(offset + 18, urgent);
  let p = offset + TCP_HEADER_LENGTH;
  const options = layer.options;
  if (options !== undefined) {
    for (const opt of options) {
      bytes[p++] = opt.kind;
      if (opt.kind > 1) {
        bytes[p++] = 2 + opt.data.length;
        bytes.set(opt.data, p);
        p += opt.data.length;
      }
    }
  }
  bytes.fill(0, p, offset + headerSize);
}

/** Fills a computed checksum over the segment `[offset, end)` and pseudo header. */
export function finishTcp(
  layer: TcpLayer,
  ip: EnclosingIp,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  end: number,
  index: number,
): void {
  if (layer.checksum !== undefined) return;
  const pseudo = buildPseudoHeaderSum(ip, bytes, view, IpProtocol.TCP, end - offset, index, 'tcp');
  view.setUint16(offset + 16, transportChecksum(sumBytes(bytes, view, offset, end, pseudo), false));
}

/** Decodes the option list in `[start, end)`; stops at End of Option List or a malformed option. */
function parseOptions(st: ParseState, start: number, end: number): TcpOption[] {
  const b = st.bytes;
  const options: TcpOption[] = [];
  let p = start;
  while (p < end) {
    const kind = b[p];
    if (kind === 0) {
      for (let q = p + 1; q < end; q++) {
        if (b[q] !== 0) {
          addIssue(
            st,
            'bad-option',
            'tcp',
            'options',
            q,
            `non-zero byte after End of Option List at offset ${q}`,
          );
          break;
        }
      }
      break;
    }
    if (kind === 1) {
      options.push({ kind: 1, data: EMPTY });
      p++;
      continue;
    }
    const len = p + 1 < end ? b[p + 1] : 0;
    if (len < 2 || p + len > end) {
      addIssue(
        st,
        'bad-option',
        'tcp',
        `options[${options.length}].length`,
        p + 1,
        `option kind ${kind} length ${len} is invalid or runs past the header end at offset ${end}`,
      );
      break;
    }
    options.push({ kind, data: b.subarray(p + 2, p + len) });
    p += len;
  }
  return options;
}

/** Decodes a TCP header; the segment data becomes the payload. */
export function parseTcp(st: ParseState): DecoderId {
  const o = st.offset;
  const b = st.bytes;
  const v = st.view;
  const avail = st.end - o;
  if (avail < TCP_HEADER_LENGTH) {
    truncated(st, 'tcp', TCP_HEADER_LENGTH);
    return emitPayload(st);
  }
  const dataOffset = b[o + 12] >>> 4;
  const checksum = v.getUint16(o + 16);
  const layer: TcpLayer = {
    kind: 'tcp',
    srcPort: v.getUint16(o),
    dstPort: v.getUint16(o + 2),
    seq: v.getUint32(o + 4),
    ack: v.getUint32(o + 8),
    dataOffset,
    flags: v.getUint16(o + 12) & 0x0fff,
    window: v.getUint16(o + 14),
    checksum,
    urgentPointer: v.getUint16(o + 18),
    options: [],
  };
  st.layers.push(layer);
  if (dataOffset < 5) {
    addIssue(
      st,
      'bad-header-length',
      'tcp',
      'dataOffset',
      o + 12,
      `data offset ${dataOffset} is below the minimum of 5`,
    );
    st.offset = o + TCP_HEADER_LENGTH;
    return emitPayload(st);
  }
  const headerLength = dataOffset * 4;
  if (headerLength > avail) {
    addIssue(
      st,
      'truncated',
      'tcp',
      'dataOffset',
      o + 12,
      `data offset ${dataOffset} declares ${headerLength} header bytes, only ${avail} remain`,
    );
    st.offset = o + TCP_HEADER_LENGTH;
    return emitPayload(st);
  }
  layer.options = parseOptions(st, o + TCP_HEADER_LENGTH, o + headerLength);
  if (st.verifyChecksums && !st.transportIncomplete) {
    verifyTransportChecksum(st, 'tcp', IpProtocol.TCP, o, st.end, o + 16, checksum);
  }
  st.offset = o + headerLength;
  return emitPayload(st);
}
