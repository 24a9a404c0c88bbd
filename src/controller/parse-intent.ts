/**
 * Reads a fabric intent from YAML (or JSON, which is YAML) and checks its shape, naming the file,
 * line and path of every value that is missing or wrong. The planner checks consistency after.
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { isIpv4, isIpv6, parseMac } from '../packet/index.js';
import type { FabricIntent, PolicyIntent, TenantIntent } from './intent.js';
import { IntentError } from './plan.js';

type Json = unknown;

class ShapeChecker {
  readonly problems: string[] = [];
  constructor(private readonly where: (path: string) => string) {}

  fail(path: string, message: string): undefined {
    this.problems.push(`${this.where(path)}${path}: ${message}`);
    return undefined;
  }

  object(v: Json, path: string): Record<string, Json> | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, Json>;
    return this.fail(path, 'expected a mapping');
  }

  array(v: Json, path: string): Json[] | undefined {
    if (Array.isArray(v)) return v;
    return this.fail(path, 'expected a list');
  }

  int(v: Json, path: string, min: number, max: number): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    return this.fail(path, `expected a whole number ${min}..${max}, got ${JSON.stringify(v)}`);
  }

  bool(v: Json, path: string): boolean | undefined {
    if (typeof v === 'boolean') return v;
    return this.fail(path, `expected true or false, got ${JSON.stringify(v)}`);
  }

  mac(v: Json, path: string): string | undefined {
    if (typeof v === 'string') {
      try {
        parseMac(v);
        return v;
      } catch {
        // reported below
      }
    }
    return this.fail(path, `expected a MAC address like 02:00:00:00:00:01, got ${JSON.stringify(v)}`);
  }

  ip(v: Json, path: string): string | undefined {
    if (typeof v === 'string' && (isIpv4(v) || isIpv6(v))) return v;
    return this.fail(path, `expected an IPv4 or IPv6 address, got ${JSON.stringify(v)}`);
  }

  prefix(v: Json, path: string): string | undefined {
    if (typeof v === 'string') {
      const [address, len] = v.split('/');
      if ((isIpv4(address) || isIpv6(address)) && len !== undefined && /^\d+$/.test(len)) return v;
    }
    return this.fail(path, `expected a prefix like 10.0.0.0/24, got ${JSON.stringify(v)}`);
  }

  optional<T>(
    o: Record<string, Json>,
    key: string,
    path: string,
    read: (v: Json, p: string) => T | undefined,
  ): T | undefined {
    return o[key] === undefined ? undefined : read(o[key], `${path}.${key}`);
  }

  unknownKeys(o: Record<string, Json>, path: string, known: readonly string[]): void {
    for (const key of Object.keys(o)) {
      if (!known.includes(key))
        this.fail(`${path}.${key}`, `unknown key (expected one of ${known.join(', ')})`);
    }
  }
}

const PORT_MAX = 511;
const U32 = 0xffffffff;

function readPolicy(c: ShapeChecker, v: Json, path: string): PolicyIntent | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.unknownKeys(o, path, ['src', 'dst', 'protocol', 'ports', 'action', 'priority']);
  const action: PolicyIntent['action'] | undefined =
    o.action === 'allow' || o.action === 'deny'
      ? o.action
      : c.fail(`${path}.action`, `expected allow or deny, got ${JSON.stringify(o.action)}`);
  let protocol: PolicyIntent['protocol'];
  if (o.protocol === 'tcp' || o.protocol === 'udp') protocol = o.protocol;
  else if (o.protocol !== undefined) protocol = c.int(o.protocol, `${path}.protocol`, 0, 255);
  let ports: PolicyIntent['ports'];
  if (Array.isArray(o.ports) && o.ports.length === 2) {
    const lo = c.int(o.ports[0], `${path}.ports[0]`, 0, 65535);
    const hi = c.int(o.ports[1], `${path}.ports[1]`, 0, 65535);
    if (lo !== undefined && hi !== undefined) {
      if (lo > hi) c.fail(`${path}.ports`, `range ${lo}..${hi} is empty`);
      ports = [lo, hi];
    }
  } else if (o.ports !== undefined) {
    ports = c.int(o.ports, `${path}.ports`, 0, 65535);
  }
  const priority = c.int(o.priority, `${path}.priority`, 1, 0x7fffffff);
  return {
    ...(o.src !== undefined ? { src: c.int(o.src, `${path}.src`, 0, U32) } : {}),
    ...(o.dst !== undefined ? { dst: c.int(o.dst, `${path}.dst`, 0, U32) } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(ports !== undefined ? { ports } : {}),
    action: action ?? 'deny',
    priority: priority ?? 1,
  };
}

function readTenant(c: ShapeChecker, v: Json, path: string): TenantIntent | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.unknownKeys(o, path, [
    'name',
    'vni',
    'unknownSecurityId',
    'flood',
    'vports',
    'members',
    'remoteEndpoints',
    'policies',
  ]);
  const list = <T>(key: string, read: (x: Json, p: string) => T | undefined): T[] =>
    (c.optional(o, key, path, c.array.bind(c)) ?? [])
      .map((x, i) => read(x, `${path}.${key}[${i}]`))
      .filter((x): x is T => x !== undefined);
  return {
    ...(typeof o.name === 'string' ? { name: o.name } : {}),
    vni: c.int(o.vni, `${path}.vni`, 1, 0xffffff) ?? 0,
    unknownSecurityId: c.int(o.unknownSecurityId, `${path}.unknownSecurityId`, 0, U32) ?? 0,
    ...(o.flood !== undefined ? { flood: c.bool(o.flood, `${path}.flood`) } : {}),
    vports: list('vports', (x, p) => {
      const vp = c.object(x, p);
      if (!vp) return undefined;
      c.unknownKeys(vp, p, ['name', 'port', 'mac', 'vlan', 'securityId']);
      return {
        ...(typeof vp.name === 'string' ? { name: vp.name } : {}),
        port: c.int(vp.port, `${p}.port`, 0, PORT_MAX) ?? 0,
        mac: c.mac(vp.mac, `${p}.mac`) ?? '00:00:00:00:00:00',
        ...(vp.vlan !== undefined ? { vlan: c.int(vp.vlan, `${p}.vlan`, 0, 4094) } : {}),
        securityId: c.int(vp.securityId, `${p}.securityId`, 0, U32) ?? 0,
      };
    }),
    members: list('members', (x, p) => {
      const m = c.object(x, p);
      if (!m) return undefined;
      c.unknownKeys(m, p, ['vtep', 'trusted']);
      return {
        vtep: c.ip(m.vtep, `${p}.vtep`) ?? '0.0.0.0',
        trusted: c.bool(m.trusted, `${p}.trusted`) ?? false,
      };
    }),
    remoteEndpoints: list('remoteEndpoints', (x, p) => {
      const e = c.object(x, p);
      if (!e) return undefined;
      c.unknownKeys(e, p, ['mac', 'vtep']);
      return {
        mac: c.mac(e.mac, `${p}.mac`) ?? '00:00:00:00:00:00',
        vtep: c.ip(e.vtep, `${p}.vtep`) ?? '0.0.0.0',
      };
    }),
    policies: list('policies', (x, p) => readPolicy(c, x, p)),
  };
}

/** Checks the shape of a parsed intent document; `where` prefixes messages (file:line). */
export function checkFabricIntent(doc: Json, where: (path: string) => string = () => ''): FabricIntent {
  const c = new ShapeChecker(where);
  const o = c.object(doc, 'fabric') ?? {};
  c.unknownKeys(o, 'fabric', [
    'accessPorts',
    'uplinks',
    'localVteps',
    'routes',
    'tenants',
    'securityOption',
    'cpuPort',
  ]);
  const list = <T>(key: string, read: (x: Json, p: string) => T | undefined): T[] =>
    (c.array(o[key], `fabric.${key}`) ?? [])
      .map((x, i) => read(x, `fabric.${key}[${i}]`))
      .filter((x): x is T => x !== undefined);
  const intent: FabricIntent = {
    accessPorts: list('accessPorts', (x, p) => c.int(x, p, 0, PORT_MAX)),
    uplinks: list('uplinks', (x, p) => {
      const u = c.object(x, p);
      if (!u) return undefined;
      c.unknownKeys(u, p, ['port', 'mac', 'mtu']);
      return {
        port: c.int(u.port, `${p}.port`, 0, PORT_MAX) ?? 0,
        mac: c.mac(u.mac, `${p}.mac`) ?? '00:00:00:00:00:00',
        ...(u.mtu !== undefined ? { mtu: c.int(u.mtu, `${p}.mtu`, 68, 65535) } : {}),
      };
    }),
    localVteps: list('localVteps', (x, p) => c.ip(x, p)),
    routes: list('routes', (x, p) => {
      const r = c.object(x, p);
      if (!r) return undefined;
      c.unknownKeys(r, p, ['prefix', 'uplink', 'nextHopMac']);
      return {
        prefix: c.prefix(r.prefix, `${p}.prefix`) ?? '0.0.0.0/0',
        uplink: c.int(r.uplink, `${p}.uplink`, 0, PORT_MAX) ?? 0,
        nextHopMac: c.mac(r.nextHopMac, `${p}.nextHopMac`) ?? '00:00:00:00:00:00',
      };
    }),
    tenants: list('tenants', (x, p) => readTenant(c, x, p)),
  };
  if (o.securityOption === 'omit') intent.securityOption = 'omit';
  else if (o.securityOption !== undefined) {
    const s = c.object(o.securityOption, 'fabric.securityOption');
    if (s) {
      intent.securityOption = {
        optionClass: c.int(s.optionClass, 'fabric.securityOption.optionClass', 0, 0xffff) ?? 0,
        type: c.int(s.type, 'fabric.securityOption.type', 0, 0x7f) ?? 0,
        critical: c.bool(s.critical, 'fabric.securityOption.critical') ?? false,
      };
    }
  }
  if (o.cpuPort !== undefined) intent.cpuPort = c.int(o.cpuPort, 'fabric.cpuPort', 1, PORT_MAX);
  if (c.problems.length > 0) throw new IntentError(c.problems);
  return intent;
}

/** Reads and checks a YAML intent file; errors name the file and line. */
export function loadFabricIntent(file: string): FabricIntent {
  const text = readFileSync(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new IntentError(
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  // Line of a path like fabric.tenants[0].vports[1].mac, for messages.
  const lineOf = (path: string): string => {
    const keys = path
      .replace(/^fabric\.?/, '')
      .split(/\.|\[(\d+)\]/)
      .filter((k) => k !== undefined && k !== '')
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const key of keys) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === key);
        if (!pair) break;
        const range = (pair.key as { range?: [number, number, number] }).range;
        if (range) line = lines.linePos(range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        if (range) line = lines.linePos(range[0]).line;
      } else break;
    }
    return `${file}:${line ?? 1}: `;
  };
  return checkFabricIntent(doc.toJS(), lineOf);
}
