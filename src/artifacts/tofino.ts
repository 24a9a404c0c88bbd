/** The Tofino builds of the VTEP and the resource summary committed for each (tofino/<name>/). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './program.js';

export interface TofinoTarget {
  /** Directory under tofino/ and the wrapper's directory under p4/. */
  name: 'tna' | 't2na';
  target: 'tofino' | 'tofino2';
  arch: 'tna' | 't2na';
  /** Entry point under p4/. */
  main: string;
  /** MAU stages per gress the device has. */
  stageLimit: number;
}

export const TOFINO_TARGETS: readonly TofinoTarget[] = [
  { name: 'tna', target: 'tofino', arch: 'tna', main: 'tna/main.p4', stageLimit: 12 },
  { name: 't2na', target: 'tofino2', arch: 't2na', main: 't2na/main.p4', stageLimit: 20 },
];

/** Artifact file names inside tofino/<name>/. */
export const TOFINO_ARTIFACTS = {
  p4infoText: 'geneve_vtep.p4info.txtpb',
  p4infoJson: 'geneve_vtep.p4info.json',
  resources: 'resources.json',
  stamp: 'geneve_vtep.stamp.json',
} as const;

export interface TofinoStageUse {
  stage: number;
  sram: number;
  tcam: number;
  mapRam: number;
  hashBits: number;
  gateways: number;
  xbarBytes: number;
}

/** One compiled parser (one gress). */
export interface TofinoParserUse {
  states: number;
  tcamRows: number;
  reachableStates: number;
  /** Reachable states where a packet can take more than one row. */
  branchingStates: string[];
  /** Headers some reachable row extracts (hdr paths). */
  headers: string[];
}

/** What the compiler's logs say the program uses (scripts/lib/tofino.ts writes it). */
export interface TofinoResourceSummary {
  target: string;
  arch: string;
  compiler: string;
  stageLimit: number;
  stages: { ingress: number; egress: number };
  /** Every P4 table (P4Info name) and the stages it occupies. */
  tables: { name: string; stages: number[] }[];
  perStage: TofinoStageUse[];
  totals: { sram: number; tcam: number; mapRam: number; hashBits: number; gateways: number };
  phv: {
    containersUsed: number;
    bitsUsed: number;
    ingressBits: number;
    egressBits: number;
    bitsAvailable: number;
  };
  /**
   * The compiled parsers (pipe/context.json, pipe/<program>.bfa): states and TCAM rows, the states a
   * packet can reach, those where it can take more than one row, and the headers reachable rows
   * extract (scripts/lib/tofino-parser.ts). docs/TOFINO.md: bf-p4c 1.2.5.16 drops every select on
   * packet data, so `headers` is what such a build can ever parse.
   */
  parser: Record<'ingress' | 'egress', TofinoParserUse>;
}

export function tofinoArtifactPath(target: TofinoTarget, file: keyof typeof TOFINO_ARTIFACTS): string {
  return join(PACKAGE_ROOT, 'tofino', target.name, TOFINO_ARTIFACTS[file]);
}

export function readTofinoSummary(target: TofinoTarget): TofinoResourceSummary {
  return JSON.parse(readFileSync(tofinoArtifactPath(target, 'resources'), 'utf8')) as TofinoResourceSummary;
}
