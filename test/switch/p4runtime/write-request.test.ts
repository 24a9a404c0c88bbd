// The server's WriteRequest decoder against the generated one: for encoded requests of every kind,
// and for those bytes damaged (flipped, cut, extended) or random, both give the same object (class,
// own fields, unknown fields kept) or fail with the same error.
import fc from 'fast-check';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import {
  ClassifiedTableWrite,
  CommonTableWrite,
} from '../../../src/switch/p4runtime/frontend/common-write.js';
import { decodeWriteRequest } from '../../../src/switch/p4runtime/grpc/write-request.js';

/** Everything observable of a decoded value: class names, own fields (also non-enumerable), bytes. */
function shape(x: unknown): unknown {
  // A common INSERT's record stands for its messages (checked against them below).
  if (x instanceof CommonTableWrite) return shape(x.update());
  if (x instanceof Uint8Array) return { bytes: Array.from(x) };
  if (Array.isArray(x)) return x.map(shape);
  if (typeof x !== 'object' || x === null) return x;
  const out: Record<string, unknown> = { $class: x.constructor?.name };
  for (const key of Object.getOwnPropertyNames(x).sort())
    out[key] = shape((x as Record<string, unknown>)[key]);
  return out;
}

function outcome(decode: () => unknown): unknown {
  try {
    return { ok: shape(decode()) };
  } catch (error) {
    return { error: String(error) };
  }
}

const bytes = fc.uint8Array({ maxLength: 8 });
const long = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.constant('18446744073709551615'),
);
const fieldMatch = fc.record(
  {
    fieldId: fc.nat(5),
    exact: fc.record({ value: bytes }),
    ternary: fc.record({ value: bytes, mask: bytes }),
    lpm: fc.record({ value: bytes, prefixLen: fc.nat(64) }),
    range: fc.record({ low: bytes, high: bytes }),
    optional: fc.record({ value: bytes }),
  },
  { requiredKeys: [] },
);
const tableAction = fc.record(
  {
    action: fc.record({
      actionId: fc.nat(10),
      params: fc.array(fc.record({ paramId: fc.nat(3), value: bytes }), { maxLength: 3 }),
    }),
    actionProfileMemberId: fc.nat(5),
    actionProfileGroupId: fc.nat(5),
    actionProfileActionSet: fc.record({
      actionProfileActions: fc.array(fc.record({ weight: fc.nat(3), watchPort: bytes }), { maxLength: 2 }),
    }),
  },
  { requiredKeys: [] },
);
const tableEntry = fc.record(
  {
    tableId: fc.nat(10),
    match: fc.array(fieldMatch, { maxLength: 3 }),
    action: tableAction,
    priority: fc.integer({ min: -2, max: 100 }),
    controllerMetadata: long,
    meterConfig: fc.record({ cir: long, cburst: long }, { requiredKeys: [] }),
    counterData: fc.record({ byteCount: long, packetCount: long }, { requiredKeys: [] }),
    isDefaultAction: fc.boolean(),
    idleTimeoutNs: long,
    timeSinceLastHit: fc.record({ elapsedNs: long }, { requiredKeys: [] }),
    metadata: bytes,
    isConst: fc.boolean(),
  },
  { requiredKeys: [] },
);
const entity = fc.record(
  {
    tableEntry,
    actionProfileMember: fc.record({ actionProfileId: fc.nat(5), memberId: fc.nat(5) }, { requiredKeys: [] }),
    counterEntry: fc.record(
      { counterId: fc.nat(5), index: fc.record({ index: long }) },
      { requiredKeys: [] },
    ),
    directCounterEntry: fc.record({ tableEntry }, { requiredKeys: [] }),
    packetReplicationEngineEntry: fc.record({
      multicastGroupEntry: fc.record({ multicastGroupId: fc.nat(5) }, { requiredKeys: [] }),
    }),
  },
  { requiredKeys: [] },
);
const writeRequest = fc.record(
  {
    deviceId: long,
    roleId: long,
    role: fc.string({ maxLength: 4 }),
    electionId: fc.record({ high: long, low: long }, { requiredKeys: [] }),
    updates: fc.array(fc.record({ type: fc.nat(4), entity }, { requiredKeys: [] }), { maxLength: 4 }),
    atomicity: fc.nat(3),
  },
  { requiredKeys: [] },
);

/**
 * Requests of table writes in the shape most clients send (exact matches, a direct action,
 * sometimes a priority and metadata): what the server's one-pass decoder takes (write-request.ts
 * decodeCommonUpdate), mixed with others it leaves to the general one.
 */
