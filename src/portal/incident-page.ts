import type { Config } from '../config.ts';
import type { Category } from '../domain/index.ts';
import type { Narrative } from '../incidents/index.ts';
import { formatDate } from '../notices/index.ts';
import { parseFaq } from './faq.ts';
import { renderPage } from './pages.ts';
import { CATEGORY_PHRASES, PORTAL_WORDS } from './words.ts';

/**
 * What a published incident page says, in every locale it is offered in: only what the incident
 * records (its dates, its narratives, the categories its latest scope run found, the reports
 * recorded as submitted) and the FAQ staff wrote, as they stood when it was published.
 */
export interface PageContent {
  slug: string;
  published_at: string;
  occurred_from: string | null;
  occurred_to: string | null;
  /** When the breach was discovered, else when the shop became aware of it. */
  discovered_at: string;
  contact_email: string | null;
  contact_phone: string | null;
  exposed: Category[];
  not_exposed: Category[];
  /** The authorities whose report was recorded as submitted, by name. */
  reported_to: string[];
  /** The narrative and FAQ (Markdown) by portal locale. */
  locales: Record<string, { narrative: Narrative; faq: string | null }>;
}

/** Advice the page adds when the categories call for it: the notices' own conditions. */
const CONDITIONAL_ADVICE: readonly { when: readonly Category[]; word: string }[] = [
  { when: ['password_hash', 'security_qa'], word: 'advice_password' },
  { when: ['payment_card_number', 'bank_account'], word: 'advice_bank' },
  { when: ['date_of_birth', 'national_id'], word: 'advice_identity' },
];

/** The incident page in `locale` (one the portal speaks and the content has), as HTML. */
export function renderIncidentPage(content: PageContent, locale: string, config: Pick<Config, 'shop' | 'portal'>): string {
  const words = PORTAL_WORDS.get(locale)!.incident as Record<string, string>;
  const { narrative, faq } = content.locales[locale];
  const phrases = CATEGORY_PHRASES.get(locale)!;
  const day = (instant: string) => formatDate(instant, locale, 'incident page date');
  const period =
    content.occurred_from && content.occurred_to
      ? words.period.replace('{from}', day(content.occurred_from)).replace('{to}', day(content.occurred_to)).replace('{discovered}', day(content.discovered_at))
      : words.discovered.replace('{discovered}', day(content.discovered_at));
  const contact = content.contact_email
    ? (content.contact_phone ? words.contact_phone : words.contact).replace('{email}', content.contact_email).replace('{phone}', content.contact_phone ?? '')
    : '';
  return renderPage('incident', locale, config, {
    slug: content.slug,
    what_happened: narrative.what_happened ?? [],
    what_we_did: narrative.what_we_did ?? [],
    what_we_are_doing: narrative.what_we_are_doing ?? [],
    what_you_can_do: narrative.what_you_can_do ?? [],
    period,
    exposed: content.exposed.map((category) => phrases[category]),
    not_exposed: content.not_exposed.map((category) => phrases[category]),
    reported: content.reported_to.length > 0 ? words.reported.replace('{authorities}', new Intl.ListFormat(locale, { type: 'conjunction' }).format(content.reported_to)) : '',
    advice: CONDITIONAL_ADVICE.filter(({ when }) => when.some((category) => content.exposed.includes(category))).map(({ word }) => words[word]),
    faq: faq === null ? [] : parseFaq(faq, `faq ${locale}`),
    contact,
    published: words.published.replace('{date}', day(content.published_at)),
  }, pagePath(content.slug));
}

/** Where a published page is found on the public listener. */
export function pagePath(slug: string): string {
  return `/incidents/${slug}`;
}
