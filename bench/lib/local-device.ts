// What the in-process write benchmarks share: the embedded target's P4Runtime device manager with
// the VTEP program installed (no gRPC, no other process), and values in P4Runtime's byte form.
import { readFileSync } from 'node:fs';
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { EngineDevice } from '../../src/switch/p4runtime/device/engine-device.js';
import { DeviceManager, PipelineAction } from '../../src/switch/p4runtime/frontend/device-manager.js';

/** A device manager of a fresh embedded device with the bundled program (`p4info`: its P4Info). */
export function vtepDeviceManager(p4info: p4.config.v1.IP4Info): DeviceManager {
  const manager = new DeviceManager({
    device: new EngineDevice(),
    cpuPort: 255,
    sendToPrimary: () => {},
    injectOnCpuPort: () => {},
  });
  manager.setPipelineConfig(PipelineAction.VERIFY_AND_COMMIT, {
    p4info,
    p4DeviceConfig: readFileSync(programArtifactPath('bmv2Json')),
  });
  return manager;
}

/** Big-endian bytes of `value` in `width` bytes, without leading zero bytes (P4Runtime's canonical form). */
export function canonicalBytes(value: number, width: number): Uint8Array {
  const out = new Uint8Array(width);
  for (let i = width - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  let start = 0;
  while (start < width - 1 && out[start] === 0) start++;
  return out.subarray(start);
}