const commonEntry = fc.record(
  {
    tableId: fc.oneof(fc.nat(10), fc.constant(0x02000001), fc.constant(2 ** 32 - 1)),
    match: fc.array(
      fc.record(
        { fieldId: fc.nat(300), exact: fc.record({ value: bytes }, { requiredKeys: [] }) },
        {
          requiredKeys: ['exact'],
        },
      ),
      { maxLength: 4 },
    ),
    action: fc.record({
      action: fc.record(
        {
          actionId: fc.oneof(fc.nat(10), fc.constant(0x01000002)),
          params: fc.array(fc.record({ paramId: fc.nat(200), value: bytes }, { requiredKeys: [] }), {
            maxLength: 3,
          }),
        },
        { requiredKeys: [] },
      ),
    }),
    priority: fc.integer({ min: -2, max: 2 ** 31 - 1 }),
    metadata: bytes,
    controllerMetadata: long,
  },
  { requiredKeys: ['match', 'action'] },
);
const commonRequest = fc
  .record({
    updates: fc.array(
      fc.oneof(
        fc.record(
          { type: fc.nat(4), entity: fc.record({ tableEntry: commonEntry }) },
          { requiredKeys: ['entity'] },
        ),
        fc.record({ type: fc.nat(4), entity }, { requiredKeys: [] }),
      ),
      { maxLength: 4 },
    ),
  })
  .map((r) => p4.v1.WriteRequest.encode(r as p4.v1.IWriteRequest).finish());

/**
 * The same shape written byte by byte, as an encoder other than protobufjs may: zero values and
 * empty strings on the wire, varints padded to 5 bytes or over 32 bits, fields out of order.
 */
const varint = fc
  .tuple(fc.oneof(fc.nat(300), fc.constant(0), fc.constant(2 ** 31), fc.constant(2 ** 32 - 1)), fc.nat(2))
  .map(([v, pad]) => {
    const out: number[] = [];
    let x = v;
    while (x > 0x7f || out.length < pad) {
      out.push((x % 128) | 0x80);
      x = Math.floor(x / 128);
      if (out.length === 4) break;
    }
    out.push(x);
    return Uint8Array.from(out);
  });
const len = (tag: number, body: Uint8Array) =>
  Buffer.concat([
    Buffer.from(
      body.length < 0x80 ? [tag, body.length] : [tag, (body.length & 0x7f) | 0x80, body.length >> 7],
    ),
    body,
  ]);
const vfield = (tag: number) => varint.map((v) => Buffer.concat([Buffer.from([tag]), v]));
const optional = (a: fc.Arbitrary<Buffer>) => fc.option(a, { nil: Buffer.alloc(0) });
/** Now and then a field the shape does not have (field 5 or 13 as a varint, field 14 as bytes). */
const stray = fc.oneof(
  { arbitrary: fc.constant(Buffer.alloc(0)), weight: 12 },
  {
    arbitrary: fc.constantFrom(Buffer.from([0x28, 1]), Buffer.from([0x68, 0]), Buffer.from([0x72, 1, 7])),
    weight: 1,
  },
);
const rawMatch = fc
  .tuple(optional(vfield(0x08)), optional(bytes.map((b) => len(0x0a, b))), stray)
  .map(([id, value, extra]) => len(0x12, Buffer.concat([id, len(0x12, value), extra])));
const rawParam = fc
  .tuple(optional(vfield(0x10)), optional(bytes.map((b) => len(0x1a, b))), stray)
  .map(([id, value, extra]) => len(0x22, Buffer.concat([id, value, extra])));
const rawAction = fc
  .tuple(optional(vfield(0x08)), fc.array(rawParam, { maxLength: 3 }), stray)
  .map(([id, params, extra]) => len(0x1a, len(0x0a, Buffer.concat([id, ...params, extra]))));
const rawEntry = fc
  .tuple(
    optional(vfield(0x08)),
    fc.array(rawMatch, { maxLength: 3 }),
    optional(rawAction),
    optional(vfield(0x20)),
    optional(bytes.map((b) => len(0x5a, b))),
    fc.boolean(),
    stray,
  )
  .map(([id, match, action, priority, metadata, swap, extra]) =>
    Buffer.concat(
      swap ? [action, id, ...match, metadata, priority] : [id, ...match, action, priority, metadata, extra],
    ),
  );
