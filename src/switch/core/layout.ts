/**
 * Static layout of the packet header vector (PHV): header types, header instances, stacks, unions, and
 * where each field lives at run time.
 *
 * Every field gets a slot in one of two pools of a packet state: `num` (a Float64Array, for fields up to
 * 32 bits) or `big` (a bigint array, for wider and variable-length fields). Slots of one header are
 * contiguous in each pool, and metadata headers come first, so "reset all metadata" is a single `fill`.
 */
import { isNumWidth } from './bits.js';
import type { JsonNode } from './json-reader.js';

/** One field of a header type. */
export interface FieldInfo {
  readonly name: string;
  /** Bit width; for a variable-length field, the maximum width in bits. */
  readonly width: number;
  readonly signed: boolean;
  readonly saturating: boolean;
  /** Variable-length (`varbit`) field. */
  readonly vl: boolean;
  /** Storage pool: numbers for narrow fixed fields, bigints otherwise. */
  readonly repr: 'num' | 'big';
  /** Offset of the slot inside the header's block of its pool. */
  readonly poolOffset: number;
  /** Index of the field inside the header type. */
  readonly index: number;
}

export interface HeaderTypeInfo {
  readonly name: string;
  readonly fields: readonly FieldInfo[];
  readonly fieldIndex: ReadonlyMap<string, number>;
  /** Total width of fixed-width fields in bits (a multiple of 8 for packet headers). */
  readonly fixedBits: number;
  /** Index of the variable-length field, or -1. */
  readonly vlField: number;
  /** `max_length` in bytes (0 when absent). */
  readonly maxLengthBytes: number;
  /** `length_exp` of a VL header type (expression over the header's own fields), if any. */
  readonly lengthExp: JsonNode | undefined;
  readonly numCount: number;
  readonly bigCount: number;
  /** True when every fixed field starts and ends on a byte boundary (fast extract/emit path). */
  readonly byteAligned: boolean;
}

export interface HeaderInfo {
  readonly name: string;
  /** Dense index used at run time. */
  readonly index: number;
  readonly jsonId: number;
  readonly type: HeaderTypeInfo;
  readonly metadata: boolean;
  readonly numBase: number;
  readonly bigBase: number;
  /** Union this header belongs to (dense union index) and its member position, if any. */
  union: { readonly union: number; readonly member: number } | undefined;
}

export interface StackInfo {
  readonly name: string;
  readonly index: number;
  readonly type: HeaderTypeInfo;
  /** Dense header indices of the elements, in order. */
  readonly elements: readonly number[];
}

export interface UnionTypeInfo {
  readonly name: string;
  readonly memberNames: readonly string[];
  readonly memberTypes: readonly HeaderTypeInfo[];
}

export interface UnionInfo {
  readonly name: string;
  readonly index: number;
  readonly type: UnionTypeInfo;
  /** Dense header indices of the members, in member order. */
  readonly members: readonly number[];
}

export interface UnionStackInfo {
  readonly name: string;
  readonly index: number;
  readonly type: UnionTypeInfo;
  /** Dense union indices of the elements, in order. */
  readonly elements: readonly number[];
}

/** Resolved reference to a field of a statically known header. */
export interface StaticFieldRef {
  readonly header: HeaderInfo;
  readonly field: FieldInfo;
}

export class Layout {
  readonly headerTypes = new Map<string, HeaderTypeInfo>();
  readonly headers: HeaderInfo[] = [];
  readonly headerByName = new Map<string, HeaderInfo>();
  readonly stacks: StackInfo[] = [];
  readonly stackByName = new Map<string, StackInfo>();
  readonly unionTypes = new Map<string, UnionTypeInfo>();
  readonly unions: UnionInfo[] = [];
  readonly unionByName = new Map<string, UnionInfo>();
  readonly unionStacks: UnionStackInfo[] = [];
  readonly unionStackByName = new Map<string, UnionStackInfo>();
  /** bmv2 field aliases: an architecture's name for a field -> the actual header/field. */
  readonly aliases = new Map<string, { header: string; field: string }>();
  numSlots = 0;
  bigSlots = 0;
  /** Slots [0, metaNumEnd) of the num pool (and [0, metaBigEnd) of the big pool) belong to metadata. */
  metaNumEnd = 0;
  metaBigEnd = 0;

