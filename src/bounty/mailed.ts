/**
 * Bug bounty reports sent by email to bounty.report_address, through the reporting mailbox (the
 * SMTP listener, or the IMAP mailbox the server polls). A message becomes a report without a
 * researcher: its Subject the title, its text body the description (HTML only as text, never
 * rendered), its attachments kept as a form's are (size, count, type told by their bytes). The
 * asset and weakness are unknown (UNKNOWN_ASSET, UNKNOWN_WEAKNESS) and there is no proposed
 * vector: the triager sets the vector. The sender is replied to in the programme's language (or
 * the message's Content-Language) with the reference and a one-use claim link; a signed-in
 * researcher who opens it takes the report into their account. The sender's address is kept only
 * until that reply is sent or given up; nothing of a message or an address is logged.
 */
import { createHash, randomUUID } from 'node:crypto';
import PostalMime, { type Address } from 'postal-mime';
import { claimTokenHash, newClaimToken } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import { sendSingleMessage } from '../delivery/index.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { reasonOf, TocsinError } from '../lib/errors.ts';
import { BOUNTY_WORDS, countReportFrom, pickLocale, PORTAL_WORDS } from '../portal/index.ts';
import { keepReportKeys } from './duplicates.ts';
import { fillWords, paragraphMail } from './mails.ts';
import { bountyOf, bountyUrls } from './programme.ts';
import { attachmentName, attachmentType, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from './report-rules.ts';
import { newReference, recordReportEvent } from './reports.ts';

/** What a report sent by email names as its asset and weakness until the triage team knows better (NVD's own CWE for "insufficient information"). */
export const UNKNOWN_ASSET = 'unknown (sent by email)';
export const UNKNOWN_WEAKNESS = 'NVD-CWE-noinfo';
/** The longest title and description kept, as the form's. */
const MAX_TITLE = 200;
const MAX_DESCRIPTION = 50_000;
/** A reply is tried this many times, a minute more apart each time, and then given up (and its address dropped). */
const MAX_REPLY_ATTEMPTS = 5;
const SENDING_MS = 5 * 60_000;
const RETRY_AFTER_MS = 60_000;

/** Whether a message to these recipients (the SMTP envelope's, or a polled message's To and Delivered-To) is a bug bounty report. */
export function forBountyAddress(config: Context['config'], recipients: readonly string[]): boolean {
  const address = config.bounty?.report_address;
  if (address === undefined) return false;
  const wanted = normalizeEmail(address);
  return recipients.some((recipient) => normalizeEmail(recipient) === wanted);
}

function mailboxes(addresses: Address | Address[] | undefined): string[] {
  const list = addresses === undefined ? [] : Array.isArray(addresses) ? addresses : [addresses];
  return list.flatMap((entry) => (entry.group ? entry.group : [entry])).map((entry) => entry.address ?? '');
}

/** The addresses a polled message was delivered to: its To, Cc and Delivered-To. */
export async function deliveredTo(message: Buffer): Promise<string[]> {
  const email = await PostalMime.parse(message, { attachmentEncoding: 'arraybuffer' });
  const delivered = email.headers.filter((header) => header.key === 'delivered-to').map((header) => header.value.trim());
  return [...mailboxes(email.to), ...mailboxes(email.cc), ...delivered];
}

/** Text as one line, or as paragraphs: no control characters but tabs and line ends. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
const paragraphs = (text: string) => text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();

/** An HTML-only message's words: tags out, nothing rendered. */
function htmlAsText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/li|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&amp;/gi, '&');
}

/**
 * Whom to reply to: Reply-To, else From; nobody for an automatic message (RFC 3834: Auto-Submitted,
 * a list's or bulk Precedence, or a bounce with no envelope sender), so that no reply loops.
 */
function replyAddress(email: Awaited<ReturnType<typeof PostalMime.parse>>, envelopeSender: string | null | undefined): string | null {
  const header = (key: string) => email.headers.find((one) => one.key === key)?.value.trim().toLowerCase();
  const auto = header('auto-submitted');
  if ((auto !== undefined && auto !== 'no') || /^(bulk|list|junk)$/.test(header('precedence') ?? '') || envelopeSender === '') return null;
  const candidate = mailboxes(email.replyTo)[0] ?? email.from?.address;
  return candidate ? normalizeEmail(candidate, { caseSensitiveLocalPart: true }) : null;
}

