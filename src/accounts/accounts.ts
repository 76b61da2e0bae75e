import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { accountKeys, newToken } from './credentials.ts';
import { accountThrottleKey, checkThrottle, recordFailure } from './login.ts';
import { checkPassword } from './password-policy.ts';
import { hashPassword, passwordMatches } from './passwords.ts';
import type { Role } from './roles.ts';
import { recordSecurityEvent } from './security-log.ts';
import { endSessions } from './sessions.ts';
import { ACCOUNT_POLICY, ADDRESS_POLICY, addressThrottleKey } from './throttle.ts';

/** How long a set-password link works. */
export const SET_PASSWORD_LINK_MS = 24 * 3600_000;
const REQUIRE_2FA = 'require_2fa';

/** An account as the CLI and the API show it: no hash, no secret. */
export interface AccountView {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  has_password: boolean;
  two_factor: ('totp' | 'passkey')[];
  must_enrol_2fa: boolean;
  created_at: string;
}

/** An email typed for an account, normalised as subjects' are; an invalid-input error when it is not one. */
export function accountEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!email) throw invalidInput('BAD_EMAIL', `'${raw}' is not an email address; staff accounts are named by their email`);
  return email;
}

/**
 * Creates an account. With a password it can sign in at once; without one the result carries a
 * one-time set-password token (24 h) to hand to its owner. While admins require two-factor
 * sign-in, the account must enrol a second factor first.
 */
export async function addAccount(ctx: Context, input: { email: string; role: Role; password?: string }): Promise<{ account: AccountView; set_password_token?: string }> {
  const email = accountEmail(input.email);
  if (input.password !== undefined) await checkPassword(input.password, email);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const now = ctx.now().toISOString();
  const id = randomUUID();
  const token = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('accounts')
      .values({ id, email, role: input.role, password_hash: passwordHash, password_set_at: passwordHash ? now : null, disabled_at: null, must_enrol_2fa: 0, totp_secret: null, totp_pending_secret: null, totp_last_step: null, created_at: now, updated_at: now })
      .onConflict((conflict) => conflict.column('email').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new TocsinError('ACCOUNT_EXISTS', `an account for ${email} exists already; change its role, reset or enable it instead`, { kind: 'conflict' });
    if (await twoFactorRequired(trx)) await trx.updateTable('accounts').set({ must_enrol_2fa: 1 }).where('id', '=', id).execute();
    await recordSecurityEvent(trx, ctx, { event: 'account_created', account_id: id, details: { role: input.role } });
    if (passwordHash) {
      await recordSecurityEvent(trx, ctx, { event: 'password_set', account_id: id });
      return undefined;
    }
    return issueSetPasswordLink(trx, ctx, id);
  });
  return { account: await accountView(ctx.db, id), ...(token ? { set_password_token: token } : {}) };
}

export async function listAccounts(ctx: Pick<Context, 'db'>): Promise<AccountView[]> {
  const ids = await ctx.db.selectFrom('accounts').select('id').orderBy('email').execute();
  return Promise.all(ids.map(({ id }) => accountView(ctx.db, id)));
}

export async function accountView(db: Kysely<Tables>, id: string): Promise<AccountView> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const passkeys = await db.selectFrom('passkeys').select((eb) => eb.fn.countAll<number>().as('count')).where('account_id', '=', id).executeTakeFirstOrThrow();
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    disabled: row.disabled_at !== null,
    has_password: row.password_hash !== null,
    two_factor: [...(row.totp_secret ? ['totp' as const] : []), ...(Number(passkeys.count) > 0 ? ['passkey' as const] : [])],
    must_enrol_2fa: row.must_enrol_2fa === 1,
    created_at: row.created_at,
  };
}

/** The account with this id, as listed, or a not-found error. */
export async function getAccount(ctx: Pick<Context, 'db'>, id: string): Promise<AccountView> {
  const row = await ctx.db.selectFrom('accounts').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw new TocsinError('NO_SUCH_ACCOUNT', `there is no account with the id ${id}; the list of accounts shows their ids`, { kind: 'not_found', next: { action: 'list_accounts' } });
  return accountView(ctx.db, row.id);
}

