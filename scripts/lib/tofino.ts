// Compiling the VTEP for Tofino with bf-p4c (the open Tofino backend of p4c) and summarising the
// resources it used from the compiler's own logs (-g writes them under pipe/logs/).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  TOFINO_TARGETS,
  type TofinoParserUse,
  type TofinoResourceSummary,
  type TofinoTarget,
} from '../../src/artifacts/tofino.js';
import { readCompiledParser } from './tofino-parser.js';

export interface TofinoCompiler {
  command: string;
  /** `p4c 1.2.5.16 (SHA: ...)`. */
  version: string;
}

/** bf-p4c on PATH (or BF_P4C), or undefined. */
export function findBfP4c(): TofinoCompiler | undefined {
  const command = process.env.BF_P4C ?? 'bf-p4c';
  const run = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return undefined;
  return { command, version: `${run.stdout}${run.stderr}`.trim().split('\n')[0] };
}

/**
 * Warnings the compiler prints on every program, which no program can avoid
 * (the toolchain's README): the min-parse-depth loop it adds itself; the P4Runtime annotation
 * @controller_header, which the Tofino backend does not list although its P4Runtime serializer
 * honours it (the P4Info has the packet_in/packet_out metadata); and the Hash extern's P4Info.
 */
const COMPILER_OWN_WARNINGS = [
  /Parser state min_parse_depth_(accept|reject)_loop will be unrolled/,
  /Unknown annotation: controller_header/,
  // The P4Info has no standard form for Tofino's Hash extern (bf-rt calls it DynHash); the flow
  // hash has nothing to configure over P4Runtime, so nothing is lost.
  /No known conversion to standard P4Info for 'DynHash' extern type/,
];

export interface TofinoCompileResult {
  ok: boolean;
  output: string;
  /** Warning lines that are ours (not in COMPILER_OWN_WARNINGS). */
  warnings: string[];
  wallSeconds: number;
}

