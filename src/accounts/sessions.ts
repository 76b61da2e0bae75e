import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { accountKeys, newToken } from './credentials.ts';
import type { Principal } from './principal.ts';
import { isRole } from './roles.ts';
import { recordSecurityEvent } from './security-log.ts';

/** The session cookie's name; the server prefixes `__Host-` over TLS. */
export const SESSION_COOKIE = 'tocsin_session';
/** OWASP session management: an idle timeout of minutes for a high-value application, and an absolute one of hours. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
/** A session seen again within this is not written back: paging through a list is many requests. */
const TOUCH_AFTER_MS = 60_000;

/** Starts a session for `accountId` and returns its token, which is never stored (only its keyed hash). */
export async function startSession(db: Kysely<Tables>, ctx: Pick<Context, 'now' | 'dataDir' | 'config'>, accountId: string, address: string): Promise<{ id: string; token: string; signed_in_at: string }> {
  const token = newToken();
  const now = ctx.now();
  const id = randomUUID();
  // Sessions nobody presents again are cleared as new ones begin.
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - SESSION_IDLE_MS).toISOString())]))
    .execute();
  await db
    .insertInto('sessions')
    .values({
      id,
      token_hash: accountKeys(ctx).hash('session', token),
      account_id: accountId,
      address,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
    })
    .execute();
  return { id, token, signed_in_at: now.toISOString() };
}

/**
 * The principal of a session cookie's token, or null when it names no live session: unknown,
 * idle too long, past its absolute expiry, or its account disabled. Refreshes the idle clock.
 */
export async function authenticateSession(ctx: Context, cookieToken: string): Promise<Principal | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookieToken)) return null;
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(['sessions.id', 'sessions.created_at', 'sessions.last_seen_at', 'sessions.expires_at', 'accounts.id as account_id', 'accounts.email', 'accounts.role', 'accounts.disabled_at', 'accounts.must_enrol_2fa'])
    .where('sessions.token_hash', '=', accountKeys(ctx).hash('session', cookieToken))
    .executeTakeFirst();
  if (!row || row.disabled_at !== null || !isRole(row.role)) return null;
  const now = ctx.now().getTime();
  if (now >= Date.parse(row.expires_at) || now - Date.parse(row.last_seen_at) >= SESSION_IDLE_MS) {
    await ctx.db.deleteFrom('sessions').where('id', '=', row.id).execute();
    return null;
  }
  if (now - Date.parse(row.last_seen_at) >= TOUCH_AFTER_MS) {
    await ctx.db.updateTable('sessions').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', row.id).execute();
  }
  return {
    account_id: row.account_id,
    email: row.email,
    role: row.role,
    via: 'session',
    session_id: row.id,
    signed_in_at: row.created_at,
    ...(row.must_enrol_2fa ? { must_enrol_2fa: true } : {}),
  };
}

/** How recent a sign-in must be to change how the account signs in (its passkeys, its TOTP). */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

/**
 * Refuses (SIGN_IN_AGAIN, forbidden) a session (staff or researcher) signed in more than RECENT_SIGN_IN_MS ago: a
 * session taken over later (a stolen cookie, a screen left open) cannot add its own passkey or
 * authenticator and so outlive the session, nor remove the owner's. Returns the principal.
 */
export function requireRecentSignIn<P extends Pick<Principal, 'signed_in_at'>>(ctx: Pick<Context, 'now'>, principal: P): P {
  const signedIn = principal.signed_in_at === undefined ? Number.NaN : Date.parse(principal.signed_in_at);
  if (ctx.now().getTime() - signedIn <= RECENT_SIGN_IN_MS) return principal;
  throw new TocsinError('SIGN_IN_AGAIN', `passkeys and two-factor sign-in are changed only within ${RECENT_SIGN_IN_MS / 60_000} minutes of signing in; sign out, sign in again and retry`, { kind: 'forbidden' });
}

/**
 * Gives a session a new token (after a second factor is enrolled or used): a token an attacker
 * planted or saw before the change stops working. Returns the new token, or null if the session is gone.
 */
export async function rotateSession(ctx: Context, sessionId: string): Promise<string | null> {
  const token = newToken();
  const result = await ctx.db.updateTable('sessions').set({ token_hash: accountKeys(ctx).hash('session', token) }).where('id', '=', sessionId).executeTakeFirst();
  return result.numUpdatedRows > 0n ? token : null;
}

export async function logout(ctx: Context, sessionId: string): Promise<void> {
  const session = await ctx.db.deleteFrom('sessions').where('id', '=', sessionId).returning(['account_id', 'address']).executeTakeFirst();
  if (session) await recordSecurityEvent(ctx.db, ctx, { event: 'logout', account_id: session.account_id, address: session.address });
}

/** Ends every session of the account ("log out everywhere"). */
export async function logoutEverywhere(ctx: Context, accountId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const ended = await endSessions(trx, accountId);
    await recordSecurityEvent(trx, ctx, { event: 'logout_everywhere', account_id: accountId, details: { sessions: ended } });
  });
}

/** Ends the account's sessions; how many. Disabling, resetting and changing the role do it too. */
export async function endSessions(db: Kysely<Tables>, accountId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
