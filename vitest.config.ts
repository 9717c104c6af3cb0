import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start Dovecot servers and HTTP servers on free ports; two workers fit 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
