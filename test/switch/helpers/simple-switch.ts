// Differential testing against the real bmv2 simple_switch_grpc: runs the binary with
// `--use-files` (one pcap file pair per port), feeds input packets and reads back what it sent.
// Enabled by P4_DIFF=1 when the binary is installed (SIMPLE_SWITCH_GRPC overrides its path).
//
// Table entries cannot be installed without a P4Runtime client, so programs are prepared by
// `withEntries`, which writes the entries into the JSON as `entries` (bmv2 then treats them as
// const entries: same matching, priorities translated as PI does).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { P4RuntimeClient } from 'p4runtime-ts-grpc';
import { readPcap, writePcap } from '../../../src/packet/pcap.js';
import type { MatchFieldValue } from '../../../src/switch/v1model/index.js';
import { freeLoopbackPort } from '../../helpers/free-port.js';

export const SIMPLE_SWITCH = process.env.SIMPLE_SWITCH_GRPC ?? 'simple_switch_grpc';

/** True when differential tests were requested and the binary runs. */
export function differentialEnabled(): boolean {
  if (process.env.P4_DIFF !== '1') return false;
  const r = spawnSync(SIMPLE_SWITCH, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export interface InputPacket {
  readonly port: number;
  readonly bytes: Uint8Array;
}

/**
 * What simple_switch's debug log says about every packet: how many arrived from the pcap files,
 * how many copies are still inside the switch, and how many it transmitted. Each copy is opened by
 * an arrival ("Processing packet received", copy 0) or a replica ("Replicating packet on port",
 * multicast and clone sessions alike) and closed by a transmission or a drop at the end of ingress
 * or egress; a multicast original closes at "Multicast requested" (simple_switch discards it and
 * sends replicas). A resubmitted or recirculated copy stays open through its re-entry, so the count
 * never dips to zero between the two lines. Those are the lines simple_switch.cpp's ingress,
 * egress and transmit threads print for every packet at log level debug.
 */
export class SwitchLogAccount {
  arrived = 0;
  open = 0;
  transmitted = 0;
  /** Transmissions per egress port. */
  readonly transmittedTo = new Map<number, number>();
  private partial = '';

  add(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /\[(\d+)\.(\d+)\] \[cxt \d+\] (.*)$/.exec(line);
      if (!m) continue;
      const copy = Number(m[2]);
      const event = m[3];
      if (event.startsWith('Processing packet received')) {
        if (copy === 0) {
          this.arrived++;
          this.open++;
        }
      } else if (
        event.startsWith('Replicating packet on port') ||
        /^Cloning packet to (egress )?port/.test(event)
      ) {
        this.open++;
      } else if (event.startsWith('Transmitting packet')) {
        this.open--;
        this.transmitted++;
        const port = Number(/out of port (\d+)/.exec(event)?.[1]);
        this.transmittedTo.set(port, (this.transmittedTo.get(port) ?? 0) + 1);
      } else if (
        event.startsWith('Dropping packet at the end of') ||
        event.startsWith('Multicast requested')
      ) {
        this.open--;
      }
    }
  }
}

/**
 * Complete records in the bytes of a pcap file that may still be being written: a record whose
 * header or data is cut short (a write in progress) is not counted, nor is a file shorter than its
 * 24-byte header (libpcap's dumper buffers the header until the first flush). Either byte order.
 */
export function completePcapRecords(bytes: Uint8Array): number {
  if (bytes.length < 24) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magics = [0xa1b2c3d4, 0xa1b23c4d];
  const little = magics.includes(view.getUint32(0, true));
  if (!little && !magics.includes(view.getUint32(0, false)))
    throw new Error(`not a pcap file: magic 0x${view.getUint32(0, false).toString(16)}`);
  let records = 0;
  for (let o = 24; o + 16 <= bytes.length; records++) {
    const end = o + 16 + view.getUint32(o + 8, little);
    if (end > bytes.length) break;
    o = end;
  }
  return records;
}

/**
 * The ports whose pcap file holds fewer frames than the log says were sent out of them.
 * simple_switch's transmit thread logs "Transmitting packet" before it hands the frame to the
 * pcap writer (simple_switch.cpp transmit_thread, then PcapFileOut::writePacket, which flushes each
 * record), so the log runs ahead of the files; the switch may be stopped only once this is empty.
 */
export function pcapsBehindLog(
  account: SwitchLogAccount,
  ports: readonly number[],
  recordsOn: (port: number) => number,
): { port: number; logged: number; written: number }[] {
  return ports
    .map((port) => ({ port, logged: account.transmittedTo.get(port) ?? 0, written: recordsOn(port) }))
    .filter((p) => p.written < p.logged);
}

/**
 * Runs `json` on simple_switch_grpc with the given packets (sent in order, 20 ms apart) and returns
 * the frames it transmitted, per port, in order. `ports` lists every port to attach.
 *
 * The switch is stopped once every packet is accounted for, never after a quiet period: all input
 * read, every packet arrived, no copy left inside ({@link SwitchLogAccount}), at least
 * `expectedTransmissions` transmitted (what the embedded engine sent for the same packets: this
 * also covers the moment between a multicast's "Multicast requested" and its replicas), and every
 * transmitted frame written to its port's pcap file ({@link pcapsBehindLog}). The condition is
 * checked again on every line of log and every change to the pcap files (fs.watch), never on a
 * clock. A switch that never gets there fails after a generous bound, saying what was missing.
 */
export async function runSimpleSwitch(
  json: unknown,
  packets: readonly InputPacket[],
  ports: readonly number[],
  expectedTransmissions: number,
  p4runtime?: { readonly p4info: unknown; readonly setup: (client: P4RuntimeClient) => Promise<void> },
): Promise<Map<number, Uint8Array[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'ssw-diff-'));
  try {
    writeFileSync(join(dir, 'program.json'), JSON.stringify(json));
    for (const port of ports) {
      const mine = packets
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => p.port === port)
        .map(({ p, i }) => ({
          data: p.bytes,
          seconds: 1 + Math.floor((i * 20) / 1000),
          nanoseconds: ((i * 20) % 1000) * 1_000_000,
        }));
      writeFileSync(join(dir, `p${port}_in.pcap`), writePcap(mine));
    }
    // With P4Runtime, the program is pushed over gRPC (PI needs the P4Info) during the delay before
    // the pcap files are read. A setup that finished only after the reading began is detected
    // (bmv2 logs "first packet time" when it starts) and the run repeated with twice the delay.
    for (let setupSeconds = P4RUNTIME_SETUP_SECONDS; ; setupSeconds *= 2) {
      const out = await runOnce(dir, packets, ports, expectedTransmissions, setupSeconds, p4runtime);
      if (out !== 'setup-too-late') return out;
      if (setupSeconds >= 32)
        throw new Error('configuring simple_switch_grpc over P4Runtime kept missing its delay');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bytes of `path`, empty while the file does not exist yet. */
function readIfPresent(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
    throw e;
  }
}

