/**
 * Loading a bmv2 JSON program for v1model: the core's loader with simple_switch's primitives and required fields.
 */
import { type ArchitectureSpec, Program } from '../core/program.js';
import { SIMPLE_SWITCH_PRIMITIVES } from './primitives.js';

/** simple_switch to the core's loader: its primitives and the fields its constructor requires. */
export const SIMPLE_SWITCH_ARCHITECTURE: ArchitectureSpec = {
  name: 'simple_switch',
  primitives: SIMPLE_SWITCH_PRIMITIVES,
  // SimpleSwitch::SimpleSwitch: add_required_field(...)
  requiredFields: [
    'standard_metadata.ingress_port',
    'standard_metadata.packet_length',
    'standard_metadata.instance_type',
    'standard_metadata.egress_spec',
    'standard_metadata.egress_port',
  ],
};

/** Parses and compiles p4c's bmv2 JSON for v1model (a string or an already parsed object). */
export function loadV1Model(json: string | unknown): Program {
  return Program.load(json, SIMPLE_SWITCH_ARCHITECTURE);
}

/** The v1model program loader, under the name the engine's users know: `Pipeline.load(json)`. */
export const Pipeline = { load: loadV1Model } as const;
