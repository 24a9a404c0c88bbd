/**
 * The server's view of a P4Info: every object indexed by id, with the facts the P4Runtime server
 * checks requests against (bit widths, match kinds, action scopes, direct resources). Built once per
 * SetForwardingPipelineConfig; malformed P4Info is refused with a message naming the object.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { invalidArgument } from './status.js';

/** The top byte of every P4Info id says which kind of object it names (p4.config.v1.P4Ids). */
export const P4IdPrefix = {
  ACTION: 0x01,
  TABLE: 0x02,
  VALUE_SET: 0x03,
  CONTROLLER_HEADER: 0x04,
  ACTION_PROFILE: 0x11,
  COUNTER: 0x12,
  DIRECT_COUNTER: 0x13,
  METER: 0x14,
  DIRECT_METER: 0x15,
  REGISTER: 0x16,
  DIGEST: 0x17,
} as const;

export type P4IdKind = keyof typeof P4IdPrefix;

/** Kind of object an id names, from its top byte (undefined for an unknown prefix). */
const KIND_BY_PREFIX = new Map<number, P4IdKind>(
  Object.entries(P4IdPrefix).map(([kind, prefix]) => [prefix as number, kind as P4IdKind]),
);

export function idKind(id: number): P4IdKind | undefined {
  return KIND_BY_PREFIX.get(id >>> 24);
}

const KIND_LABEL: Record<P4IdKind, string> = {
  ACTION: 'action',
  TABLE: 'table',
  VALUE_SET: 'value set',
  CONTROLLER_HEADER: 'controller packet metadata',
  ACTION_PROFILE: 'action profile',
  COUNTER: 'counter',
  DIRECT_COUNTER: 'direct counter',
  METER: 'meter',
  DIRECT_METER: 'direct meter',
  REGISTER: 'register',
  DIGEST: 'digest',
};

export function kindLabel(kind: P4IdKind): string {
  return KIND_LABEL[kind];
}

/** Match kinds P4Runtime's FieldMatch can express. */
export type MatchType = 'exact' | 'lpm' | 'ternary' | 'range' | 'optional';

const MATCH_TYPES: Record<number, MatchType> = {
  2: 'exact',
  3: 'lpm',
  4: 'ternary',
  5: 'range',
  6: 'optional',
};

/** The P4Info could not be imported (PI: "Error when importing p4info"). */
export class P4InfoModelError extends Error {
  override readonly name = 'P4InfoModelError';
}

export interface NamedModel {
  readonly id: number;
  readonly name: string;
}

export interface BitFieldModel extends NamedModel {
  readonly bitwidth: number;
}

export interface MatchFieldModel extends BitFieldModel {
  readonly matchType: MatchType;
}

export interface ActionModel extends NamedModel {
  readonly params: readonly BitFieldModel[];
  readonly paramById: ReadonlyMap<number, BitFieldModel>;
}

export type ActionScope = 'TABLE_AND_DEFAULT' | 'TABLE_ONLY' | 'DEFAULT_ONLY';

export interface TableModel extends NamedModel {
  readonly matchFields: readonly MatchFieldModel[];
  readonly matchFieldById: ReadonlyMap<number, MatchFieldModel>;
  /** Action id to where the table may use it. */
  readonly actionScopes: ReadonlyMap<number, ActionScope>;
  /** Non-zero when the default action cannot be changed. */
  readonly constDefaultActionId: number;
  /** Action profile / selector id, 0 for a direct table. */
  readonly implementationId: number;
  readonly directCounterId: number;
  readonly directMeterId: number;
  readonly size: number;
  readonly supportsIdleTimeout: boolean;
  readonly isConst: boolean;
  /** A ternary, range or optional field makes the priority mandatory. */
  readonly needsPriority: boolean;
}

export interface ActionProfileModel extends NamedModel {
  readonly tableIds: readonly number[];
  readonly withSelector: boolean;
  readonly size: number;
  readonly maxGroupSize: number;
  /** Actions usable by members: those of the tables sharing the profile. */
  readonly actionIds: ReadonlySet<number>;
}

export type CounterUnit = 'BYTES' | 'PACKETS' | 'BOTH' | 'UNSPECIFIED';

