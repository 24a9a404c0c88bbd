/**
 * Starts the target the scenario suite runs on, chosen by P4_TARGET:
 *  - embedded (default): the project's bmv2-compatible target, in this process, on loopback;
 *  - bmv2: real simple_switch_grpc through bmv2/run-switch.sh, packets over its gRPC dataplane.
 * Either way the suite talks to it only over gRPC: P4Runtime and the p4.bm dataplane service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../src/artifacts/program.js';
import { freeLoopbackPorts } from '../../helpers/free-port.js';

export type TargetKind = 'embedded' | 'bmv2';

export interface RunningTarget {
  kind: TargetKind;
  p4runtimeAddress: string;
  dataplaneAddress: string;
  deviceId: number;
  cpuPort: number;
  /**
   * Most frame copies the harness lets be in flight at once. bmv2's egress queues hold 64 packets
   * per port and drop what overflows without counting it (simple_switch's queueing logic), so
   * against it a batch stays well below that; the embedded target processes each frame as it arrives.
   */
  maxInFlight: number;
  stop(): Promise<void>;
}

export const CPU_PORT = 255;
const DEVICE_ID = 1;

export function selectedTarget(): TargetKind {
  const kind = process.env.P4_TARGET ?? 'embedded';
  if (kind !== 'embedded' && kind !== 'bmv2') {
    throw new Error(`P4_TARGET must be 'embedded' or 'bmv2', not '${kind}'`);
  }
  return kind;
}

/** Where a target listens: given to start one again on the addresses of one that stopped (a restart). */
export interface TargetAddresses {
  p4runtimeAddress: string;
  dataplaneAddress: string;
}

async function startBmv2(at?: TargetAddresses): Promise<RunningTarget> {
  const [p4runtimePort, dataplanePort] = at ? [] : await freeLoopbackPorts(2);
  const p4runtimeAddress = at?.p4runtimeAddress ?? `127.0.0.1:${p4runtimePort}`;
  const dataplaneAddress = at?.dataplaneAddress ?? `127.0.0.1:${dataplanePort}`;
  const args = [
    join(PACKAGE_ROOT, 'bmv2', 'run-switch.sh'),
    '--grpc',
    p4runtimeAddress,
    '--dataplane',
    dataplaneAddress,
    '--cpu-port',
    String(CPU_PORT),
    '--device-id',
    String(DEVICE_ID),
  ];
  if (process.env.BMV2_LOG) args.push('--log', process.env.BMV2_LOG);
  const child: ChildProcess = spawn('bash', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    kind: 'bmv2',
    p4runtimeAddress,
    dataplaneAddress,
    deviceId: DEVICE_ID,
    cpuPort: CPU_PORT,
    maxInFlight: 32,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (child.exitCode !== null && child.exitCode !== 0 && child.signalCode === null) {
        throw new Error(`simple_switch_grpc exited with ${child.exitCode}: ${stderr}`);
      }
    },
  };
}

async function startEmbedded(at?: TargetAddresses): Promise<RunningTarget> {
  const { startEmbeddedTarget } = await import('../../../src/switch/index.js');
  const target = await startEmbeddedTarget({
    grpcAddress: at?.p4runtimeAddress ?? '127.0.0.1:0',
    dataplaneAddress: at?.dataplaneAddress ?? '127.0.0.1:0',
    cpuPort: CPU_PORT,
    ports: 16,
    deviceId: DEVICE_ID,
  });
  return {
    kind: 'embedded',
    p4runtimeAddress: target.grpcAddress,
    dataplaneAddress: target.dataplaneAddress!,
    deviceId: DEVICE_ID,
    cpuPort: CPU_PORT,
    maxInFlight: 256,
    stop: () => target.stop(),
  };
}

/** Starts the selected target; `at`: on the addresses of one that was stopped (a restart, empty). */
export async function startTarget(
  kind: TargetKind = selectedTarget(),
  at?: TargetAddresses,
): Promise<RunningTarget> {
  return kind === 'bmv2' ? startBmv2(at) : startEmbedded(at);
}
