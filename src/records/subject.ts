import { domainToASCII } from 'node:url';

/**
 * The identity of a subject: one person, however their email was typed across orders.
 * Trimmed, Unicode NFC, domain lower-cased and converted to ASCII (IDNA), local part
 * lower-cased unless the shop says its mail system treats it case-sensitively.
 * Returns null when the value is not a plausible address.
 */
export function normalizeEmail(raw: string, options: { caseSensitiveLocalPart?: boolean } = {}): string | null {
  const value = raw.trim().normalize('NFC');
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return null;
  const local = value.slice(0, at);
  if (local.length > 64 || /[\s<>()\[\],;:"\\@]/.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return null;
  }
  const domain = asciiDomain(value.slice(at + 1).toLowerCase());
  if (domain === '' || !domain.includes('.') || domain.length > 253) return null;
  return `${options.caseSensitiveLocalPart ? local : local.toLowerCase()}@${domain}`;
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
