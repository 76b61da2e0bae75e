import type { Deadline } from './rules/schema.ts';

/** One legal deadline, counted from awareness, with time left at the moment of the assessment. */
export interface Clock {
  label: string;
  /** ISO instant; null when the law sets no fixed period or counts from an event Tocsin cannot date. */
  due_at: string | null;
  /** The law's words, so a null due_at is never a silent "no deadline". */
  basis: string;
  /** Negative once overdue; null with due_at. */
  hours_left: number | null;
  overdue: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEKEND = new Set(['Sat', 'Sun']);

export function clockFor(deadline: Deadline, awareAt: string, now: Date, timeZone: string): Clock {
  const due = dueAt(deadline, Date.parse(awareAt), timeZone);
  if (due === null) return { label: deadline.label, due_at: null, basis: deadline.text, hours_left: null, overdue: false };
  const left = due - now.getTime();
  return {
    label: deadline.label,
    due_at: new Date(due).toISOString(),
    basis: deadline.text,
    hours_left: Math.round(left / (HOUR / 10)) / 10 + 0, // + 0 turns -0 into 0
    overdue: left < 0,
  };
}

function dueAt(deadline: Deadline, aware: number, timeZone: string): number | null {
  if (deadline.from !== 'awareness') return null;
  if (deadline.hours !== undefined) return aware + deadline.hours * HOUR;
  if (deadline.days !== undefined) return aware + deadline.days * DAY;
  if (deadline.business_days !== undefined) return addBusinessDays(aware, deadline.business_days, timeZone);
  return null;
}

/**
 * The same time of day, `days` weekdays later as counted in the jurisdiction's zone. Public holidays
 * are not known to Tocsin, so the result can be earlier than the law's — never later.
 */
export function addBusinessDays(start: number, days: number, timeZone: string): number {
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' });
  let at = start;
  for (let counted = 0; counted < days; ) {
    at += DAY;
    if (!WEEKEND.has(weekday.format(at))) counted++;
  }
  return at;
}
