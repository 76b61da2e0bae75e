import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: the suite must pass on a busy 2-core machine, where the slowest tests (kill -9
    // campaigns, property tests over worker pools) take several times what they take on an idle one.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Database suites share one PostgreSQL server; each test file uses its own schema.
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
