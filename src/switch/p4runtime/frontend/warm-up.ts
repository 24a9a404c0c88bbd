/**
 * Table writes made up for a freshly loaded program, to be applied to a scratch copy of it (see
 * {@link DeviceManager} `warmUp`): the first real writes then run compiled code instead of meeting
 * V8's interpreter and its optimizing compiler (a cold write path cost the first 20,000 inserts
 * about twice the CPU of later ones). bmv2, compiled ahead of time, has no such start.
 *
 * The entries are valid INSERTs into every table the controller may write directly (not const, no
 * action profile, no zero-width key), spread evenly, with distinct keys and a table-entry action.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { ActionModel, MatchFieldModel, P4InfoModel, TableModel } from './p4info-model.js';

const INSERT = 1;

/**
 * Canonical bytes (leading zero bytes dropped, one byte for 0) of a `bits`-wide value: `low`
 * (below 2^31), with the field's top bit set when `top`.
 */
function canonicalBytes(bits: number, low: number, top: boolean): Uint8Array {
  const n = Math.ceil(bits / 8);
  const bytes = new Uint8Array(n);
  let v = low;
  for (let i = n - 1; i >= 0 && v > 0; i--) {
    bytes[i] = v % 256;
    v = Math.floor(v / 256);
  }
  if (top) bytes[n - 1 - ((bits - 1) >> 3)] |= 1 << ((bits - 1) & 7);
  let start = 0;
  while (start < n - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

/** All ones on `bits` bits. */
function allOnes(bits: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(bits / 8)).fill(0xff);
  const headBits = bits - (bytes.length - 1) * 8;
  bytes[0] = (1 << headBits) - 1;
  return bytes;
}

/**
 * Distinct values key numbers take in a `bits`-wide field: all but its top bit, which odd key
 * numbers set (values of every length then reach the checks and conversions, small and full width:
 * V8 compiles for the kinds of numbers it has seen), capped to keep arithmetic in safe integers.
 */
function radixOf(bits: number): number {
  return bits === 1 ? 2 : 2 ** Math.min(bits - 1, 24);
}

/**
 * Bits of an LPM field a full prefix leaves free: PI counts the prefix from the first bit of the
 * byte-padded value, so the padding's worth of low bits must stay zero.
 */
function lpmBits(bits: number): number {
  return bits - (Math.ceil(bits / 8) * 8 - bits);
}

/** Distinct values key numbers take in match field `f`. */
function fieldRadix(f: MatchFieldModel): number {
  if (f.matchType !== 'lpm') return radixOf(f.bitwidth);
  const free = lpmBits(f.bitwidth);
  return free <= 0 ? 1 : 2 ** Math.min(free, 24);
}

/** Value number `n` of a `bits`-wide field or parameter (see {@link radixOf}). */
function valueNumbered(bits: number, n: number): Uint8Array {
  return canonicalBytes(bits, n % radixOf(bits), bits > 1 && n % 2 === 1);
}

/** The actions entries of `table` may use (taken in turn: each has its parameters' shapes). */
function entryActions(model: P4InfoModel, table: TableModel): ActionModel[] {
  const actions: ActionModel[] = [];
  for (const [id, scope] of table.actionScopes) {
    if (scope === 'DEFAULT_ONLY') continue;
    const action = model.actions.get(id);
    if (action?.params.every((p) => p.bitwidth > 0)) actions.push(action);
  }
  return actions;
}

/** Action `action` with parameter values number `n`. */
function actionCall(action: ActionModel, n: number): p4.v1.IAction {
  return {
    actionId: action.id,
    params: action.params.map((p) => ({ paramId: p.id, value: valueNumbered(p.bitwidth, n) })),
  };
}

function writable(table: TableModel): boolean {
  return (
    !table.isConst &&
    table.implementationId === 0 &&
    table.matchFields.length > 0 &&
    table.matchFields.every((f) => f.bitwidth > 0)
  );
}

/** Distinct keys `table` can hold: its size, and no more than its key fields can tell apart. */
function capacity(table: TableModel): number {
  let keys = 1;
  for (const f of table.matchFields) keys = Math.min(keys * fieldRadix(f), 2 ** 40);
  return Math.min(keys, table.size > 0 ? table.size : keys);
}

/** Key number `n` of `table` as FieldMatches: n in mixed radix over the fields, last field fastest. */
function fieldMatches(table: TableModel, n: number): p4.v1.IFieldMatch[] {
  const out: p4.v1.IFieldMatch[] = new Array(table.matchFields.length);
  let rest = n;
  for (let i = table.matchFields.length - 1; i >= 0; i--) {
    const f = table.matchFields[i];
    const radix = fieldRadix(f);
    const digit = rest % radix;
    rest = Math.floor(rest / radix);
    const fieldId = f.id;
    if (f.matchType === 'lpm') {
      const pad = f.bitwidth - lpmBits(f.bitwidth);
      out[i] = {
        fieldId,
        lpm: { value: canonicalBytes(f.bitwidth, digit * 2 ** pad, false), prefixLen: f.bitwidth },
      };
      continue;
    }
    // The top bit follows n, so distinct digits still make distinct keys.
    const value = canonicalBytes(f.bitwidth, digit, f.bitwidth > 1 && n % 2 === 1);
    if (f.matchType === 'exact') out[i] = { fieldId, exact: { value } };
    else if (f.matchType === 'optional') out[i] = { fieldId, optional: { value } };
    else if (f.matchType === 'range') out[i] = { fieldId, range: { low: value, high: value } };
    else out[i] = { fieldId, ternary: { value, mask: allOnes(f.bitwidth) } };
  }
  return out;
}

/** Made-up writes: how many INSERTs in all, and the WriteRequests holding them, made as they are taken. */
export interface WarmUpWrites {
  readonly updates: number;
  readonly requests: Iterable<p4.v1.IWriteRequest>;
}

/**
 * Up to `count` INSERTs spread over the writable tables of `model`, in WriteRequests of at most
 * `perRequest` updates (the batches a client sends). Each request is made when it is taken, so that
 * it is garbage young (made all at once, 10,000 updates outlived many collections and cost more to
 * collect than to apply).
 */
export function warmUpWrites(model: P4InfoModel, count: number, perRequest: number): WarmUpWrites {
  const tables = [...model.tables.values()]
    .filter(writable)
    .map((table) => ({ table, actions: entryActions(model, table), capacity: capacity(table) }))
    .filter((t) => t.actions.length > 0 && t.capacity > 0);
  const updates = Math.min(
    count,
    tables.reduce((n, t) => n + t.capacity, 0),
  );
  function* requests(): Generator<p4.v1.IWriteRequest, void, undefined> {
    // Round robin over the tables that still have room.
    const next = new Array<number>(tables.length).fill(0);
    let made = 0;
    let i = 0;
    while (made < updates) {
      const batch: p4.v1.IUpdate[] = [];
      while (batch.length < perRequest && made < updates) {
        const t = i;
        i = (i + 1) % tables.length;
        const { table, actions, capacity } = tables[t];
        const n = next[t];
        // Never all full: `updates` is at most the tables' capacities together.
        if (n >= capacity) continue;
        next[t] = n + 1;
        const tableEntry: p4.v1.ITableEntry = {
          tableId: table.id,
          match: fieldMatches(table, n),
          action: { action: actionCall(actions[n % actions.length], n) },
          ...(table.needsPriority ? { priority: 1 } : {}),
        };
        batch.push({ type: INSERT, entity: { tableEntry } });
        made++;
      }
      yield { deviceId: 1, electionId: { high: 0, low: 1 }, updates: batch };
    }
  }
  return { updates, requests: requests() };
}
