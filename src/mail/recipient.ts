import { normalizeEmail } from '../lib/email-address.ts';

/**
 * The address to write to: the local part as the shop has it (some mail systems honour its
 * case), in NFC; the domain lower case and ASCII (IDNA), as SMTP needs it. Null when it is not a
 * mailbox normalizeEmail accepts (a database imported before the rule was strict may hold such
 * addresses): a notice never goes there.
 */
export function recipientAddress(email: string): string | null {
  return normalizeEmail(email, { caseSensitiveLocalPart: true });
}

/** Why a notice to an address recipientAddress refuses is not sent, as its last reply. */
export const INVALID_RECIPIENT = 'not sent: the address is not a valid mailbox (it holds control characters or characters an address cannot have); reach this person by letter';

/** The recipient's domain, which per-domain throttles go by. */
export function domainOf(subject: string): string {
  return subject.slice(subject.lastIndexOf('@') + 1);
}
