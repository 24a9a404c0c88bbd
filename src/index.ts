/**
 * geneve-offload: the Geneve VTEP's control plane. The overlay controller is the main entry; the
 * layers below it have entry points of their own: `p4runtime-ts-grpc` (the generic P4Runtime client,
 * its own package), `geneve-offload/packet` (packet model), `geneve-offload/switch` (the embedded target, a software switch).
 */

export { GENEVE_PROGRAM, programArtifactPath } from './artifacts/program.js';
export * from './controller/index.js';
export { decodeRoleConfig, encodeRoleConfig, type RoleConfig, RoleConfigError } from './role-config.js';
