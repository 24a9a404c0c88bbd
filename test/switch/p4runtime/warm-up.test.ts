// The write-path warm-up at SetForwardingPipelineConfig (frontend/warm-up.ts, DeviceManager
// `warmUp`), and at start on a program of the server's own (`warmUpAtStart`, DeviceManager `warmUpOn`): its INSERTs are valid writes (each one applied through Write on a target without
// warm-up answers OK), it runs on a scratch instance only (counted), and it leaves nothing a
// controller or a packet could see (reads are empty, the first real entry gets the first handle).
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { parseP4Info } from '../../../packages/p4runtime-ts-grpc/src/p4info/load.js';
import { programArtifactPath } from '../../../src/artifacts/program.js';
import type { DeviceConfig, DeviceControl } from '../../../src/switch/p4runtime/device/device.js';
import { EngineDevice } from '../../../src/switch/p4runtime/device/engine-device.js';
import { P4InfoModel } from '../../../src/switch/p4runtime/frontend/p4info-model.js';
import { warmUpWrites } from '../../../src/switch/p4runtime/frontend/warm-up.js';
import {
  fixtureDeviceConfig,
  fixtureP4Info,
  p4,
  read,
  setPipeline,
  startTarget,
  type TestTarget,
  write,
} from './helpers.js';

const PROGRAMS: readonly { name: string; p4info: () => p4.config.v1.IP4Info; config: () => Uint8Array }[] = [
  {
    name: 'geneve_vtep',
    p4info: () => parseP4Info(readFileSync(programArtifactPath('p4infoJson'), 'utf8'), 'json'),
    config: () => new Uint8Array(readFileSync(programArtifactPath('bmv2Json'))),
  },
  ...['match_kinds', 'server_all', 'basic_forward'].map((name) => ({
    name,
    p4info: () => fixtureP4Info(name),
    config: () => fixtureDeviceConfig(name),
  })),
];

/** An engine device that counts scratch instances and the table writes made on them. */
class CountingDevice extends EngineDevice {
  scratchInstances = 0;
  scratchAdds = 0;

  override scratchControl(config: DeviceConfig): DeviceControl {
    this.scratchInstances++;
    const control = super.scratchControl(config);
    const addEntry = control.addEntry.bind(control);
    control.addEntry = (...args) => {
      this.scratchAdds++;
      return addEntry(...args);
    };
    const exactWriter = control.exactWriter.bind(control);
    control.exactWriter = (table) => {
      const writer = exactWriter(table);
      if (writer === undefined) return undefined;
      const add = writer.add.bind(writer);
      writer.add = (...args) => {
        this.scratchAdds++;
        return add(...args);
      };
      return writer;
    };
    const addClassifiedSpans = control.addClassifiedSpans.bind(control);
    control.addClassifiedSpans = (...args) => {
      this.scratchAdds++;
      return addClassifiedSpans(...args);
    };
    const addClassifiedEntry = control.addClassifiedEntry.bind(control);
    control.addClassifiedEntry = (...args) => {
      this.scratchAdds++;
      return addClassifiedEntry(...args);
    };
    return control;
  }
}

async function push(t: TestTarget, program: (typeof PROGRAMS)[number]): Promise<void> {
  const r = await setPipeline(t.stub, {
    action: p4.v1.SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT,
    config: { p4info: program.p4info(), p4DeviceConfig: program.config() },
  });
  expect(r.message).toBe('');
}

/** Every table entry of the device, read with one wildcard read. */
async function allEntries(t: TestTarget): Promise<p4.v1.Entity[]> {
  const r = await read(t.stub, [{ tableEntry: {} }]);
  expect(r.code).toBe(grpc.status.OK);
  return r.entities;
}

