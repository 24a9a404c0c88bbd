/**
 * Compiles bmv2 parsers. Behaviour follows bmv2's parser.cpp:
 * - parser ops: extract (regular / stack / union_stack), extract_VL, set (field / hexstr / lookahead /
 *   expression), verify, primitive, shift, advance;
 * - errors (PacketTooShort, StackOutOfBounds, HeaderTooShort, ParserInvalidArgument, or the error of a failed
 *   `verify`) stop parsing; headers extracted so far stay valid and the rest of the packet becomes payload;
 * - select keys: fields, last stack element fields, union stack fields, lookahead (bytes past the end of the
 *   packet read as 0); transitions are tried in order (value/mask, value sets); when none matches and there is
 *   no default, parsing ends without error (this is how bmv2 and p4c behave).
 * The parser also verifies the checksums bound to it once parsing ends (bmv2 does it inside Parser::parse).
 */
import type { ActionCompiler } from './actions.js';
import { bytesForBits, hexstrByteLength, maskBig, parseHexstr, readBitsBig, readBitsNum } from './bits.js';
import type { CompileContext } from './context.js';
import { asBig, asNum, bigNode, type DataNode, type Effect, numNode, wrapMod } from './data-nodes.js';
import { PacketProcessingError } from './errors.js';
import { JsonNode } from './json-reader.js';
import type { HeaderInfo } from './layout.js';
import type { PacketState } from './state.js';

/** Thrown inside parse states to stop parsing with an error code. */
class ParserError {
  constructor(readonly code: number) {}
}

/** Error codes of the program (JSON `errors` plus bmv2's core errors). */
export class ErrorCodes {
  readonly byName = new Map<string, number>();
  readonly byValue = new Map<number, string>();

  constructor(root: JsonNode) {
    for (const e of root.list('errors')) {
      const name = e.at(0).str();
      const value = e.at(1).int();
      if (this.byName.has(name) || this.byValue.has(value))
        e.fail(`duplicate error '${name}' / value ${value}`);
      this.byName.set(name, value);
      this.byValue.set(value, name);
    }
    // bmv2 ErrorCodeMap::add_core: missing core errors get values after the largest declared one.
    let next = this.byValue.size === 0 ? 0 : Math.max(...this.byValue.keys()) + 1;
    for (const core of CORE_ERRORS) {
      if (!this.byName.has(core)) {
        this.byName.set(core, next);
        this.byValue.set(next, core);
        next++;
      }
    }
  }

  code(name: (typeof CORE_ERRORS)[number]): number {
    return this.byName.get(name)!;
  }
}

export const CORE_ERRORS = [
  'NoError',
  'PacketTooShort',
  'NoMatch',
  'StackOutOfBounds',
  'HeaderTooShort',
  'ParserTimeout',
  'ParserInvalidArgument',
] as const;

/** A checksum verification run after parsing; returns false on mismatch. */
export type ChecksumVerifier = (s: PacketState) => boolean;

export interface CompiledParser {
  readonly name: string;
  /** Parses `s.data` from offset 0, filling the PHV; sets s.parserError, s.checksumError, s.payloadStart. */
  parse(s: PacketState): void;
  /** Checksums to verify at the end of parsing (filled by the loader once checksums are known). */
  readonly verifiers: ChecksumVerifier[];
}

/** A compiled transition: tries to match the packed key, returns the next state index (-1 = accept) or undefined. */
type Transition = (key: number | bigint, s: PacketState) => number | undefined;

interface CompiledState {
  readonly name: string;
  readonly ops: readonly Effect[];
  /** Builds the packed select key; undefined when the state has no select. */
  readonly key: ((s: PacketState) => number | bigint) | undefined;
  readonly transitions: readonly Transition[];
  /** Default next state index, -1 for accept. */
  readonly defaultNext: number;
}

/** Upper bound on states visited for one packet; bmv2 would loop forever on a non-consuming cycle. */
const MAX_PARSER_STEPS = 100_000;

