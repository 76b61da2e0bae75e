import { TocsinError } from '../lib/errors.ts';

/** Long dates in UTC (the notices say so), as each language writes them in running text. */
const LONG_DATE: Intl.DateTimeFormatOptions = { dateStyle: 'long' };

/**
 * How a language writes the day of a long date, and what goes before the date. French writes
 * « le 1er novembre », Brazilian Portuguese "1º de novembro"; Italian writes the article with the date, because it depends on the day
 * ("il 30 ottobre", "l'8 novembre", "l'11", "il 1º novembre"), so templates write "tra {{ occurred_from }}".
 */
const DAY_STYLE: Readonly<Record<string, { first?: string; article?: (day: string) => string }>> = {
  fr: { first: '1er' },
  pt: { first: '1º' },
  it: { first: '1º', article: (day) => (day === '8' || day === '11' ? "l'" : 'il ') },
};

/** Building a formatter costs far more than using one, and every notice of a campaign needs the same few. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A campaign's notices state the same few incident dates thousands of times: each is formatted once. */
const formatted = new Map<string, string>();
const MOST_FORMATTED = 10_000;

/** The day of `instant` (ISO 8601) as a reader of `locale` writes it: "13 novembre 2019" (Italian: "il 13 novembre 2019"). */
export function formatDate(instant: string, locale: string, what: string): string {
  const key = `${locale} ${instant}`;
  let day = formatted.get(key);
  if (day === undefined) {
    const date = new Date(instant);
    if (Number.isNaN(date.getTime())) throw new TocsinError('NOTICE_BAD_DATE', `${what}: '${instant}' is not an ISO 8601 instant`, { kind: 'invalid' });
    const style = DAY_STYLE[new Intl.Locale(locale).language] ?? {};
    const parts = formatterFor(locale).formatToParts(date);
    const dayOfMonth = parts.find(({ type }) => type === 'day')?.value ?? '';
    day = (style.article?.(dayOfMonth) ?? '') + parts.map(({ type, value }) => (type === 'day' && value === '1' && style.first ? style.first : value)).join('');
    if (formatted.size >= MOST_FORMATTED) formatted.clear();
    formatted.set(key, day);
  }
  return day;
}

function formatterFor(locale: string): Intl.DateTimeFormat {
  let formatter = formatters.get(locale);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...LONG_DATE, timeZone: 'UTC' });
    formatters.set(locale, formatter);
  }
  return formatter;
}
