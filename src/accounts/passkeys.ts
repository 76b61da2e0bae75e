import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Context } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';
import { checkThrottle, recordFailure, type LoginResult } from './login.ts';
import { isRole } from './roles.ts';
import { recordSecurityEvent } from './security-log.ts';
import { rotateSession, startSession } from './sessions.ts';
import { ADDRESS_POLICY, addressThrottleKey } from './throttle.ts';
import { claimSignInChallenge, registrationOptions, signInOptions, verifiedRegistration, verifiedSignIn, type RelyingParty } from './webauthn.ts';

/** Staff accounts' passkeys: the ceremonies are webauthn.ts's, the passkeys are kept in `passkeys`. */

export interface PasskeyView {
  id: string;
  created_at: string;
  last_used_at: string | null;
}

/** Options for the browser's navigator.credentials.create(), for this account (its passkeys excluded). */
export async function passkeyRegistrationOptions(ctx: Context, accountId: string, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const account = await ctx.db.selectFrom('accounts').select(['email']).where('id', '=', accountId).executeTakeFirst();
  if (!account) throw new TocsinError('NO_SUCH_ACCOUNT', 'the account is gone', { kind: 'not_found' });
  const existing = await ctx.db.selectFrom('passkeys').select(['id', 'transports']).where('account_id', '=', accountId).execute();
  return registrationOptions(ctx, 'staff', { id: accountId, name: account.email }, existing, rp);
}

/** Verifies the browser's answer and stores the passkey; a session it happened in gets a new token. */
export async function registerPasskey(
  ctx: Context,
  accountId: string,
  response: RegistrationResponseJSON,
  rp: RelyingParty,
  sessionId?: string,
): Promise<{ passkey: PasskeyView; session_token: string | null }> {
  const credential = await verifiedRegistration(ctx, 'staff', accountId, response, rp);
  const now = ctx.now().toISOString();
  const passkey = { id: credential.id, created_at: now, last_used_at: null };
  await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('passkeys')
      .values({ ...credential, ...passkey, account_id: accountId })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    // Browsers are told the account's passkeys to exclude; a client that ignores that is answered here.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new TocsinError('PASSKEY_EXISTS', 'this passkey is registered already', { kind: 'conflict' });
    await trx.updateTable('accounts').set({ must_enrol_2fa: 0, updated_at: now }).where('id', '=', accountId).execute();
    await recordSecurityEvent(trx, ctx, { event: 'passkey_added', account_id: accountId, details: { passkey_id: credential.id } });
  });
  return { passkey, session_token: sessionId ? await rotateSession(ctx, sessionId) : null };
}

export async function listPasskeys(ctx: Pick<Context, 'db'>, accountId: string): Promise<PasskeyView[]> {
  return ctx.db.selectFrom('passkeys').select(['id', 'created_at', 'last_used_at']).where('account_id', '=', accountId).orderBy('created_at').execute();
}

export async function removePasskey(ctx: Context, accountId: string, passkeyId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('passkeys').where('id', '=', passkeyId).where('account_id', '=', accountId).executeTakeFirst();
    if (removed.numDeletedRows === 0n) throw new TocsinError('NO_SUCH_PASSKEY', 'the account has no such passkey', { kind: 'not_found' });
    await recordSecurityEvent(trx, ctx, { event: 'passkey_removed', account_id: accountId, details: { passkey_id: passkeyId } });
  });
}

/** Options for navigator.credentials.get() to sign in with a passkey: no email asked, the passkey names its account. */
export async function passkeySignInOptions(ctx: Context, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return signInOptions(ctx, 'staff', rp);
}

/**
 * Signs in with a passkey (instead of a password and second factor: user verification is
 * required). Failures count against the client's address and are logged like password failures.
 */
export async function loginWithPasskey(ctx: Context, input: { response: AuthenticationResponseJSON; address: string }, rp: RelyingParty): Promise<LoginResult> {
  const addressKey = addressThrottleKey(input.address);
  await checkThrottle(ctx, addressKey, ADDRESS_POLICY, input.address);
  const challenge = await claimSignInChallenge(ctx, 'staff', input.response);
  const credentialId = input.response.id;
  const row = typeof credentialId !== 'string' ? undefined : await ctx.db
    .selectFrom('passkeys')
    .innerJoin('accounts', 'accounts.id', 'passkeys.account_id')
    .select(['passkeys.id', 'passkeys.public_key', 'passkeys.counter', 'passkeys.transports', 'accounts.id as account_id', 'accounts.email', 'accounts.role', 'accounts.disabled_at', 'accounts.must_enrol_2fa'])
    .where('passkeys.id', '=', credentialId)
    .executeTakeFirst();
  const fail = async (reason: string) => {
    await recordFailure(ctx, [addressKey], { account_id: row?.account_id ?? null, actor: row?.email ?? 'unknown', address: input.address, reason });
    return new TocsinError('LOGIN_FAILED', 'this passkey does not sign in here; use another, or your password', { kind: 'unauthenticated' });
  };
  if (!row) throw await fail('unknown_passkey');
  if (row.disabled_at !== null || !isRole(row.role)) throw await fail('disabled');
  const newCounter = await verifiedSignIn(input.response, challenge, row, rp);
  if (newCounter === null) throw await fail('passkey_not_verified');
  const role = row.role;
  const now = ctx.now().toISOString();
  const session = await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('passkeys').set({ counter: newCounter, last_used_at: now }).where('id', '=', row.id).execute();
    const started = await startSession(trx, ctx, row.account_id, input.address);
    await recordSecurityEvent(trx, ctx, { event: 'login_ok', account_id: row.account_id, actor: row.email, address: input.address, details: { method: 'passkey' } });
    return started;
  });
  return {
    session_token: session.token,
    principal: { account_id: row.account_id, email: row.email, role, via: 'session', session_id: session.id, signed_in_at: session.signed_in_at, ...(row.must_enrol_2fa ? { must_enrol_2fa: true } : {}) },
  };
}
