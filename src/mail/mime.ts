import { createHash } from 'node:crypto';
import { encodeWord, encodeWords, foldLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { singleLine } from '../lib/single-line.ts';
import { normalizeEmail } from '../lib/email-address.ts';
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
 * UTF-8 in quoted-printable, every line CRLF-terminated, as DKIM signs and SMTP carries it.
 * Every header goes through headerField, so nothing in a value can start another header or
 * line. The message is 7-bit unless an address has a UTF-8 local part: then that address is
 * written as UTF-8 (RFC 6532) and the message needs SMTPUTF8 (see needsSmtpUtf8). Built by hand
 * rather than with Nodemailer's streaming composer, which costs more than rendering the notice.
 */
export function buildMessage(notice: OutgoingNotice): Buffer {
  // "=_" cannot occur in quoted-printable text, so the boundary never meets a part's content.
  const boundary = `=_tocsin_${createHash('sha256').update(notice.messageId).digest('hex').slice(0, 24)}`;
  const headers = [
    headerField('From', formatMailbox(notice.from)),
    ...(notice.replyTo ? [headerField('Reply-To', formatMailbox({ name: '', address: notice.replyTo }))] : []),
    headerField('To', formatMailbox({ name: '', address: notice.to })),
    headerField('Subject', encodeWords(singleLine(notice.subject), 'Q', 52)),
    headerField('Date', formatDate(notice.date)),
    headerField('Message-ID', notice.messageId),
    'MIME-Version: 1.0',
    headerField('Content-Language', notice.locale),
    // A notice is not a conversation: vacation responders and the like stay silent (RFC 3834).
    'Auto-Submitted: auto-generated',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  const line = (text: string) => Buffer.from(`${text}\r\n`, 'utf8');
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

/**
 * One header field, folded at its spaces: the only way a header holding data is written. A value
 * that holds a control character (CR and LF among them) is refused rather than written, so
 * nothing can end the field and start another one.
 */
function headerField(name: string, value: string): string {
  if (CONTROL_CHARACTER.test(value)) throw new Error(`the ${name} header would hold a control character`);
  return foldLines(`${name}: ${value}`, 76);
}

function textPart(type: string, content: string): Buffer[] {
  return [Buffer.from(`Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`, 'utf8'), encodeQuotedPrintable(content), Buffer.from('\r\n', 'utf8')];
}

/**
 * `Name <address>`, the name quoted or encoded as it needs: a controller may be "Shop, Inc." or
 * "Boutique Éclair". Control characters in a name become spaces. The address must be one that
 * normalizeEmail accepts, and is written as it returns it: ASCII, or with a UTF-8 local part.
 */
export function formatMailbox({ name, address: given }: Mailbox): string {
  const address = normalizeEmail(given, { caseSensitiveLocalPart: true });
  if (address === null) throw new Error('not a mailbox a message can carry');
  const phrase = singleLine(name);
  if (!phrase) return address;
  if (!isPlainText(phrase)) return `${encodeWord(phrase, 'Q', 52)} <${address}>`;
  return /^[\w !#$%&'*+\-/=?^`{|}~]+$/.test(phrase) ? `${phrase} <${address}>` : `"${phrase.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** Whether a message's header holds UTF-8 (an address with a UTF-8 local part), which only an SMTPUTF8 server may carry (RFC 6531). */
export function needsSmtpUtf8(raw: Buffer): boolean {
  const headerEnd = raw.indexOf('\r\n\r\n');
  for (let i = 0; i < headerEnd; i++) if (raw[i] > 0x7f) return true;
  return false;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC: `Tue, 19 Nov 2019 09:30:00 +0000`. */
export function formatDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
