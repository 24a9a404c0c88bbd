// Table writes per second through the P4Runtime client into a real server: the embedded target
// (in this process, and standalone as `genevectl target serve`, which like bmv2 has a process of its
// own), and bmv2 simple_switch_grpc when it is on PATH. Entries: the VTEP's overlay_mac table (exact
// VNI + MAC), inserted in one client call that the client splits and pipelines; three rounds of
// ENTRIES new entries each into the same target (the first one meets a cold JIT in the embedded
// target). The ratio compares the two standalone processes, round by round.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { programArtifactPath } from '../src/artifacts/program.js';
import { loadP4Info, P4RuntimeClient } from '../src/p4runtime/index.js';
import { type RunningTarget, startTarget } from '../test/scenarios/harness/target.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 20_000);
const ROUNDS = 3;

/** The embedded target as a separate process, the way an operator runs it. */
async function startStandaloneEmbedded(): Promise<RunningTarget> {
  const port = 40000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'target', 'serve', '--grpc', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('waiting for a controller') && resolve());
    child.once('exit', (code) => reject(new Error(`genevectl target serve exited with ${code}`)));
  });
  return {
    kind: 'embedded',
    p4runtimeAddress: `127.0.0.1:${port}`,
    dataplaneAddress: '',
    deviceId: 1,
    cpuPort: 255,
    maxInFlight: 256,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

type Setup = 'embedded (same process)' | 'embedded (genevectl target serve)' | 'bmv2';

async function measure(setup: Setup): Promise<number[]> {
  const target =
    setup === 'embedded (genevectl target serve)'
      ? await startStandaloneEmbedded()
      : await startTarget(setup === 'bmv2' ? 'bmv2' : 'embedded');
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
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const entities = Array.from({ length: ENTRIES }, (_, i) =>
        client.tableEntry('overlay_mac', {
          match: { vni: 5000 + round, dst_mac: 0x020000000000 + i },
          action: 'to_remote_vtep',
          params: { tunnel_id: i & 0xffff },
        }),
      );
      const start = process.hrtime.bigint();
      await client.insert(entities);
      rates.push(ENTRIES / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    return rates;
  } finally {
    client.close();
    await target.stop();
  }
}

const bmv2 = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
const setups: Setup[] = ['embedded (same process)', 'embedded (genevectl target serve)'];
if (!bmv2.error && bmv2.status === 0) setups.push('bmv2');
else console.log('simple_switch_grpc not on PATH: measuring the embedded target only');

console.log(`P4Runtime writes: ${ROUNDS} rounds of ${ENTRIES} overlay_mac inserts per target`);
const results = new Map<Setup, number[]>();
for (const setup of setups) {
  const rates = await measure(setup);
  results.set(setup, rates);
  const shown = rates.map((r) => Math.round(r).toLocaleString('en-US').padStart(9)).join(' ');
  console.log(`  ${setup.padEnd(34)} ${shown} entries/s`);
}
const standalone = results.get('embedded (genevectl target serve)');
const reference = results.get('bmv2');
if (standalone && reference) {
  const ratios = standalone.map((r, i) => (r / reference[i]).toFixed(2));
  console.log(`  embedded (standalone) / bmv2, per round: ${ratios.join(' ')}`);
}
