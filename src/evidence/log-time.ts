/**
 * Timestamps of access logs read from bytes into epoch milliseconds by plain arithmetic: no
 * Date.parse, no regex, no string per line. Each reader returns NaN when the bytes are not a
 * valid timestamp (out-of-range fields included), so callers never need a try.
 */

const MS_PER_DAY = 86_400_000;

function monthKey(a: number, b: number, c: number): number {
  return (a << 16) | (b << 8) | c;
}

const MONTHS = new Map<number, number>(
  'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'
    .split(' ')
    .map((name, index) => [monthKey(name.charCodeAt(0), name.charCodeAt(1), name.charCodeAt(2)), index + 1]),
);

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days since the epoch of a valid date, else NaN. */
function dayNumber(year: number, month: number, day: number): number {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

/** Milliseconds since midnight of a valid time of day, else NaN. */
function clockMs(hour: number, minute: number, second: number): number {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  return ((hour * 60 + minute) * 60 + second) * 1000;
}

/** The value of the two decimal digits at `at`, or -1 when either is not a digit. */
function twoDigits(buf: Uint8Array, at: number): number {
  // NaN past the end of the buffer, which the tests reject too.
  const tens = buf[at] - 48;
  const ones = buf[at + 1] - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

function fourDigits(buf: Uint8Array, at: number): number {
  const high = twoDigits(buf, at);
  const low = twoDigits(buf, at + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}

/** `+hhmm`, `-hhmm` (`±hh:mm` when `colon`) at `at` → minutes east of UTC, NaN if invalid. */
function offsetAt(buf: Uint8Array, at: number, colon: boolean): number {
  const sign = buf[at] === 0x2b ? 1 : buf[at] === 0x2d ? -1 : 0;
  const hours = twoDigits(buf, at + 1);
  const minutes = twoDigits(buf, colon ? at + 4 : at + 3);
  if (sign === 0 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN;
  if (colon && buf[at + 3] !== 0x3a) return Number.NaN;
  return sign * (hours * 60 + minutes);
}

/** Length of an nginx/Apache `$time_local` value: `30/Oct/2019:08:00:01 +0800`. */
export const TIME_LOCAL_LENGTH = 26;

/** A log repeats one date for a whole day, so the last date's day number is kept. */
let lastDateKey = -1;
let lastDateDays = 0;

/** Reads `$time_local` (`dd/Mon/yyyy:HH:MM:SS ±hhmm`) from `buf[at, at + 26)`. */
export function parseTimeLocal(buf: Uint8Array, at: number): number {
  if (at < 0 || at + TIME_LOCAL_LENGTH > buf.length) return Number.NaN;
  if (buf[at + 2] !== 0x2f || buf[at + 6] !== 0x2f || buf[at + 11] !== 0x3a) return Number.NaN;
  if (buf[at + 14] !== 0x3a || buf[at + 17] !== 0x3a || buf[at + 20] !== 0x20) return Number.NaN;
  const day = twoDigits(buf, at);
  const year = fourDigits(buf, at + 7);
  if (day < 0 || year < 0) return Number.NaN;
  const month = monthKey(buf[at + 3], buf[at + 4], buf[at + 5]);
  const dateKey = month * 1_000_000 + year * 100 + day;
  if (dateKey !== lastDateKey) {
    const days = dayNumber(year, MONTHS.get(month) ?? 0, day);
    if (Number.isNaN(days)) return Number.NaN;
    lastDateKey = dateKey;
    lastDateDays = days;
  }
  const clock = clockMs(twoDigits(buf, at + 12), twoDigits(buf, at + 15), twoDigits(buf, at + 18));
  return lastDateDays * MS_PER_DAY + clock - offsetAt(buf, at + 21, false) * 60_000;
}

/**
 * Reads ISO 8601 `yyyy-mm-ddTHH:MM:SS[.fraction]` with a zone (`Z`, `±hh:mm`, `±hhmm`) from
 * `buf[start, end)`, as nginx's `$time_iso8601` and load balancers write it. A time without
 * a zone is rejected: guessing it could move every request of an incident by hours.
 */
export function parseIsoInstant(buf: Uint8Array, start: number, end: number): number {
  if (start < 0 || end > buf.length || end - start < 20) return Number.NaN;
  if (buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d || (buf[start + 10] | 0x20) !== 0x74) return Number.NaN;
  if (buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a) return Number.NaN;
  let at = start + 19;
  let ms = 0;
  if (buf[at] === 0x2e || buf[at] === 0x2c) {
    const fractionStart = ++at;
    for (; at < end && buf[at] >= 0x30 && buf[at] <= 0x39; at++) if (at - fractionStart < 3) ms = ms * 10 + buf[at] - 48;
    const fractionDigits = at - fractionStart;
    if (fractionDigits === 0) return Number.NaN;
    if (fractionDigits < 3) ms *= fractionDigits === 1 ? 100 : 10;
  }
  let offset: number;
  if ((buf[at] | 0x20) === 0x7a && at + 1 === end) offset = 0;
  else if (end - at === 6) offset = offsetAt(buf, at, true);
  else if (end - at === 5) offset = offsetAt(buf, at, false);
  else return Number.NaN;
  const days = dayNumber(fourDigits(buf, start), twoDigits(buf, start + 5), twoDigits(buf, start + 8));
  const clock = clockMs(twoDigits(buf, start + 11), twoDigits(buf, start + 14), twoDigits(buf, start + 17));
  return days * MS_PER_DAY + clock + ms - offset * 60_000;
}

/** `$time_local` text for an instant shown at a UTC offset, e.g. `30/Oct/2019:08:00:01 +0800`. */
export function formatTimeLocal(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.slice(local.getUTCMonth() * 3, local.getUTCMonth() * 3 + 3);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCDate())}/${month}/${pad(local.getUTCFullYear(), 4)}:` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(offset / 60))}${pad(offset % 60)}`
  );
}
