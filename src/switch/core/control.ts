/**
 * Compiles bmv2 `pipelines` (ingress/egress controls): action profiles, tables, conditionals and action
 * calls, wired by name into an array of nodes. A pipeline runs node after node until a node has no
 * successor, stopping early when the packet is marked for `exit` (checked before each node, as bmv2 does).
 */
import type { ActionDef } from './actions.js';
import { bytesForBits, hexstrByteLength, isNumWidth, maskBig, parseHexstr, type Value } from './bits.js';
import { type CalculationDef, checkAlgorithm, compileInputs } from './calculation.js';
import type { CompileContext, CounterDef, MeterDef } from './context.js';
import type { Effect } from './data-nodes.js';
import { PacketProcessingError } from './errors.js';
import { JsonNode } from './json-reader.js';
import type { ActionProfileDef } from './profiles.js';
import type { PacketState } from './state.js';
import {
  BMV2_MAX_PRIORITY,
  type ConstEntryDef,
  type DefaultEntryDef,
  type DirectMeterBinding,
  type KeyFieldDef,
  type MatchFieldValue,
  type MatchKind,
  type TableDef,
} from './tables.js';

export interface CompiledPipeline {
  readonly name: string;
  /** Runs the control on the packet. */
  apply(s: PacketState): void;
}

/** Program-wide registries the pipeline compiler fills and reads. */
export interface PipelineRegistry {
  readonly actionsById: ReadonlyMap<number, ActionDef>;
  readonly tables: TableDef[];
  readonly profiles: ActionProfileDef[];
  readonly calculations: CalculationDef[];
  readonly counters: readonly CounterDef[];
  readonly meters: readonly MeterDef[];
}

type NodeFn = (s: PacketState) => number;

const MAX_CONTROL_STEPS = 100_000;

export class PipelineCompiler {
  constructor(
    private readonly ctx: CompileContext,
    private readonly reg: PipelineRegistry,
  ) {}

  compile(node: JsonNode): CompiledPipeline {
    const name = node.req('name').str();
    const profilesByName = new Map<string, ActionProfileDef>();
    for (const p of node.list('action_profiles')) {
      const def = this.compileProfile(p);
      profilesByName.set(def.name, def);
    }
    // Node indices by name: tables, then conditionals, then action calls.
    const tableNodes = node.list('tables');
    const condNodes = node.list('conditionals');
    const callNodes = node.list('action_calls');
    const indexByName = new Map<string, number>();
    const all = [...tableNodes, ...condNodes, ...callNodes];
    all.forEach((n, i) => {
      const nname = n.req('name').str();
      if (indexByName.has(nname)) n.fail(`duplicate control node name '${nname}' in pipeline '${name}'`);
      indexByName.set(nname, i);
    });
    const resolve = (n: JsonNode): number => {
      if (n.isNull()) return -1;
      const idx = indexByName.get(n.str());
      if (idx === undefined) return n.fail(`unknown control node '${n.str()}'`);
      return idx;
    };
    const fns: NodeFn[] = [];
    for (const t of tableNodes) {
      const def = this.compileTable(t, resolve, profilesByName);
      const ti = def.index;
      fns.push((s) => s.rt.tables[ti].apply(s));
    }
    for (const c of condNodes) fns.push(this.compileConditional(c, resolve));
    for (const a of callNodes) fns.push(this.compileActionCall(a, resolve));
    const initNode = node.get('init_table');
    const init = initNode.isNull() ? -1 : resolve(initNode);
    return {
      name,
      apply: (s) => {
        let current = init;
        let steps = 0;
        while (current >= 0) {
          if (s.exit) break;
          if (++steps > MAX_CONTROL_STEPS)
            throw new PacketProcessingError(`pipeline '${name}' exceeded ${MAX_CONTROL_STEPS} steps`);
          current = fns[current](s);
        }
      },
    };
  }

