import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Dialect, Tables } from '../db/index.ts';
import { bulkTake } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';

/**
 * Fixed-window request limits of the public listener, counted in portal_lookup_counts by key
 * (its rows of windows that are over are swept with the lookups'): "was I affected?" requests
 * (lookup.ts counts those in batches) and reported messages.
 */
export type WindowLimit = Config['portal']['lookup_address'];

/** The window `now` falls in: when it began, and when it ends (ms). */
export function windowOf(limit: WindowLimit, now: Date): { start: string; endsAt: number } {
  const windowMs = limit.seconds * 1000;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start: new Date(start).toISOString(), endsAt: start + windowMs };
}

/** THROTTLED (429), with the seconds until the window ends as Retry-After. */
export function windowThrottled(window: { endsAt: number }, now: Date): TocsinError {
  const seconds = Math.max(1, Math.ceil((window.endsAt - now.getTime()) / 1000));
  return new TocsinError('THROTTLED', `too many requests; wait ${seconds} s before asking again`, { kind: 'throttled', retry_after: seconds });
}

/**
 * Counts one request against `key` in the caller's transaction, or throws THROTTLED when its
 * window holds `limit.requests` already (then counting nothing). The row is taken (bulkTake):
 * SQLite's write lock before the read, PostgreSQL's lock on the row, so two requests at once
 * cannot both take the last place.
 */
export async function countInWindow(trx: Kysely<Tables>, dialect: Dialect, key: string, limit: WindowLimit, now: Date): Promise<void> {
  const window = windowOf(limit, now);
  const [row] = await bulkTake(trx, dialect, 'portal_lookup_counts', ['key', 'window_start', 'count'], [[key, window.start, 0]], ['key']);
  const count = row.window_start === window.start ? Number(row.count) : 0;
  if (count >= limit.requests) throw windowThrottled(window, now);
  await trx.updateTable('portal_lookup_counts').set({ window_start: window.start, count: count + 1 }).where('key', '=', key).execute();
}
