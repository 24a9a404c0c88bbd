/**
 * `genevectl packet watch|send` and `genevectl digest watch`: the P4Runtime stream channel.
 * Packet-ins and digests go to the primary controller, so watching arbitrates (and says so
 * when another client is primary); packet-out needs the primary role.
 */
import type { Command } from 'commander';
import type { DigestList, P4Value, PacketIn } from 'p4runtime-ts-grpc';
import { formatLayer, parseFrame, readPcap, writePcapFile } from '../../packet/index.js';
import { addDeviceOptions, type Device, type DeviceFlags } from '../connection.js';
import { checkInputFile, readInputFile, refusedError, usageError } from '../errors.js';
import { note, say, toJson } from '../output.js';
import { collect, parseAssignments } from '../values.js';
import { explainWrite, withDevice } from './table.js';

/** One line describing a frame with the packet model (Ethernet / IPv4 / UDP / Geneve ...). */
export function summarizeFrame(bytes: Uint8Array): string {
  const parsed = parseFrame(bytes);
  return parsed.layers
    .filter((l) => l.kind !== 'payload')
    .map((l) => formatLayer(l).split(', ').slice(0, 3).join(', '))
    .join(' / ');
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw usageError(`${name} must be a whole number above 0, got '${value}'`);
  return Number(value);
}

