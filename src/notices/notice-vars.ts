import { type Narrative, NARRATIVE_PARTS } from '../incidents/index.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
import { type Category, sortCategories } from '../domain/index.ts';
import { formatDate } from './dates.ts';
import { salutationName } from './salutation.ts';
import { singleLine } from '../lib/single-line.ts';
import { PHRASES_FILE, type LocaleTemplates } from './template-set.ts';
import type { NoticeVariant } from '../db/index.ts';
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
  /** When the notice was built: the date it carries (California asks for it); absent in notices built before. */
  noticeDate?: string;
  /** A phone number customers can call, beside the contact email; absent or null when the incident gives none. */
  contactPhone?: string | null;
  /** The company that owns the controller, when one does (Massachusetts asks for its name). */
  controllerParent?: string | null;
  /** Whether a law enforcement investigation delayed the notice, as recorded; null or absent when not recorded. */
  lawEnforcementDelay?: 'yes' | 'no' | null;
  /** The identity theft protection or credit monitoring the shop offers, as recorded; null or absent when none is. */
  protection?: ProtectionOffer | null;
}

/** A protection service offered free of charge: who provides it, how to enrol, and for how long. */
export interface ProtectionOffer {
  provider: string;
  enrolment: string;
  months: number;
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
  variant: NoticeVariant;
  authority: string;
  rights: string;
  notice_date: string;
  contact_phone: string;
  controller_parent: string;
  law_enforcement_delay: string;
  protection_provider: string;
  protection_enrolment: string;
  protection_months: number;
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
  variant: "the notice variant the reader's jurisdiction names ('gdpr', 'ca-pipeda', 'us-ca', …), for wording that differs by regime",
  authority: "the reader's data protection authority as the locale names it (regimes.json); empty for a variant without one",
  rights: "the sentence stating the reader's right to complain, naming their authority (regimes.json); empty for a variant without one",
  notice_date: 'the day the notice was built, written for the locale, in UTC (California requires the date of the notice)',
  contact_phone: "a phone number customers can call (the incident's contact phone); empty when none, so write {% if contact_phone != blank %}",
  controller_parent: "the company that owns the controller (the incident's controller parent); empty when none (Massachusetts requires its name when there is one)",
  law_enforcement_delay:
    "'yes' or 'no' as recorded on the incident (law enforcement delay), empty when not recorded: state whether law enforcement delayed the notice only inside {% if law_enforcement_delay == 'no' %} (or 'yes')",
  protection_provider: "the company providing the identity theft protection or credit monitoring offered (the incident's protection provider); empty when none is offered",
  protection_enrolment: 'how to enrol in the service offered, as recorded (a website, a phone number, an activation code); empty when none is offered',
  protection_months: 'for how many months the service is offered free of charge; 0 when none is offered',
};

/**
 * The template variables for one notice in `locale`. Throws when the notice would be wrong
 * rather than incomplete: nothing exposed, a category both exposed and not, a missing phrase.
 */
export function noticeContext(vars: NoticeVars, variant: NoticeVariant, templates: Pick<LocaleTemplates, 'locale' | 'phrases' | 'regimes'>): NoticeContext {
  const { locale } = templates;
  const exposed = sortCategories(vars.exposed);
  if (exposed.length === 0) {
    throw new TocsinError('NOTICE_NOTHING_EXPOSED', 'a notice needs at least one exposed data category; this customer was not affected', { kind: 'invalid' });
  }
  const contradiction = sortCategories(vars.notExposed).find((category) => exposed.includes(category));
  if (contradiction) {
    throw new TocsinError('NOTICE_CATEGORY_CONTRADICTION', `'${contradiction}' is listed as both exposed and not exposed; a notice cannot say both`, { kind: 'invalid' });
  }
  if (!vars.narrative.what_happened?.length) {
    throw new TocsinError('NARRATIVE_MISSING', `the notice in '${locale}' has no narrative saying what happened; set one for the incident in '${locale}'`, { kind: 'conflict' });
  }
  return noticeValues(vars, variant, templates, CONTEXT_NAMES) as NoticeContext;
}

/**
 * Only the variables `names` of a notice (names that are none are left out), unchecked: for a
 * notice built, and so checked, before (the portal writes a sent notice's subject line again,
 * which reads one or two of them, on every genuine code).
 */
