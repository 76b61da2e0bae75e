import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Dialect, Tables } from '../db/index.ts';
import { bulkUpsert } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';

/**
 * Fixed-window request limits of the public listener, counted in portal_lookup_counts by key
 * (its rows of windows that are over are swept with the lookups'): "was I affected?" requests
 * (lookup-counts.ts, from each process's memory) and reported messages.
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

/** Requests to add to a key's count in a window. */
export interface WindowCount {
  key: string;
  /** When the window began (windowOf). */
  windowStart: string;
  count: number;
}

/**
 * Adds counts to keys in their windows, in one statement, and returns each key's count after: a
 * row of a window that is over starts again from these. Each row is updated in place, atomically,
 * so two processes adding at once both count and each learns the total after its own; keys go in
 * sorted, the order every process locks them in, so two such statements may wait on each other
 * but never deadlock. `asynchronousCommit` (outside a transaction): the counts commit without
 * waiting for the disk.
 */
export async function addCounts(db: Kysely<Tables>, dialect: Dialect, counts: readonly WindowCount[], options: { asynchronousCommit?: boolean } = {}): Promise<Map<string, number>> {
  if (counts.length === 0) return new Map();
  const rows = [...counts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ key, windowStart, count }) => [key, windowStart, count]);
  const stored = await bulkUpsert(db, dialect, 'portal_lookup_counts', ['key', 'window_start', 'count'], rows, {
    upsertOn: ['key'],
    // A later window starts the count again; a count still in the window before (a process a moment behind) adds to the later one's.
    set: {
      count: `CASE WHEN ${STORED_WINDOW_NOT_OVER} THEN "portal_lookup_counts"."count" + excluded."count" ELSE excluded."count" END`,
      window_start: `CASE WHEN ${STORED_WINDOW_NOT_OVER} THEN "portal_lookup_counts"."window_start" ELSE excluded."window_start" END`,
    },
    returning: ['key', 'count'],
    asynchronousCommit: options.asynchronousCommit,
  });
  return new Map(stored.map((row) => [row.key, Number(row.count)]));
}

const STORED_WINDOW_NOT_OVER = '"portal_lookup_counts"."window_start" >= excluded."window_start"';

/**
 * Whether the `nth` request (from 1) counted at once against a limit is within it, the window
 * having held `before` (addCounts' total, less what was just added): the one rule of every windowed limit here. A request past
 * it counts all the same, which changes nothing until its window ends: the limit was reached.
 */
export function withinLimit(limit: WindowLimit, before: number, nth: number): boolean {
  return before + nth <= limit.requests;
}

/** Counts one request against `key`, or throws THROTTLED when its window held `limit.requests` already. */
export async function countInWindow(db: Kysely<Tables>, dialect: Dialect, key: string, limit: WindowLimit, now: Date): Promise<void> {
  const window = windowOf(limit, now);
  const total = (await addCounts(db, dialect, [{ key, windowStart: window.start, count: 1 }])).get(key)!;
  if (!withinLimit(limit, total - 1, 1)) throw windowThrottled(window, now);
}