/** Resolves after `seconds` (never when undefined) or on Ctrl-C; `cancel` forgets both. */
function stopSignal(seconds: number | undefined): { stopped: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onSignal: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    if (seconds !== undefined) timer = setTimeout(resolve, seconds * 1000);
    onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return {
    stopped,
    cancel() {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function warnIfBackup(device: Device, what: string): void {
  const state = device.client.arbitration;
  if (state && !state.isPrimary)
    note(
      `genevectl: not primary on ${device.where} (primary election id ${state.primaryElectionId}): the device sends ${what} to the primary only; --election-id ${(state.primaryElectionId ?? 0n) + 1n} takes over`,
    );
}

function hexBytes(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:.-]/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(clean))
    throw usageError(`packet '${text.slice(0, 40)}': expected hex bytes (e.g. 02000000000102...)`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function registerPacketCommands(program: Command): void {
  const packet = program
    .command('packet')
    .description('packet-in and packet-out through the controller port');
  addDeviceOptions(
    packet
      .command('watch')
      .description('print packet-ins (decoded by the packet model) until Ctrl-C, --count or --duration')
      .option('--count <n>', 'stop after N packets')
      .option('--duration <seconds>', 'stop after SECONDS')
      .option('--pcap <file>', 'also record the packets to a pcap file')
      .option('--json', 'one JSON object per packet'),
  ).action(async (o: DeviceFlags & { count?: string; duration?: string; pcap?: string; json?: boolean }) => {
    const count = positiveInteger('--count', o.count);
    const duration = o.duration !== undefined ? Number(o.duration) : undefined;
    if (duration !== undefined && !(duration > 0))
      throw usageError(`--duration must be seconds above 0, got '${o.duration}'`);
    await withDevice(o, { stream: true }, async (device) => {
      await device.p4info();
      warnIfBackup(device, 'packet-ins');
      const captured: { data: Uint8Array; seconds: number; nanoseconds: number }[] = [];
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      const onPacket = (p: PacketIn) => {
        const now = Date.now();
        captured.push({ data: p.payload, seconds: Math.floor(now / 1000), nanoseconds: (now % 1000) * 1e6 });
        const metadata = Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, String(v)]));
        if (o.json)
          say(
            JSON.stringify({
              metadata,
              length: p.payload.length,
              frame: summarizeFrame(p.payload),
              bytes: Buffer.from(p.payload).toString('hex'),
            }),
          );
        else
          say(
            `packet-in ${Object.entries(metadata)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')} ${p.payload.length} bytes: ${summarizeFrame(p.payload)}`,
          );
        if (count !== undefined && captured.length >= count) done();
      };
      device.client.on('packetIn', onPacket);
      note(`genevectl: watching packet-ins of ${device.where} (Ctrl-C stops)`);
      const stop = stopSignal(duration);
      await Promise.race([finished, stop.stopped]);
      stop.cancel();
      device.client.off('packetIn', onPacket);
      if (o.pcap) {
        writePcapFile(o.pcap, captured);
        note(`genevectl: ${captured.length} packet(s) written to ${o.pcap}`);
      }
    });
  });

  addDeviceOptions(
    packet
      .command('send [hex]')
      .description('send a packet-out: hex bytes, or every packet of a pcap file')
      .option('--pcap <file>', 'send the packets of this pcap file')
      .option('--meta <field=value>', 'packet_out metadata field (repeat; e.g. egress_port=3)', collect),
  ).action(async (hex: string | undefined, o: DeviceFlags & { pcap?: string; meta?: string[] }) => {
    if ((hex === undefined) === (o.pcap === undefined))
      throw usageError('give the packet as hex bytes or --pcap FILE (one of them)');
    let frames: Uint8Array[];
    if (o.pcap) {
      checkInputFile(o.pcap, 'pcap file');
      try {
        frames = readPcap(await readInputFile(o.pcap, 'pcap file')).packets.map((p) => p.data);
      } catch (error) {
        if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
        throw usageError(`${o.pcap}: ${(error as Error).message}`);
      }
    } else frames = [hexBytes(hex!)];
    const metadata: Record<string, P4Value> = parseAssignments(o.meta, 'packet_out metadata');
    await withDevice(o, { write: true }, async (device) => {
      const index = await device.p4info();
      const header = index.packetOut;
      if (!header && Object.keys(metadata).length > 0)
        throw refusedError('the program has no packet_out controller header: drop --meta');
      if (header) {
        const missing = header.metadata.list.filter((f) => !(f.name in metadata)).map((f) => f.name);
        // Padding fields are zero unless given; other fields must be named.
        for (const name of missing) if (/pad/.test(name)) metadata[name] = 0;
        const still = header.metadata.list.filter((f) => !(f.name in metadata)).map((f) => f.name);
        if (still.length > 0)
          throw usageError(`packet_out metadata needs ${still.map((n) => `--meta ${n}=...`).join(' ')}`);
      }
      const errors: string[] = [];
      const onError = (e: { codeName: string; message: string }) =>
        errors.push(`${e.codeName}: ${e.message}`);
      device.client.on('streamError', onError);
      try {
        for (const frame of frames) device.client.packetOut(frame, metadata);
        // A rejected packet-out is reported asynchronously on the stream; one more round trip
        // to the server gives such a report the chance to arrive before we say "sent".
        await device.call('the pipeline cookie', (ms) => device.client.getPipeline('COOKIE_ONLY', ms));
      } finally {
        device.client.off('streamError', onError);
      }
      if (errors.length > 0) throw refusedError(`${device.where} refused the packet-out: ${errors[0]}`);
      say(`sent ${frames.length} packet(s) to ${device.where}`);
    });
  });

  const digest = program.command('digest').description('digests the program sends to the controller');
  addDeviceOptions(
    digest
      .command('watch [name]')
      .description(
        'enable a digest (or every digest) and print its messages until Ctrl-C, --count or --duration',
      )
      .option('--count <n>', 'stop after N digest messages')
      .option('--duration <seconds>', 'stop after SECONDS')
      .option('--json', 'one JSON object per message'),
  ).action(
    async (
      name: string | undefined,
      o: DeviceFlags & { count?: string; duration?: string; json?: boolean },
    ) => {
      const count = positiveInteger('--count', o.count);
      const duration = o.duration !== undefined ? Number(o.duration) : undefined;
      await withDevice(o, { write: true }, async (device) => {
        const index = await device.p4info();
        const digests = name !== undefined ? [index.digests.get(name)] : [...index.digests];
        if (digests.length === 0) throw refusedError(`the program on ${device.where} declares no digest`);
        // Enabling delivery is a DigestEntry write; an entry already there is modified instead.
        for (const d of digests) {
          const entity = device.client.digestEntry(d.id, {
            maxTimeoutNs: 0,
            maxListSize: 1,
            ackTimeoutNs: 1_000_000_000,
          });
          await device
            .call(`the digest configuration of ${d.name}`, (ms) =>
              device.client.insert([entity], { timeoutMs: ms }),
            )
            .catch(() =>
              device.call(`the digest configuration of ${d.name}`, (ms) =>
                device.client.modify([entity], { timeoutMs: ms }),
              ),
            )
            .catch((e: unknown) => {
              throw explainWrite(e, device);
            });
        }
        let seen = 0;
        let done: () => void = () => {};
        const finished = new Promise<void>((resolve) => {
          done = resolve;
        });
        const onDigest = (list: DigestList) => {
          list.ack();
          for (const data of list.data) {
            seen++;
            if (o.json)
              say(JSON.stringify(JSON.parse(toJson({ digest: list.digest, listId: list.listId, data }))));
            else say(`digest ${list.digest} ${toJson(data).replace(/\s+/g, ' ')}`);
            if (count !== undefined && seen >= count) done();
          }
        };
        device.client.on('digest', onDigest);
        note(
          `genevectl: watching digests ${digests.map((d) => d.name).join(', ')} of ${device.where} (Ctrl-C stops)`,
        );
        const stop = stopSignal(duration);
        await Promise.race([finished, stop.stopped]);
        stop.cancel();
        device.client.off('digest', onDigest);
      });
    },
  );
}
