// Packets per second through the Geneve VTEP program (bmv2/geneve_vtep.json), configured with the
// example fabric through the controller, on the encapsulation path (access port -> Geneve over IPv4)
// and the decapsulation path (Geneve from a trusted member -> access port, policy allowed).
//  - embedded, in process: the engine alone, on one core (no gRPC);
//  - over the dataplane service: frames streamed over gRPC (p4.bm.DataplaneInterface) until every
//    output has come back, for the embedded target and, when installed, real bmv2 simple_switch_grpc.
// The target: the embedded engine at least as fast as bmv2 on the same machine.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';
import { loadFabricIntent, VtepController } from '../src/controller/index.js';
import { DataplaneClient } from '../src/dataplane/client.js';
import { P4RuntimeClient } from '../src/p4runtime/index.js';
import { buildFrame, encapsulate, securityIdOption, writePcap } from '../src/packet/index.js';
import { startEmbeddedTarget } from '../src/target/index.js';
import { startTarget, type TargetKind } from '../test/scenarios/harness/target.js';
import { medianRate } from './lib/rate.js';

const FRAMES_OVER_GRPC = Number(process.env.BENCH_FRAMES ?? 20_000);
const FRAMES_FROM_PCAP = Number(process.env.BENCH_PCAP_FRAMES ?? 20_000);
const WINDOW = 256;

const inner = (dst: string, src: string) =>
  buildFrame([
    { kind: 'ethernet', dst, src },
    { kind: 'ipv4', src: '192.168.10.1', dst: '192.168.10.11' },
    { kind: 'tcp', srcPort: 40000, dstPort: 443 },
    { kind: 'payload', data: new Uint8Array(64).fill(7) },
  ]);
const CASES = {
  encap: { port: 1, bytes: inner('02:00:00:00:0a:11', '02:00:00:00:0a:01') },
  decap: {
    port: 5,
    bytes: encapsulate(inner('02:00:00:00:0a:01', '02:00:00:00:0a:11'), {
      vni: 5000,
      outer: {
        srcMac: '02:bb:00:00:00:05',
        dstMac: '02:aa:00:00:00:05',
        srcIp: '10.0.0.2',
        dstIp: '10.0.0.1',
      },
      options: [securityIdOption({ optionClass: 0xfff0, type: 1, critical: false, id: 900 })],
    }),
  },
} as const;
type CaseName = keyof typeof CASES;

