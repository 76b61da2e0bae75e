import type { Selectable } from 'kysely';
import { databaseFailure, type JobsTable } from '../db/index.ts';
import type { JobKind, JobState } from '../domain/index.ts';
import { TocsinError, type ErrorData } from '../lib/errors.ts';

export interface JobProgress {
  done: number;
  total: number | null;
  stage?: string;
}

/** A failed job's error, as the CLI's `--json` and the API give any error: `{code, kind, message, next?}`. */
export type JobError = ErrorData;

/** A job as the API, the CLI and SSE show it (snake_case on the wire). */
export interface JobView {
  id: string;
  kind: JobKind;
  incident_id: string | null;
  state: JobState;
  progress: JobProgress | null;
  result: unknown | null;
  error: JobError | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  actor: string;
  /** Set while a running job has been asked to stop and has not yet. */
  cancel_requested_at: string | null;
  /** The worker holding a running job: `host/pid/random`. */
  worker: string | null;
  /** Times a worker took the job on without handing it back cleanly. */
  attempts: number;
}

export const FINISHED: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export function jobView(row: Selectable<JobsTable>): JobView {
  return {
    id: row.id,
    kind: row.kind,
    incident_id: row.incident_id,
    state: row.state,
    progress: parsed(row.progress),
    result: parsed(row.result),
    error: parsed(row.error),
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    actor: row.actor,
    cancel_requested_at: row.state === 'running' ? row.cancel_requested_at : null,
    worker: row.state === 'running' ? row.worker : null,
    attempts: Number(row.attempts),
  };
}

const parsed = <T>(json: string | null): T | null => (json === null ? null : (JSON.parse(json) as T));

/** The error code a job records for a failure that is a bug in Tocsin rather than something its starter can fix. */
export const INTERNAL = 'internal';

/**
 * What a failed job records of its error: a TocsinError as the CLI and the API show it (code,
 * kind, message, next step), which is written for the user; anything else only as `internal`,
 * since its message may quote data (a row, a database's detail) and is for the worker's log,
 * without the message, not for the table.
 */
export function errorView(error: unknown, jobId: string): JobError {
  const known = error instanceof TocsinError ? error : databaseFailure(error);
  if (known) return known.toData();
  return { code: INTERNAL, kind: 'failed', message: `an unexpected error stopped the job, a bug in Tocsin; the log of the worker that ran it has the details under job ${jobId}` };
}
