import type { Context } from '../context.ts';
import { executePrepared, type NoticeVariant } from '../db/index.ts';
import { sendSingleMessages } from '../delivery/index.ts';
import { mailboxKey, normalizeEmail } from '../lib/email-address.ts';
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

/** A lookup to answer: the job that the request queued, and what it asked. */
export interface QueuedLookup {
  jobId: string;
  request: LookupRequest;
}

/**
 * Answers lookups, in the jobs that the requests queued, run together (a statement for the batch
 * where each would make its own): unless the address had an answer in the last
 * portal.lookup_answer_hours, mails it either what each answerable incident exposed of it (from
 * its notice) or that it was not affected, with a fresh code that /verify recognises. Resolves,
 * once the batch's shared work is done, to each lookup's outcome as it comes, in their order:
 * only whether a message went out, or why it did not; nothing is logged. A job taken over after
 * a crash sends its own answer again (at least once); a failed send frees the address to ask again.
 */
export async function answerLookups(ctx: Context, lookups: readonly QueuedLookup[], signal?: AbortSignal): Promise<Promise<{ answered: boolean }>[]> {
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const now = ctx.now();
  await forgetOldLookups(ctx, now);
  // One answer a mailbox, however its address is varied (ana+1@, ana+2@…): else each variant would be another day's answer to the same mailbox.
  const asked = lookups.map((lookup) => ({ ...lookup, addressHash: keyedHash(secret, 'tocsin/portal-lookup-address', mailboxKey(lookup.request.email)) }));
  // An address asked twice in one batch is answered once, by its first job: as if the second had run after it.
  const firstOf = new Map<string, (typeof asked)[number]>();
  for (const lookup of asked) if (!firstOf.has(lookup.addressHash)) firstOf.set(lookup.addressHash, lookup);
  const claimed = await claimAnswers(ctx, [...firstOf.values()], now);
  const answering = asked.filter((lookup) => claimed.has(lookup.addressHash) && firstOf.get(lookup.addressHash) === lookup);
  // Not sent: the address may ask again.
  const free = (unsent: readonly (typeof asked)[number][]) => (signal?.aborted ? Promise.resolve() : releaseAnswers(ctx, unsent));
  let letters: Promise<void>[] = [];
  if (answering.length > 0) {
    try {
      const notices = await noticesOf(ctx, answering.map((lookup) => lookup.request.email));
      letters = await sendVerifiableLetters(
        ctx,
        answering.map(({ jobId, request }) => ({
          to: request.email,
          locale: request.locale,
          name: `answer.${jobId}`,
          render: (common) => {
            const theirs = notices.get(request.email) ?? [];
            return renderAnswer({
              ...common,
              locale: request.locale,
              affected: theirs.length > 0,
              incidents: theirs.map((notice) => answerIncident(notice, keptTemplates(ctx.dataDir, notice.incident_id, now), request.locale, common.verification_code)),
            });
          },
        })),
        signal,
      );
    } catch (error) {
      await free(answering);
      throw error;
    }
  }
  const sent = new Map(answering.map((lookup, k) => [lookup.jobId, { lookup, letter: letters[k] }]));
  return asked.map(async (lookup) => {
    const answer = sent.get(lookup.jobId);
    if (answer === undefined) return { answered: false };
    try {
      await answer.letter;
      return { answered: true };
    } catch (error) {
      await free([answer.lookup]);
      throw error;
    }
  });
}

/** What the answerable incidents' notices to these addresses hold, by address. */
async function noticesOf(ctx: Context, emails: readonly string[]): Promise<Map<string, { incident_id: string; variant: NoticeVariant; vars: string }[]>> {
  const rows = await executePrepared(
    ctx.db,
    `portal_answer_notices_${emails.length}`,
    ctx.db.selectFrom('notices').select(['subject', 'incident_id', 'variant', 'vars']).where('subject', 'in', emails).where('incident_id', 'in', answerable(ctx.db)).orderBy('incident_id'),
  );
  const byAddress = new Map<string, { incident_id: string; variant: NoticeVariant; vars: string }[]>();
  for (const { subject, ...notice } of rows) byAddress.set(subject, [...(byAddress.get(subject) ?? []), notice]);
  return byAddress;
}

/** What every letter that /verify recognises shows, whatever else it says. */
export interface VerifiableLetterBasics {
  /** The shop as the portal names it, in the letter's language. */
  shop: string;
  verification_code: VerificationCode;
  verify_address: string;
}

/** A letter /verify will recognise: to whom, in which of the portal's languages, what a transport may call it, and its words around the basics. */
export interface VerifiableLetter {
  to: string;
  locale: string;
  name: string;
  render: (basics: VerifiableLetterBasics) => RenderedNotice;
}

/**
 * Sends one letter the portal's verify page recognises (an answer to "Was I affected?", the
 * phishing desk's reply to a reporter): a fresh code for the address, recorded with the letter's
 * subject before it goes, so that any letter that arrives is one /verify knows, and forgotten when
 * it did not go. Sent as notices are: from the configured sender, DKIM-signed, retried on a
 * transient failure. `letter.locale` is one the portal speaks.
 */
export async function sendVerifiableLetter(ctx: Context, letter: VerifiableLetter, signal?: AbortSignal): Promise<void> {
  const [sent] = await sendVerifiableLetters(ctx, [letter], signal);
  await sent;
}

/**
 * The same for several letters: their codes recorded in one statement, then the letters sent
 * through one transport; resolves to each letter's own outcome as it comes, in their order.
 */
