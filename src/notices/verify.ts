import type { Context } from '../context.ts';
import { normalizeEmail } from '../records/subject.ts';
import { loadSecret } from './secret.ts';
import { codeSubjectHash, normalizeCode } from './verification-code.ts';

export type Verification = { genuine: true; email: string; sentAt: string; incidentId: string; incidentTitle: string } | { genuine: false };

/**
 * Whether a code and an address belong to a notice Tocsin sent. Answers only yes or no: a
 * wrong address, a wrong code and a code with a typo all read "no notice matches", so the
 * answer tells nothing about which part was right.
 */
export async function verifyNotice(ctx: Context, code: string, email: string): Promise<Verification> {
  const canonical = normalizeCode(code);
  const subject = normalizeEmail(email);
  if (!canonical || !subject) return { genuine: false };
  const hash = codeSubjectHash(canonical, subject, loadSecret(ctx.dataDir));
  const notice = await ctx.db
    .selectFrom('notices')
    .innerJoin('incidents', 'incidents.id', 'notices.incident_id')
    .select(['notices.email', 'notices.sent_at', 'notices.incident_id', 'incidents.title'])
    .where('notices.code_subject_hash', '=', hash)
    .where('notices.state', '=', 'sent')
    .executeTakeFirst();
  if (!notice?.sent_at) return { genuine: false };
  return { genuine: true, email: notice.email, sentAt: notice.sent_at, incidentId: notice.incident_id, incidentTitle: notice.title };
}
