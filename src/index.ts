/**
 * geneve-offload: the Geneve VTEP's control plane. The overlay controller is the main entry; the
 * layers below it have entry points of their own: `geneve-offload/packet` (packet model), `geneve-offload/target` (embedded target).
 */

export { GENEVE_PROGRAM, programArtifactPath } from './artifacts/program.js';
export * from './controller/index.js';
export { decodeRoleConfig, encodeRoleConfig, type RoleConfig, RoleConfigError } from './role-config.js';
