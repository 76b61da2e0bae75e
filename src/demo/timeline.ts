/** When things happen in the demo shop, as Unix seconds. */

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** The shop's servers are in Asia; their logs say +0800. Scoping must compare instants, not strings. */
export const SERVER_UTC_OFFSET = 8 * 3600;

/** The access logs cover a month of server local time, in whole hours. */
export const LOG_FROM = seconds('2019-10-20T00:00:00+08:00');
export const LOG_HOURS = 31 * 24;
export const LOG_UNTIL = LOG_FROM + LOG_HOURS * 3600;

/** The attack window, inclusive at both ends, as the indicators state it. */
export const ATTACK_FROM_ISO = '2019-10-30T00:00:00Z';
export const ATTACK_UNTIL_ISO = '2019-11-13T23:59:59Z';
export const ATTACK_FROM = seconds(ATTACK_FROM_ISO);
export const ATTACK_UNTIL = seconds(ATTACK_UNTIL_ISO);

/** Orders were placed from the shop's opening until the logs end. */
export const ORDERS_FROM = seconds('2018-01-01T00:00:00Z');

/** How busy the shop is at each local hour of its customers' day (mostly Europe, then the Americas and India). */
const ACTIVITY_BY_LOCAL_HOUR = [3, 2, 1.5, 1, 1, 1.5, 3, 5, 6, 6.5, 7, 7, 7, 7, 6.5, 6.5, 7, 8, 9, 10, 10, 9, 7, 5];
const AUDIENCE = [
  { share: 0.6, utcOffsetHours: 1 },
  { share: 0.2, utcOffsetHours: -6 },
  { share: 0.15, utcOffsetHours: 5 },
  { share: 0.05, utcOffsetHours: 8 },
];

/** Splits `total` lines over the log's hours following the daily rhythm, busier at weekends; sums to `total`. */
export function linesPerHour(total: number): Int32Array {
  const weights = new Float64Array(LOG_HOURS);
  let sum = 0;
  for (let hour = 0; hour < LOG_HOURS; hour++) {
    const instant = LOG_FROM + hour * 3600;
    const utcHour = new Date(instant * 1000).getUTCHours();
    const weekday = new Date(instant * 1000).getUTCDay();
    let weight = 0;
    for (const { share, utcOffsetHours } of AUDIENCE) {
      weight += share * ACTIVITY_BY_LOCAL_HOUR[(utcHour + utcOffsetHours + 24) % 24];
    }
    weights[hour] = weight * (weekday === 0 || weekday === 6 ? 1.15 : 1);
    sum += weights[hour];
  }
  const lines = new Int32Array(LOG_HOURS);
  let before = 0;
  let cumulative = 0;
  for (let hour = 0; hour < LOG_HOURS; hour++) {
    cumulative += weights[hour];
    const upTo = hour === LOG_HOURS - 1 ? total : Math.round((cumulative / sum) * total);
    lines[hour] = upTo - before;
    before = upTo;
  }
  return lines;
}
