import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/helpers/slowest-first.ts';

// Node's compile cache, as bin/tocsin.js turns it on, for the test processes and the worker threads
// the tests start (renderers, scanners, job runners): without it each thread strips and compiles
// its TypeScript afresh.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'node-compile-cache');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: the suite must pass on a busy 2-core machine, where the slowest tests (kill -9
    // campaigns, property tests over worker pools) take several times what they take on an idle one.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // expect.poll waits 1 s by default: a page's refetch can take longer than that on a busy machine.
    expect: { poll: { timeout: 30_000 } },
    // Database suites share one PostgreSQL server; each test file uses its own schema.
    pool: 'forks',
    // A worker process runs file after file: a fresh process per file spent 144 s of a CI run
    // loading the same modules again (19 s without). Files share no state but the database
    // server and the disk: each uses its own schema and temporary directories.
    isolate: false,
    // One file more than there are cores (vitest's default is one fewer): most files spend their
    // time waiting on a `tocsin` child process, PostgreSQL or Chromium, not on their own CPU, and a
    // 2-core machine would otherwise run them one at a time.
    maxWorkers: Math.min(availableParallelism() + 1, 8),
    globalSetup: ['test/helpers/global-setup.ts'],
    sequence: { sequencer: SlowestFirst },
  },
});
