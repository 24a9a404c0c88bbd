/**
 * Geneve (RFC 8926) codec: the 8-byte base header and its TLV options.
 *
 * Base header: Ver(2) Opt Len(6, in 4-byte words) | O(1) C(1) Rsvd(6) | Protocol Type(16) |
 * VNI(24) Reserved(8). Option: Class(16) Type(8, high bit = critical) R(3) Length(5, data words,
 * excluding the 4-byte option header) then the data. Options total at most 63 words (252 bytes).
 */
import {
  addIssue,
  bytesField,
  Decoder,
  type DecoderId,
  emitPayload,
  enterContainer,
  nextProtocolField,
  PacketBuildError,
  type ParseState,
  truncated,
  uintField,
} from './codec.js';
import { EtherType, type GeneveLayer, type GeneveOption, type Layer } from './types.js';

/** Size of the Geneve base header. */
export const GENEVE_HEADER_LENGTH = 8;
/** Size of a Geneve option header. */
export const GENEVE_OPTION_HEADER_LENGTH = 4;
/** Largest total size of the options (Opt Len is 6 bits of 4-byte words). */
export const GENEVE_MAX_OPTIONS_LENGTH = 252;
/** Largest option data size (Length is 5 bits of 4-byte words). */
export const GENEVE_MAX_OPTION_DATA_LENGTH = 124;

/** Encoded size of an option list; validates every option. */
export function geneveOptionsSize(options: readonly GeneveOption[] | undefined, index: number): number {
  if (options === undefined) return 0;
  let size = 0;
  for (let k = 0; k < options.length; k++) {
    const opt = options[k];
    const field = `options[${k}]`;
    uintField(opt.optionClass, 0, 16, index, 'geneve', `${field}.optionClass`);
    uintField(opt.type, 0, 7, index, 'geneve', `${field}.type`);
    uintField(opt.reserved, 0, 3, index, 'geneve', `${field}.reserved`);
    if (opt.length !== undefined) uintField(opt.length, 0, 5, index, 'geneve', `${field}.length`);
    const data = bytesField(opt.data, index, 'geneve', `${field}.data`);
    if (data.length % 4 !== 0 || data.length > GENEVE_MAX_OPTION_DATA_LENGTH) {
      throw new PacketBuildError(
        index,
        'geneve',
        `${field}.data`,
        `${data.length} bytes; option data must be a multiple of 4 bytes, at most ${GENEVE_MAX_OPTION_DATA_LENGTH}`,
      );
    }
    size += GENEVE_OPTION_HEADER_LENGTH + data.length;
  }
  if (size > GENEVE_MAX_OPTIONS_LENGTH) {
    throw new PacketBuildError(
      index,
      'geneve',
      'options',
      `${size} bytes exceed the ${GENEVE_MAX_OPTIONS_LENGTH}-byte limit`,
    );
  }
  return size;
}

/** Header size: base header plus options. */
export function geneveHeaderSize(layer: GeneveLayer, index: number): number {
  return GENEVE_HEADER_LENGTH + geneveOptionsSize(layer.options, index);
}

/** Protocol Type announcing `next`, or undefined. */
function protocolTypeFor(next: Layer | undefined): number | undefined {
  switch (next?.kind) {
    case 'ethernet':
      return EtherType.TransparentEthernet;
    case 'ipv4':
      return EtherType.IPv4;
    case 'ipv6':
      return EtherType.IPv6;
    default:
      return undefined;
  }
}

/** True when some option has its critical bit set. */
export function hasCriticalOption(options: readonly GeneveOption[] | undefined): boolean {
  if (options === undefined) return false;
  for (let k = 0; k < options.length; k++) if (options[k].critical) return true;
  return false;
}

/** Writes the base header and options at `offset`; `headerSize` comes from {@link geneveHeaderSize}. */
export function writeGeneve(
  layer: GeneveLayer,
  next: Layer | undefined,
  bytes: Uint8Array,
  offset: number,
  headerSize: number,
  index: number,
): void {
  const version = uintField(layer.version, 0, 2, index, 'geneve', 'version');
  const optLen = uintField(
    layer.optionsLength,
    (headerSize - GENEVE_HEADER_LENGTH) >>> 2,
    6,
    index,
    'geneve',
    'optionsLength',
  );
  const reserved1 = uintField(layer.reserved1, 0, 6, index, 'geneve', 'reserved1');
  const vni = uintField(layer.vni, 0, 24, index, 'geneve', 'vni');
  const reserved2 = uintField(layer.reserved2, 0, 8, index, 'geneve', 'reserved2');
  const protocolType = nextProtocolField(
    layer.protocolType,
    layer.protocolType === undefined ? protocolTypeFor(next) : undefined,
    16,
    next,
    index,
    'geneve',
    'protocolType',
  );
  const options = layer.options;
  const critical = layer.critical ?? hasCriticalOption(options);
  bytes[offset] = (version << 6) | optLen;
  bytes[offset + 1] = (layer.oam ? 0x80 : 0) | (critical ? 0x40 : 0) | reserved1;
  bytes[offset + 2] = protocolType >>> 8;
  bytes[offset + 3] = protocolType & 0xff;
  bytes[offset + 4] = vni >>> 16;
  bytes[offset + 5] = (vni >>> 8) & 0xff;
  bytes[offset + 6] = vni & 0xff;
  bytes[offset + 7] = reserved2;
  if (options === undefined) return;
  let p = offset + GENEVE_HEADER_LENGTH;
  for (let k = 0; k < options.length; k++) {
    const opt = options[k];
    const data = opt.data;
    bytes[p] = opt.optionClass >>> 8;
    bytes[p + 1] = opt.optionClass & 0xff;
    bytes[p + 2] = (opt.critical ? 0x80 : 0) | opt.type;
    bytes[p + 3] = ((opt.reserved ?? 0) << 5) | (opt.length ?? data.length >>> 2);
    bytes.set(data, p + GENEVE_OPTION_HEADER_LENGTH);
    p += GENEVE_OPTION_HEADER_LENGTH + data.length;
  }
}

