import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { SWEEP_EVERY_MS, sweepDue } from '../lib/sweep.ts';
import { afterFailure, FORGET_AFTER_MS, throttleVerdict, type ThrottlePolicy, type ThrottleState, type Verdict } from './throttle.ts';

/**
 * Throttled keys as stored: login_throttles holds one row per key that failed lately, whoever
 * throttles it (sign-ins by account and client address, the portal's code checks). Keys carry
 * their user's prefix, so users never count each other's failures.
 */

/** Whether an attempt on `key` may go ahead now. */
export async function storedVerdict(ctx: Pick<Context, 'db' | 'now'>, key: string, policy: ThrottlePolicy): Promise<Verdict> {
  const state = await ctx.db.selectFrom('login_throttles').select(['failures', 'last_failure_at', 'locked_until']).where('key', '=', key).executeTakeFirst();
  return throttleVerdict(state, ctx.now(), policy);
}

/**
 * Counts a failure at `now` against `key`, inside the caller's transaction (which, on SQLite,
 * began with a write). The row is made if missing (a state with no failures: no wait) and then
 * locked, so two failures at once on PostgreSQL count as two; SQLite's write lock is already held.
 */
export async function countFailure(
  trx: Kysely<Tables>,
  ctx: Pick<Context, 'dialect'>,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
): Promise<{ state: ThrottleState; lockedNow: boolean }> {
  await trx.insertInto('login_throttles').values({ key, failures: 0, last_failure_at: now.toISOString(), locked_until: null }).onConflict((conflict) => conflict.column('key').doNothing()).execute();
  let read = trx.selectFrom('login_throttles').select(['failures', 'last_failure_at', 'locked_until']).where('key', '=', key);
  if (ctx.dialect === 'postgres') read = read.forUpdate();
  const counted = afterFailure(await read.executeTakeFirstOrThrow(), now, policy);
  await trx.updateTable('login_throttles').set(counted.state).where('key', '=', key).execute();
  return counted;
}

/**
 * Rows whose failures no longer count and whose lock is over hold a client address (or a keyed
 * target) for nothing: each throttle drops them after counting a failure, at most every
 * SWEEP_EVERY_MS, since under a rush of wrong codes from many clients a sweep per failure would
 * be most of the work (the rows are found by an index on last_failure_at). On PostgreSQL, rows
 * another request holds are skipped, so that this never waits on (or deadlocks with) one.
 */
export async function forgetStaleThrottles(ctx: Pick<Context, 'db' | 'dialect'>, now: Date): Promise<void> {
  if (!sweepDue(ctx.db, 'login_throttles', now, SWEEP_EVERY_MS)) return;
  let stale = ctx.db
    .selectFrom('login_throttles')
    .select('key')
    .where('last_failure_at', '<=', new Date(now.getTime() - FORGET_AFTER_MS).toISOString())
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.toISOString())]));
  if (ctx.dialect === 'postgres') stale = stale.forUpdate().skipLocked();
  await ctx.db.deleteFrom('login_throttles').where('key', 'in', stale).execute();
}
