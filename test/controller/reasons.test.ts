import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { DROP_REASONS, dropCounterName, PUNT_REASONS } from '../../src/controller/reasons.js';

const constants = readFileSync(join(PACKAGE_ROOT, 'p4', 'include', 'constants.p4'), 'utf8');
/** The DPL program: its punt reasons are the core's (it includes constants.p4). */
const dpl = readFileSync(join(PACKAGE_ROOT, 'p4', 'dpl', 'main.p4'), 'utf8');

function p4Constants(type: string, prefix: string, source = constants): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`const ${type} ${prefix}_(\\w+) = (\\d+);`, 'g');
  for (const m of source.matchAll(re)) out[m[1]] = Number(m[2]);
  return out;
}

describe('reason codes', () => {
  it('drop reasons match p4/include/constants.p4', () => {
    const fromP4 = p4Constants('drop_reason_t', 'DROP');
    delete fromP4.NONE;
    expect(DROP_REASONS).toEqual(fromP4);
  });

  it('punt reasons match p4/include/constants.p4, which the DPL program uses too', () => {
    const fromP4 = p4Constants('punt_reason_t', 'PUNT');
    delete fromP4.NONE;
    expect(PUNT_REASONS).toEqual(fromP4);
    expect(Object.keys(p4Constants('punt_reason_t', 'PUNT', dpl))).toEqual([]);
    expect(dpl).toContain('PUNT_NEIGHBOR;');
  });

  it('egress-decided drops are read from the egress counter', () => {
    expect(dropCounterName('POLICY_DENY')).toBe('VtepEgress.egress_drops');
    expect(dropCounterName('UNKNOWN_VNI')).toBe('VtepIngress.ingress_drops');
  });
});
