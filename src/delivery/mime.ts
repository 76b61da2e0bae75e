import { createHash } from 'node:crypto';
import { encodeWord, encodeWords, foldLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import { encodeQuotedPrintable } from './quoted-printable.ts';

export interface Mailbox {
  /** The display name; empty for a bare address. */
  name: string;
  address: string;
}

export interface OutgoingNotice {
  from: Mailbox;
  /** Where answers go: the incident's contact point, a person, rather than the sending address. */
  replyTo: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date: Date;
  /** The notice's language, for Content-Language. */
  locale: string;
}

/**
 * One notice as an RFC 5322 message: multipart/alternative with a text and an HTML part, both
 * UTF-8 in quoted-printable, every line CRLF-terminated and 7-bit, as DKIM signs and SMTP
 * carries it. Built by hand rather than with Nodemailer's streaming composer, which costs more
 * than rendering the notice does.
 */
export function buildMessage(notice: OutgoingNotice): Buffer {
  // "=_" cannot occur in quoted-printable text, so the boundary never meets a part's content.
  const boundary = `=_tocsin_${createHash('sha256').update(notice.messageId).digest('hex').slice(0, 24)}`;
  const headers = [
    foldLines(`From: ${formatMailbox(notice.from)}`, 76),
    ...(notice.replyTo ? [`Reply-To: ${notice.replyTo}`] : []),
    `To: ${notice.to}`,
    foldLines(`Subject: ${encodeWords(notice.subject, 'Q', 52)}`, 76),
    `Date: ${formatDate(notice.date)}`,
    `Message-ID: ${notice.messageId}`,
    'MIME-Version: 1.0',
    `Content-Language: ${notice.locale}`,
    // A notice is not a conversation: vacation responders and the like stay silent (RFC 3834).
    'Auto-Submitted: auto-generated',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  const line = (text: string) => Buffer.from(`${text}\r\n`, 'latin1');
  return Buffer.concat([
    line(headers.join('\r\n')),
    line(''),
    line(`--${boundary}`),
    ...textPart('text/plain', notice.text),
    line(`--${boundary}`),
    ...textPart('text/html', notice.html),
    line(`--${boundary}--`),
  ]);
}

function textPart(type: string, content: string): Buffer[] {
  return [Buffer.from(`Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`, 'latin1'), encodeQuotedPrintable(content), Buffer.from('\r\n', 'latin1')];
}

/** `Name <address>`, the name quoted or encoded as it needs: a controller may be "Shop, Inc." or "Boutique Éclair". */
export function formatMailbox({ name, address }: Mailbox): string {
  if (!name) return address;
  if (!isPlainText(name)) return `${encodeWord(name, 'Q', 52)} <${address}>`;
  return /^[\w !#$%&'*+\-/=?^`{|}~]+$/.test(name) ? `${name} <${address}>` : `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC: `Tue, 19 Nov 2019 09:30:00 +0000`. */
export function formatDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
