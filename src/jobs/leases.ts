import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Context } from '../context.ts';
import { executePrepared, type JobsTable, type Tables } from '../db/index.ts';
import { JOB_KINDS, type JobKind } from '../domain/index.ts';
import { processExists } from '../lib/process.ts';
import type { JobError, JobProgress } from './view.ts';

/** A process running jobs; its id is recorded on each job it holds. */
export interface JobWorker {
  id: string;
  host: string;
  pid: number;
}

export function newJobWorker(): JobWorker {
  const host = hostname();
  return { id: `${host}/${process.pid}/${randomBytes(3).toString('hex')}`, host, pid: process.pid };
}

export interface LeaseSettings {
  /** How long a claim or a renewal holds a job. */
  leaseMs: number;
  /** A job claimed this many times without being finished or handed back is failed rather than taken over again. */
  maxAttempts: number;
}

export type ClaimedJob = Selectable<JobsTable>;

/**
 * Until when a claim or a renewal made now holds a job. On PostgreSQL, leaseMs: workers on
 * other machines are known gone only by their silence. On SQLite every worker is on this
 * machine and is known gone when its process is (endLeasesOfGoneWorkers); a time lease there
 * would run out under a live worker, whose renewals wait on the one connection while its job
 * holds it for a long transaction (an import), and hand the job to a second runner.
 */
function leaseEnd(ctx: Context, now: Date, leaseMs: number): string {
  return ctx.dialect === 'sqlite' ? HELD_UNTIL_GONE : new Date(now.getTime() + leaseMs).toISOString();
}

const HELD_UNTIL_GONE = '9999-12-31T23:59:59.999Z';

/** A job waiting for its first worker. */
const isQueued = (eb: ExpressionBuilder<Tables, 'jobs'>) => eb.and([eb('state', '=', 'queued')]);

/** What a lease that ran out (or was ended, for a worker known to be gone) looks like: another worker may take the job. */
const leaseRanOut = (now: string) => (eb: ExpressionBuilder<Tables, 'jobs'>) => eb.and([eb('state', '=', 'running'), eb('locked_until', '<=', now)]);

/**
 * Moves up to `most` jobs to `running` under this worker and returns them: first, unless
 * `takeOver` is false, those running under a lease that ran out (taken over), then the oldest
 * queued. With PostgreSQL, rows another worker is claiming at the same moment are skipped (FOR
 * UPDATE SKIP LOCKED), so no job is claimed twice; on SQLite each claim is one UPDATE, a write
 * transaction from its first statement. Take-overs first end the leases of this machine's
 * workers that no longer exist, and end jobs whose lease ran out: cancelled if asked to, failed
 * once they took down `maxAttempts` workers. They read the running jobs, whose index every
 * finished job leaves entries in until a vacuum: a runner that claims many times a second
 * (answers to a rush of lookups) looks for them once in a while (JobRunnerOptions.pollMs).
 */
export async function claimJobs(ctx: Context, worker: JobWorker, settings: LeaseSettings, most: number, kinds?: readonly JobKind[], options: { takeOver?: boolean } = {}): Promise<ClaimedJob[]> {
  const now = ctx.now();
  const at = now.toISOString();
  const claim = (pick: Picked) =>
    ctx.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        worker: worker.id,
        worker_host: worker.host,
        worker_pid: worker.pid,
        locked_until: leaseEnd(ctx, now, settings.leaseMs),
        attempts: eb('attempts', '+', 1),
        started_at: eb.fn.coalesce('started_at', eb.val(at)),
        updated_at: at,
      }))
      .where('id', 'in', pick)
      .returningAll();
  const takenOver = options.takeOver === false ? [] : await claim(await ranOutLeases(ctx, worker, settings, at, most, kinds)).execute();
  // Not prepared: PostgreSQL's generic plan for it reads every queued job.
  const queued = takenOver.length < most ? await claim(oldestQueued(ctx, most - takenOver.length, kinds)).execute() : [];
  return [...takenOver, ...queued].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

/** Ends the leases of gone workers here and the jobs that ran out of attempts or were cancelled; picks up to `count` of the rest whose lease ran out. */
async function ranOutLeases(ctx: Context, worker: JobWorker, settings: LeaseSettings, at: string, count: number, kinds?: readonly JobKind[]) {
  await endLeasesOfGoneWorkers(ctx, worker);
  await ctx.db
    .updateTable('jobs')
    .set({ state: 'cancelled', finished_at: at, updated_at: at, ...RELEASED })
    .where(leaseRanOut(at))
    .where('cancel_requested_at', 'is not', null)
    .execute();
  const lost: JobError = {
    code: 'JOB_WORKER_LOST',
    kind: 'failed',
    message: `the workers running this job stopped ${settings.maxAttempts} times before it finished (killed, or out of memory?); their logs may say why; start it again once that is fixed`,
  };
  await ctx.db
    .updateTable('jobs')
    .set({ state: 'failed', error: JSON.stringify(lost), finished_at: at, updated_at: at, ...RELEASED })
    .where(leaseRanOut(at))
    .where('attempts', '>=', settings.maxAttempts)
    .execute();
  return ctx.db
    .selectFrom('jobs')
    .select('id')
    .where(leaseRanOut(at))
    .$if(kinds !== undefined, (query) => query.where('kind', 'in', kinds!))
    .orderBy('created_at')
    .orderBy('id')
    .limit(count)
    .$if(ctx.dialect === 'postgres', (query) => query.forUpdate().skipLocked());
}