/** The account with this email, or an error naming it. */
export async function accountByEmail(db: Kysely<Tables>, raw: string): Promise<Tables['accounts']> {
  const email = accountEmail(raw);
  const row = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
  if (!row) throw new TocsinError('NO_SUCH_ACCOUNT', `there is no account for ${email}; check the address against the list of accounts`, { kind: 'not_found', next: { action: 'list_accounts' } });
  return row;
}

/** Disables an account: its sessions end at once and it can no longer sign in or be reached through them. */
export async function disableAccount(ctx: Context, email: string): Promise<AccountView> {
  return changeAccount(ctx, email, async (trx, account) => {
    await keepAnAdmin(trx, account);
    await trx.updateTable('accounts').set({ disabled_at: ctx.now().toISOString(), updated_at: ctx.now().toISOString() }).where('id', '=', account.id).execute();
    const sessions = await endSessions(trx, account.id);
    await recordSecurityEvent(trx, ctx, { event: 'account_disabled', account_id: account.id, details: { sessions_ended: sessions } });
  });
}

export async function enableAccount(ctx: Context, email: string): Promise<AccountView> {
  return changeAccount(ctx, email, async (trx, account) => {
    await trx.updateTable('accounts').set({ disabled_at: null, updated_at: ctx.now().toISOString() }).where('id', '=', account.id).execute();
    await recordSecurityEvent(trx, ctx, { event: 'account_enabled', account_id: account.id });
  });
}

/** Changes the role. The account's sessions end: it signs in again, with a new token, under its new role. */
export async function changeRole(ctx: Context, email: string, role: Role): Promise<AccountView> {
  return changeAccount(ctx, email, async (trx, account) => {
    if (account.role === role) return;
    await keepAnAdmin(trx, account);
    await trx.updateTable('accounts').set({ role, updated_at: ctx.now().toISOString() }).where('id', '=', account.id).execute();
    await endSessions(trx, account.id);
    await recordSecurityEvent(trx, ctx, { event: 'role_changed', account_id: account.id, details: { from: account.role, to: role } });
  });
}

/**
 * For a forgotten or exposed password: the old password stops working, every session ends, and
 * a new one-time set-password link (24 h) replaces any earlier one. Two-factor enrolment stays.
 */
export async function resetAccount(ctx: Context, email: string): Promise<{ account: AccountView; set_password_token: string }> {
  let token = '';
  const account = await changeAccount(ctx, email, async (trx, account) => {
    await trx.updateTable('accounts').set({ password_hash: null, password_set_at: null, updated_at: ctx.now().toISOString() }).where('id', '=', account.id).execute();
    const sessions = await endSessions(trx, account.id);
    await recordSecurityEvent(trx, ctx, { event: 'password_reset', account_id: account.id, details: { sessions_ended: sessions } });
    token = await issueSetPasswordLink(trx, ctx, account.id);
  });
  return { account, set_password_token: token };
}

/**
 * For someone who lost their authenticator app, recovery codes and passkeys: removes them all
 * and ends the account's sessions. While admins require two factors, the account must enrol a
 * new one at its next sign-in with the password.
 */
export async function removeSecondFactors(ctx: Context, email: string): Promise<AccountView> {
  return changeAccount(ctx, email, async (trx, account) => {
    const required = await twoFactorRequired(trx);
    await trx
      .updateTable('accounts')
      .set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, must_enrol_2fa: required ? 1 : account.must_enrol_2fa, updated_at: ctx.now().toISOString() })
      .where('id', '=', account.id)
      .execute();
    await trx.deleteFrom('recovery_codes').where('account_id', '=', account.id).execute();
    const passkeys = await trx.deleteFrom('passkeys').where('account_id', '=', account.id).executeTakeFirst();
    const sessions = await endSessions(trx, account.id);
    if (account.totp_secret) await recordSecurityEvent(trx, ctx, { event: 'totp_removed', account_id: account.id, details: { sessions_ended: sessions } });
    if (passkeys.numDeletedRows > 0n) await recordSecurityEvent(trx, ctx, { event: 'passkey_removed', account_id: account.id, details: { passkeys: Number(passkeys.numDeletedRows), sessions_ended: sessions } });
  });
}

