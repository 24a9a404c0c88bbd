// Table writes per second through the P4Runtime client into a real server: the embedded target
// always, and bmv2 simple_switch_grpc when it is on PATH. Entries: the VTEP's overlay_mac table
// (exact VNI + MAC), inserted in one client call that the client splits and pipelines.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { programArtifactPath } from '../src/artifacts/program.js';
import { loadP4Info, P4RuntimeClient } from '../src/p4runtime/index.js';
import { startTarget, type TargetKind } from '../test/scenarios/harness/target.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 20_000);

async function measure(kind: TargetKind): Promise<number> {
  const target = await startTarget(kind);
  const client = await P4RuntimeClient.connect({
    address: target.p4runtimeAddress,
    deviceId: target.deviceId,
    electionId: 1n,
    waitForPrimary: true,
  });
  try {
    await client.setPipeline({
      p4info: await loadP4Info(programArtifactPath('p4infoJson')),
      deviceConfig: readFileSync(programArtifactPath('bmv2Json')),
    });
    const entities = Array.from({ length: ENTRIES }, (_, i) =>
      client.tableEntry('overlay_mac', {
        match: { vni: 5000 + (i >> 16), dst_mac: 0x020000000000 + i },
        action: 'to_remote_vtep',
        params: { tunnel_id: i & 0xffff },
      }),
    );
    const start = process.hrtime.bigint();
    await client.insert(entities);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return ENTRIES / seconds;
  } finally {
    client.close();
    await target.stop();
  }
}

const bmv2 = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
const kinds: TargetKind[] = ['embedded'];
if (!bmv2.error && bmv2.status === 0) kinds.push('bmv2');
else console.log('simple_switch_grpc not on PATH: measuring the embedded target only');

console.log(`P4Runtime writes: ${ENTRIES} overlay_mac inserts per target`);
for (const kind of kinds) {
  const rate = await measure(kind);
  console.log(`  ${kind.padEnd(9)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} entries/s`);
}
