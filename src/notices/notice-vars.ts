import { type Narrative, NARRATIVE_PARTS } from '../incidents/index.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
import { type Category, sortCategories } from '../domain/index.ts';
import { formatDate } from './dates.ts';
import { salutationName } from './salutation.ts';
import { singleLine } from '../lib/single-line.ts';
import { PHRASES_FILE } from './template-set.ts';
import type { VerificationCode } from './verification-code.ts';

/** What a notice says about one customer and the incident, as plain data. Instants are ISO 8601. */
export interface NoticeVars {
  /** The customer's name as the shop has it; may be empty. */
  name: string;
  exposed: readonly Category[];
  /** Categories scoping found not exposed, so the notice can say so. */
  notExposed: readonly Category[];
  occurredFrom: string;
  occurredTo: string;
  /** When the breach was discovered; null when the incident records only when the shop became aware. */
  discoveredAt: string | null;
  awareAt: string;
  /** The controller's name as customers know it: "Example Phone Shop Ltd". */
  controller: string;
  /** The contact point for questions, normally the DPO. */
  contactEmail: string;
  verificationCode: VerificationCode;
  /** The verification page as customers type it, without a scheme: `shop.example.com/verify`. */
  verifyAddress: string;
  /** The shop's own address as customers type it: `shop.example.com`. */
  shopAddress: string;
  /** The incident's story in the notice's locale, as it stood when the notice was built. */
  narrative: Narrative;
  /** The authorities whose report the incident records as submitted, by name; absent (none) in notices built before. */
  reportedTo?: readonly string[];
  /** Whether the assessment says the reader's jurisdiction requires notifying its authority; absent (no) in notices built before. */
  authorityDuty?: boolean;
}

/** The variables templates see. Every string is on one line (see singleLine). */
export interface NoticeContext {
  locale: string;
  name: string;
  exposed: string[];
  not_exposed: string[];
  exposed_categories: Category[];
  not_exposed_categories: Category[];
  occurred_from: string;
  occurred_to: string;
  discovered_at: string;
  aware_at: string;
  controller: string;
  contact_email: string;
  verification_code: string;
  verify_address: string;
  shop_address: string;
  what_happened: string[];
  what_we_did: string[];
  what_we_are_doing: string[];
  what_you_can_do: string[];
  reported_to: string[];
  authority_duty: boolean;
}

/** Every template variable with what it holds: the reference for template authors and for checkTemplates. */
export const NOTICE_VARIABLES: Readonly<Record<keyof NoticeContext, string>> = {
  locale: "the template set's locale, e.g. 'fr' (for <html lang>)",
  name: "the customer's name for the greeting; empty when the shop has none, or it is over 100 characters or holds anything a mail client would make a link of, so write {% if name != blank %}",
  exposed: "the data that may have been seen, as phrases from categories.json ('your shipping address'), in category order",
  not_exposed: 'the data that was checked and not involved, as phrases; may be empty',
  exposed_categories: "the exposed data as category ids ('password_hash'), for advice that depends on them",
  not_exposed_categories: 'the data not involved, as category ids',
  occurred_from: 'the first day of the breach, written for the locale, in UTC',
  occurred_to: 'the last day of the breach, written for the locale, in UTC',
  discovered_at: 'the day the breach was discovered (the day the shop became aware when not recorded), in UTC',
  aware_at: 'the day the shop became aware of the breach, in UTC',
  controller: "the controller's name",
  contact_email: 'the contact point for questions, normally the DPO',
  verification_code: "this notice's code, e.g. 7KQ2M-X9D4H-RTPQ3",
  verify_address: 'the verification page as customers type it, e.g. shop.example.com/verify (never a link)',
  shop_address: "the shop's address as customers type it, e.g. shop.example.com",
  what_happened: "the incident's own account of what happened, as paragraphs (never empty: notices are not built without it); print each with {% for paragraph in what_happened %}",
  what_we_did: 'what the shop did about it, as paragraphs; empty when the incident gives none, so write a default true of any breach in {% else %}',
  what_we_are_doing: 'what the shop is doing now, as paragraphs; empty when the incident gives none (write a default)',
  what_you_can_do: "the incident's own advice to customers, as paragraphs, said before the standard advice; may be empty",
  reported_to:
    "the authorities the incident's report was recorded as submitted to (a report recorded with its submitted-at time), by name; empty until then, so state a report only inside {% if reported_to != empty %}",
  authority_duty: "true when the assessment says the reader's jurisdiction requires notifying its authority (an Attorney General): state such a notification only inside {% if authority_duty %}",
};

/**
 * The template variables for one notice in `locale`. Throws when the notice would be wrong
 * rather than incomplete: nothing exposed, a category both exposed and not, a missing phrase.
 */
export function noticeContext(vars: NoticeVars, locale: string, phrases: Partial<Record<Category, string>>): NoticeContext {
  const exposed = sortCategories(vars.exposed);
  const notExposed = sortCategories(vars.notExposed);
  if (exposed.length === 0) {
    throw new TocsinError('NOTICE_NOTHING_EXPOSED', 'a notice needs at least one exposed data category; this customer was not affected', { kind: 'invalid' });
  }
  const contradiction = notExposed.find((category) => exposed.includes(category));
  if (contradiction) {
    throw new TocsinError('NOTICE_CATEGORY_CONTRADICTION', `'${contradiction}' is listed as both exposed and not exposed; a notice cannot say both`, { kind: 'invalid' });
  }
  const phrase = (category: Category) => {
    const found = phrases[category];
    if (found === undefined) {
      throw invalidInput('NOTICE_PHRASE_MISSING', `locale '${locale}' has no phrase for the data category '${category}'; add it to ${locale}/${PHRASES_FILE}`);
    }
    return found;
  };
  if (!vars.narrative.what_happened?.length) {
    throw new TocsinError('NARRATIVE_MISSING', `the notice in '${locale}' has no narrative saying what happened; set one for the incident in '${locale}'`, { kind: 'conflict' });
  }
  const day = (instant: string, what: string) => formatDate(instant, locale, what);
  return onOneLine({
    locale,
    name: salutationName(vars.name),
    exposed: exposed.map(phrase),
    not_exposed: notExposed.map(phrase),
    exposed_categories: exposed,
    not_exposed_categories: notExposed,
    occurred_from: day(vars.occurredFrom, 'occurred-from'),
    occurred_to: day(vars.occurredTo, 'occurred-to'),
    discovered_at: vars.discoveredAt ? day(vars.discoveredAt, 'discovered-at') : day(vars.awareAt, 'aware-at'),
    aware_at: day(vars.awareAt, 'aware-at'),
    controller: vars.controller,
    contact_email: vars.contactEmail,
    verification_code: vars.verificationCode,
    verify_address: vars.verifyAddress,
    shop_address: vars.shopAddress,
    ...narrativeVariables(vars.narrative),
    reported_to: [...(vars.reportedTo ?? [])],
    authority_duty: vars.authorityDuty ?? false,
  });
}

function narrativeVariables(narrative: Narrative): Record<(typeof NARRATIVE_PARTS)[number], string[]> {
  return Object.fromEntries(NARRATIVE_PARTS.map((part) => [part, narrative[part] ?? []])) as Record<(typeof NARRATIVE_PARTS)[number], string[]>;
}

function onOneLine(context: NoticeContext): NoticeContext {
  const entries = Object.entries(context).map(([key, value]) => [key, Array.isArray(value) ? value.map(singleLine) : typeof value === 'string' ? singleLine(value) : value]);
  return Object.fromEntries(entries) as NoticeContext;
}
