import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { bulkInsert, type Tables } from '../db/index.ts';
import { DESK_JOB_KINDS, type DeskJobKind, type JobKind, type JobState } from '../domain/index.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { SWEEP_EVERY_MS, sweepDue } from '../lib/sweep.ts';
import { timeOrderedId } from '../lib/time-ordered-id.ts';
import { checkJobFiles } from './job-files.ts';
import { endLeasesOfGoneWorkers, PARAMS_ERASED_AT_END } from './leases.ts';
import { checkKind, checkParams, type PortalAnswerParams } from './params.ts';
import { FINISHED, jobView, type JobView } from './view.ts';

/** A check made under the incident's lock just before a job is queued: it throws to refuse the job (a campaign while another runs). */
export type JobGuard = (trx: Kysely<Tables>, incidentId: string) => Promise<void>;

export interface NewJob {
  kind: JobKind;
  incident_id?: string;
  params: unknown;
}

/**
 * Queues a job for the runner (the server on SQLite, `tocsin worker` processes on PostgreSQL)
 * once its parameters are checked, the files it names among them (their real paths are what the
 * job keeps): a mistake in them is refused here, never a failed job. The incident's audit trail
 * records who queued it.
 */
export async function enqueueJob(ctx: Context, input: NewJob, guard?: JobGuard): Promise<JobView> {
  const kind = checkKind(input.kind);
  if (kind === 'portal_answer') throw invalidInput('JOB_KIND_PORTAL', "a portal_answer job is queued by the portal's \"Was I affected?\" form, not started by hand");
  if (isDeskKind(kind)) return enqueueDeskJob(ctx, kind, input);
  if (input.incident_id === undefined) throw invalidInput('JOB_INCIDENT_MISSING', `a ${kind} job works on an incident; give its id`);
  const incident = await getIncident(ctx, input.incident_id);
  const params = checkJobFiles(kind, checkParams(kind, input.params, ctx.dataDir), ctx, incident.id);
  const now = ctx.now().toISOString();
  const id = timeOrderedId();
  const row = await ctx.db.transaction().execute(async (trx) => {
    // Recorded first: extending the trail locks the incident's row (SQLite's write lock), so the
    // guard's look at the incident's jobs and the insert are one step that no other queuing splits.
    await appendAudit(trx, ctx, incident.id, { action: 'job.queued', details: { job: id, kind } });
    await guard?.(trx, incident.id);
    return trx
      .insertInto('jobs')
      .values({ id, kind, incident_id: incident.id, params: JSON.stringify(params), state: 'queued', actor: ctx.actor, created_at: now, updated_at: now, attempts: 0 })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  ctx.logger.info({ job: row.id, kind, incident: incident.id }, 'job queued');
  return jobView(row);
}

function isDeskKind(kind: JobKind): kind is DeskJobKind {
  return (DESK_JOB_KINDS as readonly JobKind[]).includes(kind);
}

/** A job on no incident (the phishing desk's): no incident's trail to extend, no files to check. */
async function enqueueDeskJob(ctx: Context, kind: DeskJobKind, input: NewJob): Promise<JobView> {
  if (input.incident_id !== undefined) throw invalidInput('JOB_INCIDENT_UNEXPECTED', `a ${kind} job works on no incident; leave the incident out`);
  const params = checkParams(kind, input.params, ctx.dataDir);
  const now = ctx.now().toISOString();
  const row = await ctx.db
    .insertInto('jobs')
    .values({ id: timeOrderedId(), kind, incident_id: null, params: JSON.stringify(params), state: 'queued', actor: ctx.actor, created_at: now, updated_at: now, attempts: 0 })
    .returningAll()
    .executeTakeFirstOrThrow();
  ctx.logger.info({ job: row.id, kind }, 'job queued');
  return jobView(row);
}

export async function getJob(ctx: Pick<Context, 'db'>, id: string): Promise<JobView | null> {
  const row = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', id.trim()).executeTakeFirst();
  return row ? jobView(row) : null;
}

/** The job, or a not-found error whose next step lists them. */
export async function requireJob(ctx: Pick<Context, 'db'>, id: string): Promise<JobView> {
  const job = await getJob(ctx, id);
  if (!job) throw new TocsinError('JOB_NOT_FOUND', `no job '${id}'; the list of jobs shows their ids`, { kind: 'not_found', next: { action: 'list_jobs' } });
  return job;
}

export interface JobFilter {
  incident_id?: string;
  state?: JobState;
  /** The newest this many; 100 when left out. */
  limit?: number;
}

/** Jobs, the newest first. */
export async function listJobs(ctx: Pick<Context, 'db'>, filter: JobFilter = {}): Promise<JobView[]> {
  const rows = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .$if(filter.incident_id !== undefined, (query) => query.where('incident_id', '=', filter.incident_id!.trim().toLowerCase()))
    .$if(filter.state !== undefined, (query) => query.where('state', '=', filter.state!))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map(jobView);
}

/**
 * Cancels a job. A queued one, or a running one whose worker is gone (its process on this
 * machine ended, or its lease ran out), is cancelled at once; a running one is asked to stop,
 * which its worker hears within a second or two, and is `cancelled` once it has (what it had
 * committed stays). Cancelling a cancelled job again changes nothing; a job that ended
 * otherwise cannot be cancelled. The incident's audit trail records who cancelled it, once.
 */
export async function cancelJob(ctx: Context, id: string): Promise<JobView> {
  await endLeasesOfGoneWorkers(ctx);
  const now = ctx.now().toISOString();
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const cancelled = await trx
      .updateTable('jobs')
      .set({ state: 'cancelled', cancel_requested_at: now, finished_at: now, updated_at: now, worker: null, worker_host: null, worker_pid: null, locked_until: null })
      .where('id', '=', id.trim())
      .where((eb) => eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'running'), eb('locked_until', '<=', now)])]))
      .returning(['id', 'kind', 'incident_id'])
      .executeTakeFirst();
    // Ended here, not by its worker: its personal data is erased here too.
    if (cancelled && PARAMS_ERASED_AT_END.has(cancelled.kind)) await trx.updateTable('jobs').set({ params: '{}' }).where('id', '=', cancelled.id).execute();
    // Asked once: a second request leaves the first one's time, and the trail, as they are.
    const asked =
      cancelled ??
      (await trx
        .updateTable('jobs')
        .set({ cancel_requested_at: now, updated_at: now })
        .where('id', '=', id.trim())
        .where('state', '=', 'running')
        .where('cancel_requested_at', 'is', null)
        .returning(['id', 'kind', 'incident_id'])
        .executeTakeFirst());
    if (asked?.incident_id) {
      await appendAudit(trx, ctx, asked.incident_id, { action: cancelled ? 'job.cancelled' : 'job.cancel_requested', details: { job: asked.id, kind: asked.kind } });
    }
    return cancelled ? 'cancelled' : asked ? 'asked' : null;
  });
  const job = await requireJob(ctx, id);
  if (job.state === 'succeeded' || job.state === 'failed') {
    throw new TocsinError('JOB_FINISHED', `job ${job.id} has ${job.state} already (at ${job.finished_at}); there is nothing left to cancel`, { kind: 'conflict' });
  }
  if (outcome) ctx.logger.info({ job: job.id }, outcome === 'cancelled' ? 'job cancelled' : 'job asked to stop');
  return job;
}

