/** A locale tag as Tocsin writes them (`fr-FR`), or undefined when `tag` is none; `fr_FR` is taken too. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.replaceAll('_', '-'))[0];
  } catch {
    return undefined;
  }
}

/** The languages Tocsin writes an authority's report in (locales/reports/<language>.json); the console offers them too. */
export const REPORT_LANGUAGES = ['en', 'fr', 'de', 'es', 'it'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];