/** Which decoder handles a Geneve Protocol Type. */
function decoderForProtocolType(protocolType: number): DecoderId {
  switch (protocolType) {
    case EtherType.TransparentEthernet:
      return Decoder.Ethernet;
    case EtherType.IPv4:
      return Decoder.Ipv4;
    case EtherType.IPv6:
      return Decoder.Ipv6;
    default:
      return Decoder.Payload;
  }
}

/**
 * Decodes the Geneve header and options. Problems are reported and decoding goes as far as the
 * bytes allow: options are read while they fit both the declared Opt Len and the buffer, and the
 * inner packet starts at the declared end of the options when that is inside the buffer.
 */
export function parseGeneve(st: ParseState): DecoderId {
  const o = st.offset;
  const b = st.bytes;
  if (st.end - o < GENEVE_HEADER_LENGTH) {
    truncated(st, 'geneve', GENEVE_HEADER_LENGTH);
    return emitPayload(st);
  }
  const version = b[o] >>> 6;
  const optionsLength = b[o] & 0x3f;
  const flags = b[o + 1];
  const critical = (flags & 0x40) !== 0;
  const protocolType = (b[o + 2] << 8) | b[o + 3];
  const options: GeneveOption[] = [];
  st.layers.push({
    kind: 'geneve',
    version,
    optionsLength,
    oam: (flags & 0x80) !== 0,
    critical,
    reserved1: flags & 0x3f,
    protocolType,
    vni: (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6],
    reserved2: b[o + 7],
    options,
    trailer: undefined,
  });
  enterContainer(st, st.layers.length - 1, o);
  st.offset = o + GENEVE_HEADER_LENGTH;
  if (version !== 0) {
    addIssue(
      st,
      'bad-version',
      'geneve',
      'version',
      o,
      `Geneve version ${version} is not 0; header not decoded further`,
    );
    return emitPayload(st);
  }
  const optEnd = o + GENEVE_HEADER_LENGTH + optionsLength * 4;
  const limit = Math.min(optEnd, st.end);
  if (optEnd > st.end) {
    addIssue(
      st,
      'truncated',
      'geneve',
      'optionsLength',
      o,
      `Opt Len ${optionsLength} declares ${optionsLength * 4} option bytes, only ${st.end - st.offset} remain`,
    );
  }
  let p = st.offset;
  let optionsOk = true;
  while (p < limit) {
    const k = options.length;
    if (limit - p < GENEVE_OPTION_HEADER_LENGTH) {
      addIssue(
        st,
        'bad-option',
        'geneve',
        `options[${k}]`,
        p,
        `option header needs 4 bytes at offset ${p}, only ${limit - p} remain`,
      );
      optionsOk = false;
      break;
    }
    const length = b[p + 3] & 0x1f;
    const dataEnd = p + GENEVE_OPTION_HEADER_LENGTH + length * 4;
    if (dataEnd > limit) {
      addIssue(
        st,
        'bad-option',
        'geneve',
        `options[${k}].length`,
        p + 3,
        `option length ${length} words ends at offset ${dataEnd}, past the options end at offset ${limit}`,
      );
      optionsOk = false;
      break;
    }
    const type = b[p + 2];
    options.push({
      optionClass: (b[p] << 8) | b[p + 1],
      type: type & 0x7f,
      critical: type >= 0x80,
      reserved: b[p + 3] >>> 5,
      length,
      data: b.subarray(p + GENEVE_OPTION_HEADER_LENGTH, dataEnd),
    });
    p = dataEnd;
  }
  if (optionsOk && optEnd <= st.end && critical !== hasCriticalOption(options)) {
    addIssue(
      st,
      'inconsistent',
      'geneve',
      'critical',
      o + 1,
      critical ? 'C bit is set but no option is critical' : 'C bit is clear but a critical option is present',
    );
  }
  if (optEnd > st.end) {
    st.offset = p;
    return emitPayload(st);
  }
  st.offset = optEnd;
  if (!st.decodeInner) return emitPayload(st);
  return decoderForProtocolType(protocolType);
}
