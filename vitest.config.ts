import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The workspace package runs from its sources, as tsconfig.json's paths resolve it for tsc and tsx.
const client = (path: string) =>
  fileURLToPath(new URL(`./packages/p4runtime-ts-grpc/src/${path}`, import.meta.url));

// Against real bmv2 every scenario file starts its own simple_switch_grpc; on a 2-core machine
// more than two at once only starve each other.
const bmv2 = process.env.P4_TARGET === 'bmv2';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^p4runtime-ts-grpc$/, replacement: client('index.ts') },
      { find: /^p4runtime-ts-grpc\/wire$/, replacement: client('wire/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    // expect.poll waits for something that must happen: a generous bound, so that only a target
    // that never does it fails, however loaded the machine (the default is one second).
    expect: { poll: { timeout: 30_000, interval: 10 } },
    ...(bmv2 ? { maxWorkers: 2 } : {}),
  },
});
