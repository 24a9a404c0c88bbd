/**
 * Cloning, as simple_switch does it at the end of ingress (I2E: the packet as it arrived at this
 * ingress pass, parsed again) and of egress (E2E: the headers as they are now), with the metadata
 * of the preserved field list, to the ports of a clone session of the PRE (bmv2
 * SimpleSwitch::ingress_thread / egress_thread, the `mirroring_sessions`).
 */
import type { HeaderOps } from '../core/header-ops.js';
import type { CompiledParser } from '../core/parser.js';
import type { PacketState } from '../core/state.js';
import { clearFlags, type PacketRun, type PacketStates } from './packet-run.js';
import type { ReplicationEngine } from './pre.js';
import { InstanceType, type StandardMetadata } from './standard-metadata.js';
import type { TrafficManager } from './traffic-manager.js';

type Session = NonNullable<ReturnType<ReplicationEngine['session']>>;

export class Cloning {
  constructor(
    private readonly pre: Pick<ReplicationEngine, 'session'>,
    private readonly meta: Pick<StandardMetadata, 'ingressPort' | 'instanceType' | 'egressRid'>,
    private readonly headerOps: Pick<HeaderOps, 'clearAll' | 'resetMetadata'>,
    /** The program's parser, for the I2E clone's re-parse. */
    private readonly parser: CompiledParser,
    private readonly states: PacketStates,
    private readonly tm: Pick<TrafficManager, 'enqueue'>,
  ) {}

  /**
   * The clone `s` asked for in ingress (its clone request is cleared): the bytes it arrived with at
   * this pass (`arrived`, `arrivedLength`), parsed again.
   */
  ingressClone(s: PacketState, arrived: Uint8Array, arrivedLength: number, run: PacketRun): void {
    const { sessionId, fieldList } = takeRequest(s);
    const session = this.pre.session(sessionId);
    if (!session) {
      s.note('warning', `clone session ${sessionId} is not configured; no clone made`);
      return;
    }
    const copy = this.states.fresh(run);
    this.headerOps.clearAll(copy);
    copy.data = arrived;
    copy.packetLength = arrivedLength;
    copy.ingressLength = s.ingressLength;
    // Parsers may branch on ingress_port, so simple_switch keeps it for this re-parse only.
    this.meta.ingressPort.set(copy, this.meta.ingressPort.get(s));
    this.parser.parse(copy);
    this.headerOps.resetMetadata(copy);
    this.states.preserve(fieldList, s, copy);
    this.meta.instanceType.set(copy, InstanceType.INGRESS_CLONE);
    this.toSession(copy, session, run);
  }

  /** The clone `s` asked for in egress (its clone request is cleared): its headers as they are now. */
  egressClone(s: PacketState, run: PacketRun): void {
    const { sessionId, fieldList } = takeRequest(s);
    const session = this.pre.session(sessionId);
    if (!session) {
      s.note('warning', `clone session ${sessionId} is not configured; no clone made`);
      return;
    }
    // Egress clones carry the headers as they are now, metadata reset except the preserved fields.
    const copy = this.states.copy(run, s);
    this.headerOps.resetMetadata(copy);
    this.states.preserve(fieldList, s, copy);
    this.meta.instanceType.set(copy, InstanceType.EGRESS_CLONE);
    clearFlags(copy);
    this.toSession(copy, session, run);
  }

  /** One copy per replica of the session, then the copy itself to the session's port, if any. */
  private toSession(copy: PacketState, session: Session, run: PacketRun): void {
    const plen = session.config.packetLengthBytes ?? 0;
    const truncate = (x: PacketState): void => {
      if (plen > 0) x.truncateLength = plen;
    };
    if (session.config.replicas) {
      for (const r of session.order) {
        this.meta.egressRid?.set(copy, r.rid);
        const replica = this.states.copy(run, copy);
        clearFlags(replica);
        replica.truncateLength = Number.POSITIVE_INFINITY;
        truncate(replica);
        this.tm.enqueue(r.port, replica, run);
      }
    }
    if (session.config.egressPort !== undefined) {
      clearFlags(copy);
      copy.truncateLength = Number.POSITIVE_INFINITY;
      truncate(copy);
      this.tm.enqueue(session.config.egressPort, copy, run);
    }
  }
}

/** The clone request of `s` (session and preserved field list), cleared on the packet. */
function takeRequest(s: PacketState): { sessionId: number; fieldList: number } {
  const request = { sessionId: s.cloneSession, fieldList: s.cloneFieldList };
  s.cloneSession = -1;
  s.cloneFieldList = 0;
  return request;
}
