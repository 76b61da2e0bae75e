/** An instant as a datetime-local input shows it: the user's own time zone, to the minute. */
export function toLocalInput(instant: string | null): string {
  if (!instant) return '';
  const date = new Date(instant);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** What a datetime-local input holds, as an instant; empty is null (the field cleared). */
export function fromLocalInput(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}
