/** A length of time: at most one of hours, calendar days, business days (weekends and public holidays skipped). */
export interface Period {
  hours?: number;
  days?: number;
  business_days?: number;
}

/**
 * A legal deadline as the jurisdiction rules state it: counted from awareness, the assessment's end, the
 * initial report or the notice to people; where the law sets no period, perhaps the regulator's assumption.
 */
export interface Deadline extends Period {
  label: string;
  from: 'awareness' | 'assessment' | 'notice' | 'report';
  text: string;
  assume?: Period & { text: string };
}

/** One legal deadline, with time left at the moment of the assessment. */
export interface Clock {
  label: string;
  /** ISO instant; null when the law sets no fixed period or counts from an event Tocsin has no date for. */
  due_at: string | null;
  /** The law's words, so a null due_at is never a silent "no deadline". */
  basis: string;
  /** Negative once overdue; null with due_at. */
  hours_left: number | null;
  overdue: boolean;
  /** Set when due_at is the regulator's working assumption, not the law's period: its words, labelled as such. */
  assumption: string | null;
  /** The incident fact that would date this clock, when it counts from one not recorded yet. */
  needs: 'assessed_at' | 'reported_at' | null;
}

/** The instants clocks count from: awareness always; the others once the incident records them. */
export interface ClockStarts {
  awareness: string;
  /** When the controller finished assessing the breach (Singapore's s. 26D counts from it). */
  assessment: string | null;
  /** When the initial report went to this jurisdiction's authority (Brazil's complement counts from it). */
  report: string | null;
}

/**
 * Where a clock runs: the zone its days turn in, and which local dates (YYYY-MM-DD) are public holidays
 * there. The holiday calendar is passed in so this arithmetic stays free of data it would have to load.
 */
export interface ClockPlace {
  timeZone: string;
  isHoliday: (localDate: string) => boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEKEND = new Set(['Sat', 'Sun']);
const NEEDS = { assessment: 'assessed_at', report: 'reported_at' } as const;

export function clockFor(deadline: Deadline, starts: ClockStarts, now: Date, place: ClockPlace): Clock {
  const undated = { label: deadline.label, due_at: null, basis: deadline.text, hours_left: null, overdue: false, assumption: null, needs: null };
  if (deadline.from === 'notice' || !(hasPeriod(deadline) || (deadline.assume && hasPeriod(deadline.assume)))) return undated;
  const start = starts[deadline.from];
  if (start === null) return { ...undated, needs: NEEDS[deadline.from as keyof typeof NEEDS] };

  const fixed = addPeriod(Date.parse(start), deadline, place);
  const assumed = fixed === null && deadline.assume ? addPeriod(Date.parse(start), deadline.assume, place) : null;
  const due = fixed ?? assumed;
  if (due === null) return undated;
  const left = due - now.getTime();
  return {
    ...undated,
    due_at: new Date(due).toISOString(),
    hours_left: Math.round(left / (HOUR / 10)) / 10 + 0, // + 0 turns -0 into 0
    overdue: left < 0,
    assumption: assumed === null ? null : `working assumption, not the law's period: ${deadline.assume?.text}`,
  };
}

function hasPeriod(period: Period): boolean {
  return period.hours !== undefined || period.days !== undefined || period.business_days !== undefined;
}

function addPeriod(start: number, period: Period, place: ClockPlace): number | null {
  if (period.hours !== undefined) return start + period.hours * HOUR;
  if (period.days !== undefined) return start + period.days * DAY;
  if (period.business_days !== undefined) return addBusinessDays(start, period.business_days, place);
  return null;
}

/**
 * The same time of day, `days` business days later as counted in the place's zone: weekends and the
 * place's public holidays are skipped.
 */
export function addBusinessDays(start: number, days: number, place: ClockPlace): number {
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone: place.timeZone, weekday: 'short' });
  const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: place.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  let at = start;
  for (let counted = 0; counted < days; ) {
    at += DAY;
    if (!WEEKEND.has(weekday.format(at)) && !place.isHoliday(localDate.format(at))) counted++;
  }
  return at;
}