  private compileProfile(node: JsonNode): ActionProfileDef {
    const name = node.req('name').str();
    const index = this.reg.profiles.length;
    let selector: ActionProfileDef['selector'];
    if (node.has('selector')) {
      const sel = node.req('selector');
      const algo = sel.req('algo').str();
      checkAlgorithm(sel.get('algo'), algo);
      const inputs = sel.req('input').items();
      for (const inp of inputs) {
        if (inp.req('type').str() !== 'field') inp.fail("selector inputs must be of type 'field'");
      }
      const calc = this.addCalculation(`${name}$selector`, algo, inputs);
      selector = { calculation: calc.index, algorithm: algo };
    }
    const def: ActionProfileDef = {
      name,
      jsonId: node.req('id').int(),
      index,
      maxSize: node.has('max_size') ? node.req('max_size').int() : 0,
      selector,
      actions: new Map(),
    };
    this.reg.profiles.push(def);
    return def;
  }

  private addCalculation(name: string, algorithm: string, inputs: readonly JsonNode[]): CalculationDef {
    const index = this.reg.calculations.length;
    const input = compileInputs(this.ctx.layout, inputs);
    const calc: CalculationDef = {
      name,
      index,
      algorithm,
      input,
      output: (s) => s.rt.hashes[index].compute(input(s)),
    };
    this.reg.calculations.push(calc);
    return calc;
  }

  private compileKeyField(node: JsonNode): KeyFieldDef {
    const layout = this.ctx.layout;
    const mt = node.req('match_type').str();
    if (mt !== 'exact' && mt !== 'lpm' && mt !== 'ternary' && mt !== 'range' && mt !== 'valid') {
      node.fail(`unsupported key match type '${mt}'`);
    }
    const matchKind = mt as MatchKind;
    const target = node.req('target');
    if (matchKind === 'valid') {
      const h = layout.header(target, target.str());
      const name = node.strOpt('name') ?? h.name;
      const hi = h.index;
      const read = h.metadata ? () => 1 : (s: PacketState) => s.valid[hi];
      return { name, matchKind, width: 1, read };
    }
    const headerName = target.at(0).str();
    const fieldName = target.at(1).str();
    const name = node.strOpt('name') ?? `${headerName}.${fieldName}`;
    let width: number;
    let raw: (s: PacketState) => number | bigint;
    if (fieldName === '$valid$') {
      const hi = layout.header(target, headerName).index;
      width = 1;
      raw = (s) => s.valid[hi];
    } else {
      const lv = this.ctx.expr.lvalue(fieldTypeValue(target.value, target.path));
      if (lv.vl) target.fail('variable-length fields cannot be table keys');
      width = lv.width;
      const ref = layout.field(target, headerName, fieldName);
      const h = ref.header;
      const slot = layout.slot(ref);
      const f = ref.field;
      const full = 2 ** width;
      if (f.repr === 'num') {
        raw = h.metadata
          ? (s) => {
              const v = s.num[slot];
              return v < 0 ? v + full : v;
            }
          : (s) => {
              if (s.valid[h.index] !== 1) return 0;
              const v = s.num[slot];
              return v < 0 ? v + full : v;
            };
      } else {
        raw = h.metadata
          ? (s) => BigInt.asUintN(width, s.big[slot])
          : (s) => (s.valid[h.index] === 1 ? BigInt.asUintN(width, s.big[slot]) : 0n);
      }
    }
    const maskNode = node.get('mask');
    if (maskNode.isNull()) return { name, matchKind, width, read: raw };
    const text = maskNode.str();
    if (hexstrByteLength(text) !== bytesForBits(width)) {
      maskNode.fail(`key mask has ${hexstrByteLength(text)} bytes, expected ${bytesForBits(width)}`);
    }
    const mask = parseHexstr(text) & maskBig(width);
    if (isNumWidth(width)) {
      const m = Number(mask);
      const r = raw as (s: PacketState) => number;
      return { name, matchKind, width, read: (s) => (r(s) & m) >>> 0 };
    }
    const r = raw as (s: PacketState) => bigint;
    return { name, matchKind, width, read: (s) => r(s) & mask };
  }

