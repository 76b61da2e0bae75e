import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { accountKeys, newToken, type AccountKeys } from './credentials.ts';
import { checkThrottle, recordFailure } from './login.ts';
import { checkPassword } from './password-policy.ts';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.ts';
import { recordSecurityEvent } from './security-log.ts';
import { hashPassword, passwordMatches, spendPasswordCheck } from './passwords.ts';
import { open, seal } from './secret-box.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './sessions.ts';
import { ACCOUNT_POLICY, ADDRESS_POLICY, addressThrottleKey, throttlePolicy, type ThrottlePolicy } from './throttle.ts';
import { countFailure, forgetStaleThrottles, storedVerdict } from './throttle-store.ts';
import { acceptedStep, newTotpEnrolment, type TotpEnrolment } from './totp.ts';

/**
 * Bug bounty researchers: people from outside who sign themselves up on the public listener.
 * They use the staff accounts' machinery (argon2id, the password policy, TOTP, throttles, keyed
 * hashes) but tables of their own, so no researcher session or credential is ever a staff one.
 */

/** The researcher session cookie's name; the server prefixes `__Host-` over TLS. Not the staff cookie's. */
export const RESEARCHER_COOKIE = 'tocsin_researcher';
/** How long a mailed link works: the one that verifies an address, and the shorter one that resets a password. */
const LINK_MS = { verify: 24 * 3600_000, reset: 3600_000 } as const;
export type ResearcherLinkPurpose = keyof typeof LINK_MS;
const TOUCH_AFTER_MS = 60_000;

/** Who a public-listener request acts as, when a researcher is signed in: never a staff Principal. */
export interface ResearcherPrincipal {
  kind: 'researcher';
  researcher_id: string;
  email: string;
  locale: string;
  session_id: string;
  /** When the researcher signed in: changing how they sign in asks for a recent sign-in, as for staff. */
  signed_in_at: string;
}

export interface ResearcherView {
  id: string;
  email: string;
  locale: string;
  email_verified: boolean;
  two_factor: ('totp' | 'passkey')[];
  created_at: string;
}

/** Sign-ups from one client address: five in a row, then a wait that doubles; 20 lock it for 15 minutes. */
const SIGN_UP_POLICY = throttlePolicy(5, 20);

/**
 * Counts an attempt at something rate-limited (a sign-up, a report) against `key` and refuses it
 * (THROTTLED, with the seconds to wait) when it comes too soon after the ones before: the login
 * throttles' arithmetic and table, each attempt counted as a sign-in failure is. Not logged:
 * these are not failures.
 */
export async function admitAttempt(ctx: Pick<Context, 'db' | 'dialect' | 'now'>, key: string, policy: ThrottlePolicy, what: string): Promise<void> {
  const now = ctx.now();
  const verdict = await storedVerdict(ctx, key, policy);
  if (!verdict.allowed) {
    const seconds = Math.ceil(verdict.retryAfterMs / 1000);
    throw new TocsinError('THROTTLED', `too many ${what} from here; wait ${seconds} s before the next`, { kind: 'throttled', retry_after: seconds });
  }
  // One transaction that begins with its write (countFailure's insert).
  await ctx.db.transaction().execute((trx) => countFailure(trx, ctx, key, policy, now));
  await forgetStaleThrottles(ctx, now);
}

function researcherEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!email) throw invalidInput('BAD_EMAIL', 'email: not an email address; sign up with the address our mails should reach');
  return email;
}

/**
 * Signs a researcher up, or starts again for an address that never verified (with the new
 * password: only whoever reads the mailbox finishes it). Returns the researcher to mail: a
 * verification link (`verify`) for a new or unverified address, a notice that an account exists
 * (`registered`) for a verified one, so that the answer never tells whether an address has an account.
 * Rate-limited per client address. Signing up again mails a new link, should a mail be lost.
 */
