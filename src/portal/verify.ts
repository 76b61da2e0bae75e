import { addressThrottleKey, ThrottleBook, throttlePolicy, type ThrottlePolicy } from '../accounts/index.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { TocsinError } from '../lib/errors.ts';
import { keyedHash } from '../lib/keyed-hash.ts';
import { loadSecret } from '../lib/secret.ts';
import { verifyNotice } from '../notices/index.ts';

/** What a visitor learns: genuine with when and under which subject, or not recognised (and whether the code has a typo). Nothing else. */
export type PortalVerification = { genuine: true; sent_at: string; subject: string } | { genuine: false; typo: boolean };

/** The portal's code-check throttle: the configured free failures and lockout, with the sign-in throttle's times. */
function policyOf(limits: Config['portal']['verify_address']): ThrottlePolicy {
  return throttlePolicy(limits.free, limits.lockout);
}

/** Each database's book of code-check throttles, kept by this process (see ThrottleBook). */
const books = new WeakMap<object, ThrottleBook>();

function throttleBook(ctx: Pick<Context, 'db' | 'dialect' | 'now' | 'logger'>): ThrottleBook {
  let book = books.get(ctx.db);
  if (!book) {
    book = new ThrottleBook({ db: ctx.db, dialect: ctx.dialect, now: ctx.now, logger: ctx.logger, prefix: 'portal-verify:' });
    books.set(ctx.db, book);
  }
  return book;
}

/** Writes the code checks' failures still held in memory: when the listener closes. */
export async function settleCodeChecks(ctx: Pick<Context, 'db'>): Promise<void> {
  await books.get(ctx.db)?.close();
}

/**
 * Checks a code and an address for the portal, throttled per client address (an IPv6 /64) and
 * per target address: each wrong answer counts against both, and once a key has used its free
 * failures every next try waits longer, up to a lockout. A throttled check throws THROTTLED
 * (429, with Retry-After) before any lookup. The throttles are this process's, synced with the
 * database's and other processes' in the background (ThrottleBook), so a check is one read.
 * Every wrong answer costs the same work, whether the address is a customer's, a stranger's or
 * no address at all. Nothing is logged.
 */
export async function checkNotice(ctx: Context, input: { email: string; code: string; client: string }): Promise<PortalVerification> {
  const secret = loadSecret(ctx.dataDir, ctx.config);
  // Keyed, so that the table does not keep what visitors typed.
  const target = keyedHash(secret, 'tocsin/portal-verify-target', normalizeEmail(input.email) ?? input.email.trim().toLowerCase());
  const keys: [string, ThrottlePolicy][] = [
    [`portal-verify:${addressThrottleKey(input.client)}`, policyOf(ctx.config.portal.verify_address)],
    [`portal-verify:target:${target}`, policyOf(ctx.config.portal.verify_target)],
  ];
  const book = throttleBook(ctx);
  const now = ctx.now();
  for (const [key, policy] of keys) {
    const verdict = await book.verdict(key, policy, now);
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000);
      throw new TocsinError('THROTTLED', `too many wrong codes; wait ${seconds} s before trying again`, { kind: 'throttled', retry_after: seconds });
    }
  }
  const result = await verifyNotice(ctx, input.code, input.email);
  if (result.genuine) return { genuine: true, sent_at: result.sent_at, subject: result.subject };
  for (const [key, policy] of keys) book.fail(key, policy, now);
  return { genuine: false, typo: result.typo };
}