/**
 * Sets the password of the link's account and uses the link up. The link must be unused and less
 * than 24 h old. Unknown links count as failed sign-ins from `address`, so guessing links is
 * throttled as guessing passwords is.
 */
export async function setPasswordWithLink(ctx: Context, token: string, password: string, address: string): Promise<AccountView> {
  const keys = accountKeys(ctx);
  const addressKey = addressThrottleKey(address);
  await checkThrottle(ctx, addressKey, ADDRESS_POLICY, address);
  const link = await ctx.db
    .selectFrom('set_password_links')
    .innerJoin('accounts', 'accounts.id', 'set_password_links.account_id')
    .select(['set_password_links.token_hash', 'set_password_links.expires_at', 'set_password_links.used_at', 'accounts.id', 'accounts.email', 'accounts.disabled_at'])
    .where('set_password_links.token_hash', '=', keys.hash('set-password', token))
    .executeTakeFirst();
  const now = ctx.now();
  if (!link || link.used_at !== null || link.disabled_at !== null || Date.parse(link.expires_at) <= now.getTime()) {
    await recordFailure(ctx, [addressKey], { account_id: link?.id ?? null, actor: link?.email ?? 'unknown', address, reason: 'set_password_link_invalid' });
    throw new TocsinError('LINK_INVALID', 'this set-password link is unknown, used or expired (links work once, for 24 hours); ask an admin for a new one', { kind: 'not_found' });
  }
  await checkPassword(password, link.email);
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    // Claimed with its first statement, so two uses of one link cannot both win.
    const claimed = await trx.updateTable('set_password_links').set({ used_at: now.toISOString() }).where('token_hash', '=', link.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) throw new TocsinError('LINK_INVALID', 'this set-password link was used meanwhile; ask an admin for a new one', { kind: 'not_found' });
    await trx.updateTable('accounts').set({ password_hash: passwordHash, password_set_at: now.toISOString(), updated_at: now.toISOString() }).where('id', '=', link.id).execute();
    await endSessions(trx, link.id);
    await recordSecurityEvent(trx, ctx, { event: 'password_set', account_id: link.id, actor: link.email });
  });
  return accountView(ctx.db, link.id);
}

/**
 * Changes a signed-in account's own password, given its current one. Its other sessions end;
 * the one it was changed in (`keepSessionId`) stays. A wrong current password counts as a failed
 * sign-in of the account and from `address`: a stolen session must not become a way to guess the
 * password without the sign-in's throttle.
 */
export async function changePassword(ctx: Context, accountId: string, input: { current: string; password: string; address: string; keepSessionId?: string }): Promise<void> {
  const account = await ctx.db.selectFrom('accounts').select(['id', 'email', 'password_hash']).where('id', '=', accountId).executeTakeFirst();
  if (!account) throw new TocsinError('NO_SUCH_ACCOUNT', 'this account no longer exists', { kind: 'not_found' });
  const throttleKeys = [accountThrottleKey(ctx, account.email), addressThrottleKey(input.address)];
  await checkThrottle(ctx, throttleKeys[0], ACCOUNT_POLICY, input.address);
  await checkThrottle(ctx, throttleKeys[1], ADDRESS_POLICY, input.address);
  if (!account.password_hash || !(await passwordMatches(account.password_hash, input.current))) {
    await recordFailure(ctx, throttleKeys, { account_id: account.id, actor: account.email, address: input.address, reason: 'wrong_current_password' });
    // Invalid, not unauthenticated: the caller is signed in, and stays so.
    throw invalidInput('CURRENT_PASSWORD_WRONG', 'the current password is wrong');
  }
  await checkPassword(input.password, account.email);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ password_hash: passwordHash, password_set_at: now, updated_at: now }).where('id', '=', accountId).execute();
    let others = trx.deleteFrom('sessions').where('account_id', '=', accountId);
    if (input.keepSessionId) others = others.where('id', '!=', input.keepSessionId);
    const ended = await others.executeTakeFirst();
    await recordSecurityEvent(trx, ctx, { event: 'password_set', account_id: accountId, actor: account.email, details: { sessions_ended: Number(ended.numDeletedRows) } });
  });
}