  private compileTable(
    node: JsonNode,
    resolve: (n: JsonNode) => number,
    profiles: ReadonlyMap<string, ActionProfileDef>,
  ): TableDef {
    const name = node.req('name').str();
    const index = this.reg.tables.length;
    const keyNodes = node.list('key');
    if (keyNodes.filter((k) => k.get('match_type').value === 'lpm').length > 1) {
      node.fail(`table '${name}' has more than one lpm key field`);
    }
    const keys = keyNodes.map((k) => this.compileKeyField(k));
    const mt = node.req('match_type').str();
    if (mt !== 'exact' && mt !== 'lpm' && mt !== 'ternary' && mt !== 'range')
      node.fail(`unsupported table match type '${mt}'`);
    const matchType = mt as TableDef['matchType'];
    for (const k of keys) {
      const ok =
        k.matchKind === 'exact' || k.matchKind === 'valid'
          ? true
          : k.matchKind === 'lpm'
            ? matchType !== 'exact'
            : k.matchKind === 'ternary'
              ? matchType === 'ternary' || matchType === 'range'
              : matchType === 'range';
      if (!ok)
        node.fail(
          `table '${name}' of match type '${matchType}' has a '${k.matchKind}' key field '${k.name}'`,
        );
    }
    const type = node.req('type').str();
    let implementation: TableDef['implementation'];
    let profile: ActionProfileDef | undefined;
    if (type === 'simple') implementation = 'direct';
    else if (type === 'indirect' || type === 'indirect_ws') {
      if (!node.has('action_profile')) {
        node.fail(
          `indirect table '${name}' needs an 'action_profile' attribute (the old 'act_prof_name' format is not supported)`,
        );
      }
      const pname = node.req('action_profile').str();
      profile = profiles.get(pname);
      if (!profile) return node.fail(`table '${name}' refers to unknown action profile '${pname}'`);
      implementation = type === 'indirect_ws' ? 'selector' : 'profile';
      if (implementation === 'selector' && !profile.selector) {
        node.fail(`table '${name}' is 'indirect_ws' but action profile '${pname}' has no selector`);
      }
    } else {
      return node.fail(`unsupported table type '${type}'`);
    }
    // Actions.
    const actionIds = node.has('action_ids')
      ? node
          .req('action_ids')
          .items()
          .map((n) => n.int())
      : undefined;
    const actionNames = node.list('actions').map((n) => n.str());
    const actions: ActionDef[] = [];
    if (actionIds) {
      for (const id of actionIds) {
        const a = this.reg.actionsById.get(id);
        if (!a) return node.fail(`table '${name}' refers to unknown action id ${id}`);
        actions.push(a);
      }
    } else {
      for (const n of actionNames) {
        const a = [...this.reg.actionsById.values()].find((x) => x.name === n);
        if (!a) return node.fail(`table '${name}' refers to unknown action '${n}'`);
        actions.push(a);
      }
    }
    if (profile) {
      for (const a of actions) {
        const list = profile.actions.get(a.name) ?? [];
        if (!list.includes(a)) list.push(a);
        profile.actions.set(a.name, list);
      }
    }
    // Next nodes.
    const next = node.req('next_tables');
    const nextKeys = next.keys();
    let hitMiss: TableDef['hitMiss'];
    const nextByAction = new Map<number, number>();
    if (nextKeys.includes('__HIT__') || nextKeys.includes('__MISS__')) {
      if (!(nextKeys.includes('__HIT__') && nextKeys.includes('__MISS__') && nextKeys.length === 2)) {
        next.fail(`table '${name}' must have both '__HIT__' and '__MISS__' and no other next_tables keys`);
      }
      hitMiss = { hit: resolve(next.get('__HIT__')), miss: resolve(next.get('__MISS__')) };
    } else {
      if (nextKeys.length !== actions.length) {
        next.fail(
          `table '${name}' should have ${actions.length} next_tables keys (one per action), found ${nextKeys.length}`,
        );
      }
      for (const a of actions) {
        if (!nextKeys.includes(a.name))
          next.fail(`table '${name}' has no next_tables entry for action '${a.name}'`);
        nextByAction.set(a.jsonId, resolve(next.get(a.name)));
      }
    }
    let baseDefaultNext = -1;
    if (node.has('base_default_next')) baseDefaultNext = resolve(node.get('base_default_next'));
    else if (hitMiss) baseDefaultNext = hitMiss.miss;
    // Direct resources.
    const withCounters = node.boolOr('with_counters', false);
    const directCounter = this.reg.counters.find((c) => c.direct && c.binding === name);
    if (directCounter && !withCounters)
      node.fail(
        `direct counter '${directCounter.name}' is bound to table '${name}' which has with_counters = false`,
      );
    let directMeter: DirectMeterBinding | undefined;
    const dmNode = node.get('direct_meters');
    if (!dmNode.isNull()) {
      const mname = dmNode.str();
      const m = this.reg.meters.find((x) => x.name === mname);
      if (!m?.direct) return dmNode.fail(`table '${name}' refers to unknown direct meter '${mname}'`);
      if (!m.resultTarget) return dmNode.fail(`direct meter '${mname}' has no result_target`);
      const lv = this.ctx.expr.lvalue(
        fieldTypeValue([m.resultTarget.header.name, m.resultTarget.field.name], dmNode.path),
      );
      directMeter = {
        unit: m.unit,
        rateCount: m.rateCount,
        name: m.name,
        store: (s, color) => lv.store(s, color),
      };
    }
    // Default entry.
    let initialDefault: DefaultEntryDef | undefined;
    if (node.has('default_entry')) {
      const de = node.req('default_entry');
      const aid = de.req('action_id').int();
      const action = actions.find((a) => a.jsonId === aid) ?? this.reg.actionsById.get(aid);
      if (!action) return de.fail(`unknown default action id ${aid}`);
      const actionConst = de.boolOr('action_const', false);
      if (type !== 'simple' && actionConst)
        de.fail(`table '${name}' is not 'simple', so action_const makes no sense`);
      if (!de.has('action_data')) de.fail(`default_entry of table '${name}' needs 'action_data'`);
      const args = parseActionData(de.req('action_data'), action);
      const entryConst = de.boolOr('action_entry_const', false);
      if (type === 'simple') initialDefault = { action, args, actionConst, entryConst };
      else de.fail(`default_entry on indirect table '${name}' is not supported`);
    }
    // Const entries.
    let constEntries: ConstEntryDef[] | undefined;
    if (node.has('entries')) {
      if (type !== 'simple') node.fail(`table '${name}' is not 'simple' and cannot have 'entries'`);
      const needsPriority = matchType === 'ternary' || matchType === 'range';
      constEntries = node
        .req('entries')
        .items()
        .map((en) => {
          const match = this.parseMatchKey(en.req('match_key'), keyNodes, keys);
          const ae = en.req('action_entry');
          const aid = ae.req('action_id').int();
          const action = actions.find((a) => a.jsonId === aid);
          if (!action) return ae.fail(`action id ${aid} is not an action of table '${name}'`);
          const args = parseActionData(ae.req('action_data'), action);
          const jsonPriority = en.has('priority') ? en.req('priority').int() : 0;
          const priority = needsPriority ? BMV2_MAX_PRIORITY - jsonPriority : 0;
          return { match, priority, action, args };
        });
    }
    const maxSize = node.has('entries')
      ? node.req('entries').items().length
      : node.has('max_size')
        ? node.req('max_size').int()
        : -1;
    if (maxSize < 0) node.fail(`table '${name}' has neither 'max_size' nor 'entries'`);
    const selectorHash = profile?.selector
      ? this.reg.calculations[profile.selector.calculation].output
      : undefined;
    const def: TableDef = {
      name,
      jsonId: node.req('id').int(),
      index,
      matchType,
      implementation,
      profile: profile?.index,
      maxSize,
      withCounters,
      supportTimeout: node.boolOr('support_timeout', false),
      directMeter,
      keys,
      actions,
      nextByAction,
      hitMiss,
      baseDefaultNext,
      initialDefault,
      constEntries,
      selectorHash,
    };
    this.reg.tables.push(def);
    return def;
  }

