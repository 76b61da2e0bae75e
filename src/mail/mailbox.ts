import addressparser from 'nodemailer/lib/addressparser';

/**
 * The one mailbox that a header's value names (`notices@shop.example`, or `"Shop" <notices@shop.example>`),
 * as written, or null when it names none, a group, or several. Nodemailer's parser, which the
 * messages are written with.
 */
export function singleMailbox(value: string): { name: string; address: string } | null {
  const parsed = addressparser(value);
  const mailbox = parsed.length === 1 ? parsed[0] : undefined;
  return mailbox?.address ? { name: mailbox.name, address: mailbox.address } : null;
}
