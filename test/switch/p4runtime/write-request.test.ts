// The server's WriteRequest decoder against the generated one: for encoded requests of every kind,
// and for those bytes damaged (flipped, cut, extended) or random, both give the same object (class,
// own fields, unknown fields kept) or fail with the same error.
import fc from 'fast-check';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import { CommonTableWrite } from '../../../src/switch/p4runtime/frontend/common-write.js';
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
      .tuple(optional(vfield(0x08)), rawEntry)
      .map(([type, entry]) => len(0x22, Buffer.concat([type, len(0x12, len(0x12, entry))]))),
    { maxLength: 3 },
  )
  .map((updates) => Buffer.concat(updates));

/** Encodings, including several members of one oneof (the last one on the wire wins). */
const encoded = writeRequest.map((r) => p4.v1.WriteRequest.encode(r as p4.v1.IWriteRequest).finish());

function sameOutcome(data: Uint8Array): void {
  const buffer = Buffer.from(data);
  expect(outcome(() => decodeWriteRequest(buffer))).toEqual(
    outcome(() => p4.v1.WriteRequest.decode(Buffer.from(data))),
  );
}

describe('decodeWriteRequest', () => {
  it('decodes what the generated decoder decodes, to the same objects', () => {
    fc.assert(fc.property(encoded, sameOutcome), { numRuns: 300 });
  });

  it('fails where the generated decoder fails, with the same error, on damaged bytes', () => {
    const damaged = fc
      .tuple(
        encoded,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([data, flips, cut]) => {
        const out = Uint8Array.from(data);
        for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
        return out.subarray(0, data.length === 0 ? 0 : cut % (data.length + 1));
      });
    fc.assert(fc.property(damaged, sameOutcome), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), sameOutcome), { numRuns: 500 });
  });

  it('decodes table writes of the common shape as the generated decoder does, whole or damaged', () => {
    fc.assert(fc.property(commonRequest, sameOutcome), { numRuns: 500 });
    const damaged = fc
      .tuple(
        commonRequest,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.nat(),
      )
      .map(([data, flips, cut]) => {
        const out = Uint8Array.from(data);
        for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
        return out.subarray(0, data.length === 0 ? 0 : data.length - (cut % 3));
      });
    fc.assert(fc.property(damaged, sameOutcome), { numRuns: 1000 });
    fc.assert(fc.property(rawRequest, sameOutcome), { numRuns: 1000 });
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
