import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { POSTGRES_SKIPPED, POSTGRES_URL } from './databases.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory for this run alone, for what test files build once and share (the console tests' demo); removed after the run. */
    runDir: string;
  }
}

/** Says once, at the top of the run, that the PostgreSQL half of the suite is not running; makes the run's directory. */
export default function setup(project: TestProject): () => void {
  if (!POSTGRES_URL) process.stderr.write(`\n⚠ ${POSTGRES_SKIPPED}\n\n`);
  const runDir = mkdtempSync(join(tmpdir(), 'tocsin-test-run-'));
  project.provide('runDir', runDir);
  return () => rmSync(runDir, { recursive: true, force: true });
}
