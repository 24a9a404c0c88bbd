/**
 * Loads a bmv2 JSON document into a compiled, immutable {@link Program}: every expression, action, parser
 * state, table key and control node becomes a closure once, here. Anything the engine does not implement
 * is rejected with a {@link ConfigError} naming the construct and its JSON path.
 *
 * Load order follows bmv2's P4Objects::init_objects, except that field/learn lists and externs are read
 * before actions (actions only refer to them).
 */
import { ActionCompiler, type ActionDef } from './actions.js';
import { type CalculationDef, compileCalculation } from './calculation.js';
import type { CompileContext, CounterDef, FieldListDef, MeterDef, RegisterDef } from './context.js';
import { type CompiledPipeline, PipelineCompiler, type PipelineRegistry } from './control.js';
import {
  type CompiledChecksum,
  type CompiledDeparser,
  compileChecksum,
  compileDeparser,
} from './deparser.js';
import { ConfigError } from './errors.js';
import { ExprCompiler } from './expr.js';
import { HeaderOps } from './header-ops.js';
import { JsonNode } from './json-reader.js';
import { Layout, type StaticFieldRef } from './layout.js';
import { type CompiledParser, ErrorCodes, ParserCompiler } from './parser.js';
import type { PrimitiveSet } from './primitives.js';
import type { ActionProfileDef } from './profiles.js';
import type { TableDef } from './tables.js';
import type { ValueSetDef } from './value-sets.js';

/** bmv2 JSON format versions accepted (major 2, minor up to 24), as bmv2 itself checks. */
export const SUPPORTED_JSON_MAJOR = 2;
export const SUPPORTED_JSON_MAX_MINOR = 24;

const KNOWN_TOP_LEVEL = new Set([
  '__meta__',
  'program',
  'header_types',
  'headers',
  'header_stacks',
  'header_union_types',
  'header_unions',
  'header_union_stacks',
  'field_lists',
  'errors',
  'enums',
  'parsers',
  'parse_vsets',
  'deparsers',
  'meter_arrays',
  'counter_arrays',
  'register_arrays',
  'calculations',
  'learn_lists',
  'actions',
  'pipelines',
  'checksums',
  'force_arith',
  'extern_instances',
  'field_aliases',
  'config_options',
]);

/**
 * What an architecture adds to the core's loader: its primitives beside bm_sim's core ones, and the
 * fields it requires every program to have (bmv2's Switch::add_required_field, called by a target's
 * constructor). The core knows no architecture's field names.
 */
export interface ArchitectureSpec {
  /** Named in errors, e.g. "simple_switch". */
  readonly name: string;
  readonly primitives: PrimitiveSet;
  /** bmv2 field names ("header.field"), checked after loading. */
  readonly requiredFields: readonly string[];
}

/** No architecture: the core's primitives only, no required field. */
const CORE_ONLY: ArchitectureSpec = { name: 'the core', primitives: new Map(), requiredFields: [] };

export class Program {
  private constructor(
    readonly json: unknown,
    readonly layout: Layout,
    readonly errors: ErrorCodes,
    readonly enums: ReadonlyMap<string, ReadonlyMap<string, number>>,
    readonly headerOps: HeaderOps,
    readonly actions: readonly ActionDef[],
    readonly parsers: ReadonlyMap<string, CompiledParser>,
    readonly deparsers: ReadonlyMap<string, CompiledDeparser>,
    readonly pipelines: ReadonlyMap<string, CompiledPipeline>,
    readonly tables: readonly TableDef[],
    readonly profiles: readonly ActionProfileDef[],
    readonly counters: readonly CounterDef[],
    readonly meters: readonly MeterDef[],
    readonly registers: readonly RegisterDef[],
    readonly calculations: readonly CalculationDef[],
    readonly checksums: readonly CompiledChecksum[],
    readonly fieldLists: ReadonlyMap<number, FieldListDef>,
    readonly learnLists: ReadonlyMap<number, FieldListDef>,
    readonly valueSets: readonly ValueSetDef[],
    readonly configOptions: ReadonlyMap<string, string>,
    readonly programName: string | undefined,
  ) {}

