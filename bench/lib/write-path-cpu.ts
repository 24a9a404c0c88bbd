// The controller's CPU in the Write path of a first apply, apart from planning and from any device:
// device 0's first-apply writes of the benchmark fabric (fabric-writes.ts: the plan's bytes, phases,
// chunks of 10,000, Writes of 400 updates, 4 in flight, as reconcile.ts makes them) sent ROUNDS
// times by the P4Runtime client to a sink (write-sink.ts, its own process, answers every Write
// without decoding it). Each round prints this process's CPU (process.cpuUsage, the collector's
// threads included) and per update: the client's encoding of the requests, grpc-js and HTTP/2 per
// call, the answers, the promises. CPU, not wall time: for A/B comparisons on a loaded host.
// Run: npx tsx bench/lib/write-path-cpu.ts  (ROUNDS, default 8; BATCH, updates per Write, default
// reconcile.ts's; IN_FLIGHT, default 4; WRITE_CHANNEL, the write channel's grpc-js options as JSON;
// SINK=none: no RPC, each request answered at once, for the client's own part; RAW_HTTP2=1: each
// request sent on a bare Node HTTP/2 stream instead of through grpc-js, for what grpc-js costs;
// PROFILE=1: a CPU profile of the rounds, the functions with the most self time printed).
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import { Session } from 'node:inspector/promises';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { freeLoopbackPorts } from '../../test/helpers/free-port.js';
import { BATCH, fabricWrites } from './fabric-writes.js';
import { type CpuProfile, topSelfTime } from './process-cpu.js';

/** The grpc-js stub's `write`, as write.ts calls it. */
type WriteStub = (
  request: unknown,
  metadata: unknown,
  options: unknown,
  done: (e: Error | null) => void,
) => void;

const ROUNDS = Number(process.env.ROUNDS ?? 8);
const batchSize = Number(process.env.BATCH ?? BATCH);
const maxInFlight = Number(process.env.IN_FLIGHT ?? 4);
const chunks = await fabricWrites();
const total = chunks.reduce((n, c) => n + c.updates.length, 0);

const [port] = await freeLoopbackPorts(1);
const sink = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/write-sink.ts', String(port)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  sink.stdout?.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
  sink.once('exit', (code) => reject(new Error(`write-sink exited with ${code}`)));
});
const client = await P4RuntimeClient.connect({
  address: `127.0.0.1:${port}`,
  arbitrate: false,
  electionId: 1,
  ...(process.env.WRITE_CHANNEL ? { writeChannelOptions: JSON.parse(process.env.WRITE_CHANNEL) } : {}),
});
const session = process.env.PROFILE === '1' ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
// What grpc-js costs: the same requests as gRPC messages on a bare Node HTTP/2 stream each (no
// deadline timer, keepalive, retry or status details: a measurement, not a transport).
const raw = process.env.RAW_HTTP2 === '1' ? http2.connect(`http://127.0.0.1:${port}`) : undefined;
if (raw) {
  const stub = (client as unknown as { writeStub: { write: WriteStub } }).writeStub;
  stub.write = (request: unknown, _m: unknown, _o: unknown, done: (e: Error | null) => void) => {
    const bytes = request as Uint8Array;
    const stream = raw.request({
      ':method': 'POST',
      ':path': '/p4.v1.P4Runtime/Write',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '30000m',
    });
    const head = Buffer.allocUnsafe(5);
    head[0] = 0;
    head.writeUInt32BE(bytes.length, 1);
    stream.write(head);
    stream.end(bytes);
    stream.on('data', () => {});
    stream.on('trailers', (t) =>
      done(t['grpc-status'] === '0' ? null : new Error(String(t['grpc-message']))),
    );
    stream.on('error', done);
  };
}
if (process.env.SINK === 'none') {
  // The client's side alone: each request serialized as grpc-js would, then answered at once.
  const stub = (client as unknown as { writeStub: { write: WriteStub } }).writeStub;
  stub.write = (request: unknown, _m: unknown, _o: unknown, done: (e: Error | null) => void) => {
    if (!(request instanceof Uint8Array)) p4.v1.WriteRequest.encode(request as p4.v1.IWriteRequest).finish();
    setImmediate(() => done(null));
  };
}
try {
  const times: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const chunk of chunks) await client.write(chunk.updates, { batchSize, maxInFlight });
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;
    times.push(ms);
    console.log(
      `round ${round}: ${total} updates in ${Math.ceil(total / batchSize)}+ Writes of ${batchSize}, ` +
        `CPU ${ms.toFixed(0)} ms (${((ms * 1000) / total).toFixed(2)} µs per update), ` +
        `wall ${(performance.now() - started).toFixed(0)} ms`,
    );
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms ` +
      `(rounds 2 on: the first warms the JIT)`,
  );
  if (session) {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    for (const line of topSelfTime(profile, 30)) console.log(line);
  }
} finally {
  raw?.close();
  await client.close();
  sink.kill();
}
