/**
 * The v1model architecture of the embedded engine, as bmv2's simple_switch (targets/simple_switch):
 * standard metadata, the packet path (ingress, traffic manager, egress, recirculation, resubmit),
 * the PRE (multicast replication and clone sessions) and the simple_switch primitives, on top of the
 * core (`../core/`), which this entry re-exports so that one import runs a program:
 *
 * ```ts
 * const engine = new SimpleSwitchEngine(Pipeline.load(jsonText), { cpuPort: 255 });
 * const handle = engine.addTableEntry('MyIngress.fwd', { match: [{ kind: 'exact', value: 1n }], action: { type: 'action', name: 'MyIngress.out', params: [2n] } });
 * const { outputs } = engine.processPacket(1, frame);
 * ```
 */
export * from '../core/index.js';
export type { DigestMessage, DropRecord, OutputPacket } from './packet-run.js';
export {
  type CloneSessionConfig,
  MAX_CLONE_SESSION_ID,
  MAX_MULTICAST_GROUP_ID,
  type Replica,
} from './pre.js';
export { SIMPLE_SWITCH_PRIMITIVES } from './primitives.js';
export { loadV1Model, Pipeline, SIMPLE_SWITCH_ARCHITECTURE } from './program.js';
export { type EngineOptions, type ProcessResult, SimpleSwitchEngine } from './simple-switch.js';
export { InstanceType } from './standard-metadata.js';