export class ParserCompiler {
  constructor(
    private readonly ctx: CompileContext,
    private readonly actions: ActionCompiler,
    private readonly errors: ErrorCodes,
    /** Resolves a value set used by a transition whose select key has the given field widths. */
    private readonly valueSetIndex: (
      node: JsonNode,
      name: string,
      keyWidths: readonly number[],
    ) => { index: number; bitwidth: number },
  ) {}

  compile(node: JsonNode): CompiledParser {
    const name = node.req('name').str();
    const stateNodes = node.req('parse_states').items();
    const indexByName = new Map<string, number>();
    stateNodes.forEach((st, i) => {
      const sname = st.req('name').str();
      if (indexByName.has(sname)) st.fail(`duplicate parse state '${sname}'`);
      indexByName.set(sname, i);
    });
    const resolve = (n: JsonNode): number => {
      if (n.isNull()) return -1;
      const idx = indexByName.get(n.str());
      if (idx === undefined) return n.fail(`unknown parse state '${n.str()}'`);
      return idx;
    };
    const states = stateNodes.map((st) => this.compileState(st, resolve));
    const initNode = node.req('init_state');
    const init = initNode.isNull() ? -1 : resolve(initNode);
    const noError = this.errors.code('NoError');
    const verifiers: ChecksumVerifier[] = [];
    const parse = (s: PacketState): void => {
      s.parserError = noError;
      s.checksumError = false;
      s.payloadStart = 0;
      let current = init;
      let steps = 0;
      try {
        while (current >= 0) {
          if (++steps > MAX_PARSER_STEPS) {
            throw new PacketProcessingError(
              `parser '${name}' exceeded ${MAX_PARSER_STEPS} state transitions`,
            );
          }
          const st = states[current];
          if (s.tracing) s.note('trace', `parser state ${st.name}`);
          for (let i = 0; i < st.ops.length; i++) st.ops[i](s);
          if (!st.key) {
            current = st.defaultNext;
            continue;
          }
          const key = st.key(s);
          let next: number | undefined;
          for (let i = 0; i < st.transitions.length; i++) {
            next = st.transitions[i](key, s);
            if (next !== undefined) break;
          }
          current = next ?? st.defaultNext;
        }
      } catch (e) {
        if (!(e instanceof ParserError)) throw e;
        s.parserError = e.code;
        if (s.tracing) s.note('trace', `parser error ${this.errors.byValue.get(e.code) ?? e.code}`);
      }
      for (const v of verifiers) {
        if (!v(s)) s.checksumError = true;
      }
    };
    return { name, parse, verifiers };
  }

  private compileState(node: JsonNode, resolve: (n: JsonNode) => number): CompiledState {
    const name = node.req('name').str();
    const ops = node.list('parser_ops').map((op) => this.compileOp(op));
    const keyNodes = node.list('transition_key');
    const key = keyNodes.length > 0 ? this.compileKey(keyNodes) : undefined;
    const transitions: Transition[] = [];
    let defaultNext = -1;
    for (const t of node.list('transitions')) {
      let type = t.has('type') ? t.req('type').str() : 'hexstr';
      if (type === 'hexstr' && t.get('value').value === 'default') type = 'default';
      const next = resolve(t.req('next_state'));
      if (type === 'default') {
        defaultNext = next;
        // Transitions after a default are unreachable in bmv2 only if the default is last; bmv2 keeps
        // trying listed cases first, so keep collecting.
        continue;
      }
      if (!key) return t.fail(`state '${name}' has a '${type}' transition but no transition_key`);
      if (type === 'hexstr') transitions.push(this.compileValueTransition(t, key, next));
      else if (type === 'parse_vset') transitions.push(this.compileVsetTransition(t, key, next));
      else t.fail(`unsupported transition type '${type}'`);
    }
    return { name, ops, key: key?.build, transitions, defaultNext };
  }

  // -- parser operations ---------------------------------------------------------------------------

