import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.ts';
import type { JobKind } from '../domain/index.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { Wakeup } from '../lib/wakeup.ts';
import { HANDLERS, type JobRun } from './handlers.ts';
import { claimJobs, finishJob, leaseState, newJobWorker, releaseJob, renewLease, saveProgress, type ClaimedJob, type JobOutcome, type JobWorker, type LeaseSettings } from './leases.ts';
import { ThrottledProgress } from './progress.ts';
import { errorView, INTERNAL } from './view.ts';

export interface JobRunnerOptions {
  /** Jobs run at once; 1 by default. */
  concurrency?: number;
  /** PostgreSQL: how long a worker's claim holds a job without a renewal; 30 s by default. Renewals come every third of it, at most a second apart. */
  leaseMs?: number;
  /** How often an idle runner looks for queued jobs, and any runner for jobs whose lease ran out; 1 s by default. */
  pollMs?: number;
  /** A job that took down this many workers fails instead of being taken over again; 3 by default. */
  maxAttempts?: number;
  /** Most one progress write per this many ms per job; 250 by default. */
  progressMs?: number;
  /** Only jobs of these kinds; every kind by default. A lane of its own keeps short jobs (the portal's answers) from waiting behind a campaign. */
  kinds?: readonly JobKind[];
  /** Stops by itself once it has had no job for this long (the server's runner threads, started again when jobs are queued); never by default. */
  idleMs?: number;
}

export interface JobRunner {
  /** This runner's worker id, as jobs it holds record it. */
  worker: string;
  /** Stops taking jobs, stops those running at their next step and hands them back to the queue; resolves once all are. */
  stop(): Promise<void>;
  /** Resolves once the runner, after `idleMs` without a job, takes no more (call stop() to close it); never without idleMs. */
  idle: Promise<void>;
}

const DEFAULTS: { concurrency: number; leaseMs: number; pollMs: number; maxAttempts: number; progressMs: number; kinds?: readonly JobKind[]; idleMs?: number } = {
  concurrency: 1,
  leaseMs: 30_000,
  pollMs: 1_000,
  maxAttempts: 3,
  progressMs: 250,
};
/** The longest between two lease renewals: they also bring a cancel request to the job. */
const MOST_BETWEEN_RENEWALS_MS = 1_000;

/** Why a running job's signal was aborted. */
const CANCELLED = 'JOB_CANCELLED';
const STOPPING = 'WORKER_STOPPING';
const LEASE_LOST = 'JOB_LEASE_LOST';

/**
 * Runs queued jobs in this process until stopped: the server's runner on SQLite, and each
 * `tocsin worker` on PostgreSQL (any number of them, on any machines sharing the database).
 */
export function startJobRunner(ctx: Context, options: JobRunnerOptions = {}): JobRunner {
  const runner = new Runner(ctx, { ...DEFAULTS, ...definedOnly(options) });
  return { worker: runner.worker.id, stop: () => runner.stop(), idle: runner.idle };
}

type Settings = typeof DEFAULTS;

class Runner {
  readonly worker: JobWorker = newJobWorker();
  readonly #ctx: Context;
  readonly #settings: Settings;
  readonly #lease: LeaseSettings;
  readonly #wakeup = new Wakeup();
  readonly #running = new Map<string, { stop: AbortController; done: Promise<void> }>();
  readonly #loop: Promise<void>;
  readonly idle: Promise<void>;
  #idled = () => {};
  /** SQLite: a connection of its own for the heartbeat, which a job's transaction on the context's does not hold up. */
  #heartbeatDatabase: Promise<Database> | null = null;
  #stopping = false;
  /** When this runner last looked for jobs whose lease ran out: once a poll interval at most. */
  #tookOverAt = Number.NEGATIVE_INFINITY;