const rawRequest = fc
  .array(
    fc
      .tuple(
        // Mostly INSERT (08 01), what the common decoder takes.
        fc.oneof({ arbitrary: fc.constant(Buffer.from([0x08, 0x01])), weight: 3 }, optional(vfield(0x08))),
        rawEntry,
      )
      .map(([type, entry]) => len(0x22, Buffer.concat([type, len(0x12, len(0x12, entry))]))),
    { maxLength: 3 },
  )
  .map((updates) => Buffer.concat(updates));

/**
 * INSERTs into tables with a priority (decodeClassifiedUpdate, issue 11r): exact, ternary, range and
 * optional matches (now and then an lpm one), a direct action, a priority, as protobufjs writes them.
 */
const classifiedEntry = fc.record(
  {
    tableId: fc.oneof(fc.nat(10), fc.constant(0x02000001)),
    match: fc.array(
      fc.oneof(
        fc.record({ fieldId: fc.nat(300), exact: fc.record({ value: bytes }, { requiredKeys: [] }) }),
        fc.record({
          fieldId: fc.nat(300),
          ternary: fc.record({ value: bytes, mask: bytes }, { requiredKeys: [] }),
        }),
        fc.record({
          fieldId: fc.nat(300),
          range: fc.record({ low: bytes, high: bytes }, { requiredKeys: [] }),
        }),
        fc.record({ fieldId: fc.nat(300), optional: fc.record({ value: bytes }, { requiredKeys: [] }) }),
        fc.record({ fieldId: fc.nat(300), lpm: fc.record({ value: bytes, prefixLen: fc.nat(64) }) }),
      ),
      { maxLength: 4 },
    ),
    action: fc.record({
      action: fc.record(
        {
          actionId: fc.oneof(fc.nat(10), fc.constant(0x01000002)),
          params: fc.array(fc.record({ paramId: fc.nat(200), value: bytes }, { requiredKeys: [] }), {
            maxLength: 3,
          }),
        },
        { requiredKeys: [] },
      ),
    }),
    priority: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: -2, max: 0 })),
    metadata: bytes,
    controllerMetadata: long,
  },
  { requiredKeys: ['match', 'action', 'priority'] },
);
const classifiedRequest = fc
  .record({
    updates: fc.array(
      fc.oneof(
        fc.record(
          { type: fc.nat(2), entity: fc.record({ tableEntry: classifiedEntry }) },
          { requiredKeys: ['entity'] },
        ),
        fc.record({ type: fc.nat(4), entity: fc.record({ tableEntry: commonEntry }) }, { requiredKeys: [] }),
      ),
      { maxLength: 4 },
    ),
  })
  .map((r) => p4.v1.WriteRequest.encode(r as p4.v1.IWriteRequest).finish());
/** The same byte by byte: any member tag (lpm's too), each inner field or not, padded varints, strays. */
const rawClassifiedMatch = fc
  .tuple(
    optional(vfield(0x08)),
    fc.constantFrom(0x12, 0x1a, 0x32, 0x3a, 0x22),
    optional(bytes.map((b) => len(0x0a, b))),
    optional(bytes.map((b) => len(0x12, b))),
    fc.boolean(),
    stray,
  )
  .map(([id, member, first, second, swap, extra]) =>
    len(
      0x12,
      Buffer.concat([id, len(member, Buffer.concat(swap ? [second, first] : [first, second])), extra]),
    ),
  );
const rawClassifiedEntry = fc
  .tuple(
    optional(vfield(0x08)),
    fc.array(rawClassifiedMatch, { maxLength: 3 }),
    optional(rawAction),
    fc.oneof({ arbitrary: vfield(0x20), weight: 4 }, optional(vfield(0x20))),
    optional(bytes.map((b) => len(0x5a, b))),
    fc.boolean(),
    stray,
  )
  .map(([id, match, action, priority, metadata, swap, extra]) =>
    Buffer.concat(
      swap ? [id, ...match, priority, action, metadata] : [id, ...match, action, priority, metadata, extra],
    ),
  );
const rawClassifiedRequest = fc
  .array(
    fc
      .tuple(
        fc.oneof({ arbitrary: fc.constant(Buffer.from([0x08, 0x01])), weight: 5 }, optional(vfield(0x08))),
        rawClassifiedEntry,
      )
      .map(([type, entry]) => len(0x22, Buffer.concat([type, len(0x12, len(0x12, entry))]))),
    { maxLength: 3 },
  )
  .map((updates) => Buffer.concat(updates));

