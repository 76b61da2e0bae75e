import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.ts';
import { requireJob } from './queue.ts';
import { FINISHED, type JobView } from './view.ts';

/** How often a watch reads the job; progress is written at most 4 times a second. */
const WATCH_INTERVAL_MS = 500;

/**
 * The job as it changes, for Server-Sent Events: now, then each time its row changes
 * (progress, state), until it ends (the last yielded view is the ended job) or `signal` aborts.
 * It polls the row, on PostgreSQL as on SQLite: a runner may be another process or machine,
 * and a read every half second per watcher is cheap next to the work being watched.
 */
export async function* watchJob(ctx: Pick<Context, 'db'>, id: string, signal: AbortSignal, options: { intervalMs?: number } = {}): AsyncIterable<JobView> {
  let last: string | null = null;
  while (!signal.aborted) {
    const job = await requireJob(ctx, id);
    const text = JSON.stringify(job);
    if (text !== last) {
      last = text;
      yield job;
    }
    if (FINISHED.includes(job.state)) return;
    try {
      await sleep(options.intervalMs ?? WATCH_INTERVAL_MS, undefined, { signal });
    } catch {
      return;
    }
  }
}
