import { invalidInput } from '../lib/errors.ts';
import { COUNTRY_LANGUAGES } from './country-languages.ts';

export interface LocaleHints {
  /** The locale the shop recorded for the customer, as written there (`fr-FR`, `fr_fr`, `FR`); may be junk. */
  subjectLocale?: string | null;
  /** The country of the customer's address, ISO 3166-1 alpha-2. */
  country?: string | null;
  /** The incident's fallback locale. */
  incidentLocale: string;
}

/**
 * The template locale to write to a customer in: the customer's own locale (exactly, else its
 * language; a locale without a region takes the address's country, so a French reader in Canada
 * gets `fr-CA`), else the usual language of their country (taken from the locale's region when the
 * address has none: `ca-ES` falls to Spanish; a Brazilian gets `pt-BR`), else the incident's locale.
 * Throws when not even the incident's locale has templates: that is the operator's to fix.
 */
export function chooseLocale(hints: LocaleHints, available: Iterable<string>): string {
  const offered = [...available].sort();
  const subject = parseLocale(hints.subjectLocale);
  const country = (hints.country?.trim() || subject?.region || '').toUpperCase();
  const regional = subject && !subject.region && country ? [`${subject.language}-${country}`] : [];
  const candidates = [
    ...regional,
    ...(subject ? [subject.baseName] : []),
    ...(COUNTRY_LANGUAGES[country] ?? []).map((language) => `${language}-${country}`),
    hints.incidentLocale,
  ];
  for (const candidate of candidates) {
    const match = bestMatch(candidate, offered);
    if (match) return match;
  }
  const customer = [subject && `locale '${subject.baseName}'`, country && `country ${country}`].filter(Boolean).join(', ');
  throw invalidInput(
    'NOTICE_LOCALE_MISSING',
    `no notice templates for the incident's locale '${hints.incidentLocale}'${customer ? ` nor for the customer's ${customer}` : ''}; ` +
      `add templates for '${hints.incidentLocale}' or set the incident's locale to one of: ${offered.join(', ') || '(none)'}`,
  );
}

/** `fr-FR` matches `fr-FR`, then `fr`, then any other `fr-…` (first in order, so the choice is stable). */
export function bestMatch(wanted: string, offered: readonly string[]): string | undefined {
  const locale = parseLocale(wanted);
  if (!locale) return undefined;
  const byTag = (tag: string) => offered.find((candidate) => parseLocale(candidate)?.baseName === tag);
  return (
    byTag(locale.baseName) ??
    byTag(locale.language) ??
    offered.find((candidate) => parseLocale(candidate)?.language === locale.language)
  );
}

function parseLocale(tag: string | null | undefined): Intl.Locale | undefined {
  if (!tag?.trim()) return undefined;
  try {
    return new Intl.Locale(tag.trim().replaceAll('_', '-'));
  } catch {
    return undefined;
  }
}
