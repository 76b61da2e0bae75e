import { createRequire } from 'node:module';
import type { ClockPlace } from '../domain/index.ts';

type HolidaysClass = typeof import('date-holidays').default;

let library: HolidaysClass | null = null;
/** date-holidays takes half a second to load its data: only a business-day deadline pays for it. */
function holidaysLibrary(): HolidaysClass {
  library ??= createRequire(import.meta.url)('date-holidays') as HolidaysClass;
  return library;
}

const calendars = new Map<string, Set<string>>();

/**
 * Whether a local date (YYYY-MM-DD) is a public holiday in a jurisdiction (`BR`, or a subdivision such
 * as `US-VT`), from date-holidays' maintained data: public holidays only, not bank or optional ones.
 * A jurisdiction the library does not know has none, so business days skip weekends only there.
 */
export function isPublicHoliday(jurisdiction: string, localDate: string): boolean {
  const year = Number(localDate.slice(0, 4));
  const key = `${jurisdiction}|${year}`;
  let dates = calendars.get(key);
  if (!dates) {
    const [country, state] = jurisdiction.split('-');
    const Holidays = holidaysLibrary();
    const holidays = state ? new Holidays(country, state, { types: ['public'] }) : new Holidays(country, { types: ['public'] });
    dates = new Set((holidays.getHolidays(year) || []).filter((holiday) => holiday.type === 'public').map((holiday) => holiday.date.slice(0, 10)));
    calendars.set(key, dates);
  }
  return dates.has(localDate);
}

/**
 * Where a jurisdiction's clocks run: its zone, and its public holidays (national, and the subdivision's
 * for a code such as US-VT) as non-business days. Regional and municipal holidays below that are not
 * known, so a business-day deadline can come out earlier than the law's — never later.
 */
export function clockPlace(jurisdiction: string, timeZone: string): ClockPlace {
  return { timeZone, isHoliday: (localDate) => isPublicHoliday(jurisdiction, localDate) };
}
