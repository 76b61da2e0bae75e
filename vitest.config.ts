import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Database suites share one PostgreSQL server; each test file uses its own schema.
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
