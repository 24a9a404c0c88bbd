/**
 * Classic libpcap capture files. Writes: magic 0xa1b2c3d4 (microsecond timestamps), version 2.4,
 * snaplen 262144, link type 1 (Ethernet). Reads: either byte order, microsecond or nanosecond
 * (0xa1b23c4d) magic. Record data read back are views into the file bytes.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** Magic of files with microsecond timestamps. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
/** Magic of files with nanosecond timestamps. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;
/** Default snapshot length, as written by current tcpdump/tshark. */
export const PCAP_DEFAULT_SNAPLEN = 262144;

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

/** A packet to write. */
export interface PcapPacketInput {
  data: Uint8Array;
  /** Timestamp seconds since the epoch, default 0. */
  seconds?: number;
  /** Sub-second part in nanoseconds (written as microseconds), default 0. */
  nanoseconds?: number;
  /** Length on the wire, default `data.length`. */
  originalLength?: number;
}

/** A packet read from a file. */
export interface PcapPacket {
  data: Uint8Array;
  seconds: number;
  /** Sub-second part in nanoseconds (microsecond files: a multiple of 1000). */
  nanoseconds: number;
  originalLength: number;
}

/** Options of {@link writePcap}. */
export interface PcapWriteOptions {
  /** Default 262144; longer packets are cut to it (their original length is kept). */
  snaplen?: number;
  /** Default 1 (Ethernet). */
  linkType?: number;
  /** Default 'little'. */
  byteOrder?: 'little' | 'big';
}

/** A decoded capture file. */
export interface PcapFile {
  byteOrder: 'little' | 'big';
  timestampResolution: 'microsecond' | 'nanosecond';
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linkType: number;
  packets: PcapPacket[];
}

/** Thrown by {@link readPcap} for bytes that are not a classic pcap file. */
export class PcapFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'PcapFormatError';
  }
}

function checkUint32(value: number, field: string, index: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`pcap packet ${index}: ${field} ${value} is not an unsigned 32-bit integer`);
  }
  return value;
}

/** Encodes packets as a classic pcap file. */
export function writePcap(packets: readonly PcapPacketInput[], options: PcapWriteOptions = {}): Uint8Array {
  const snaplen = options.snaplen ?? PCAP_DEFAULT_SNAPLEN;
  const linkType = options.linkType ?? LINKTYPE_ETHERNET;
  const little = (options.byteOrder ?? 'little') === 'little';
  checkUint32(snaplen, 'snaplen', -1);
  checkUint32(linkType, 'linkType', -1);
  let size = FILE_HEADER_LENGTH;
  for (const p of packets) size += RECORD_HEADER_LENGTH + Math.min(p.data.length, snaplen);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, PCAP_MAGIC_MICROSECONDS, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  view.setInt32(8, 0, little); // thiszone
  view.setUint32(12, 0, little); // sigfigs
  view.setUint32(16, snaplen, little);
  view.setUint32(20, linkType, little);
  let o = FILE_HEADER_LENGTH;
  packets.forEach((p, k) => {
    if (!(p.data instanceof Uint8Array)) throw new TypeError(`pcap packet ${k}: data must be a Uint8Array`);
    const nanos = p.nanoseconds ?? 0;
    if (!Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9) {
      throw new RangeError(`pcap packet ${k}: nanoseconds ${nanos} is not an integer in 0..999999999`);
    }
    const captured = Math.min(p.data.length, snaplen);
    view.setUint32(o, checkUint32(p.seconds ?? 0, 'seconds', k), little);
    view.setUint32(o + 4, Math.floor(nanos / 1000), little);
    view.setUint32(o + 8, captured, little);
    view.setUint32(o + 12, checkUint32(p.originalLength ?? p.data.length, 'originalLength', k), little);
    out.set(p.data.subarray(0, captured), o + RECORD_HEADER_LENGTH);
    o += RECORD_HEADER_LENGTH + captured;
  });
  return out;
}

/** Decodes a classic pcap file. Throws {@link PcapFormatError} naming the offset of a problem. */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < FILE_HEADER_LENGTH) {
    throw new PcapFormatError(`pcap file header needs 24 bytes, got ${bytes.length}`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBig = view.getUint32(0, false);
  const magicLittle = view.getUint32(0, true);
  let little: boolean;
  let nano: boolean;
  if (magicBig === PCAP_MAGIC_MICROSECONDS || magicBig === PCAP_MAGIC_NANOSECONDS) {
    little = false;
    nano = magicBig === PCAP_MAGIC_NANOSECONDS;
  } else if (magicLittle === PCAP_MAGIC_MICROSECONDS || magicLittle === PCAP_MAGIC_NANOSECONDS) {
    little = true;
    nano = magicLittle === PCAP_MAGIC_NANOSECONDS;
  } else {
    throw new PcapFormatError(`not a pcap file: magic 0x${magicBig.toString(16).padStart(8, '0')}`, 0);
  }
  const file: PcapFile = {
    byteOrder: little ? 'little' : 'big',
    timestampResolution: nano ? 'nanosecond' : 'microsecond',
    versionMajor: view.getUint16(4, little),
    versionMinor: view.getUint16(6, little),
    snaplen: view.getUint32(16, little),
    // The upper bits may carry FCS information (pcap draft); the link type is the low 16 bits.
    linkType: view.getUint32(20, little) & 0xffff,
    packets: [],
  };
  let o = FILE_HEADER_LENGTH;
  while (o < bytes.length) {
    const k = file.packets.length;
    if (bytes.length - o < RECORD_HEADER_LENGTH) {
      throw new PcapFormatError(
        `packet ${k} at offset ${o}: record header cut short (${bytes.length - o} of 16 bytes)`,
        o,
      );
    }
    const captured = view.getUint32(o + 8, little);
    if (captured > bytes.length - o - RECORD_HEADER_LENGTH) {
      throw new PcapFormatError(
        `packet ${k} at offset ${o}: captured length ${captured} exceeds the ${bytes.length - o - RECORD_HEADER_LENGTH} bytes left`,
        o + 8,
      );
    }
    const fraction = view.getUint32(o + 4, little);
    file.packets.push({
      seconds: view.getUint32(o, little),
      nanoseconds: nano ? fraction : fraction * 1000,
      originalLength: view.getUint32(o + 12, little),
      data: bytes.subarray(o + RECORD_HEADER_LENGTH, o + RECORD_HEADER_LENGTH + captured),
    });
    o += RECORD_HEADER_LENGTH + captured;
  }
  return file;
}

/** Writes packets to a pcap file at `path`. */
export async function writePcapFile(
  path: string,
  packets: readonly PcapPacketInput[],
  options?: PcapWriteOptions,
): Promise<void> {
  await writeFile(path, writePcap(packets, options));
}

/** Reads a pcap file from `path`. */
export async function readPcapFile(path: string): Promise<PcapFile> {
  const data = await readFile(path);
  return readPcap(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
