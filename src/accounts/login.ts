import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { twoFactorRequired } from './accounts.ts';
import { accountKeys } from './credentials.ts';
import { passwordMatches, spendPasswordCheck } from './passwords.ts';
import type { Principal } from './principal.ts';
import { isRole, type Role } from './roles.ts';
import { recordSecurityEvent } from './security-log.ts';
import { startSession } from './sessions.ts';
import { ACCOUNT_POLICY, ADDRESS_POLICY, addressThrottleKey, type ThrottlePolicy } from './throttle.ts';
import { countFailure, forgetStaleThrottles, storedVerdict } from './throttle-store.ts';
import { checkSecondFactor } from './totp.ts';

export interface LoginInput {
  email: string;
  password: string;
  /** A TOTP code or a recovery code, for an account with an authenticator app. */
  otp?: string;
  /** The client's address, for throttling and the security log. */
  address: string;
}

export interface LoginResult {
  /** The session cookie's value: 256 random bits, shown once (only its keyed hash is kept). */
  session_token: string;
  principal: Principal;
}

/** One message for an unknown email, a wrong password, a disabled account: none tells which. */
const LOGIN_FAILED = 'the email or password is wrong';

/**
 * Signs in with email and password (and the second factor when the account has one). Throws
 * TocsinError LOGIN_FAILED (unknown email, wrong password, disabled account: the same message and
 * about the same time, as a dummy hash is checked), OTP_REQUIRED (right password, code missing),
 * OTP_INVALID, PASSKEY_REQUIRED (the account signs in with its passkey), THROTTLED or LOCKED_OUT.
 */
export async function login(ctx: Context, input: LoginInput): Promise<LoginResult> {
  const { account, accountKey, secondFactor } = await checkCredentials(ctx, input);
  const mustEnrol = account.must_enrol_2fa === 1 || (!secondFactor && (await twoFactorRequired(ctx.db)));
  const session = await ctx.db.transaction().execute(async (trx) => {
    const started = await startSession(trx, ctx, account.id, input.address);
    await trx.deleteFrom('login_throttles').where('key', '=', accountKey).execute();
    await recordSecurityEvent(trx, ctx, { event: 'login_ok', account_id: account.id, actor: account.email, address: input.address, details: { method: secondFactor ? `password+${secondFactor}` : 'password' } });
    return started;
  });
  return {
    session_token: session.token,
    principal: { account_id: account.id, email: account.email, role: account.role, via: 'session', session_id: session.id, signed_in_at: session.signed_in_at, ...(mustEnrol ? { must_enrol_2fa: true } : {}) },
  };
}

/**
 * Confirms that a person is at the keyboard of a command that acts in their name (approving
 * notices from the command line): their password, and their second factor when they have one,
 * checked and throttled as a sign-in is, without starting a session. Throws as `login` does.
 */
export async function confirmIdentity(ctx: Context, input: LoginInput): Promise<{ email: string; role: Role }> {
  const { account, accountKey, secondFactor } = await checkCredentials(ctx, input);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('login_throttles').where('key', '=', accountKey).execute();
    await recordSecurityEvent(trx, ctx, { event: 'identity_confirmed', account_id: account.id, actor: account.email, address: input.address, details: { method: secondFactor ? `password+${secondFactor}` : 'password' } });
  });
  return { email: account.email, role: account.role };
}