describe('write-path warm-up', () => {
  for (const program of PROGRAMS) {
    it(`${program.name}: every warm-up INSERT is a valid write`, async () => {
      const t = await startTarget({ warmUpWrites: 0 });
      try {
        await push(t, program);
        const installedByProgram = (await allEntries(t)).length;
        const writes = warmUpWrites(new P4InfoModel(program.p4info()), 2000, 250);
        const requests = [...writes.requests];
        const updates = requests.flatMap((r) => r.updates ?? []);
        expect(updates.length).toBeGreaterThan(0);
        expect(updates.length).toBe(writes.updates);
        expect(requests.every((r) => (r.updates?.length ?? 0) <= 250)).toBe(true);
        let refused = 0;
        for (const request of requests) {
          const r = await write(t.stub, { updates: request.updates });
          const failed = r.errors.filter((e) => e.canonicalCode !== grpc.status.OK);
          refused += failed.length;
          // match_kinds keys table 'masked' on `k32 & 0xffff0000`, which P4Info cannot tell: keys
          // differing in masked-out bits are one entry to the device, so the warm-up meets
          // ALREADY_EXISTS there (harmless: the update is just refused, on the scratch instance).
          for (const e of failed) {
            expect(e.canonicalCode).toBe(grpc.status.ALREADY_EXISTS);
            expect(e.message).toContain("table 'MyIngress.masked'");
          }
          if (program.name !== 'match_kinds') expect(`${grpc.status[r.code]} ${r.message}`).toBe('OK ');
        }
        expect((await allEntries(t)).length).toBe(installedByProgram + updates.length - refused);
      } finally {
        await t.stop();
      }
    });
  }

  it('runs on a scratch instance and leaves nothing visible', async () => {
    const device = new CountingDevice();
    const t = await startTarget({ device, warmUpWrites: 500 });
    try {
      const vtep = PROGRAMS[0];
      await push(t, vtep);
      expect(device.scratchInstances).toBe(1);
      expect(device.scratchAdds).toBe(500);
      expect(await allEntries(t)).toEqual([]);
      // A second program load warms up again, on a new scratch instance.
      await push(t, vtep);
      expect(device.scratchInstances).toBe(2);
      expect(await allEntries(t)).toEqual([]);
      // The first entry the controller writes is the first the device holds.
      const [first] = warmUpWrites(new P4InfoModel(vtep.p4info()), 1, 1).requests;
      const r = await write(t.stub, { updates: first.updates });
      expect(r.code).toBe(grpc.status.OK);
      const entries = await allEntries(t);
      expect(entries).toHaveLength(1);
      expect(entries[0].tableEntry?.tableId).toBe(first.updates?.[0].entity?.tableEntry?.tableId);
    } finally {
      await t.stop();
    }
  });

  it('at start: on a scratch instance of a program of its own, before any push, leaving nothing visible', async () => {
    const device = new CountingDevice();
    const vtep = PROGRAMS[0];
    const t = await startTarget({
      device,
      warmUpAtStart: { config: { p4info: vtep.p4info(), p4DeviceConfig: vtep.config() }, updates: 500 },
    });
    try {
      expect(device.scratchInstances).toBe(1);
      expect(device.scratchAdds).toBe(500);
      // No pipeline until a controller pushes one.
      const before = await read(t.stub, [{ tableEntry: {} }]);
      expect(before.code).toBe(grpc.status.FAILED_PRECONDITION);
      // A different program pushed later starts empty; its first entry is the first the device holds.
      const other = PROGRAMS[3];
      await push(t, other);
      expect(device.scratchInstances).toBe(1);
      expect(await allEntries(t)).toEqual([]);
      const [first] = warmUpWrites(new P4InfoModel(other.p4info()), 1, 1).requests;
      const r = await write(t.stub, { updates: first.updates });
      expect(r.code).toBe(grpc.status.OK);
      expect(await allEntries(t)).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it('is off unless asked for (genevectl target serve asks for it)', async () => {
    const device = new CountingDevice();
    const t = await startTarget({ device });
    try {
      await push(t, PROGRAMS[0]);
      expect(device.scratchInstances).toBe(0);
    } finally {
      await t.stop();
    }
  });
});