export interface CounterModel extends NamedModel {
  readonly unit: CounterUnit;
  readonly size: number;
  /** Table of a direct counter, 0 for an indexed counter. */
  readonly directTableId: number;
}

export type MeterUnit = 'BYTES' | 'PACKETS' | 'UNSPECIFIED';

export interface MeterModel extends NamedModel {
  readonly unit: MeterUnit;
  readonly size: number;
  readonly directTableId: number;
}

export interface RegisterModel extends NamedModel {
  readonly size: number;
  /** Width of a bit<W>/int<W> register cell; undefined when the type is not a bitstring. */
  readonly bitwidth: number | undefined;
  readonly unsupportedReason: string | undefined;
}

/** Layout of a digest sample: bitstring members, packed one after the other on byte boundaries. */
export type DigestLayout =
  | { readonly kind: 'bitstring'; readonly widths: readonly [number] }
  | { readonly kind: 'struct' | 'tuple'; readonly widths: readonly number[] };

export interface DigestModel extends NamedModel {
  readonly layout: DigestLayout | undefined;
  /** Why the digest cannot be served (PI handles bitstrings, structs and tuples of bitstrings). */
  readonly unsupportedReason: string | undefined;
}

export interface ValueSetModel extends NamedModel {
  readonly match: readonly MatchFieldModel[];
  readonly size: number;
}

export interface ControllerHeaderModel extends NamedModel {
  readonly metadata: readonly BitFieldModel[];
}

function preamble(p: p4.config.v1.IPreamble | null | undefined, what: string): NamedModel {
  const id = p?.id ?? 0;
  const name = p?.name ?? '';
  if (id === 0) throw new P4InfoModelError(`${what} '${name}' has no id`);
  if (!name) throw new P4InfoModelError(`${what} with id ${id} has no name`);
  return { id, name };
}

