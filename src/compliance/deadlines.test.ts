import { describe, expect, it } from 'vitest';
import { addBusinessDays, clockFor, type ClockStarts } from '../domain/index.ts';
import { clockPlace } from './holidays.ts';

const aware = '2019-11-14T09:00:00.000Z'; // a Thursday
const starts: ClockStarts = { awareness: aware, assessment: null, report: null };
const UTC = clockPlace('ZZ', 'UTC');
const BRAZIL = clockPlace('BR', 'America/Sao_Paulo');
const VERMONT = clockPlace('US-VT', 'America/New_York');

describe('clockFor', () => {
  it('counts hours from awareness and the time left at the moment asked', () => {
    const clock = clockFor({ label: 'report', hours: 72, from: 'awareness', text: '72 hours' }, starts, new Date('2019-11-15T21:00:00Z'), UTC);
    expect(clock).toEqual({ label: 'report', due_at: '2019-11-17T09:00:00.000Z', basis: '72 hours', hours_left: 36, overdue: false, assumption: null, needs: null });
  });

  it('flags a deadline in the past as overdue, with negative time left', () => {
    const clock = clockFor({ label: 'report', hours: 6, from: 'awareness', text: '6 hours' }, starts, new Date('2019-11-14T15:30:00Z'), UTC);
    expect(clock).toMatchObject({ due_at: '2019-11-14T15:00:00.000Z', hours_left: -0.5, overdue: true });
  });

  it('is not overdue at the very instant it falls due', () => {
    expect(clockFor({ label: 'r', hours: 6, from: 'awareness', text: '' }, starts, new Date('2019-11-14T15:00:00Z'), UTC).overdue).toBe(false);
  });

  it('gives no instant, but the law’s words, when there is no fixed period or it counts from the notice', () => {
    const now = new Date(aware);
    expect(clockFor({ label: 'r', from: 'awareness', text: 'without undue delay' }, starts, now, UTC)).toEqual({
      label: 'r',
      due_at: null,
      basis: 'without undue delay',
      hours_left: null,
      overdue: false,
      assumption: null,
      needs: null,
    });
    expect(clockFor({ label: 'r', days: 30, from: 'notice', text: 'after the notice' }, starts, now, UTC)).toMatchObject({ due_at: null, needs: null });
  });

  it('says which incident fact would date a clock that counts from the assessment or the report, and dates it once given', () => {
    const now = new Date(aware);
    const singapore = { label: 'PDPC', days: 3, from: 'assessment' as const, text: '3 days after assessing' };
    expect(clockFor(singapore, starts, now, UTC)).toMatchObject({ due_at: null, needs: 'assessed_at' });
    expect(clockFor(singapore, { ...starts, assessment: '2019-11-20T10:00:00.000Z' }, now, UTC)).toMatchObject({ due_at: '2019-11-23T10:00:00.000Z', needs: null });
    const complement = { label: 'complement', business_days: 20, from: 'report' as const, text: '20 working days' };
    expect(clockFor(complement, starts, now, BRAZIL)).toMatchObject({ due_at: null, needs: 'reported_at' });
    // From Monday 18 November 2019, 20 working days skip four weekends (20 November was no national holiday then).
    expect(clockFor(complement, { ...starts, report: '2019-11-18T12:00:00.000Z' }, now, BRAZIL).due_at).toBe('2019-12-16T12:00:00.000Z');
  });

  it('shows the regulator’s working assumption where the law sets no period, labelled as such, and never over the law’s own', () => {
    const promptly = { label: 'preliminary', from: 'awareness' as const, text: 'promptly', assume: { days: 3, text: 'about 3–5 days' } };
    const clock = clockFor(promptly, starts, new Date(aware), UTC);
    expect(clock).toMatchObject({ due_at: '2019-11-17T09:00:00.000Z', basis: 'promptly', hours_left: 72 });
    expect(clock.assumption).toBe("working assumption, not the law's period: about 3–5 days");
    const fixed = clockFor({ ...promptly, hours: 24 }, starts, new Date(aware), UTC);
    expect(fixed).toMatchObject({ due_at: '2019-11-15T09:00:00.000Z', assumption: null });
  });
});

describe('addBusinessDays', () => {
  it('skips the weekend as seen in the jurisdiction’s zone', () => {
    // Thursday 09:00 UTC + 3 working days in a place without holidays then = Tuesday
    expect(new Date(addBusinessDays(Date.parse(aware), 3, clockPlace('ZZ', 'America/Sao_Paulo'))).toISOString()).toBe('2019-11-19T09:00:00.000Z');
  });

  it('skips Brazil’s national public holidays: Friday 15 November 2019 (Proclamação da República) is no working day', () => {
    // Thursday + 3 working days: Monday 18, Tuesday 19, Wednesday 20 (not yet a national holiday in 2019).
    expect(new Date(addBusinessDays(Date.parse(aware), 3, BRAZIL)).toISOString()).toBe('2019-11-20T09:00:00.000Z');
    // Since 2024, 20 November (Dia da Consciência Negra) is one too: Tuesday 19 November 2024 + 1 is Thursday 21.
    expect(new Date(addBusinessDays(Date.parse('2024-11-19T15:00:00Z'), 1, BRAZIL)).toISOString()).toBe('2024-11-21T15:00:00.000Z');
  });

  it('uses the local date, not UTC’s: a holiday is the jurisdiction’s day', () => {
    // Thursday 14 November 2019, 23:30 in São Paulo (Friday 02:30 UTC): the next day is the holiday, so one working day is Monday 18.
    const thursdayNight = Date.parse('2019-11-15T02:30:00Z');
    expect(new Date(addBusinessDays(thursdayNight, 1, BRAZIL)).toISOString()).toBe('2019-11-19T02:30:00.000Z');
    // Friday 15 November 2019, 23:30 in São Paulo is Saturday in UTC; one working day later is Monday 18.
    expect(new Date(addBusinessDays(Date.parse('2019-11-16T02:30:00Z'), 1, BRAZIL)).toISOString()).toBe('2019-11-19T02:30:00.000Z');
  });

  it('skips a subdivision’s own public holidays: Vermont’s Town Meeting Day, which New York does not keep', () => {
    // Monday 2 March 2026 + 1 business day: Tuesday 3 March is Town Meeting Day in Vermont only.
    const monday = Date.parse('2026-03-02T15:00:00Z');
    expect(new Date(addBusinessDays(monday, 1, VERMONT)).toISOString()).toBe('2026-03-04T15:00:00.000Z');
    expect(new Date(addBusinessDays(monday, 1, clockPlace('US-NY', 'America/New_York'))).toISOString()).toBe('2026-03-03T15:00:00.000Z');
  });

  it('counts Vermont’s 14 business days across Thanksgiving', () => {
    // Monday 16 November 2026: 14 business days skip two weekends, Thanksgiving (26 November) → Monday 7 December.
    const start = Date.parse('2026-11-16T14:00:00Z');
    expect(new Date(addBusinessDays(start, 14, VERMONT)).toISOString()).toBe('2026-12-07T14:00:00.000Z');
  });
});
