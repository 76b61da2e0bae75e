import { invalidInput } from './errors.ts';

/** ISO 8601 with a date, a time and an explicit zone (`Z` or `±hh:mm`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads an instant typed by a user. A zone is required: legal clocks start at an instant,
 * and guessing the zone of "2019-11-14 09:00" could move a deadline by hours.
 */
export function parseInstant(value: string, what: string): string {
  const trimmed = value.trim();
  const ms = ISO_INSTANT.test(trimmed) ? Date.parse(trimmed.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalidInput(
      'BAD_INSTANT',
      `${what}: '${value}' is not an ISO 8601 instant with a time zone; write e.g. 2019-11-14T09:30:00Z or 2019-11-14T17:30+08:00`,
    );
  }
  return new Date(ms).toISOString();
}
