/** `genevectl target serve`: the embedded bmv2-compatible target as a standalone P4Runtime server. */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { loadP4Info } from 'p4runtime-ts-grpc';
import { programArtifactPath } from '../../artifacts/program.js';
import {
  DEFAULT_WARM_UP_WRITES,
  SERVE_INLINING_BUDGET,
  setAllocationSitePretenuring,
  setInliningBudget,
  startEmbeddedTarget,
  TARGET_PROFILES,
  type TargetProfile,
} from '../../switch/index.js';
import { addressOption, integerOption } from '../options.js';
import { SERVE_OLD_SPACE_MB, stopWhenLauncherGone } from '../serve-heap.js';
import { type ServerTlsFlags, serverTls, withServerTls } from '../tls.js';

interface ServeOptions extends ServerTlsFlags {
  allowNonLoopback?: boolean;
  grpc: string;
  cpuPort: number;
  ports: number;
  deviceId: number;
  dataplane?: string;
  pcapDir?: string;
  pcapWait: number;
  profile: TargetProfile;
  warmUpWrites: number;
  warmUpAtStart: number;
  collectAtLoad: boolean;
  inliningBudget: number;
  allocationSitePretenuring: boolean;
  /** Read by main.ts before parsing (serve-heap.ts); here for help and checking. */
  oldSpace: number;
}

/**
 * INSERTs `target serve` warms its write path with when it starts, on a scratch instance of the
 * bundled Geneve VTEP program (nothing of it is visible). None by default: it runs before the server
 * listens, so it makes every start about a second later and moves the cold write path's cost to the
 * start instead of removing it. docs/ARCHITECTURE.md has the figures.
 */
export const DEFAULT_WARM_UP_AT_START = 0;

export function registerTargetCommands(program: Command): void {
  const target = program.command('target').description('the embedded bmv2-compatible target');
  withServerTls(target.command('serve'))
    .description('serve P4Runtime (and optionally bmv2 dataplane packet I/O) like simple_switch_grpc --no-p4')
    .option(
      '--grpc <addr>',
      'P4Runtime address (loopback unless --allow-non-loopback)',
      addressOption,
      '127.0.0.1:9559',
    )
    .option('--allow-non-loopback', 'allow --grpc/--dataplane on a non-loopback address (needs TLS)')
    .option('--cpu-port <n>', 'CPU port for packet-in/out', integerOption('--cpu-port', 1, 511), 255)
    .option('--ports <n>', 'number of data ports given pcap files', integerOption('--ports', 1, 510), 8)
    .option('--device-id <n>', 'P4Runtime device id', integerOption('--device-id', 0, 2 ** 32 - 1), 1)
    .option(
      '--dataplane <addr>',
      "serve bmv2's gRPC dataplane service (p4.bm.DataplaneInterface) here",
      addressOption,
    )
    .option('--pcap-dir <dir>', 'replay port<N>_in.pcap and write port<N>_out.pcap in this directory')
    .option(
      '--pcap-wait <seconds>',
      'replay the input pcaps this long after the first pipeline commit',
      integerOption('--pcap-wait', 0, 3600),
      1,
    )
    .option(
      '--warm-up-writes <n>',
      'table inserts run on a scratch copy of each program loaded, so the first real writes run compiled code (0: none)',
      integerOption('--warm-up-writes', 0, 1_000_000),
      DEFAULT_WARM_UP_WRITES,
    )
    .option(
      '--warm-up-at-start <n>',
      'table inserts run at start on a scratch copy of the bundled program, so the first real writes run compiled code (0: none)',
      integerOption('--warm-up-at-start', 0, 1_000_000),
      DEFAULT_WARM_UP_AT_START,
    )
    .option(
      '--collect-at-load',
      'collect garbage at the end of each pipeline load (a longer load; the first writes do not pay the major GC it starts)',
      false,
    )
    .option(
      '--inlining-budget <bytes>',
      "V8's cumulative inlining budget for this process (V8's own default is 920; a smaller one compiles the write path faster)",
      integerOption('--inlining-budget', 0, 100_000),
      SERVE_INLINING_BUDGET,
    )
    .option(
      '--allocation-site-pretenuring',
      "keep V8's allocation-site pretenuring on (off by default: it recompiled the write path in the first writes)",
      false,
    )
    .option(
      '--old-space <MB>',
      "old generation of the serving process before V8's first full collection (node's --initial-old-space-size; target serve starts itself again with it; 0: V8's own sizing, one process)",
      integerOption('--old-space', 0, 1_000_000),
      SERVE_OLD_SPACE_MB,
    )
    .addOption(
      new Option('--profile <name>', "P4Runtime server to behave like (bluefield: the DPU's DPL runtime)")
        .choices(TARGET_PROFILES)
        .default('bmv2'),
    )
    .action(async (o: ServeOptions) => {
      // Listened for before anything is printed: whoever waits for the lines below may stop the
      // target at once. `on`, not `once`: a terminal's Ctrl-C reaches this process both from the
      // terminal and from the process that started it (serve-heap.ts); a second must not kill it.
      const stopped = new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        stopWhenLauncherGone(stop);
      });
      // Before anything of the target is compiled (src/switch/compiler-flags.ts says why).
      setInliningBudget(o.inliningBudget);
      setAllocationSitePretenuring(o.allocationSitePretenuring);
      const running = await startEmbeddedTarget({
        grpcAddress: o.grpc,
        cpuPort: o.cpuPort,
        ports: o.ports,
        deviceId: o.deviceId,
        profile: o.profile,
        warmUpWrites: o.warmUpWrites,
        collectGarbageOnLoad: o.collectAtLoad,
        ...(o.warmUpAtStart > 0
          ? {
              warmUpAtStart: {
                config: {
                  p4info: await loadP4Info(programArtifactPath('p4infoJson')),
                  p4DeviceConfig: readFileSync(programArtifactPath('bmv2Json')),
                },
                updates: o.warmUpAtStart,
              },
            }
          : {}),
        allowNonLoopback: o.allowNonLoopback ?? false,
        tls: serverTls(o),
        onWarning: (message) => console.error(`warning: ${message}`),
        ...(o.dataplane ? { dataplaneAddress: o.dataplane } : {}),
        ...(o.pcapDir ? { pcapDir: o.pcapDir, pcapReplayDelayMs: o.pcapWait * 1000 } : {}),
      });
      const security = o.tlsClientCa ? 'mutual TLS' : o.tlsCert ? 'TLS' : 'plaintext';
      console.log(
        `embedded target (${o.profile} profile): P4Runtime on ${running.grpcAddress}, ${security}, device id ${o.deviceId}, CPU port ${o.cpuPort}`,
      );
      if (running.dataplaneAddress) console.log(`dataplane packet I/O on ${running.dataplaneAddress}`);
      if (o.pcapDir) console.log(`pcap ports in ${o.pcapDir}`);
      console.log('waiting for a controller to push a pipeline (Ctrl-C stops)');
      await stopped;
      await running.stop();
      if (running.stats.packetInsDropped > 0)
        console.log(`packet-ins dropped (controller not reading): ${running.stats.packetInsDropped}`);
    });
}