/** Encodings, including several members of one oneof (the last one on the wire wins). */
const encoded = writeRequest.map((r) => p4.v1.WriteRequest.encode(r as p4.v1.IWriteRequest).finish());

/** A P4Runtime byte string as a Read gives it back: not empty, no leading zero byte (but zero's). */
const canonicalBytes = (b: Uint8Array | null | undefined): boolean =>
  !!b && b.length > 0 && (b[0] !== 0 || b.length === 1);

/** TableEntry fields no INSERT record stands for (the decoder declines an update with any). */
const NOT_IN_RECORDS = [
  'controllerMetadata',
  'meterConfig',
  'counterData',
  'meterCounterData',
  'isDefaultAction',
  'idleTimeoutNs',
  'timeSinceLastHit',
  'isConst',
  '$unknowns',
];

/** A record's INSERT as the general decoder makes it from the same bytes, with none of `absent` set. */
function recordEntry(w: CommonTableWrite, absent: readonly string[]) {
  const update = w.update();
  expect(update.type).toBe(p4.v1.Update.Type.INSERT);
  const entry = update.entity?.tableEntry;
  if (!entry) throw new Error('an INSERT record without a table entry');
  for (const field of absent) expect(Object.hasOwn(entry, field)).toBe(false);
  return { layout: w.writes.layout, bytes: w.writes.bytes, entry };
}

/** The bytes from `start` to `end` of `bytes`, as numbers. */
const spanOf = (bytes: Uint8Array, start: number, end: number) => Array.from(bytes.subarray(start, end));
/** A message's byte string as numbers, none as none. */
const orEmpty = (b: Uint8Array | null | undefined) => Array.from(b ?? []);

/**
 * A common INSERT's numbers (frontend/common-write.ts) against its messages, which the general
 * decoder makes of the same bytes: the same ids and byte strings, nothing the record leaves out,
 * and the Entity's bytes given as a Read's exactly when they are (re-encoded the same, every byte
 * string canonical).
 */
function checkRecord(w: CommonTableWrite): void {
  if (w instanceof ClassifiedTableWrite) {
    checkClassifiedRecord(w);
    return;
  }
  const { layout, bytes, entry } = recordEntry(w, ['priority', ...NOT_IN_RECORDS]);
  let i = w.at;
  expect(layout[i++]).toBe(entry.tableId ?? 0);
  const matches = entry.match ?? [];
  expect(layout[i++]).toBe(matches.length);
  for (const m of matches) {
    expect(m.exact).toBeDefined();
    expect(layout[i]).toBe(m.fieldId ?? 0);
    expect(spanOf(bytes, layout[i + 1], layout[i + 2])).toEqual(orEmpty(m.exact?.value));
    i += 3;
  }
  const action = entry.action?.action;
  expect(layout[i++]).toBe(action ? (action.actionId ?? 0) : -1);
  const params = action?.params ?? [];
  expect(layout[i++]).toBe(params.length);
  for (const p of params) {
    expect(layout[i]).toBe(p.paramId ?? 0);
    expect(spanOf(bytes, layout[i + 1], layout[i + 2])).toEqual(orEmpty(p.value));
    i += 3;
  }
  expect(spanOf(bytes, layout[i], layout[i + 1])).toEqual(orEmpty(entry.metadata));
  // The Entity's content: after the type (08 01) and the entity's tag and length.
  let at = w.updateStart + 3;
  while (bytes[at] & 0x80) at++;
  at++;
  const content = Buffer.from(bytes.subarray(at, w.updateEnd));
  const reencoded = Buffer.from(p4.v1.TableEntry.encode(entry).finish());
  const ids = [entry.tableId, ...matches.map((m) => m.fieldId), ...params.map((p) => p.paramId)];
  // A zero id is left out when re-encoded: no entry has one, so no Read gives one back.
  if (action) ids.push(action.actionId);
  if (ids.some((id) => !id)) return;
  const asRead =
    matches.every((m) => canonicalBytes(m.exact?.value)) &&
    params.every((p) => canonicalBytes(p.value)) &&
    Buffer.concat([Buffer.from([0x12]), varintBytes(reencoded.length), reencoded]).equals(content);
  expect(w.entityStart >= 0).toBe(asRead);
  if (asRead) expect(w.entityStart).toBe(at);
}

