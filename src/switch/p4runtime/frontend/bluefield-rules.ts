/**
 * What NVIDIA's DPL Runtime Service (the P4Runtime server on a BlueField DPU) accepts, as pure
 * checks on requests. Source: the "P4 Runtime" section of the DPL Release Notes (DOCA 3.0.0 beta
 * v1.1.0 through 3.2.1, docs.nvidia.com/doca/sdk/dpl-release-notes); docs/BLUEFIELD.md lists the pages.
 * NVIDIA documents what is unsupported but not the status codes its server answers; the codes here
 * are the P4Runtime specification's (UNIMPLEMENTED for an unsupported feature, RESOURCE_EXHAUSTED
 * for a full table, INVALID_ARGUMENT for a malformed request) and are our choice.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { toBigInt } from './pipeline.js';
import { Code, type P4RuntimeStatusError, statusError } from './status.js';

/** "The size of any P4 table or counter object must be a power of 2, and smaller than 2^23." */
export const DPL_MAX_OBJECT_SIZE = 2 ** 23;

/** Entity kinds the release notes list as supported by Write and Read. */
const SUPPORTED_ENTITIES = [
  'tableEntry',
  'counterEntry',
  'directCounterEntry',
  'meterEntry',
  'directMeterEntry',
] as const;

/** Entity kinds listed as unsupported, with their proto names for messages. */
const UNSUPPORTED_ENTITIES: Record<string, string> = {
  externEntry: 'ExternEntry',
  actionProfileMember: 'ActionProfileMember',
  actionProfileGroup: 'ActionProfileGroup',
  packetReplicationEngineEntry: 'PacketReplicationEngineEntry',
  valueSetEntry: 'ValueSetEntry',
  registerEntry: 'RegisterEntry',
  digestEntry: 'DigestEntry',
};

const unsupported = (what: string): P4RuntimeStatusError =>
  statusError(Code.UNIMPLEMENTED, 'Not supported by the DPL P4Runtime server', what);

/** The unsupported entity kind an entity carries, if any. */
function unsupportedKind(entity: p4.v1.IEntity): string | undefined {
  for (const [field, name] of Object.entries(UNSUPPORTED_ENTITIES)) {
    if ((entity as Record<string, unknown>)[field]) return name;
  }
  return undefined;
}

/** Read: every requested entity must be of a supported kind. */
export function checkReadEntity(entity: p4.v1.IEntity): P4RuntimeStatusError | undefined {
  const kind = unsupportedKind(entity);
  return kind ? unsupported(`${kind} in Read`) : undefined;
}

/**
 * Roles are established by MasterArbitrationUpdate, which the DPL server does not support: a Write
 * naming a role cannot be from a controller in that role. (Our inference; the pages do not say.)
 */
export function checkRole(request: p4.v1.IWriteRequest): P4RuntimeStatusError | undefined {
  const roleId = toBigInt(request.roleId as number | null | undefined);
  if (!request.role && roleId === 0n) return undefined;
  return unsupported(
    `role ${request.role ? `'${request.role}'` : `id ${roleId}`}; roles need MasterArbitrationUpdate`,
  );
}

/** Write: only CONTINUE_ON_ERROR batches ("Only CONTINUE_ON_ERROR atomicity is supported"). */
export function checkAtomicity(request: p4.v1.IWriteRequest): P4RuntimeStatusError | undefined {
  const atomicity = request.atomicity ?? 0;
  return atomicity !== 0 ? unsupported(`atomicity ${atomicity}; only CONTINUE_ON_ERROR (0)`) : undefined;
}

const UPDATE_TYPE_NAMES = ['UNSPECIFIED', 'INSERT', 'MODIFY', 'DELETE'];

/**
 * One update of a Write batch: supported entity kinds only; INSERT and DELETE of regular table
 * entries only, MODIFY of the default entry only ("MODIFY Operation: Supports default entry only").
 * The embedded target's own checks (PI's) still run on what passes here.
 */
export function checkUpdate(update: p4.v1.IUpdate): P4RuntimeStatusError | undefined {
  const entity = update.entity;
  if (!entity) return undefined;
  const kind = unsupportedKind(entity);
  if (kind) return unsupported(`${kind} in Write`);
  const table = entity.tableEntry;
  if (!table) return undefined;
  const type = update.type ?? 0;
  const isDefault = table.isDefaultAction === true;
  if (type === 2 && !isDefault)
    return unsupported(
      `MODIFY of a regular entry of table id ${table.tableId ?? 0}; DELETE it and INSERT the new one`,
    );
  if ((type === 1 || type === 3) && isDefault)
    return statusError(
      Code.INVALID_ARGUMENT,
      `${UPDATE_TYPE_NAMES[type]} of the default entry`,
      `table id ${table.tableId ?? 0}; only MODIFY applies to the default entry`,
    );
  return undefined;
}

/** Entries a table of P4Info size `size` holds: "a P4 table of size N allows for N-1 regular entries". */
export function regularCapacity(size: number): number {
  return Math.max(0, size - 1);
}

const isPowerOfTwo = (n: bigint): boolean => n > 0n && (n & (n - 1n)) === 0n;

/** SetForwardingPipelineConfig: every table and indirect counter size a power of two below 2^23. */
export function checkP4InfoSizes(
  p4info: p4.config.v1.IP4Info | null | undefined,
): P4RuntimeStatusError | undefined {
  const objects: { kind: string; name: string; size: bigint }[] = [
    ...(p4info?.tables ?? []).map((t) => ({
      kind: 'table',
      name: t.preamble?.name ?? '',
      size: toBigInt(t.size as number | null | undefined),
    })),
    ...(p4info?.counters ?? []).map((c) => ({
      kind: 'counter',
      name: c.preamble?.name ?? '',
      size: toBigInt(c.size as number | null | undefined),
    })),
  ];
  for (const o of objects) {
    if (!isPowerOfTwo(o.size) || o.size >= BigInt(DPL_MAX_OBJECT_SIZE)) {
      return statusError(
        Code.INVALID_ARGUMENT,
        'DPL object sizes must be powers of 2 smaller than 2^23',
        `${o.kind} '${o.name}' has size ${o.size}`,
      );
    }
  }
  return undefined;
}

/** Stream messages from the controller that the DPL server lists as unsupported. */
export function checkStreamRequest(request: p4.v1.IStreamMessageRequest): P4RuntimeStatusError | undefined {
  if (request.arbitration) return unsupported('MasterArbitrationUpdate');
  if (request.digestAck) return unsupported('DigestListAck');
  if (request.other) return unsupported('google.protobuf.Any stream message');
  return undefined;
}

/** Names of the entity kinds that Write and Read accept, for docs and messages. */
export const DPL_SUPPORTED_ENTITIES: readonly string[] = SUPPORTED_ENTITIES;