  private compileOp(node: JsonNode): Effect {
    const op = node.req('op').str();
    const params = node.list('parameters');
    switch (op) {
      case 'extract':
        if (params.length !== 1) node.fail(`'extract' expects 1 parameter, got ${params.length}`);
        return this.extract(params[0], undefined);
      case 'extract_VL': {
        if (params.length !== 2) node.fail(`'extract_VL' expects 2 parameters, got ${params.length}`);
        if (params[1].req('type').str() !== 'expression')
          params[1].fail("extract_VL length must be of type 'expression'");
        const len = this.ctx.expr.data(params[1]);
        return this.extract(params[0], len);
      }
      case 'set':
        if (params.length !== 2) node.fail(`'set' expects 2 parameters, got ${params.length}`);
        return this.set(params[0], params[1]);
      case 'verify':
        if (params.length !== 2) node.fail(`'verify' expects 2 parameters, got ${params.length}`);
        return this.verify(params[0], params[1]);
      case 'primitive':
        if (params.length !== 1) node.fail(`'primitive' expects 1 parameter, got ${params.length}`);
        return this.actions.compileStandalone(params[0]);
      case 'shift': {
        if (params.length !== 1) node.fail(`'shift' expects 1 parameter, got ${params.length}`);
        const bytes = params[0].int();
        const tooShort = this.errors.code('PacketTooShort');
        return (s) => {
          if (s.data.length - s.payloadStart < bytes) throw new ParserError(tooShort);
          s.payloadStart += bytes;
        };
      }
      case 'advance':
        if (params.length !== 1) node.fail(`'advance' expects 1 parameter, got ${params.length}`);
        return this.advance(params[0]);
      default:
        return node.fail(`unsupported parser operation '${op}'`);
    }
  }

  /** extract / extract_VL into a header, the next element of a stack, or a union stack member. */
  private extract(target: JsonNode, vlLength: DataNode | undefined): Effect {
    const type = target.req('type').str();
    const value = target.req('value');
    const layout = this.ctx.layout;
    const outOfBounds = this.errors.code('StackOutOfBounds');
    if (type === 'regular') {
      const h = layout.header(value, value.str());
      const ex = this.headerExtractor(target, h, vlLength);
      return (s) => ex(s, h.index);
    }
    if (type === 'stack') {
      const stack = layout.stack(value, value.str());
      const elements = Int32Array.from(stack.elements);
      const si = stack.index;
      const extractors = stack.elements.map((e) => this.headerExtractor(target, layout.headers[e], vlLength));
      return (s) => {
        const next = s.stackNext[si];
        if (next >= elements.length) throw new ParserError(outOfBounds);
        extractors[next](s, elements[next]);
        s.stackNext[si] = next + 1;
      };
    }
    if (type === 'union_stack') {
      const stack = layout.unionStack(value, value.at(0).str());
      const member = stack.type.memberNames.indexOf(value.at(1).str());
      if (member < 0) value.fail(`union type '${stack.type.name}' has no member '${value.at(1).str()}'`);
      const headers = stack.elements.map((u) => layout.unions[u].members[member]);
      const extractors = headers.map((h) => this.headerExtractor(target, layout.headers[h], vlLength));
      const si = stack.index;
      return (s) => {
        const next = s.unionStackNext[si];
        if (next >= headers.length) throw new ParserError(outOfBounds);
        extractors[next](s, headers[next]);
        s.unionStackNext[si] = next + 1;
      };
    }
    return target.fail(`unsupported extract target type '${type}'`);
  }

