import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { accountKeys, type AccountKeys } from './credentials.ts';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.ts';
import { open, seal } from './secret-box.ts';
import { recordSecurityEvent } from './security-log.ts';
import { rotateSession } from './sessions.ts';

const ISSUER = 'Tocsin';
const PERIOD_SECONDS = 30;
/** One step either side: a phone clock half a minute off still works. */
const WINDOW = 1;

/** RFC 6238 with what every authenticator app supports: SHA-1, 6 digits, 30 s, a 160-bit secret. */
function totp(secret: Secret, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret });
}

export interface TotpEnrolment {
  /** The otpauth:// URI an authenticator app reads from the QR code. */
  otpauth_uri: string;
  /** The QR code of the URI as an SVG document. */
  qr_svg: string;
  /** The secret in base32, for typing into an app that cannot scan. */
  secret: string;
}

/**
 * Starts enrolling an authenticator app: a new secret, kept sealed until the first code from the
 * app confirms it. An account that had TOTP keeps its old secret until then.
 */
export async function beginTotpEnrolment(ctx: Context, accountId: string): Promise<TotpEnrolment> {
  const account = await ctx.db.selectFrom('accounts').select(['email']).where('id', '=', accountId).executeTakeFirst();
  if (!account) throw new TocsinError('NO_SUCH_ACCOUNT', 'the account is gone', { kind: 'not_found' });
  const enrolment = await newTotpEnrolment(account.email);
  await ctx.db.updateTable('accounts').set({ totp_pending_secret: seal(accountKeys(ctx).box, accountId, enrolment.secret) }).where('id', '=', accountId).execute();
  return enrolment;
}

/** A new secret for an authenticator app labelled `label`: its URI, QR code and base32 text. Staff and researchers enrol the same way. */
export async function newTotpEnrolment(label: string): Promise<TotpEnrolment> {
  const secret = new Secret({ size: 20 });
  const uri = totp(secret, label).toString();
  // qrcode (and pngjs) is loaded on first use, not by every command that imports this folder's front door.
  const { default: QRCode } = await import('qrcode');
  return { otpauth_uri: uri, qr_svg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }), secret: secret.base32 };
}

/**
 * Confirms the enrolment with a first code from the app. Returns ten recovery codes (shown this
 * once: only their keyed hashes are kept) and, when it happened in a session, that session's new token.
 */
export async function confirmTotpEnrolment(ctx: Context, accountId: string, code: string, sessionId?: string): Promise<{ recovery_codes: string[]; session_token: string | null }> {
  const keys = accountKeys(ctx);
  const account = await ctx.db.selectFrom('accounts').select(['email', 'totp_pending_secret']).where('id', '=', accountId).executeTakeFirst();
  if (!account?.totp_pending_secret) throw new TocsinError('NO_TOTP_ENROLMENT', 'no authenticator app is being enrolled for this account; start the enrolment again', { kind: 'conflict' });
  const step = acceptedStep(open(keys.box, accountId, account.totp_pending_secret), account.email, code, ctx.now());
  // Invalid, not unauthenticated: the caller is signed in, and stays so (OTP_INVALID is a failed sign-in).
  if (step === null) throw invalidInput('ENROLMENT_CODE_WRONG', 'the code does not match; check the app shows Tocsin for this account, and that the phone\'s clock is right');
  const codes = newRecoveryCodes();
  await ctx.db.transaction().execute(async (trx) => {
    const confirmed = await trx
      .updateTable('accounts')
      .set({ totp_secret: account.totp_pending_secret, totp_pending_secret: null, totp_last_step: step, must_enrol_2fa: 0, updated_at: ctx.now().toISOString() })
      .where('id', '=', accountId)
      .where('totp_pending_secret', '=', account.totp_pending_secret)
      .executeTakeFirst();
    if (confirmed.numUpdatedRows === 0n) throw new TocsinError('NO_TOTP_ENROLMENT', 'the enrolment was started again meanwhile; use the newest QR code', { kind: 'conflict' });
    await replaceRecoveryCodes(trx, keys, accountId, codes);
    await recordSecurityEvent(trx, ctx, { event: 'totp_enrolled', account_id: accountId });
  });
  return { recovery_codes: codes, session_token: sessionId ? await rotateSession(ctx, sessionId) : null };
}

/** Ten new recovery codes for an account with an authenticator app, shown this once; the old ones stop working. */
export async function renewRecoveryCodes(ctx: Context, accountId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await ctx.db.transaction().execute(async (trx) => {
    const account = await trx.updateTable('accounts').set({ updated_at: ctx.now().toISOString() }).where('id', '=', accountId).where('totp_secret', 'is not', null).executeTakeFirst();
    if (account.numUpdatedRows === 0n) throw new TocsinError('NO_TOTP', 'recovery codes stand in for an authenticator app; enrol one first', { kind: 'conflict' });
    await replaceRecoveryCodes(trx, accountKeys(ctx), accountId, codes);
    await recordSecurityEvent(trx, ctx, { event: 'recovery_codes_renewed', account_id: accountId });
  });
  return codes;
}

async function replaceRecoveryCodes(trx: Kysely<Tables>, keys: AccountKeys, accountId: string, codes: string[]): Promise<void> {
  await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
  await trx.insertInto('recovery_codes').values(codes.map((code) => ({ account_id: accountId, code_hash: keys.hash('recovery-code', normalizeRecoveryCode(code)!), used_at: null }))).execute();
}

/** Removes the authenticator app and the recovery codes (an admin does it for someone who lost both). */
export async function removeTotp(ctx: Context, accountId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, updated_at: ctx.now().toISOString() }).where('id', '=', accountId).execute();
    await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
    await recordSecurityEvent(trx, ctx, { event: 'totp_removed', account_id: accountId });
  });
}

/**
 * Whether `code` is the account's second factor now: a TOTP code not used before (each time
 * step is accepted once, so a code seen over a shoulder cannot be replayed in its window), or an
 * unused recovery code, which is then used up.
 */
export async function checkSecondFactor(ctx: Context, account: { id: string; email: string; totp_secret: string | null }, code: string): Promise<'totp' | 'recovery_code' | null> {
  if (!account.totp_secret) return null;
  const keys = accountKeys(ctx);
  const recovery = normalizeRecoveryCode(code);
  if (recovery) {
    const used = await ctx.db
      .updateTable('recovery_codes')
      .set({ used_at: ctx.now().toISOString() })
      .where('account_id', '=', account.id)
      .where('code_hash', '=', keys.hash('recovery-code', recovery))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (used.numUpdatedRows === 0n) return null;
    await recordSecurityEvent(ctx.db, ctx, { event: 'recovery_code_used', account_id: account.id, actor: account.email });
    return 'recovery_code';
  }
  const step = acceptedStep(open(keys.box, account.id, account.totp_secret), account.email, code, ctx.now());
  if (step === null) return null;
  // Compare-and-set: of two sign-ins with one code, one wins.
  const claimed = await ctx.db
    .updateTable('accounts')
    .set({ totp_last_step: step })
    .where('id', '=', account.id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n ? 'totp' : null;
}

/** The time step `code` belongs to, within the window around `now`; null when it matches none. */
export function acceptedStep(secretBase32: string, label: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(Secret.fromBase32(secretBase32), label).validate({ token, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? null : Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}
