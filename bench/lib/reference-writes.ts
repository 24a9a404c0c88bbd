// The devices' own write rate of the controller bench (issue 11's reference, measured the way
// bench/p4runtime-writes.bench.ts does): `entries` overlay_mac inserts by the client into each of
// the given fresh targets, in parallel, after pushing the bundled program.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { programArtifactPath } from '../../src/artifacts/program.js';
import { childrenCpuSeconds } from './process-cpu.js';

export interface ReferenceWrites {
  /** Inserts per second, all targets together. */
  rate: number;
  elapsedMs: number;
  /** The target processes' CPU per insert, µs. */
  targetUsPerEntry: number;
}

/** Pushes the program to each target (`ports[i]` served by `targets[i]`), then times the inserts. */
export async function referenceWrites(
  targets: readonly ChildProcess[],
  ports: readonly number[],
  entries: number,
): Promise<ReferenceWrites> {
  const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
  const deviceConfig = readFileSync(programArtifactPath('bmv2Json'));
  const clients = await Promise.all(
    ports.map((p) =>
      P4RuntimeClient.connect({ address: `127.0.0.1:${p}`, deviceId: 1, electionId: 1n, reconnect: false }),
    ),
  );
  try {
    await Promise.all(clients.map((c) => c.setPipeline({ p4info, deviceConfig })));
    const batches = clients.map((c) =>
      Array.from({ length: entries }, (_, i) =>
        c.tableEntry('overlay_mac', {
          match: { vni: 5000, dst_mac: 0x020000000000 + i },
          action: 'to_remote_vtep',
          params: { tunnel_id: i & 0xffff },
        }),
      ),
    );
    const cpuBefore = childrenCpuSeconds(targets);
    const started = performance.now();
    await Promise.all(clients.map((c, i) => c.insert(batches[i])));
    const elapsedMs = performance.now() - started;
    const total = entries * clients.length;
    return {
      rate: total / (elapsedMs / 1000),
      elapsedMs,
      targetUsPerEntry: ((childrenCpuSeconds(targets) - cpuBefore) / total) * 1e6,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