/** The Entity's content of a record: after the type (08 01) and the entity's tag and length. */
function entityContent(w: CommonTableWrite): { at: number; content: Buffer } {
  const bytes = w.writes.bytes;
  let at = w.updateStart + 3;
  while (bytes[at] & 0x80) at++;
  at++;
  return { at, content: Buffer.from(bytes.subarray(at, w.updateEnd)) };
}

/** The FieldMatch members a ClassifiedTableWrite's kinds stand for (device.ts SPAN_EXACT ...). */
const MEMBERS = ['exact', 'ternary', 'range', 'optional'] as const;

/**
 * {@link checkRecord} for an INSERT with a priority (common-write.ts ClassifiedTableWrite): every
 * match's kind and both its byte strings, the action, the priority and the metadata against the
 * messages of the same bytes, and the Entity's bytes kept exactly when they are a Read's.
 */
function checkClassifiedRecord(w: ClassifiedTableWrite): void {
  const { layout, bytes, entry } = recordEntry(w, NOT_IN_RECORDS);
  let i = w.at;
  expect(layout[i++]).toBe(entry.tableId ?? 0);
  const matches = entry.match ?? [];
  expect(layout[i++]).toBe(matches.length);
  const strings: (Uint8Array | null | undefined)[] = [];
  for (const m of matches) {
    expect(layout[i]).toBe(m.fieldId ?? 0);
    const kind = layout[i + 1];
    const member = MEMBERS[kind];
    expect(Object.keys(m).filter((k) => k !== 'fieldId')).toEqual([member]);
    let first: Uint8Array | null | undefined;
    let second: Uint8Array | null | undefined;
    if (member === 'exact') first = m.exact?.value;
    else if (member === 'optional') first = m.optional?.value;
    else if (member === 'ternary') [first, second] = [m.ternary?.value, m.ternary?.mask];
    else [first, second] = [m.range?.low, m.range?.high];
    expect(Object.hasOwn(m[member] ?? {}, '$unknowns')).toBe(false);
    expect(spanOf(bytes, layout[i + 2], layout[i + 3])).toEqual(orEmpty(first));
    expect(spanOf(bytes, layout[i + 4], layout[i + 5])).toEqual(orEmpty(second));
    strings.push(first);
    if (member === 'ternary' || member === 'range') strings.push(second);
    i += 6;
  }
  const action = entry.action?.action;
  expect(action).toBeDefined();
  expect(layout[i++]).toBe(action?.actionId ?? 0);
  const params = action?.params ?? [];
  expect(layout[i++]).toBe(params.length);
  for (const p of params) {
    expect(layout[i]).toBe(p.paramId ?? 0);
    expect(spanOf(bytes, layout[i + 1], layout[i + 2])).toEqual(orEmpty(p.value));
    strings.push(p.value);
    i += 3;
  }
  expect(layout[i++]).toBe(entry.priority);
  expect(entry.priority).toBeGreaterThan(0);
  expect(spanOf(bytes, layout[i], layout[i + 1])).toEqual(orEmpty(entry.metadata));
  const { at, content } = entityContent(w);
  const reencoded = Buffer.from(p4.v1.TableEntry.encode(entry).finish());
  const ids = [
    entry.tableId,
    action?.actionId,
    ...matches.map((m) => m.fieldId),
    ...params.map((p) => p.paramId),
  ];
  if (ids.some((id) => !id)) return;
  const asRead =
    strings.every(canonicalBytes) &&
    Buffer.concat([Buffer.from([0x12]), varintBytes(reencoded.length), reencoded]).equals(content);
  expect(w.entityStart >= 0).toBe(asRead);
  if (asRead) expect(w.entityStart).toBe(at);
}

function varintBytes(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/**
 * Requests of `requests` with up to `maxFlips` bytes set to random values, then cut to `end(length,
 * n)` bytes (n random): what a decoder must refuse or read as the generated decoder does.
 */
function damagedOf(
  requests: fc.Arbitrary<Uint8Array>,
  maxFlips: number,
  end: (length: number, n: number) => number,
): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      requests,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: maxFlips }),
      fc.nat(),
    )
    .map(([data, flips, cut]) => {
      const out = Uint8Array.from(data);
      for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
      return out.subarray(0, data.length === 0 ? 0 : end(data.length, cut));
    });
}

/** Up to two bytes cut off the end. */
const endCut = (length: number, n: number) => length - (n % 3);

/** Records checked so far (the property tests below make sure they met many). */
const checked = { records: 0, asRead: 0, classified: 0, classifiedAsRead: 0 };