/**
 * Keeps a message sent to bounty.report_address as a bug bounty report with no researcher, and
 * its claim, whose reply the bounty round sends. A message from the internet names its `client`,
 * counted against portal.report_address as every report of the mailbox (THROTTLED past it, nothing
 * kept). `envelopeSender` is SMTP's MAIL FROM (empty for a bounce); `keepAlso` writes in the same
 * transaction (an IMAP mailbox's cursor). Attachments too large, past MAX_ATTACHMENTS or of a
 * type not taken are left out, and counted in the report's audit trail.
 */
export async function keepMailedReport(
  ctx: Context,
  message: Buffer,
  options: { client?: string; envelopeSender?: string | null; keepAlso?: (trx: Context) => Promise<void> } = {},
): Promise<{ reference: string }> {
  const bounty = bountyOf(ctx.config);
  const email = await PostalMime.parse(message, { attachmentEncoding: 'arraybuffer' });
  const title = oneLine(email.subject ?? '').slice(0, MAX_TITLE) || '(no subject)';
  const description = paragraphs(email.text ?? htmlAsText(email.html ?? '')).slice(0, MAX_DESCRIPTION) || '(no text)';
  const files: { id: string; filename: string; content_type: string; size: number; sha256: string; bytes: Buffer }[] = [];
  let leftOut = 0;
  for (const attachment of email.attachments) {
    const bytes = Buffer.from(attachment.content as ArrayBuffer);
    const type = bytes.byteLength <= MAX_ATTACHMENT_BYTES ? attachmentType(bytes) : null;
    if (type === null || files.length >= MAX_ATTACHMENTS) {
      leftOut++;
      continue;
    }
    files.push({ id: randomUUID(), filename: attachmentName(attachment.filename ?? ''), content_type: type, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), bytes });
  }
  const replyTo = replyAddress(email, options.envelopeSender);
  const declared = email.headers.find((header) => header.key === 'content-language')?.value;
  const locale = pickLocale(undefined, [declared, Object.keys(bounty.policy)[0]].filter(Boolean).join(', '));
  const reference = newReference();
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const within = { ...ctx, db: trx };
    if (options.client !== undefined) await countReportFrom(within, options.client);
    await options.keepAlso?.(within);
    await trx
      .insertInto('bounty_reports')
      .values({ reference, researcher_id: null, asset: UNKNOWN_ASSET, weakness: UNKNOWN_WEAKNESS, title, description, steps: '', impact: '', researcher_cvss: '', triager_cvss: null, state: 'new', duplicate_of: null, submitted_at: now, state_changed_at: now })
      .execute();
    await keepReportKeys(trx, reference, { title, description, steps: '', impact: '' });
    if (files.length > 0) await trx.insertInto('bounty_attachments').values(files.map((file) => ({ ...file, report_reference: reference }))).execute();
    await trx
      .insertInto('bounty_report_claims')
      .values({ report_reference: reference, reply_to: replyTo, locale, token_hash: null, attempts: 0, sending_until: null, replied_at: null, claimed_at: null, claimed_by: null, created_at: now })
      .execute();
    await recordReportEvent(trx, ctx, { reference, actor: 'email', event: 'submitted', to_state: 'new', details: { attachments: files.length, attachments_left_out: leftOut, replied_to: replyTo !== null } });
  });
  return { reference };
}

/**
 * Sends the replies to reports sent by email: each with the report's reference and a new claim
 * link (only its token's keyed hash is kept), taken by one sender at a time, tried again a minute
 * more later after each failure. Once sent, or given up after MAX_REPLY_ATTEMPTS tries, the
 * sender's address is dropped. Returns how many were sent and how many failed this time.
 */