export async function signUpResearcher(ctx: Context, input: { email: string; password: string; locale: string; address: string }): Promise<{ researcher_id: string; mail: 'verify' | 'registered' }> {
  const email = researcherEmail(input.email);
  await checkPassword(input.password, email);
  await admitAttempt(ctx, `sign-up:${addressThrottleKey(input.address)}`, SIGN_UP_POLICY, 'sign-ups');
  const passwordHash = await hashPassword(input.password);
  const now = ctx.now().toISOString();
  const id = randomUUID();
  const inserted = await ctx.db
    .insertInto('bounty_researchers')
    .values({ id, email, locale: input.locale, password_hash: passwordHash, email_verified_at: null, totp_secret: null, totp_pending_secret: null, totp_last_step: null, created_at: now, updated_at: now })
    .onConflict((conflict) => conflict.column('email').doUpdateSet({ password_hash: passwordHash, locale: input.locale, updated_at: now }).where('bounty_researchers.email_verified_at', 'is', null))
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    // Links mailed before stop working: the newest sign-up's is the one that counts.
    await ctx.db.deleteFrom('bounty_researcher_links').where('researcher_id', '=', inserted.id).execute();
    return { researcher_id: inserted.id, mail: 'verify' };
  }
  const existing = await ctx.db.selectFrom('bounty_researchers').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { researcher_id: existing.id, mail: 'registered' };
}

/** A one-use link token for verifying the researcher's address or resetting their password, made when its mail is sent (only its keyed hash is kept). */
export async function issueResearcherLink(ctx: Context, researcherId: string, purpose: ResearcherLinkPurpose): Promise<string> {
  const token = newToken();
  const now = ctx.now();
  await ctx.db
    .insertInto('bounty_researcher_links')
    .values({ token_hash: accountKeys(ctx).hash('researcher-link', token), researcher_id: researcherId, purpose, created_at: now.toISOString(), expires_at: new Date(now.getTime() + LINK_MS[purpose]).toISOString(), used_at: null })
    .execute();
  return token;
}

/** Uses a link up, in `trx`, claimed with its first statement so that two uses cannot both win: its researcher, or LINK_INVALID. */
async function claimLink(trx: Kysely<Tables>, ctx: Context, token: string, purpose: ResearcherLinkPurpose): Promise<string> {
  const now = ctx.now().toISOString();
  const claimed = await trx
    .updateTable('bounty_researcher_links')
    .set({ used_at: now })
    .where('token_hash', '=', accountKeys(ctx).hash('researcher-link', token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('researcher_id')
    .executeTakeFirst();
  if (!claimed) {
    const again = purpose === 'verify' ? 'sign up again for a new one' : 'ask for a new one';
    throw new TocsinError('LINK_INVALID', `this link is unknown, used or expired (links work once, for ${LINK_MS[purpose] / 3600_000} hour(s)); ${again}`, { kind: 'not_found' });
  }
  return claimed.researcher_id;
}

/** Verifies the address of the link's researcher and uses the link up. */
export async function verifyResearcherEmail(ctx: Context, token: string): Promise<ResearcherView> {
  const now = ctx.now().toISOString();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const researcherId = await claimLink(trx, ctx, token, 'verify');
    await trx.updateTable('bounty_researchers').set({ email_verified_at: now, updated_at: now }).where('id', '=', researcherId).where('email_verified_at', 'is', null).execute();
    return researcherId;
  });
  return researcherView(ctx, id);
}

/**
 * For a forgotten password: the verified researcher with this address, to mail a reset link to;
 * null for any other address, which the caller answers exactly the same. Rate-limited per client address.
 */
export async function requestResearcherReset(ctx: Context, input: { email: string; address: string }): Promise<string | null> {
  await admitAttempt(ctx, `researcher-reset:${addressThrottleKey(input.address)}`, SIGN_UP_POLICY, 'password resets');
  const email = normalizeEmail(input.email);
  if (!email) return null;
  const row = await ctx.db.selectFrom('bounty_researchers').select('id').where('email', '=', email).where('email_verified_at', 'is not', null).executeTakeFirst();
  return row?.id ?? null;
}

/** Sets a new password with a reset link (one use, one hour); every session of the researcher ends. An authenticator app stays. */
export async function resetResearcherPassword(ctx: Context, token: string, password: string): Promise<ResearcherView> {
  const hash = accountKeys(ctx).hash('researcher-link', token);
  const link = await ctx.db
    .selectFrom('bounty_researcher_links')
    .innerJoin('bounty_researchers', 'bounty_researchers.id', 'bounty_researcher_links.researcher_id')
    .select(['bounty_researchers.email'])
    .where('bounty_researcher_links.token_hash', '=', hash)
    .executeTakeFirst();
  // The policy names the address; an unknown link is refused when claimed.
  if (link) await checkPassword(password, link.email);
  const passwordHash = await hashPassword(password);
  const now = ctx.now().toISOString();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const researcherId = await claimLink(trx, ctx, token, 'reset');
    await trx.updateTable('bounty_researchers').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', researcherId).execute();
    await trx.deleteFrom('bounty_researcher_sessions').where('researcher_id', '=', researcherId).execute();
    return researcherId;
  });
  return researcherView(ctx, id);
}

