/**
 * An index over a P4Info: every object is reachable by full name, alias or id, and every
 * field/parameter carries an encoder precomputed from its bit width, so building entities by
 * name costs a few map look-ups per field.
 */
import {
  type BytestringMode,
  bitLength,
  bytesToHex,
  decodeBits,
  encodeBits,
  formatValue,
  guessFormat,
  type P4Value,
  type ValueFormat,
} from '../codec.js';
import { P4InfoLookupError, P4InfoParseError } from '../errors.js';
import { P4DataCodec } from '../p4data.js';
import type { p4 } from '../wire/generated/p4runtime.js';
import { closestNames } from './suggest.js';

/** How decoded values are rendered. */
export interface DecodeOptions {
  /**
   * Default rendering: `auto` (number up to 53 bits, else bigint), `smart` (like auto, but
   * MAC/IPv4/IPv6 text for fields whose name and width suggest an address), or a fixed format.
   */
  readonly format?: ValueFormat | 'smart';
  /** Per field/param/metadata name overrides, e.g. `{ dst_addr: 'ipv4' }`. */
  readonly fieldFormats?: Readonly<Record<string, ValueFormat>>;
}

/** A bit<W> value slot (match field, action parameter, packet metadata) with its encoder. */
export class BitField {
  /** Description used in error messages, e.g. `table ingress.fwd match field 'vni'`. */
  readonly label: string;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly bitwidth: number,
    context: string,
    readonly mode: BytestringMode,
    /** P4 named type (`type`/newtype), if the P4Info names one. */
    readonly typeName?: string,
  ) {
    this.label = `${context} '${name}'`;
  }

  /** Encodes a friendly value into a P4Runtime binary string, checking the width. */
  encode(value: P4Value): Uint8Array {
    return encodeBits(value, this.bitwidth, this.label, this.mode);
  }

  /** Validates and decodes a received binary string. */
  decode(bytes: Uint8Array): bigint {
    return decodeBits(bytes, this.bitwidth, this.label);
  }

  /** Decodes and renders a received binary string according to `options`. */
  format(bytes: Uint8Array, options?: DecodeOptions): P4Value {
    const format = this.formatFor(options);
    // Fast path: numeric rendering of strings up to 6 bytes needs no bigint.
    if (
      (format === 'auto' || format === 'number') &&
      this.bitwidth <= 53 &&
      bytes.length > 0 &&
      bytes.length <= 6
    ) {
      if (bitLength(bytes) > this.bitwidth) this.decode(bytes); // throws the range error
      let n = 0;
      for (let i = 0; i < bytes.length; i++) n = n * 256 + bytes[i];
      return n;
    }
    return formatValue(this.decode(bytes), this.bitwidth, format);
  }

  /** Largest value of the field (2^W - 1). */
  get maxValue(): bigint {
    this.max ??= (1n << BigInt(this.bitwidth)) - 1n;
    return this.max;
  }

  /** Canonical encoding of {@link maxValue} (all W bits set). */
  get allOnes(): Uint8Array {
    this.ones ??= encodeBits(this.maxValue, this.bitwidth, this.label, this.mode);
    return this.ones;
  }

  private max: bigint | undefined;
  private ones: Uint8Array | undefined;

  /** Renders an already-decoded value according to `options`. */
  render(value: bigint, options?: DecodeOptions): P4Value {
    return formatValue(value, this.bitwidth, this.formatFor(options));
  }

  private formatFor(options: DecodeOptions | undefined): ValueFormat {
    const override = options?.fieldFormats?.[this.name];
    if (override) return override;
    const format = options?.format ?? 'auto';
    return format === 'smart' ? guessFormat(this.name, this.bitwidth, this.typeName) : format;
  }

  /** Renders a binary string for messages without validating it. */
  static hex(bytes: Uint8Array | null | undefined): string {
    return bytes ? `0x${bytesToHex(bytes)}` : '<unset>';
  }
}

/** Match kinds of P4Runtime FieldMatch. */
export type MatchKind = 'exact' | 'lpm' | 'ternary' | 'range' | 'optional' | 'other';