export async function sendClaimReplies(ctx: Context, signal?: AbortSignal): Promise<{ sent: number; failed: number }> {
  const claimPage = `${bountyUrls(ctx.config).policy}/claim`;
  let sent = 0;
  let failed = 0;
  for (;;) {
    signal?.throwIfAborted();
    const now = ctx.now();
    const next = await ctx.db
      .selectFrom('bounty_report_claims')
      .innerJoin('bounty_reports', 'bounty_reports.reference', 'bounty_report_claims.report_reference')
      .select(['bounty_report_claims.report_reference as reference', 'bounty_report_claims.reply_to', 'bounty_report_claims.locale', 'bounty_report_claims.attempts', 'bounty_reports.title'])
      .where('bounty_report_claims.reply_to', 'is not', null)
      .where((eb) => eb.or([eb('bounty_report_claims.sending_until', 'is', null), eb('bounty_report_claims.sending_until', '<', now.toISOString())]))
      .orderBy('bounty_report_claims.created_at')
      .limit(1)
      .executeTakeFirst();
    if (!next || next.reply_to === null) return { sent, failed };
    const { token, hash } = newClaimToken(ctx);
    const taken = await ctx.db
      .updateTable('bounty_report_claims')
      .set({ sending_until: new Date(now.getTime() + SENDING_MS).toISOString(), attempts: next.attempts + 1, token_hash: hash })
      .where('report_reference', '=', next.reference)
      .where('attempts', '=', next.attempts)
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) continue;
    try {
      const shop = ctx.config.shop.name ?? ctx.config.shop.domains[0] ?? (PORTAL_WORDS.get(pickLocale(next.locale, undefined))!.site as Record<string, string>).name_fallback;
      const words = BOUNTY_WORDS.get(pickLocale(next.locale, undefined))!.mail;
      const values = { reference: next.reference, title: next.title, link: `${claimPage}#${token}`, shop };
      const mail = paragraphMail(next.locale, fillWords(words.claim_subject, values), [fillWords(words.claim_text, values), fillWords(words.signoff, values)]);
      await sendSingleMessage(ctx, { to: next.reply_to, ...mail, locale: next.locale, name: `bounty-claim.${next.reference}` }, { signal });
      await ctx.db.updateTable('bounty_report_claims').set({ reply_to: null, replied_at: ctx.now().toISOString(), sending_until: null }).where('report_reference', '=', next.reference).execute();
      sent++;
    } catch (error) {
      if (signal?.aborted) throw error;
      failed++;
      const givenUp = next.attempts + 1 >= MAX_REPLY_ATTEMPTS;
      await ctx.db
        .updateTable('bounty_report_claims')
        .set(givenUp ? { reply_to: null, sending_until: null } : { sending_until: new Date(ctx.now().getTime() + (next.attempts + 1) * RETRY_AFTER_MS).toISOString() })
        .where('report_reference', '=', next.reference)
        .execute();
      ctx.logger.warn({ report: next.reference, attempt: next.attempts + 1, given_up: givenUp, reason: reasonOf(error) }, 'the reply to a report sent by email was not sent');
    }
  }
}

/** A claim link that is unknown, was used already, or whose report is someone's already. */
function claimRefused(): TocsinError {
  return new TocsinError('CLAIM_LINK_USED', 'this claim link was used already or is not one we sent; a report sent by email is claimed once, by the first researcher who opens its link', { kind: 'conflict' });
}

/**
 * Takes a report sent by email into the researcher's account with the token of its claim link:
 * from then on it is among their reports and its mails go to them. A token works once, and a
 * report claimed once is never claimed again (CLAIM_LINK_USED). Audited as `claimed`.
 */
export async function claimMailedReport(ctx: Context, researcherId: string, token: string): Promise<{ reference: string }> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw claimRefused();
  const now = ctx.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const claim = await trx
      .updateTable('bounty_report_claims')
      .set({ claimed_at: now, claimed_by: researcherId })
      .where('token_hash', '=', claimTokenHash(ctx, token))
      .where('claimed_at', 'is', null)
      .returning('report_reference')
      .executeTakeFirst();
    if (!claim) throw claimRefused();
    const taken = await trx.updateTable('bounty_reports').set({ researcher_id: researcherId }).where('reference', '=', claim.report_reference).where('researcher_id', 'is', null).executeTakeFirst();
    if (taken.numUpdatedRows === 0n) throw claimRefused();
    await recordReportEvent(trx, ctx, { reference: claim.report_reference, actor: `researcher:${researcherId}`, event: 'claimed' });
    return { reference: claim.report_reference };
  });
}
