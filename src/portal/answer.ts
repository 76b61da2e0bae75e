import type { Context } from '../context.ts';
import { executePrepared } from '../db/index.ts';
import { sendSingleMessage } from '../delivery/index.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { invalidInput } from '../lib/errors.ts';
import { keyedHash } from '../lib/keyed-hash.ts';
import { loadSecret } from '../lib/secret.ts';
import { SWEEP_EVERY_MS, sweepDue } from '../lib/sweep.ts';
import { answerIncident, codeSubjectHash, generateCode, keptTemplates, renderAnswer, type RenderedNotice, type VerificationCode } from '../notices/index.ts';
import { shopName } from './pages.ts';
import type { LookupRequest } from './lookup.ts';
import { PORTAL_WORDS } from './words.ts';

/** Count rows older than this count for nothing: no window is longer than a day. */
const COUNTS_KEPT_MS = 86_400_000;

/**
 * The incidents "Was I affected?" answers about: those the shop has told its customers about,
 * i.e. with at least one notice sent. The one place that rule is written.
 */
function answerable(db: Context['db']) {
  return db
    .selectFrom('incidents')
    .select('id')
    .where((eb) => eb.exists(eb.selectFrom('notices').select('notices.subject').whereRef('notices.incident_id', '=', 'incidents.id').where('notices.state', '=', 'sent')));
}

/** The answerable incidents' ids, in order. */
export async function answerableIncidents(ctx: Pick<Context, 'db'>): Promise<string[]> {
  return (await answerable(ctx.db).orderBy('id').execute()).map((row) => row.id);
}

/**
 * Answers one lookup, in the job that the request queued: unless the address had an answer in
 * the last portal.lookup_answer_hours, mails it either what each answerable incident exposed of
 * it (from its notice) or that it was not affected, with a fresh code that /verify recognises.
 * Returns only whether a message went out; nothing is logged. A job taken over after a crash
 * sends its own answer again (at least once); a failed send frees the address to ask again.
 */
export async function answerLookup(ctx: Context, jobId: string, request: LookupRequest, signal?: AbortSignal): Promise<{ answered: boolean }> {
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const now = ctx.now();
  await forgetOldLookups(ctx, now);
  const addressHash = keyedHash(secret, 'tocsin/portal-lookup-address', request.email);
  if (!(await claimAnswer(ctx, addressHash, jobId, now))) return { answered: false };
  try {
    const notices = await executePrepared(
      ctx.db,
      'portal_answer_notices',
      ctx.db.selectFrom('notices').select(['incident_id', 'variant', 'vars']).where('subject', '=', request.email).where('incident_id', 'in', answerable(ctx.db)).orderBy('incident_id'),
    );
    await sendVerifiableLetter(ctx, { to: request.email, locale: request.locale, name: `answer.${jobId}` }, (common) =>
      renderAnswer({
        ...common,
        locale: request.locale,
        affected: notices.length > 0,
        incidents: notices.map((notice) => answerIncident(notice, keptTemplates(ctx.dataDir, notice.incident_id, now), request.locale, common.verification_code)),
      }), signal);
    return { answered: true };
  } catch (error) {
    // Not sent: the address may ask again.
    if (!signal?.aborted) await ctx.db.deleteFrom('portal_answered').where('address_hash', '=', addressHash).where('job_id', '=', jobId).execute();
    throw error;
  }
}

/** What every letter that /verify recognises shows, whatever else it says. */
export interface VerifiableLetterBasics {
  /** The shop as the portal names it, in the letter's language. */
  shop: string;
  verification_code: VerificationCode;
  verify_address: string;
}

/**
 * Sends one letter the portal's verify page recognises (an answer to "Was I affected?", the
 * phishing desk's reply to a reporter): a fresh code for the address, recorded with the letter's
 * subject before it goes, so that any letter that arrives is one /verify knows, and forgotten when
 * it did not go. Sent as notices are: from the configured sender, DKIM-signed, retried on a
 * transient failure. `letter.locale` is one the portal speaks.
 */
export async function sendVerifiableLetter(
  ctx: Context,
  letter: { to: string; locale: string; name: string },
  render: (basics: VerifiableLetterBasics) => RenderedNotice,
  signal?: AbortSignal,
): Promise<void> {
  const code = generateCode();
  const codeHash = codeSubjectHash(code, normalizeEmail(letter.to) ?? letter.to, loadSecret(ctx.dataDir, ctx.config));
  const rendered = render({ shop: shopName(ctx.config, PORTAL_WORDS.get(letter.locale)!), verification_code: code, verify_address: verifyAddress(ctx) });
  await executePrepared(ctx.db, 'portal_answer_sent', ctx.db.insertInto('portal_answers').values({ code_subject_hash: codeHash, sent_at: ctx.now().toISOString(), subject: rendered.subject, locale: letter.locale }));
  try {
    await sendSingleMessage(ctx, { to: letter.to, ...rendered, locale: letter.locale, name: letter.name }, { signal });
  } catch (error) {
    // Not sent: the code reached no one.
    if (!signal?.aborted) await ctx.db.deleteFrom('portal_answers').where('code_subject_hash', '=', codeHash).execute();
    throw error;
  }
}

/**
 * Takes the address's one answer for the period: true when no other job answered it since the
 * cutoff (or this very job did, before a crash). One statement, so two jobs for one address
 * never both send.
 */
async function claimAnswer(ctx: Context, addressHash: string, jobId: string, now: Date): Promise<boolean> {
  const cutoff = new Date(now.getTime() - ctx.config.portal.lookup_answer_hours * 3_600_000).toISOString();
  const claim = ctx.db
    .insertInto('portal_answered')
    .values({ address_hash: addressHash, answered_at: now.toISOString(), job_id: jobId })
    .onConflict((conflict) =>
      conflict
        .column('address_hash')
        .doUpdateSet((eb) => ({ answered_at: eb.ref('excluded.answered_at'), job_id: eb.ref('excluded.job_id') }))
        .where((eb) => eb.or([eb('portal_answered.answered_at', '<=', cutoff), eb('portal_answered.job_id', '=', jobId)])),
    )
    .returning('address_hash');
  // Prepared, as each of an answer's statements: a rush of lookups is answered many times a second.
  return (await executePrepared(ctx.db, 'portal_answer_claim', claim)).length > 0;
}

/** Answered addresses past their period and request counts past any window hold keyed hashes for nothing: dropped at most once a minute (claimAnswer heeds the period itself). */
async function forgetOldLookups(ctx: Context, now: Date): Promise<void> {
  if (!sweepDue(ctx.db, 'portal_lookups', now, SWEEP_EVERY_MS)) return;
  const cutoff = new Date(now.getTime() - ctx.config.portal.lookup_answer_hours * 3_600_000).toISOString();
  await ctx.db.deleteFrom('portal_answered').where('answered_at', '<=', cutoff).execute();
  await ctx.db.deleteFrom('portal_lookup_counts').where('window_start', '<', new Date(now.getTime() - COUNTS_KEPT_MS).toISOString()).execute();
}

/** Where the answer tells its reader to check it, as notices do by default: the shop's address as customers type it, then /verify. */
function verifyAddress(ctx: Pick<Context, 'config'>): string {
  const shop = ctx.config.shop.domains[0] ?? ctx.config.public_url?.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!shop) throw invalidInput('NO_SHOP_ADDRESS', "say how customers type the shop, which the answer's check names: shop.domains in the configuration");
  return `${shop}/verify`;
}