  constructor(root: JsonNode) {
    for (const t of root.list('header_types')) this.addHeaderType(t);
    const headerNodes = root.list('headers');
    // Metadata first so that its slots form a prefix of each pool.
    const ordered = [
      ...headerNodes.filter((h) => h.get('metadata').value === true),
      ...headerNodes.filter((h) => h.get('metadata').value !== true),
    ];
    const byJsonOrder = new Map<JsonNode, HeaderInfo>();
    let metaDone = false;
    for (const h of ordered) {
      const isMeta = h.get('metadata').value === true;
      if (!isMeta && !metaDone) {
        this.metaNumEnd = this.numSlots;
        this.metaBigEnd = this.bigSlots;
        metaDone = true;
      }
      byJsonOrder.set(h, this.allocHeader(h, isMeta));
    }
    if (!metaDone) {
      this.metaNumEnd = this.numSlots;
      this.metaBigEnd = this.bigSlots;
    }
    // Dense indices follow the JSON order of `headers` (deterministic, and stable for traces).
    for (const h of headerNodes) {
      const info = byJsonOrder.get(h)!;
      this.headers.push(info);
    }
    this.headers.forEach((h, i) => {
      (h as { index: number }).index = i;
    });
    const byId = new Map<number, HeaderInfo>();
    for (const h of this.headers) {
      if (byId.has(h.jsonId)) root.fail(`duplicate header id ${h.jsonId} ('${h.name}')`);
      byId.set(h.jsonId, h);
    }
    for (const s of root.list('header_stacks')) this.addStack(s, byId);
    for (const t of root.list('header_union_types')) this.addUnionType(t);
    const unionById = new Map<number, UnionInfo>();
    for (const u of root.list('header_unions')) {
      const info = this.addUnion(u, byId);
      unionById.set(u.req('id').int(), info);
    }
    for (const s of root.list('header_union_stacks')) this.addUnionStack(s, unionById);
    for (const a of root.list('field_aliases')) {
      const from = a.at(0).str();
      const target = a.at(1);
      const header = target.at(0).str();
      const field = target.at(1).str();
      const h = this.headerByName.get(header);
      if (!h?.type.fieldIndex.has(field))
        a.fail(`alias '${from}' targets unknown field '${header}.${field}'`);
      this.aliases.set(from, { header, field });
    }
  }

  private addHeaderType(node: JsonNode): void {
    const name = node.req('name').str();
    let fixedBits = 0;
    let vlField = -1;
    let numCount = 0;
    let bigCount = 0;
    let byteAligned = true;
    const maxLengthBytes = node.has('max_length') ? node.get('max_length').int() : 0;
    const fields: FieldInfo[] = [];
    const fieldIndex = new Map<string, number>();
    for (const f of node.req('fields').items()) {
      const tuple = f.items();
      if (tuple.length < 2) f.fail('a field must be [name, width] or [name, width, signed(, saturating)]');
      const fname = tuple[0].str();
      const signed = tuple.length > 2 ? tuple[2].bool() : false;
      const saturating = tuple.length > 3 ? tuple[3].bool() : false;
      const index = fields.length;
      if (fieldIndex.has(fname)) f.fail(`duplicate field '${fname}' in header type '${name}'`);
      if (tuple[1].value === '*') {
        if (vlField >= 0) f.fail(`header type '${name}' has more than one variable-length field`);
        vlField = index;
        const maxBits = maxLengthBytes > 0 ? maxLengthBytes * 8 : 0;
        fields.push({
          name: fname,
          width: maxBits,
          signed,
          saturating,
          vl: true,
          repr: 'big',
          poolOffset: bigCount,
          index,
        });
        bigCount++;
        if (fixedBits % 8 !== 0) byteAligned = false;
      } else {
        const width = tuple[1].int();
        if (width <= 0) f.fail(`field '${fname}' of header type '${name}' has invalid width ${width}`);
        if (signed && width < 2) f.fail(`signed field '${fname}' must be at least 2 bits wide`);
        if (fixedBits % 8 !== 0 || width % 8 !== 0) byteAligned = false;
        const repr = isNumWidth(width) ? 'num' : 'big';
        const poolOffset = repr === 'num' ? numCount++ : bigCount++;
        fields.push({ name: fname, width, signed, saturating, vl: false, repr, poolOffset, index });
        fixedBits += width;
      }
      fieldIndex.set(fname, index);
    }
    if (vlField >= 0 && maxLengthBytes === 0) {
      node.fail(`header type '${name}' has a variable-length field but no 'max_length'`);
    }
    const lengthExp = node.has('length_exp') ? node.get('length_exp') : undefined;
    this.headerTypes.set(name, {
      name,
      fields,
      fieldIndex,
      fixedBits,
      vlField,
      maxLengthBytes,
      lengthExp,
      numCount,
      bigCount,
      byteAligned,
    });
  }

  private allocHeader(node: JsonNode, metadata: boolean): HeaderInfo {
    const name = node.req('name').str();
    const typeName = node.req('header_type').str();
    const type = this.headerTypes.get(typeName);
    if (!type) node.fail(`header '${name}' refers to unknown header type '${typeName}'`);
    if (this.headerByName.has(name)) node.fail(`duplicate header name '${name}'`);
    if (!metadata && type.fixedBits % 8 !== 0) {
      node.fail(
        `header '${name}' of type '${typeName}' is ${type.fixedBits} bits, not a whole number of bytes`,
      );
    }
    const info: HeaderInfo = {
      name,
      index: -1,
      jsonId: node.req('id').int(),
      type,
      metadata,
      numBase: this.numSlots,
      bigBase: this.bigSlots,
      union: undefined,
    };
    this.numSlots += type.numCount;
    this.bigSlots += type.bigCount;
    this.headerByName.set(name, info);
    return info;
  }

