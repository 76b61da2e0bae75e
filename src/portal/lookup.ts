import { sql } from 'kysely';
import { addressThrottleKey } from '../accounts/index.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';

/** "Was I affected?" as asked: the address, normalised, and the language to answer in. */
export interface LookupRequest {
  email: string;
  locale: string;
}

/** The address asked about, normalised as subjects are; a 400 for anything that is not one address. */
export function lookupAddress(email: string): string {
  const normalised = normalizeEmail(email);
  if (normalised === null) throw invalidInput('BAD_EMAIL', 'email: not an email address; give the one address to check');
  return normalised;
}

/**
 * Counts a lookup from `client` against portal.lookup_address (per client address, an IPv6
 * /64) and then portal.lookup_global, each in fixed windows; throws THROTTLED (429, with the
 * seconds until the window ends) past either. Two statements whatever the address asked about:
 * nothing here looks at it.
 */
export async function admitLookup(ctx: Pick<Context, 'db' | 'now' | 'config'>, client: string): Promise<void> {
  const now = ctx.now();
  await countRequest(ctx, `lookup:${addressThrottleKey(client)}`, ctx.config.portal.lookup_address, now);
  await countRequest(ctx, 'lookup:global', ctx.config.portal.lookup_global, now);
}

async function countRequest(ctx: Pick<Context, 'db'>, key: string, limit: Config['portal']['lookup_address'], now: Date): Promise<void> {
  const windowMs = limit.seconds * 1000;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  const windowStart = new Date(start).toISOString();
  // One statement: a new window starts the count again, so concurrent requests never lose one.
  const { count } = await ctx.db
    .insertInto('portal_lookup_counts')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        count: sql`CASE WHEN portal_lookup_counts.window_start = excluded.window_start THEN portal_lookup_counts.count + 1 ELSE 1 END`,
        window_start: sql`excluded.window_start`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  if (Number(count) > limit.requests) {
    const seconds = Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000));
    throw new TocsinError('THROTTLED', `too many requests; wait ${seconds} s before asking again`, { kind: 'throttled', retry_after: seconds });
  }
}