/** A "Was I affected?" request as its answer's job takes it, checked; refused here (400), never as a failed job. */
export function portalAnswerParams(request: PortalAnswerParams, dataDir: string): PortalAnswerParams {
  return checkParams('portal_answer', request, dataDir);
}

/**
 * Queues the answers to "Was I affected?" requests (checked by portalAnswerParams): one insert,
 * whatever the addresses, so a request's time tells nothing. No incident and no audit entry (an
 * answer spans incidents, and the trail would otherwise record who asks); the address is erased
 * from the job once answered. Committed without waiting for PostgreSQL's disk, as SQLite's commits
 * are here: only the database machine failing in that fraction of a second loses them, and the
 * customer, whose address no answer then took, may ask again. Waiting for it had held a rush of
 * lookups to 0.334× the static page (bench:portal, PostgreSQL, lookups' round: 15,129 → 21,314 req/s).
 */
export async function enqueuePortalAnswers(ctx: Pick<Context, 'db' | 'dialect' | 'now'>, requests: readonly PortalAnswerParams[]): Promise<void> {
  const now = ctx.now().toISOString();
  const rows = requests.map((params) => [timeOrderedId(), JSON.stringify(params), now, now]);
  await bulkInsert(ctx.db, ctx.dialect, 'jobs', ['id', 'params', 'created_at', 'updated_at'], rows, {
    constants: { kind: 'portal_answer', state: 'queued', actor: PORTAL_ACTOR, attempts: 0 },
    asynchronousCommit: true,
  });
}

/** Who portal_answer jobs run as. */
export const PORTAL_ACTOR = 'portal';

/** How long the portal's finished answers are kept: they hold no address, but a rush of lookups leaves a row per request. */
const ANSWER_JOBS_KEPT_MS = 24 * 3_600_000;

/** Drops portal_answer jobs that ended over a day before `now`, at most once a minute per process. */
export async function forgetOldAnswerJobs(ctx: Pick<Context, 'db'>, now: Date): Promise<void> {
  if (!sweepDue(ctx.db, 'portal_answer_jobs', now, SWEEP_EVERY_MS)) return;
  await ctx.db
    .deleteFrom('jobs')
    .where('kind', '=', 'portal_answer')
    .where('state', 'in', FINISHED)
    .where('finished_at', '<=', new Date(now.getTime() - ANSWER_JOBS_KEPT_MS).toISOString())
    .execute();
}
