/**
 * geneve-offload: the Geneve VTEP's control plane. The overlay controller is the main entry; the
 * layers below it have entry points of their own: `geneve-offload/p4runtime` (generic P4Runtime
 * client), `geneve-offload/packet` (packet model), `geneve-offload/switch` (the embedded target, a software switch).
 */

export { GENEVE_PROGRAM, programArtifactPath } from './artifacts/program.js';
export * from './controller/index.js';