  constructor(ctx: Context, settings: Settings) {
    if (!Number.isInteger(settings.concurrency) || settings.concurrency < 1) throw invalidInput('JOB_CONCURRENCY', `concurrency ${settings.concurrency}: give a whole number of jobs, 1 or more`);
    this.#ctx = ctx;
    this.#settings = settings;
    this.#lease = { leaseMs: settings.leaseMs, maxAttempts: settings.maxAttempts };
    this.idle = new Promise((resolve) => (this.#idled = resolve));
    this.#loop = this.#run();
    ctx.logger.info({ worker: this.worker.id, concurrency: settings.concurrency }, 'job runner started');
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const { stop } of this.#running.values()) stop.abort(new TocsinError(STOPPING, 'the worker is stopping; the job goes back to the queue', { kind: 'unavailable' }));
    this.#wakeup.notify();
    await this.#loop;
    await Promise.all([...this.#running.values()].map((job) => job.done));
    await (await this.#heartbeatDatabase?.catch(() => null))?.close();
    this.#ctx.logger.info({ worker: this.worker.id }, 'job runner stopped');
  }

  async #run(): Promise<void> {
    let lastBusy = performance.now();
    while (!this.#stopping) {
      if (this.#running.size > 0) lastBusy = performance.now();
      else if (this.#settings.idleMs !== undefined && performance.now() - lastBusy >= this.#settings.idleMs) {
        // Takes nothing more; stop() then closes what it holds.
        this.#stopping = true;
        this.#idled();
        return;
      }
      const room = this.#settings.concurrency - this.#running.size;
      if (room > 0) {
        let jobs: ClaimedJob[] = [];
        try {
          // As many as there is room for, in one claim: a queue of short jobs (the portal's answers) is taken in batches.
          const takeOver = performance.now() - this.#tookOverAt >= this.#settings.pollMs;
          if (takeOver) this.#tookOverAt = performance.now();
          jobs = await claimJobs(this.#ctx, this.worker, this.#lease, room, this.#settings.kinds, { takeOver });
        } catch (error) {
          // The database away: look again later; running jobs fail or finish on their own.
          this.#ctx.logger.warn({ worker: this.worker.id, reason: reasonOf(error) }, 'could not look for jobs');
        }
        if (jobs.length > 0 && this.#stopping) {
          for (const job of jobs) await releaseJob(this.#ctx, this.worker, job.id).catch(() => {});
          break;
        }
        if (jobs.length > 0) {
          for (const job of jobs) this.#start(job);
          continue;
        }
      }
      await this.#wakeup.wait(this.#settings.idleMs === undefined ? this.#settings.pollMs : Math.min(this.#settings.pollMs, this.#settings.idleMs));
    }
  }

  #start(job: ClaimedJob): void {
    const stop = new AbortController();
    const done = this.#execute(job, stop).finally(() => {
      this.#running.delete(job.id);
      this.#wakeup.notify();
    });
    this.#running.set(job.id, { stop, done });
  }

  async #execute(job: ClaimedJob, stop: AbortController): Promise<void> {
    const { logger } = this.#ctx;
    logger.info({ job: job.id, kind: job.kind, worker: this.worker.id, attempt: job.attempts }, job.attempts > 1 ? 'job taken over' : 'job started');
    const progress = new ThrottledProgress(
      (value) => saveProgress(this.#ctx, this.worker, job.id, value),
      this.#settings.progressMs,
      (error) => logger.warn({ job: job.id, reason: reasonOf(error) }, 'job progress not recorded'),
    );
    const beating = new AbortController();
    const heartbeat = this.#heartbeat(job.id, stop, beating.signal);
    let outcome: JobOutcome | 'release' | 'lost';
    try {
      const run: JobRun<typeof job.kind> = {
        id: job.id,
        incidentId: job.incident_id,
        params: JSON.parse(job.params),
        ctx: { ...this.#ctx, actor: job.actor },
        signal: stop.signal,
        progress: (value) => progress.set(value),
      };
      const result = await (HANDLERS[job.kind] as (run: JobRun<typeof job.kind>) => Promise<unknown>)(run);
      outcome = { state: 'succeeded', result };
    } catch (error) {
      outcome = stop.signal.aborted ? stoppedOutcome(stop.signal.reason) : { state: 'failed', error: errorView(error, job.id) };
      if (outcome !== 'release' && outcome !== 'lost' && outcome.state === 'failed' && outcome.error.code === INTERNAL) {
        // The message may quote data (a row, a database's detail): the log gets where it happened, not what it said.
        logger.error({ job: job.id, kind: job.kind, error: error instanceof Error ? error.name : typeof error, stack: stackFrames(error) }, 'job failed: unexpected error');
      }
    } finally {
      beating.abort();
      await heartbeat;
      await progress.close();
    }
    await this.#record(job, outcome);
  }

  async #record(job: ClaimedJob, outcome: JobOutcome | 'release' | 'lost'): Promise<void> {
    const { logger } = this.#ctx;
    try {
      if (outcome === 'lost') return logger.warn({ job: job.id, worker: this.worker.id }, 'job lost: another worker took it over');
      if (outcome === 'release') {
        await releaseJob(this.#ctx, this.worker, job.id);
        return logger.info({ job: job.id, worker: this.worker.id }, 'job handed back to the queue');
      }
      const recorded = await finishJob(this.#ctx, this.worker, job, outcome);
      if (recorded) logger.info({ job: job.id, kind: job.kind, state: outcome.state, ...(outcome.state === 'failed' ? { code: outcome.error.code } : {}) }, 'job ended');
      else logger.warn({ job: job.id, worker: this.worker.id, state: outcome.state }, 'job ended after another worker took it over; its end is not recorded');
    } catch (error) {
      // Left running under this worker: its lease runs out and another worker takes it over.
      logger.error({ job: job.id, reason: reasonOf(error) }, 'job end not recorded');
    }
  }

  /** Renews the job's lease until `until` aborts; aborts `stop` when the job was cancelled or taken over. */
  async #heartbeat(jobId: string, stop: AbortController, until: AbortSignal): Promise<void> {
    const every = Math.min(this.#settings.leaseMs / 3, MOST_BETWEEN_RENEWALS_MS);
    while (!until.aborted) {
      try {
        await sleep(every, undefined, { signal: until });
      } catch {
        return;
      }
      try {
        const lease = await this.#renew(jobId);
        if (!lease.held) stop.abort(new TocsinError(LEASE_LOST, 'another worker took the job over', { kind: 'conflict' }));
        else if (lease.cancelRequested) stop.abort(new TocsinError(CANCELLED, 'the job was cancelled', { kind: 'conflict' }));
      } catch (error) {
        // A lease outlives a few missed renewals; a database that stays away fails the job's own work too.
        this.#ctx.logger.warn({ job: jobId, reason: reasonOf(error) }, 'job lease not renewed');
      }
    }
  }

  /** PostgreSQL: extends the lease. SQLite: reads, through its own connection, what the lease held until the process ends cannot tell. */
  async #renew(jobId: string): Promise<{ held: boolean; cancelRequested: boolean }> {
    if (this.#ctx.dialect === 'postgres') return renewLease(this.#ctx, this.worker, jobId, this.#settings.leaseMs);
    this.#heartbeatDatabase ??= openDatabase({ dataDir: this.#ctx.config.data_dir });
    return leaseState((await this.#heartbeatDatabase).db, this.worker, jobId);
  }
}

/** What becomes of a job whose handler stopped on its signal. */
function stoppedOutcome(reason: unknown): JobOutcome | 'release' | 'lost' {
  const code = reason instanceof TocsinError ? reason.code : null;
  if (code === CANCELLED) return { state: 'cancelled' };
  if (code === LEASE_LOST) return 'lost';
  return 'release';
}

/** Where an error was thrown, without its message. */
function stackFrames(error: unknown): string[] {
  return error instanceof Error && error.stack ? error.stack.split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()) : [];
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