/**
 * The `count` oldest queued jobs of these kinds (any, when none are given), off the queued jobs'
 * index (jobs_queued): the oldest of each kind, then the oldest of those, each kind read in the
 * index's order, however stale the planner's statistics (a rush queues thousands of jobs between
 * two ANALYZEs, SQLite's planner never has any, and a plan that sorts them all takes longer than
 * the jobs do: 21 ms a claim on SQLite with 50,000 answers queued, against 0.3 ms).
 */
export function oldestQueued(ctx: Context, count: number, kinds: readonly JobKind[] = JOB_KINDS): Picked {
  if (ctx.dialect === 'postgres') {
    return sql<string>`(SELECT picked.id FROM unnest(${[...kinds]}::text[]) AS wanted(kind)
      CROSS JOIN LATERAL (SELECT id, created_at FROM jobs WHERE state = 'queued' AND jobs.kind = wanted.kind ORDER BY created_at, id LIMIT ${count} FOR UPDATE SKIP LOCKED) AS picked
      ORDER BY picked.created_at, picked.id LIMIT ${count})`;
  }
  // Each kind a subquery of its own (SQLite takes ORDER BY and LIMIT in a compound's arm only so).
  const ofKind = (kind: JobKind) =>
    ctx.db.selectFrom((db) => db.selectFrom('jobs').select(['id', 'created_at']).where(isQueued).where('kind', '=', kind).orderBy('created_at').orderBy('id').limit(count).as('one')).selectAll();
  const each = kinds.slice(1).reduce((all, kind) => all.unionAll(ofKind(kind)), ofKind(kinds[0]));
  return ctx.db.selectFrom(each.as('oldest')).select('id').orderBy('created_at').orderBy('id').limit(count);
}

/** Which jobs a claim takes: a query of their ids (off the jobs, off SQLite's union of each kind's oldest, or PostgreSQL's lateral join). */
export type Picked = SelectQueryBuilder<Tables, 'jobs', { id: string }> | SelectQueryBuilder<Tables & { oldest: { id: string; created_at: string } }, 'oldest', { id: string }> | RawBuilder<string>;

/**
 * Whether claimJobs would find work of these kinds now: a queued job, or one whose lease ran out
 * (after the leases of this machine's gone workers are ended). A read, but for those leases.
 */
export async function hasJobsToClaim(ctx: Context, kinds?: readonly JobKind[]): Promise<boolean> {
  await endLeasesOfGoneWorkers(ctx);
  const at = ctx.now().toISOString();
  // One probe per state, each down the queue's index: the table keeps every finished job.
  for (const which of [isQueued, leaseRanOut(at)]) {
    const found = await ctx.db
      .selectFrom('jobs')
      .select('id')
      .where(which)
      .$if(kinds !== undefined, (query) => query.where('kind', 'in', kinds!))
      .limit(1)
      .executeTakeFirst();
    if (found) return true;
  }
  return false;
}

const RELEASED = { worker: null, worker_host: null, worker_pid: null, locked_until: null } as const;

/**
 * Ends the leases of jobs held by processes of this machine that no longer exist (killed, or
 * crashed): they need not be waited for. Workers elsewhere are known gone only by their lease.
 */
export async function endLeasesOfGoneWorkers(ctx: Context, worker: Pick<JobWorker, 'host' | 'pid'> = newJobWorker()): Promise<void> {
  const at = ctx.now().toISOString();
  const held = await ctx.db
    .selectFrom('jobs')
    .select(['id', 'worker', 'worker_pid'])
    .where('state', '=', 'running')
    .where('worker_host', '=', worker.host)
    .where('locked_until', '>', at)
    .execute();
  for (const job of held) {
    if (job.worker_pid === null || job.worker_pid === worker.pid || processExists(job.worker_pid)) continue;
    await ctx.db.updateTable('jobs').set({ locked_until: at }).where('id', '=', job.id).where('worker', '=', job.worker).where('state', '=', 'running').execute();
  }
}

/** What a heartbeat learns of the jobs a worker runs: those it no longer holds, and those asked to stop. */
export interface LeaseStates {
  /** Taken over by another worker after the lease ran out, or cancelled while their worker was silent. */
  lost: string[];
  cancelRequested: string[];
}