  /** Parses a JSON const entry key (bmv2 match-action entry format). */
  private parseMatchKey(
    node: JsonNode,
    keyNodes: readonly JsonNode[],
    keys: readonly KeyFieldDef[],
  ): MatchFieldValue[] {
    const items = node.items();
    if (items.length !== keys.length)
      node.fail(`match key has ${items.length} fields, the table has ${keys.length}`);
    return items.map((it, i): MatchFieldValue => {
      const k = keys[i];
      const mt = it.req('match_type').str();
      const expected = keyNodes[i].req('match_type').str();
      if (mt !== expected) it.fail(`match type '${mt}' differs from the table key's '${expected}'`);
      const width = k.width;
      const hex = (n: JsonNode): bigint => {
        const text = n.str();
        if (hexstrByteLength(text) !== bytesForBits(width)) {
          n.fail(`value has ${hexstrByteLength(text)} bytes, expected ${bytesForBits(width)}`);
        }
        try {
          // bmv2 clears the padding bits of the first byte.
          return parseHexstr(text) & maskBig(width);
        } catch (e) {
          return n.fail((e as Error).message);
        }
      };
      switch (mt) {
        case 'valid':
          return { kind: 'valid', value: it.req('key').bool() };
        case 'exact':
          return { kind: 'exact', value: hex(it.req('key')) };
        case 'lpm': {
          const plen = it.req('prefix_length').int();
          const pad = bytesForBits(width) * 8 - width;
          const eff = Math.max(0, Math.min(width, plen - pad));
          const mask = eff === 0 ? 0n : maskBig(width) ^ maskBig(width - eff);
          return { kind: 'lpm', value: hex(it.req('key')) & mask, prefixLength: plen };
        }
        case 'ternary': {
          const mask = hex(it.req('mask'));
          return { kind: 'ternary', value: hex(it.req('key')) & mask, mask };
        }
        case 'range':
          return { kind: 'range', low: hex(it.req('start')), high: hex(it.req('end')) };
        default:
          return it.fail(`unsupported match type '${mt}' in const entry`);
      }
    });
  }

