/**
 * Random fabrics and frames for property tests: tenants with overlapping MAC addresses, vports on
 * shared ports and VLANs, remote VTEPs with mixed trust, random policies; frames from workloads
 * (some spoofed) and from remote VTEPs (some not members, some of unknown VNIs). Seeded.
 */
import { buildFrame, type GeneveOption, type Layer } from '../../../src/packet/index.js';
import { fromRemoteVtep } from './frames.js';
import { type FabricIntent, securityIdOption } from './model.js';
import { PORTS, UNDERLAY } from './vtep.js';

/** mulberry32: small, seedable, good enough to pick test cases. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    /** An integer in [0, n). */
    below: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof prng>;

const LOCAL_MACS = Array.from({ length: 6 }, (_, i) => `02:00:00:00:00:0${i + 1}`);
const REMOTE_MACS = Array.from({ length: 4 }, (_, i) => `02:00:00:00:01:0${i + 1}`);
const SECURITY_IDS = [100, 101, 102, 103, 104, 105];
const REMOTES = [
  { address: '10.0.0.2', port: PORTS.uplink1, tunnelId: 1 },
  { address: 'fd00::2', port: PORTS.uplink2, tunnelId: 2 },
  { address: '10.0.0.3', port: PORTS.uplink1, tunnelId: 3 },
];

export function randomIntent(rng: Rng): FabricIntent {
  const vnis = new Set<number>();
  while (vnis.size < 3) vnis.add(rng.int(1, 0xffffff));
  const tenants = [...vnis].map((vni, i) => {
    const members = REMOTES.filter(() => rng.chance(0.6)).map((r) => ({
      address: r.address,
      trusted: rng.chance(0.5),
    }));
    const remoteMacs =
      members.length === 0
        ? []
        : REMOTE_MACS.filter(() => rng.chance(0.5)).map((mac) => ({
            mac,
            address: rng.pick(members).address,
          }));
    return {
      vni,
      slot: i + 1,
      unknownId: rng.int(1, 9),
      members,
      remoteMacs,
      ...(rng.chance(0.8) ? { floodGroup: i + 1 } : {}),
    };
  });
  const vports: FabricIntent['vports'] = [];
  for (let attempt = 0; vports.length < 10 && attempt < 200; attempt++) {
    const v = {
      port: rng.pick([PORTS.access1, PORTS.access2, PORTS.access3, PORTS.access4]),
      mac: rng.pick(LOCAL_MACS),
      vlan: rng.pick([0, 0, 10, 20]),
      vport: vports.length + 1,
      vni: rng.pick(tenants).vni,
      securityId: rng.pick(SECURITY_IDS),
    };
    const clash = vports.some(
      (o) =>
        (o.port === v.port && o.mac === v.mac && o.vlan === v.vlan) || (o.vni === v.vni && o.mac === v.mac),
    );
    if (!clash) vports.push(v);
  }
  const policies: FabricIntent['policies'] = [];
  for (const t of tenants) {
    if (rng.chance(0.7)) policies.push({ vni: t.vni, allow: true, priority: 1 });
    const priorities = new Set<number>();
    while (priorities.size < 3) priorities.add(rng.int(2, 100));
    for (const priority of priorities) {
      const low = rng.int(0, 2000);
      policies.push({
        vni: t.vni,
        ...(rng.chance(0.6) ? { src: rng.pick([...SECURITY_IDS, t.unknownId]) } : {}),
        ...(rng.chance(0.6) ? { dst: rng.pick(SECURITY_IDS) } : {}),
        ...(rng.chance(0.5) ? { protocol: rng.pick([6, 17]) } : {}),
        ...(rng.chance(0.5) ? { ports: [low, low + rng.int(0, 3000)] as [number, number] } : {}),
        allow: rng.chance(0.5),
        priority,
      });
    }
  }
  return {
    accessPorts: [PORTS.access1, PORTS.access2, PORTS.access3, PORTS.access4],
    uplinks: [PORTS.uplink1, PORTS.uplink2],
    localVteps: [UNDERLAY.localVtep4, UNDERLAY.localVtep6],
    vports,
    remoteVteps: REMOTES,
    tenants,
    policies,
    option: { critical: rng.chance(0.5) },
  };
}

