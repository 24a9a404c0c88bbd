/**
 * Writable locations of bmv2 JSON (fields, stack and union fields, register cells, `expression`
 * lvalues): each compiled to a reader and a store that truncates to the location's width, as bmv2's
 * field store does.
 */
import { isNumWidth, MAX_SAFE, maskBig, type Value } from './bits.js';
import {
  asBig,
  asNum,
  bigNode,
  clampBig,
  type DataNode,
  type Effect,
  fieldRange,
  type IndexFn,
  type LValue,
  numNode,
  type OperandCompiler,
  runtimeFail,
  wrapMod,
} from './data-nodes.js';
import type { JsonNode } from './json-reader.js';
import type { FieldInfo } from './layout.js';
import type { PacketState } from './state.js';

/** Compiles lvalues for one expression compiler (whose operands the stores compute). */
export class LValueCompiler {
  private readonly numBase: Int32Array;
  private readonly bigBase: Int32Array;

  constructor(private readonly c: OperandCompiler) {
    const hs = c.env.layout.headers;
    this.numBase = Int32Array.from(hs.map((h) => h.numBase));
    this.bigBase = Int32Array.from(hs.map((h) => h.bigBase));
  }

  /** Any writable location given as a type-value object (`field`, `expression`, `register`, `stack_field`). */
  lvalue(node: JsonNode): LValue {
    const type = node.req('type').str();
    const value = node.req('value');
    switch (type) {
      case 'field':
        return this.fieldLvalue(value);
      case 'register':
        return this.registerLvalue(value);
      case 'stack_field':
        return this.stackFieldLvalue(value);
      case 'expression': {
        if (value.has('type') && !value.has('op')) return this.lvalue(value);
        const op = value.get('op').value;
        if (op === 'access_field') return this.accessFieldLvalue(value);
        return node.fail(`expression with operator '${String(op)}' is not assignable`);
      }
      default:
        return node.fail(`operand of type '${type}' is not assignable`);
    }
  }

  fieldLvalue(value: JsonNode): LValue {
    const headerName = value.at(0).str();
    const fieldName = value.at(1).str();
    if (fieldName === '$valid$') value.fail(`the hidden field '${headerName}.$valid$' is read-only`);
    const ref = this.c.env.layout.field(value, headerName, fieldName);
    const h = ref.header.index;
    const slot =
      ref.field.repr === 'num'
        ? ref.header.numBase + ref.field.poolOffset
        : ref.header.bigBase + ref.field.poolOffset;
    return this.makeFieldLvalue(
      ref.field,
      () => h,
      () => slot,
      slot,
    );
  }

  private accessFieldLvalue(value: JsonNode): LValue {
    const hdr = this.c.header(value.req('left'));
    const offset = value.req('right').int();
    if (offset === hdr.type.fields.length) value.fail('the hidden $valid$ field is read-only');
    const f = hdr.type.fields[offset];
    if (!f) value.fail(`field offset ${offset} out of range for header type '${hdr.type.name}'`);
    if (hdr.fixed) {
      const h = hdr.fixed.index;
      const slot = (f.repr === 'num' ? hdr.fixed.numBase : hdr.fixed.bigBase) + f.poolOffset;
      return this.makeFieldLvalue(
        f,
        () => h,
        () => slot,
        slot,
      );
    }
    const base = f.repr === 'num' ? this.numBase : this.bigBase;
    const hf = hdr.fn;
    const off = f.poolOffset;
    return this.makeFieldLvalue(f, hf, (s) => base[hf(s)] + off, -1);
  }

  /** Reads a field of a dynamically resolved header (used by `access_field` rvalues). */
  accessFieldRead(value: JsonNode): DataNode {
    const hdr = this.c.header(value.req('left'));
    const offset = value.req('right').int();
    if (offset === hdr.type.fields.length) {
      const hf = hdr.fn;
      return numNode((s) => s.valid[hf(s)], 0n, 1n);
    }
    return this.accessFieldLvalue(value).read;
  }

  stackFieldLvalue(value: JsonNode): LValue {
    const stack = this.c.env.layout.stack(value, value.at(0).str());
    const fieldName = value.at(1).str();
    const idx = stack.type.fieldIndex.get(fieldName);
    if (idx === undefined) value.fail(`header stack '${stack.name}' elements have no field '${fieldName}'`);
    const f = stack.type.fields[idx];
    const si = stack.index;
    const elements = Int32Array.from(stack.elements);
    const base = f.repr === 'num' ? this.numBase : this.bigBase;
    const off = f.poolOffset;
    const name = stack.name;
    const hf: IndexFn = (s) => {
      const next = s.stackNext[si];
      if (next === 0) runtimeFail(`access to the last element of empty header stack '${name}'`);
      return elements[next - 1];
    };
    return this.makeFieldLvalue(f, hf, (s) => base[hf(s)] + off, -1);
  }