export async function sendVerifiableLetters(ctx: Context, letters: readonly VerifiableLetter[], signal?: AbortSignal): Promise<Promise<void>[]> {
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const sentAt = ctx.now().toISOString();
  const basics = { verify_address: verifyAddress(ctx) };
  const written = letters.map((letter) => {
    try {
      const code = generateCode();
      const rendered = letter.render({ ...basics, shop: shopName(ctx.config, PORTAL_WORDS.get(letter.locale)!), verification_code: code });
      return { letter, rendered, codeHash: codeSubjectHash(code, normalizeEmail(letter.to) ?? letter.to, secret) };
    } catch (error) {
      return { letter, error };
    }
  });
  const ready = written.filter((one): one is Extract<(typeof written)[number], { rendered: RenderedNotice }> => one.rendered !== undefined);
  if (ready.length === 0) return written.map((one) => Promise.reject(one.error));
  await executePrepared(
    ctx.db,
    `portal_answers_sent_${ready.length}`,
    ctx.db.insertInto('portal_answers').values(ready.map(({ letter, rendered, codeHash }) => ({ code_subject_hash: codeHash, sent_at: sentAt, subject: rendered.subject, locale: letter.locale }))),
  );
  const { sends } = sendSingleMessages(ctx, ready.map(({ letter, rendered }) => ({ to: letter.to, ...rendered, locale: letter.locale, name: letter.name })), { signal });
  const sending = new Map<(typeof written)[number], { codeHash: string; send: Promise<unknown> }>(ready.map((one, k) => [one, { codeHash: one.codeHash, send: sends[k] }]));
  return written.map(async (one) => {
    const sent = sending.get(one);
    if (sent === undefined) throw one.error;
    try {
      await sent.send;
    } catch (error) {
      // Not sent: the code reached no one.
      if (!signal?.aborted) await ctx.db.deleteFrom('portal_answers').where('code_subject_hash', '=', sent.codeHash).execute();
      throw error;
    }
  });
}

/**
 * A claim on an address's one answer for the period (portal.lookup_answer_hours): the address's
 * keyed hash, in a domain of its own for each kind of answer, and what claims it (the lookup's
 * job, or the report a reply answers).
 */
export interface AnswerClaim {
  addressHash: string;
  jobId: string;
}

/**
 * Takes each address's one answer for the period: those no other job answered since the cutoff
 * (or this very job did, before a crash). One statement, so two jobs for one address never both
 * send; each address once. Returns the address hashes taken.
 */
export async function claimAnswers(ctx: Context, lookups: readonly AnswerClaim[], now: Date): Promise<Set<string>> {
  const cutoff = new Date(now.getTime() - ctx.config.portal.lookup_answer_hours * 3_600_000).toISOString();
  const claim = ctx.db
    .insertInto('portal_answered')
    .values(lookups.map((lookup) => ({ address_hash: lookup.addressHash, answered_at: now.toISOString(), job_id: lookup.jobId })))
    .onConflict((conflict) =>
      conflict
        .column('address_hash')
        .doUpdateSet((eb) => ({ answered_at: eb.ref('excluded.answered_at'), job_id: eb.ref('excluded.job_id') }))
        .where((eb) => eb.or([eb('portal_answered.answered_at', '<=', cutoff), eb('portal_answered.job_id', '=', eb.ref('excluded.job_id'))])),
    )
    .returning('address_hash');
  // Prepared, as each of an answer's statements: a rush of lookups is answered many times a second. One text per number of addresses.
  return new Set((await executePrepared(ctx.db, `portal_answer_claim_${lookups.length}`, claim)).map((row) => row.address_hash));
}

/** Gives back claims whose answers did not go: their addresses may be answered again. */
export async function releaseAnswers(ctx: Pick<Context, 'db'>, claims: readonly AnswerClaim[]): Promise<void> {
  if (claims.length === 0) return;
  await ctx.db
    .deleteFrom('portal_answered')
    .where('address_hash', 'in', claims.map((claim) => claim.addressHash))
    .where('job_id', 'in', claims.map((claim) => claim.jobId))
    .execute();
}

/**
 * Answered addresses past their period and request counts past any window hold keyed hashes for
 * nothing: dropped at most once a minute (claimAnswers heeds the period itself). On PostgreSQL,
 * rows a claim or a count holds are skipped, left for the next sweep: a claim updates the very
 * rows this drops, and a delete that waited on it could deadlock with it (each locks its rows in
 * its own order).
 */
async function forgetOldLookups(ctx: Context, now: Date): Promise<void> {
  if (!sweepDue(ctx.db, 'portal_lookups', now, SWEEP_EVERY_MS)) return;
  const postgres = ctx.dialect === 'postgres';
  const cutoff = new Date(now.getTime() - ctx.config.portal.lookup_answer_hours * 3_600_000).toISOString();
  const answered = ctx.db.selectFrom('portal_answered').select('address_hash').where('answered_at', '<=', cutoff).$if(postgres, (query) => query.forUpdate().skipLocked());
  await ctx.db.deleteFrom('portal_answered').where('address_hash', 'in', answered).execute();
  const countsKeptFrom = new Date(now.getTime() - COUNTS_KEPT_MS).toISOString();
  const counted = ctx.db.selectFrom('portal_lookup_counts').select('key').where('window_start', '<', countsKeptFrom).$if(postgres, (query) => query.forUpdate().skipLocked());
  await ctx.db.deleteFrom('portal_lookup_counts').where('key', 'in', counted).execute();
}

/** Where the answer tells its reader to check it, as notices do by default: the shop's address as customers type it, then /verify. */
function verifyAddress(ctx: Pick<Context, 'config'>): string {
  const shop = ctx.config.shop.domains[0] ?? ctx.config.public_url?.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!shop) throw invalidInput('NO_SHOP_ADDRESS', "say how customers type the shop, which the answer's check names: shop.domains in the configuration");
  return `${shop}/verify`;
}
