/**
 * Two (or more) embedded targets as the devices of one fabric, for the controller's integration
 * tests: every call goes over real gRPC; frames go through each target's in-process dataplane,
 * which processes synchronously, so each frame's outputs are counted exactly (no waiting).
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import {
  type DeviceTarget,
  deviceTargets,
  type Fabric,
  type LoadedFabric,
  loadFabric,
} from '../../src/controller/index.js';
import { P4RuntimeClient } from '../../src/p4runtime/index.js';
import { type EmbeddedTarget, startEmbeddedTarget } from '../../src/target/index.js';

export const OVERLAY_EXAMPLE = join(PACKAGE_ROOT, 'examples', 'overlay.yaml');

export interface Lab {
  targets: EmbeddedTarget[];
  /** The example fabric, pointed at the lab's targets. */
  fabric: Fabric;
  devices(fabric?: Fabric): DeviceTarget[];
  /** Runs `fn` with a primary client of device `i`, closed after (so the reconciler can be primary). */
  withClient<T>(i: number, fn: (c: P4RuntimeClient) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export function exampleFabric(): Fabric {
  const loaded = loadFabric(OVERLAY_EXAMPLE);
  if (loaded.format !== 'fabric') throw new Error('examples/overlay.yaml is not a fabric file');
  return loaded.fabric;
}

export async function startLab(count = 2): Promise<Lab> {
  const targets: EmbeddedTarget[] = [];
  for (let i = 0; i < count; i++)
    targets.push(
      await startEmbeddedTarget({ grpcAddress: '127.0.0.1:0', cpuPort: 255, ports: 8, deviceId: 1 }),
    );
  const fabric = exampleFabric();
  fabric.devices.forEach((d, i) => {
    d.address = targets[i].grpcAddress;
  });
  return {
    targets,
    fabric,
    devices(f = fabric) {
      const loaded: LoadedFabric = {
        format: 'fabric',
        file: 'lab.yaml',
        fabric: f,
        where: () => 'lab.yaml: ',
      };
      return deviceTargets(loaded);
    },
    async withClient(i, fn) {
      const c = await P4RuntimeClient.connect({
        address: targets[i].grpcAddress,
        deviceId: 1,
        electionId: 1n,
        waitForPrimary: true,
        reconnect: false,
      });
      try {
        return await fn(c);
      } finally {
        c.close();
      }
    },
    async stop() {
      for (const t of targets) await t.stop();
    },
  };
}

/** A deep copy of a fabric, to change one thing. */
export const copyFabric = (f: Fabric): Fabric => structuredClone(f);
