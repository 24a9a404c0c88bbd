// Helpers shared by the engine tests: loading compiled fixtures and packing/unpacking headers
// described as lists of (name, width) fields.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type EngineOptions,
  Pipeline,
  type Program,
  SimpleSwitchEngine,
} from '../../../src/switch/v1model/index.js';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'p4');

export function fixtureFile(name: string, suffix: string): string {
  return join(FIXTURE_DIR, `${name}${suffix}`);
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixtureFile(name, '.json'), 'utf8')) as Record<string, unknown>;
}

const programs = new Map<string, Program>();

/** Loads (once per test file) the compiled program of a fixture. */
export function fixtureProgram(name: string): Program {
  let p = programs.get(name);
  if (!p) {
    p = Pipeline.load(readFileSync(fixtureFile(name, '.json'), 'utf8'));
    programs.set(name, p);
  }
  return p;
}

/** A fresh engine on a fixture, with a fixed clock and seed unless overridden. */
export function fixtureEngine(name: string, options: EngineOptions = {}): SimpleSwitchEngine {
  return new SimpleSwitchEngine(fixtureProgram(name), { clock: () => 0, seed: 1, ...options });
}

/** A header layout: field names and bit widths, in wire order. */
export type HeaderLayout = readonly (readonly [name: string, width: number])[];

/** Packs field values (missing ones are 0, negatives are two's complement) into bytes. */
export function pack(layout: HeaderLayout, values: Readonly<Record<string, bigint | number>>): Uint8Array {
  let acc = 0n;
  let bits = 0;
  for (const [name, width] of layout) {
    const v = BigInt(values[name] ?? 0);
    acc = (acc << BigInt(width)) | BigInt.asUintN(width, v);
    bits += width;
  }
  if (bits % 8 !== 0) throw new Error(`layout is ${bits} bits, not whole bytes`);
  const out = new Uint8Array(bits / 8);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
  return out;
}

/** Unpacks bytes (starting at `offset`) into unsigned field values. */
export function unpack(layout: HeaderLayout, bytes: Uint8Array, offset = 0): Record<string, bigint> {
  const bits = layout.reduce((a, [, w]) => a + w, 0);
  const n = bits / 8;
  if (offset + n > bytes.length)
    throw new Error(`need ${n} bytes at offset ${offset}, have ${bytes.length - offset}`);
  let acc = 0n;
  for (let i = 0; i < n; i++) acc = (acc << 8n) | BigInt(bytes[offset + i]);
  const out: Record<string, bigint> = {};
  let remaining = bits;
  for (const [name, width] of layout) {
    remaining -= width;
    out[name] = (acc >> BigInt(remaining)) & ((1n << BigInt(width)) - 1n);
  }
  return out;
}

export function byteLength(layout: HeaderLayout): number {
  return layout.reduce((a, [, w]) => a + w, 0) / 8;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/** Deterministic pseudo-random bytes (xorshift32) for property-style tests. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function randomBits(next: () => number, width: number): bigint {
  let v = 0n;
  for (let i = 0; i < width; i += 32) v = (v << 32n) | BigInt(next());
  return BigInt.asUintN(width, v);
}

/** Two's complement interpretation of a `width`-bit unsigned value. */
export function signed(v: bigint, width: number): bigint {
  return BigInt.asIntN(width, v);
}
