import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { reasonOf, TocsinError, type ErrorData } from '../lib/errors.ts';
import { Wakeup } from '../lib/wakeup.ts';
import { hasJobsToClaim } from './leases.ts';
import type { JobRunnerOptions } from './runner.ts';

export interface RunnerThreadData {
  config: Config;
  options: JobRunnerOptions;
  /** The thread's niceness (Linux): above 0, the server's requests go first. */
  niceness?: number;
}

export type FromRunnerThread = { type: 'started' } | { type: 'failed'; error: ErrorData } | { type: 'idle' } | { type: 'stopped' };

export interface JobRunnerThread {
  /** Whether a thread is running (or waiting for) jobs now. */
  readonly active: boolean;
  /** Stops the thread, if one runs, at its jobs' next step (they go back to the queue); resolves once it has. */
  stop(): Promise<void>;
}

/** How long a runner thread waits without a job before it ends; a queued job starts one again. */
const IDLE_MS = 60_000;

/**
 * The server's job runner on SQLite, in a thread of its own with its own connection. node:sqlite
 * runs each statement on the calling thread, and a scope run's or an import's work holds it for
 * minutes: on the server's thread it would stall every request; here the API reads beside it
 * (WAL) and only waits where it writes.
 *
 * The thread runs only while there is work: this thread looks for claimable jobs of the runner's
 * kinds every `pollMs` and starts one when it finds any, which ends after a minute without a job.
 * An idle server so holds no second copy of the code a thread loads (about 45 MB each).
 * `onDied` is told if a thread fails to start or ends without being asked to: the jobs would then wait unseen.
 */
export function startJobRunnerThread(ctx: Context, onDied: () => void, options: JobRunnerOptions = {}, niceness?: number): JobRunnerThread {
  const wakeup = new Wakeup();
  let stopping = false;
  let thread: RunningThread | null = null;
  const loop = (async () => {
    while (!stopping) {
      let work = false;
      try {
        work = await hasJobsToClaim(ctx, options.kinds);
      } catch (error) {
        ctx.logger.warn({ reason: reasonOf(error) }, 'could not look for jobs');
      }
      if (!work) {
        await wakeup.wait(options.pollMs ?? 1_000);
        continue;
      }
      try {
        thread = await runThread(ctx.config, ctx.logger, { idleMs: IDLE_MS, ...options }, niceness);
      } catch (error) {
        ctx.logger.error({ reason: reasonOf(error) }, 'the job runner thread could not start');
        return onDied();
      }
      if (stopping) await thread.stop();
      const end = await thread.ended;
      thread = null;
      if (end === 'died') return onDied();
    }
  })();
  return {
    get active() {
      return thread !== null;
    },
    stop: async () => {
      stopping = true;
      wakeup.notify();
      await thread?.stop();
      await loop;
    },
  };
}

interface RunningThread {
  /** How the thread ended: by itself without work, asked to, or otherwise. */
  ended: Promise<'idle' | 'stopped' | 'died'>;
  stop(): Promise<void>;
}

/** Starts a runner thread; resolves once its runner has started. */
async function runThread(config: Config, logger: Logger, options: JobRunnerOptions, niceness?: number): Promise<RunningThread> {
  const worker = new Worker(new URL('./runner-thread-worker.ts', import.meta.url), { workerData: { config, options, niceness } satisfies RunnerThreadData });
  let said: 'idle' | 'stopped' | null = null;
  const ended = new Promise<'idle' | 'stopped' | 'died'>((resolve) => worker.once('exit', () => resolve(said ?? 'died')));
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromRunnerThread) => {
      if (message.type === 'started') resolve();
      if (message.type === 'failed') reject(TocsinError.fromData(message.error));
      if (message.type === 'idle' || message.type === 'stopped') said = message.type;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the job runner thread exited (${code}) before it started`)));
  });
  worker.on('error', (error) => logger.error({ error: error.name, stack: error.stack?.split('\n').slice(1).map((line: string) => line.trim()) }, 'job runner thread failed'));
  return {
    ended,
    stop: async () => {
      worker.postMessage('stop');
      await ended;
    },
  };
}