/**
 * Extends the worker's lease on its running jobs (one job, or a batch run together), in one
 * statement, and tells which it no longer holds and which were asked to stop.
 */
export async function renewLeases(ctx: Context, worker: JobWorker, jobIds: readonly string[], leaseMs: number): Promise<LeaseStates> {
  const rows = await ctx.db
    .updateTable('jobs')
    .set({ locked_until: leaseEnd(ctx, ctx.now(), leaseMs) })
    .where('id', 'in', jobIds)
    .where('worker', '=', worker.id)
    .where('state', '=', 'running')
    .returning(['id', 'cancel_requested_at'])
    .execute();
  return leaseStatesOf(jobIds, rows);
}

/**
 * The same read without writing: SQLite's heartbeat, through a connection of its own, which a
 * job's long transaction (an import, a scope run) does not hold up. A SQLite lease needs no renewal.
 */
export async function leaseStates(db: Kysely<Tables>, worker: JobWorker, jobIds: readonly string[]): Promise<LeaseStates> {
  const rows = await db.selectFrom('jobs').select(['id', 'cancel_requested_at']).where('id', 'in', jobIds).where('worker', '=', worker.id).where('state', '=', 'running').execute();
  return leaseStatesOf(jobIds, rows);
}

function leaseStatesOf(jobIds: readonly string[], held: readonly { id: string; cancel_requested_at: string | null }[]): LeaseStates {
  const holding = new Set(held.map((row) => row.id));
  return { lost: jobIds.filter((id) => !holding.has(id)), cancelRequested: held.filter((row) => row.cancel_requested_at !== null).map((row) => row.id) };
}

export async function saveProgress(ctx: Context, worker: JobWorker, jobId: string, progress: JobProgress): Promise<void> {
  await ctx.db
    .updateTable('jobs')
    .set({ progress: JSON.stringify(progress), updated_at: ctx.now().toISOString() })
    .where('id', '=', jobId)
    .where('worker', '=', worker.id)
    .where('state', '=', 'running')
    .execute();
}

export type JobOutcome = { state: 'succeeded'; result: unknown } | { state: 'failed'; error: JobError } | { state: 'cancelled' };

/** Kinds whose parameters hold personal data (the portal's answers: the address asked about): kept while the job may run again, erased once it ended. */
export const PARAMS_ERASED_AT_END: ReadonlySet<JobKind> = new Set(['portal_answer']);

/**
 * Records how jobs of one kind ended (one job, or a batch run together), erasing the parameters
 * of PARAMS_ERASED_AT_END in the same write: one statement per distinct outcome. Returns the ids
 * recorded; a job missing from them was no longer this worker's to end.
 */
export async function finishJobs(ctx: Context, worker: JobWorker, kind: JobKind, ended: readonly { id: string; outcome: JobOutcome }[]): Promise<Set<string>> {
  const at = ctx.now().toISOString();
  const erasing = PARAMS_ERASED_AT_END.has(kind);
  const byOutcome = new Map<string, { outcome: JobOutcome; ids: string[] }>();
  for (const { id, outcome } of ended) {
    const key = JSON.stringify(outcome);
    const same = byOutcome.get(key) ?? { outcome, ids: [] };
    same.ids.push(id);
    byOutcome.set(key, same);
  }
  const recorded = new Set<string>();
  for (const { outcome, ids } of byOutcome.values()) {
    const update = ctx.db
      .updateTable('jobs')
      .set({
        state: outcome.state,
        result: outcome.state === 'succeeded' ? JSON.stringify(outcome.result ?? null) : null,
        error: outcome.state === 'failed' ? JSON.stringify(outcome.error) : null,
        finished_at: at,
        updated_at: at,
        ...RELEASED,
        ...(erasing ? { params: '{}' } : {}),
      })
      .where('id', 'in', ids)
      .where('worker', '=', worker.id)
      .where('state', '=', 'running')
      .returning('id');
    // Prepared, as the claim: once per job or batch. One text per number of jobs.
    for (const row of await executePrepared(ctx.db, `finish_jobs_${ids.length}${erasing ? '_erasing_params' : ''}`, update)) recorded.add(row.id);
  }
  return recorded;
}

/** Hands a job back to the queue untouched by failure (its worker is stopping): the claim does not count as an attempt. */
export async function releaseJob(ctx: Context, worker: JobWorker, jobId: string): Promise<void> {
  await ctx.db
    .updateTable('jobs')
    .set((eb) => ({ state: 'queued', attempts: eb('attempts', '-', 1), updated_at: ctx.now().toISOString(), ...RELEASED }))
    .where('id', '=', jobId)
    .where('worker', '=', worker.id)
    .where('state', '=', 'running')
    .execute();
}
