import { VERDICTS, type Verdict } from '../domain/index.ts';
import { PHISHING_REPLY_PART_FILES } from '../lib/template-dirs.ts';
import { checkLetterTemplates, renderLetter, type LetterKind } from './answer.ts';
import type { RenderedNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { BUILT_IN_TEMPLATES_DIR, type LocaleTemplates, type TemplateProblem } from './template-set.ts';

/**
 * The phishing desk's reply to whoever reported a message (the address left on the portal's form,
 * or the mailbox's forwarder): the verdict, the report's reference, how to forward as an attachment
 * when they forwarded inline, and a code the portal's verify page recognises, as every letter has.
 * Its templates live beside the portal's answers in each locale (phishing-reply.*.liquid).
 */
export interface PhishingReplyContext {
  locale: string;
  shop: string;
  reference: string;
  verdict: Verdict;
  inline_forward: boolean;
  verification_code: string;
  verify_address: string;
}

export const PHISHING_REPLY_VARIABLES: Readonly<Record<keyof PhishingReplyContext, string>> = {
  locale: "the reply's locale, e.g. 'fr' (for <html lang>)",
  shop: "the shop's name",
  reference: "the report's reference, e.g. R-7KQ2-MX9D-4HRT",
  verdict: `the desk's verdict: ${VERDICTS.join(', ')}`,
  inline_forward: 'true when the message was forwarded inline, its original headers lost: the reply says how to forward as an attachment',
  verification_code: "this reply's code, which the portal's verify page recognises",
  verify_address: 'the verification page as customers type it, e.g. shop.example.com/verify (never a link)',
};

/** A reply for every verdict, forwarded inline and not. */
function sampleReplies(templates: LocaleTemplates): PhishingReplyContext[] {
  const base = { locale: templates.locale, shop: 'Example Phone Shop', reference: 'R-7KQ2-MX9D-4HRT', verification_code: SAMPLE_NOTICE_VARS[0].verificationCode, verify_address: SAMPLE_NOTICE_VARS[0].verifyAddress };
  return VERDICTS.flatMap((verdict) => [false, true].map((inline_forward) => ({ ...base, verdict, inline_forward })));
}

const PHISHING_REPLY_LETTER: LetterKind<PhishingReplyContext> = {
  code: 'PHISHING_REPLY',
  files: PHISHING_REPLY_PART_FILES,
  variables: PHISHING_REPLY_VARIABLES,
  required: ['reference', 'verdict', 'inline_forward', 'verification_code', 'verify_address'],
  samples: sampleReplies,
};

/** The reply in its locale, every value a variable (HTML-escaped in the HTML part); throws naming the file at fault. */
export function renderPhishingReply(context: PhishingReplyContext, dir: string = BUILT_IN_TEMPLATES_DIR): RenderedNotice {
  return renderLetter(PHISHING_REPLY_LETTER, context, dir);
}

/** What `templates check` finds wrong with the replies' templates in `dir`. */
export function checkPhishingReplyTemplates(dir: string = BUILT_IN_TEMPLATES_DIR): TemplateProblem[] {
  return checkLetterTemplates(PHISHING_REPLY_LETTER, dir);
}
