/**
 * The reporter's reply: once a report has its verdict, whoever left an address gets it, in their
 * language, as a letter the portal's verify page recognises (sendVerifiableLetter: the delivery
 * engine's sender, DKIM key and retries, as the portal's answers). The address is the one left on
 * the portal's form, or for the reporting mailboxes the forwarder's: a message that reached the
 * mailbox as itself (no forward) is answered by nobody, since its sender is the phisher or
 * someone it impersonates. An address gets one reply per portal.lookup_answer_hours, whatever
 * it reported: the form takes any address, and the reply must not make the shop's sender a way
 * to flood a mailbox. Once sent, or not to be sent, the address is dropped from the report.
 */
import type { Context } from '../context.ts';
import { mailboxKey, normalizeEmail } from '../lib/email-address.ts';
import { keyedHash } from '../lib/keyed-hash.ts';
import { loadSecret } from '../lib/secret.ts';
import { renderPhishingReply } from '../notices/index.ts';
import { claimAnswers, pickLocale, releaseAnswers, sendVerifiableLetter } from '../portal/index.ts';
import type { Analysis } from './analyze.ts';

/** Where a reporting mailbox's messages come from: their forwarder is the reporter. */
const MAILBOX_INTAKES: readonly string[] = ['smtp', 'imap'];
/** Enough of a message to hold its header. */
const HEADER_BYTES = 64 * 1024;

/** The language a mail program declared for what the reporter wrote: Content-Language of the forward's header. */
function contentLanguage(message: Uint8Array): string | undefined {
  const head = Buffer.from(message.buffer, message.byteOffset, Math.min(message.byteLength, HEADER_BYTES)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  return /^content-language:[ \t]*([^\r\n]*)/im.exec(end < 0 ? head : head.slice(0, end))?.[1];
}

/**
 * Sends the reply for one analysed report unless it has none to send (no address, replied
 * already, or the address had its reply this period); returns whether it went out. At least
 * once: a job stopped between the send and the record sends it again when it runs again.
 */
export async function replyToReporter(ctx: Context, reference: string, analysis: Analysis, signal?: AbortSignal): Promise<{ replied: boolean }> {
  const report = await ctx.db.selectFrom('phishing_reports').select(['reply_to', 'received_as', 'locale', 'replied_at', 'message']).where('reference', '=', reference).executeTakeFirst();
  if (!report || report.replied_at !== null) return { replied: false };
  const forwarder = MAILBOX_INTAKES.includes(report.received_as) && analysis.forward.kind !== 'none' ? analysis.forward.forwarder : null;
  const to = report.reply_to ?? (forwarder === null ? null : normalizeEmail(forwarder, { caseSensitiveLocalPart: true }));
  if (to === null) return { replied: false };
  // Anyone may type anyone's address on the form, or forge a forward: one reply per address and period, as lookups get one answer.
  const claim = { addressHash: keyedHash(loadSecret(ctx.dataDir, ctx.config), 'tocsin/phishing-reply-address', mailboxKey(normalizeEmail(to) ?? to)), jobId: `report ${reference}` };
  if ((await claimAnswers(ctx, [claim], ctx.now())).size === 0) {
    await ctx.db.updateTable('phishing_reports').set({ reply_to: null }).where('reference', '=', reference).execute();
    return { replied: false };
  }
  const locale = pickLocale(report.locale ?? undefined, contentLanguage(report.message));
  try {
    await sendVerifiableLetter(
      ctx,
      { to, locale, name: `phishing-reply.${reference}`, render: (basics) => renderPhishingReply({ ...basics, locale, reference, verdict: analysis.verdict, inline_forward: analysis.forward.kind === 'inline' }) },
      signal,
    );
  } catch (error) {
    // Not sent: the address may be replied to again.
    if (!signal?.aborted) await releaseAnswers(ctx, [claim]);
    throw error;
  }
  await ctx.db.updateTable('phishing_reports').set({ replied_at: ctx.now().toISOString(), reply_to: null }).where('reference', '=', reference).execute();
  return { replied: true };
}