const MATCH_KIND_BY_ENUM: Record<number, MatchKind> = {
  2: 'exact',
  3: 'lpm',
  4: 'ternary',
  5: 'range',
  6: 'optional',
};
const MATCH_KIND_BY_NAME: Record<string, MatchKind> = {
  EXACT: 'exact',
  LPM: 'lpm',
  TERNARY: 'ternary',
  RANGE: 'range',
  OPTIONAL: 'optional',
};

/** A table key field or value-set field. */
export class MatchFieldInfo extends BitField {
  constructor(
    id: number,
    name: string,
    bitwidth: number,
    context: string,
    mode: BytestringMode,
    readonly matchKind: MatchKind,
    /** Architecture-specific match kind name when `matchKind` is `other`. */
    readonly otherMatchType: string | undefined,
    typeName?: string,
  ) {
    super(id, name, bitwidth, context, mode, typeName);
  }
}

/** Identity shared by all P4Info objects. */
export interface NamedInfo {
  readonly id: number;
  readonly name: string;
  readonly alias: string;
  readonly annotations: readonly string[];
}

function preambleOf(p: p4.config.v1.IPreamble | null | undefined, what: string): NamedInfo {
  if (!p?.id || !p.name) throw new P4InfoParseError(`P4Info ${what} without a preamble id and name`);
  return { id: p.id, name: p.name, alias: p.alias || p.name, annotations: p.annotations ?? [] };
}

/** A lookup table from full name, alias and id to objects of one kind. */
export class Registry<T extends NamedInfo> implements Iterable<T> {
  private readonly byName = new Map<string, T>();
  private readonly byId = new Map<number, T>();
  private readonly items: T[] = [];
  constructor(readonly kind: string) {}

  /** Adds an object; aliases that collide with another object are skipped (full name still works). */
  add(item: T): void {
    this.items.push(item);
    this.byId.set(item.id, item);
    this.byName.set(item.name, item);
    if (item.alias && !this.byName.has(item.alias)) this.byName.set(item.alias, item);
  }

  /** Looks up by name, alias or id; throws {@link P4InfoLookupError} with suggestions. */
  get(key: string | number): T {
    const found = this.find(key);
    if (found) return found;
    // Suggest each close object once, by its full name (aliases match too).
    const suggestions =
      typeof key === 'string'
        ? [...new Set(closestNames(key, this.byName.keys(), 6).map((n) => this.byName.get(n)!.name))].slice(
            0,
            3,
          )
        : [];
    throw new P4InfoLookupError(this.kind, key, suggestions);
  }

  /** Looks up by name, alias or id; undefined when absent. */
  find(key: string | number): T | undefined {
    return typeof key === 'number'
      ? this.byId.get(key)
      : (this.byName.get(key) ?? this.byName.get(key.replace(/^\./, '')));
  }

