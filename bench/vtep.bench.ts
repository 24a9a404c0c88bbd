// Packets per second through the Geneve VTEP program (bmv2/geneve_vtep.json), configured through the
// controller, on the encapsulation and decapsulation paths (bench/lib/vtep-frames.ts), for the
// example fabric and for the large fabric (1,000 tenants, 10,000 policies, 64,000 workloads:
// bench/lib/large-fabric.ts).
//
// Like with like: each target runs as a process of its own (`genevectl target serve`, and bmv2's
// simple_switch_grpc through bmv2/run-switch.sh with its log off), and both replay the same pcap
// file into a port and write what leaves to pcap files. The rate counts every frame that came out,
// from the first to the last output record's timestamp; frames that did not come out are reported.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { type FabricIntent, loadFabricIntent, VtepController } from '../src/controller/index.js';
import { readPcap, writePcap } from '../src/packet/index.js';
import { freeLoopbackPorts } from '../test/helpers/free-port.js';
import { largeFabric } from './lib/large-fabric.js';
import { type BenchFrame, EXAMPLE_CASES, LARGE_CASES } from './lib/vtep-frames.js';

const FRAMES = Number(process.env.BENCH_PCAP_FRAMES ?? 20_000);
/** Seconds a target waits before replaying, for the controller to configure it (large fabric). */
const LARGE_WAIT = Number(process.env.BENCH_LARGE_WAIT ?? 25);
/** Arguments added to `genevectl target serve`, e.g. BENCH_SERVER_ARGS='--inlining-budget 920'. */
const SERVER_ARGS = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];

type Kind = 'embedded' | 'bmv2';
interface Fabric {
  readonly name: string;
  readonly intent: () => FabricIntent;
  readonly cases: Record<'encap' | 'decap', BenchFrame>;
  /** Seconds between the first commit (embedded) or the start (bmv2) and the replay. */
  readonly waitSeconds: number;
}

const FABRICS: Fabric[] = [
  {
    name: 'example fabric',
    intent: () => loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml')),
    cases: EXAMPLE_CASES,
    waitSeconds: 4,
  },
  { name: 'large fabric', intent: largeFabric, cases: LARGE_CASES, waitSeconds: LARGE_WAIT },
];

interface Result {
  readonly rate: number;
  readonly received: number;
}

function startProcess(kind: Kind, grpc: string, dir: string, wait: number): ChildProcess {
  const args =
    kind === 'bmv2'
      ? [
          join(PACKAGE_ROOT, 'bmv2', 'run-switch.sh'),
          '--grpc',
          grpc,
          '--pcap-dir',
          dir,
          '--pcap-wait',
          `${wait}`,
        ]
      : [
          '--import',
          'tsx',
          join(PACKAGE_ROOT, 'src', 'cli', 'main.ts'),
          'target',
          'serve',
          '--grpc',
          grpc,
        ].concat(['--pcap-dir', dir, '--pcap-wait', `${wait}`], SERVER_ARGS);
  return spawn(kind === 'bmv2' ? 'bash' : process.execPath, args, { stdio: 'ignore' });
}

/** Timestamps (ns) of the complete records of the output files; bmv2 may be writing one. */
function outputTimes(dir: string): number[] {
  const times: number[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_out.pcap'))) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    if (bytes.length < 24) continue;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    let complete = 24;
    while (complete + 16 <= bytes.length) {
      const next = complete + 16 + view.getUint32(complete + 8, true);
      if (next > bytes.length) break;
      complete = next;
    }
    for (const p of readPcap(bytes.subarray(0, complete)).packets)
      times.push(p.seconds * 1e9 + p.nanoseconds);
  }
  return times.sort((a, b) => a - b);
}

async function measure(kind: Kind, fabric: Fabric, frame: BenchFrame): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'vtep-bench-'));
  writeFileSync(
    join(dir, `port${frame.port}_in.pcap`),
    writePcap(Array.from({ length: FRAMES }, () => ({ data: frame.bytes }))),
  );
  const grpc = `127.0.0.1:${(await freeLoopbackPorts(1))[0]}`;
  const started = Date.now();
  const child = startProcess(kind, grpc, dir, fabric.waitSeconds);
  try {
    const client = await P4RuntimeClient.connect({
      address: grpc,
      deviceId: 1,
      electionId: 1n,
      waitForPrimary: true,
    });
    const controller = new VtepController(client);
    await controller.pushProgram();
    const committed = Date.now();
    await controller.apply(fabric.intent());
    client.close();
    // bmv2 counts its wait from its start, the embedded target from the first commit.
    const configured = (Date.now() - (kind === 'bmv2' ? started : committed)) / 1000;
    if (configured > fabric.waitSeconds)
      throw new Error(`${kind}: configuring took ${configured.toFixed(1)} s, more than the replay wait`);
    // Done once every frame came out, or nothing new came for 3 s after the replay began.
    const replayStart = () => (kind === 'bmv2' ? started : committed) + fabric.waitSeconds * 1000;
    let seen = 0;
    let quietSince = Date.now();
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const n = outputTimes(dir).length;
      if (n !== seen) {
        seen = n;
        quietSince = Date.now();
      }
      if (seen >= FRAMES) break;
      const replayBegan = Date.now() > replayStart();
      if (replayBegan && Date.now() - Math.max(quietSince, replayStart()) > 3000) break;
    }
    const times = outputTimes(dir);
    if (times.length < 2)
      throw new Error(`${kind} ${fabric.name}: ${times.length} of ${FRAMES} frames came out`);
    const seconds = (times[times.length - 1] - times[0]) / 1e9;
    return { rate: (times.length - 1) / seconds, received: times.length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasBmv2 = (() => {
  const r = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
})();
if (!hasBmv2) console.log('simple_switch_grpc is not on PATH: embedded target only');
const only = process.env.BENCH_FABRIC;

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const table = new Table({
  head: [
    'fabric, path',
    'embedded packets/s',
    'bmv2 packets/s',
    'embedded / bmv2',
    'frames out (embedded, bmv2)',
  ],
});
for (const fabric of FABRICS.filter((f) => !only || f.name.startsWith(only))) {
  for (const path of ['encap', 'decap'] as const) {
    const embedded = await measure('embedded', fabric, fabric.cases[path]);
    const bmv2 = hasBmv2 ? await measure('bmv2', fabric, fabric.cases[path]) : undefined;
    table.push([
      `${fabric.name}, ${path}`,
      fmt(embedded.rate),
      fmt(bmv2?.rate),
      bmv2 ? `${(embedded.rate / bmv2.rate).toFixed(2)}×` : 'n/a',
      `${embedded.received}/${FRAMES}, ${bmv2 ? `${bmv2.received}/${FRAMES}` : 'n/a'}`,
    ]);
  }
}
console.log(
  `packets/s, ${FRAMES} frames replayed from a pcap file into each target process, one frame out each`,
);
console.log(table.toString());
