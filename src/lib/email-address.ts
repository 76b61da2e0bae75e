import { domainToASCII } from 'node:url';
import { CONTROL_CHARACTER } from './control-characters.ts';

/**
 * A local part as RFC 5321 (dot-atom) and RFC 6531 (UTF-8) allow it: atoms of ASCII letters,
 * digits and `!#$%&'*+-/=?^_`{|}~`, or of non-ASCII characters, joined by single dots. Quoted
 * local parts (`"a b"@…`), valid but not seen in shop exports, are refused with the rest.
 */
const LOCAL_PART = /^[\w!#$%&'*+\-/=?^`{|}~\u{80}-\u{10ffff}]+(?:\.[\w!#$%&'*+\-/=?^`{|}~\u{80}-\u{10ffff}]+)*$/u;
/** Of the non-ASCII characters, none that is invisible or not a character: controls, format characters, surrogates, unassigned and private-use code points, spaces and separators. */
const NOT_IN_LOCAL_PART = /[\p{C}\p{Z}]/u;
/** A host name as SMTP needs it: labels of letters, digits and inner hyphens, the last one not all digits. */
const MAX_DOMAIN = 253;
const ASCII_DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?![0-9]+$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The identity of a subject: one person, however their email was typed across orders.
 * Trimmed, Unicode NFC, domain lower-cased and converted to ASCII (IDNA), local part
 * lower-cased unless the shop says its mail system treats it case-sensitively.
 * Returns null when the value is not a mailbox a notice can be sent to: an RFC 5321 one, or an
 * RFC 6531 one with a UTF-8 local part. A control character anywhere in the value (a line
 * break, an escape, a bidirectional override) makes it invalid, even where trimming would
 * have removed it: such a value was not typed by a customer.
 */
export function normalizeEmail(raw: string, options: { caseSensitiveLocalPart?: boolean } = {}): string | null {
  if (CONTROL_CHARACTER.test(raw)) return null;
  const value = raw.trim().normalize('NFC');
  const at = value.lastIndexOf('@');
  if (at <= 0) return null;
  const local = options.caseSensitiveLocalPart ? value.slice(0, at) : value.slice(0, at).toLowerCase();
  const localBytes = Buffer.byteLength(local);
  if (localBytes > 64 || !LOCAL_PART.test(local) || NOT_IN_LOCAL_PART.test(local)) return null;
  // Its ASCII form is never shorter than it is: a longer domain is refused before the costly
  // conversion, and never fills the cache (distinct 1 MB domains in an export would hold gigabytes).
  if (value.length - at - 1 > MAX_DOMAIN) return null;
  const domain = asciiDomain(value.slice(at + 1).toLowerCase());
  // RFC 5321 4.5.3.1: a path is at most 256 octets, angle brackets included.
  if (localBytes + 1 + domain.length > 254 || !ASCII_DOMAIN.test(domain)) return null;
  return `${local}@${domain}`;
}

/**
 * The mailbox a normalised address most likely reaches, for limits per mailbox: its local part
 * cut at the first `+` (subaddressing, RFC 5233: `ana+shop@` reaches `ana@` at most providers).
 * Never an address to send to: a limit keyed on it only holds more variants of one together.
 */
export function mailboxKey(normalised: string): string {
  const at = normalised.lastIndexOf('@');
  const plus = normalised.indexOf('+');
  return plus > 0 && plus < at ? normalised.slice(0, plus) + normalised.slice(at) : normalised;
}

/** domainToASCII is the costly step, and a shop's customers share few domains: remember them, boundedly. */
const asciiDomains = new Map<string, string>();
const ASCII_DOMAINS_KEPT = 10_000;

function asciiDomain(domain: string): string {
  let ascii = asciiDomains.get(domain);
  if (ascii === undefined) {
    ascii = domainToASCII(domain);
    if (asciiDomains.size === ASCII_DOMAINS_KEPT) asciiDomains.clear();
    asciiDomains.set(domain, ascii);
  }
  return ascii;
}
