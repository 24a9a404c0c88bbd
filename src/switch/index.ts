/**
 * Embedded bmv2-compatible target: the packet-processing engine (`engine/`), which executes the bmv2
 * JSON that p4c emits for v1model with simple_switch semantics, and the P4Runtime server (`server/`)
 * that drives it like simple_switch_grpc.
 */

export * from './p4runtime/index.js';
export * from './v1model/index.js';