export async function researcherView(ctx: Pick<Context, 'db'>, id: string): Promise<ResearcherView> {
  const row = await ctx.db.selectFrom('bounty_researchers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new TocsinError('NO_SUCH_RESEARCHER', 'there is no such researcher', { kind: 'not_found' });
  const passkey = await hasPasskey(ctx.db, id);
  return {
    id: row.id,
    email: row.email,
    locale: row.locale,
    email_verified: row.email_verified_at !== null,
    two_factor: [...(row.totp_secret ? ['totp' as const] : []), ...(passkey ? ['passkey' as const] : [])],
    created_at: row.created_at,
  };
}

async function hasPasskey(db: Kysely<Tables>, researcherId: string): Promise<boolean> {
  return (await db.selectFrom('bounty_researcher_passkeys').select('id').where('researcher_id', '=', researcherId).executeTakeFirst()) !== undefined;
}

/** One message for an unknown email and a wrong password: neither tells whether the address has an account. */
const LOGIN_FAILED = 'the email or password is wrong';

/**
 * Signs a researcher in with email, password and (once enrolled) a TOTP code or a recovery code;
 * throttled per researcher and per client address as staff sign-ins are. A researcher with a
 * passkey and no authenticator app signs in with the passkey (researcher-passkeys.ts). Returns the
 * session cookie's value (only its keyed hash is kept).
 */
export async function researcherLogin(ctx: Context, input: { email: string; password: string; otp?: string; address: string }): Promise<{ session_token: string; principal: ResearcherPrincipal }> {
  const keys = accountKeys(ctx);
  const email = normalizeEmail(input.email) ?? input.email.trim().toLowerCase();
  const researcherKey = `account:researcher:${keys.hash('throttle', email)}`;
  const addressKey = addressThrottleKey(input.address);
  await checkThrottle(ctx, researcherKey, ACCOUNT_POLICY, input.address);
  await checkThrottle(ctx, addressKey, ADDRESS_POLICY, input.address);
  const row = await ctx.db.selectFrom('bounty_researchers').selectAll().where('email', '=', email).executeTakeFirst();
  const passwordOk = row ? await passwordMatches(row.password_hash, input.password) : await spendPasswordCheck(input.password);
  // The security log is the staff's: a researcher is named by id there, never by address.
  const actor = row ? `researcher:${row.id}` : 'unknown';
  if (!row || !passwordOk) {
    await recordFailure(ctx, [researcherKey, addressKey], { account_id: null, actor, address: input.address, reason: row ? 'wrong_password' : 'unknown_account' });
    throw new TocsinError('LOGIN_FAILED', LOGIN_FAILED, { kind: 'unauthenticated' });
  }
  if (row.email_verified_at === null) throw new TocsinError('EMAIL_NOT_VERIFIED', 'open the link we mailed you to verify your address first; sign up again for a new one', { kind: 'unauthenticated' });
  if (row.totp_secret) {
    if (!input.otp) throw new TocsinError('OTP_REQUIRED', 'enter the code from your authenticator app, or one of your recovery codes', { kind: 'unauthenticated' });
    if (!(await secondFactorMatches(ctx, keys, row, row.totp_secret, input.otp))) {
      await recordFailure(ctx, [researcherKey, addressKey], { account_id: null, actor, address: input.address, reason: 'wrong_code' });
      throw new TocsinError('OTP_INVALID', 'the code is wrong or was used already; enter the current code from your authenticator app, or an unused recovery code', { kind: 'unauthenticated' });
    }
  } else if (await hasPasskey(ctx.db, row.id)) {
    // A passkey stands for both factors; the password alone does not open an account that has one.
    throw new TocsinError('PASSKEY_REQUIRED', 'this account signs in with its passkey', { kind: 'unauthenticated' });
  }
  await ctx.db.deleteFrom('login_throttles').where('key', '=', researcherKey).execute();
  return startResearcherSession(ctx, row, input.address);
}

/**
 * Whether `code` is the researcher's second factor now: a code of their authenticator app not
 * used before (each time step once), or an unused recovery code, which is then used up.
 */
async function secondFactorMatches(ctx: Context, keys: AccountKeys, row: { id: string; email: string }, sealedSecret: string, code: string): Promise<boolean> {
  const recovery = normalizeRecoveryCode(code);
  if (recovery) {
    const used = await ctx.db
      .updateTable('bounty_researcher_recovery_codes')
      .set({ used_at: ctx.now().toISOString() })
      .where('researcher_id', '=', row.id)
      .where('code_hash', '=', keys.hash('researcher-recovery-code', recovery))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return used.numUpdatedRows > 0n;
  }
  const step = acceptedStep(open(keys.box, row.id, sealedSecret), row.email, code, ctx.now());
  if (step === null) return false;
  // Compare-and-set: a code is good once.
  const claimed = await ctx.db
    .updateTable('bounty_researchers')
    .set({ totp_last_step: step })
    .where('id', '=', row.id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n;
}

/** Starts a session for a researcher who proved who they are (password and second factor, or a passkey): the cookie's value, of which only the keyed hash is kept. */
export async function startResearcherSession(ctx: Context, researcher: { id: string; email: string; locale: string }, address: string): Promise<{ session_token: string; principal: ResearcherPrincipal }> {
  const keys = accountKeys(ctx);
  const now = ctx.now();
  const token = newToken();
  const sessionId = randomUUID();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('bounty_researcher_sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - SESSION_IDLE_MS).toISOString())]))
      .execute();
    await trx
      .insertInto('bounty_researcher_sessions')
      .values({ id: sessionId, token_hash: keys.hash('researcher-session', token), researcher_id: researcher.id, address, created_at: now.toISOString(), last_seen_at: now.toISOString(), expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString() })
      .execute();
  });
  return { session_token: token, principal: { kind: 'researcher', researcher_id: researcher.id, email: researcher.email, locale: researcher.locale, session_id: sessionId, signed_in_at: now.toISOString() } };
}

/** The researcher of a session cookie's token, or null when it names no live researcher session. */
export async function authenticateResearcher(ctx: Context, cookieToken: string): Promise<ResearcherPrincipal | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookieToken)) return null;
  const row = await ctx.db
    .selectFrom('bounty_researcher_sessions')
    .innerJoin('bounty_researchers', 'bounty_researchers.id', 'bounty_researcher_sessions.researcher_id')
    .select(['bounty_researcher_sessions.id', 'bounty_researcher_sessions.created_at', 'bounty_researcher_sessions.last_seen_at', 'bounty_researcher_sessions.expires_at', 'bounty_researchers.id as researcher_id', 'bounty_researchers.email', 'bounty_researchers.locale'])
    .where('bounty_researcher_sessions.token_hash', '=', accountKeys(ctx).hash('researcher-session', cookieToken))
    .executeTakeFirst();
  if (!row) return null;
  const now = ctx.now().getTime();
  if (now >= Date.parse(row.expires_at) || now - Date.parse(row.last_seen_at) >= SESSION_IDLE_MS) {
    await ctx.db.deleteFrom('bounty_researcher_sessions').where('id', '=', row.id).execute();
    return null;
  }
  if (now - Date.parse(row.last_seen_at) >= TOUCH_AFTER_MS) {
    await ctx.db.updateTable('bounty_researcher_sessions').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', row.id).execute();
  }
  return { kind: 'researcher', researcher_id: row.researcher_id, email: row.email, locale: row.locale, session_id: row.id, signed_in_at: row.created_at };
}