  registerLvalue(value: JsonNode): LValue {
    const name = value.at(0).str();
    const reg = this.c.env.register(value, name);
    const index = this.c.data(value.at(1));
    const ri = reg.index;
    const size = reg.size;
    const width = reg.width;
    const idxFn = asNum(index.max > MAX_SAFE ? wrapMod(index, 53) : index);
    const checked: IndexFn = (s) => {
      const i = idxFn(s);
      if (i < 0 || i >= size) runtimeFail(`register '${name}' index ${i} out of bounds (size ${size})`);
      return i;
    };
    const max = maskBig(width);
    const read: DataNode = isNumWidth(width)
      ? numNode((s) => (s.rt.registers[ri].cells as Float64Array)[checked(s)], 0n, max)
      : bigNode((s) => (s.rt.registers[ri].cells as bigint[])[checked(s)], 0n, max);
    const store = (s: PacketState, v: Value): void => {
      const i = checked(s);
      if (isNumWidth(width))
        (s.rt.registers[ri].cells as Float64Array)[i] = Number(BigInt.asUintN(width, BigInt(v)));
      else (s.rt.registers[ri].cells as bigint[])[i] = BigInt.asUintN(width, BigInt(v));
    };
    const assignNode = (src: DataNode): Effect => {
      const m = wrapMod(src, width);
      if (isNumWidth(width)) {
        const f = asNum(m);
        return (s) => {
          (s.rt.registers[ri].cells as Float64Array)[checked(s)] = f(s);
        };
      }
      const f = asBig(m);
      return (s) => {
        (s.rt.registers[ri].cells as bigint[])[checked(s)] = f(s);
      };
    };
    return {
      read,
      width,
      signed: false,
      saturating: false,
      vl: false,
      assignJson: (src) => assignNode(this.c.dataMod(src, width)),
      assignNode,
      store,
    };
  }

  /**
   * Builds an lvalue for a header field whose header index and slot are computed by closures;
   * `fixedSlot` is the slot when known at compile time, else -1.
   */
  private makeFieldLvalue(f: FieldInfo, header: IndexFn, slot: IndexFn, fixedSlot: number): LValue {
    const [min, max] = fieldRange(f);
    const staticSlot = fixedSlot >= 0;
    if (f.vl) {
      const read: DataNode = staticSlot
        ? bigNode((s) => s.big[fixedSlot], 0n, maskBig(Math.max(f.width, 1)))
        : bigNode((s) => s.big[slot(s)], 0n, maskBig(Math.max(f.width, 1)));
      const store = (s: PacketState, v: Value): void => {
        s.big[slot(s)] = BigInt.asUintN(s.vlBits[header(s)], BigInt(v));
      };
      const assignNode = (src: DataNode): Effect => {
        const g = asBig(src);
        return (s) => {
          s.big[slot(s)] = BigInt.asUintN(s.vlBits[header(s)], g(s));
        };
      };
      return {
        read,
        width: f.width,
        signed: false,
        saturating: false,
        vl: true,
        assignJson: (src) => assignNode(this.c.data(src)),
        assignNode,
        store,
        vlRef: { header, slot },
      };
    }
    const width = f.width;
    const signed = f.signed;
    const saturating = f.saturating;
    const half = 2 ** (width - 1);
    const full = 2 ** width;
    let read: DataNode;
    if (f.repr === 'num') {
      read = staticSlot
        ? numNode((s) => s.num[fixedSlot], min, max)
        : numNode((s) => s.num[slot(s)], min, max);
    } else {
      read = staticSlot
        ? bigNode((s) => s.big[fixedSlot], min, max)
        : bigNode((s) => s.big[slot(s)], min, max);
    }
    const toField = (v: bigint): bigint => {
      if (saturating) return clampBig(v, min, max);
      return signed ? BigInt.asIntN(width, v) : BigInt.asUintN(width, v);
    };
    const store = (s: PacketState, v: Value): void => {
      if (f.repr === 'num') {
        if (typeof v === 'number' && !signed && !saturating && v >= 0 && v < full) s.num[slot(s)] = v;
        else s.num[slot(s)] = Number(toField(BigInt(v)));
      } else {
        s.big[slot(s)] = toField(BigInt(v));
      }
    };
    const assignNode = (src: DataNode): Effect => {
      if (saturating) {
        const g = asBig(src);
        if (f.repr === 'num') {
          return (s) => {
            const v = g(s);
            s.num[slot(s)] = Number(clampBig(v, min, max));
          };
        }
        return (s) => {
          const v = g(s);
          s.big[slot(s)] = clampBig(v, min, max);
        };
      }
      const m = wrapMod(src, width);
      if (f.repr === 'num') {
        const g = asNum(m);
        if (signed) {
          if (staticSlot) {
            return (s) => {
              const v = g(s);
              s.num[fixedSlot] = v >= half ? v - full : v;
            };
          }
          return (s) => {
            const v = g(s);
            s.num[slot(s)] = v >= half ? v - full : v;
          };
        }
        if (staticSlot) {
          if (m.constant !== undefined) {
            const c = Number(m.constant);
            return (s) => {
              s.num[fixedSlot] = c;
            };
          }
          return (s) => {
            s.num[fixedSlot] = g(s);
          };
        }
        return (s) => {
          s.num[slot(s)] = g(s);
        };
      }
      const g = asBig(m);
      if (signed) {
        return (s) => {
          s.big[slot(s)] = BigInt.asIntN(width, g(s));
        };
      }
      if (staticSlot) {
        return (s) => {
          s.big[fixedSlot] = g(s);
        };
      }
      return (s) => {
        s.big[slot(s)] = g(s);
      };
    };
    return {
      read,
      width,
      signed,
      saturating,
      vl: false,
      assignJson: (src) => assignNode(saturating ? this.c.data(src) : this.c.dataMod(src, width)),
      assignNode,
      store,
    };
  }
}