function randomTenantFrame(rng: Rng, src: string, vlan: number): Uint8Array {
  const dst = rng.pick([
    ...LOCAL_MACS,
    ...REMOTE_MACS,
    'ff:ff:ff:ff:ff:ff',
    '01:00:5e:00:00:fb',
    `02:00:00:00:02:${rng.int(16, 255).toString(16)}`,
  ]);
  const layers: Layer[] = [{ kind: 'ethernet', dst, src }];
  if (vlan !== 0) layers.push({ kind: 'vlan', vid: vlan });
  const l3 = rng.pick(['none', 'ipv4', 'ipv6'] as const);
  const payload: Layer = { kind: 'payload', data: new Uint8Array(rng.int(0, 64)).fill(rng.int(0, 255)) };
  if (l3 === 'none') {
    (layers[layers.length - 1] as { etherType?: number }).etherType = 0x88b5;
  } else {
    const l4 = rng.pick(['tcp', 'udp', 'other'] as const);
    const ip: Layer =
      l3 === 'ipv4'
        ? {
            kind: 'ipv4',
            src: `192.168.0.${rng.int(1, 254)}`,
            dst: `192.168.0.${rng.int(1, 254)}`,
            ...(l4 === 'other' ? { protocol: 253 } : {}),
          }
        : {
            kind: 'ipv6',
            src: `2001:db8::${rng.int(1, 0xffff).toString(16)}`,
            dst: `2001:db8::${rng.int(1, 0xffff).toString(16)}`,
            ...(l4 === 'other' ? { nextHeader: 253 } : {}),
          };
    layers.push(ip);
    if (l4 === 'tcp') layers.push({ kind: 'tcp', srcPort: rng.int(1, 65535), dstPort: rng.int(0, 5000) });
    if (l4 === 'udp')
      layers.push({
        kind: 'udp',
        srcPort: rng.int(1, 65535),
        dstPort: rng.pick([53, 80, 443, rng.int(0, 5000)]),
      });
  }
  layers.push(payload);
  return buildFrame(layers);
}

export function randomInput(rng: Rng, intent: FabricIntent): { port: number; bytes: Uint8Array } {
  if (rng.chance(0.7)) {
    const v = rng.chance(0.9) ? rng.pick(intent.vports) : undefined;
    const port = v?.port ?? rng.pick(intent.accessPorts);
    return {
      port,
      bytes: randomTenantFrame(rng, v?.mac ?? rng.pick(LOCAL_MACS), v?.vlan ?? rng.pick([0, 10, 20])),
    };
  }
  const from = rng.pick([...REMOTES.map((r) => r.address), '10.0.0.9']);
  const v6 = from.includes(':');
  const to = rng.chance(0.95)
    ? v6
      ? UNDERLAY.localVtep6
      : UNDERLAY.localVtep4
    : v6
      ? 'fd00::77'
      : '10.0.0.77';
  const options: GeneveOption[] = [];
  if (rng.chance(0.3))
    options.push({
      optionClass: 0x0102,
      type: rng.int(0, 127),
      critical: false,
      data: new Uint8Array(4 * rng.int(0, 3)),
    });
  if (rng.chance(0.8)) options.push(securityIdOption(rng.pick(SECURITY_IDS), rng.chance(0.3)));
  const vni = rng.chance(0.9) ? rng.pick(intent.tenants).vni : rng.int(1, 0xffffff);
  const inner = randomTenantFrame(rng, rng.pick(REMOTE_MACS), 0);
  const bytes = fromRemoteVtep(inner, { vni, from, to, options });
  return { port: v6 ? PORTS.uplink2 : PORTS.uplink1, bytes };
}