async function runOnce(
  dir: string,
  packets: readonly InputPacket[],
  ports: readonly number[],
  expectedTransmissions: number,
  setupSeconds: number,
  p4runtime?: { readonly p4info: unknown; readonly setup: (client: P4RuntimeClient) => Promise<void> },
): Promise<Map<number, Uint8Array[]> | 'setup-too-late'> {
  const grpcPort = await freeLoopbackPort();
  const args = [
    '--use-files',
    p4runtime ? String(setupSeconds) : '0',
    ...ports.flatMap((p) => ['-i', `${p}@p${p}`]),
    '--log-console',
    '-L',
    'debug',
    ...(p4runtime ? ['--no-p4'] : ['program.json']),
    '--',
    '--grpc-server-addr',
    `127.0.0.1:${grpcPort}`,
  ];
  const outPath = (port: number) => join(dir, `p${port}_out.pcap`);
  const recordsOn = (port: number) => completePcapRecords(readIfPresent(outPath(port)));
  let setupError: unknown;
  let setupLate = false;
  let setupDone = p4runtime === undefined;
  const account = new SwitchLogAccount();
  const json = JSON.parse(readFileSync(join(dir, 'program.json'), 'utf8')) as unknown;
  await new Promise<string>((resolve, reject) => {
    let log = '';
    let inputDone = false;
    let timedOut = false;
    let stopping = false;
    const accounted = () =>
      setupDone &&
      inputDone &&
      account.arrived === packets.length &&
      account.open === 0 &&
      account.transmitted >= expectedTransmissions;
    // Watched before the switch starts, so that no write to its pcap files goes unseen.
    const watcher = watch(dir, () => check());
    const child = spawn(SIMPLE_SWITCH, args, { cwd: dir });
    const stop = () => {
      stopping = true;
      child.kill('SIGTERM');
    };
    // The pcap files are read only once the log accounts for everything (the log runs ahead).
    function check(): void {
      if (!stopping && accounted() && pcapsBehindLog(account, ports, recordsOn).length === 0) stop();
    }
    if (p4runtime) {
      configure(`127.0.0.1:${grpcPort}`, json, p4runtime).then(
        () => {
          setupDone = true;
          if (log.includes('Pcap reader: first packet time')) {
            setupLate = true;
            stop();
          } else check();
        },
        (e: unknown) => {
          setupError = e;
          stop();
        },
      );
    }
    // The log is one stream (--log-console): stdout. stderr is kept for error messages.
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      log += text;
      account.add(text);
      if (log.includes('end of all input files')) inputDone = true;
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
    });
    // A safety net only: a switch that accounts for everything is stopped long before.
    const bound = setTimeout(
      () => {
        timedOut = true;
        stop();
      },
      SWITCH_BOUND_MS + setupSeconds * 1000,
    );
    child.on('error', (e) => {
      clearTimeout(bound);
      watcher.close();
      reject(e);
    });
    child.on('exit', () => {
      clearTimeout(bound);
      watcher.close();
      if (setupError !== undefined)
        reject(new Error(`configuring simple_switch_grpc over P4Runtime failed: ${String(setupError)}`));
      else if (setupLate) resolve('late');
      else if (timedOut) {
        const behind = pcapsBehindLog(account, ports, recordsOn)
          .map((p) => `port ${p.port}: ${p.written} of ${p.logged} in its pcap`)
          .join(', ');
        reject(
          new Error(
            `simple_switch_grpc did not account for every packet within ${SWITCH_BOUND_MS} ms: ` +
              `input ${inputDone ? 'read' : 'not read'}, ${account.arrived} of ${packets.length} arrived, ` +
              `${account.open} still inside, ${account.transmitted} of ${expectedTransmissions} transmitted` +
              `${behind ? `; pcap files behind the log: ${behind}` : ''}\n` +
              log.slice(-3000),
          ),
        );
      } else resolve(log);
    });
  });
  const out = new Map<number, Uint8Array[]>();
  for (const port of ports) {
    const bytes = readIfPresent(outPath(port));
    out.set(port, bytes.length === 0 ? [] : readPcap(bytes).packets.map((p) => new Uint8Array(p.data)));
  }
  if (setupLate) return 'setup-too-late';
  for (const [port, frames] of out) {
    const logged = account.transmittedTo.get(port) ?? 0;
    if (frames.length !== logged)
      throw new Error(
        `simple_switch_grpc logged ${logged} transmissions on port ${port}, its pcap holds ${frames.length}`,
      );
  }
  return out;
}

