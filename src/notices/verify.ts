import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { loadSecret } from '../lib/secret.ts';
import { readCode } from './code-reads.ts';
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
  // One read, whatever the answer: the notice sent under this hash, else the portal's answer sent under it.
  const rows = await readCode(ctx, hash);
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