  private compileConditional(node: JsonNode, resolve: (n: JsonNode) => number): NodeFn {
    if (!node.has('true_next') && !node.has('false_next')) {
      node.fail("a conditional needs 'true_next' and/or 'false_next'");
    }
    const cond = this.ctx.expr.bool(node.req('expression')).fn;
    const t = resolve(node.get('true_next'));
    const f = resolve(node.get('false_next'));
    const name = node.req('name').str();
    return (s) => {
      const v = cond(s);
      if (s.tracing) s.note('trace', `condition ${name}: ${v}`);
      return v ? t : f;
    };
  }

  private compileActionCall(node: JsonNode, resolve: (n: JsonNode) => number): NodeFn {
    const aid = node.req('action_id').int();
    const action = this.reg.actionsById.get(aid);
    if (!action) return node.fail(`unknown action id ${aid}`);
    if (action.params.length > 0)
      node.fail(`action '${action.name}' called from a control expects parameters`);
    const next = resolve(node.get('next_node'));
    const run: Effect = action.run;
    const noArgs: readonly Value[] = [];
    return (s) => {
      s.args = noArgs;
      run(s);
      return next;
    };
  }
}

/** Parses hexstr action data, checking it fits the parameter widths (bmv2 stores it as given). */
function parseActionData(node: JsonNode, action: ActionDef): Value[] {
  const items = node.items();
  if (items.length !== action.params.length) {
    node.fail(`action '${action.name}' expects ${action.params.length} argument(s), got ${items.length}`);
  }
  return items.map((it, i) => {
    let v: bigint;
    try {
      v = parseHexstr(it.str());
    } catch (e) {
      return it.fail((e as Error).message);
    }
    const w = action.params[i].width;
    if (v < 0n || v > maskBig(w))
      it.fail(`argument ${v} does not fit parameter '${action.params[i].name}' of ${w} bits`);
    return isNumWidth(w) ? Number(v) : v;
  });
}

/** Wraps a `[header, field]` value into a `{type: 'field', value}` type-value node. */
function fieldTypeValue(value: unknown, path: string): JsonNode {
  return new JsonNode({ type: 'field', value }, path);
}
