import { describe, expect, it } from 'vitest';
import { addBusinessDays, clockFor } from './clock.ts';

const aware = '2019-11-14T09:00:00.000Z'; // a Thursday

describe('clockFor', () => {
  it('counts hours from awareness and the time left at the moment asked', () => {
    const clock = clockFor({ label: 'report', hours: 72, from: 'awareness', text: '72 hours' }, aware, new Date('2019-11-15T21:00:00Z'), 'UTC');
    expect(clock).toEqual({ label: 'report', due_at: '2019-11-17T09:00:00.000Z', basis: '72 hours', hours_left: 36, overdue: false });
  });

  it('flags a deadline in the past as overdue, with negative time left', () => {
    const clock = clockFor({ label: 'report', hours: 6, from: 'awareness', text: '6 hours' }, aware, new Date('2019-11-14T15:30:00Z'), 'UTC');
    expect(clock).toMatchObject({ due_at: '2019-11-14T15:00:00.000Z', hours_left: -0.5, overdue: true });
  });

  it('is not overdue at the very instant it falls due', () => {
    expect(clockFor({ label: 'r', hours: 6, from: 'awareness', text: '' }, aware, new Date('2019-11-14T15:00:00Z'), 'UTC').overdue).toBe(false);
  });

  it('gives no instant, but the law’s words, when there is no fixed period or it counts from a later event', () => {
    const now = new Date(aware);
    expect(clockFor({ label: 'r', from: 'awareness', text: 'without undue delay' }, aware, now, 'UTC')).toEqual({
      label: 'r',
      due_at: null,
      basis: 'without undue delay',
      hours_left: null,
      overdue: false,
    });
    expect(clockFor({ label: 'r', days: 3, from: 'assessment', text: '3 days after assessing' }, aware, now, 'UTC').due_at).toBeNull();
  });
});

describe('addBusinessDays', () => {
  it('skips the weekend as seen in the jurisdiction’s zone', () => {
    // Thursday 09:00 UTC + 3 working days = Tuesday
    expect(new Date(addBusinessDays(Date.parse(aware), 3, 'America/Sao_Paulo')).toISOString()).toBe('2019-11-19T09:00:00.000Z');
  });

  it('uses the local weekday, not UTC’s', () => {
    // Friday 23:30 in São Paulo is already Saturday in UTC; one working day later is Monday.
    const friday = Date.parse('2019-11-16T02:30:00Z');
    expect(new Date(addBusinessDays(friday, 1, 'America/Sao_Paulo')).toISOString()).toBe('2019-11-19T02:30:00.000Z');
  });
});
