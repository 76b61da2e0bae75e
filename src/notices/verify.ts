import { sql } from 'kysely';
import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { loadSecret } from '../lib/secret.ts';
import { composeNoticeSubject, type ComposedNotice } from './compose.ts';
import { keptTemplates } from './templates.ts';
import { codeSubjectHash, normalizeCode, type VerificationCode } from './verification-code.ts';

/**
 * The answer to "is this notice genuine?", in the wire's casing. `typo` says the code cannot be
 * any notice's code (wrong length, a symbol outside the alphabet, or a check symbol that does
 * not match): the reader should look again at what they typed. It is worked out from the code
 * alone, so it tells nothing about which notices exist. `subject` is the notice's subject line,
 * written again from its templates, for the reader to compare with the message they hold.
 */
export type Verification =
  | { genuine: true; email: string; sent_at: string; subject: string; incident_id: string; incident_title: string }
  /** The portal's answer to "Was I affected?", which belongs to no one incident. */
  | { genuine: true; email: string; sent_at: string; subject: string; incident_id: null; incident_title: null }
  | { genuine: false; typo: boolean };

/** A row of verifyNotice's read: a notice's (answer_subject null) or a portal answer's (only sent_at and answer_subject). */
interface Found {
  incident_id: string | null;
  subject: string | null;
  email: string | null;
  locale: string | null;
  variant: string | null;
  vars: string | null;
  sent_at: string;
  title: string | null;
  answer_subject: string | null;
}

/** Hashed in place of a code that is none: no notice's code hashes alike, as codes are canonical. */
const NOT_A_CODE = '' as VerificationCode;

/**
 * Whether a code and an address belong to a notice Tocsin sent, or to an answer the portal sent
 * to "Was I affected?" (src/portal). A well-formed code answers
 * only yes or no: a wrong address and a wrong code both read "no notice matches", so the answer
 * tells nothing about which part was right. Every answer but "genuine" costs the same work (a
 * keyed hash and the same one read), a mistyped code and a malformed address included, so its time
 * tells nothing either.
 */
export async function verifyNotice(ctx: Context, code: string, email: string): Promise<Verification> {
  const canonical = normalizeCode(code);
  const subject = normalizeEmail(email);
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const hash = codeSubjectHash(canonical ?? NOT_A_CODE, subject ?? '', secret);
  // One read, whatever the answer: the notice sent under this hash, else the portal's answer sent under it; prepared on PostgreSQL.
  const { rows } = await sql<Found>`/* prepared:verify_code */
    SELECT n.incident_id, n.subject, n.email, n.locale, n.variant, n.vars, n.sent_at, i.title, NULL AS answer_subject
      FROM notices n JOIN incidents i ON i.id = n.incident_id
      WHERE n.code_subject_hash = ${hash} AND n.state = 'sent' AND n.sent_at IS NOT NULL
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, a.sent_at, NULL, a.subject FROM portal_answers a WHERE a.code_subject_hash = ${hash}`.execute(ctx.db);
  const notice = rows.find((row) => row.answer_subject === null);
  const answer = rows.find((row) => row.answer_subject !== null);
  if (!canonical) return { genuine: false, typo: true };
  if (subject && answer && !notice) return { genuine: true, email: subject, sent_at: answer.sent_at, subject: answer.answer_subject!, incident_id: null, incident_title: null };
  if (!subject || !notice) return { genuine: false, typo: false };
  return {
    genuine: true,
    email: notice.email!,
    sent_at: notice.sent_at,
    subject: composeNoticeSubject(notice as ComposedNotice, keptTemplates(ctx.dataDir, notice.incident_id!, ctx.now()), secret),
    incident_id: notice.incident_id!,
    incident_title: notice.title!,
  };
}