  get size(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
}

/** Finds fields of one object by name or id, with suggestions on a miss. */
export class FieldSet<T extends { readonly id: number; readonly name: string }> implements Iterable<T> {
  private readonly byName = new Map<string, T>();
  private readonly byId = new Map<number, T>();
  constructor(
    readonly kind: string,
    readonly list: readonly T[],
  ) {
    for (const f of list) {
      this.byName.set(f.name, f);
      this.byId.set(f.id, f);
    }
  }
  get(key: string | number): T {
    const found = typeof key === 'number' ? this.byId.get(key) : this.byName.get(key);
    if (found) return found;
    throw new P4InfoLookupError(
      this.kind,
      key,
      typeof key === 'string' ? closestNames(key, this.byName.keys()) : [],
    );
  }
  find(key: string | number): T | undefined {
    return typeof key === 'number' ? this.byId.get(key) : this.byName.get(key);
  }
  get size(): number {
    return this.list.length;
  }
  [Symbol.iterator](): Iterator<T> {
    return this.list[Symbol.iterator]();
  }
}

/** An action and its parameters. */
export interface ActionInfo extends NamedInfo {
  readonly params: FieldSet<BitField>;
  readonly raw: p4.config.v1.IAction;
}

/** Where a table may use an action. */
export type ActionScope = 'TABLE_AND_DEFAULT' | 'TABLE_ONLY' | 'DEFAULT_ONLY' | 'GROUP_ACTION';

/** An action usable by a table. */
export interface ActionRefInfo {
  readonly action: ActionInfo;
  readonly scope: ActionScope;
}

/** A match-action table. */
export interface TableInfo extends NamedInfo {
  readonly matchFields: FieldSet<MatchFieldInfo>;
  /** Actions the table may use, by action name or alias. */
  readonly actions: Registry<ActionInfo & { readonly scope: ActionScope }>;
  /** True when a key field is ternary, range or optional (entries then need a priority). */
  readonly requiresPriority: boolean;
  /** Action profile or selector implementing the table, if any. */
  readonly implementation: ActionProfileInfo | undefined;
  readonly directCounter: DirectResourceInfo | undefined;
  readonly directMeter: DirectResourceInfo | undefined;
  readonly supportsIdleTimeout: boolean;
  readonly constDefaultActionId: number;
  readonly isConst: boolean;
  readonly size: number;
  readonly raw: p4.config.v1.ITable;
}

/** An action profile or action selector. */
export interface ActionProfileInfo extends NamedInfo {
  readonly withSelector: boolean;
  readonly tableIds: readonly number[];
  readonly size: number;
  readonly maxGroupSize: number;
  readonly raw: p4.config.v1.IActionProfile;
}

/** Unit of a counter or meter. */
export type ResourceUnit = 'UNSPECIFIED' | 'BYTES' | 'PACKETS' | 'BOTH';

/** An indexed counter, meter or register array. */
export interface IndexedResourceInfo extends NamedInfo {
  readonly size: number;
  readonly unit: ResourceUnit;
}

/** A direct counter or meter attached to a table. */
export interface DirectResourceInfo extends NamedInfo {
  readonly tableId: number;
  readonly unit: ResourceUnit;
}

/** A register array with its cell type. */
export interface RegisterInfo extends NamedInfo {
  readonly size: number;
  readonly data: P4DataCodec;
}

/** A digest with its payload type. */
export interface DigestInfo extends NamedInfo {
  readonly data: P4DataCodec;
}

/** A parser value set. */
export interface ValueSetInfo extends NamedInfo {
  readonly matchFields: FieldSet<MatchFieldInfo>;
  readonly size: number;
}

/** The fields of a `@controller_header("packet_in"|"packet_out")` header. */
export interface ControllerHeaderInfo extends NamedInfo {
  readonly metadata: FieldSet<BitField>;
}

/** An architecture-specific extern instance. */
export interface ExternInstanceInfo extends NamedInfo {
  readonly externTypeId: number;
  readonly externTypeName: string;
}

/** Options for building a {@link P4InfoIndex}. */
export interface P4InfoIndexOptions {
  /**
   * Wire form of binary strings sent to the device: `canonical` (P4Runtime >= 1.3, default)
   * or `full-width` for old servers that insist on ceil(W/8) bytes.
   */
  readonly bytestrings?: BytestringMode;
}

function enumName<T extends Record<number, string>>(
  values: T,
  value: unknown,
  fallback: T[keyof T],
): T[keyof T] {
  if (typeof value === 'string') return value as T[keyof T];
  if (typeof value === 'number' && values[value] !== undefined) return values[value] as T[keyof T];
  return fallback;
}

const SCOPES: Record<number, ActionScope> = {
  0: 'TABLE_AND_DEFAULT',
  1: 'TABLE_ONLY',
  2: 'DEFAULT_ONLY',
  3: 'GROUP_ACTION',
};
const COUNTER_UNITS: Record<number, ResourceUnit> = { 0: 'UNSPECIFIED', 1: 'BYTES', 2: 'PACKETS', 3: 'BOTH' };

function toNumber(value: number | { toNumber(): number } | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/**
 * Everything in a P4Info, looked up by full name, alias or id.
 *
 * @example
 * ```ts
 * const index = new P4InfoIndex(await loadP4Info('prog.p4info.txtpb'));
 * const table = index.tables.get('ingress.l2_fwd');
 * table.matchFields.get('dst_mac').encode('02:00:00:00:00:01');
 * ```
 */
export class P4InfoIndex {
  readonly tables = new Registry<TableInfo>('table');
  readonly actions = new Registry<ActionInfo>('action');
  readonly actionProfiles = new Registry<ActionProfileInfo>('action profile');
  readonly counters = new Registry<IndexedResourceInfo>('counter');
  readonly directCounters = new Registry<DirectResourceInfo>('direct counter');
  readonly meters = new Registry<IndexedResourceInfo>('meter');
  readonly directMeters = new Registry<DirectResourceInfo>('direct meter');
  readonly registers = new Registry<RegisterInfo>('register');
  readonly digests = new Registry<DigestInfo>('digest');
  readonly valueSets = new Registry<ValueSetInfo>('value set');
  readonly controllerHeaders = new Registry<ControllerHeaderInfo>('controller packet metadata');
  readonly externs = new Registry<ExternInstanceInfo>('extern instance');
  readonly mode: BytestringMode;

  constructor(
    readonly p4info: p4.config.v1.IP4Info,
    options: P4InfoIndexOptions = {},
  ) {
    this.mode = options.bytestrings ?? 'canonical';
    const mode = this.mode;
    const typeInfo = p4info.typeInfo ?? undefined;

    for (const a of p4info.actions ?? []) {
      const named = preambleOf(a.preamble, 'action');
      const params = (a.params ?? []).map(
        (p) =>
          new BitField(
            p.id ?? 0,
            p.name ?? '',
            p.bitwidth ?? 0,
            `action ${named.name} param`,
            mode,
            p.typeName?.name ?? undefined,
          ),
      );
      this.actions.add({ ...named, params: new FieldSet(`param of action ${named.name}`, params), raw: a });
    }

    for (const ap of p4info.actionProfiles ?? []) {
      this.actionProfiles.add({
        ...preambleOf(ap.preamble, 'action profile'),
        withSelector: ap.withSelector ?? false,
        tableIds: ap.tableIds ?? [],
        size: toNumber(ap.size),
        maxGroupSize: ap.maxGroupSize ?? 0,
        raw: ap,
      });
    }

    for (const c of p4info.counters ?? [])
      this.counters.add({
        ...preambleOf(c.preamble, 'counter'),
        size: toNumber(c.size),
        unit: enumName(COUNTER_UNITS, c.spec?.unit, 'UNSPECIFIED'),
      });
    for (const m of p4info.meters ?? [])
      this.meters.add({
        ...preambleOf(m.preamble, 'meter'),
        size: toNumber(m.size),
        unit: enumName(COUNTER_UNITS, m.spec?.unit, 'UNSPECIFIED'),
      });
    for (const c of p4info.directCounters ?? [])
      this.directCounters.add({
        ...preambleOf(c.preamble, 'direct counter'),
        tableId: c.directTableId ?? 0,
        unit: enumName(COUNTER_UNITS, c.spec?.unit, 'UNSPECIFIED'),
      });
    for (const m of p4info.directMeters ?? [])
      this.directMeters.add({
        ...preambleOf(m.preamble, 'direct meter'),
        tableId: m.directTableId ?? 0,
        unit: enumName(COUNTER_UNITS, m.spec?.unit, 'UNSPECIFIED'),
      });

    for (const r of p4info.registers ?? []) {
      const named = preambleOf(r.preamble, 'register');
      this.registers.add({
        ...named,
        size: r.size ?? 0,
        data: new P4DataCodec(r.typeSpec ?? {}, typeInfo, `register ${named.name}`, mode),
      });
    }
    for (const d of p4info.digests ?? []) {
      const named = preambleOf(d.preamble, 'digest');
      this.digests.add({
        ...named,
        data: new P4DataCodec(d.typeSpec ?? {}, typeInfo, `digest ${named.name}`, mode),
      });
    }
    for (const vs of p4info.valueSets ?? []) {
      const named = preambleOf(vs.preamble, 'value set');
      this.valueSets.add({
        ...named,
        matchFields: this.matchFieldsOf(vs.match ?? [], `value set ${named.name}`),
        size: vs.size ?? 0,
      });
    }
    for (const h of p4info.controllerPacketMetadata ?? []) {
      const named = preambleOf(h.preamble, 'controller packet metadata');
      const fields = (h.metadata ?? []).map(
        (m) =>
          new BitField(
            m.id ?? 0,
            m.name ?? '',
            m.bitwidth ?? 0,
            `${named.name} metadata`,
            mode,
            m.typeName?.name ?? undefined,
          ),
      );
      this.controllerHeaders.add({ ...named, metadata: new FieldSet(`metadata of ${named.name}`, fields) });
    }
    for (const e of p4info.externs ?? []) {
      for (const inst of e.instances ?? [])
        this.externs.add({
          ...preambleOf(inst.preamble, 'extern'),
          externTypeId: e.externTypeId ?? 0,
          externTypeName: e.externTypeName ?? '',
        });
    }

    for (const t of p4info.tables ?? []) this.tables.add(this.tableInfo(t));
  }

  private matchFieldsOf(
    fields: readonly p4.config.v1.IMatchField[],
    context: string,
  ): FieldSet<MatchFieldInfo> {
    const list = fields.map((f) => {
      const raw = f.matchType as unknown;
      const kind = f.otherMatchType
        ? 'other'
        : typeof raw === 'string'
          ? (MATCH_KIND_BY_NAME[raw] ?? 'other')
          : (MATCH_KIND_BY_ENUM[(raw as number) ?? 0] ?? 'other');
      return new MatchFieldInfo(
        f.id ?? 0,
        f.name ?? '',
        f.bitwidth ?? 0,
        `${context} match field`,
        this.mode,
        kind,
        f.otherMatchType ?? undefined,
        f.typeName?.name ?? undefined,
      );
    });
    return new FieldSet(`match field of ${context}`, list);
  }

  private tableInfo(t: p4.config.v1.ITable): TableInfo {
    const named = preambleOf(t.preamble, 'table');
    const matchFields = this.matchFieldsOf(t.matchFields ?? [], `table ${named.name}`);
    const actions = new Registry<ActionInfo & { readonly scope: ActionScope }>(
      `action of table ${named.name}`,
    );
    for (const ref of t.actionRefs ?? []) {
      // A reference to an action the P4Info does not define cannot be used; skip it rather
      // than refuse the whole P4Info (some published p4c outputs contain such dangling refs).
      const action = this.actions.find(ref.id ?? 0);
      if (action) actions.add({ ...action, scope: enumName(SCOPES, ref.scope, 'TABLE_AND_DEFAULT') });
    }
    let directCounter: DirectResourceInfo | undefined;
    let directMeter: DirectResourceInfo | undefined;
    for (const id of t.directResourceIds ?? []) {
      directCounter ??= this.directCounters.find(id);
      directMeter ??= this.directMeters.find(id);
    }
    const implementationId = t.implementationId ?? 0;
    const idle = t.idleTimeoutBehavior as unknown;
    return {
      ...named,
      matchFields,
      actions,
      requiresPriority: matchFields.list.some(
        (f) => f.matchKind === 'ternary' || f.matchKind === 'range' || f.matchKind === 'optional',
      ),
      implementation: implementationId ? this.actionProfiles.find(implementationId) : undefined,
      directCounter,
      directMeter,
      supportsIdleTimeout: idle === 1 || idle === 'NOTIFY_CONTROL',
      constDefaultActionId: t.constDefaultActionId ?? 0,
      isConst: t.isConstTable ?? false,
      size: toNumber(t.size),
      raw: t,
    };
  }

  /** The `packet_in` controller header, if the program declares one. */
  get packetIn(): ControllerHeaderInfo | undefined {
    return this.controllerHeaders.find('packet_in');
  }

  /** The `packet_out` controller header, if the program declares one. */
  get packetOut(): ControllerHeaderInfo | undefined {
    return this.controllerHeaders.find('packet_out');
  }

  /** Finds any object by id, using the id's type prefix (most significant byte). */
  describeId(id: number): string {
    for (const registry of [
      this.tables,
      this.actions,
      this.actionProfiles,
      this.counters,
      this.directCounters,
      this.meters,
      this.directMeters,
      this.registers,
      this.digests,
      this.valueSets,
      this.controllerHeaders,
      this.externs,
    ] as Registry<NamedInfo>[]) {
      const found = registry.find(id);
      if (found) return `${registry.kind} ${found.name}`;
    }
    return `id ${id}`;
  }
}
