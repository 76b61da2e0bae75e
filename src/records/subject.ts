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
  const domain = domainToASCII(value.slice(at + 1).toLowerCase());
  if (domain === '' || !domain.includes('.') || domain.length > 253) return null;
  return `${options.caseSensitiveLocalPart ? local : local.toLowerCase()}@${domain}`;
}
