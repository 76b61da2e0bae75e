import { createHash } from 'node:crypto';
import { addressThrottleKey } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import type { PhishingReportsTable } from '../db/index.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { randomReference } from '../lib/reference.ts';
import { countInWindow } from './windowed-count.ts';

/** A suspicious message as it came: its bytes, how it was sent, the address for an answer as typed (empty: none) and the language to answer in. */
export interface ReportInput {
  message: Buffer;
  received_as: PhishingReportsTable['received_as'];
  reply_to?: string;
  locale?: string;
}

export function reportTooLarge(limit: number): TocsinError {
  return new TocsinError('REPORT_TOO_LARGE', `the message is larger than this portal takes (${limit} bytes, portal.report_limit); nothing was kept`, { kind: 'too_large' });
}

/**
 * Keeps a reported message for the phishing desk, as opaque bytes with their size and SHA-256:
 * nothing in it is parsed, rendered or fetched here. Refuses an empty message (NO_MESSAGE), one
 * over portal.report_limit (REPORT_TOO_LARGE) and a reply address that is not one
 * (BAD_REPLY_ADDRESS: a line break, a second address). Returns the reference to show.
 */
export async function receiveReport(ctx: Context, input: ReportInput): Promise<{ reference: string }> {
  if (input.message.byteLength > ctx.config.portal.report_limit) throw reportTooLarge(ctx.config.portal.report_limit);
  if (input.message.toString('latin1').trim() === '') throw invalidInput('NO_MESSAGE', 'the report holds no message: send the .eml file, a message/rfc822 body, or the pasted source');
  const given = input.reply_to?.trim() ?? '';
  const replyTo = given === '' ? null : normalizeEmail(given, { caseSensitiveLocalPart: true });
  if (replyTo === null && given !== '') throw invalidInput('BAD_REPLY_ADDRESS', 'reply_to: not an email address; give one address, or none');
  return keepReport(ctx, input.message, input.received_as, replyTo, input.locale);
}

/**
 * Counts a report from `client` (the portal's visitor, the SMTP listener's peer) against
 * portal.report_address, in the caller's transaction: past the limit, THROTTLED and nothing
 * counted. Each report costs the desk an analysis with DNS lookups; one address must not queue
 * thousands.
 */
export async function countReportFrom(ctx: Context, client: string): Promise<void> {
  await countInWindow(ctx.db, ctx.dialect, `report:${addressThrottleKey(client)}`, ctx.config.portal.report_address, ctx.now());
}

/** Stores a message as a report, unchecked (the phishing desk's import and mailboxes keep any bytes, to give them a verdict). */
export async function keepReport(ctx: Context, message: Buffer, receivedAs: PhishingReportsTable['received_as'], replyTo: string | null, locale?: string): Promise<{ reference: string }> {
  // 60 random bits: what the reporter is shown and the desk files it under.
  const reference = randomReference('R', 3);
  await ctx.db
    .insertInto('phishing_reports')
    .values({
      reference,
      received_at: ctx.now().toISOString(),
      received_as: receivedAs,
      size: message.byteLength,
      sha256: createHash('sha256').update(message).digest('hex'),
      reply_to: replyTo,
      message,
      locale: locale ?? null,
    })
    .execute();
  return { reference };
}
