import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bfPipelineConfigFromBuild,
  decodeBfPipelineConfig,
  encodeBfPipelineConfig,
} from '../../src/artifacts/bf-pipeline-config.js';

/** A directory laid out like bf-p4c's output, with recognizable contents. */
function fakeBuild(binaryName: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-build-'));
  mkdirSync(join(dir, 'pipe'));
  writeFileSync(join(dir, 'bfrt.json'), '{"tables":[]}');
  writeFileSync(join(dir, 'pipe', 'context.json'), '{"program_name":"main"}');
  writeFileSync(join(dir, 'pipe', binaryName), Uint8Array.from([0, 1, 2, 254, 255]));
  return dir;
}

describe("Stratum's BfPipelineConfig", () => {
  it('packs bfrt.json, context.json and the binary, and reads back the same', () => {
    const config = bfPipelineConfigFromBuild(fakeBuild('tofino.bin'), 'geneve_vtep', [0, 1]);
    const back = decodeBfPipelineConfig(encodeBfPipelineConfig(config));
    expect(back.p4_name).toBe('geneve_vtep');
    expect(Buffer.from(back.bfruntime_info).toString()).toBe('{"tables":[]}');
    expect(back.profiles).toHaveLength(1);
    expect(Buffer.from(back.profiles[0].context).toString()).toBe('{"program_name":"main"}');
    expect([...back.profiles[0].binary]).toEqual([0, 1, 2, 254, 255]);
    expect(back.profiles[0].pipe_scope).toEqual([0, 1]);
  });

  it('encodes field numbers of the wire contract (p4_name is field 1, a string)', () => {
    const bytes = encodeBfPipelineConfig({ p4_name: 'x', bfruntime_info: new Uint8Array(), profiles: [] });
    expect([...bytes]).toEqual([0x0a, 0x01, 0x78]);
  });

  it('takes tofino2.bin on Tofino 2 and names a missing file', () => {
    const config = bfPipelineConfigFromBuild(fakeBuild('tofino2.bin'), 'v');
    expect([...config.profiles[0].binary]).toEqual([0, 1, 2, 254, 255]);
    const empty = mkdtempSync(join(tmpdir(), 'bf-empty-'));
    expect(() => bfPipelineConfigFromBuild(empty, 'v')).toThrow(/tofino\.bin: missing/);
  });
});
