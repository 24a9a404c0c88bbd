/**
 * Primary election among the StreamChannel connections of one device id, following PI's server:
 * the connection with the highest election id is primary; every arbitration change that makes or
 * unmakes a primary is reported to all connections (OK "Is primary" / ALREADY_EXISTS "Is backup",
 * with the primary's election id), other changes only to the connection concerned. At most 16
 * connections; two connections may not share an election id.
 */
import type { google, p4 } from 'p4runtime-ts-grpc/wire';
import { longField } from './pipeline.js';
import { RoleScope } from './roles.js';
import { Code, statusError } from './status.js';

/** PI's per-device connection limit. */
export const MAX_CONNECTIONS = 16;

const UINT64_MASK = (1n << 64n) - 1n;

/** One StreamChannel that has sent an arbitration message. */
export interface Connection {
  electionId: bigint;
  /** The role config of the connection's last arbitration message, as sent. */
  roleConfig?: google.protobuf.IAny;
  /** That config, decoded (undefined: full access). */
  scope?: RoleScope;
  /** Writes a message on the connection's stream. */
  readonly send: (message: p4.v1.IStreamMessageResponse) => void;
}

export function uint128Of(value: bigint): p4.v1.IUint128 {
  return { high: longField(value >> 64n, true), low: longField(value & UINT64_MASK, true) };
}

export class Arbitration {
  private readonly connections: Connection[] = [];
  /** Role config of the primary, kept when it leaves (spec: the server remembers it per role). */
  private lastConfig: { any?: google.protobuf.IAny; scope: RoleScope };

  constructor(
    readonly deviceId: bigint,
    readonly role = '',
  ) {
    this.lastConfig = { scope: new RoleScope(role, undefined) };
  }

  /** The role's scope, as configured by its (last) primary. */
  get scope(): RoleScope {
    const p = this.primary;
    if (p) this.lastConfig = { any: p.roleConfig, scope: p.scope ?? new RoleScope(this.role, undefined) };
    return this.lastConfig.scope;
  }

  get size(): number {
    return this.connections.length;
  }

  get primary(): Connection | undefined {
    return this.connections[0];
  }

  isPrimaryElectionId(electionId: bigint): boolean {
    return this.primary !== undefined && this.primary.electionId === electionId;
  }

  /** First arbitration message of a stream. */
  add(connection: Connection): void {
    if (this.connections.length >= MAX_CONNECTIONS)
      throw statusError(
        Code.RESOURCE_EXHAUSTED,
        'Too many connections',
        `${MAX_CONNECTIONS} streams are already open for device ${this.deviceId}`,
      );
    if (this.connections.some((c) => c.electionId === connection.electionId)) {
      throw statusError(
        Code.INVALID_ARGUMENT,
        'Election id already exists',
        `election id ${connection.electionId}`,
      );
    }
    this.insert(connection);
    if (this.primary === connection) this.notifyAll();
    else this.notify(connection);
  }

  /**
   * Later arbitration message on the same stream. On an election id clash the connection is dropped
   * (PI removes it before re-inserting it) and the error is thrown for the stream to end.
   */
  update(connection: Connection, electionId: bigint): void {
    if (connection.electionId === electionId) return;
    if (this.connections.some((c) => c !== connection && c.electionId === electionId)) {
      this.remove(connection);
      throw statusError(Code.INVALID_ARGUMENT, 'New election id already exists', `election id ${electionId}`);
    }
    const wasPrimary = this.primary === connection;
    this.connections.splice(this.connections.indexOf(connection), 1);
    connection.electionId = electionId;
    this.insert(connection);
    const isPrimary = this.primary === connection;
    if (wasPrimary !== isPrimary) this.notifyAll();
    else this.notify(connection);
  }

  /** A connection sent a new role config: when it is the primary's, every connection hears of it (spec). */
  configChanged(connection: Connection): void {
    if (this.primary === connection) this.notifyAll();
  }

  /** The stream ended. */
  remove(connection: Connection): void {
    const index = this.connections.indexOf(connection);
    if (index < 0) return;
    this.connections.splice(index, 1);
    if (index === 0) this.notifyAll();
  }

  /** Sends to the primary, if any. */
  sendToPrimary(message: p4.v1.IStreamMessageResponse): void {
    this.primary?.send(message);
  }

  private insert(connection: Connection): void {
    let i = 0;
    while (i < this.connections.length && this.connections[i].electionId > connection.electionId) i++;
    this.connections.splice(i, 0, connection);
  }

  private notify(connection: Connection): void {
    const primary = this.primary;
    if (!primary) return;
    const isPrimary = primary === connection;
    const config = this.role ? this.primary?.roleConfig : undefined;
    connection.send({
      arbitration: {
        deviceId: longField(this.deviceId, true),
        ...(this.role ? { role: { name: this.role, ...(config ? { config } : {}) } } : {}),
        electionId: uint128Of(primary.electionId),
        status: isPrimary
          ? { code: Code.OK, message: 'Is primary' }
          : { code: Code.ALREADY_EXISTS, message: 'Is backup' },
      },
    });
  }

  private notifyAll(): void {
    for (const c of this.connections) this.notify(c);
  }
}