function sameOutcome(data: Uint8Array): void {
  const buffer = Buffer.from(data);
  const ours = outcome(() => decodeWriteRequest(buffer));
  expect(ours).toEqual(outcome(() => p4.v1.WriteRequest.decode(Buffer.from(data))));
  let updates: unknown[] = [];
  try {
    updates = decodeWriteRequest(Buffer.from(data)).updates;
  } catch {
    // Bytes both decoders refuse (compared above).
  }
  for (const u of updates)
    if (u instanceof CommonTableWrite) {
      checkRecord(u);
      checked.records++;
      if (u.entityStart >= 0) checked.asRead++;
      if (u instanceof ClassifiedTableWrite) {
        checked.classified++;
        if (u.entityStart >= 0) checked.classifiedAsRead++;
      }
    }
}

describe('decodeWriteRequest', () => {
  it('decodes what the generated decoder decodes, to the same objects', () => {
    fc.assert(fc.property(encoded, sameOutcome), { numRuns: 300 });
  });

  it('fails where the generated decoder fails, with the same error, on damaged bytes', () => {
    const damaged = damagedOf(encoded, 4, (length, cut) => cut % (length + 1));
    fc.assert(fc.property(damaged, sameOutcome), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), sameOutcome), { numRuns: 500 });
  });

  it('decodes table writes of the common shape as the generated decoder does, whole or damaged', () => {
    fc.assert(fc.property(commonRequest, sameOutcome), { numRuns: 500 });
    const damaged = damagedOf(commonRequest, 3, endCut);
    fc.assert(fc.property(damaged, sameOutcome), { numRuns: 1000 });
    const before = { ...checked };
    fc.assert(fc.property(rawRequest, sameOutcome), { numRuns: 1000 });
    // Many common INSERTs were records, some of them with bytes a Read gives back.
    expect(checked.records - before.records).toBeGreaterThan(50);
    expect(checked.asRead - before.asRead).toBeGreaterThan(5);
  });

  it('decodes INSERTs with a priority as the generated decoder does, whole or damaged', () => {
    const before = { ...checked };
    fc.assert(fc.property(classifiedRequest, sameOutcome), { numRuns: 500 });
    const damaged = damagedOf(classifiedRequest, 3, endCut);
    fc.assert(fc.property(damaged, sameOutcome), { numRuns: 1000 });
    const protobufjs = checked.classified - before.classified;
    fc.assert(fc.property(rawClassifiedRequest, sameOutcome), { numRuns: 1500 });
    // Many INSERTs with a priority were records, some with bytes a Read gives back, from both kinds.
    expect(protobufjs).toBeGreaterThan(30);
    expect(checked.classified - before.classified - protobufjs).toBeGreaterThan(20);
    expect(checked.classifiedAsRead - before.classifiedAsRead).toBeGreaterThan(10);
  });

  it('keeps the last member of a oneof given twice, as protobuf does', () => {
    const field = (tag: number, body: Uint8Array) => Buffer.concat([Buffer.from([tag, body.length]), body]);
    const exact = p4.v1.FieldMatch.encode({ fieldId: 1, exact: { value: Uint8Array.of(1) } }).finish();
    const lpm = p4.v1.FieldMatch.encode({
      fieldId: 1,
      lpm: { value: Uint8Array.of(2), prefixLen: 8 },
    }).finish();
    const tableEntry = Buffer.concat([Buffer.from([0x08, 0x01]), field(0x12, Buffer.concat([exact, lpm]))]);
    const counterEntry = p4.v1.CounterEntry.encode({ counterId: 3 }).finish();
    // An Entity holding a counter entry and then a table entry: the table entry wins.
    const entity = Buffer.concat([field(0x3a, counterEntry), field(0x12, tableEntry)]);
    const update = Buffer.concat([Buffer.from([0x08, 0x01]), field(0x12, entity)]);
    const request = field(0x22, update);
    const decoded = decodeWriteRequest(request);
    const e = decoded.updates[0].entity;
    expect(Object.hasOwn(e ?? {}, 'counterEntry')).toBe(false);
    const match = e?.tableEntry?.match?.[0];
    expect(match?.lpm?.prefixLen).toBe(8);
    expect(Object.hasOwn(match ?? {}, 'exact')).toBe(false);
    sameOutcome(request);
  });
});

