import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { checkThrottle, recordFailure, type LoginResult } from './login.ts';
import { isRole } from './roles.ts';
import { recordSecurityEvent } from './security-log.ts';
import { rotateSession, startSession } from './sessions.ts';
import { ADDRESS_POLICY, addressThrottleKey } from './throttle.ts';

/** Who passkeys are bound to: the staff console's host name (rp id), a name people see, and its origin. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

/** How long a ceremony may take, from the options to the answer. */
const CHALLENGE_MS = 5 * 60_000;

export interface PasskeyView {
  id: string;
  created_at: string;
  last_used_at: string | null;
}

/**
 * Options for the browser's navigator.credentials.create(): a discoverable credential with user
 * verification, so the passkey alone can sign in (it stands for both factors). The challenge is
 * kept, for this account, for five minutes.
 */
export async function passkeyRegistrationOptions(ctx: Context, accountId: string, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const account = await ctx.db.selectFrom('accounts').select(['email']).where('id', '=', accountId).executeTakeFirst();
  if (!account) throw new TocsinError('NO_SUCH_ACCOUNT', 'the account is gone', { kind: 'not_found' });
  const existing = await ctx.db.selectFrom('passkeys').select(['id', 'transports']).where('account_id', '=', accountId).execute();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: account.email,
    userID: new TextEncoder().encode(accountId),
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: JSON.parse(passkey.transports) as string[] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await keepChallenge(ctx, options.challenge, 'register', accountId);
  return options;
}

/** Verifies the browser's answer and stores the passkey; a session it happened in gets a new token. */
export async function registerPasskey(
  ctx: Context,
  accountId: string,
  response: RegistrationResponseJSON,
  rp: RelyingParty,
  sessionId?: string,
): Promise<{ passkey: PasskeyView; session_token: string | null }> {
  const challenge = await claimChallenge(ctx, response?.response?.clientDataJSON, 'register', accountId);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true });
  } catch (error) {
    throw passkeyRefused(error);
  }
  if (!verified.verified) throw passkeyRefused();
  const { credential } = verified.registrationInfo;
  const now = ctx.now().toISOString();
  const passkey = { id: credential.id, created_at: now, last_used_at: null };
  await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('passkeys')
      .values({ ...passkey, account_id: accountId, public_key: Buffer.from(credential.publicKey).toString('base64url'), counter: credential.counter, transports: JSON.stringify(credential.transports ?? []) })
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
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required' });
  await keepChallenge(ctx, options.challenge, 'authenticate', null);
  return options;
}

/**
 * Signs in with a passkey (instead of a password and second factor: user verification is
 * required). Failures count against the client's address and are logged like password failures.
 */
export async function loginWithPasskey(ctx: Context, input: { response: AuthenticationResponseJSON; address: string }, rp: RelyingParty): Promise<LoginResult> {
  const addressKey = addressThrottleKey(input.address);
  await checkThrottle(ctx, addressKey, ADDRESS_POLICY, input.address);
  const challenge = await claimChallenge(ctx, input.response?.response?.clientDataJSON, 'authenticate', null);
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
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: row.id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: Number(row.counter), transports: JSON.parse(row.transports) as string[] },
      requireUserVerification: true,
    });
  } catch {
    throw await fail('passkey_not_verified');
  }
  if (!verified.verified) throw await fail('passkey_not_verified');
  const role = row.role;
  const now = ctx.now().toISOString();
  const session = await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('passkeys').set({ counter: verified.authenticationInfo.newCounter, last_used_at: now }).where('id', '=', row.id).execute();
    const started = await startSession(trx, ctx, row.account_id, input.address);
    await recordSecurityEvent(trx, ctx, { event: 'login_ok', account_id: row.account_id, actor: row.email, address: input.address, details: { method: 'passkey' } });
    return started;
  });
  return {
    session_token: session.token,
    principal: { account_id: row.account_id, email: row.email, role, via: 'session', session_id: session.id, ...(row.must_enrol_2fa ? { must_enrol_2fa: true } : {}) },
  };
}

async function keepChallenge(ctx: Context, challenge: string, purpose: Tables['webauthn_challenges']['purpose'], accountId: string | null): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    // Ceremonies begun and never finished are cleared as new ones begin.
    await trx.deleteFrom('webauthn_challenges').where('expires_at', '<=', now.toISOString()).execute();
    await trx.insertInto('webauthn_challenges').values({ challenge, purpose, account_id: accountId, expires_at: new Date(now.getTime() + CHALLENGE_MS).toISOString() }).execute();
  });
}

/** Takes the challenge the answer signed out of the store (it is good once), or refuses an answer to no live ceremony. */
async function claimChallenge(ctx: Context, clientDataJSON: unknown, purpose: Tables['webauthn_challenges']['purpose'], accountId: string | null): Promise<string> {
  let challenge: unknown;
  try {
    challenge = typeof clientDataJSON === 'string' ? decodeClientDataJSON(clientDataJSON).challenge : undefined;
  } catch (error) {
    throw passkeyRefused(error);
  }
  if (typeof challenge !== 'string') throw passkeyRefused();
  let query = ctx.db.deleteFrom('webauthn_challenges').where('challenge', '=', challenge).where('purpose', '=', purpose).where('expires_at', '>', ctx.now().toISOString());
  query = accountId === null ? query.where('account_id', 'is', null) : query.where('account_id', '=', accountId);
  const claimed = await query.executeTakeFirst();
  if (claimed.numDeletedRows === 0n) throw new TocsinError('PASSKEY_CHALLENGE', 'this passkey answer is for no ceremony in progress (it expires after 5 minutes, and works once); start again', { kind: 'conflict' });
  return challenge;
}

function passkeyRefused(cause?: unknown): TocsinError {
  return invalidInput('PASSKEY_INVALID', 'the passkey\'s answer could not be verified; try again, or use another passkey', { cause });
}
