import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadP4Info } from 'p4runtime-ts-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FabricService, neighborAnswerer } from '../../src/controller/index.js';
import { p4infoIndexOf } from '../../src/controller/program-check.js';
import { type Program, programCookie, pushProgram } from '../../src/controller/reconcile.js';
import { buildFrame, parseFrame } from '../../src/packet/index.js';
import { DataplaneClient, type EmittedFrame } from '../../src/packet-io/client.js';
import { buildNeighborProfile, P4C } from '../helpers/neighbor-profile-build.js';
import { copyFabric, type Lab, startConverged, startLab } from './helpers.js';

const BLUE_WEB = '02:00:00:00:0a:01';
const BLUE_DB = '02:00:00:00:0a:02';
const UPLINK = 5;

it('finds p4c-bm2-ss where CI installs it', () => {
  if (process.env.P4_TOOLCHAIN_REQUIRED === '1') expect(P4C, 'p4c-bm2-ss not found').toBeDefined();
});

let work: string;
let program: Program;
let lab: Lab;
let service: FabricService;
let dp: DataplaneClient[];

beforeAll(async () => {
  if (!P4C) return;
  const build = buildNeighborProfile(P4C, 'neighbor-profile-');
  work = build.dir;
  expect(build.failure).toBeUndefined();
  const deviceConfig = readFileSync(build.bmv2Json);
  program = {
    p4info: await loadP4Info(build.p4infoJson),
    deviceConfig,
    cookie: programCookie(readFileSync(build.p4infoJson), deviceConfig),
  };
  lab = await startLab(2);
  for (let i = 0; i < 2; i++) await lab.withClient(i, (c) => pushProgram(c, program));
  const file = join(work, 'fabric.yaml');
  const fabric = copyFabric(lab.fabric);
  fabric.workloads.find((w) => w.name === 'blue-web')!.ipv6 = 'fd00:10::1';
  fabric.workloads.find((w) => w.name === 'blue-db')!.ipv6 = 'fd00:10::2';
  writeFileSync(file, stringify(fabric));
  service = new FabricService(file, { resyncMs: 0, log: () => {} });
  await startConverged(service, 2);
  dp = await Promise.all(
    lab.targets.map((t) => DataplaneClient.connect({ address: t.dataplaneAddress, deviceId: t.deviceId })),
  );
}, 120_000);

afterAll(async () => {
  for (const d of dp ?? []) d.close();
  await service?.stop();
  await lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The service's punt and copy counts of `device`, by outcome, from its /metrics text. */
async function metrics(device: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await service.scrape()).matchAll(
    /^genevectl_(punts|bum_copies)\{device="([\w-]+)",(?:outcome|copy)="([\w-]+)"\} (\d+)$/gm,
  ))
    if (m[2] === device) out[`${m[1]}:${m[3]}`] = Number(m[4]);
  return out;
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0),
  );
}

/** Sends `frame` into `port` of vtep-a: it has no output of its own; the `expected` packet-outs it causes. */
async function sendPunted(port: number, frame: Uint8Array, expected: number): Promise<EmittedFrame[]> {
  const id = dp[0].send(port, frame);
  await dp[0].waitUntil(() => dp[0].unattributedCount >= expected, {
    missing: () => `${dp[0].unattributedCount} of ${expected} packet-out(s)`,
  });
  const direct = await dp[0].collectCounts([id], 0);
  expect(direct.get(id)).toEqual([]);
  const outs = dp[0].takeUnattributed();
  expect(outs.length).toBe(expected);
  return outs;
}

const arpRequest = (targetIp: string): Uint8Array =>
  buildFrame([
    { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: BLUE_WEB },
    {
      kind: 'arp',
      operation: 1,
      senderMac: BLUE_WEB,
      senderIp: '192.168.10.1',
      targetMac: '00:00:00:00:00:00',
      targetIp,
    },
  ]);

/** A Neighbor Solicitation from blue-web for fd00:10::2 (RFC 4861 4.3, one source link-layer option). */
function solicitation(): Uint8Array {
  const body = new Uint8Array(24);
  body.set([0xfd, 0, 0, 0x10, ...new Array(11).fill(0), 0x02], 0);
  body.set([1, 1, 0x02, 0, 0, 0, 0x0a, 0x01], 16);
  return buildFrame([
    { kind: 'ethernet', dst: '33:33:ff:00:00:02', src: BLUE_WEB },
    { kind: 'ipv6', src: 'fd00:10::1', dst: 'ff02::1:ff00:2', hopLimit: 255 },
    { kind: 'icmpv6', type: 135 },
    { kind: 'payload', data: body },
  ]);
}

describe.skipIf(!P4C)(
  'rule 15a: a VTEP without data-plane neighbor suppression, driven by the controller',
  () => {
    it('runs the program without the neighbor tables, and the controller knows it answers', () => {
      expect(neighborAnswerer(p4infoIndexOf(program.p4info))).toBe('controller');
    });

    it('punts an ARP request for a known IP; the controller answers it out of the port it came in on', async () => {
      const before = await metrics('vtep-a');
      const [out] = await sendPunted(1, arpRequest('192.168.10.2'), 1);
      expect(out.port).toBe(1);
      expect(out.bytes).toEqual(
        buildFrame([
          { kind: 'ethernet', dst: BLUE_WEB, src: BLUE_DB, etherType: 0x0806 },
          {
            kind: 'arp',
            operation: 2,
            senderMac: BLUE_DB,
            senderIp: '192.168.10.2',
            targetMac: BLUE_WEB,
            targetIp: '192.168.10.1',
          },
        ]),
      );
      expect(delta(before, await metrics('vtep-a'))).toEqual({ 'punts:bum_arp_answered': 1 });
    });

    it('punts a Neighbor Solicitation for a known IPv6 address; the controller advertises it', async () => {
      const before = await metrics('vtep-a');
      const [out] = await sendPunted(1, solicitation(), 1);
      expect(out.port).toBe(1);
      const { layers, issues } = parseFrame(out.bytes);
      expect(issues).toEqual([]);
      expect(layers[0]).toMatchObject({ kind: 'ethernet', dst: BLUE_WEB, src: BLUE_DB });
      expect(layers.find((l) => l.kind === 'ipv6')).toMatchObject({ src: 'fd00:10::2', dst: 'fd00:10::1' });
      expect(layers.find((l) => l.kind === 'icmpv6')).toMatchObject({ type: 136, code: 0 });
      expect(delta(before, await metrics('vtep-a'))).toEqual({ 'punts:bum_nd_answered': 1 });
    });

    it('floods a request for an unknown IP by packet-out: one encapsulated copy to the remote VTEP', async () => {
      const before = await metrics('vtep-a');
      const [out] = await sendPunted(1, arpRequest('192.168.10.9'), 1);
      expect(out.port).toBe(UPLINK);
      const layers = parseFrame(out.bytes).layers.map((l) => l.kind);
      expect(layers).toContain('geneve');
      expect(layers).toContain('arp');
      expect(delta(before, await metrics('vtep-a'))).toMatchObject({ 'bum_copies:remote': 1 });
    });
  },
);
