import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';

export const SECURITY_EVENTS = [
  'login_ok',
  'identity_confirmed',
  'login_failed',
  'login_throttled',
  'lockout',
  'logout',
  'logout_everywhere',
  'account_created',
  'account_disabled',
  'account_enabled',
  'role_changed',
  'password_set',
  'password_reset',
  'totp_enrolled',
  'totp_removed',
  'recovery_code_used',
  'recovery_codes_renewed',
  'passkey_added',
  'passkey_removed',
  'token_created',
  'token_revoked',
  'require_2fa_changed',
  'phishing_report_triaged',
] as const;
export type SecurityEvent = (typeof SECURITY_EVENTS)[number];

export interface SecurityEntry {
  event: SecurityEvent;
  /** The account it concerns, when there is one (an unknown email's failed sign-in has none). */
  account_id?: string | null;
  /** Who did it: the account signing in, or the admin (ctx.actor) changing one. */
  actor?: string;
  address?: string | null;
  /** Plain facts: a role, a token's name, why a sign-in failed. Never a password, code or token. */
  details?: Record<string, string | number | boolean | null>;
}

export async function recordSecurityEvent(db: Kysely<Tables>, ctx: Pick<Context, 'now' | 'actor'>, entry: SecurityEntry): Promise<void> {
  await db
    .insertInto('security_log')
    .values({
      at: ctx.now().toISOString(),
      event: entry.event,
      account_id: entry.account_id ?? null,
      actor: entry.actor ?? ctx.actor,
      address: entry.address ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface SecurityLogRow {
  id: number;
  at: string;
  event: string;
  account_id: string | null;
  email: string | null;
  actor: string;
  address: string | null;
  details: Record<string, unknown>;
}

/**
 * The log, oldest first, from `since` on (an ISO instant) and before the entry `before` (an id:
 * pages back from a page's first entry), at most `limit` entries (the newest ones).
 */
export async function securityLog(ctx: Pick<Context, 'db'>, options: { since?: string; before?: number; limit?: number } = {}): Promise<SecurityLogRow[]> {
  let query = ctx.db
    .selectFrom('security_log')
    .leftJoin('accounts', 'accounts.id', 'security_log.account_id')
    .select(['security_log.id', 'security_log.at', 'security_log.event', 'security_log.account_id', 'accounts.email', 'security_log.actor', 'security_log.address', 'security_log.details'])
    .orderBy('security_log.id', 'desc')
    .limit(options.limit ?? 1000);
  if (options.since) query = query.where('security_log.at', '>=', options.since);
  if (options.before !== undefined) query = query.where('security_log.id', '<', options.before);
  const rows = await query.execute();
  return rows.reverse().map((row) => ({ ...row, id: Number(row.id), details: JSON.parse(row.details) as Record<string, unknown> }));
}