describe('the common INSERT record', () => {
  const entry = (extra: p4.v1.ITableEntry = {}): p4.v1.ITableEntry => ({
    tableId: 0x02000001,
    match: [
      { fieldId: 1, exact: { value: Uint8Array.of(0x13, 0x88) } },
      { fieldId: 2, exact: { value: Uint8Array.of(2, 0, 0, 0, 0, 7) } },
    ],
    action: { action: { actionId: 0x01000002, params: [{ paramId: 1, value: Uint8Array.of(7) }] } },
    ...extra,
  });
  const request = (...updates: p4.v1.IUpdate[]) =>
    Buffer.from(p4.v1.WriteRequest.encode({ deviceId: 1, updates }).finish());
  const insert = (e: p4.v1.ITableEntry): p4.v1.IUpdate => ({
    type: p4.v1.Update.Type.INSERT,
    entity: { tableEntry: e },
  });
  /** Each update decoded: 'read' (a record whose bytes a Read gives back), 'record', or 'messages'. */
  function kinds(bytes: Buffer): string[] {
    sameOutcome(bytes);
    return decodeWriteRequest(bytes).updates.map((u) =>
      u instanceof CommonTableWrite
        ? `${u instanceof ClassifiedTableWrite ? 'priority ' : ''}${u.entityStart >= 0 ? 'read' : 'record'}`
        : 'messages',
    );
  }

  it('is what an INSERT of exact matches and a direct action decodes to', () => {
    const bytes = request(insert(entry()), insert(entry({ metadata: Uint8Array.of(1, 2) })));
    expect(kinds(bytes)).toEqual(['read', 'read']);
    const [w] = decodeWriteRequest(bytes).updates as unknown as CommonTableWrite[];
    const { layout } = w.writes;
    // table, 2 matches (id, start, end), action, 1 param, metadata span (empty).
    expect(Array.from(layout.subarray(w.at, w.at + 2))).toEqual([0x02000001, 2]);
    expect(layout[w.at + 8]).toBe(0x01000002);
    expect(layout[w.at + 9]).toBe(1);
    expect(layout[w.at + 13]).toBe(layout[w.at + 14]);
  });

  it('holds the numbers of any number of records (the layout grows)', () => {
    // Tiny INSERTs have more numbers per byte than the layout is first sized for.
    const tiny = Array.from({ length: 300 }, (_, i) => insert({ tableId: i + 1 }));
    const bytes = request(...tiny);
    expect(kinds(bytes)).toEqual(tiny.map(() => 'read'));
    const decoded = decodeWriteRequest(bytes).updates as unknown as CommonTableWrite[];
    expect(decoded[0].writes.layout.length).toBeGreaterThan((bytes.length >> 1) + 64);
    expect(decoded.map((w) => w.writes.layout[w.at])).toEqual(tiny.map((_, i) => i + 1));
  });

  it('keeps the Entity bytes only when a Read would give them back', () => {
    const zeroLed = entry();
    zeroLed.match = [{ fieldId: 1, exact: { value: Uint8Array.of(0, 0x13, 0x88) } }, zeroLed.match![1]];
    expect(kinds(request(insert(zeroLed)))).toEqual(['record']);
    // TableEntry bytes given by hand: a zero priority, empty metadata, a padded varint.
    const body = (e: p4.v1.ITableEntry) => Buffer.from(p4.v1.TableEntry.encode(e).finish());
    const withLength = (tag: number, b: Buffer) =>
      Buffer.concat([Buffer.from([tag]), varintBytes(b.length), b]);
    const insertOf = (tableEntry: Buffer) =>
      withLength(
        0x22,
        Buffer.concat([Buffer.from([0x08, 0x01]), withLength(0x12, withLength(0x12, tableEntry))]),
      );
    expect(kinds(insertOf(body(entry())))).toEqual(['read']);
    expect(kinds(insertOf(Buffer.concat([body(entry()), Buffer.from([0x20, 0x00])])))).toEqual(['record']);
    expect(kinds(insertOf(Buffer.concat([body(entry()), Buffer.from([0x5a, 0x00])])))).toEqual(['record']);
    const untabled = body({ ...entry(), tableId: undefined });
    expect(kinds(insertOf(Buffer.concat([Buffer.from([0x08, 0x81, 0x00]), untabled])))).toEqual(['record']);
    expect(kinds(insertOf(Buffer.concat([Buffer.from([0x08, 0x01]), untabled])))).toEqual(['read']);
    // Out of field order: messages; a priority other than zero: the record of an INSERT with a priority.
    expect(kinds(insertOf(Buffer.concat([untabled, Buffer.from([0x08, 0x01])])))).toEqual(['messages']);
    expect(kinds(insertOf(Buffer.concat([body(entry()), Buffer.from([0x20, 0x01])])))).toEqual([
      'priority read',
    ]);
    expect(kinds(insertOf(Buffer.concat([body(entry()), Buffer.from([0x20, 0x81, 0x00])])))).toEqual([
      'priority record',
    ]);
  });

  it('is not made for anything else: those updates are messages', () => {
    expect(kinds(request({ type: p4.v1.Update.Type.MODIFY, entity: { tableEntry: entry() } }))).toEqual([
      'messages',
    ]);
    expect(kinds(request({ entity: { tableEntry: entry() } }))).toEqual(['messages']);
    expect(kinds(request(insert(entry({ priority: 5 }))))).toEqual(['priority read']);
    expect(kinds(request(insert(entry({ priority: -1 }))))).toEqual(['messages']);
    expect(kinds(request(insert(entry({ priority: 5, controllerMetadata: 3 }))))).toEqual(['messages']);
    expect(kinds(request(insert(entry({ controllerMetadata: 3 }))))).toEqual(['messages']);
    expect(kinds(request(insert(entry({ isDefaultAction: true }))))).toEqual(['messages']);
    const ternary = entry();
    ternary.match = [{ fieldId: 1, ternary: { value: Uint8Array.of(1), mask: Uint8Array.of(1) } }];
    // Without a priority: messages (no table of ternary fields goes without one).
    expect(kinds(request(insert(ternary)))).toEqual(['messages']);
    expect(kinds(request(insert({ ...entry(), action: { actionProfileMemberId: 3 } })))).toEqual([
      'messages',
    ]);
    expect(
      kinds(request({ type: p4.v1.Update.Type.INSERT, entity: { counterEntry: { counterId: 1 } } })),
    ).toEqual(['messages']);
  });

  it("of an INSERT with a priority, holds each match kind and keeps a Read's bytes", () => {
    const acl = (match: p4.v1.IFieldMatch[], extra: p4.v1.ITableEntry = {}) =>
      insert({ ...entry(), match, priority: 10, ...extra });
    const one = Uint8Array.of(1);
    const zero = Uint8Array.of(0);
    const matches: p4.v1.IFieldMatch[] = [
      { fieldId: 1, exact: { value: Uint8Array.of(0x13, 0x88) } },
      { fieldId: 2, ternary: { value: zero, mask: Uint8Array.of(0xf0) } },
      { fieldId: 3, range: { low: one, high: Uint8Array.of(2, 0) } },
      { fieldId: 4, optional: { value: one } },
    ];
    const bytes = request(acl(matches), acl(matches, { metadata: Uint8Array.of(9) }));
    expect(kinds(bytes)).toEqual(['priority read', 'priority read']);
    const [w] = decodeWriteRequest(bytes).updates as unknown as ClassifiedTableWrite[];
    const { layout } = w.writes;
    expect(Array.from(layout.subarray(w.at, w.at + 2))).toEqual([0x02000001, 4]);
    // (field id, kind) per match; the action after them; the priority after its one param.
    expect([0, 1, 2, 3].map((m) => [layout[w.at + 2 + 6 * m], layout[w.at + 3 + 6 * m]])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    expect(layout[w.at + 26]).toBe(0x01000002);
    expect(layout[w.at + 31]).toBe(10);
    // A zero written out as nothing (absent), or with a leading zero byte: a record, not a Read's bytes.
    const absent = [...matches];
    absent[1] = { fieldId: 2, ternary: { mask: Uint8Array.of(0xf0) } };
    const padded = [...matches];
    padded[2] = { fieldId: 3, range: { low: one, high: Uint8Array.of(0, 2, 0) } };
    expect(kinds(request(acl(absent), acl(padded)))).toEqual(['priority record', 'priority record']);
    // An lpm match, no action, no priority: messages.
    const lpm = [...matches, { fieldId: 5, lpm: { value: one, prefixLen: 8 } }];
    expect(kinds(request(acl(lpm), acl(matches, { action: null }), acl(matches, { priority: 0 })))).toEqual([
      'messages',
      'messages',
      'messages',
    ]);
  });

  it('leaves truncated and malformed bytes to the general decoder, which refuses them', () => {
    const bytes = request(insert(entry()), insert(entry()));
    for (let cut = 1; cut < bytes.length; cut++) sameOutcome(bytes.subarray(0, cut));
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] ^= 0x40;
      sameOutcome(damaged);
    }
  });
});