/** Whether every account must sign in with a second factor. */
export async function twoFactorRequired(db: Kysely<Tables>): Promise<boolean> {
  const row = await db.selectFrom('account_settings').select('value').where('name', '=', REQUIRE_2FA).executeTakeFirst();
  return row?.value === 'on';
}

/**
 * Requires (or stops requiring) a second factor of every account: those without one must enrol
 * one right after they next sign in, before anything else.
 */
export async function setTwoFactorRequired(ctx: Context, required: boolean): Promise<{ must_enrol: number }> {
  return ctx.db.transaction().execute(async (trx) => {
    const value = required ? 'on' : 'off';
    await trx.insertInto('account_settings').values({ name: REQUIRE_2FA, value }).onConflict((conflict) => conflict.column('name').doUpdateSet({ value })).execute();
    let flagged = 0;
    if (required) {
      const result = await trx
        .updateTable('accounts')
        .set({ must_enrol_2fa: 1 })
        .where('totp_secret', 'is', null)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('passkeys').select('passkeys.id').whereRef('passkeys.account_id', '=', 'accounts.id'))))
        .executeTakeFirst();
      flagged = Number(result.numUpdatedRows);
    } else {
      await trx.updateTable('accounts').set({ must_enrol_2fa: 0 }).execute();
    }
    await recordSecurityEvent(trx, ctx, { event: 'require_2fa_changed', details: { required, must_enrol: flagged } });
    return { must_enrol: flagged };
  });
}

async function issueSetPasswordLink(trx: Kysely<Tables>, ctx: Context, accountId: string): Promise<string> {
  const token = newToken();
  const now = ctx.now();
  // One live link per account: a new one voids the ones handed out before. Links used or expired,
  // this account's and others', are kept no longer: a link that is gone is refused as one used.
  await trx
    .deleteFrom('set_password_links')
    .where((eb) => eb.or([eb('account_id', '=', accountId), eb('used_at', 'is not', null), eb('expires_at', '<=', now.toISOString())]))
    .execute();
  await trx
    .insertInto('set_password_links')
    .values({ token_hash: accountKeys(ctx).hash('set-password', token), account_id: accountId, created_at: now.toISOString(), expires_at: new Date(now.getTime() + SET_PASSWORD_LINK_MS).toISOString(), used_at: null })
    .execute();
  return token;
}

/** Runs `change` on the named account in a transaction that begins with a write, and returns the account as it is after. */
async function changeAccount(ctx: Context, email: string, change: (trx: Kysely<Tables>, account: Tables['accounts']) => Promise<void>): Promise<AccountView> {
  const address = accountEmail(email);
  const id = await ctx.db.transaction().execute(async (trx) => {
    // A write that changes nothing takes SQLite's write lock before anything is read.
    await trx.updateTable('accounts').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('email', '=', address).execute();
    const account = await accountByEmail(trx, address);
    await change(trx, account);
    return account.id;
  });
  return accountView(ctx.db, id);
}

/**
 * An installation keeps at least one enabled admin: without one, nobody could manage accounts
 * through the API. Refuses to disable or demote the account when it is that last one.
 */
async function keepAnAdmin(trx: Kysely<Tables>, leaving: Tables['accounts']): Promise<void> {
  if (leaving.role !== 'admin' || leaving.disabled_at !== null) return;
  const others = await trx.selectFrom('accounts').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).where('id', '!=', leaving.id).executeTakeFirst();
  if (!others) throw new TocsinError('LAST_ADMIN', 'this is the last enabled admin; make another account admin first', { kind: 'conflict' });
}