export async function researcherLogout(ctx: Context, sessionId: string): Promise<void> {
  await ctx.db.deleteFrom('bounty_researcher_sessions').where('id', '=', sessionId).execute();
}

/** Starts enrolling an authenticator app; the researcher's sign-in needs it only once a first code confirms it. */
export async function beginResearcherTotp(ctx: Context, researcherId: string): Promise<TotpEnrolment> {
  const row = await ctx.db.selectFrom('bounty_researchers').select('email').where('id', '=', researcherId).executeTakeFirstOrThrow();
  const enrolment = await newTotpEnrolment(row.email);
  await ctx.db.updateTable('bounty_researchers').set({ totp_pending_secret: seal(accountKeys(ctx).box, researcherId, enrolment.secret) }).where('id', '=', researcherId).execute();
  return enrolment;
}

/**
 * Confirms the app with its first code. Returns ten recovery codes (shown this once: only their
 * keyed hashes are kept; enrolling again replaces them) and the session's new token, as staff's
 * sessions get after a second factor.
 */
export async function confirmResearcherTotp(ctx: Context, principal: ResearcherPrincipal, code: string): Promise<{ recovery_codes: string[]; session_token: string }> {
  const keys = accountKeys(ctx);
  const row = await ctx.db.selectFrom('bounty_researchers').select(['email', 'totp_pending_secret']).where('id', '=', principal.researcher_id).executeTakeFirstOrThrow();
  if (!row.totp_pending_secret) throw new TocsinError('NO_TOTP_ENROLMENT', 'no authenticator app is being enrolled; start the enrolment again', { kind: 'conflict' });
  const step = acceptedStep(open(keys.box, principal.researcher_id, row.totp_pending_secret), row.email, code, ctx.now());
  if (step === null) throw invalidInput('ENROLMENT_CODE_WRONG', "the code does not match; check the app shows Tocsin for this address, and that the phone's clock is right");
  const codes = newRecoveryCodes();
  const token = await ctx.db.transaction().execute(async (trx) => {
    const confirmed = await trx
      .updateTable('bounty_researchers')
      .set({ totp_secret: row.totp_pending_secret, totp_pending_secret: null, totp_last_step: step, updated_at: ctx.now().toISOString() })
      .where('id', '=', principal.researcher_id)
      .where('totp_pending_secret', '=', row.totp_pending_secret)
      .executeTakeFirst();
    if (confirmed.numUpdatedRows === 0n) throw new TocsinError('NO_TOTP_ENROLMENT', 'the enrolment was started again meanwhile; use the newest QR code', { kind: 'conflict' });
    await trx.deleteFrom('bounty_researcher_recovery_codes').where('researcher_id', '=', principal.researcher_id).execute();
    await trx
      .insertInto('bounty_researcher_recovery_codes')
      .values(codes.map((one) => ({ researcher_id: principal.researcher_id, code_hash: keys.hash('researcher-recovery-code', normalizeRecoveryCode(one)!), used_at: null })))
      .execute();
    return renewResearcherSession(trx, keys, principal.session_id);
  });
  return { recovery_codes: codes, session_token: token };
}

