/**
 * The address to write to: the local part as the shop has it (some mail systems honour its
 * case), the domain as the subject has it — lower case and ASCII (IDNA), as SMTP needs it.
 */
export function recipientAddress(email: string, subject: string): string {
  const local = email.trim();
  return `${local.slice(0, local.lastIndexOf('@'))}${subject.slice(subject.lastIndexOf('@'))}`;
}

/** The recipient's domain, which per-domain throttles go by. */
export function domainOf(subject: string): string {
  return subject.slice(subject.lastIndexOf('@') + 1);
}
