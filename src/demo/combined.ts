import { SERVER_UTC_OFFSET } from './timeline.ts';

/** nginx's `combined` log format, as the shop's servers write it. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const twoDigits = (n: number) => String(n).padStart(2, '0');
const OFFSET = `+${twoDigits(SERVER_UTC_OFFSET / 3600)}00`;

/** `[30/Oct/2019:08:` for the server-local hour starting at `hourStart` (Unix seconds, whole hour). */
export function hourPrefix(hourStart: number): string {
  const local = new Date((hourStart + SERVER_UTC_OFFSET) * 1000);
  return `[${twoDigits(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:${twoDigits(local.getUTCHours())}:`;
}

/** `00:01 +0800]` for each second of an hour, so a line's time costs one concatenation. */
export const SECOND_SUFFIXES: readonly string[] = Array.from(
  { length: 3600 },
  (_, second) => `${twoDigits(Math.floor(second / 60))}:${twoDigits(second % 60)} ${OFFSET}]`,
);

/** `$time_local` with its brackets: `[30/Oct/2019:08:00:01 +0800]`. */
export function timeLocal(instant: number): string {
  const second = instant % 3600;
  return hourPrefix(instant - second) + SECOND_SUFFIXES[second];
}

/**
 * One log line, newline included. No generated value contains `"`, so nothing needs escaping.
 * `time` is `$time_local` with its brackets.
 */
export function combinedLine(
  ip: string,
  user: string,
  time: string,
  request: string,
  status: number,
  bytes: number,
  referer: string,
  userAgent: string,
): string {
  return `${ip} - ${user} ${time} "${request}" ${status} ${bytes} "${referer}" "${userAgent}"\n`;
}