/** The account whose email, password and second factor these are, or a throw (recorded, throttled). */
async function checkCredentials(ctx: Context, input: LoginInput) {
  const email = normalizeEmail(input.email) ?? input.email.trim().toLowerCase();
  const accountKey = accountThrottleKey(ctx, email);
  const addressKey = addressThrottleKey(input.address);
  await checkThrottle(ctx, accountKey, ACCOUNT_POLICY, input.address);
  await checkThrottle(ctx, addressKey, ADDRESS_POLICY, input.address);

  const account = await ctx.db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
  const passwordOk = account?.password_hash ? await passwordMatches(account.password_hash, input.password) : await spendPasswordCheck(input.password);
  if (!account || !passwordOk || account.disabled_at !== null || !isRole(account.role)) {
    const reason = !account ? 'unknown_account' : account.disabled_at !== null ? 'disabled' : 'wrong_password';
    await recordFailure(ctx, [accountKey, addressKey], { account_id: account?.id ?? null, actor: account?.email ?? 'unknown', address: input.address, reason });
    throw new TocsinError('LOGIN_FAILED', LOGIN_FAILED, { kind: 'unauthenticated' });
  }

  let secondFactor: 'totp' | 'recovery_code' | null = null;
  if (account.totp_secret) {
    if (!input.otp) throw new TocsinError('OTP_REQUIRED', 'enter the code from your authenticator app, or a recovery code', { kind: 'unauthenticated' });
    secondFactor = await checkSecondFactor(ctx, account, input.otp);
    if (!secondFactor) {
      await recordFailure(ctx, [accountKey, addressKey], { account_id: account.id, actor: account.email, address: input.address, reason: 'wrong_code' });
      throw new TocsinError('OTP_INVALID', 'the code is wrong or was used already; enter the current code from your authenticator app, or an unused recovery code', { kind: 'unauthenticated' });
    }
  } else if (await hasPasskey(ctx.db, account.id)) {
    // A passkey stands for both factors; the password alone does not open an account that has one.
    throw new TocsinError('PASSKEY_REQUIRED', 'this account signs in with its passkey', { kind: 'unauthenticated' });
  }
  return { account: { ...account, role: account.role as Role }, accountKey, secondFactor };
}

async function hasPasskey(db: Kysely<Tables>, accountId: string): Promise<boolean> {
  return (await db.selectFrom('passkeys').select('id').where('account_id', '=', accountId).executeTakeFirst()) !== undefined;
}

/** The throttle key of the account with this (normalised) email: keyed, so that the table does not keep what people typed as their email (sometimes a password). */
export function accountThrottleKey(ctx: Context, email: string): string {
  return `account:${accountKeys(ctx).hash('throttle', email)}`;
}

/** Refuses an attempt that comes before its key's backoff is over, or while it is locked; the refusal is logged. */
export async function checkThrottle(ctx: Context, key: string, policy: ThrottlePolicy, address: string): Promise<void> {
  const verdict = await storedVerdict(ctx, key, policy);
  if (verdict.allowed) return;
  const seconds = Math.ceil(verdict.retryAfterMs / 1000);
  await recordSecurityEvent(ctx.db, ctx, { event: 'login_throttled', actor: 'unknown', address, details: { locked: verdict.locked, retry_after_s: seconds, per: key.slice(0, key.indexOf(':')) } });
  if (verdict.locked) throw new TocsinError('LOCKED_OUT', `too many failed sign-ins; try again in ${minutes(seconds)}`, { kind: 'throttled', retry_after: seconds });
  throw new TocsinError('THROTTLED', `too many failed sign-ins; wait ${seconds} s before trying again`, { kind: 'throttled', retry_after: seconds });
}

/** Counts a failure against each key (one transaction, begun with a write), logging it and any lockout it causes. */
export async function recordFailure(
  ctx: Context,
  keys: string[],
  entry: { account_id: string | null; actor: string; address: string; reason: string },
): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await recordSecurityEvent(trx, ctx, { event: 'login_failed', account_id: entry.account_id, actor: entry.actor, address: entry.address, details: { reason: entry.reason } });
    for (const key of keys) {
      const policy = key.startsWith('account:') ? ACCOUNT_POLICY : ADDRESS_POLICY;
      const { state, lockedNow } = await countFailure(trx, ctx, key, policy, now);
      if (lockedNow) {
        await recordSecurityEvent(trx, ctx, { event: 'lockout', account_id: key.startsWith('account:') ? entry.account_id : null, actor: entry.actor, address: entry.address, details: { per: policy === ACCOUNT_POLICY ? 'account' : 'address', until: state.locked_until } });
      }
    }
  });
  await forgetStaleThrottles(ctx, now);
}

function minutes(seconds: number): string {
  const count = Math.ceil(seconds / 60);
  return count === 1 ? '1 minute' : `${count} minutes`;
}
