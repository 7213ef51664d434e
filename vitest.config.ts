import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,api,workers,integrations,migrations,tests}/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: process-spawning tests compete for CPU; keep the parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
