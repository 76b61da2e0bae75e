import { snakeCaseKeys } from '../lib/snake-case.ts';
import type { ImportSummary, QuarantineEntry } from './import.ts';

// The wire shapes of record imports (snake_case keys); a mapping's keys are the file's columns, kept as they are.

export const importView = (summary: ImportSummary) => snakeCaseKeys(summary);

export const quarantineView = (entries: QuarantineEntry[]) => entries.map((entry) => snakeCaseKeys(entry));
