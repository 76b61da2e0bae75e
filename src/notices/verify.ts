import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { loadSecret } from '../lib/secret.ts';
import { codeSubjectHash, normalizeCode } from './verification-code.ts';

/**
 * The answer to "is this notice genuine?", in the wire's casing. `typo` says the code cannot be
 * any notice's code (wrong length, a symbol outside the alphabet, or a check symbol that does
 * not match): the reader should look again at what they typed. It is worked out from the code
 * alone, so it tells nothing about which notices exist.
 */
export type Verification =
  | { genuine: true; email: string; sent_at: string; incident_id: string; incident_title: string }
  | { genuine: false; typo: boolean };

/**
 * Whether a code and an address belong to a notice Tocsin sent. A well-formed code answers
 * only yes or no: a wrong address and a wrong code both read "no notice matches", so the answer
 * tells nothing about which part was right.
 */
export async function verifyNotice(ctx: Context, code: string, email: string): Promise<Verification> {
  const canonical = normalizeCode(code);
  if (!canonical) return { genuine: false, typo: true };
  const subject = normalizeEmail(email);
  if (!subject) return { genuine: false, typo: false };
  const hash = codeSubjectHash(canonical, subject, loadSecret(ctx.dataDir, ctx.config));
  const notice = await ctx.db
    .selectFrom('notices')
    .innerJoin('incidents', 'incidents.id', 'notices.incident_id')
    .select(['notices.email', 'notices.sent_at', 'notices.incident_id', 'incidents.title'])
    .where('notices.code_subject_hash', '=', hash)
    .where('notices.state', '=', 'sent')
    .executeTakeFirst();
  if (!notice?.sent_at) return { genuine: false, typo: false };
  return { genuine: true, email: notice.email, sent_at: notice.sent_at, incident_id: notice.incident_id, incident_title: notice.title };
}
