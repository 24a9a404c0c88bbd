/**
 * Loading a bmv2 JSON program for v1model: the core's loader with simple_switch's primitives.
 */
import { Program } from '../core/program.js';
import { SIMPLE_SWITCH_PRIMITIVES } from './primitives.js';

/** Parses and compiles p4c's bmv2 JSON for v1model (a string or an already parsed object). */
export function loadV1Model(json: string | unknown): Program {
  return Program.load(json, SIMPLE_SWITCH_PRIMITIVES);
}

/** The v1model program loader, under the name the engine's users know: `Pipeline.load(json)`. */
export const Pipeline = { load: loadV1Model } as const;
