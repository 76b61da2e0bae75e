import { TocsinError } from '../lib/errors.ts';

/**
 * Long dates per language, in UTC (the notices say so). Italian shows the weekday, so that
 * templates can write "tra mercoledì 30 ottobre…" without knowing whether the day needs
 * "il" or "l'" ("l'8 novembre"); everyone else reads the plain long date.
 */
const STYLE_BY_LANGUAGE: Readonly<Record<string, Intl.DateTimeFormatOptions>> = {
  it: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
};
const DEFAULT_STYLE: Intl.DateTimeFormatOptions = { dateStyle: 'long' };

/** Building a formatter costs far more than using one, and every notice of a campaign needs the same few. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A campaign's notices state the same few incident dates thousands of times: each is formatted once. */
const formatted = new Map<string, string>();
const MOST_FORMATTED = 10_000;

/** The day of `instant` (ISO 8601) as a reader of `locale` writes it: "13 novembre 2019". */
export function formatDate(instant: string, locale: string, what: string): string {
  const key = `${locale} ${instant}`;
  let day = formatted.get(key);
  if (day === undefined) {
    const date = new Date(instant);
    if (Number.isNaN(date.getTime())) throw new TocsinError('NOTICE_BAD_DATE', `${what}: '${instant}' is not an ISO 8601 instant`, { kind: 'invalid' });
    const french = new Intl.Locale(locale).language === 'fr';
    day = formatterFor(locale)
      .formatToParts(date)
      .map(({ type, value }) => (french && type === 'day' && value === '1' ? '1er' : value)) // « le 1er novembre »
      .join('');
    if (formatted.size >= MOST_FORMATTED) formatted.clear();
    formatted.set(key, day);
  }
  return day;
}

function formatterFor(locale: string): Intl.DateTimeFormat {
  let formatter = formatters.get(locale);
  if (!formatter) {
    const style = STYLE_BY_LANGUAGE[new Intl.Locale(locale).language] ?? DEFAULT_STYLE;
    formatter = new Intl.DateTimeFormat(locale, { ...style, timeZone: 'UTC' });
    formatters.set(locale, formatter);
  }
  return formatter;
}
