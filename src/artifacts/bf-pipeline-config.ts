/**
 * Stratum's device config for Tofino (BfPipelineConfig, proto/stratum_bf_pipeline.proto), packed from
 * a bf-p4c output directory: bfrt.json, pipe/context.json and pipe/tofino.bin (tofino2.bin on Tofino 2).
 * The bytes go into P4Runtime's ForwardingPipelineConfig.p4_device_config (`genevectl push
 * --device-config`); docs/TOFINO.md has the whole deployment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PACKAGE_ROOT } from './program.js';

const PROTO_PATH = join(PACKAGE_ROOT, 'proto', 'stratum_bf_pipeline.proto');

let configType: protobuf.Type | undefined;
function type(): protobuf.Type {
  configType ??= protobuf
    .parse(readFileSync(PROTO_PATH, 'utf8'), { keepCase: true })
    .root.lookupType('stratum.hal.barefoot.BfPipelineConfig');
  return configType;
}

export interface BfPipelineProfile {
  profile_name: string;
  context: Uint8Array;
  binary: Uint8Array;
  pipe_scope: number[];
}

export interface BfPipelineConfig {
  p4_name: string;
  bfruntime_info: Uint8Array;
  profiles: BfPipelineProfile[];
}

/** Reads one bf-p4c output directory (`-o DIR`) into a single-profile config for `pipes` (empty: all). */
export function bfPipelineConfigFromBuild(
  buildDir: string,
  p4Name: string,
  pipes: number[] = [],
): BfPipelineConfig {
  const need = (...parts: string[]): Uint8Array => {
    const path = join(buildDir, ...parts);
    if (!existsSync(path)) throw new Error(`${path}: missing (not a bf-p4c output directory?)`);
    return readFileSync(path);
  };
  const binary = existsSync(join(buildDir, 'pipe', 'tofino2.bin'))
    ? need('pipe', 'tofino2.bin')
    : need('pipe', 'tofino.bin');
  return {
    p4_name: p4Name,
    bfruntime_info: need('bfrt.json'),
    profiles: [{ profile_name: 'pipe', context: need('pipe', 'context.json'), binary, pipe_scope: pipes }],
  };
}

export function encodeBfPipelineConfig(config: BfPipelineConfig): Uint8Array {
  const t = type();
  return t.encode(t.fromObject(config)).finish();
}

export function decodeBfPipelineConfig(bytes: Uint8Array): BfPipelineConfig {
  const t = type();
  const o = t.toObject(t.decode(bytes), { defaults: true, arrays: true }) as BfPipelineConfig;
  return o;
}
