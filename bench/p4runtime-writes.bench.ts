// Table writes per second through the P4Runtime client into a real server: the embedded target
// (in this process, and standalone as `genevectl target serve`, which like bmv2 has a process of its
// own), and bmv2 simple_switch_grpc when it is on PATH. Entries: the VTEP's overlay_mac table (exact
// VNI + MAC), inserted in one client call that the client splits and pipelines; three rounds of
// ENTRIES new entries each into the same target (the first one meets a cold JIT in the embedded
// target). The ratio compares the two standalone processes, round by round. Each target gets a
// client process of its own, so that both meet a cold client.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadP4Info, P4RuntimeClient } from 'p4runtime-ts-grpc';
import { programArtifactPath } from '../src/artifacts/program.js';
import { freeLoopbackPorts } from '../test/helpers/free-port.js';
import { type RunningTarget, startTarget } from '../test/scenarios/harness/target.js';
import { cpuSeconds, threadSecondsBetween, threadTimes } from './lib/process-cpu.js';
import { serveEmbeddedTarget, servingPid } from './lib/serve-target.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Which setups to run (comma-separated substrings of their names), e.g. BENCH_SETUPS=serve,bmv2. */
const ONLY = process.env.BENCH_SETUPS?.split(',');
/** Extra node flags for the standalone server, e.g. BENCH_SERVER_NODE_ARGS=--cpu-prof to profile it. */
/** BENCH_SERVER_THREADS=1 shows the server's CPU per entry by thread name, round by round. */
const THREADS = process.env.BENCH_SERVER_THREADS === '1';
/** Arguments added to `genevectl target serve`, e.g. BENCH_SERVER_ARGS='--warm-up-writes 10000'. */
const SERVER_ARGS = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
const SERVER_NODE_ARGS = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

/** CPU seconds per thread name of a process (node's own threads all count as "node" beside the main one). */
function cpuByThreadName(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const seconds = cpuSeconds(pid, Number(task));
      if (seconds === undefined) continue;
      // Node names all its threads "node"; the main thread's id is the process id.
      const comm = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
      const name = Number(task) === pid ? `${comm} (main)` : comm;
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    }
  } catch {
    // Off Linux, or the process ended.
  }
  return byName;
}

/** The process whose command line holds `needle` (the server's listening address), if any. */
function pidByCommandLine(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(needle) && !cmdline.startsWith('bash ')) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return undefined;
}

/** The embedded target as a separate process, the way an operator runs it. */
async function startStandaloneEmbedded(): Promise<RunningTarget & { pid?: number }> {
  const [port] = await freeLoopbackPorts(1);
  // BENCH_SERVER_LOG=1 shows what the server prints (e.g. with BENCH_SERVER_NODE_ARGS=--trace-gc).
  const child = await serveEmbeddedTarget(port, {
    args: SERVER_ARGS,
    nodeArgs: SERVER_NODE_ARGS,
    log: Boolean(process.env.BENCH_SERVER_LOG),
  });
  return {
    kind: 'embedded',
    pid: servingPid(child),
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

interface Rounds {
  /** How long SetForwardingPipelineConfig took, as the client saw it. */
  pipelineLoadMs: number;
  rates: number[];
  /** The server process's CPU microseconds per entry, per round (separate processes only). */
  cpuPerEntry?: number[];
  /** Of which the main thread (JavaScript; the rest is V8's compiler and GC threads, or bmv2's). */
  mainThreadCpuPerEntry?: number[];
  /** This process's CPU microseconds per entry (the client's encoding and gRPC), per round. */
  clientCpuPerEntry: number[];
}

async function measure(setup: Setup): Promise<Rounds> {
  const target: RunningTarget & { pid?: number } =
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
    const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
    const deviceConfig = readFileSync(programArtifactPath('bmv2Json'));
    const loadStart = process.hrtime.bigint();
    await client.setPipeline({ p4info, deviceConfig });
    const pipelineLoadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    // Looked up once the server answers: bmv2's launcher script has exec'd it by then.
    const pid =
      setup === 'bmv2' ? pidByCommandLine(`--grpc-server-addr ${target.p4runtimeAddress}`) : target.pid;
    const rates: number[] = [];
    const cpuPerEntry: number[] = [];
    const mainThreadCpuPerEntry: number[] = [];
    const clientCpuPerEntry: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const entities = Array.from({ length: ENTRIES }, (_, i) =>
        client.tableEntry('overlay_mac', {
          match: { vni: 5000 + round, dst_mac: 0x020000000000 + i },
          action: 'to_remote_vtep',
          params: { tunnel_id: i & 0xffff },
        }),
      );
      const threadsBefore = THREADS && pid !== undefined ? cpuByThreadName(pid) : undefined;
      const timesBefore = pid === undefined ? undefined : threadTimes(pid);
      const cpuBefore = pid === undefined ? undefined : cpuSeconds(pid);
      const mainBefore = pid === undefined ? undefined : cpuSeconds(pid, pid);
      const clientBefore = process.cpuUsage();
      const start = process.hrtime.bigint();
      await client.insert(entities);
      rates.push(ENTRIES / (Number(process.hrtime.bigint() - start) / 1e9));
      const clientCpu = process.cpuUsage(clientBefore);
      clientCpuPerEntry.push((clientCpu.user + clientCpu.system) / ENTRIES);
      const timesAfter = pid === undefined ? undefined : threadTimes(pid);
      const cpuAfter = pid === undefined ? undefined : cpuSeconds(pid);
      const mainAfter = pid === undefined ? undefined : cpuSeconds(pid, pid);
      if (threadsBefore && pid !== undefined) {
        const shown = [...cpuByThreadName(pid)]
          .map(([name, s]) => [name, ((s - (threadsBefore.get(name) ?? 0)) / ENTRIES) * 1e6] as const)
          .filter(([, us]) => us > 0)
          .map(([name, us]) => `${name} ${us.toFixed(1)}`);
        console.error(`  ${setup} round ${round + 1}, server CPU µs/entry by thread: ${shown.join(', ')}`);
      }
      const precise = timesBefore && timesAfter ? threadSecondsBetween(timesBefore, timesAfter) : undefined;
      if (precise !== undefined) cpuPerEntry.push((precise / ENTRIES) * 1e6);
      else if (cpuBefore !== undefined && cpuAfter !== undefined)
        cpuPerEntry.push(((cpuAfter - cpuBefore) / ENTRIES) * 1e6);
      const mainNs = (times: ReadonlyMap<string, number> | undefined) => times?.get(String(pid));
      const [mainNs0, mainNs1] = [mainNs(timesBefore), mainNs(timesAfter)];
      if (mainNs0 !== undefined && mainNs1 !== undefined)
        mainThreadCpuPerEntry.push((mainNs1 - mainNs0) / 1e3 / ENTRIES);
      else if (mainBefore !== undefined && mainAfter !== undefined)
        mainThreadCpuPerEntry.push(((mainAfter - mainBefore) / ENTRIES) * 1e6);
    }
    return {
      pipelineLoadMs,
      rates,
      cpuPerEntry: cpuPerEntry.length === ROUNDS ? cpuPerEntry : undefined,
      mainThreadCpuPerEntry: mainThreadCpuPerEntry.length === ROUNDS ? mainThreadCpuPerEntry : undefined,
      clientCpuPerEntry,
    };
  } finally {
    client.close();
    await target.stop();
  }
}

