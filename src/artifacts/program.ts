/** Where the compiled Geneve VTEP program lives, relative to the package root. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENEVE_PROGRAM = {
  /** Entry point under p4/. */
  mainSource: 'v1model/main.p4',
  /** Artifacts under bmv2/. */
  bmv2Json: 'geneve_vtep.json',
  p4infoJson: 'geneve_vtep.p4info.json',
  p4infoText: 'geneve_vtep.p4info.txtpb',
  stamp: 'geneve_vtep.stamp.json',
} as const;

/** The package root, found from this module's location (src/ or dist/ alike). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function programArtifactPath(name: keyof typeof GENEVE_PROGRAM): string {
  const file = GENEVE_PROGRAM[name];
  return name === 'mainSource' ? join(PACKAGE_ROOT, 'p4', file) : join(PACKAGE_ROOT, 'bmv2', file);
}
