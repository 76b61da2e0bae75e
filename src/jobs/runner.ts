import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.ts';
import type { JobKind } from '../domain/index.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { Wakeup } from '../lib/wakeup.ts';
import { BATCH_HANDLERS, HANDLERS, isBatched, type BatchRun, type JobRun } from './handlers.ts';
import { claimJobs, finishJobs, leaseStates, newJobWorker, releaseJob, renewLeases, saveProgress, type ClaimedJob, type JobOutcome, type JobWorker, type LeaseStates, type LeaseSettings } from './leases.ts';
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
/** How long the ends of a batch's first jobs wait for the others', to be recorded with them, before they are recorded alone. */
const STRAGGLERS_WAITED_MS = 100;
/** The longest between two lease renewals: they also bring a cancel request to the job. */
const MOST_BETWEEN_RENEWALS_MS = 1_000;

/** Why a running job's signal was aborted. */
const CANCELLED = 'JOB_CANCELLED';
const STOPPING = 'WORKER_STOPPING';
const LEASE_LOST = 'JOB_LEASE_LOST';

/** A running job's signal's reason: which of the jobs run together it concerns (none but their worker's stop, which concerns them all alike). */
class JobsStopped extends TocsinError {
  readonly jobs: readonly string[];
  constructor(code: typeof CANCELLED | typeof STOPPING | typeof LEASE_LOST, message: string, jobs: readonly string[] = []) {
    super(code, message, { kind: code === STOPPING ? 'unavailable' : 'conflict' });
    this.jobs = jobs;
  }
}

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
    for (const { stop } of this.#running.values()) if (!stop.signal.aborted) stop.abort(new JobsStopped(STOPPING, 'the worker is stopping; the job goes back to the queue'));
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
          for (const group of runTogether(jobs)) this.#start(group);
          continue;
        }
      }
      await this.#wakeup.wait(this.#settings.idleMs === undefined ? this.#settings.pollMs : Math.min(this.#settings.pollMs, this.#settings.idleMs));
    }
  }

  /** Runs one job, or a batch of one kind run together (see BATCH_HANDLERS); each job leaves the runner's room as it ends. */
  #start(jobs: ClaimedJob[]): void {
    const stop = new AbortController();
    const done = this.#execute(jobs, stop).finally(() => {
      for (const job of jobs) this.#running.delete(job.id);
      this.#wakeup.notify();
    });
    for (const job of jobs) this.#running.set(job.id, { stop, done });
  }

  async #execute(jobs: ClaimedJob[], stop: AbortController): Promise<void> {
    const { logger } = this.#ctx;
    const [first] = jobs;
    const takenOver = jobs.filter((job) => job.attempts > 1).map((job) => job.id);
    if (jobs.length === 1) logger.info({ job: first.id, kind: first.kind, worker: this.worker.id, attempt: first.attempts }, takenOver.length > 0 ? 'job taken over' : 'job started');
    else logger.info({ jobs: jobs.length, kind: first.kind, worker: this.worker.id, ...(takenOver.length > 0 ? { taken_over: takenOver } : {}) }, 'jobs started');
    const progress = new ThrottledProgress(
      (value) => saveProgress(this.#ctx, this.worker, first.id, value),
      this.#settings.progressMs,
      (error) => logger.warn({ job: first.id, reason: reasonOf(error) }, 'job progress not recorded'),
    );
    const beating = new AbortController();
    /** The jobs still at work: the heartbeat renews their leases. */
    const working = new Set(jobs.map((job) => job.id));
    const heartbeat = this.#heartbeat(working, stop, beating.signal);
    let handled: Promise<unknown>[];
    try {
      handled = await this.#handle(jobs, stop.signal, progress);
    } catch (error) {
      handled = jobs.map(() => Promise.reject(error));
    }
    // A batch's ends are recorded in one statement (finishJobs) once all came, or, when some are slow to, those that came after a moment.
    const ended: { job: ClaimedJob; outcome: JobOutcome | 'release' | 'lost' }[] = [];
    let recording = Promise.resolve();
    let soon: NodeJS.Timeout | undefined;
    const record = () => {
      clearTimeout(soon);
      soon = undefined;
      const now = ended.splice(0);
      if (now.length === 0) return;
      recording = recording.then(async () => {
        await this.#record(now);
        for (const { job } of now) this.#running.delete(job.id);
        this.#wakeup.notify();
      });
    };
    await Promise.all(
      jobs.map(async (job, k) => {
        const outcome = await handled[k].then(
          (result): JobOutcome => ({ state: 'succeeded', result }),
          (reason: unknown) => this.#failure(job, reason, stop.signal),
        );
        working.delete(job.id);
        ended.push({ job, outcome });
        if (working.size > 0) {
          soon ??= setTimeout(record, STRAGGLERS_WAITED_MS);
          return;
        }
        beating.abort();
        await heartbeat;
        await progress.close();
        record();
      }),
    );
    await recording;
  }

  /** What a job that threw ends as: stopped on its signal, else failed (an unexpected error logged by where it happened). */
  #failure(job: ClaimedJob, reason: unknown, signal: AbortSignal): JobOutcome | 'release' | 'lost' {
    if (signal.aborted) return stoppedOutcome(signal.reason, job.id);
    const outcome: JobOutcome = { state: 'failed', error: errorView(reason, job.id) };
    if (outcome.error.code === INTERNAL) {
      // The message may quote data (a row, a database's detail): the log gets where it happened, not what it said.
      this.#ctx.logger.error({ job: job.id, kind: job.kind, error: reason instanceof Error ? reason.name : typeof reason, stack: stackFrames(reason) }, 'job failed: unexpected error');
    }
    return outcome;
  }

  /**
   * The handler of the jobs' kind: each job's result or error as it comes. A batch's jobs end
   * each as its own work does (one letter slow to go holds up no other job of its batch).
   */
  async #handle(jobs: ClaimedJob[], signal: AbortSignal, progress: ThrottledProgress): Promise<Promise<unknown>[]> {
    const [first] = jobs;
    const ctx = { ...this.#ctx, actor: first.actor };
    if (isBatched(first.kind)) {
      const run: BatchRun<typeof first.kind> = { ctx, signal, jobs: jobs.map((job) => ({ id: job.id, params: JSON.parse(job.params) })) };
      return BATCH_HANDLERS[first.kind](run);
    }
    const kind = first.kind;
    const run: JobRun<typeof kind> = {
      id: first.id,
      incidentId: first.incident_id,
      params: JSON.parse(first.params),
      ctx,
      signal,
      progress: (value) => progress.set(value),
    };
    return [(HANDLERS[kind] as (run: JobRun<typeof kind>) => Promise<unknown>)(run)];
  }

  async #record(ended: { job: ClaimedJob; outcome: JobOutcome | 'release' | 'lost' }[]): Promise<void> {
    const { logger } = this.#ctx;
    const finished: { id: string; outcome: JobOutcome }[] = [];
    for (const { job, outcome } of ended) {
      if (outcome === 'lost') logger.warn({ job: job.id, worker: this.worker.id }, 'job lost: another worker took it over');
      else if (outcome === 'release') {
        try {
          await releaseJob(this.#ctx, this.worker, job.id);
          logger.info({ job: job.id, worker: this.worker.id }, 'job handed back to the queue');
        } catch (error) {
          // Left running under this worker: its lease runs out and another worker takes it over.
          logger.error({ job: job.id, reason: reasonOf(error) }, 'job not handed back');
        }
      } else finished.push({ id: job.id, outcome });
    }
    if (finished.length === 0) return;
    const kind = ended[0].job.kind;
    let recorded: Set<string>;
    try {
      recorded = await finishJobs(this.#ctx, this.worker, kind, finished);
    } catch (error) {
      // Left running under this worker: their lease runs out and another worker takes them over.
      return logger.error({ jobs: finished.map((job) => job.id), reason: reasonOf(error) }, 'job end not recorded');
    }
    for (const { id, outcome } of finished) {
      if (!recorded.has(id)) logger.warn({ job: id, worker: this.worker.id, state: outcome.state }, 'job ended after another worker took it over; its end is not recorded');
      else if (outcome.state !== 'succeeded' || finished.length === 1) logger.info({ job: id, kind, state: outcome.state, ...(outcome.state === 'failed' ? { code: outcome.error.code } : {}) }, 'job ended');
    }
    if (finished.length > 1) logger.info({ jobs: finished.length, kind, succeeded: finished.filter(({ id, outcome }) => recorded.has(id) && outcome.state === 'succeeded').length }, 'jobs ended');
  }

  /** Renews the leases of the jobs still `working` until `until` aborts; aborts `stop` when one of them was cancelled or taken over. */
  async #heartbeat(working: ReadonlySet<string>, stop: AbortController, until: AbortSignal): Promise<void> {
    const every = Math.min(this.#settings.leaseMs / 3, MOST_BETWEEN_RENEWALS_MS);
    while (!until.aborted) {
      try {
        await sleep(every, undefined, { signal: until });
      } catch {
        return;
      }
      const ids = [...working];
      if (ids.length === 0) continue;
      try {
        const leases = await this.#renew(ids);
        if (leases.lost.length > 0) stop.abort(new JobsStopped(LEASE_LOST, 'another worker took the job over', leases.lost));
        else if (leases.cancelRequested.length > 0) stop.abort(new JobsStopped(CANCELLED, 'the job was cancelled', leases.cancelRequested));
      } catch (error) {
        // A lease outlives a few missed renewals; a database that stays away fails the job's own work too.
        this.#ctx.logger.warn({ jobs: ids, reason: reasonOf(error) }, 'job lease not renewed');
      }
    }
  }

  /** PostgreSQL: extends the leases. SQLite: reads, through its own connection, what the lease held until the process ends cannot tell. */
  async #renew(jobIds: string[]): Promise<LeaseStates> {
    if (this.#ctx.dialect === 'postgres') return renewLeases(this.#ctx, this.worker, jobIds, this.#settings.leaseMs);
    this.#heartbeatDatabase ??= openDatabase({ dataDir: this.#ctx.config.data_dir });
    return leaseStates((await this.#heartbeatDatabase).db, this.worker, jobIds);
  }
}

/** The claimed jobs as they run: each alone, but those of a batched kind together, by kind and actor. */
function runTogether(jobs: ClaimedJob[]): ClaimedJob[][] {
  const groups = new Map<string, ClaimedJob[]>();
  const alone: ClaimedJob[][] = [];
  for (const job of jobs) {
    if (!isBatched(job.kind)) {
      alone.push([job]);
      continue;
    }
    const key = JSON.stringify([job.kind, job.actor]);
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return [...alone, ...groups.values()];
}

/**
 * What becomes of a job whose handler stopped on its signal: in a batch, the job cancelled (or
 * lost) is; the others, stopped with it, go back to the queue.
 */
function stoppedOutcome(reason: unknown, jobId: string): JobOutcome | 'release' | 'lost' {
  if (!(reason instanceof JobsStopped) || !reason.jobs.includes(jobId)) return 'release';
  if (reason.code === CANCELLED) return { state: 'cancelled' };
  if (reason.code === LEASE_LOST) return 'lost';
  return 'release';
}

/** Where an error was thrown, without its message. */
function stackFrames(error: unknown): string[] {
  return error instanceof Error && error.stack ? error.stack.split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()) : [];
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
