// The fabric file: schema, loader limits, derivation of each device's view, and every problem named
// at its file line.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import {
  DERIVED_ID_BASE,
  derivedSecurityId,
  deriveFabric,
  deviceTargets,
  IntentError,
  loadFabric,
  parseFabricText,
  planDevice,
  planFabric,
} from '../../src/controller/index.js';
import { OVERLAY_EXAMPLE } from './helpers.js';

function problems(text: string, limits?: Parameters<typeof parseFabricText>[2]): string[] {
  try {
    const loaded = parseFabricText(text, 'f.yaml', limits);
    if (loaded.format === 'fabric') deriveFabric(loaded.fabric, loaded.where);
  } catch (e) {
    if (e instanceof IntentError) return [...e.problems];
    throw e;
  }
  return [];
}

const DEVICE = `devices:
  - name: a
    address: 127.0.0.1:9559
    accessPorts: [1, 2]
    uplinks: [{ port: 5, mac: "02:aa:00:00:00:05" }]
    vteps: { ipv4: 10.0.0.1 }
    routes: [{ prefix: 10.0.0.0/24, uplink: 5, nextHopMac: "02:bb:00:00:00:05" }]
`;

describe('fabric file', () => {
  it('loads the example and derives both devices’ views', () => {
    const loaded = loadFabric(OVERLAY_EXAMPLE);
    expect(loaded.format).toBe('fabric');
    if (loaded.format !== 'fabric') return;
    const d = deriveFabric(loaded.fabric, loaded.where);
    expect(d.identities.get('app')).toBe(300);
    expect(d.identities.get('web')).toBe(derivedSecurityId('web'));
    const [a, b] = d.devices;
    const blueA = a.intent.tenants.find((t) => t.name === 'blue')!;
    expect(blueA.vports.map((v) => [v.name, v.securityId])).toEqual([['blue-web', derivedSecurityId('web')]]);
    expect(blueA.members).toEqual([{ vtep: '10.0.0.2', trusted: true }]);
    // Security IDs and addresses: for the controller's own handling of BUM on a DPU (bum.ts).
    expect(blueA.remoteEndpoints).toEqual([
      {
        name: 'blue-db',
        mac: '02:00:00:00:0a:02',
        vtep: '10.0.0.2',
        securityId: derivedSecurityId('db'),
        ipv4: '192.168.10.2',
      },
      {
        name: 'blue-cache',
        mac: '02:00:00:00:0b:03',
        vtep: '10.0.0.2',
        securityId: derivedSecurityId('cache'),
        ipv4: '192.168.10.3',
      },
    ]);
    expect(blueA.vports[0]).toMatchObject({ ipv4: '192.168.10.1' });
    expect(blueA.policies?.[0]).toMatchObject({
      src: derivedSecurityId('web'),
      dst: derivedSecurityId('db'),
      protocol: 'tcp',
      ports: 5432,
    });
    const greenB = b.intent.tenants.find((t) => t.name === 'green')!;
    expect(greenB.vports[0]).toMatchObject({ name: 'green-app-b', vlan: 30, securityId: 300 });
    expect(planFabric(a.intent).entities.length).toBeGreaterThan(20);
  });

  it('derives security IDs from names alone: stable across applies, files and order', () => {
    expect(derivedSecurityId('frontend')).toBe(derivedSecurityId('frontend'));
    expect(derivedSecurityId('frontend')).not.toBe(derivedSecurityId('backend'));
    for (const n of ['a', 'db', 'x'.repeat(200), 'ünïcode'])
      expect(derivedSecurityId(n)).toBeGreaterThanOrEqual(DERIVED_ID_BASE);
    const text = (order: string[]) =>
      `${DEVICE}identities: [${order.map((n) => `{ name: ${n} }`).join(', ')}]\n`;
    const ids = (order: string[]) => {
      const l = parseFabricText(text(order), 'f.yaml');
      if (l.format !== 'fabric') throw new Error('format');
      return Object.fromEntries(deriveFabric(l.fabric).identities);
    };
    expect(ids(['web', 'db', 'app'])).toEqual(ids(['app', 'web', 'db']));
  });

  it('names every problem at once, with file, line and path', () => {
    const text = `${DEVICE}  - name: b
    adress: 127.0.0.1:9560
    accessPorts: [1]
    uplinks: [{ port: 5, mac: "02:zz:00:00:00:05" }]
    vteps: {}
tenants:
  - { name: blue, vni: 5000 }
`;
    expect(problems(text)).toEqual([
      "f.yaml:8: devices[1].address: missing required key 'address'",
      'f.yaml:11: devices[1].uplinks[0].mac: expected a MAC address like 02:00:00:00:00:01, got "02:zz:00:00:00:05"',
      "f.yaml:9: devices[1].adress: unknown key 'adress': did you mean 'address'?",
    ]);
  });

  it('takes a route with one next hop or several (ECMP), and names a route with neither or both', () => {
    const ecmp = DEVICE.replace(
      'routes: [{ prefix: 10.0.0.0/24, uplink: 5, nextHopMac: "02:bb:00:00:00:05" }]',
      'routes: [{ prefix: 10.0.0.0/24, nextHops: [{ uplink: 5, nextHopMac: "02:bb:00:00:00:05" }] }]',
    );
    expect(problems(ecmp)).toEqual([]);
    const both = DEVICE.replace('uplink: 5, nextHopMac', 'nextHops: [], uplink: 5, nextHopMac');
    expect(problems(both)).toEqual([
      'f.yaml:7: devices[0].routes[0].nextHops: at least one next hop',
      'f.yaml:7: devices[0].routes[0]: give either uplink and nextHopMac, or nextHops, not both',
    ]);
    const neither = DEVICE.replace(', uplink: 5, nextHopMac: "02:bb:00:00:00:05"', '');
    expect(problems(neither)).toEqual([
      'f.yaml:7: devices[0].routes[0]: a route needs uplink and nextHopMac, or nextHops',
    ]);
  });

  it('names what the derivation finds: duplicate VNI, unknown names, ports, MAC clashes', () => {
    const text = `${DEVICE}identities: [{ name: web }, { name: db }]
tenants:
  - name: blue
    vni: 5000
    policies: [{ from: wbe, to: db, action: allow, priority: 1 }]
  - { name: green, vni: 5000 }
workloads:
  - { name: w1, tenant: blue, identity: web, mac: "02:00:00:00:00:01", device: a, port: 1 }
  - { name: w2, tenant: blue, identity: dba, mac: "02:00:00:00:00:01", device: a, port: 2 }
  - { name: w3, tenant: red, identity: web, mac: "02:00:00:00:00:03", device: b, port: 9 }
  - { name: w4, tenant: green, identity: web, mac: "02:00:00:00:00:04", device: a, port: 7 }
`;
    expect(problems(text)).toEqual([
      "f.yaml:13: tenants[1].vni: VNI '5000' already declared at tenants[0]",
      "f.yaml:12: tenants[0].policies[0].from: unknown identity 'wbe' (did you mean db, web?)",
      "f.yaml:16: workloads[1].identity: unknown identity 'dba' (did you mean db?)",
      "f.yaml:17: workloads[2].tenant: unknown tenant 'red'",
      "f.yaml:17: workloads[2].device: unknown device 'b'",
      'f.yaml:18: workloads[3].port: port 7 is not an access port of device a',
    ]);
  });

  it('names what the planner finds at the device’s line (a peer VTEP without a route)', () => {
    const text = `${DEVICE}  - name: b
    address: 127.0.0.1:9560
    accessPorts: [1]
    uplinks: [{ port: 5, mac: "02:aa:00:00:00:06" }]
    vteps: { ipv4: 10.1.0.1 }
identities: [{ name: web }]
tenants: [{ name: blue, vni: 5000 }]
workloads:
  - { name: w1, tenant: blue, identity: web, mac: "02:00:00:00:00:01", device: a, port: 1 }
  - { name: w2, tenant: blue, identity: web, mac: "02:00:00:00:00:02", device: b, port: 1 }
`;
    const read = parseFabricText(text, 'f.yaml');
    // Lines are looked up when a message needs one, not when the devices are derived (a large
    // file's positions cost a second reading of it, and the document is kept).
    let lookups = 0;
    const loaded =
      read.format === 'fabric'
        ? {
            ...read,
            where: (path: Parameters<typeof read.where>[0]) => {
              lookups++;
              return read.where(path);
            },
          }
        : read;
    const [a, b] = deviceTargets(loaded);
    expect(lookups).toBe(0);
    expect(() => planDevice(a)).toThrow(
      'f.yaml:2: devices[0]: device a: remote VTEP 10.1.0.1: no route to it',
    );
    expect(() => planDevice(b)).toThrow(
      'f.yaml:8: devices[1]: device b: remote VTEP 10.0.0.1: no route to it',
    );
  });

  it('refuses pinned IDs that collide', () => {
    const text = `${DEVICE}identities: [{ name: web, id: 7 }, { name: db, id: 7 }]\n`;
    expect(problems(text)).toEqual([
      'f.yaml:8: identities[1].id: identity db would have security ID 7, as web does: pin one with id:',
    ]);
  });

  it('bounds size, depth and YAML aliases with a one-line error', () => {
    expect(problems(DEVICE, { maxBytes: 100, maxDepth: 32, maxAliases: 100 })).toEqual([
      'f.yaml: larger than 100 bytes; refused before parsing',
    ]);
    const nested = `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    // Refused without a stack overflow; how long it takes is for `npm run bench`, the test's own
    // timeout being the only bound here.
    expect(problems(nested)).toEqual(['f.yaml: nested deeper than 32 levels; refused']);
    const blockNested = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(problems(`${blockNested} 1\n`)).toEqual(['f.yaml: nested deeper than 32 levels; refused']);
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 0; i < 8; i++)
      bomb += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(', ')}]\n`;
    const [bombProblem, ...rest] = problems(bomb);
    expect(rest).toEqual([]);
    expect(bombProblem).toMatch(/^f\.yaml: YAML aliases refused \(more than 1000 expansions/);
    expect(problems('a: *nowhere\n')).toEqual([
      'f.yaml: YAML aliases refused (more than 1000 expansions, or an alias without its anchor): Unresolved alias (the anchor must be set before the alias): nowhere',
    ]);
  });

  it('loads a single-VTEP file of earlier versions as one device', () => {
    const loaded = loadFabric(join(PACKAGE_ROOT, 'examples', 'fabric.yaml'));
    expect(loaded.format).toBe('single-vtep');
  });
});
