import type { NoticesTable } from '../db/index.ts';
import { composeNotice, type IncidentTemplates } from '../notices/index.ts';
import { noticeMessageId } from './message-id.ts';
import { buildMessage, type Mailbox, recipientAddress } from '../mail/index.ts';

/** What every message of a campaign shares. */
export interface MessageSender {
  from: Mailbox;
  fromDomain: string;
  replyTo: string | null;
}

/** The message, and the HTML part as rendered, for a preview to show as a page. */
export type NoticeMessage = { to: string; messageId: string; raw: Buffer; subjectLine: string; text: string; html: string } | { refused: true };

/**
 * One notice as the message `send` hands over, unsigned: `send` and `notices preview` both make
 * it here, so a preview shows the bytes that go out. Refused when the notice's address is not a
 * mailbox (see recipientAddress).
 */
export function noticeMessage(
  notice: Pick<NoticesTable, 'incident_id' | 'subject' | 'seq' | 'email' | 'locale' | 'variant' | 'vars'>,
  templates: Pick<IncidentTemplates, 'sets'>,
  secret: Uint8Array,
  sender: MessageSender,
  date: Date,
): NoticeMessage {
  const to = recipientAddress(notice.email);
  if (to === null) return { refused: true };
  const rendered = composeNotice(notice, templates, secret);
  const messageId = noticeMessageId(secret, notice, sender.fromDomain);
  return { to, messageId, raw: buildMessage({ ...rendered, from: sender.from, replyTo: sender.replyTo, to, messageId, date, locale: notice.locale }), subjectLine: rendered.subject, text: rendered.text, html: rendered.html };
}