async function configure(address: string, deviceId: number): Promise<P4RuntimeClient> {
  const client = await P4RuntimeClient.connect({ address, deviceId, electionId: 1n, waitForPrimary: true });
  const controller = new VtepController(client);
  await controller.pushProgram();
  await controller.apply(loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml')));
  return client;
}

async function inProcess(): Promise<Record<CaseName, number>> {
  const target = await startEmbeddedTarget({
    grpcAddress: '127.0.0.1:0',
    cpuPort: 255,
    ports: 8,
    deviceId: 1,
  });
  const client = await configure(target.grpcAddress, 1);
  const out: Partial<Record<CaseName, number>> = {};
  try {
    let emitted = 0;
    target.dataplane.onOutput(() => {
      emitted++;
    });
    for (const name of Object.keys(CASES) as CaseName[]) {
      const { port, bytes } = CASES[name];
      emitted = 0;
      let sent = 0;
      out[name] = medianRate(() => {
        sent++;
        return target.dataplane.inject(port, bytes);
      }, 1000);
      if (emitted !== sent)
        throw new Error(`${name}: ${sent} frames in, ${emitted} out: the fabric is not forwarding`);
    }
  } finally {
    client.close();
    await target.stop();
  }
  return out as Record<CaseName, number>;
}

async function overGrpc(kind: TargetKind): Promise<Record<CaseName, number>> {
  const target = await startTarget(kind);
  const client = await configure(target.p4runtimeAddress, target.deviceId);
  const dataplane = await DataplaneClient.connect({
    address: target.dataplaneAddress,
    deviceId: target.deviceId,
  });
  const out: Partial<Record<CaseName, number>> = {};
  try {
    for (const name of Object.keys(CASES) as CaseName[]) {
      const { port, bytes } = CASES[name];
      // Warm-up, then the measured run in windows: a software switch drops what overflows its
      // input queue, so at most WINDOW frames are in flight; every frame yields exactly one output.
      await dataplane.collectExactly([dataplane.send(port, bytes)], 1);
      // A window that lost a frame (bmv2 drops a few when its queues fill) waits out its timeout;
      // such windows are reported and left out of the rate, which covers complete windows only.
      let received = 0;
      let counted = 0;
      let countedNs = 0n;
      for (let sent = 0; sent < FRAMES_OVER_GRPC; sent += WINDOW) {
        const windowStart = process.hrtime.bigint();
        const ids = Array.from({ length: Math.min(WINDOW, FRAMES_OVER_GRPC - sent) }, () =>
          dataplane.send(port, bytes),
        );
        const outputs = await dataplane.collectExactly(ids, ids.length, 1000);
        const got = [...outputs.values()].reduce((n, o) => n + o.length, 0);
        received += got;
        if (got === ids.length) {
          counted += got;
          countedNs += process.hrtime.bigint() - windowStart;
        }
      }
      if (received < FRAMES_OVER_GRPC * 0.9)
        throw new Error(`${kind} ${name}: ${received} of ${FRAMES_OVER_GRPC} frames came out`);
      if (received < FRAMES_OVER_GRPC)
        console.log(
          `${kind} over gRPC, ${name}: ${FRAMES_OVER_GRPC - received} of ${FRAMES_OVER_GRPC} frames dropped`,
        );
      out[name] = counted / (Number(countedNs) / 1e9);
    }
  } finally {
    dataplane.close();
    client.close();
    await target.stop();
  }
  return out as Record<CaseName, number>;
}

/**
 * bmv2's own rate, without gRPC in the way: the frames are replayed from a pcap file
 * (simple_switch --use-files) once the program is configured, and the rate is taken from the first
 * to the last frame written to the output pcap.
 */
async function bmv2FromPcap(name: CaseName): Promise<number> {
  const { port, bytes } = CASES[name];
  const dir = mkdtempSync(join(tmpdir(), 'vtep-bench-'));
  writeFileSync(
    join(dir, `port${port}_in.pcap`),
    writePcap(Array.from({ length: FRAMES_FROM_PCAP }, () => ({ data: bytes }))),
  );
  const grpcPort = 40000 + Math.floor(Math.random() * 20000);
  const switchProcess = spawn(
    'bash',
    [
      join(PACKAGE_ROOT, 'bmv2', 'run-switch.sh'),
      '--grpc',
      `127.0.0.1:${grpcPort}`,
      '--pcap-dir',
      dir,
      '--pcap-wait',
      '4',
    ],
    { stdio: 'ignore' },
  );
  try {
    const client = await configure(`127.0.0.1:${grpcPort}`, 1);
    client.close();
    const outputs = () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('_out.pcap'))
        .map((f) => join(dir, f));
    // Counts complete records only: bmv2 may be in the middle of writing one.
    const records = (file: string) => {
      const b = readFileSync(file);
      let n = 0;
      for (let off = 24; off + 16 <= b.length; n++) {
        const next = off + 16 + b.readUInt32LE(off + 8);
        if (next > b.length) break;
        off = next;
      }
      return n;
    };
    const packetsOut = () => outputs().reduce((n, f) => n + records(f), 0);
    // From the first output to the last one; the replay is over once nothing new came for 2 s
    // (bmv2 may drop a few frames when its queues fill up, and says so only in its log).
    let first = 0n;
    let last = 0n;
    let seen = 0;
    const deadline = Date.now() + 120_000;
    for (let quietSince = Date.now(); Date.now() < deadline; ) {
      const n = packetsOut();
      const now = process.hrtime.bigint();
      if (n > 0 && first === 0n) first = now;
      if (n !== seen) {
        seen = n;
        last = now;
        quietSince = Date.now();
      }
      if (seen >= FRAMES_FROM_PCAP || (seen > 0 && Date.now() - quietSince > 2000)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (seen < FRAMES_FROM_PCAP * 0.9)
      throw new Error(`bmv2 pcap ${name}: ${seen} of ${FRAMES_FROM_PCAP} frames came out`);
    if (seen < FRAMES_FROM_PCAP)
      console.log(
        `bmv2 from pcap, ${name}: ${FRAMES_FROM_PCAP - seen} of ${FRAMES_FROM_PCAP} frames dropped by bmv2`,
      );
    return (seen - 1) / (Number(last - first) / 1e9);
  } finally {
    switchProcess.kill('SIGTERM');
  }
}

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const hasBmv2 = (() => {
  const r = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
})();

const engine = await inProcess();
const embeddedGrpc = await overGrpc('embedded');
const bmv2Grpc = hasBmv2 ? await overGrpc('bmv2') : undefined;
const bmv2Pcap = hasBmv2
  ? { encap: await bmv2FromPcap('encap'), decap: await bmv2FromPcap('decap') }
  : undefined;
if (!hasBmv2) console.log('simple_switch_grpc is not on PATH: no bmv2 column');

const table = new Table({
  head: [
    'Geneve VTEP path',
    'embedded engine (in process)',
    'bmv2 (pcap files)',
    'embedded over gRPC',
    'bmv2 over gRPC',
  ],
});
for (const name of Object.keys(CASES) as CaseName[]) {
  table.push([
    name,
    fmt(engine[name]),
    fmt(bmv2Pcap?.[name]),
    fmt(embeddedGrpc[name]),
    fmt(bmv2Grpc?.[name]),
  ]);
}
console.log('packets/s, one frame in, one frame out');
console.log(table.toString());
if (bmv2Grpc && bmv2Pcap) {
  for (const name of Object.keys(CASES) as CaseName[]) {
    const engineVerdict = engine[name] >= bmv2Pcap[name] ? 'PASS' : 'FAIL';
    const grpcVerdict = embeddedGrpc[name] >= bmv2Grpc[name] ? 'PASS' : 'FAIL';
    console.log(
      `${name}: embedded engine ${fmt(engine[name])} vs bmv2 ${fmt(bmv2Pcap[name])} from pcap files: ${engineVerdict}`,
    );
    console.log(
      `${name}: embedded ${fmt(embeddedGrpc[name])} vs bmv2 ${fmt(bmv2Grpc[name])} over the same gRPC path: ${grpcVerdict}`,
    );
  }
}
