import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { TocsinError, type ErrorData } from '../lib/errors.ts';
import type { JobRunner, JobRunnerOptions } from './runner.ts';

export interface RunnerThreadData {
  config: Config;
  options: JobRunnerOptions;
  /** The thread's niceness (Linux): above 0, the server's requests go first. */
  niceness?: number;
}

export type FromRunnerThread = { type: 'started'; worker: string } | { type: 'failed'; error: ErrorData } | { type: 'stopped' };

/**
 * The server's job runner on SQLite, in a thread of its own with its own connection. node:sqlite
 * runs each statement on the calling thread, and a scope run's or an import's work holds it for
 * minutes: on the server's thread it would stall every request; here the API reads beside it
 * (WAL) and only waits where it writes. Resolves once the runner has started.
 * `onDied` is told if the thread ends without being asked to: the jobs would then wait unseen.
 */
export async function startJobRunnerThread(config: Config, logger: Logger, onDied: () => void, options: JobRunnerOptions = {}, niceness?: number): Promise<JobRunner> {
  const worker = new Worker(new URL('./runner-thread-worker.ts', import.meta.url), { workerData: { config, options, niceness } satisfies RunnerThreadData });
  let stopping = false;
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const started = await new Promise<string>((resolve, reject) => {
    worker.on('message', (message: FromRunnerThread) => {
      if (message.type === 'started') resolve(message.worker);
      if (message.type === 'failed') reject(TocsinError.fromData(message.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the job runner thread exited (${code}) before it started`)));
  });
  worker.on('error', (error) => logger.error({ error: error.name, stack: error.stack?.split('\n').slice(1).map((line: string) => line.trim()) }, 'job runner thread failed'));
  worker.once('exit', () => {
    if (!stopping) onDied();
  });
  return {
    worker: started,
    stop: async () => {
      stopping = true;
      worker.postMessage('stop');
      await stopped;
    },
  };
}
