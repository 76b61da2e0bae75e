import { snakeCaseKeys } from '../lib/snake-case.ts';
import type { Detection } from './detect-run.ts';
import type { FileStats } from './hits.ts';
import type { PurgeCounts, PurgedReach } from './purge.ts';
import type { AffectedSubject, EvidenceFile, Explanation, RunDiff } from './results.ts';
import type { ScopeRunSummary } from './scope-run.ts';
import type { ScopeRunRecord } from './scope-runs.ts';

// The wire shapes of scoping's results, for the CLI's --json and the API alike: snake_case keys.

/** One affected person: the row `tocsin affected` writes and the API pages through. */
export const affectedPersonView = (subject: AffectedSubject) => snakeCaseKeys(subject);
export type AffectedPersonView = ReturnType<typeof affectedPersonView>;

/** The columns of the affected people's CSV, as `tocsin affected` writes it and the console downloads it. */
export const AFFECTED_CSV_HEADER = ['email', 'name', 'locale', 'country', 'region', 'exposed', 'not_exposed', 'first_access', 'last_access', 'requests', 'records'] as const;

export function affectedCsvCells(subject: AffectedSubject): (string | number | null)[] {
  return [
    subject.email,
    subject.name,
    subject.locale,
    subject.country,
    subject.region,
    subject.exposed.join(';'),
    subject.notExposed.join(';'),
    subject.firstAccess,
    subject.lastAccess,
    subject.requests,
    subject.records.join(';'),
  ];
}

export const affectedView = ({ run, subjects }: { run: number; subjects: AffectedSubject[] }) => ({ run, subjects: subjects.map(affectedPersonView) });

export const explanationView = (explanation: Explanation) => snakeCaseKeys(explanation);

export const evidenceView = (files: EvidenceFile[]) => files.map((file) => snakeCaseKeys(file));

export const fileStatsView = (stats: FileStats) => snakeCaseKeys(stats);

const purgedReachView = (reach: PurgedReach) => snakeCaseKeys(reach);

export const scopeRunView = (summary: ScopeRunSummary) => ({ ...snakeCaseKeys(summary), files: summary.files.map(fileStatsView), purged: purgedReachView(summary.purged) });

export const runDiffView = (diff: RunDiff) => ({ ...diff, purged: purgedReachView(diff.purged) });

export const detectionView = (detection: Detection) => ({ ...detection, suspects: detection.suspects.map((suspect) => snakeCaseKeys(suspect)), files: detection.files.map(fileStatsView) });

/** A purge's plan or result. */
export const purgeView = <T extends PurgeCounts>(counts: T) => snakeCaseKeys(counts);

/** The incident's scope runs, newest first: what each read and found. */
export const scopeRunsView = (runs: ScopeRunRecord[]) => runs.map((run) => snakeCaseKeys(run));
