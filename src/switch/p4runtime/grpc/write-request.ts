/**
 * Decoding of p4.v1.WriteRequest for the server, field for field what the generated decoder
 * (`p4runtime-ts-grpc/wire`) does (same reader calls, same errors, same messages, unknown fields
 * kept), except for how a oneof member replaces another: the generated code assigns the oneof's
 * virtual property, whose setter deletes every other member by name (11 deletes for an Entity, 5
 * per FieldMatch, 3 per TableAction), and those deletes were a fifth of the server's CPU per table
 * write. Here only a member actually present is deleted, which leaves the same object.
 *
 * A proto3 scalar is set when non-zero and a zero on the wire removes it, as the generated decoder
 * does; each by its own name (a store through a name passed in was a keyed store that V8 could not
 * specialise, a tenth of the decoder's time).
 *
 * Byte fields are Uint8Array views of the request rather than Buffers (equal contents; nothing on the
 * server needs Buffer methods on them).
 *
 * Hand-decoded: WriteRequest, Update, Entity, TableEntry, FieldMatch, FieldMatch.Exact, TableAction,
 * Action, Action.Param (the path of a table write; fewer, flatter functions for V8 to compile while
 * the first writes wait). Every other message is handed to its generated decoder.
 *
 * The exception: an update that is an INSERT of a table entry in the common shape is not decoded
 * to messages but to a CommonTableWrite (frontend/common-write.ts, see decodeCommonUpdate), and an
 * INSERT into a table with a priority (ternary, range, optional matches) to a ClassifiedTableWrite
 * (decodeClassifiedUpdate); their messages are made only if something asks for them, by this
 * decoder from the same bytes.
 */

import { google, p4 } from 'p4runtime-ts-grpc/wire';
import protobuf from 'protobufjs/minimal.js';
import { SPAN_EXACT, SPAN_OPTIONAL, SPAN_RANGE, SPAN_TERNARY } from '../device/device.js';
import { ClassifiedTableWrite, CommonTableWrite, CommonWrites } from '../frontend/common-write.js';
import { emptyObjectList } from '../frontend/object-list.js';

/** The parts of protobufjs's Reader the generated decoders use beyond its typings. */
interface Reader extends protobuf.Reader {
  tag(): number;
  size(): number;
  stringVerify(): string;
  raw(start: number, end: number): Uint8Array;
  skipType(wireType: number, depth?: number, fieldNumber?: number): Reader;
}

type Message = Record<string, unknown> & { $unknowns?: Uint8Array[] };

/** A generated decoder with the arguments nested decoders pass (length, end group, depth, target). */
type SubDecoder = (reader: Reader, length: number, end: undefined, depth: number, target: unknown) => unknown;

const ReaderClass = protobuf.Reader as unknown as {
  create(bytes: Uint8Array): Reader;
  recursionLimit: number;
};
const util = protobuf.util as unknown as {
  makeProp(object: object, name: string, enumerable: boolean): void;
};

const sub = (decoder: unknown): SubDecoder => decoder as SubDecoder;
const decodeUint128 = sub(p4.v1.Uint128.decode);
const decodeTernary = sub(p4.v1.FieldMatch.Ternary.decode);
const decodeLpm = sub(p4.v1.FieldMatch.LPM.decode);
const decodeRange = sub(p4.v1.FieldMatch.Range.decode);
const decodeOptional = sub(p4.v1.FieldMatch.Optional.decode);
const decodeAny = sub(google.protobuf.Any.decode);
const decodeActionSet = sub(p4.v1.ActionProfileActionSet.decode);
const decodeMeterConfig = sub(p4.v1.MeterConfig.decode);
const decodeCounterData = sub(p4.v1.CounterData.decode);
const decodeMeterCounterData = sub(p4.v1.MeterCounterData.decode);
const decodeIdleTimeout = sub(p4.v1.TableEntry.IdleTimeout.decode);

