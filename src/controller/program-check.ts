/**
 * Which program a device runs, as the controller needs to know it: its own build (the pipeline
 * cookie of the program it would push), nothing, or another program, which it drives without
 * pushing when that program's P4Info has everything the plan writes and the controller reads:
 * the same VTEP compiled for Tofino (tofino/tna, tofino/t2na: pushed with `genevectl pipeline push`
 * or by Stratum) or for a BlueField DPU (the DPL build, loaded by the DPU's own server). Never
 * from the program's name: from the P4Info the device serves (GetForwardingPipelineConfig,
 * P4INFO_AND_COOKIE), checked table by table, field by field, width by width against the
 * controller's own build (docs/TOFINO.md, docs/BLUEFIELD.md, "How apply recognises the program").
 */
import { createHash } from 'node:crypto';
import { type MatchFieldInfo, P4InfoIndex, type P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import { findValueSet } from './device-state.js';
import type { PlannedEntity } from './plan.js';

/** What the device runs, compared with the program the controller would push. */
export type RunningProgram =
  | { status: 'ours'; cookie: bigint }
  | { status: 'none' }
  /** Another cookie (or none) with a P4Info: compatible or not, {@link programMismatch} says. */
  | { status: 'other'; p4info: p4.config.v1.IP4Info; cookie?: bigint };

/**
 * Reads what the device runs without writing: the cookie first (cheap), the P4Info only when the
 * cookie is not the one of `program`.
 */
export async function readRunningProgram(
  client: P4RuntimeClient,
  program: { cookie: bigint },
): Promise<RunningProgram> {
  let running: Awaited<ReturnType<P4RuntimeClient['getPipeline']>>;
  try {
    running = await client.getPipeline('COOKIE_ONLY');
    if (running.cookie === program.cookie) return { status: 'ours', cookie: running.cookie };
    running = await client.getPipeline('P4INFO_AND_COOKIE');
  } catch {
    return { status: 'none' }; // no pipeline configured yet (FAILED_PRECONDITION on some targets)
  }
  if (!running.p4info || (running.p4info.tables?.length ?? 0) === 0) return { status: 'none' };
  return {
    status: 'other',
    p4info: running.p4info,
    ...(running.cookie !== undefined ? { cookie: running.cookie } : {}),
  };
}

/**
 * What identifies a running program for a cache of what the controller wrote to it: the cookie of
 * its own build, or the P4Info of another (whose cookie may be absent or reused).
 */
export function programKey(running: RunningProgram): string | undefined {
  if (running.status === 'ours') return `cookie ${running.cookie}`;
  if (running.status === 'none') return undefined;
  const bytes = p4.config.v1.P4Info.encode(p4.config.v1.P4Info.fromObject(running.p4info)).finish();
  return `p4info ${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Fields that carry device port numbers, by table or action and field (P4Runtime translates
 * ports, so their width is the server's: 9 bits on v1model and Tofino, 32 on DPL). A device may
 * declare them wider than the controller's build; every other width must be equal.
 */
const PORT_FIELDS = new Set([
  'port_role/port',
  'vport_classification/port',
  'uplink_mtu/port',
  'to_local_vport/port',
  'route_via/port',
  'packet_in/ingress_port',
  'packet_out/egress_port',
]);

/** Counters the controller reads (tenant traffic by slot, drops by reason). */
export const COUNTERS_READ = [
  'VtepIngress.tenant_from_network',
  'VtepEgress.tenant_to_network',
  'VtepIngress.ingress_drops',
  'VtepEgress.egress_drops',
] as const;

/** Controller packet metadata the service reads and writes (punts in, ICMP answers out). */
const PACKET_METADATA: Readonly<Record<string, readonly string[]>> = {
  packet_in: ['ingress_port', 'reason'],
  packet_out: ['egress_port'],
};

const lastName = (name: string) => name.slice(name.lastIndexOf('.') + 1);

function widthProblem(
  owner: string,
  what: string,
  field: { name: string; bitwidth: number },
  device: { bitwidth: number },
): string | undefined {
  const port = PORT_FIELDS.has(`${lastName(owner)}/${field.name}`);
  if (port ? device.bitwidth >= field.bitwidth : device.bitwidth === field.bitwidth) return undefined;
  return `${owner}: ${what} ${field.name} is ${device.bitwidth} bits, the VTEP writes ${field.bitwidth}${port ? ' or more' : ''}`;
}

function matchFieldProblem(table: string, field: MatchFieldInfo, device: P4InfoIndex): string | undefined {
  const theirs = device.tables.get(table).matchFields.find(field.name);
  if (!theirs) return `table ${table}: no match field ${field.name}`;
  if (theirs.matchKind !== field.matchKind)
    return `table ${table}: match field ${field.name} is ${theirs.matchKind}, the VTEP writes ${field.matchKind}`;
  return widthProblem(`table ${table}`, 'match field', field, theirs);
}

/**
 * The first thing the device's program lacks for what the plan writes and the controller reads,
 * as one line naming the table, action, field or counter and the widths; `undefined` when the
 * program takes all of it. `reference` is the controller's own build: it gives the names, kinds and
 * widths the plan was written for. Checked: every table an entry of the plan goes to (every match
 * field with its kind and width, no exact field the VTEP does not fill), every action used there
 * (allowed in that table, as an entry or a default action, every parameter with its width, none
 * more), the counters read (present, at least as many cells) and the packet-in/out metadata.
 */
export function programMismatch(
  device: P4InfoIndex,
  reference: P4InfoIndex,
  entities: Iterable<PlannedEntity>,
): string | undefined {
  // What the plan uses: per table, its actions and whether each is written as an entry or default.
  const used = new Map<string, Map<string, { entry: boolean; default: boolean }>>();
  for (const e of entities) {
    // A value set (kept by entitiesForProgram only where the program has it) must hold the members.
    if (e.kind === 'valueSet') {
      const set = findValueSet(device, e.valueSet);
      const size = set ? device.valueSets.get(set.id).size : 0;
      if (size < e.members.length)
        return `value set ${set?.name ?? e.valueSet}: holds ${size} members, the VTEP writes ${e.members.length}`;
      continue;
    }
    if (e.kind !== 'table') continue;
    let actions = used.get(e.table);
    if (!actions) {
      actions = new Map();
      used.set(e.table, actions);
    }
    const use = actions.get(e.action) ?? { entry: false, default: false };
    if (e.isDefaultAction) use.default = true;
    else use.entry = true;
    actions.set(e.action, use);
  }

  for (const [tableName, actions] of used) {
    const ours = reference.tables.find(tableName);
    // A table only the device's program has (the DPL VTEP's bum_policy) is planned because it is there.
    if (!ours) {
      if (!device.tables.find(tableName)) return `table ${tableName}: not in the device's program`;
      continue;
    }
    const theirs = device.tables.find(ours.name);
    if (!theirs) return `table ${ours.name}: not in the device's program`;
    for (const field of ours.matchFields) {
      const problem = matchFieldProblem(ours.name, field, device);
      if (problem) return problem;
    }
    for (const field of theirs.matchFields)
      if (!ours.matchFields.find(field.name) && field.matchKind === 'exact')
        return `table ${ours.name}: exact match field ${field.name} that the VTEP does not fill`;
    for (const [actionName, use] of actions) {
      const ourAction = reference.actions.get(actionName);
      const ref = theirs.actions.find(ourAction.name);
      if (!ref) return `table ${ours.name}: no action ${ourAction.name}`;
      if (use.entry && ref.scope === 'DEFAULT_ONLY')
        return `table ${ours.name}: action ${ourAction.name} is default-only, the VTEP writes it in entries`;
      if (use.default && ref.scope === 'TABLE_ONLY')
        return `table ${ours.name}: action ${ourAction.name} cannot be the default, the VTEP sets it as the default`;
      for (const param of ourAction.params) {
        const theirParam = ref.params.find(param.name);
        if (!theirParam) return `action ${ourAction.name}: no parameter ${param.name}`;
        const problem = widthProblem(`action ${ourAction.name}`, 'parameter', param, theirParam);
        if (problem) return problem;
      }
      for (const param of ref.params)
        if (!ourAction.params.find(param.name))
          return `action ${ourAction.name}: parameter ${param.name} that the VTEP does not fill`;
    }
  }

  for (const name of COUNTERS_READ) {
    const ours = reference.counters.find(name);
    if (!ours) continue;
    const theirs = device.counters.find(name);
    if (!theirs) return `counter ${name}: not in the device's program`;
    if (theirs.size < ours.size)
      return `counter ${name}: ${theirs.size} cells, the VTEP reads up to ${ours.size}`;
  }

  for (const [header, fields] of Object.entries(PACKET_METADATA)) {
    const ours = reference.controllerHeaders.find(header);
    if (!ours) continue;
    const theirs = device.controllerHeaders.find(header);
    if (!theirs) return `controller packet metadata ${header}: not in the device's program`;
    for (const name of fields) {
      const field = ours.metadata.find(name);
      if (!field) continue;
      const theirField = theirs.metadata.find(name);
      if (!theirField) return `controller packet metadata ${header}: no field ${name}`;
      const problem = widthProblem(header, 'field', field, theirField);
      if (problem) return `controller packet metadata ${problem}`;
    }
  }
  return undefined;
}

const indexes = new WeakMap<p4.config.v1.IP4Info, P4InfoIndex>();
/** The index of a P4Info, built once per P4Info object. */
export function p4infoIndexOf(p4info: p4.config.v1.IP4Info): P4InfoIndex {
  let index = indexes.get(p4info);
  if (!index) {
    index = new P4InfoIndex(p4info);
    indexes.set(p4info, index);
  }
  return index;
}

/** The one-line refusal of a device whose program lacks something the plan writes. */
export function foreignProgramMessage(device: string, mismatch: string, cookie: bigint | undefined): string {
  return (
    `device ${device} runs another program (cookie ${cookie ?? 'none'}): ${mismatch}; ` +
    'refused: replacing it wipes every entry (--force to do it anyway)'
  );
}
