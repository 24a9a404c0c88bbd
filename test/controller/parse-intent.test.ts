import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { IntentError, loadFabricIntent, planFabric } from '../../src/controller/index.js';

function problemsOf(yaml: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'intent-')), 'fabric.yaml');
  writeFileSync(file, yaml);
  try {
    loadFabricIntent(file);
  } catch (e) {
    if (e instanceof IntentError) return e.problems.map((p) => p.replace(file, 'fabric.yaml'));
    throw e;
  }
  return [];
}

describe('fabric intent files', () => {
  it('the shipped example loads and plans', () => {
    const intent = loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml'));
    const plan = planFabric(intent);
    expect(plan.tenants.map((t) => t.name)).toEqual(['blue', 'green']);
  });

  it('names file, line and path of each wrong value', () => {
    const problems = problemsOf(
      [
        'accessPorts: [1]',
        'uplinks: [{ port: 5, mac: "02:aa:00:00:00:05" }]',
        'localVteps: ["10.0.0.1"]',
        'routes: []',
        'tenants:',
        '  - vni: 5000',
        '    unknownSecurityId: 1',
        '    vports:',
        '      - { port: 1, mac: "02:zz:00:00:00:01", securityId: 1 }',
        '    policies:',
        '      - { action: permit, priority: 1, colour: red }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'fabric.yaml:9: fabric.tenants[0].vports[0].mac: expected a MAC address like 02:00:00:00:00:01, got "02:zz:00:00:00:01"',
      'fabric.yaml:11: fabric.tenants[0].policies[0].colour: unknown key (expected one of src, dst, protocol, ports, action, priority)',
      'fabric.yaml:11: fabric.tenants[0].policies[0].action: expected allow or deny, got "permit"',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('accessPorts: [1\nuplinks: []')[0]).toMatch(/^fabric\.yaml:\d+: /);
  });
});
