// Shared by the tests that compare the one-pass INSERT paths (tables.ts insertCommonWrite,
// insertClassified and insertClassifiedWrite) with PI's general path: the programs they run, a
// server with or without those paths, and what a server holds as a Read gives it back.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseP4Info } from '../../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import { EngineDevice } from '../../../src/switch/p4runtime/device/engine-device.js';
import { DeviceManager, PipelineAction } from '../../../src/switch/p4runtime/frontend/device-manager.js';
import { fixtureDeviceConfig, fixtureP4Info, p4 } from './helpers.js';

/** The VTEP's own program and two fixtures with every match kind. */
export const PROGRAMS = [
  {
    name: 'geneve_vtep',
    p4info: () => parseP4Info(readFileSync(programArtifactPath('p4infoJson'), 'utf8'), 'json'),
    config: () => new Uint8Array(readFileSync(programArtifactPath('bmv2Json'))),
  },
  ...['server_all', 'match_kinds'].map((name) => ({
    name,
    p4info: () => fixtureP4Info(name),
    config: () => fixtureDeviceConfig(name),
  })),
];

/** A device manager on an engine loaded with `program`; `commonInsert` false: PI's general path only. */
export function pathServer(
  program: (typeof PROGRAMS)[number],
  p4info: p4.config.v1.IP4Info,
  commonInsert: boolean,
): { manager: DeviceManager; device: EngineDevice } {
  const device = new EngineDevice();
  const manager = new DeviceManager({
    device,
    cpuPort: 255,
    sendToPrimary: () => {},
    injectOnCpuPort: () => {},
    commonInsert,
  });
  manager.setPipelineConfig(PipelineAction.VERIFY_AND_COMMIT, { p4info, p4DeviceConfig: program.config() });
  return { manager, device };
}

/** Every table's entries, as ReadResponse bytes and as messages. */
export function tableContents(manager: DeviceManager): { bytes: string[]; entities: unknown } {
  const encoded = manager.readEncoded({ entities: [{ tableEntry: {} }] }, 1000);
  expect(encoded.error).toBeUndefined();
  const read = manager.read({ entities: [{ tableEntry: { counterData: {} } }] });
  expect(read.error).toBeUndefined();
  return {
    bytes: encoded.responses.map((b) => Buffer.from(b).toString('hex')),
    entities: read.entities.map((e) => p4.v1.Entity.toObject(p4.v1.Entity.fromObject(e), { longs: String })),
  };
}
