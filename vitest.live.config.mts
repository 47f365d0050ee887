import { defineConfig } from 'vitest/config';

// The live stack test (test/live/): real Prometheus, Alertmanager, exporters, PostgreSQL, Redis
// and the demo app on 127.0.0.1. One worker, one file at a time: the stack is started once per
// file and its tests run in order (faults before the restart).
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
