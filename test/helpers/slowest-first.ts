/**
 * Runs the slowest test files first. vitest orders files by their last durations in its cache,
 * which a fresh clone (CI) does not have; by file size instead, it had left a 90-second file
 * to start last, on its own, while the other workers idled. Durations come from
 * test/durations.json (written from a full run's report by `npm run test:durations`); a file not
 * in it yet runs first, as vitest runs files it does not know.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SECONDS: Record<string, number> = JSON.parse(readFileSync(new URL('../durations.json', import.meta.url), 'utf8'));

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (file: TestSpecification) => SECONDS[relative(this.ctx.config.root, file.moduleId)] ?? Number.MAX_VALUE;
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}