  private addStack(node: JsonNode, byId: Map<number, HeaderInfo>): void {
    const name = node.req('name').str();
    const type = this.headerTypes.get(node.req('header_type').str());
    if (!type) node.fail(`header stack '${name}' refers to unknown header type`);
    const elements = node
      .req('header_ids')
      .items()
      .map((idNode) => {
        const h = byId.get(idNode.int());
        if (!h) return idNode.fail(`header stack '${name}' refers to unknown header id ${idNode.int()}`);
        if (h.type !== type) return idNode.fail(`header '${h.name}' in stack '${name}' has the wrong type`);
        return h.index;
      });
    const info: StackInfo = { name, index: this.stacks.length, type, elements };
    this.stacks.push(info);
    this.stackByName.set(name, info);
  }

  private addUnionType(node: JsonNode): void {
    const name = node.req('name').str();
    const memberNames: string[] = [];
    const memberTypes: HeaderTypeInfo[] = [];
    for (const m of node.req('headers').items()) {
      memberNames.push(m.at(0).str());
      const t =
        this.headerTypes.get(m.at(1).str()) ??
        m.fail(`union type '${name}' refers to unknown header type '${m.at(1).str()}'`);
      memberTypes.push(t);
    }
    this.unionTypes.set(name, { name, memberNames, memberTypes });
  }

  private addUnion(node: JsonNode, byId: Map<number, HeaderInfo>): UnionInfo {
    const name = node.req('name').str();
    const type = this.unionTypes.get(node.req('union_type').str());
    if (!type) node.fail(`header union '${name}' refers to unknown union type`);
    const index = this.unions.length;
    const members = node
      .req('header_ids')
      .items()
      .map((idNode, member) => {
        const h = byId.get(idNode.int());
        if (!h) return idNode.fail(`header union '${name}' refers to unknown header id ${idNode.int()}`);
        h.union = { union: index, member };
        return h.index;
      });
    const info: UnionInfo = { name, index, type, members };
    this.unions.push(info);
    this.unionByName.set(name, info);
    return info;
  }

  private addUnionStack(node: JsonNode, byId: Map<number, UnionInfo>): void {
    const name = node.req('name').str();
    const type = this.unionTypes.get(node.req('union_type').str());
    if (!type) node.fail(`header union stack '${name}' refers to unknown union type`);
    const elements = node
      .req('header_union_ids')
      .items()
      .map((idNode) => {
        const u = byId.get(idNode.int());
        if (!u) return idNode.fail(`header union stack '${name}' refers to unknown union id ${idNode.int()}`);
        return u.index;
      });
    const info: UnionStackInfo = { name, index: this.unionStacks.length, type, elements };
    this.unionStacks.push(info);
    this.unionStackByName.set(name, info);
  }

  header(node: JsonNode, name: string): HeaderInfo {
    const h = this.headerByName.get(name);
    if (!h) node.fail(`unknown header '${name}'`);
    return h;
  }

  stack(node: JsonNode, name: string): StackInfo {
    const s = this.stackByName.get(name);
    if (!s) node.fail(`unknown header stack '${name}'`);
    return s;
  }

  union(node: JsonNode, name: string): UnionInfo {
    const u = this.unionByName.get(name);
    if (!u) node.fail(`unknown header union '${name}'`);
    return u;
  }

  unionStack(node: JsonNode, name: string): UnionStackInfo {
    const u = this.unionStackByName.get(name);
    if (!u) node.fail(`unknown header union stack '${name}'`);
    return u;
  }

  /** Resolves a `[header, field]` pair (the hidden `$valid$` field is handled by callers). */
  field(node: JsonNode, headerName: string, fieldName: string): StaticFieldRef {
    const alias = this.aliases.get(`${headerName}.${fieldName}`);
    if (alias) return this.field(node, alias.header, alias.field);
    const header = this.header(node, headerName);
    const idx = header.type.fieldIndex.get(fieldName);
    if (idx === undefined) node.fail(`header '${headerName}' has no field '${fieldName}'`);
    return { header, field: header.type.fields[idx] };
  }

  /**
   * Looks up an architecture field by its bmv2 name ("header.field"), honouring
   * aliases (`field_aliases`). Returns undefined when the program lacks it.
   */
  findField(fullName: string): StaticFieldRef | undefined {
    const alias = this.aliases.get(fullName);
    if (alias) {
      const h = this.headerByName.get(alias.header);
      const idx = h?.type.fieldIndex.get(alias.field);
      return h && idx !== undefined ? { header: h, field: h.type.fields[idx] } : undefined;
    }
    const dot = fullName.indexOf('.');
    if (dot < 0) return undefined;
    const h = this.headerByName.get(fullName.slice(0, dot));
    const idx = h?.type.fieldIndex.get(fullName.slice(dot + 1));
    return h && idx !== undefined ? { header: h, field: h.type.fields[idx] } : undefined;
  }

  /** Absolute slot of a field of a known header in its pool. */
  slot(ref: StaticFieldRef): number {
    return ref.field.repr === 'num'
      ? ref.header.numBase + ref.field.poolOffset
      : ref.header.bigBase + ref.field.poolOffset;
  }
}