/** Entity members other than table entries: their generated decoders, by field number. */
const ENTITY_MEMBERS: readonly (readonly [string, SubDecoder] | undefined)[] = (() => {
  const members: (readonly [string, SubDecoder] | undefined)[] = [];
  members[1] = ['externEntry', sub(p4.v1.ExternEntry.decode)];
  members[3] = ['actionProfileMember', sub(p4.v1.ActionProfileMember.decode)];
  members[4] = ['actionProfileGroup', sub(p4.v1.ActionProfileGroup.decode)];
  members[5] = ['meterEntry', sub(p4.v1.MeterEntry.decode)];
  members[6] = ['directMeterEntry', sub(p4.v1.DirectMeterEntry.decode)];
  members[7] = ['counterEntry', sub(p4.v1.CounterEntry.decode)];
  members[8] = ['directCounterEntry', sub(p4.v1.DirectCounterEntry.decode)];
  members[9] = ['packetReplicationEngineEntry', sub(p4.v1.PacketReplicationEngineEntry.decode)];
  members[10] = ['valueSetEntry', sub(p4.v1.ValueSetEntry.decode)];
  members[11] = ['registerEntry', sub(p4.v1.RegisterEntry.decode)];
  members[12] = ['digestEntry', sub(p4.v1.DigestEntry.decode)];
  return members;
})();
const ENTITY_ONEOF = [
  'externEntry',
  'tableEntry',
  'actionProfileMember',
  'actionProfileGroup',
  'meterEntry',
  'directMeterEntry',
  'counterEntry',
  'directCounterEntry',
  'packetReplicationEngineEntry',
  'valueSetEntry',
  'registerEntry',
  'digestEntry',
];
const TABLE_ACTION_ONEOF = [
  'action',
  'actionProfileMemberId',
  'actionProfileGroupId',
  'actionProfileActionSet',
];

/** The oneof member a (merged-into) message holds already, if any. */
function presentMember(message: Message, members: readonly string[]): string | undefined {
  for (const m of members) if (Object.hasOwn(message, m)) return m;
  return undefined;
}

/** `member` becomes the oneof's member: the one held before (if another) goes, as the setter does. */
function replaceMember(message: Message, held: string | undefined, member: string): string {
  if (held !== undefined && held !== member) delete message[held];
  return member;
}

/** Start of a message: the generated decoders' depth and length checks. Returns the end offset. */
function begin(reader: Reader, length: number | undefined, depth: number): number {
  if (depth > ReaderClass.recursionLimit) throw Error('max depth exceeded');
  if (length === undefined) return reader.len;
  const end = reader.pos + length;
  if (end > reader.len) throw RangeError('index out of range');
  return end;
}

function finish(reader: Reader, length: number | undefined, end: number, outerLen: number): void {
  if (length !== undefined) {
    if (reader.pos !== end) throw RangeError('index out of range');
    reader.len = outerLen;
  }
}

/** A field this decoder does not know (or with an unexpected wire type): skipped and kept. */
function unknownField(
  reader: Reader,
  message: Message,
  start: number,
  wireType: number,
  depth: number,
  field: number,
): void {
  reader.skipType(wireType, depth, field);
  if (!reader.discardUnknown) {
    util.makeProp(message, '$unknowns', false);
    if (!message.$unknowns) message.$unknowns = [];
    message.$unknowns.push(reader.raw(start, reader.pos));
  }
}

function isNonZeroLong(value: unknown): boolean {
  return typeof value === 'object' && value !== null
    ? Boolean((value as { low: number }).low || (value as { high: number }).high)
    : value !== 0;
}