/** Compiles p4/<target.main> into outDir (P4Info files named there too), with -g for the logs. */
export function compileTofino(
  bf: TofinoCompiler,
  target: TofinoTarget,
  o: { cwd: string; outDir: string; p4infoText: string; p4infoJson: string; defines?: string[] },
): TofinoCompileResult {
  const args = [
    '--target',
    target.target,
    '--arch',
    target.arch,
    '-g',
    '--p4runtime-force-std-externs',
    '--p4runtime-files',
    `${o.p4infoText},${o.p4infoJson}`,
    ...(o.defines ?? []).map((d) => `-D${d}`),
    '-I',
    'p4',
    '-o',
    o.outDir,
    join('p4', target.main),
  ];
  const started = process.hrtime.bigint();
  const run = spawnSync(bf.command, args, { cwd: o.cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  const warnings = output
    .split('\n')
    .filter((l) => /warning:/.test(l) && !COMPILER_OWN_WARNINGS.some((w) => w.test(l)));
  const binary = join(o.outDir, 'pipe', target.target === 'tofino' ? 'tofino.bin' : 'tofino2.bin');
  return { ok: run.status === 0 && existsSync(binary), output: output.trim(), warnings, wallSeconds };
}

interface MauStage {
  stage_number: number;
  rams: { srams: unknown[] };
  tcams: { tcams: unknown[] };
  map_rams: { maprams: unknown[] };
  hash_bits: { bits: unknown[] };
  gateways: { gateways: unknown[] };
  logical_tables: { ids: { table_name: string }[] };
  xbar_bytes: { bytes: unknown[] };
}

/** The resource summary of a compile, from outDir/pipe/logs. */
export function summarizeTofino(
  target: TofinoTarget,
  outDir: string,
  compiler: string,
): TofinoResourceSummary {
  const logs = join(outDir, 'pipe', 'logs');
  const tableSummary = readFileSync(join(logs, 'table_summary.log'), 'utf8');
  // The log has one block per placement round; the last is the one compiled.
  const last = (re: RegExp) => {
    const all = [...tableSummary.matchAll(re)];
    if (all.length === 0) throw new Error(`${logs}/table_summary.log: no match for ${re}`);
    return Number(all[all.length - 1][1]);
  };
  const ingressStages = last(/Number of stages for ingress table allocation: (\d+)/g);
  const egressStages = last(/Number of stages for egress table allocation: (\d+)/g);

  const resources = JSON.parse(readFileSync(join(logs, 'resources.json'), 'utf8')) as {
    resources: { mau: { mau_stages: MauStage[] } };
  };
  const tables = new Map<string, Set<number>>();
  const perStage = resources.resources.mau.mau_stages
    .map((s) => {
      for (const t of s.logical_tables.ids) {
        if (!/^Vtep(Ingress|Egress)\./.test(t.table_name)) continue;
        const set = tables.get(t.table_name) ?? new Set<number>();
        set.add(s.stage_number);
        tables.set(t.table_name, set);
      }
      return {
        stage: s.stage_number,
        sram: s.rams.srams.length,
        tcam: s.tcams.tcams.length,
        mapRam: s.map_rams.maprams.length,
        hashBits: s.hash_bits.bits.length,
        gateways: s.gateways.gateways.length,
        xbarBytes: s.xbar_bytes.bytes.length,
      };
    })
    .sort((a, b) => a.stage - b.stage);

  const phvFile = readdirSync(logs)
    .filter((f) => /^phv_allocation_summary_\d+\.log$/.test(f))
    .sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]))
    .pop();
  if (!phvFile) throw new Error(`${logs}: no phv_allocation_summary log`);
  const phvText = readFileSync(join(logs, phvFile), 'utf8');
  const row = phvText.split('\n').find((l) => l.includes('Overall PHV Usage'));
  const nums = row?.match(/\d+(\.\d+)?/g)?.map(Number);
  if (!nums || nums.length < 10) throw new Error(`${logs}/${phvFile}: no "Overall PHV Usage" row`);
  // | containers (%) | bits (%) | ingress bits (%) | egress bits (%) | ... | total bits |
  const phv = {
    containersUsed: nums[0],
    bitsUsed: nums[2],
    ingressBits: nums[4],
    egressBits: nums[6],
    bitsAvailable: nums[nums.length - 1],
  };

  const context = JSON.parse(readFileSync(join(outDir, 'pipe', 'context.json'), 'utf8')) as {
    parser: Record<'ingress' | 'egress', { parser_name: string; tcam_rows: number[] }[]>;
  };
  const bfaFile = readdirSync(join(outDir, 'pipe')).find((f) => f.endsWith('.bfa'));
  if (!bfaFile) throw new Error(`${outDir}/pipe: no .bfa assembly`);
  const bfa = readFileSync(join(outDir, 'pipe', bfaFile), 'utf8');
  const parserUse = (gress: 'ingress' | 'egress'): TofinoParserUse => {
    const rows = context.parser[gress];
    const compiled = readCompiledParser(bfa, gress);
    return {
      states: new Set(rows.map((s) => s.parser_name)).size,
      tcamRows: rows.reduce((n, s) => n + s.tcam_rows.length, 0),
      reachableStates: compiled.reachable.length,
      branchingStates: compiled.branching,
      headers: compiled.headers,
    };
  };

  return {
    target: target.target,
    arch: target.arch,
    compiler,
    stageLimit: target.stageLimit,
    stages: { ingress: ingressStages, egress: egressStages },
    tables: [...tables]
      .map(([name, stages]) => ({ name, stages: [...stages].sort((a, b) => a - b) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    perStage,
    totals: {
      sram: perStage.reduce((n, s) => n + s.sram, 0),
      tcam: perStage.reduce((n, s) => n + s.tcam, 0),
      mapRam: perStage.reduce((n, s) => n + s.mapRam, 0),
      hashBits: perStage.reduce((n, s) => n + s.hashBits, 0),
      gateways: perStage.reduce((n, s) => n + s.gateways, 0),
    },
    phv,
    parser: { ingress: parserUse('ingress'), egress: parserUse('egress') },
  };
}

export { TOFINO_TARGETS };
