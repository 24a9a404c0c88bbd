/**
 * The fabric file: the whole overlay in one document (devices, identities, tenants, workloads,
 * policies by identity name), as a zod schema. Shape only; consistency (unknown names, duplicate
 * VNIs, ports) is checked by the derivation (derive.ts), which reports in the same terms.
 */
import { z } from 'zod';
import { isIpv4, isIpv6, parseMac } from '../packet/index.js';

const PORT_MAX = 511;
const U32 = 0xffffffff;

const port = z.number().int().min(0).max(PORT_MAX);
const mac = z.string().refine(
  (v) => {
    try {
      parseMac(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a MAC address like 02:00:00:00:00:01' },
);
const ipv4 = z.string().refine(isIpv4, { message: 'expected an IPv4 address like 10.0.0.1' });
const ipv6 = z.string().refine(isIpv6, { message: 'expected an IPv6 address like fd00::1' });
const ip = z.string().refine((v) => isIpv4(v) || isIpv6(v), { message: 'expected an IPv4 or IPv6 address' });
const prefix = z.string().refine(
  (v) => {
    const [address, len] = v.split('/');
    if (len === undefined || !/^\d+$/.test(len)) return false;
    return (isIpv4(address) && Number(len) <= 32) || (isIpv6(address) && Number(len) <= 128);
  },
  { message: 'expected a prefix like 10.0.0.0/24 or fd00::/64' },
);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'expected a name of letters, digits, _ . : -');
const address = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, like 127.0.0.1:9559');

export const uplinkSchema = z.strictObject({
  port,
  mac,
  /** IP MTU of the underlay link; larger encapsulated packets are punted (and answered with ICMP). */
  mtu: z.number().int().min(68).max(65535).optional(),
  /** Marked down: left out of every route's next hops (docs/FABRIC.md, underlay ECMP). */
  down: z.boolean().optional(),
});

const nextHopSchema = z.strictObject({ uplink: port, nextHopMac: mac });

/** A route has one next hop (`uplink`, `nextHopMac`) or several equal-cost ones (`nextHops`). */
export const routeSchema = z
  .strictObject({
    prefix,
    uplink: port.optional(),
    nextHopMac: mac.optional(),
    /** Equal-cost next hops (underlay ECMP), at most 16 (the selector's group size). */
    nextHops: z
      .array(nextHopSchema)
      .min(1, 'at least one next hop')
      .max(16, 'at most 16 next hops (an ECMP group of the data plane)')
      .optional(),
  })
  .superRefine((r, ctx) => {
    const single = r.uplink !== undefined || r.nextHopMac !== undefined;
    if (r.nextHops !== undefined && single)
      ctx.addIssue({ code: 'custom', message: 'give either uplink and nextHopMac, or nextHops, not both' });
    else if (r.nextHops === undefined && (r.uplink === undefined || r.nextHopMac === undefined))
      ctx.addIssue({ code: 'custom', message: 'a route needs uplink and nextHopMac, or nextHops' });
  });

export const deviceSchema = z.strictObject({
  name,
  /** P4Runtime server, host:port. */
  address,
  deviceId: z.number().int().min(0).max(U32).default(1),
  electionId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1),
  role: z.string().optional(),
  /**
   * The P4Runtime server: `bmv2` (PI's) or `bluefield` (NVIDIA's DPL Runtime Service on a BlueField
   * DPU: no arbitration, no replication, DELETE+INSERT for changes; docs/BLUEFIELD.md). When
   * omitted, read from the program the device runs (the DPL VTEP means `bluefield`), else `bmv2`.
   */
  kind: z.enum(['bmv2', 'bluefield']).optional(),
  tls: z.strictObject({ ca: z.string(), cert: z.string().optional(), key: z.string().optional() }).optional(),
  cpuPort: z.number().int().min(1).max(PORT_MAX).default(255),
  accessPorts: z.array(port),
  uplinks: z.array(uplinkSchema).min(1),
  /** This device's VTEP addresses: at most one IPv4 and one IPv6. */
  vteps: z.strictObject({ ipv4: ipv4.optional(), ipv6: ipv6.optional() }),
  routes: z.array(routeSchema).default([]),
});

export const identitySchema = z.strictObject({
  name,
  /** Pinned security ID (for interoperation); derived from the name when omitted. */
  id: z
    .number()
    .int()
    .min(1)
    .max(U32 - 1)
    .optional(),
});

export const policySchema = z.strictObject({
  /** Source identity name; omitted = any. */
  from: name.optional(),
  /** Destination identity name; omitted = any. */
  to: name.optional(),
  protocol: z.union([z.enum(['tcp', 'udp']), z.number().int().min(0).max(255)]).optional(),
  ports: z
    .union([
      z.number().int().min(0).max(65535),
      z
        .tuple([z.number().int().min(0).max(65535), z.number().int().min(0).max(65535)])
        .refine(([lo, hi]) => lo <= hi, { message: 'empty port range (low > high)' }),
    ])
    .optional(),
  action: z.enum(['allow', 'deny']),
  priority: z.number().int().min(1).max(0x7fffffff),
});

export const tenantSchema = z.strictObject({
  name,
  vni: z.number().int().min(1).max(0xffffff),
  /** Security ID given to senders that cannot be vouched for; default 0. */
  unknownSecurityId: z.number().int().min(0).max(U32).default(0),
  flood: z.boolean().default(true),
  /** BUM on devices that cannot flood (BlueField): `drop` (default) or `controller`. */
  bumPolicy: z.enum(['drop', 'controller']).default('drop'),
  /** ARP / Neighbor Solicitations for an address no workload of the tenant has: `flood` (default) or `drop`. */
  unknownNeighbor: z.enum(['flood', 'drop']).default('flood'),
  policies: z.array(policySchema).default([]),
});

export const workloadSchema = z.strictObject({
  name,
  tenant: name,
  identity: name,
  mac,
  ipv4: ipv4.optional(),
  ipv6: ipv6.optional(),
  vlan: z.number().int().min(0).max(4094).optional(),
  device: name,
  port,
});

export const securityOptionSchema = z.union([
  z.literal('omit'),
  z.strictObject({
    optionClass: z.number().int().min(0).max(0xffff),
    type: z.number().int().min(0).max(0x7f),
    critical: z.boolean().default(false),
  }),
]);

export const fabricSchema = z.strictObject({
  /** Name of the fabric, for messages and metrics. */
  fabric: name.optional(),
  securityOption: securityOptionSchema.optional(),
  devices: z.array(deviceSchema).min(1),
  identities: z.array(identitySchema).default([]),
  tenants: z.array(tenantSchema).default([]),
  workloads: z.array(workloadSchema).default([]),
});

/** A fabric file as read (defaults filled in). */
export type Fabric = z.output<typeof fabricSchema>;
export type DeviceSpec = Fabric['devices'][number];
export type TenantSpec = Fabric['tenants'][number];
export type WorkloadSpec = Fabric['workloads'][number];
export type IdentitySpec = Fabric['identities'][number];
export type FabricPolicy = TenantSpec['policies'][number];
export { ip as ipSchema };
