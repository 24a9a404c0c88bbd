/**
 * Two (or more) targets as the devices of one fabric, for the controller's integration tests: the
 * target P4_TARGET selects (embedded by default, bmv2 simple_switch_grpc), reached only over gRPC:
 * P4Runtime, and bmv2's dataplane service for frames.
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
import { type RunningTarget, startTarget } from '../scenarios/harness/target.js';

export const OVERLAY_EXAMPLE = join(PACKAGE_ROOT, 'examples', 'overlay.yaml');

export interface Lab {
  targets: RunningTarget[];
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

/**
 * The embedded target with the BlueField profile (it behaves like the DPU's P4Runtime server,
 * with the bmv2 VTEP program inside; docs/BLUEFIELD.md).
 */
async function startBlueField(): Promise<RunningTarget> {
  const { startEmbeddedTarget } = await import('../../src/target/index.js');
  const target = await startEmbeddedTarget({
    grpcAddress: '127.0.0.1:0',
    dataplaneAddress: '127.0.0.1:0',
    cpuPort: 255,
    ports: 16,
    deviceId: 1,
    profile: 'bluefield',
  });
  return {
    kind: 'embedded',
    p4runtimeAddress: target.grpcAddress,
    dataplaneAddress: target.dataplaneAddress!,
    deviceId: 1,
    cpuPort: 255,
    maxInFlight: 256,
    stop: () => target.stop(),
  };
}

/**
 * `count` devices of the example fabric. `profile: 'bluefield'`: embedded targets with the DPU
 * profile, declared `kind: bluefield` in the fabric, and `withClient` connects without arbitration.
 */
export async function startLab(count = 2, { profile }: { profile?: 'bluefield' } = {}): Promise<Lab> {
  const targets: RunningTarget[] = [];
  for (let i = 0; i < count; i++)
    targets.push(await (profile === 'bluefield' ? startBlueField() : startTarget()));
  const fabric = exampleFabric();
  fabric.devices.forEach((d, i) => {
    d.address = targets[i].p4runtimeAddress;
    d.deviceId = targets[i].deviceId;
    if (profile) d.kind = profile;
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
        address: targets[i].p4runtimeAddress,
        deviceId: targets[i].deviceId,
        reconnect: false,
        ...(profile === 'bluefield' ? { arbitrate: false } : { electionId: 1n, waitForPrimary: true }),
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