function num(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function positiveWidth(bitwidth: number | null | undefined, what: string): number {
  const w = bitwidth ?? 0;
  if (!Number.isInteger(w) || w <= 0) throw new P4InfoModelError(`${what} has invalid bitwidth ${w}`);
  return w;
}

const COUNTER_UNITS: readonly CounterUnit[] = ['UNSPECIFIED', 'BYTES', 'PACKETS', 'BOTH'];
const METER_UNITS: readonly MeterUnit[] = ['UNSPECIFIED', 'BYTES', 'PACKETS'];
const SCOPES: Record<number, ActionScope> = { 0: 'TABLE_AND_DEFAULT', 1: 'TABLE_ONLY', 2: 'DEFAULT_ONLY' };

/** Indexed P4Info. Construction validates ids (prefix, uniqueness) and cross references. */
export class P4InfoModel {
  readonly tables = new Map<number, TableModel>();
  readonly actions = new Map<number, ActionModel>();
  readonly actionProfiles = new Map<number, ActionProfileModel>();
  readonly counters = new Map<number, CounterModel>();
  readonly directCounters = new Map<number, CounterModel>();
  readonly meters = new Map<number, MeterModel>();
  readonly directMeters = new Map<number, MeterModel>();
  readonly registers = new Map<number, RegisterModel>();
  readonly digests = new Map<number, DigestModel>();
  readonly valueSets = new Map<number, ValueSetModel>();
  /** Controller headers by name (`packet_in`, `packet_out`). */
  readonly controllerHeaders = new Map<string, ControllerHeaderModel>();
  private readonly allIds = new Map<number, string>();

  constructor(readonly p4info: p4.config.v1.IP4Info) {
    for (const a of p4info.actions ?? []) this.addAction(a);
    for (const t of p4info.tables ?? []) this.addTable(t);
    for (const ap of p4info.actionProfiles ?? []) this.addActionProfile(ap);
    for (const c of p4info.counters ?? []) {
      const named = this.register(preamble(c.preamble, 'counter'), 'COUNTER');
      this.counters.set(named.id, {
        ...named,
        unit: COUNTER_UNITS[c.spec?.unit ?? 0] ?? 'UNSPECIFIED',
        size: num(c.size),
        directTableId: 0,
      });
    }
    for (const c of p4info.directCounters ?? []) {
      const named = this.register(preamble(c.preamble, 'direct counter'), 'DIRECT_COUNTER');
      const model = {
        ...named,
        unit: COUNTER_UNITS[c.spec?.unit ?? 0] ?? 'UNSPECIFIED',
        size: 0,
        directTableId: c.directTableId ?? 0,
      };
      this.directCounters.set(named.id, model);
    }
    for (const m of p4info.meters ?? []) {
      const named = this.register(preamble(m.preamble, 'meter'), 'METER');
      this.meters.set(named.id, {
        ...named,
        unit: METER_UNITS[m.spec?.unit ?? 0] ?? 'UNSPECIFIED',
        size: num(m.size),
        directTableId: 0,
      });
    }
    for (const m of p4info.directMeters ?? []) {
      const named = this.register(preamble(m.preamble, 'direct meter'), 'DIRECT_METER');
      const model = {
        ...named,
        unit: METER_UNITS[m.spec?.unit ?? 0] ?? 'UNSPECIFIED',
        size: 0,
        directTableId: m.directTableId ?? 0,
      };
      this.directMeters.set(named.id, model);
    }
    for (const r of p4info.registers ?? []) this.addRegister(r);
    for (const d of p4info.digests ?? []) this.addDigest(d, p4info.typeInfo);
    for (const v of p4info.valueSets ?? []) {
      const named = this.register(preamble(v.preamble, 'value set'), 'VALUE_SET');
      const match = (v.match ?? []).map((f) => this.matchField(f, `value set '${named.name}'`));
      this.valueSets.set(named.id, { ...named, match, size: v.size ?? 0 });
    }
    for (const h of p4info.controllerPacketMetadata ?? []) {
      const named = this.register(preamble(h.preamble, 'controller packet metadata'), 'CONTROLLER_HEADER');
      const metadata = (h.metadata ?? []).map((m) => ({
        id: m.id ?? 0,
        name: m.name ?? '',
        bitwidth: positiveWidth(m.bitwidth, `metadata '${m.name}' of controller header '${named.name}'`),
      }));
      this.controllerHeaders.set(named.name, { ...named, metadata });
    }
    this.checkReferences();
  }

  /** Actions by fully qualified name. */
  readonly actionsByName = new Map<string, ActionModel>();

  /** The name of whatever object has this id (for messages), or undefined. */
  nameOf(id: number): string | undefined {
    return this.allIds.get(id);
  }

  /**
   * Looks `id` up in `map`, which holds the objects of `kind` (PI's `check_p4_id`); throws
   * INVALID_ARGUMENT "Invalid P4 id" saying what the id is instead.
   */
  lookup<T>(map: ReadonlyMap<number, T>, kind: P4IdKind, id: number | null | undefined): T {
    const key = id ?? 0;
    const found = idKind(key) === kind ? map.get(key) : undefined;
    if (found !== undefined) return found;
    const other = this.allIds.get(key);
    const what = other !== undefined ? `it is the id of '${other}'` : 'no object of the P4Info has it';
    throw invalidArgument(
      'Invalid P4 id',
      `${key} (0x${key.toString(16)}) is not the id of a ${kindLabel(kind)}; ${what}`,
    );
  }

  private register(named: NamedModel, kind: P4IdKind): NamedModel {
    if (idKind(named.id) !== kind) {
      throw new P4InfoModelError(
        `${kindLabel(kind)} '${named.name}' has id 0x${named.id.toString(16)}, whose prefix is not the one of a ${kindLabel(kind)} (0x${P4IdPrefix[kind].toString(16)})`,
      );
    }
    const clash = this.allIds.get(named.id);
    if (clash !== undefined)
      throw new P4InfoModelError(
        `id 0x${named.id.toString(16)} is used by both '${clash}' and '${named.name}'`,
      );
    this.allIds.set(named.id, named.name);
    return named;
  }

  private matchField(f: p4.config.v1.IMatchField, context: string): MatchFieldModel {
    const what = `match field '${f.name}' (id ${f.id}) of ${context}`;
    const matchType = MATCH_TYPES[f.matchType ?? 0];
    if (!matchType) {
      const kind = f.otherMatchType ? `'${f.otherMatchType}'` : `${f.matchType ?? 0}`;
      throw new P4InfoModelError(`${what} has unsupported match type ${kind}`);
    }
    // p4c gives `error`-typed match fields no width (bitwidth 0), and PI imports them.
    const bitwidth = f.bitwidth ?? 0;
    if (!Number.isInteger(bitwidth) || bitwidth < 0)
      throw new P4InfoModelError(`${what} has invalid bitwidth ${bitwidth}`);
    return { id: f.id ?? 0, name: f.name ?? '', bitwidth, matchType };
  }

  private addAction(a: p4.config.v1.IAction): void {
    const named = this.register(preamble(a.preamble, 'action'), 'ACTION');
    const params = (a.params ?? []).map((p) => ({
      id: p.id ?? 0,
      name: p.name ?? '',
      bitwidth: positiveWidth(p.bitwidth, `parameter '${p.name}' of action '${named.name}'`),
    }));
    const paramById = new Map(params.map((p) => [p.id, p]));
    if (paramById.size !== params.length)
      throw new P4InfoModelError(`action '${named.name}' has duplicate parameter ids`);
    const action = { ...named, params, paramById };
    this.actions.set(named.id, action);
    this.actionsByName.set(named.name, action);
  }

  private addTable(t: p4.config.v1.ITable): void {
    const named = this.register(preamble(t.preamble, 'table'), 'TABLE');
    const matchFields = (t.matchFields ?? []).map((f) => this.matchField(f, `table '${named.name}'`));
    const matchFieldById = new Map(matchFields.map((f) => [f.id, f]));
    if (matchFieldById.size !== matchFields.length)
      throw new P4InfoModelError(`table '${named.name}' has duplicate match field ids`);
    const actionScopes = new Map<number, ActionScope>();
    for (const ref of t.actionRefs ?? [])
      actionScopes.set(ref.id ?? 0, SCOPES[ref.scope ?? 0] ?? 'TABLE_AND_DEFAULT');
    let directCounterId = 0;
    let directMeterId = 0;
    for (const id of t.directResourceIds ?? []) {
      if (idKind(id) === 'DIRECT_COUNTER') directCounterId = id;
      else if (idKind(id) === 'DIRECT_METER') directMeterId = id;
    }
    this.tables.set(named.id, {
      ...named,
      matchFields,
      matchFieldById,
      actionScopes,
      constDefaultActionId: t.constDefaultActionId ?? 0,
      implementationId: t.implementationId ?? 0,
      directCounterId,
      directMeterId,
      size: num(t.size),
      supportsIdleTimeout: (t.idleTimeoutBehavior ?? 0) === 1,
      isConst: t.isConstTable ?? false,
      needsPriority: matchFields.some(
        (f) => f.matchType === 'ternary' || f.matchType === 'range' || f.matchType === 'optional',
      ),
    });
  }

  private addActionProfile(ap: p4.config.v1.IActionProfile): void {
    const named = this.register(preamble(ap.preamble, 'action profile'), 'ACTION_PROFILE');
    const tableIds = ap.tableIds ?? [];
    const actionIds = new Set<number>();
    for (const tid of tableIds) {
      const table = this.tables.get(tid);
      if (!table)
        throw new P4InfoModelError(`action profile '${named.name}' refers to unknown table id ${tid}`);
      for (const aid of table.actionScopes.keys()) actionIds.add(aid);
    }
    this.actionProfiles.set(named.id, {
      ...named,
      tableIds,
      withSelector: ap.withSelector ?? false,
      size: num(ap.size),
      maxGroupSize: ap.maxGroupSize ?? 0,
      actionIds,
    });
  }

  private addRegister(r: p4.config.v1.IRegister): void {
    const named = this.register(preamble(r.preamble, 'register'), 'REGISTER');
    const bits = r.typeSpec?.bitstring;
    const width = bits?.bit?.bitwidth ?? bits?.int?.bitwidth;
    const supported = width !== undefined && width !== null && width > 0;
    this.registers.set(named.id, {
      ...named,
      size: r.size ?? 0,
      bitwidth: supported ? width : undefined,
      unsupportedReason: supported
        ? undefined
        : `register '${named.name}' does not hold a bit<W> or int<W> value`,
    });
  }

  private addDigest(d: p4.config.v1.IDigest, typeInfo: p4.config.v1.IP4TypeInfo | null | undefined): void {
    const named = this.register(preamble(d.preamble, 'digest'), 'DIGEST');
    try {
      this.digests.set(named.id, {
        ...named,
        layout: digestLayout(d.typeSpec, typeInfo, named.name),
        unsupportedReason: undefined,
      });
    } catch (error) {
      // PI skips digests whose type it cannot convert (the pipeline is still accepted).
      this.digests.set(named.id, {
        ...named,
        layout: undefined,
        unsupportedReason: (error as Error).message,
      });
    }
  }

  private checkReferences(): void {
    for (const table of this.tables.values()) {
      for (const aid of table.actionScopes.keys()) {
        if (!this.actions.has(aid))
          throw new P4InfoModelError(`table '${table.name}' refers to unknown action id ${aid}`);
      }
      if (table.constDefaultActionId !== 0 && !this.actions.has(table.constDefaultActionId)) {
        throw new P4InfoModelError(
          `table '${table.name}' has unknown const default action id ${table.constDefaultActionId}`,
        );
      }
      if (table.implementationId !== 0 && !this.actionProfiles.has(table.implementationId)) {
        throw new P4InfoModelError(
          `table '${table.name}' refers to unknown action profile id ${table.implementationId}`,
        );
      }
      if (table.directCounterId !== 0 && !this.directCounters.has(table.directCounterId)) {
        throw new P4InfoModelError(
          `table '${table.name}' refers to unknown direct counter id ${table.directCounterId}`,
        );
      }
      if (table.directMeterId !== 0 && !this.directMeters.has(table.directMeterId)) {
        throw new P4InfoModelError(
          `table '${table.name}' refers to unknown direct meter id ${table.directMeterId}`,
        );
      }
    }
    for (const resource of [...this.directCounters.values(), ...this.directMeters.values()]) {
      if (!this.tables.has(resource.directTableId)) {
        throw new P4InfoModelError(
          `direct resource '${resource.name}' refers to unknown table id ${resource.directTableId}`,
        );
      }
    }
  }
}

function bitstringWidth(
  spec: p4.config.v1.IP4BitstringLikeTypeSpec | null | undefined,
  what: string,
): number {
  const width = spec?.bit?.bitwidth ?? spec?.int?.bitwidth;
  if (spec?.varbit) throw new Error(`Varbits not supported for digests (${what})`);
  if (width === undefined || width === null || width <= 0) throw new Error(`${what} is not a bitstring`);
  return width;
}

function digestLayout(
  spec: p4.config.v1.IP4DataTypeSpec | null | undefined,
  typeInfo: p4.config.v1.IP4TypeInfo | null | undefined,
  name: string,
): DigestLayout {
  if (spec?.bitstring)
    return { kind: 'bitstring', widths: [bitstringWidth(spec.bitstring, `digest '${name}'`)] };
  if (spec?.tuple) {
    const widths = (spec.tuple.members ?? []).map((m, i) => {
      if (!m.bitstring)
        throw new Error(
          `Tuple can only include bitstring members for digests (member ${i} of digest '${name}')`,
        );
      return bitstringWidth(m.bitstring, `member ${i} of digest '${name}'`);
    });
    return { kind: 'tuple', widths };
  }
  if (spec?.struct) {
    const structName = spec.struct.name ?? '';
    const struct = typeInfo?.structs?.[structName];
    if (!struct)
      throw new Error(`Struct name '${structName}' not found in P4TypeInfo struct map (digest '${name}')`);
    const widths = (struct.members ?? []).map((m) => {
      if (!m.typeSpec?.bitstring) {
        throw new Error(
          `Struct can only include bitstring members for digests (member '${m.name}' of '${structName}')`,
        );
      }
      return bitstringWidth(m.typeSpec.bitstring, `member '${m.name}' of struct '${structName}'`);
    });
    return { kind: 'struct', widths };
  }
  throw new Error(`Packed type for digest '${name}' can only be bitstring, struct or tuple`);
}
