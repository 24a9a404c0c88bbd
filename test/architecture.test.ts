// The structure docs/ARCHITECTURE.md describes is the structure of the code: every folder it names
// exists, the software switch's layers import one way (core <- v1model <- P4Runtime device <-
// frontend <- gRPC service), nothing in src/switch imports in a loop (type-only imports included),
// and the switch never uses the P4Runtime client.
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

/**
 * The P4Runtime wire code the switch shares with the client (generated messages, the service
 * definition, the role config scheme): allowed; anything else of the client is not.
 */
function isClient(imp: { specifier: string; target: string | undefined }): boolean {
  if (imp.target === undefined) return /^p4runtime-ts-grpc(\/(?!wire\b).*)?$/.test(imp.specifier);
  if (!imp.target.startsWith('src/p4runtime/')) return false;
  return !imp.target.startsWith('src/p4runtime/generated/') && imp.target !== 'src/p4runtime/service.ts';
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

  it('the switch never uses the P4Runtime client (only the wire code they share)', () => {
    const wrong = [...graph].flatMap(([file, imports]) =>
      imports.filter(isClient).map((imp) => `${file}: ${imp.specifier}`),
    );
    expect(wrong).toEqual([]);
  });
});
