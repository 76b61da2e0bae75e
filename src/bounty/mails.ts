import { randomUUID } from 'node:crypto';
import type { Context } from '../context.ts';
import { issueResearcherLink } from '../accounts/index.ts';
import { sendSingleMessage } from '../delivery/index.ts';
import { reasonOf } from '../lib/errors.ts';
import { BOUNTY_WORDS, pickLocale, PORTAL_WORDS } from '../portal/index.ts';
import { bountyOf, bountyUrls } from './programme.ts';

/** What researchers are mailed: the link that verifies their address (or word that they have an account), a password reset link, each change of their reports, their awards and disclosures. */
export const MAIL_KINDS = ['verify', 'registered', 'reset', 'report_received', 'state_changed', 'team_comment', 'award', 'award_paid', 'disclosure_requested', 'disclosed'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export type MailParams = Record<string, string>;

/** A mail is tried this many times (each with the delivery path's own retries) before it is given up and logged. */
const MAX_ATTEMPTS = 5;
/** How long a sender holds a mail it took: another sender takes it over after. */
const CLAIM_MS = 5 * 60_000;
/** A mail that failed waits this long times its tries before the next. */
const RETRY_AFTER_MS = 60_000;

/**
 * Queues a mail to a researcher, in the transaction of the change it tells of (ctx.db may be one).
 * A report sent by email that no researcher has claimed (`researcherId` null) mails no one: its sender's address is not kept.
 */
export async function queueResearcherMail(ctx: Pick<Context, 'db' | 'now'>, researcherId: string | null, kind: MailKind, params: MailParams = {}): Promise<void> {
  if (researcherId === null) return;
  await ctx.db.insertInto('bounty_mails').values({ id: randomUUID(), researcher_id: researcherId, kind, params: JSON.stringify(params), created_at: ctx.now().toISOString(), claimed_until: null, attempts: 0, sent_at: null }).execute();
}

/** Fills `{name}` placeholders (a mail's words, a page's); what a researcher wrote (a title) goes only into bodies, never a subject. */
export function fillWords(text: string, values: MailParams): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** An award's `amount` and `currency` as `{money}`, written as the researcher's language writes sums. */
function moneyWords(locale: string, values: MailParams): MailParams {
  if (values.amount === undefined || values.currency === undefined) return {};
  return { money: new Intl.NumberFormat(locale, { style: 'currency', currency: values.currency, maximumFractionDigits: 0 }).format(Number(values.amount)) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A mail in the researcher's language: subject, text and the same text as escaped HTML paragraphs. */
export function renderResearcherMail(locale: string, kind: MailKind, values: MailParams): { subject: string; text: string; html: string } {
  const words = BOUNTY_WORDS.get(pickLocale(locale, undefined))!;
  const mail = words.mail;
  const states = words.states;
  const all = { ...values, state: states[values.state] ?? values.state ?? '', original_state: states[values.original_state] ?? values.original_state ?? '', ...moneyWords(locale, values) };
  const key = kind === 'report_received' ? 'received' : kind === 'state_changed' ? 'state' : kind === 'team_comment' ? 'comment' : kind;
  const paragraphs = [fillWords(mail[`${key}_text`], all), ...(kind === 'state_changed' && values.original ? [fillWords(mail.duplicate_text, all)] : []), fillWords(mail.signoff, all)];
  return paragraphMail(locale, fillWords(mail[`${key}_subject`], all), paragraphs);
}

/** A mail of plain paragraphs: its text, and the same text as escaped HTML paragraphs. */
export function paragraphMail(locale: string, subject: string, paragraphs: string[]): { subject: string; text: string; html: string } {
  return {
    subject,
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html><html lang="${escapeHtml(locale)}"><body>${paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('')}</body></html>`,
  };
}

/**
 * Sends the queued mails through the delivery path (the configured sender, DKIM key and
 * transport): each one taken by one sender at a time, marked sent once the server accepted it,
 * tried again by a later round after a failure (a minute per try so far), given up after MAX_ATTEMPTS tries. A verification or reset mail gets its link now (only its keyed hash
 * is kept). Returns how many were sent and how many failed this time.
 */
export async function sendBountyMails(ctx: Context, signal?: AbortSignal): Promise<{ sent: number; failed: number }> {
  const bounty = bountyOf(ctx.config);
  const urls = bountyUrls(ctx.config);
  const base = urls.policy;
  let sent = 0;
  let failed = 0;
  for (;;) {
    signal?.throwIfAborted();
    const now = ctx.now().toISOString();
    const next = await ctx.db
      .selectFrom('bounty_mails')
      .innerJoin('bounty_researchers', 'bounty_researchers.id', 'bounty_mails.researcher_id')
      .select(['bounty_mails.id', 'bounty_mails.kind', 'bounty_mails.params', 'bounty_mails.attempts', 'bounty_researchers.id as researcher_id', 'bounty_researchers.email', 'bounty_researchers.locale'])
      .where('bounty_mails.sent_at', 'is', null)
      .where('bounty_mails.attempts', '<', MAX_ATTEMPTS)
      .where((eb) => eb.or([eb('bounty_mails.claimed_until', 'is', null), eb('bounty_mails.claimed_until', '<', now)]))
      .orderBy('bounty_mails.created_at')
      .limit(1)
      .executeTakeFirst();
    if (!next) return { sent, failed };
    const claimed = await ctx.db
      .updateTable('bounty_mails')
      .set({ claimed_until: new Date(ctx.now().getTime() + CLAIM_MS).toISOString(), attempts: next.attempts + 1 })
      .where('id', '=', next.id)
      .where('attempts', '=', next.attempts)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) continue;
    try {
      const params = JSON.parse(next.params) as MailParams;
      const link =
        next.kind === 'verify' || next.kind === 'reset'
          ? `${base}/${next.kind === 'verify' ? 'verify' : 'reset/confirm'}?token=${await issueResearcherLink(ctx, next.researcher_id, next.kind)}`
          : params.reference
            ? `${base}/reports/${params.reference}`
            : `${base}/sign-in`;
      const shop = ctx.config.shop.name ?? ctx.config.shop.domains[0] ?? (PORTAL_WORDS.get(pickLocale(next.locale, undefined))!.site as Record<string, string>).name_fallback;
      const days = String(bounty.response_targets.first_response_days);
      const message = renderResearcherMail(next.locale, next.kind as MailKind, { ...params, link, shop, days });
      await sendSingleMessage(ctx, { to: next.email, ...message, locale: next.locale, name: `bounty.${next.id}` }, { signal });
      await ctx.db.updateTable('bounty_mails').set({ sent_at: ctx.now().toISOString(), claimed_until: null }).where('id', '=', next.id).execute();
      sent++;
    } catch (error) {
      if (signal?.aborted) throw error;
      failed++;
      // Held back a minute per try so far, then tried by a later round (given up after MAX_ATTEMPTS); logged with the reason, never the address.
      await ctx.db
        .updateTable('bounty_mails')
        .set({ claimed_until: new Date(ctx.now().getTime() + (next.attempts + 1) * RETRY_AFTER_MS).toISOString() })
        .where('id', '=', next.id)
        .execute();
      ctx.logger.warn({ mail: next.id, kind: next.kind, attempt: next.attempts + 1, reason: reasonOf(error) }, 'a mail to a researcher was not sent');
    }
  }
}