export function noticeValues(vars: NoticeVars, variant: NoticeVariant, templates: Pick<LocaleTemplates, 'locale' | 'phrases' | 'regimes'>, names: readonly string[]): Partial<NoticeContext> {
  const from: ValueSource = { vars, variant, templates };
  const entries = names.filter((name): name is keyof NoticeContext => Object.hasOwn(VALUES, name)).map((name) => [name, onOneLine(VALUES[name](from))]);
  return Object.fromEntries(entries) as Partial<NoticeContext>;
}

interface ValueSource {
  vars: NoticeVars;
  variant: NoticeVariant;
  templates: Pick<LocaleTemplates, 'locale' | 'phrases' | 'regimes'>;
}

const day = ({ templates }: ValueSource, instant: string, what: string) => formatDate(instant, templates.locale, what);

/** The categories as the locale's phrases, in category order. */
function phrasesOf({ templates }: ValueSource, categories: readonly Category[]): string[] {
  return sortCategories(categories).map((category) => {
    const found = templates.phrases[category];
    if (found === undefined) {
      throw invalidInput('NOTICE_PHRASE_MISSING', `locale '${templates.locale}' has no phrase for the data category '${category}'; add it to ${templates.locale}/${PHRASES_FILE}`);
    }
    return found;
  });
}

/** How each variable is worked out from the notice's values. */
const VALUES: { readonly [Name in keyof NoticeContext]: (from: ValueSource) => NoticeContext[Name] } = {
  locale: ({ templates }) => templates.locale,
  name: ({ vars }) => salutationName(vars.name),
  exposed: (from) => phrasesOf(from, from.vars.exposed),
  not_exposed: (from) => phrasesOf(from, from.vars.notExposed),
  exposed_categories: ({ vars }) => sortCategories(vars.exposed),
  not_exposed_categories: ({ vars }) => sortCategories(vars.notExposed),
  occurred_from: (from) => day(from, from.vars.occurredFrom, 'occurred-from'),
  occurred_to: (from) => day(from, from.vars.occurredTo, 'occurred-to'),
  discovered_at: (from) => (from.vars.discoveredAt ? day(from, from.vars.discoveredAt, 'discovered-at') : day(from, from.vars.awareAt, 'aware-at')),
  aware_at: (from) => day(from, from.vars.awareAt, 'aware-at'),
  controller: ({ vars }) => vars.controller,
  contact_email: ({ vars }) => vars.contactEmail,
  verification_code: ({ vars }) => vars.verificationCode,
  verify_address: ({ vars }) => vars.verifyAddress,
  shop_address: ({ vars }) => vars.shopAddress,
  ...narrativeValues(),
  reported_to: ({ vars }) => [...(vars.reportedTo ?? [])],
  authority_duty: ({ vars }) => vars.authorityDuty ?? false,
  variant: ({ variant }) => variant,
  authority: ({ templates, variant }) => templates.regimes[variant]?.authority ?? '',
  rights: ({ templates, variant }) => templates.regimes[variant]?.rights ?? '',
  notice_date: (from) => (from.vars.noticeDate ? day(from, from.vars.noticeDate, 'notice date') : ''),
  contact_phone: ({ vars }) => vars.contactPhone ?? '',
  controller_parent: ({ vars }) => vars.controllerParent ?? '',
  law_enforcement_delay: ({ vars }) => vars.lawEnforcementDelay ?? '',
  protection_provider: ({ vars }) => vars.protection?.provider ?? '',
  protection_enrolment: ({ vars }) => vars.protection?.enrolment ?? '',
  protection_months: ({ vars }) => vars.protection?.months ?? 0,
};

const CONTEXT_NAMES = Object.keys(VALUES);

/** Each part of the incident's story as paragraphs; empty when the incident gives none. */
function narrativeValues(): { readonly [Part in (typeof NARRATIVE_PARTS)[number]]: (from: ValueSource) => string[] } {
  return Object.fromEntries(NARRATIVE_PARTS.map((part) => [part, ({ vars }: ValueSource) => vars.narrative[part] ?? []])) as {
    readonly [Part in (typeof NARRATIVE_PARTS)[number]]: (from: ValueSource) => string[];
  };
}

/** Every string on one line (see singleLine); other values as they are. */
function onOneLine<Value>(value: Value): Value {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? singleLine(item) : item)) as Value;
  return (typeof value === 'string' ? singleLine(value) : value) as Value;
}