/** Generous bound for one run of simple_switch_grpc; only a switch that lost a packet reaches it. */
const SWITCH_BOUND_MS = 40_000;

/** Seconds simple_switch_grpc waits before reading its pcap files when it is configured over P4Runtime. */
const P4RUNTIME_SETUP_SECONDS = 4;

/** Connects as primary, pushes the program and runs the caller's writes. */
async function configure(
  address: string,
  json: unknown,
  p4runtime: { readonly p4info: unknown; readonly setup: (client: P4RuntimeClient) => Promise<void> },
): Promise<void> {
  let client: P4RuntimeClient | undefined;
  // The server needs a moment to start listening: retried until it does, within a generous bound.
  const deadline = Date.now() + 60_000;
  while (!client) {
    try {
      client = await P4RuntimeClient.connect({
        address,
        waitForPrimary: true,
        connectTimeoutMs: 500,
        reconnect: false,
      });
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    await client.setPipeline({
      p4info: p4runtime.p4info as Parameters<P4RuntimeClient['setPipeline']>[0]['p4info'],
      deviceConfig: new TextEncoder().encode(JSON.stringify(json)),
    });
    await p4runtime.setup(client);
  } finally {
    client.close();
  }
}

/** An entry to bake into the JSON (priority in P4Runtime terms: larger wins). */
export interface BakedEntry {
  readonly match: readonly (MatchFieldValue | undefined)[];
  readonly priority?: number;
  readonly action: string;
  readonly params: readonly bigint[];
}

function hexBytes(v: bigint, width: number): string {
  const n = Math.ceil(width / 8);
  return `0x${v.toString(16).padStart(n * 2, '0')}`;
}

/** Returns a copy of `json` where `table` holds `entries` as JSON `entries` (see module doc). */
export function withEntries(
  json: Record<string, unknown>,
  table: string,
  entries: readonly BakedEntry[],
  widths: readonly number[],
): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(json)) as {
    pipelines: { tables: Record<string, unknown>[] }[];
    actions: { name: string; id: number }[];
  };
  const t = copy.pipelines.flatMap((p) => p.tables).find((x) => x.name === table);
  if (!t) throw new Error(`no table ${table}`);
  const actionIds = t.action_ids as number[];
  const keyTypes = (t.key as { match_type: string }[]).map((k) => k.match_type);
  t.entries = entries.map((e) => {
    const action = copy.actions.find((a) => a.name === e.action && actionIds.includes(a.id));
    if (!action) throw new Error(`table ${table} has no action ${e.action}`);
    const matchKey = e.match.map((m, i) => {
      const w = widths[i];
      const type = keyTypes[i];
      const full = (1n << BigInt(w)) - 1n;
      if (m === undefined) {
        if (type === 'ternary') return { match_type: 'ternary', key: hexBytes(0n, w), mask: hexBytes(0n, w) };
        if (type === 'range') return { match_type: 'range', start: hexBytes(0n, w), end: hexBytes(full, w) };
        if (type === 'lpm') return { match_type: 'lpm', key: hexBytes(0n, w), prefix_length: 0 };
        throw new Error(`field ${i} of ${table} cannot be a wildcard`);
      }
      switch (m.kind) {
        case 'exact':
          return { match_type: 'exact', key: hexBytes(BigInt(m.value), w) };
        case 'lpm':
          return { match_type: 'lpm', key: hexBytes(m.value, w), prefix_length: m.prefixLength };
        case 'ternary':
          return { match_type: 'ternary', key: hexBytes(m.value, w), mask: hexBytes(m.mask, w) };
        case 'optional':
          return { match_type: 'ternary', key: hexBytes(m.value, w), mask: hexBytes(full, w) };
        case 'range':
          return { match_type: 'range', start: hexBytes(m.low, w), end: hexBytes(m.high, w) };
        case 'valid':
          return { match_type: 'valid', key: m.value };
      }
      throw new Error('unreachable');
    });
    return {
      match_key: matchKey,
      action_entry: { action_id: action.id, action_data: e.params.map((p) => `0x${p.toString(16)}`) },
      // bmv2: smaller wins; PI maps P4Runtime priority p to INT32_MAX - p.
      priority: e.priority === undefined ? 0 : 2147483647 - e.priority,
    };
  });
  delete t.max_size;
  // bmv2 sizes a table with `entries` to its entry count and asserts that a direct meter has the
  // table's size, so the bound meter array must shrink accordingly.
  const meters = (copy as unknown as { meter_arrays: { binding?: string; size: number }[] }).meter_arrays;
  for (const m of meters) if (m.binding === table) m.size = entries.length;
  return copy as unknown as Record<string, unknown>;
}