/** A message with one bytes field (FieldMatch.Exact, field 1). */
function decodeExact(reader: Reader, length: number, depth: number, target: unknown): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = (target || new p4.v1.FieldMatch.Exact()) as Message;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wireType === 2) {
      const value = reader.bytes();
      if (value.length) message.value = value;
      else delete message.value;
      continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeParam(reader: Reader, length: number, depth: number): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = new p4.v1.Action.Param() as unknown as Message;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 2 && wireType === 0) {
      const value = reader.uint32();
      if (value) message.paramId = value;
      else delete message.paramId;
      continue;
    }
    if (field === 3 && wireType === 2) {
      const value = reader.bytes();
      if (value.length) message.value = value;
      else delete message.value;
      continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeAction(reader: Reader, length: number, depth: number, target: unknown): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = (target || new p4.v1.Action()) as Message;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wireType === 0) {
      const value = reader.uint32();
      if (value) message.actionId = value;
      else delete message.actionId;
      continue;
    }
    if (field === 4 && wireType === 2) {
      const params = message.params as Message[] | undefined;
      if (!params?.length) message.params = [];
      (message.params as Message[]).push(decodeParam(reader, reader.size(), depth + 1));
      continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeFieldMatch(reader: Reader, length: number, depth: number): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = new p4.v1.FieldMatch() as unknown as Message;
  let held: string | undefined;
  let value: unknown;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wireType === 0) {
      value = reader.uint32();
      if (value) message.fieldId = value;
      else delete message.fieldId;
      continue;
    }
    if (wireType === 2) {
      let member: string | undefined;
      let decoder: SubDecoder | undefined;
      if (field === 2) {
        message.exact = decodeExact(reader, reader.size(), depth + 1, message.exact);
        held = replaceMember(message, held, 'exact');
        continue;
      }
      // Two plain assignments rather than a destructured pair: no array made per field.
      if (field === 3) {
        member = 'ternary';
        decoder = decodeTernary;
      } else if (field === 4) {
        member = 'lpm';
        decoder = decodeLpm;
      } else if (field === 6) {
        member = 'range';
        decoder = decodeRange;
      } else if (field === 7) {
        member = 'optional';
        decoder = decodeOptional;
      } else if (field === 100) {
        member = 'other';
        decoder = decodeAny;
      }
      if (member !== undefined && decoder !== undefined) {
        message[member] = decoder(reader, reader.size(), undefined, depth + 1, message[member]);
        held = replaceMember(message, held, member);
        continue;
      }
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeTableAction(reader: Reader, length: number, depth: number, target: unknown): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = (target || new p4.v1.TableAction()) as Message;
  let held = target ? presentMember(message, TABLE_ACTION_ONEOF) : undefined;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wireType === 2) {
      message.action = decodeAction(reader, reader.size(), depth + 1, message.action);
      held = replaceMember(message, held, 'action');
      continue;
    }
    if (field === 2 && wireType === 0) {
      message.actionProfileMemberId = reader.uint32();
      held = replaceMember(message, held, 'actionProfileMemberId');
      continue;
    }
    if (field === 3 && wireType === 0) {
      message.actionProfileGroupId = reader.uint32();
      held = replaceMember(message, held, 'actionProfileGroupId');
      continue;
    }
    if (field === 4 && wireType === 2) {
      message.actionProfileActionSet = decodeActionSet(
        reader,
        reader.size(),
        undefined,
        depth + 1,
        message.actionProfileActionSet,
      );
      held = replaceMember(message, held, 'actionProfileActionSet');
      continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeTableEntry(reader: Reader, length: number, depth: number, target: unknown): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = (target || new p4.v1.TableEntry()) as Message;
  let value: unknown;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    switch (field) {
      case 1:
        if (wireType !== 0) break;
        value = reader.uint32();
        if (value) message.tableId = value;
        else delete message.tableId;
        continue;
      case 2: {
        if (wireType !== 2) break;
        const match = message.match as Message[] | undefined;
        if (!match?.length) message.match = [];
        (message.match as Message[]).push(decodeFieldMatch(reader, reader.size(), depth + 1));
        continue;
      }
      case 3:
        if (wireType !== 2) break;
        message.action = decodeTableAction(reader, reader.size(), depth + 1, message.action);
        continue;
      case 4:
        if (wireType !== 0) break;
        value = reader.int32();
        if (value) message.priority = value;
        else delete message.priority;
        continue;
      case 5:
        if (wireType !== 0) break;
        value = reader.uint64();
        if (isNonZeroLong(value)) message.controllerMetadata = value;
        else delete message.controllerMetadata;
        continue;
      case 6:
        if (wireType !== 2) break;
        message.meterConfig = decodeMeterConfig(
          reader,
          reader.size(),
          undefined,
          depth + 1,
          message.meterConfig,
        );
        continue;
      case 7:
        if (wireType !== 2) break;
        message.counterData = decodeCounterData(
          reader,
          reader.size(),
          undefined,
          depth + 1,
          message.counterData,
        );
        continue;
      case 12:
        if (wireType !== 2) break;
        message.meterCounterData = decodeMeterCounterData(
          reader,
          reader.size(),
          undefined,
          depth + 1,
          message.meterCounterData,
        );
        continue;
      case 8:
        if (wireType !== 0) break;
        value = reader.bool();
        if (value) message.isDefaultAction = value;
        else delete message.isDefaultAction;
        continue;
      case 9:
        if (wireType !== 0) break;
        value = reader.int64();
        if (isNonZeroLong(value)) message.idleTimeoutNs = value;
        else delete message.idleTimeoutNs;
        continue;
      case 10:
        if (wireType !== 2) break;
        message.timeSinceLastHit = decodeIdleTimeout(
          reader,
          reader.size(),
          undefined,
          depth + 1,
          message.timeSinceLastHit,
        );
        continue;
      case 11:
        if (wireType !== 2) break;
        value = reader.bytes();
        if ((value as { length: number }).length > 0) message.metadata = value;
        else delete message.metadata;
        continue;
      case 13:
        if (wireType !== 0) break;
        value = reader.bool();
        if (value) message.isConst = value;
        else delete message.isConst;
        continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeEntity(reader: Reader, length: number, depth: number, target: unknown): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = (target || new p4.v1.Entity()) as Message;
  let held = target ? presentMember(message, ENTITY_ONEOF) : undefined;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (wireType === 2) {
      if (field === 2) {
        message.tableEntry = decodeTableEntry(reader, reader.size(), depth + 1, message.tableEntry);
        held = replaceMember(message, held, 'tableEntry');
        continue;
      }
      const other = ENTITY_MEMBERS[field];
      if (other !== undefined) {
        const [member, decoder] = other;
        message[member] = decoder(reader, reader.size(), undefined, depth + 1, message[member]);
        held = replaceMember(message, held, member);
        continue;
      }
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

function decodeUpdate(reader: Reader, length: number, depth: number): Message {
  const end = begin(reader, length, depth);
  const outerLen = reader.len;
  reader.len = end;
  const message = new p4.v1.Update() as unknown as Message;
  let value: unknown;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wireType === 0) {
      value = reader.int32();
      if (value) message.type = value;
      else delete message.type;
      continue;
    }
    if (field === 2 && wireType === 2) {
      message.entity = decodeEntity(reader, reader.size(), depth + 1, message.entity);
      continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  finish(reader, length, end, outerLen);
  return message;
}

// ---------------------------------------------------------------- the common table write

// The decoder's state is module `var`s, not `let`s: V8 checks a module `let` read or written from a
// function for its temporal dead zone at every use (82 checks in decodeCommonUpdate alone, a fifth
// of its bytecode), which TurboFan then compiled in the first writes after a pipeline load; a
// `var` has none (docs/ARCHITECTURE.md, "Round 1, issue 15k").

/** Where the common decoder reads next (one pass, no reader object: see decodeCommonUpdate). */
var at = 0;
/** False once a varint {@link varint32} read ends in a redundant zero byte (a padded varint). */
var minimal = true;

/** A varint of at most 32 bits at {@link at}, before `end`, as protobufjs `uint32`; -1 otherwise. */
function varint32(buf: Uint8Array, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (at >= end) return -1;
    const b = buf[at++];
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      if (b === 0 && shift > 0) minimal = false;
      return value >>> 0;
    }
  }
  if (at >= end || buf[at] > 0x0f) return -1;
  if (buf[at] === 0) minimal = false;
  return (value | (buf[at++] << 28)) >>> 0;
}

/** The end of the length-delimited field whose length is at {@link at}; -1 when past `end`. */
function lengthEnd(buf: Uint8Array, end: number): number {
  const length = varint32(buf, end);
  return length >= 0 && at + length <= end ? at + length : -1;
}

/** The general decoder's Update of `bytes` from `start` to `end` (a common write's messages). */
function decodeUpdateAt(bytes: Uint8Array, start: number, end: number): p4.v1.IUpdate {
  const reader = ReaderClass.create(bytes);
  reader.pos = start;
  return decodeUpdate(reader, end - start, 1) as p4.v1.IUpdate;
}

/**
 * An INSERT of a table entry in the shape clients send for most writes, each field once and in
 * field order — Update { type: INSERT, entity { table_entry { table_id, match { field_id, exact {
 * value } }..., action { action { action_id, params { param_id, value }... } }, priority 0,
 * metadata } } } — read in one pass over the bytes, without a reader, into `writes.layout`
 * (frontend/common-write.ts): a CommonTableWrite. Undefined (the layout's size as it was) for
 * anything else (another type, field or order, a field twice, a non-zero priority, a varint over
 * 32 bits, a length past its message): decodeUpdate then decodes it, or fails as the generated
 * decoder does. A CommonTableWrite's messages are decodeUpdate's of the same bytes
 * (test/switch/p4runtime/write-request.test.ts checks the record against them).
 */
function decodeCommonUpdate(
  writes: CommonWrites,
  buf: Uint8Array,
  start: number,
  end: number,
): CommonTableWrite | undefined {
  at = start;
  // type INSERT (1), in one byte: the Update's type is outside the Entity a Read gives back.
  if (end - at < 2 || buf[at] !== 0x08 || buf[at + 1] !== 0x01) return undefined;
  at += 2;
  minimal = true;
  // Whether the Entity's bytes are those a Read gives back (CommonTableWrite.entityStart): byte
  // strings canonical, no field a Read leaves out (a zero priority, empty metadata), varints minimal.
  let canonical = true;
  // entity { table_entry { ... } }, each the rest of its message.
  if (at >= end || buf[at++] !== 0x12 || lengthEnd(buf, end) !== end) return undefined;
  const entityStart = at;
  if (at >= end || buf[at++] !== 0x12 || lengthEnd(buf, end) !== end) return undefined;
  // At most 6 + 3 numbers per match (4 bytes at least) or param (2 bytes at least).
  const layout = writes.reserve(8 + 2 * (end - start));
  const base = writes.size;
  let n = base;
  let id = 0;
  if (at < end && buf[at] === 0x08) {
    at++;
    id = varint32(buf, end);
    if (id < 0) return undefined;
  }
  layout[n] = id;
  n += 2;
  let count = 0;
  while (at < end && buf[at] === 0x12) {
    // match { field_id, exact { value } }
    at++;
    const matchEnd = lengthEnd(buf, end);
    if (matchEnd < 0) return undefined;
    id = 0;
    if (at < matchEnd && buf[at] === 0x08) {
      at++;
      id = varint32(buf, matchEnd);
      if (id < 0) return undefined;
    }
    if (at >= matchEnd || buf[at++] !== 0x12 || lengthEnd(buf, matchEnd) !== matchEnd) return undefined;
    // An absent or empty value reads as zero, which a Read gives back as one zero byte.
    let valueStart = matchEnd;
    if (at >= matchEnd) canonical = false;
    else {
      if (buf[at++] !== 0x0a || lengthEnd(buf, matchEnd) !== matchEnd) return undefined;
      valueStart = at;
      // Both tests run on every value: an operation first run mid-round (on the first value with a
      // leading zero byte) would throw the optimized decoder away for want of type feedback.
      const length = matchEnd - at;
      if (length > 0) {
        const zero = buf[at] === 0;
        const long = length > 1;
        if (zero && long) canonical = false;
      } else canonical = false;
      at = matchEnd;
    }
    layout[n] = id;
    layout[n + 1] = valueStart;
    layout[n + 2] = matchEnd;
    n += 3;
    count++;
  }
  layout[base + 1] = count;
  if (at < end && buf[at] === 0x1a) {
    // action { action { action_id, params { param_id, value }... } }
    at++;
    const actionEnd = lengthEnd(buf, end);
    if (actionEnd < 0 || at >= actionEnd || buf[at++] !== 0x0a || lengthEnd(buf, actionEnd) !== actionEnd)
      return undefined;
    id = 0;
    if (at < actionEnd && buf[at] === 0x08) {
      at++;
      id = varint32(buf, actionEnd);
      if (id < 0) return undefined;
    }
    layout[n] = id;
    const countAt = n + 1;
    n += 2;
    count = 0;
    while (at < actionEnd && buf[at] === 0x22) {
      at++;
      const paramEnd = lengthEnd(buf, actionEnd);
      if (paramEnd < 0) return undefined;
      id = 0;
      if (at < paramEnd && buf[at] === 0x10) {
        at++;
        id = varint32(buf, paramEnd);
        if (id < 0) return undefined;
      }
      let valueStart = paramEnd;
      if (at < paramEnd && buf[at] === 0x1a) {
        at++;
        if (lengthEnd(buf, paramEnd) !== paramEnd) return undefined;
        valueStart = at;
        // Both tests on every value, as for a match's.
        const length = paramEnd - at;
        if (length > 0) {
          const zero = buf[at] === 0;
          const long = length > 1;
          if (zero && long) canonical = false;
        } else canonical = false;
        at = paramEnd;
      } else canonical = false;
      if (at !== paramEnd) return undefined;
      layout[n] = id;
      layout[n + 1] = valueStart;
      layout[n + 2] = paramEnd;
      n += 3;
      count++;
    }
    if (at !== actionEnd) return undefined;
    layout[countAt] = count;
  } else {
    layout[n] = -1;
    layout[n + 1] = 0;
    n += 2;
  }
  if (at < end && buf[at] === 0x20) {
    // Only a zero priority (given, so not what a Read gives back): any other is not an INSERT
    // this path takes (tables with priorities are not all exact).
    at++;
    if (at >= end || buf[at++] !== 0) return undefined;
    canonical = false;
  }
  let metadataStart = end;
  let metadataEnd = end;
  if (at < end && buf[at] === 0x5a) {
    at++;
    metadataEnd = lengthEnd(buf, end);
    if (metadataEnd < 0) return undefined;
    metadataStart = at;
    if (metadataEnd === at) canonical = false;
    at = metadataEnd;
  }
  if (at !== end) return undefined;
  layout[n] = metadataStart;
  layout[n + 1] = metadataEnd;
  writes.size = n + 2;
  return new CommonTableWrite(writes, base, start, end, canonical && minimal ? entityStart : -1);
}

/** A FieldMatch member's tag (one byte) to its kind in a ClassifiedTableWrite; -1 for others (lpm). */
const MEMBER_KINDS: Int8Array = (() => {
  const kinds = new Int8Array(256).fill(-1);
  kinds[0x12] = SPAN_EXACT;
  kinds[0x1a] = SPAN_TERNARY;
  kinds[0x32] = SPAN_RANGE;
  kinds[0x3a] = SPAN_OPTIONAL;
  return kinds;
})();

/** Whether bytes `start` to `end` are a byte string as a Read gives it: not empty, no leading zero (but zero's). */
function canonicalSpan(buf: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  return length > 0 && (buf[start] !== 0 || length === 1);
}

/**
 * {@link decodeCommonUpdate} for an INSERT into a table with a priority (issue 11r): Update { type:
 * INSERT, entity { table_entry { table_id, match { field_id, exact | ternary | range | optional {
 * value (low), mask (high) } }..., action { action { action_id, params... } }, priority, metadata }
 * } }, each field once and in field order, the priority in 1..2^31-1, into `writes.layout` as a
 * ClassifiedTableWrite (frontend/common-write.ts). Undefined (the layout's size as it was) for
 * anything else, which decodeUpdate then decodes (an lpm match, no action or priority, any other
 * field or order). The Entity's bytes are a Read's when every byte string is canonical and present
 * (a Read writes a ternary's value and mask, a range's low and high, even when zero: read-encoder.ts
 * writeFieldMatches), metadata is not empty and varints are minimal.
 */
function decodeClassifiedUpdate(
  writes: CommonWrites,
  buf: Uint8Array,
  start: number,
  end: number,
): ClassifiedTableWrite | undefined {
  at = start;
  if (end - at < 2 || buf[at] !== 0x08 || buf[at + 1] !== 0x01) return undefined;
  at += 2;
  minimal = true;
  let canonical = true;
  if (at >= end || buf[at++] !== 0x12 || lengthEnd(buf, end) !== end) return undefined;
  const entityStart = at;
  if (at >= end || buf[at++] !== 0x12 || lengthEnd(buf, end) !== end) return undefined;
  // At most 6 numbers per match (4 bytes at least) and 3 per param (2 bytes at least).
  const layout = writes.reserve(9 + 2 * (end - start));
  const base = writes.size;
  let n = base;
  let id = 0;
  if (at < end && buf[at] === 0x08) {
    at++;
    id = varint32(buf, end);
    if (id < 0) return undefined;
  }
  layout[n] = id;
  n += 2;
  let count = 0;
  while (at < end && buf[at] === 0x12) {
    // match { field_id, <member> { 1: value or low, 2: mask or high } }
    at++;
    const matchEnd = lengthEnd(buf, end);
    if (matchEnd < 0) return undefined;
    id = 0;
    if (at < matchEnd && buf[at] === 0x08) {
      at++;
      id = varint32(buf, matchEnd);
      if (id < 0) return undefined;
    }
    if (at >= matchEnd) return undefined;
    const kind = MEMBER_KINDS[buf[at++]];
    if (kind < 0 || lengthEnd(buf, matchEnd) !== matchEnd) return undefined;
    const pair = kind === SPAN_TERNARY || kind === SPAN_RANGE;
    let firstStart = matchEnd;
    let firstEnd = matchEnd;
    let secondStart = matchEnd;
    let secondEnd = matchEnd;
    if (at < matchEnd && buf[at] === 0x0a) {
      at++;
      firstEnd = lengthEnd(buf, matchEnd);
      if (firstEnd < 0) return undefined;
      firstStart = at;
      at = firstEnd;
    }
    if (pair && at < matchEnd && buf[at] === 0x12) {
      at++;
      secondEnd = lengthEnd(buf, matchEnd);
      if (secondEnd < 0) return undefined;
      secondStart = at;
      at = secondEnd;
    }
    if (at !== matchEnd) return undefined;
    if (!canonicalSpan(buf, firstStart, firstEnd) || (pair && !canonicalSpan(buf, secondStart, secondEnd)))
      canonical = false;
    layout[n] = id;
    layout[n + 1] = kind;
    layout[n + 2] = firstStart;
    layout[n + 3] = firstEnd;
    layout[n + 4] = secondStart;
    layout[n + 5] = secondEnd;
    n += 6;
    count++;
  }
  layout[base + 1] = count;
  // action { action { action_id, params { param_id, value }... } }: required.
  if (at >= end || buf[at++] !== 0x1a) return undefined;
  const actionEnd = lengthEnd(buf, end);
  if (actionEnd < 0 || at >= actionEnd || buf[at++] !== 0x0a || lengthEnd(buf, actionEnd) !== actionEnd)
    return undefined;
  id = 0;
  if (at < actionEnd && buf[at] === 0x08) {
    at++;
    id = varint32(buf, actionEnd);
    if (id < 0) return undefined;
  }
  layout[n] = id;
  const countAt = n + 1;
  n += 2;
  count = 0;
  while (at < actionEnd && buf[at] === 0x22) {
    at++;
    const paramEnd = lengthEnd(buf, actionEnd);
    if (paramEnd < 0) return undefined;
    id = 0;
    if (at < paramEnd && buf[at] === 0x10) {
      at++;
      id = varint32(buf, paramEnd);
      if (id < 0) return undefined;
    }
    let valueStart = paramEnd;
    if (at < paramEnd && buf[at] === 0x1a) {
      at++;
      if (lengthEnd(buf, paramEnd) !== paramEnd) return undefined;
      valueStart = at;
      at = paramEnd;
    }
    if (at !== paramEnd) return undefined;
    if (!canonicalSpan(buf, valueStart, paramEnd)) canonical = false;
    layout[n] = id;
    layout[n + 1] = valueStart;
    layout[n + 2] = paramEnd;
    n += 3;
    count++;
  }
  if (at !== actionEnd) return undefined;
  layout[countAt] = count;
  // priority: required, positive (PI refuses others; the general path gives its error).
  if (at >= end || buf[at++] !== 0x20) return undefined;
  const priority = varint32(buf, end);
  if (priority <= 0 || priority > 0x7fffffff) return undefined;
  let metadataStart = end;
  let metadataEnd = end;
  if (at < end && buf[at] === 0x5a) {
    at++;
    metadataEnd = lengthEnd(buf, end);
    if (metadataEnd < 0) return undefined;
    metadataStart = at;
    if (metadataEnd === at) canonical = false;
    at = metadataEnd;
  }
  if (at !== end) return undefined;
  layout[n] = priority;
  layout[n + 1] = metadataStart;
  layout[n + 2] = metadataEnd;
  writes.size = n + 3;
  return new ClassifiedTableWrite(writes, base, start, end, canonical && minimal ? entityStart : -1);
}

/** The layout of the request being decoded, made at its first INSERT ({@link layoutFor}). */
var runWrites: CommonWrites | undefined;

/**
 * The request's layout for {@link decodeCommonRun} when the update at `pos` is an INSERT (made
 * then, once per request: a request of other updates makes none); undefined otherwise. Made here,
 * by the request's decoder, not in the run's loop: there V8's optimized loop met the layout's
 * constructor, run once per request so far, with no type feedback, and was thrown away ("insufficient
 * type feedback") in the first writes after a pipeline load.
 */
function layoutFor(buf: Uint8Array, pos: number, len: number): CommonWrites | undefined {
  if (runWrites !== undefined) return runWrites;
  at = pos + 1;
  const end = lengthEnd(buf, len);
  if (end < 0 || end - at < 2 || buf[at] !== 0x08 || buf[at + 1] !== 0x01) return undefined;
  // About 14 numbers per 40-byte update; grown if need be.
  runWrites = new CommonWrites(buf, decodeUpdateAt, (len >> 1) + 64);
  return runWrites;
}

/**
 * The WriteRequest's updates (field 4, tag 22 in one byte) from `pos` on, while each is a common
 * INSERT, decoded to their records (pushed to `updates`); where the first other field or update
 * starts. Apart from decodeWriteRequest so that the loop V8 optimizes while the first requests
 * run (on-stack replacement, then again whole) is this small one, not the request's decoder with
 * every field's case: a request of common INSERTs is one turn of decodeWriteRequest's loop.
 */
function decodeCommonRun(
  runWrites: CommonWrites,
  buf: Uint8Array,
  pos: number,
  len: number,
  updates: unknown[],
): number {
  let next = pos;
  while (next < len && buf[next] === 0x22) {
    at = next + 1;
    const end = lengthEnd(buf, len);
    // INSERT (08 01) first: a request of other updates makes no layout.
    if (end < 0 || end - at < 2 || buf[at] !== 0x08 || buf[at + 1] !== 0x01) break;
    const start = at;
    // An INSERT into a table with a priority fails the common shape at its first other match or
    // at its priority, then is read again as a ClassifiedTableWrite.
    const common =
      decodeCommonUpdate(runWrites, buf, start, end) ?? decodeClassifiedUpdate(runWrites, buf, start, end);
    if (common === undefined) break;
    updates.push(common);
    next = end;
  }
  return next;
}

/** `p4.v1.WriteRequest.decode(bytes)`, with the same result and the same errors. */
export function decodeWriteRequest(bytes: Uint8Array): p4.v1.WriteRequest {
  // Read through a plain Uint8Array over the same memory: protobufjs then reads byte fields as
  // Uint8Array views (`subarray`) instead of Node Buffers, whose slice constructs a Buffer subclass
  // at 2-3 times the cost, three times per table entry. Byte fields stay views of the request.
  const reader = ReaderClass.create(
    Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes,
  );
  const depth = 0;
  const end = begin(reader, undefined, depth);
  const message = new p4.v1.WriteRequest() as unknown as Message;
  runWrites = undefined;
  let value: unknown;
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.tag();
    const wireType = tag & 7;
    const field = tag >>> 3;
    switch (field) {
      case 1:
        if (wireType !== 0) break;
        value = reader.uint64();
        if (isNonZeroLong(value)) message.deviceId = value;
        else delete message.deviceId;
        continue;
      case 2:
        if (wireType !== 0) break;
        value = reader.uint64();
        if (isNonZeroLong(value)) message.roleId = value;
        else delete message.roleId;
        continue;
      case 6:
        if (wireType !== 2) break;
        value = reader.stringVerify();
        if ((value as { length: number }).length > 0) message.role = value;
        else delete message.role;
        continue;
      case 3:
        if (wireType !== 2) break;
        message.electionId = decodeUint128(reader, reader.size(), undefined, depth + 1, message.electionId);
        continue;
      case 4: {
        if (wireType !== 2) break;
        const updates = message.updates as unknown[] | undefined;
        if (!updates?.length) message.updates = emptyObjectList<p4.v1.IUpdate>();
        // This update and those after it, while they are common INSERTs, then any other by the
        // general decoder.
        const layout = layoutFor(reader.buf, start, reader.len);
        const next =
          layout === undefined
            ? start
            : decodeCommonRun(layout, reader.buf, start, reader.len, message.updates as unknown[]);
        if (next > start) {
          reader.pos = next;
          continue;
        }
        (message.updates as unknown[]).push(decodeUpdate(reader, reader.size(), depth + 1));
        continue;
      }
      case 5:
        if (wireType !== 0) break;
        value = reader.int32();
        if (value) message.atomicity = value;
        else delete message.atomicity;
        continue;
    }
    unknownField(reader, message, start, wireType, depth, field);
  }
  return message as unknown as p4.v1.WriteRequest;
}
