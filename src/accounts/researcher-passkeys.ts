import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Context } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';
import { accountKeys } from './credentials.ts';
import { checkThrottle, recordFailure } from './login.ts';
import type { PasskeyView } from './passkeys.ts';
import { renewResearcherSession, startResearcherSession, type ResearcherPrincipal } from './researchers.ts';
import { recordSecurityEvent } from './security-log.ts';
import { ADDRESS_POLICY, addressThrottleKey } from './throttle.ts';
import { claimSignInChallenge, registrationOptions, signInOptions, verifiedRegistration, verifiedSignIn, type RelyingParty } from './webauthn.ts';

/**
 * Researchers' passkeys: the ceremonies are webauthn.ts's, as staff's are, bound to the public
 * listener and kept in `bounty_researcher_passkeys`. A staff passkey never signs a researcher in,
 * nor the other way round: each side looks its passkeys up in its own table, and answers only
 * its own ceremonies' challenges.
 */

/** Options for navigator.credentials.create() for the signed-in researcher (their passkeys excluded). */
export async function researcherPasskeyOptions(ctx: Context, researcherId: string, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const researcher = await ctx.db.selectFrom('bounty_researchers').select('email').where('id', '=', researcherId).executeTakeFirst();
  if (!researcher) throw new TocsinError('NO_SUCH_RESEARCHER', 'there is no such researcher', { kind: 'not_found' });
  const existing = await ctx.db.selectFrom('bounty_researcher_passkeys').select(['id', 'transports']).where('researcher_id', '=', researcherId).execute();
  return registrationOptions(ctx, 'researcher', { id: researcherId, name: researcher.email }, existing, rp);
}

/** Verifies the browser's answer and stores the researcher's passkey; their session gets a new token (returned). */
export async function registerResearcherPasskey(
  ctx: Context,
  principal: ResearcherPrincipal,
  response: RegistrationResponseJSON,
  rp: RelyingParty,
): Promise<{ passkey: PasskeyView; session_token: string }> {
  const credential = await verifiedRegistration(ctx, 'researcher', principal.researcher_id, response, rp);
  const passkey = { id: credential.id, created_at: ctx.now().toISOString(), last_used_at: null };
  const sessionToken = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('bounty_researcher_passkeys')
      .values({ ...credential, ...passkey, researcher_id: principal.researcher_id })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new TocsinError('PASSKEY_EXISTS', 'this passkey is registered already', { kind: 'conflict' });
    await recordSecurityEvent(trx, ctx, { event: 'passkey_added', account_id: null, details: { researcher: principal.researcher_id, passkey_id: credential.id } });
    return renewResearcherSession(trx, accountKeys(ctx), principal.session_id);
  });
  return { passkey, session_token: sessionToken };
}

/** Options for navigator.credentials.get() to sign a researcher in: no email asked, the passkey names its researcher. */
export async function researcherPasskeySignInOptions(ctx: Context, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return signInOptions(ctx, 'researcher', rp);
}

/**
 * Signs a researcher in with a passkey, which stands for the password and second factor (user
 * verification is required). Failures count against the client's address and are logged, naming
 * the researcher by id, as failed password sign-ins are.
 */
export async function researcherLoginWithPasskey(
  ctx: Context,
  input: { response: AuthenticationResponseJSON; address: string },
  rp: RelyingParty,
): Promise<{ session_token: string; principal: ResearcherPrincipal }> {
  const addressKey = addressThrottleKey(input.address);
  await checkThrottle(ctx, addressKey, ADDRESS_POLICY, input.address);
  const challenge = await claimSignInChallenge(ctx, 'researcher', input.response);
  const credentialId = input.response.id;
  const row = typeof credentialId !== 'string' ? undefined : await ctx.db
    .selectFrom('bounty_researcher_passkeys')
    .innerJoin('bounty_researchers', 'bounty_researchers.id', 'bounty_researcher_passkeys.researcher_id')
    .select(['bounty_researcher_passkeys.id', 'bounty_researcher_passkeys.public_key', 'bounty_researcher_passkeys.counter', 'bounty_researcher_passkeys.transports', 'bounty_researchers.id as researcher_id', 'bounty_researchers.email', 'bounty_researchers.locale'])
    .where('bounty_researcher_passkeys.id', '=', credentialId)
    .executeTakeFirst();
  const fail = async (reason: string) => {
    await recordFailure(ctx, [addressKey], { account_id: null, actor: row ? `researcher:${row.researcher_id}` : 'unknown', address: input.address, reason });
    return new TocsinError('LOGIN_FAILED', 'this passkey does not sign in here; use another, or your password', { kind: 'unauthenticated' });
  };
  if (!row) throw await fail('unknown_passkey');
  const newCounter = await verifiedSignIn(input.response, challenge, row, rp);
  if (newCounter === null) throw await fail('passkey_not_verified');
  await ctx.db.updateTable('bounty_researcher_passkeys').set({ counter: newCounter, last_used_at: ctx.now().toISOString() }).where('id', '=', row.id).execute();
  return startResearcherSession(ctx, { id: row.researcher_id, email: row.email, locale: row.locale }, input.address);
}