/** Gives a researcher's session a new token (after a second factor is added), in `trx`: the cookie's new value. */
export async function renewResearcherSession(trx: Kysely<Tables>, keys: AccountKeys, sessionId: string): Promise<string> {
  const token = newToken();
  await trx.updateTable('bounty_researcher_sessions').set({ token_hash: keys.hash('researcher-session', token) }).where('id', '=', sessionId).execute();
  return token;
}

/**
 * For a researcher who lost their authenticator app, recovery codes and passkeys: an admin
 * removes them all, after checking who asks by other means. Their sessions end; the security log
 * records it, naming the researcher by id.
 */
export async function removeResearcherSecondFactors(ctx: Context, rawEmail: string): Promise<ResearcherView> {
  const email = researcherEmail(rawEmail);
  const id = await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('bounty_researchers')
      .set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, updated_at: ctx.now().toISOString() })
      .where('email', '=', email)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new TocsinError('NO_SUCH_RESEARCHER', `no researcher has signed up as ${email}`, { kind: 'not_found' });
    await trx.deleteFrom('bounty_researcher_recovery_codes').where('researcher_id', '=', updated.id).execute();
    const passkeys = await trx.deleteFrom('bounty_researcher_passkeys').where('researcher_id', '=', updated.id).executeTakeFirst();
    const ended = await trx.deleteFrom('bounty_researcher_sessions').where('researcher_id', '=', updated.id).executeTakeFirst();
    await recordSecurityEvent(trx, ctx, { event: 'totp_removed', account_id: null, details: { researcher: updated.id, passkeys: Number(passkeys.numDeletedRows), sessions_ended: Number(ended.numDeletedRows) } });
    return updated.id;
  });
  return researcherView(ctx, id);
}

/** A new token for a report's claim link, mailed to whoever sent the report by email: the token for the mail, and its keyed hash, all that is kept. */
export function newClaimToken(ctx: Pick<Context, 'dataDir' | 'config'>): { token: string; hash: string } {
  const token = newToken();
  return { token, hash: claimTokenHash(ctx, token) };
}

/** The keyed hash a claim link's token is kept and looked up as. */
export function claimTokenHash(ctx: Pick<Context, 'dataDir' | 'config'>, token: string): string {
  return accountKeys(ctx).hash('report-claim', token);
}