  /** Slots (in each field's pool) of the fields of a field list, for fast copies. */
  fieldListSlots(list: FieldListDef): number[] {
    return list.fields.map((f) => this.layout.slot(f));
  }

  /**
   * Parses and compiles a bmv2 JSON document (a string or an already parsed object) for an
   * architecture (`../v1model/` loads with simple_switch's primitives and required fields).
   */
  static load(json: string | unknown, arch: ArchitectureSpec = CORE_ONLY): Program {
    let doc: unknown = json;
    if (typeof json === 'string') {
      try {
        doc = JSON.parse(json);
      } catch (e) {
        throw new ConfigError('$', `invalid JSON: ${(e as Error).message}`);
      }
    }
    const root = new JsonNode(doc, '$');
    if (!root.isObject()) root.fail('a bmv2 JSON document must be an object');
    checkVersion(root);
    for (const k of root.keys()) {
      if (!KNOWN_TOP_LEVEL.has(k)) root.get(k).fail(`unsupported top-level attribute '${k}'`);
    }
    const ext = root.list('extern_instances');
    if (ext.length > 0) {
      ext[0].fail(
        `extern instances are not supported (simple_switch registers no extern types; found type '${String(ext[0].get('type').value)}')`,
      );
    }

    const layout = new Layout(root);
    const errors = new ErrorCodes(root);
    const enums = readEnums(root);
    const headerOps = new HeaderOps(layout);

    // Externs referenced by name from actions.
    const registers: RegisterDef[] = root.list('register_arrays').map((r, index) => {
      const width = r.req('bitwidth').int();
      const size = r.req('size').int();
      if (width <= 0) r.fail(`register array '${r.req('name').str()}' has invalid bitwidth ${width}`);
      if (size < 0) r.fail(`register array has invalid size ${size}`);
      return { name: r.req('name').str(), jsonId: r.req('id').int(), size, width, index };
    });
    checkDuplicates(root, 'register_arrays', registers);
    let indirectCounters = 0;
    const counters: CounterDef[] = root.list('counter_arrays').map((c) => {
      const direct = c.boolOr('is_direct', false);
      // Direct counters live in table entries; p4c omits their size.
      const size = direct && !c.has('size') ? 0 : c.req('size').int();
      if (size < 0) c.fail(`counter array has invalid size ${size}`);
      return {
        name: c.req('name').str(),
        jsonId: c.req('id').int(),
        size,
        direct,
        binding: c.strOpt('binding'),
        index: direct ? -1 : indirectCounters++,
      };
    });
    checkDuplicates(root, 'counter_arrays', counters);
    const meters: MeterDef[] = root.list('meter_arrays').map((m, index) => {
      const unitText = m.req('type').str();
      if (unitText !== 'packets' && unitText !== 'bytes')
        m.get('type').fail(`invalid meter type '${unitText}'`);
      const unit: MeterDef['unit'] = unitText === 'bytes' ? 'bytes' : 'packets';
      const direct = m.boolOr('is_direct', false);
      let resultTarget: StaticFieldRef | undefined;
      if (direct) {
        const t = m.req('result_target');
        resultTarget = layout.field(t, t.at(0).str(), t.at(1).str());
      }
      const rateCount = m.req('rate_count').int();
      if (rateCount < 1 || rateCount > 2)
        m.get('rate_count').fail(`meters with ${rateCount} rates are not supported (1 or 2)`);
      return {
        name: m.req('name').str(),
        jsonId: m.req('id').int(),
        size: m.req('size').int(),
        unit,
        rateCount,
        direct,
        binding: m.strOpt('binding'),
        resultTarget,
        index,
      };
    });
    checkDuplicates(root, 'meter_arrays', meters);
    const calculations: CalculationDef[] = root
      .list('calculations')
      .map((c, i) => compileCalculation(layout, c, i));
    checkDuplicates(root, 'calculations', calculations);
    const fieldLists = readFieldLists(root, layout, 'field_lists');
    const learnLists = readFieldLists(root, layout, 'learn_lists');

    const expr = new ExprCompiler({
      layout,
      register: (node, name) => {
        const r = registers.find((x) => x.name === name);
        if (!r) return node.fail(`unknown register array '${name}'`);
        return r;
      },
    });
    const byName =
      <T extends { name: string }>(list: readonly T[], what: string) =>
      (node: JsonNode, name: string): T => {
        const x = list.find((e) => e.name === name);
        if (!x) return node.fail(`unknown ${what} '${name}'`);
        return x;
      };
    const ctx: CompileContext = {
      layout,
      expr,
      headerOps,
      counter: byName(counters, 'counter array'),
      meter: byName(meters, 'meter array'),
      register: byName(registers, 'register array'),
      calculation: byName(calculations, 'calculation'),
      fieldList: (node, id) => {
        const fl = fieldLists.get(id);
        if (!fl) return node.fail(`unknown field list id ${id}`);
        return fl;
      },
      learnList: (node, id) => {
        const ll = learnLists.get(id);
        if (!ll) return node.fail(`unknown learn list id ${id}`);
        return ll;
      },
    };

    const actionCompiler = new ActionCompiler(ctx, arch.primitives);
    const actions = root.list('actions').map((a) => actionCompiler.compileAction(a));
    const actionsById = new Map<number, ActionDef>();
    root.list('actions').forEach((a, i) => {
      if (actionsById.has(actions[i].jsonId)) a.fail(`duplicate action id ${actions[i].jsonId}`);
      actionsById.set(actions[i].jsonId, actions[i]);
    });

    // Value sets: widths are learned from the select keys that use them.
    const vsetNodes = root.list('parse_vsets');
    const valueSets: ValueSetDef[] = [];
    const vsetInfo = vsetNodes.map((v) => ({
      node: v,
      name: v.req('name').str(),
      jsonId: v.req('id').int(),
      bitwidth: v.req('compressed_bitwidth').int(),
      maxSize: v.has('max_size') ? v.req('max_size').int() : 0,
      fieldWidths: undefined as readonly number[] | undefined,
    }));
    const parserCompiler = new ParserCompiler(ctx, actionCompiler, errors, (node, name, widths) => {
      const idx = vsetInfo.findIndex((v) => v.name === name);
      if (idx < 0) return node.fail(`unknown parse value set '${name}'`);
      const info = vsetInfo[idx];
      if (info.fieldWidths && info.fieldWidths.join(',') !== widths.join(',')) {
        node.fail(`value set '${name}' is used with select keys of different widths`);
      }
      info.fieldWidths = widths;
      return { index: idx, bitwidth: info.bitwidth };
    });
    const parsers = new Map<string, CompiledParser>();
    for (const p of root.list('parsers')) {
      const compiled = parserCompiler.compile(p);
      if (parsers.has(compiled.name)) p.fail(`duplicate parser '${compiled.name}'`);
      parsers.set(compiled.name, compiled);
    }
    vsetInfo.forEach((v, index) => {
      valueSets.push({
        name: v.name,
        jsonId: v.jsonId,
        index,
        bitwidth: v.bitwidth,
        fieldWidths: v.fieldWidths ?? [v.bitwidth],
        maxSize: v.maxSize,
      });
    });

    const deparsers = new Map<string, CompiledDeparser>();
    for (const d of root.list('deparsers')) {
      const compiled = compileDeparser(ctx, actionCompiler, d);
      if (deparsers.has(compiled.name)) d.fail(`duplicate deparser '${compiled.name}'`);
      deparsers.set(compiled.name, compiled);
    }

    const reg: PipelineRegistry = { actionsById, tables: [], profiles: [], calculations, counters, meters };
    const pipelineCompiler = new PipelineCompiler(ctx, reg);
    const pipelines = new Map<string, CompiledPipeline>();
    for (const p of root.list('pipelines')) {
      const compiled = pipelineCompiler.compile(p);
      if (pipelines.has(compiled.name)) p.fail(`duplicate pipeline '${compiled.name}'`);
      pipelines.set(compiled.name, compiled);
    }
    for (const c of counters) {
      if (c.direct && !reg.tables.some((t) => t.name === c.binding)) {
        root.fail(`direct counter '${c.name}' is bound to unknown table '${String(c.binding)}'`);
      }
    }

    const checksums = root.list('checksums').map((c) => compileChecksum(ctx, c, ctx.calculation));
    for (const c of checksums) {
      if (c.update) for (const d of deparsers.values()) d.updaters.push(c.updater);
      if (c.verify) for (const p of parsers.values()) p.verifiers.push(c.verifier);
    }

    for (const f of arch.requiredFields) {
      if (!layout.findField(f)) root.fail(`required field '${f}' is missing (${arch.name} needs it)`);
    }
    const configOptions = new Map<string, string>();
    const co = root.get('config_options');
    if (!co.isNull()) for (const k of co.keys()) configOptions.set(k, co.req(k).str());

    return new Program(
      doc,
      layout,
      errors,
      enums,
      headerOps,
      actions,
      parsers,
      deparsers,
      pipelines,
      reg.tables,
      reg.profiles,
      counters,
      meters,
      registers,
      calculations,
      checksums,
      fieldLists,
      learnLists,
      valueSets,
      configOptions,
      root.strOpt('program'),
    );
  }
}

