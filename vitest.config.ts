import { defineConfig } from 'vitest/config';

// Against real bmv2 every scenario file starts its own simple_switch_grpc; on a 2-core machine
// more than two at once starve each other and stretch the dataplane's quiet periods.
const bmv2 = process.env.P4_TARGET === 'bmv2';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    ...(bmv2 ? { maxWorkers: 2 } : {}),
  },
});