/**
 * Each target is measured by a client in a fresh process of its own (this file again, with
 * BENCH_WRITES_SETUP naming the target): the client's JIT warms up during the first rounds it runs,
 * and a client shared across targets would charge its cold start to whichever target came first.
 */
function measureInOwnProcess(setup: Setup): Rounds {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_WRITES_SETUP: setup },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT));
  if (child.status !== 0 || line === undefined)
    throw new Error(`measuring ${setup} failed (exit ${child.status}): ${child.stdout}`);
  return JSON.parse(line.slice(RESULT.length)) as Rounds;
}

const RESULT = 'writes-bench-result ';
const one = process.env.BENCH_WRITES_SETUP as Setup | undefined;
if (one !== undefined) {
  console.log(RESULT + JSON.stringify(await measure(one)));
  process.exit(0);
}

const bmv2 = spawnSync('simple_switch_grpc', ['--version'], { encoding: 'utf8' });
let setups: Setup[] = ['embedded (same process)', 'embedded (genevectl target serve)'];
if (!bmv2.error && bmv2.status === 0) setups.push('bmv2');
else console.log('simple_switch_grpc not on PATH: measuring the embedded target only');
if (ONLY) setups = setups.filter((s) => ONLY.some((o) => s.includes(o)));

console.log(
  `P4Runtime writes: ${ROUNDS} rounds of ${ENTRIES} overlay_mac inserts per target, each from a fresh client process`,
);
const results = new Map<Setup, Rounds>();
for (const setup of setups) {
  const rounds = measureInOwnProcess(setup);
  results.set(setup, rounds);
  const shown = rounds.rates.map((r) => Math.round(r).toLocaleString('en-US').padStart(9)).join(' ');
  const cpu = rounds.cpuPerEntry
    ? `; server CPU ${rounds.cpuPerEntry.map((c) => c.toFixed(2)).join(' ')} µs/entry` +
      (rounds.mainThreadCpuPerEntry
        ? ` (main thread ${rounds.mainThreadCpuPerEntry.map((c) => c.toFixed(2)).join(' ')})`
        : '')
    : '';
  // In the same process, the client's CPU time holds the target's too.
  const whose = setup === 'embedded (same process)' ? 'client and target CPU' : 'client CPU';
  const clientCpu = `; ${whose} ${rounds.clientCpuPerEntry.map((c) => c.toFixed(2)).join(' ')} µs/entry`;
  console.log(`  ${setup.padEnd(34)} ${shown} entries/s${cpu}${clientCpu}`);
  console.log(
    `  ${''.padEnd(34)} pipeline load (SetForwardingPipelineConfig) ${rounds.pipelineLoadMs.toFixed(0)} ms`,
  );
}
const standalone = results.get('embedded (genevectl target serve)');
const reference = results.get('bmv2');
if (standalone && reference) {
  const ratios = standalone.rates.map((r, i) => (r / reference.rates[i]).toFixed(2));
  console.log(`  embedded (standalone) / bmv2, entries/s per round: ${ratios.join(' ')}`);
  const [own, theirs] = [standalone.cpuPerEntry, reference.cpuPerEntry];
  if (own && theirs) {
    const cpuRatios = theirs.map((c, i) => (c / own[i]).toFixed(2));
    console.log(`  bmv2 / embedded (standalone), server CPU per entry per round: ${cpuRatios.join(' ')}`);
  }
}
