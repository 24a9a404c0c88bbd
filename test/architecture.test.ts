// The structure docs/ARCHITECTURE.md describes is the structure of the code: every folder it names
// exists, the software switch's layers import one way (core <- v1model <- P4Runtime device <-
// frontend <- gRPC service), nothing in src/switch imports in a loop (type-only imports included),
// the switch's core names no v1model field, and the switch never uses the P4Runtime client.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/artifacts/program.js';

const SWITCH = join(PACKAGE_ROOT, 'src', 'switch');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every `from '...'` (imports, type imports, re-exports) of a file: relative ones resolved to repo paths. */
function importsOf(file: string): { specifier: string; target: string | undefined }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map(([, specifier]) => ({
    specifier,
    target: specifier.startsWith('.')
      ? relative(PACKAGE_ROOT, join(dirname(file), specifier)).replace(/\.js$/, '.ts')
      : undefined,
  }));
}

const graph = new Map(tsFiles(SWITCH).map((file) => [relative(PACKAGE_ROOT, file), importsOf(file)]));

/** Strongly connected components of more than one file (Tarjan). */
function importLoops(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of graph.get(v) ?? []) {
      if (w === undefined || !graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) loops.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return loops;
}

/** What each layer of the switch may import from inside src/switch (its own folder always). */
const LAYERS: [folder: string, mayUse: string[]][] = [
  ['src/switch/core/', []],
  ['src/switch/v1model/', ['src/switch/core/']],
  ['src/switch/p4runtime/device/', ['src/switch/core/', 'src/switch/v1model/']],
  ['src/switch/p4runtime/frontend/', ['src/switch/p4runtime/device/']],
  ['src/switch/p4runtime/grpc/', ['src/switch/p4runtime/frontend/', 'src/switch/p4runtime/device/']],
];

const CLIENT_PACKAGE = 'p4runtime-ts-grpc';
const CLIENT_FOLDER = 'packages/p4runtime-ts-grpc/';
const WIRE_FOLDER = 'packages/p4runtime-ts-grpc/src/wire/';

/**
 * Whether an import is of the P4Runtime client (packages/p4runtime-ts-grpc), by package name or by
 * a relative path into the package. Its wire code (`p4runtime-ts-grpc/wire`: generated messages,
 * service definitions, status helpers), which the switch shares with the client, is allowed.
 */
function isClient(imp: { specifier: string; target: string | undefined }): boolean {
  if (imp.target === undefined) {
    if (imp.specifier !== CLIENT_PACKAGE && !imp.specifier.startsWith(`${CLIENT_PACKAGE}/`)) return false;
    return imp.specifier !== `${CLIENT_PACKAGE}/wire`;
  }
  return imp.target.startsWith(CLIENT_FOLDER) && !imp.target.startsWith(WIRE_FOLDER);
}

/** The imports of a (possibly imaginary) file of the switch that use the client. */
function clientImports(file: string, specifiers: string[]): string[] {
  const from = join(PACKAGE_ROOT, file);
  return specifiers
    .map((specifier) => ({
      specifier,
      target: specifier.startsWith('.')
        ? relative(PACKAGE_ROOT, join(dirname(from), specifier)).replace(/\.js$/, '.ts')
        : undefined,
    }))
    .filter(isClient)
    .map((imp) => imp.specifier);
}

describe('architecture', () => {
  it('every folder docs/ARCHITECTURE.md names exists', () => {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const folders = [
      ...new Set(
        [...doc.matchAll(/`((?:src|test|bench|p4|bmv2|tofino|proto|packages)\/[^`\s<]*\/)`/g)].map(
          (m) => m[1],
        ),
      ),
    ];
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.filter((f) => !existsSync(join(PACKAGE_ROOT, f)))).toEqual([]);
  });

  it('src/switch has no import loop, type-only imports included', () => {
    expect(importLoops()).toEqual([]);
  });

  it.each(LAYERS)('%s imports only from the layers below it', (folder, mayUse) => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      if (!file.startsWith(folder)) continue;
      for (const { specifier, target } of imports) {
        if (target === undefined || !target.startsWith('src/switch/') || target.startsWith(folder)) continue;
        if (!mayUse.some((layer) => target.startsWith(layer))) wrong.push(`${file}: ${specifier}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the core knows no v1model field name (the architecture adds its own)', () => {
    const core = join(SWITCH, 'core');
    const mentions = tsFiles(core).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /standard_metadata|egress_spec|mcast_grp/.test(line)
            ? [`${relative(PACKAGE_ROOT, file)}:${i + 1}`]
            : [],
        ),
    );
    expect(tsFiles(core).length).toBeGreaterThan(10);
    expect(mentions).toEqual([]);
  });

  it('the client check catches an import of the client and lets the wire code through', () => {
    const file = 'src/switch/p4runtime/frontend/example.ts';
    const violations = [
      'p4runtime-ts-grpc',
      'p4runtime-ts-grpc/dist/client.js',
      '../../../../packages/p4runtime-ts-grpc/src/index.js',
      '../../../../packages/p4runtime-ts-grpc/src/client.js',
    ];
    const allowed = [
      'p4runtime-ts-grpc/wire',
      '../../../../packages/p4runtime-ts-grpc/src/wire/index.js',
      '@grpc/grpc-js',
      'p4runtime-ts-grpc-extra',
      '../device/device.js',
      '../../../role-config.js',
    ];
    expect(clientImports(file, [...violations, ...allowed])).toEqual(violations);
  });

  it('the switch never uses the P4Runtime client (only the wire code they share)', () => {
    expect(graph.size).toBeGreaterThan(50);
    const wrong = [...graph].flatMap(([file, imports]) =>
      imports.filter(isClient).map((imp) => `${file}: ${imp.specifier}`),
    );
    expect(wrong).toEqual([]);
  });
});
