/**
 * Two (or more) targets as the devices of one fabric, for the controller's integration tests: the
 * target P4_TARGET selects (embedded by default, bmv2 simple_switch_grpc), reached only over gRPC:
 * P4Runtime, and bmv2's dataplane service for frames.
 */
import { join } from 'node:path';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { expect } from 'vitest';
import { overlayFabric } from '../../bench/lib/overlay-fabric.js';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import {
  type DeviceOutcome,
  type DeviceReport,
  type DeviceTarget,
  deviceTargets,
  type Fabric,
  type FabricService,
  fabricSchema,
  type LoadedFabric,
  loadFabric,
  reconcileFabric,
  type ServiceEvents,
  VtepController,
  vtepProgram,
} from '../../src/controller/index.js';
import { buildFrame } from '../../src/packet/index.js';
import { DataplaneClient } from '../../src/packet-io/client.js';
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
  const { startEmbeddedTarget } = await import('../../src/switch/index.js');
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
        // Awaited: the reconciler connects next with the same election id.
        await c.close();
      }
    },
    async stop() {
      for (const t of targets) await t.stop();
    },
  };
}

/** A deep copy of a fabric, to change one thing. */
export const copyFabric = (f: Fabric): Fabric => structuredClone(f);

/** Each device's report; the first failed device's error is thrown. */
export function reports(outcomes: DeviceOutcome[]): DeviceReport[] {
  return outcomes.map((o) => {
    if (!o.ok) throw o.error;
    return o.report;
  });
}

/** A report's changes as sorted `kind table owner` lines. */
export const summary = (r: DeviceReport) => r.changes.map((c) => `${c.kind} ${c.table} ${c.owner}`).sort();

/** blue-web (vtep-a port 1) -> blue-db (behind vtep-b): one Geneve packet out of uplink 5. */
export const blueWebToDb = () =>
  buildFrame([
    { kind: 'ethernet', dst: '02:00:00:00:0a:02', src: '02:00:00:00:0a:01' },
    { kind: 'ipv4', src: '192.168.10.1', dst: '192.168.10.2' },
    { kind: 'tcp', srcPort: 40000, dstPort: 5432 },
    { kind: 'payload', data: new Uint8Array(32).fill(7) },
  ]);

/**
 * Applies the lab's fabric (every device pushed, every planned entity written, by INSERT but for
 * security_option_format; `checkFirst` adds the caller's checks on each first report), then applies
 * it again with frames flowing into vtep-a: nothing is written, and every frame leaves the uplink
 * with no drop counted.
 */
export async function applyThenReapplyWithFramesFlowing(
  lab: Lab,
  checkFirst: (r: DeviceReport) => void = () => {},
): Promise<void> {
  const first = reports(await reconcileFabric(lab.devices()));
  expect(first.map((r) => r.pipeline)).toEqual(['pushed', 'pushed']);
  for (const r of first) {
    expect(r.written).toBe(r.plan.entities.length);
    checkFirst(r);
    // Default actions and punt meters exist already: they are modified, everything else inserted.
    expect(
      r.changes.every(
        (c) =>
          c.kind === 'insert' ||
          c.table === 'security_option_format' ||
          c.table === 'security_option_recognition' ||
          c.table === 'punt meter',
      ),
    ).toBe(true);
  }

  // Frames flow into vtep-a while the same fabric is applied again; each must leave its uplink.
  const dataplane = await DataplaneClient.connect({
    address: lab.targets[0].dataplaneAddress,
    deviceId: lab.targets[0].deviceId,
  });
  const ids: bigint[] = [];
  let flowing = true;
  const pump = async () => {
    while (flowing) {
      ids.push(dataplane.send(1, blueWebToDb()));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const pumping = pump();
  const second = reports(await reconcileFabric(lab.devices()));
  flowing = false;
  await pumping;
  // Account for every frame: what left the uplink, plus what any drop counter counted.
  const outputs = await dataplane.collectExactly(ids, ids.length);
  dataplane.close();
  const out = [...outputs.values()].flat().filter((o) => o.port === 5).length;
  const drops = await lab.withClient(0, async (c) => {
    await c.loadPipelineFromDevice();
    return new VtepController(c).dropCounters();
  });
  expect(second.map((r) => [r.pipeline, r.changes.length, r.written, r.diff.drift.length])).toEqual([
    ['kept', 0, 0, 0],
    ['kept', 0, 0, 0],
  ]);
  expect(ids.length).toBeGreaterThan(0);
  expect(drops).toEqual({});
  expect(out).toBe(ids.length);
}

/** The next `event` of a service matching `match` (the test fails on its own timeout if it never comes). */
export function nextServiceEvent<E extends keyof ServiceEvents>(
  s: FabricService,
  event: E,
  match: (...args: ServiceEvents[E]) => boolean = () => true,
): Promise<ServiceEvents[E]> {
  return new Promise((resolve) => {
    const on = (...args: ServiceEvents[E]) => {
      if (!match(...args)) return;
      s.off(event, on as never);
      resolve(args);
    };
    s.on(event, on as never);
  });
}

/** Starts a service and waits until each of its `devices` devices has converged once. */
export async function startConverged(s: FabricService, devices: number): Promise<void> {
  const converged = new Set<string>();
  const all = new Promise<void>((resolve) =>
    s.on('converged', ({ device }) => {
      converged.add(device);
      if (converged.size === devices) resolve();
    }),
  );
  await s.start();
  await all;
}

type Workload = Fabric['workloads'][number];

/** The size the VTEP program's P4Info gives a table (e.g. `vport_classification`). */
export async function tableSize(name: string): Promise<number> {
  const { p4info } = await vtepProgram();
  const table = p4info.tables?.find((t) => t.preamble?.name?.endsWith(`.${name}`));
  if (!table) throw new Error(`the VTEP program has no table ${name}`);
  return Number(table.size);
}

/** A second web workload of tenant blue, on vtep-a port 3 (the one-workload change of the tests). */
export const blueWeb2 = (): Workload => ({
  name: 'blue-web-2',
  tenant: 'blue',
  identity: 'web',
  mac: '02:00:00:00:0a:03',
  device: 'vtep-a',
  port: 3,
});

/** Workload `i` of tenant green on vtep-a port 3, with a MAC of its own (for filling tables). */
export const greenWorkload = (i: number): Workload => ({
  name: `w${i}`,
  tenant: 'green',
  identity: 'app',
  mac: `02:10:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}:01`,
  device: 'vtep-a',
  port: 3,
});

/**
 * A generated fabric of 3 VTEPs with VLANs and policies in which vtep-2 speaks IPv6 only, so its
 * peers tunnel to it over IPv6 (the two others have both families).
 */
export function mixedFamilyFabric(shape: {
  tenants: number;
  workloads: number;
  policies: number;
  identities: number;
}): Fabric {
  const f = overlayFabric(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], { devices: 3, ...shape });
  f.devices[2].vteps = { ipv6: 'fd00::3' };
  f.devices[2].routes = [{ prefix: 'fd00::/64', uplink: 5, nextHopMac: '02:bb:00:00:00:06' }];
  for (const d of f.devices.slice(0, 2)) {
    d.vteps = { ...d.vteps, ipv6: `fd00::${d.name.slice(-1)}1` };
    d.routes?.push({ prefix: 'fd00::/64', uplink: 5, nextHopMac: '02:bb:00:00:00:06' });
  }
  return fabricSchema.parse(f);
}