function checkVersion(root: JsonNode): void {
  const meta = root.get('__meta__');
  if (meta.isNull() || !meta.has('version')) return; // bmv2 accepts untagged documents
  const v = meta.req('version');
  const items = v.items();
  if (items.length !== 2) v.fail('version must be [major, minor]');
  const major = items[0].int();
  const minor = items[1].int();
  if (major !== SUPPORTED_JSON_MAJOR) {
    v.fail(`bmv2 JSON major version ${major} is not supported (need ${SUPPORTED_JSON_MAJOR})`);
  }
  if (minor > SUPPORTED_JSON_MAX_MINOR) {
    v.fail(
      `bmv2 JSON version ${major}.${minor} is newer than the supported ${SUPPORTED_JSON_MAJOR}.${SUPPORTED_JSON_MAX_MINOR}`,
    );
  }
}

function readEnums(root: JsonNode): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const e of root.list('enums')) {
    const name = e.req('name').str();
    if (out.has(name)) e.fail(`duplicate enum '${name}'`);
    const entries = new Map<string, number>();
    for (const en of e.list('entries')) {
      const n = en.at(0).str();
      if (entries.has(n)) en.fail(`duplicate enum entry '${n}'`);
      entries.set(n, en.at(1).int());
    }
    out.set(name, entries);
  }
  return out;
}

function readFieldLists(
  root: JsonNode,
  layout: Layout,
  key: 'field_lists' | 'learn_lists',
): Map<number, FieldListDef> {
  const out = new Map<number, FieldListDef>();
  for (const fl of root.list(key)) {
    const id = fl.req('id').int();
    if (out.has(id)) fl.fail(`duplicate ${key} id ${id}`);
    const fields: StaticFieldRef[] = [];
    for (const el of fl.list('elements')) {
      const type = el.req('type').str();
      if (type === 'field') {
        const v = el.req('value');
        fields.push(layout.field(v, v.at(0).str(), v.at(1).str()));
      } else if (type === 'hexstr' && key === 'field_lists') {
        // Constants in field lists are only meaningful for P4_14 calculations; copying ignores them (as bmv2).
      } else {
        el.fail(`unsupported ${key} element type '${type}'`);
      }
    }
    out.set(id, { id, name: fl.req('name').str(), fields });
  }
  return out;
}

function checkDuplicates(root: JsonNode, key: string, list: readonly { name: string }[]): void {
  const seen = new Set<string>();
  for (const x of list) {
    if (seen.has(x.name)) root.get(key).fail(`duplicate name '${x.name}'`);
    seen.add(x.name);
  }
}
