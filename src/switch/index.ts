/**
 * The embedded target, a bmv2-compatible software switch:
 * - `core/`: the engine's architecture-neutral core (bmv2's bm_sim): loads p4c's bmv2 JSON, compiles
 *   it to closures, holds tables and externs behind a control-plane interface by handle;
 * - `v1model/`: the v1model architecture as simple_switch runs it (standard metadata, packet path,
 *   traffic manager, replication and cloning), the engine to instantiate;
 * - `p4runtime/`: the P4Runtime server that drives it like simple_switch_grpc (`grpc/`, `frontend/`,
 *   `device/`, as PI's layers);
 * - `packet-io/`: its ports (pcap files or bmv2's packet gRPC service);
 * - `embedded-target.ts`: all of it as `genevectl target serve` runs it.
 */

export { SERVE_INLINING_BUDGET, setAllocationSitePretenuring, setInliningBudget } from './compiler-flags.js';
export {
  DEFAULT_WARM_UP_WRITES,
  type EmbeddedTarget,
  type EmbeddedTargetOptions,
  isLoopbackHost,
  ListenAddressError,
  RECEIVE_WINDOW_BYTES,
  type ServerTls,
  startEmbeddedTarget,
  type TargetStats,
} from './embedded-target.js';
export * from './p4runtime/index.js';
export { inputPcapPath, outputPcapPath, PcapPathError, PcapPorts } from './packet-io/pcap-ports.js';
export { Dataplane, type OutputFrame, type OutputListener, type PortStats } from './packet-io/ports.js';
export { createDataplaneHandlers, dataplaneServerDefinition } from './packet-io/service.js';
export * from './v1model/index.js';
