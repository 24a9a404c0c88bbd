// `target serve` collects the garbage of each pipeline load as part of it (src/collect-garbage.ts,
// DeviceManager `collectGarbageOnLoad`): the collection must be a full one, done at once, and the
// program installed must be served as without it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseP4Info } from '../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { EngineDevice } from '../../src/switch/p4runtime/device/engine-device.js';
import { DeviceManager, PipelineAction } from '../../src/switch/p4runtime/frontend/device-manager.js';

/** A WeakRef to 1 MiB that nothing else holds, made in a job of its own (a WeakRef holds its target until the job that made it ends). */
async function garbage(): Promise<WeakRef<object>> {
  const ref = await new Promise<WeakRef<object>>((resolve) =>
    setImmediate(() => resolve(new WeakRef({ payload: new Uint8Array(1 << 20) }))),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return ref;
}

describe('garbage collection on the switch side', () => {
  it('a pipeline load with collectGarbageOnLoad collects, and the program installed serves reads', async () => {
    const manager = new DeviceManager({
      device: new EngineDevice(),
      cpuPort: 255,
      sendToPrimary: () => {},
      injectOnCpuPort: () => {},
      collectGarbageOnLoad: true,
    });
    const p4info = parseP4Info(readFileSync(programArtifactPath('p4infoJson'), 'utf8'), 'json');
    const ref = await garbage();
    manager.setPipelineConfig(PipelineAction.VERIFY_AND_COMMIT, {
      p4info,
      p4DeviceConfig: new Uint8Array(readFileSync(programArtifactPath('bmv2Json'))),
    });
    expect(ref.deref()).toBeUndefined();
    const table = p4info.tables?.find((t) => t.preamble?.name?.endsWith('overlay_mac'));
    expect(table).toBeDefined();
    const read = manager.read({ entities: [{ tableEntry: { tableId: table?.preamble?.id } }] });
    expect(read.error).toBeUndefined();
    expect(read.entities).toEqual([]);
  });
});