  /**
   * Returns a function extracting header `h` at the current position. For VL headers, the width comes
   * from `vlLength` (extract_VL) or from the header type's `length_exp` (plain extract).
   */
  private headerExtractor(
    where: JsonNode,
    h: HeaderInfo,
    vlLength: DataNode | undefined,
  ): (s: PacketState, idx: number) => void {
    const ops = this.ctx.headerOps;
    const type = h.type;
    const fields = type.fields;
    const tooShort = this.errors.code('PacketTooShort');
    const headerTooShort = this.errors.code('HeaderTooShort');
    const invalidArg = this.errors.code('ParserInvalidArgument');
    if (type.vlField < 0) {
      if (vlLength) where.fail(`extract_VL on header '${h.name}' which has no variable-length field`);
      const nbytes = type.fixedBits >> 3;
      const numBase = h.numBase;
      const bigBase = h.bigBase;
      return (s, idx) => {
        const pos = s.payloadStart;
        if (s.data.length - pos < nbytes) throw new ParserError(tooShort);
        let bit = pos * 8;
        const data = s.data;
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i];
          if (f.repr === 'num') {
            const v = readBitsNum(data, bit, f.width);
            s.num[numBase + f.poolOffset] = f.signed && v >= 2 ** (f.width - 1) ? v - 2 ** f.width : v;
          } else {
            const v = readBitsBig(data, bit, f.width);
            s.big[bigBase + f.poolOffset] = f.signed ? BigInt.asIntN(f.width, v) : v;
          }
          bit += f.width;
        }
        s.payloadStart = pos + nbytes;
        ops.markValid(s, idx);
      };
    }
    // Variable-length header.
    let lengthFn: ((s: PacketState) => bigint) | undefined;
    let lengthAfterPrefix = false;
    if (vlLength) {
      lengthFn = asBig(vlLength);
    } else {
      if (!type.lengthExp) {
        where.fail(`cannot 'extract' VL header '${h.name}' without a length expression; use 'extract_VL'`);
      }
      // length_exp refers to the header's own fields as `local` operands, read once they are extracted.
      const expr = this.ctx.expr.withEnv({
        ...this.ctx.expr.env,
        locals: undefined,
        localField: (node, i) => {
          const f = type.fields[i];
          if (!f || f.vl)
            return node.fail(`length_exp refers to invalid field offset ${i} of '${type.name}'`);
          return this.ctx.expr.fieldLvalue(new JsonNode([h.name, f.name], node.path)).read;
        },
      });
      lengthFn = asBig(expr.data(type.lengthExp));
      lengthAfterPrefix = true;
    }
    const maxBytes = type.maxLengthBytes;
    const fixedBytes = type.fixedBits >> 3;
    const vlIndex = type.vlField;
    const numBase = h.numBase;
    const bigBase = h.bigBase;
    const readPrefix = (s: PacketState, startBit: number, upTo: number): number => {
      let bit = startBit;
      for (let i = 0; i < upTo; i++) {
        const f = fields[i];
        if (f.repr === 'num') {
          const v = readBitsNum(s.data, bit, f.width);
          s.num[numBase + f.poolOffset] = f.signed && v >= 2 ** (f.width - 1) ? v - 2 ** f.width : v;
        } else {
          const v = readBitsBig(s.data, bit, f.width);
          s.big[bigBase + f.poolOffset] = f.signed ? BigInt.asIntN(f.width, v) : v;
        }
        bit += f.width;
      }
      return bit;
    };
    return (s, idx) => {
      const pos = s.payloadStart;
      if (lengthAfterPrefix) {
        // Prefix fields must be present before the length can be computed.
        let prefixBits = 0;
        for (let i = 0; i < vlIndex; i++) prefixBits += fields[i].width;
        if ((s.data.length - pos) * 8 < prefixBits) throw new ParserError(tooShort);
        readPrefix(s, pos * 8, vlIndex);
      }
      const nbitsBig = lengthFn(s);
      if (nbitsBig < 0n || nbitsBig % 8n !== 0n) throw new ParserError(invalidArg);
      const nbits = Number(nbitsBig);
      const total = fixedBytes + nbits / 8;
      if (s.data.length - pos < total) throw new ParserError(tooShort);
      if (maxBytes !== 0 && maxBytes < total) throw new ParserError(headerTooShort);
      let bit = readPrefix(s, pos * 8, vlIndex);
      s.big[bigBase + fields[vlIndex].poolOffset] = readBitsBig(s.data, bit, nbits);
      s.vlBits[idx] = nbits;
      bit += nbits;
      for (let i = vlIndex + 1; i < fields.length; i++) {
        const f = fields[i];
        if (f.repr === 'num') {
          const v = readBitsNum(s.data, bit, f.width);
          s.num[numBase + f.poolOffset] = f.signed && v >= 2 ** (f.width - 1) ? v - 2 ** f.width : v;
        } else {
          const v = readBitsBig(s.data, bit, f.width);
          s.big[bigBase + f.poolOffset] = f.signed ? BigInt.asIntN(f.width, v) : v;
        }
        bit += f.width;
      }
      s.payloadStart = pos + total;
      ops.markValid(s, idx);
    };
  }

  private set(dst: JsonNode, src: JsonNode): Effect {
    if (dst.req('type').str() !== 'field') dst.fail("parser 'set' destination must be a field");
    const lv = this.ctx.expr.lvalue(dst);
    const srcType = src.req('type').str();
    if (srcType === 'lookahead') {
      const offset = src.req('value').at(0).int();
      const width = src.req('value').at(1).int();
      const nbytes = bytesForBits(width);
      const tooShort = this.errors.code('PacketTooShort');
      const read = lookaheadNode(offset, width);
      const assign = lv.assignNode(read);
      // bmv2 only checks that `nbytes` bytes remain from the current position (the offset is not counted).
      return (s) => {
        if (s.data.length - s.payloadStart < nbytes) throw new ParserError(tooShort);
        assign(s);
      };
    }
    if (srcType === 'field' && lv.vl) {
      const srcLv = this.ctx.expr.lvalue(src);
      if (!srcLv.vlRef || !lv.vlRef)
        return src.fail('set between variable-length fields needs two VL fields');
      const { header: dh, slot: ds } = lv.vlRef;
      const { header: sh, slot: ss } = srcLv.vlRef;
      return (s) => {
        s.vlBits[dh(s)] = s.vlBits[sh(s)];
        s.big[ds(s)] = s.big[ss(s)];
      };
    }
    if (srcType !== 'field' && srcType !== 'hexstr' && srcType !== 'expression') {
      src.fail(`unsupported parser 'set' source type '${srcType}'`);
    }
    return lv.assignJson(src);
  }

  private verify(condNode: JsonNode, errNode: JsonNode): Effect {
    const cond = this.ctx.expr.bool(condNode).fn;
    let errFn: (s: PacketState) => number;
    if (typeof errNode.value === 'number') {
      const code = errNode.int();
      if (!this.errors.byValue.has(code)) errNode.fail(`unknown error code ${code} in verify`);
      errFn = () => code;
    } else {
      const e = this.ctx.expr.data(errNode);
      const f = asNum(wrapMod(e, 31));
      errFn = f;
    }
    return (s) => {
      if (!cond(s)) throw new ParserError(errFn(s));
    };
  }

  private advance(param: JsonNode): Effect {
    const type = param.req('type').str();
    if (type !== 'hexstr' && type !== 'field' && type !== 'expression') {
      param.fail(`unsupported advance parameter type '${type}'`);
    }
    const amount = asBig(this.ctx.expr.data(param));
    const invalidArg = this.errors.code('ParserInvalidArgument');
    const tooShort = this.errors.code('PacketTooShort');
    return (s) => {
      const bits = amount(s);
      if (bits < 0n || bits % 8n !== 0n) throw new ParserError(invalidArg);
      const bytes = Number(bits / 8n);
      if (s.data.length - s.payloadStart < bytes) throw new ParserError(tooShort);
      s.payloadStart += bytes;
    };
  }

  // -- select keys and transitions -----------------------------------------------------------------

  private compileKey(nodes: readonly JsonNode[]): SelectKey {
    const layout = this.ctx.layout;
    const parts: { width: number; read: (s: PacketState) => bigint | number }[] = nodes.map((n) => {
      const type = n.req('type').str();
      const value = n.req('value');
      switch (type) {
        case 'field': {
          const lv = this.ctx.expr.lvalue(n);
          return { width: lv.width, read: unsignedReader(lv.read, lv.width) };
        }
        case 'stack_field': {
          const lv = this.ctx.expr.lvalue(n);
          return { width: lv.width, read: unsignedReader(lv.read, lv.width) };
        }
        case 'union_stack_field': {
          const stack = layout.unionStack(value, value.at(0).str());
          const member = stack.type.memberNames.indexOf(value.at(1).str());
          if (member < 0) value.fail(`union type '${stack.type.name}' has no member '${value.at(1).str()}'`);
          const htype = stack.type.memberTypes[member];
          const fi = htype.fieldIndex.get(value.at(2).str());
          if (fi === undefined)
            return value.fail(`header type '${htype.name}' has no field '${value.at(2).str()}'`);
          const f = htype.fields[fi];
          const headers = stack.elements.map((u) => layout.headers[layout.unions[u].members[member]]);
          const si = stack.index;
          const name = stack.name;
          return {
            width: f.width,
            read: (s: PacketState) => {
              const next = s.unionStackNext[si];
              if (next === 0)
                throw new PacketProcessingError(`select on the last element of empty union stack '${name}'`);
              const h = headers[next - 1];
              const v =
                f.repr === 'num' ? BigInt(s.num[h.numBase + f.poolOffset]) : s.big[h.bigBase + f.poolOffset];
              return BigInt.asUintN(f.width, v);
            },
          };
        }
        case 'lookahead': {
          const offset = value.at(0).int();
          const width = value.at(1).int();
          const node = lookaheadNode(offset, width);
          return { width, read: node.fn };
        }
        default:
          return n.fail(`unsupported transition key type '${type}'`);
      }
    });
    const widths = parts.map((p) => p.width);
    const total = widths.reduce((a, b) => a + b, 0);
    let build: (s: PacketState) => number | bigint;
    if (total <= 32) {
      if (parts.length === 1) {
        const r = parts[0].read;
        build = (s) => Number(r(s));
      } else {
        build = (s) => {
          let k = 0;
          for (let i = 0; i < parts.length; i++) k = k * 2 ** widths[i] + Number(parts[i].read(s));
          return k;
        };
      }
    } else {
      build = (s) => {
        let k = 0n;
        for (let i = 0; i < parts.length; i++) k = (k << BigInt(widths[i])) | BigInt(parts[i].read(s));
        return k;
      };
    }
    return { widths, total, build };
  }

  /** Converts a byte-padded JSON transition value/mask into the packed (unpadded) key layout. */
  private packPadded(node: JsonNode, key: SelectKey, text: string): { value: bigint; overflow: boolean } {
    const expected = key.widths.reduce((a, w) => a + bytesForBits(w), 0);
    if (hexstrByteLength(text) !== expected) {
      node.fail(
        `transition value/mask has ${hexstrByteLength(text)} bytes, expected ${expected} for the key widths [${key.widths.join(', ')}]`,
      );
    }
    let raw: bigint;
    try {
      raw = parseHexstr(text);
    } catch (e) {
      return node.fail((e as Error).message);
    }
    let packed = 0n;
    let overflow = false;
    let remainingBits = expected * 8;
    for (const w of key.widths) {
      const slotBits = bytesForBits(w) * 8;
      remainingBits -= slotBits;
      const slot = (raw >> BigInt(remainingBits)) & maskBig(slotBits);
      if (slot > maskBig(w)) overflow = true;
      packed = (packed << BigInt(w)) | (slot & maskBig(w));
    }
    return { value: packed, overflow };
  }

  private compileValueTransition(t: JsonNode, key: SelectKey, next: number): Transition {
    const valueInfo = this.packPadded(t.req('value'), key, t.req('value').str());
    const maskNode = t.get('mask');
    let mask: bigint | undefined;
    let value = valueInfo.value;
    let never = false;
    if (!maskNode.isNull()) {
      const maskText = maskNode.str();
      const m = this.packPadded(maskNode, key, maskText);
      mask = m.value;
      // Padding bits set in value & mask can never match (the key's padding is zero).
      const rawV = parseHexstr(t.req('value').str());
      const rawM = parseHexstr(maskText);
      if (this.paddingBits(key, rawV & rawM)) never = true;
      value &= mask;
    } else if (valueInfo.overflow) {
      never = true;
    }
    if (never) return () => undefined;
    if (key.total <= 32) {
      const v = Number(value);
      if (mask === undefined) return (k) => (k === v ? next : undefined);
      const m = Number(mask);
      if (key.total <= 31) return (k) => (((k as number) & m) === v ? next : undefined);
      return (k) => (((k as number) & m) >>> 0 === v ? next : undefined);
    }
    if (mask === undefined) return (k) => (k === value ? next : undefined);
    const m = mask;
    return (k) => (((k as bigint) & m) === value ? next : undefined);
  }

  /** True when any padding bit (between a field's width and its byte boundary) is set in `raw`. */
  private paddingBits(key: SelectKey, raw: bigint): boolean {
    let remainingBits = key.widths.reduce((a, w) => a + bytesForBits(w) * 8, 0);
    for (const w of key.widths) {
      const slotBits = bytesForBits(w) * 8;
      remainingBits -= slotBits;
      const slot = (raw >> BigInt(remainingBits)) & maskBig(slotBits);
      if (slot > maskBig(w)) return true;
    }
    return false;
  }

  private compileVsetTransition(t: JsonNode, key: SelectKey, next: number): Transition {
    const name = t.req('value').str();
    const vs = this.valueSetIndex(t.req('value'), name, key.widths);
    if (vs.bitwidth !== key.total) {
      t.fail(`value set '${name}' is ${vs.bitwidth} bits wide but the select key is ${key.total} bits`);
    }
    const maskNode = t.get('mask');
    const index = vs.index;
    if (maskNode.isNull()) {
      return (k, s) => (s.rt.valueSets[index].contains(k) ? next : undefined);
    }
    // bmv2 checks the mask width against the value set's compressed width (byte-padded as a whole).
    const text = maskNode.str();
    const expected = bytesForBits(vs.bitwidth);
    if (hexstrByteLength(text) !== expected) {
      maskNode.fail(`value set mask has ${hexstrByteLength(text)} bytes, expected ${expected}`);
    }
    const mask = this.packPadded(maskNode, key, text.length > 0 ? text : '0x00').value;
    return (k, s) => (s.rt.valueSets[index].containsMasked(k, mask) ? next : undefined);
  }
}

interface SelectKey {
  readonly widths: readonly number[];
  readonly total: number;
  readonly build: (s: PacketState) => number | bigint;
}

/** Reads a key element as an unsigned value of its width (signed fields are taken in two's complement). */
function unsignedReader(n: DataNode, width: number): (s: PacketState) => number | bigint {
  if (n.min >= 0n) return n.fn;
  if (n.kind === 'num' && width <= 32) {
    const f = n.fn;
    const full = 2 ** width;
    return (s) => {
      const v = f(s);
      return v < 0 ? v + full : v;
    };
  }
  const f = asBig(n);
  return (s) => BigInt.asUintN(width, f(s));
}

/** Data node peeking `width` bits at bit `offset` from the current parse position (0 past the end). */
function lookaheadNode(offset: number, width: number): DataNode {
  if (width <= 32)
    return numNode((s) => readBitsNum(s.data, s.payloadStart * 8 + offset, width), 0n, maskBig(width));
  return bigNode((s) => readBitsBig(s.data, s.payloadStart * 8 + offset, width), 0n, maskBig(width));
}
